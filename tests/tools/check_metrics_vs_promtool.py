#!/usr/bin/python3
"""`stratatool check metrics` against `promtool check metrics` (Prometheus
2.42, Debian): the same problems, in the same order, and the same exit code
for every exposition in testdata/ (promtool's parse errors are worded by
Go's expfmt, Strata's by its scrape parser: only the exit code is compared
for those).

usage: check_metrics_vs_promtool.py <stratatool>
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, body):
    r = subprocess.run(cmd, input=body, capture_output=True, timeout=60)
    return r.returncode, r.stderr.decode()


def main():
    stratatool = sys.argv[1]
    failures = 0
    files = sorted(glob.glob(os.path.join(HERE, "testdata", "*.prom")))
    for path in files:
        with open(path, "rb") as f:
            body = f.read()
        prc, pout = run(["/usr/bin/promtool", "check", "metrics"], body)
        src, sout = run([stratatool, "check", "metrics"], body)
        same = prc == src and (prc == 1 or pout == sout)
        print("%s %s: promtool %d, stratatool %d" % ("ok  " if same else "FAIL", os.path.basename(path), prc, src))
        if not same:
            failures += 1
            print("--- promtool\n" + pout + "--- stratatool\n" + sout)
    print("%d of %d expositions agree" % (len(files) - failures, len(files)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
