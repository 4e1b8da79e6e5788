#!/usr/bin/python3
"""Long crash-fuzzing campaigns of the PromQL engine (tests/promql/fuzz).

Runs promql_crash_fuzz with a new seed (or the one given) until --queries
queries or --duration seconds are done. A crash ends the fuzzer's process;
this script records it and resumes at the next query index, so one campaign
collects every distinct failure. Failures are grouped by signature (the
sanitizer's message and location, or the fuzzer's reason with numbers
removed); for each, the shortest query seen is kept as the reproducer.

  tools/promql_fuzz_campaign.py --duration 1800
  tools/promql_fuzz_campaign.py --seed 7 --queries 100000 --report /tmp/crash.txt
"""
import argparse
import os
import re
import subprocess
import sys
import time

import campaign_report

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BINARY = os.path.join(HERE, "..", "build", "tests", "promql", "fuzz", "promql_crash_fuzz")


def signature(text):
    """What identifies a failure: the sanitizer's first message or the reason."""
    for pat in (r"(\S+:\d+:\d+: runtime error: [a-z ]+)", r"(ERROR: AddressSanitizer: [\w-]+)",
                r"(HANG)", r"why: (.*)"):
        m = re.search(pat, text)
        if m:
            sig = re.sub(r"-?\d+(\.\d+)?", "N", m.group(1))
            if "why:" not in m.group(0):  # a crash: add the first frame in Strata's code
                f = re.search(r"#\d+ 0x[0-9a-f]+ in (\S+).* \.\./((promql|tsdb|base)/\S+)", text)
                if f:
                    sig += " in " + f.group(1)[:60] + " " + re.sub(r":\d+$", "", f.group(2))
            return sig[:200]
    return "crash: " + (text.strip().splitlines() or ["?"])[-1][:160]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=DEFAULT_BINARY)
    ap.add_argument("--seed", default="random")
    ap.add_argument("--queries", type=int, default=0, help="0: until --duration")
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--modes", default="v2,v3,v3d")
    ap.add_argument("--report", default="")
    a = ap.parse_args()
    seed = str(int.from_bytes(os.urandom(6), "little")) if a.seed == "random" else a.seed
    t0 = time.time()
    start, done, crashes = 0, 0, 0
    groups = {}  # signature -> (count, shortest example block)
    while True:
        left = a.duration - (time.time() - t0)
        if left <= 1 or (a.queries and start >= a.queries):
            break
        count = a.queries - start if a.queries else 0
        cmd = [a.binary, "--seed=" + seed, "--start=%d" % start, "--count=%d" % count,
               "--duration=%d" % int(left), "--modes=" + a.modes, "--max-failures=100000",
               "--min-ok-percent=0"]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                           timeout=left + 120)
        out = p.stdout
        # Non-crash failures: FAIL blocks.
        for m in re.finditer(r"^FAIL (seed=\d+ index=(\d+) .*)\n  query: (.*)\n  why: (.*)$", out, re.M):
            block = m.group(0)
            sig = signature(block)
            n, ex = groups.get(sig, (0, None))
            if ex is None or len(m.group(3)) < len(re.search(r"query: (.*)", ex).group(1)):
                ex = block
            groups[sig] = (n + 1, ex)
        summary = re.search(r"promql_crash_fuzz: seed \d+: (\d+) evaluations", out)
        crash = re.search(r"promql_crash_fuzz: (FAILURE while evaluating|HANG)[^\n]*\n(seed=\d+ index=(\d+)[^\n]*)\n  query: ([^\n]*)", out)
        if crash and not summary:
            crashes += 1
            idx = int(crash.group(3))
            sig = signature(out)
            n, ex = groups.get(sig, (0, None))
            block = crash.group(2) + "\n  query: " + crash.group(4)
            if ex is None or len(crash.group(4)) < len(re.search(r"query: (.*)", ex).group(1)):
                ex = block + "\n  " + sig
            groups[sig] = (n + 1, ex)
            done += idx - start + 1
            start = idx + 1
            continue
        if summary:
            # Queries done in this run: evaluations / modes.
            done += int(summary.group(1)) // max(1, len(a.modes.split(",")))
            break
        print("promql_fuzz_campaign: the fuzzer failed without a summary:\n" + out[-3000:], file=sys.stderr)
        return 2
    summary = ("promql_fuzz_campaign: seed %s, %d queries (%s), %.0f s, %d crashes, %d distinct failures"
               % (seed, done, a.modes, time.time() - t0, crashes, len(groups)))
    return campaign_report.finish(summary, groups, lambda sig, g: g[1], a.report)

if __name__ == "__main__":
    sys.exit(main())
