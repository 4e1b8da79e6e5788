#!/usr/bin/python3
"""Runs every fuzz target of a STRATA_FUZZ build for a bounded time and prints
a table: target, executions, executions per second, crashes.

  tests/fuzz/run_fuzz.py --build-dir build-fuzz --seconds 60 [--only a,b] [--nice 19]
                         [--jobs 2] [--runs 10000000] [--goal 10000000]
                         [--restart-rss-mb 1536] [--instance NAME]
  tests/fuzz/run_fuzz.py --build-dir build-fuzz --save [--only a,b]

Targets, binaries, seed directories and per-target limits come from
<build-dir>/fuzz_targets.tsv (tests/fuzz/CMakeLists.txt). Each target runs
one after the other on <build-dir>/corpus/<target>, which it grows (the seeds
directory is read, never written), with crash, leak, timeout and OOM inputs
saved under <build-dir>/fuzz-artifacts/<target>/ and libFuzzer's output in
<build-dir>/fuzz-logs/<target>.log. --jobs runs that many targets at once
(one process each); --runs stops a target once it has executed that many
inputs in this run, if that comes before --seconds; --goal stops it once the
campaign's total (the ledgers below) reaches that many, and skips targets
already there. A fuzzer whose RSS passes --restart-rss-mb is stopped
(SIGUSR1: libFuzzer's graceful exit) and started again for the rest of the
run, so that ASan's stack depot, which only grows, does not end a long run
at -rss_limit_mb. --instance NAME lets a second run_fuzz.py fuzz the same
target beside a running one, on a free core: both grow the same corpus
(libFuzzer writes new inputs under their hash names), its output goes to
<target>.NAME.log, fuzz-results.NAME.tsv and
fuzz-artifacts/<target>.NAME/, and both add their executions
to the ledger, which is locked across processes. Exits 1 when any target
found a crash (a target stops at its first), 2 on a setup error. Results also
go to <build-dir>/fuzz-results.tsv, and <build-dir>/fuzz-ledger.tsv adds each
target's run, as it ends, to the campaign's totals per target (executions, seconds, runs, crashes),
the figures of a standing campaign that grows the same corpus run after run.

The campaign outlives a machine through two files in the repository:
tests/fuzz/corpus/<target>/ (read as a further input directory by every run)
and tests/fuzz/ledger.tsv (the totals of earlier machines, added to this
one's in the table). --save merges this machine's corpus into the committed
one (libFuzzer's -merge=1: only inputs that add coverage), adds its ledger
to tests/fuzz/ledger.tsv and clears it, so committing the two files carries
the campaign to the next machine.
"""

import argparse
import concurrent.futures
import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import time

# Memory cap of one fuzzer process (ASan's overhead included): a decoder that
# allocates past it for a small input is a bug, reported as an OOM artifact.
RSS_LIMIT_MB = 2048
# A long run is cut into segments at this RSS: ASan keeps every distinct
# allocation stack for good (8 MiB blocks), and a target whose inputs recurse
# in many ways (rule_file: yaml-cpp, PromQL, templates) grows past the limit in
# tens of minutes with no leak of its own. A single input that blows up still
# meets -rss_limit_mb; LeakSanitizer still reports what is lost.
RESTART_RSS_MB = 1536
MIN_SEGMENT_S = 60
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
    ap.add_argument("--goal", type=int, default=0,
                    help="stop a target once the campaign's executions reach this many")
    ap.add_argument("--restart-rss-mb", type=int, default=RESTART_RSS_MB,
                    help="restart a fuzzer (on its grown corpus) once its RSS passes this")
    ap.add_argument("--instance", default="",
                    help="name of a second run beside a running one (its own logs)")
    ap.add_argument("--save", action="store_true",
                    help="merge the corpus and ledger into the repository's (no fuzzing)")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    saved_corpus = os.path.join(here, "corpus")
    saved_ledger = os.path.join(here, "ledger.tsv")
    local_ledger = os.path.join(args.build_dir, "fuzz-ledger.tsv")

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
    if args.save:
        return save(targets, args.build_dir, saved_corpus, saved_ledger, local_ledger)

    def campaign_totals():
        totals = read_ledger(local_ledger)
        for name, t in read_ledger(saved_ledger).items():
            totals[name] = [a + b for a, b in zip(totals.get(name, [0, 0.0, 0, 0]), t)]
        return totals

    # -runs per target: --runs, or what is left to --goal if that is less.
    totals = campaign_totals()
    runs = {}
    for name, *_ in targets:
        caps = ([args.runs] if args.runs else []) + \
               ([args.goal - totals.get(name, [0])[0]] if args.goal else [])
        runs[name] = min(caps) if caps else 0
    done = [t[0] for t in targets if args.goal and runs[t[0]] <= 0]
    if done:
        print("at the goal of %d executions, skipped: %s" % (args.goal, ", ".join(done)))
    targets = [t for t in targets if t[0] not in done]
    # The ledger is updated as each target ends, so a round cut short still counts.
    suffix = "." + args.instance if args.instance else ""

    def run(target):
        name, binary, seeds, max_len, timeout = target
        corpus = os.path.join(args.build_dir, "corpus", name)
        # Each instance its own artifacts: a crash is counted by the run that found it.
        artifacts = os.path.join(args.build_dir, "fuzz-artifacts", name + suffix)
        logs = os.path.join(args.build_dir, "fuzz-logs")
        for d in (corpus, artifacts, logs):
            os.makedirs(d, exist_ok=True)
        before = set(os.listdir(artifacts))
        log_path = os.path.join(logs, name + suffix + ".log")
        start = time.monotonic()
        execs, rc, segments = 0, 0, 0
        open(log_path, "w").close()
        # Segments: a fuzzer whose RSS nears the limit is stopped gracefully
        # and started again on its grown corpus for what is left of the run.
        while True:
            left_s = args.seconds - int(time.monotonic() - start)
            left_runs = runs[name] - execs if runs[name] else 0
            if left_s <= 0 or (runs[name] and left_runs <= 0):
                break
            cmd = [binary, "-max_total_time=%d" % left_s, "-print_final_stats=1",
                   "-rss_limit_mb=%d" % RSS_LIMIT_MB, "-timeout=%d" % timeout,
                   "-max_len=%d" % max_len, "-artifact_prefix=%s/" % artifacts,
                   "-close_fd_mask=1", corpus, seeds]
            if os.path.isdir(os.path.join(saved_corpus, name)):
                cmd.append(os.path.join(saved_corpus, name))
            if left_runs:
                cmd.insert(1, "-runs=%d" % left_runs)
            if args.nice:
                cmd = ["nice", "-n", str(args.nice)] + cmd  # nice execs the fuzzer: same pid
            segments += 1
            with open(log_path, "a") as log:
                if segments > 1:
                    log.write("run_fuzz: RSS above %d MiB; segment %d\n" % (args.restart_rss_mb, segments))
                    log.flush()
                offset = log.tell()
                proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
                restart, seg_start = False, time.monotonic()
                while proc.poll() is None:
                    time.sleep(1)
                    # Not in a segment's first minute, which loads the corpus:
                    # a target over the mark from the start would only loop.
                    if not restart and time.monotonic() - seg_start > MIN_SEGMENT_S \
                            and rss_mb(proc.pid) > args.restart_rss_mb:
                        proc.send_signal(signal.SIGUSR1)  # libFuzzer: final stats, exit 0
                        restart = True
                rc = proc.returncode
            with open(log_path, errors="replace") as log:
                log.seek(offset)
                text = log.read()
            m = EXECS.search(text)
            execs += int(m.group(1)) if m else max([int(x) for x in PROGRESS.findall(text)] or [0])
            if not restart or rc != 0:
                break
        elapsed = time.monotonic() - start
        found = sorted(set(os.listdir(artifacts)) - before)
        crashes = len(found) if found else (1 if rc != 0 else 0)
        row = (name, execs, execs / elapsed if elapsed else 0, crashes, found, log_path, elapsed)
        update_ledger(local_ledger, [row])
        print("%-22s %12d execs %9.0f/s  %s" % (name, execs, row[2],
              "CRASH: %s (log %s)" % (" ".join(found) or "exit %d" % rc, log_path) if crashes else "ok"),
              flush=True)
        return row

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(run, targets))
    ledger = campaign_totals()

    print()
    print("%-22s %12s %10s %8s %16s" % ("target", "execs", "execs/s", "crashes", "campaign execs"))
    for name, execs, rate, crashes, _, _, _ in rows:
        print("%-22s %12d %10.0f %8d %16d" % (name, execs, rate, crashes, ledger[name][0]))
    with open(os.path.join(args.build_dir, "fuzz-results%s.tsv" % suffix), "w") as f:
        f.write("target\texecs\texecs_per_s\tcrashes\tartifacts\n")
        for name, execs, rate, crashes, found, _, _ in rows:
            f.write("%s\t%d\t%.0f\t%d\t%s\n" % (name, execs, rate, crashes, ",".join(found)))
    failed = [r[0] for r in rows if r[3]]
    if failed:
        print("\ncrashes in: %s (reproduce: <binary> <artifact>)" % ", ".join(failed))
        return 1
    return 0


def rss_mb(pid):
    """The process's resident set in MiB (0 once it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def read_ledger(path):
    """A ledger's totals by target: [execs, seconds, runs, crashes]."""
    totals = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f.read().splitlines()[1:]:
                name, execs, seconds, runs, crashes = line.split("\t")
                totals[name] = [int(execs), float(seconds), int(runs), int(crashes)]
    return totals


@contextlib.contextmanager
def ledger_lock(path):
    """Serialises a ledger's read-modify-write among the threads of this run and
    any other run_fuzz.py (--instance): flock conflicts between open files."""
    with open(path + ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def update_ledger(path, rows):
    """Adds this run's rows to the campaign totals; returns them by target:
    [execs, seconds, runs, crashes]."""
    with ledger_lock(path):
        totals = read_ledger(path)
        for name, execs, _, crashes, _, _, elapsed in rows:
            t = totals.setdefault(name, [0, 0.0, 0, 0])
            t[0] += execs
            t[1] += elapsed
            t[2] += 1
            t[3] += crashes
        write_ledger(path, totals)
    return totals


def save(targets, build_dir, saved_corpus, saved_ledger, local_ledger):
    """Merges each target's corpus into the repository's and moves this
    machine's ledger into the repository's."""
    for name, binary, _, max_len, timeout in targets:
        corpus = os.path.join(build_dir, "corpus", name)
        if not os.path.isdir(corpus):
            continue
        out = os.path.join(saved_corpus, name)
        os.makedirs(out, exist_ok=True)
        before = len(os.listdir(out))
        log_path = os.path.join(build_dir, "fuzz-logs", name + ".merge.log")
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, "w") as log:
            rc = subprocess.call([binary, "-merge=1", "-max_len=%d" % max_len, "-timeout=%d" % timeout,
                                  "-rss_limit_mb=%d" % RSS_LIMIT_MB, "-close_fd_mask=1", out, corpus],
                                 stdout=log, stderr=subprocess.STDOUT)
        if rc != 0:
            print("%s: merge failed (log %s)" % (name, log_path), file=sys.stderr)
            return 1
        print("%-22s %6d inputs saved (%d new)" % (name, len(os.listdir(out)), len(os.listdir(out)) - before))
    totals = read_ledger(saved_ledger)
    left = {}  # targets not saved this time stay in the local ledger
    names = {x[0] for x in targets}
    with ledger_lock(local_ledger):
        for name, t in read_ledger(local_ledger).items():
            if name in names:
                totals[name] = [a + b for a, b in zip(totals.get(name, [0, 0.0, 0, 0]), t)]
            else:
                left[name] = t
        write_ledger(saved_ledger, totals)
        write_ledger(local_ledger, left)
    return 0


def write_ledger(path, totals):
    with open(path + ".tmp", "w") as f:
        f.write("target\texecs\tseconds\truns\tcrashes\n")
        for name in sorted(totals):
            e, sec, r, c = totals[name]
            f.write("%s\t%d\t%.0f\t%d\t%d\n" % (name, e, sec, r, c))
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    sys.exit(main())
