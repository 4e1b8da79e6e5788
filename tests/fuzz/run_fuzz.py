#!/usr/bin/python3
"""Runs every fuzz target of a STRATA_FUZZ build for a bounded time and prints
a table: target, executions, executions per second, crashes.

  tests/fuzz/run_fuzz.py --build-dir build-fuzz --seconds 60 [--only a,b] [--nice 19]
                         [--jobs 2] [--runs 10000000]

Targets, binaries, seed directories and per-target limits come from
<build-dir>/fuzz_targets.tsv (tests/fuzz/CMakeLists.txt). Each target runs
one after the other on <build-dir>/corpus/<target>, which it grows (the seeds
directory is read, never written), with crash, leak, timeout and OOM inputs
saved under <build-dir>/fuzz-artifacts/<target>/ and libFuzzer's output in
<build-dir>/fuzz-logs/<target>.log. --jobs runs that many targets at once
(one process each); --runs stops a target once it has executed that many
inputs in this run, if that comes before --seconds. Exits 1 when any target
found a crash (a target stops at its first), 2 on a setup error. Results also
go to <build-dir>/fuzz-results.tsv, and <build-dir>/fuzz-ledger.tsv adds each
run to the campaign's totals per target (executions, seconds, runs, crashes),
the figures of a standing campaign that grows the same corpus run after run.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

# Memory cap of one fuzzer process (ASan's overhead included): a decoder that
# allocates past it for a small input is a bug, reported as an OOM artifact.
RSS_LIMIT_MB = 2048
EXECS = re.compile(r"stat::number_of_executed_units:\s*(\d+)")
PROGRESS = re.compile(r"^#(\d+)\s", re.M)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build-fuzz")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--only", default="", help="comma-separated target names")
    ap.add_argument("--nice", type=int, default=0, help="niceness of the fuzzers")
    ap.add_argument("--jobs", type=int, default=1, help="targets run at once")
    ap.add_argument("--runs", type=int, default=0, help="stop a target after this many executions")
    args = ap.parse_args()

    manifest = os.path.join(args.build_dir, "fuzz_targets.tsv")
    if not os.path.exists(manifest):
        print("no %s: configure with -DSTRATA_FUZZ=ON first (make fuzz)" % manifest, file=sys.stderr)
        return 2
    only = set(filter(None, args.only.split(",")))
    targets = []
    with open(manifest) as f:
        for line in f:
            if line.strip():
                name, binary, seeds, max_len, timeout = line.rstrip("\n").split("\t")
                if not only or name in only:
                    targets.append((name, binary, seeds, int(max_len), int(timeout)))
    if only - {t[0] for t in targets}:
        print("unknown targets: %s" % ", ".join(sorted(only - {t[0] for t in targets})), file=sys.stderr)
        return 2

    def run(target):
        name, binary, seeds, max_len, timeout = target
        corpus = os.path.join(args.build_dir, "corpus", name)
        artifacts = os.path.join(args.build_dir, "fuzz-artifacts", name)
        logs = os.path.join(args.build_dir, "fuzz-logs")
        for d in (corpus, artifacts, logs):
            os.makedirs(d, exist_ok=True)
        before = set(os.listdir(artifacts))
        cmd = [binary, "-max_total_time=%d" % args.seconds, "-print_final_stats=1",
               "-rss_limit_mb=%d" % RSS_LIMIT_MB, "-timeout=%d" % timeout,
               "-max_len=%d" % max_len, "-artifact_prefix=%s/" % artifacts,
               "-close_fd_mask=1", corpus, seeds]
        if args.runs:
            cmd.insert(1, "-runs=%d" % args.runs)
        if args.nice:
            cmd = ["nice", "-n", str(args.nice)] + cmd
        log_path = os.path.join(logs, name + ".log")
        start = time.monotonic()
        with open(log_path, "w") as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        elapsed = time.monotonic() - start
        with open(log_path, errors="replace") as log:
            text = log.read()
        m = EXECS.search(text)
        execs = int(m.group(1)) if m else max([int(x) for x in PROGRESS.findall(text)] or [0])
        found = sorted(set(os.listdir(artifacts)) - before)
        crashes = len(found) if found else (1 if rc != 0 else 0)
        row = (name, execs, execs / elapsed if elapsed else 0, crashes, found, log_path, elapsed)
        print("%-22s %12d execs %9.0f/s  %s" % (name, execs, row[2],
              "CRASH: %s (log %s)" % (" ".join(found) or "exit %d" % rc, log_path) if crashes else "ok"),
              flush=True)
        return row

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(run, targets))
    ledger = update_ledger(os.path.join(args.build_dir, "fuzz-ledger.tsv"), rows)

    print()
    print("%-22s %12s %10s %8s %16s" % ("target", "execs", "execs/s", "crashes", "campaign execs"))
    for name, execs, rate, crashes, _, _, _ in rows:
        print("%-22s %12d %10.0f %8d %16d" % (name, execs, rate, crashes, ledger[name][0]))
    with open(os.path.join(args.build_dir, "fuzz-results.tsv"), "w") as f:
        f.write("target\texecs\texecs_per_s\tcrashes\tartifacts\n")
        for name, execs, rate, crashes, found, _, _ in rows:
            f.write("%s\t%d\t%.0f\t%d\t%s\n" % (name, execs, rate, crashes, ",".join(found)))
    failed = [r[0] for r in rows if r[3]]
    if failed:
        print("\ncrashes in: %s (reproduce: <binary> <artifact>)" % ", ".join(failed))
        return 1
    return 0


def update_ledger(path, rows):
    """Adds this run's rows to the campaign totals; returns them by target:
    [execs, seconds, runs, crashes]."""
    totals = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f.read().splitlines()[1:]:
                name, execs, seconds, runs, crashes = line.split("\t")
                totals[name] = [int(execs), float(seconds), int(runs), int(crashes)]
    for name, execs, _, crashes, _, _, elapsed in rows:
        t = totals.setdefault(name, [0, 0.0, 0, 0])
        t[0] += execs
        t[1] += elapsed
        t[2] += 1
        t[3] += crashes
    with open(path + ".tmp", "w") as f:
        f.write("target\texecs\tseconds\truns\tcrashes\n")
        for name in sorted(totals):
            e, sec, r, c = totals[name]
            f.write("%s\t%d\t%.0f\t%d\t%d\n" % (name, e, sec, r, c))
    os.replace(path + ".tmp", path)
    return totals


if __name__ == "__main__":
    sys.exit(main())
