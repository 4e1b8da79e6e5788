#!/usr/bin/python3
"""Long differential campaigns: generated PromQL queries on Strata
(--query.compat=v2) and Prometheus 2.42 (tests/integration/difftest,
DIFFTEST_GENERATED=1).

Runs the difftest's generated-query test in batches of --batch queries, each
batch with fresh servers, one query at a time (DIFFTEST_JOBS=1) so that when
Strata crashes the first unanswered query is the one that killed it; the
next batch starts after it. Differences are grouped by kind and message
(numbers and label sets removed); for each group the shortest query seen is
kept as the reproducer. Queries a batch skips (known_differences_generated.txt)
are counted apart.

  tools/promql_difftest_campaign.py --queries 5000
  tools/promql_difftest_campaign.py --seed 7 --duration 1800 --report /tmp/diff.txt
"""
import argparse
import os
import re
import subprocess
import sys
import time

import campaign_report

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BINARY = os.path.join(HERE, "..", "build", "tests", "integration", "difftest", "difftest")
FAIL_RE = re.compile(r"^FAIL generated:(\d+): (.*?)  ==>  (.*?): ([^:]+): (.*) \(\d+ of \d+ cases fail\)$", re.M)


def signature(kind, detail):
    # Error texts: up to the first list of series or label set.
    detail = re.split(r": \[|;|\{", detail)[0] if "failed (HTTP" in detail else detail
    d = re.sub(r"\{[^{}]*\}", "{..}", detail)
    d = re.sub(r"[-+]?(\d+\.?\d*(e[-+]?\d+)?|Inf|NaN)", "N", d)
    d = re.sub(r"\[[^\]]*\]", "[..]", d)
    return (kind + ": " + d)[:160]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=DEFAULT_BINARY)
    ap.add_argument("--seed", default="random")
    ap.add_argument("--queries", type=int, default=5000)
    ap.add_argument("--duration", type=float, default=3600)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--report", default="")
    a = ap.parse_args()
    seed = str(int.from_bytes(os.urandom(6), "little")) if a.seed == "random" else a.seed
    t0 = time.time()
    first, compared, crashes, skipped = 0, 0, 0, 0
    groups = {}  # signature -> [count, shortest query, where, case, detail]
    while first < a.queries and time.time() - t0 < a.duration:
        count = min(a.batch, a.queries - first)
        env = dict(os.environ, DIFFTEST_GENERATED="1", DIFFTEST_SEED=seed, DIFFTEST_FIRST=str(first),
                   DIFFTEST_COUNT=str(count), DIFFTEST_JOBS="1",
                   DIFFTEST_REPORT="/tmp/promql_difftest_campaign_report.txt")
        p = subprocess.run([a.binary, "--gtest_filter=*GeneratedQueries*"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace", env=env, timeout=3600)
        out = p.stdout
        summary = re.search(r"difftest: (\d+) passed, (\d+) failed of (\d+)", out)
        if not summary:
            print("promql_difftest_campaign: no summary from the difftest:\n" + out[-3000:], file=sys.stderr)
            return 2
        m = re.search(r"(\d+) skipped as known", out)
        skipped += int(m.group(1)) if m else 0
        crashed_at = None
        for f in FAIL_RE.finditer(out):
            idx, query, case, kind, detail = int(f.group(1)), f.group(2), f.group(3), f.group(4), f.group(5)
            if kind == "no answer":
                crashed_at = idx if crashed_at is None else min(crashed_at, idx)
                continue
            sig = signature(kind, detail)
            g = groups.setdefault(sig, [0, None, None, None, None])
            g[0] += 1
            if g[1] is None or len(query) < len(g[1]):
                g[1:] = [query, "seed=%s index=%d" % (seed, idx), case, detail[:300]]
        if crashed_at is not None:
            crashes += 1
            q = re.search(r"^FAIL generated:%d: (.*?)  ==>  (.*?): no answer" % crashed_at, out, re.M)
            g = groups.setdefault("strata crashed (no answer)", [0, None, None, None, None])
            g[0] += 1
            if g[1] is None or len(q.group(1)) < len(g[1]):
                g[1:] = [q.group(1), "seed=%s index=%d" % (seed, crashed_at), q.group(2), "connection refused"]
            compared += crashed_at - first + 1
            first = crashed_at + 1
            continue
        compared += int(summary.group(3))
        first += count
        print("promql_difftest_campaign: %d queries, %d difference groups, %d crashes, %.0f s"
              % (first, len(groups), crashes, time.time() - t0), flush=True)
    summary = ("promql_difftest_campaign: seed %s, %d queries compared (%d skipped as known), %d strata crashes, "
               "%d distinct differences, %.0f s" % (seed, compared, skipped, crashes, len(groups), time.time() - t0))
    return campaign_report.finish(
        summary, groups,
        lambda sig, g: "  %s %s\n  query: %s\n  first difference: %s" % (g[2], g[3], g[1], g[4]), a.report)

if __name__ == "__main__":
    sys.exit(main())
