#!/usr/bin/env python3
"""Lists corpus queries whose Compat::kV3 result differs from Prometheus 2.42.

Developer helper for testdata/v3_differences.jsonl: runs promql_parse_tool in
v3 mode over errors.jsonl and format.jsonl and prints, as JSON lines, every
query whose v3 answer differs from the recorded 2.42 answer and is not yet
documented. Each needs a hand-written "why" before it goes into the file.

Usage: v3_candidates.py PATH/TO/promql_parse_tool
"""

import json
import os
import subprocess
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")


def main():
    rows = []
    for name in ("errors.jsonl", "format.jsonl"):
        with open(os.path.join(DATA, name)) as f:
            rows += [json.loads(l) for l in f if l.strip()]
    with open(os.path.join(DATA, "v3_differences.jsonl")) as f:
        known = {json.loads(l)["query"] for l in f if l.strip()}
    lines = "".join("json:" + json.dumps(r["query"]) + "\n" for r in rows)
    out = subprocess.run([sys.argv[1], "v3"], input=lines.encode(), capture_output=True,
                         check=True).stdout.decode().splitlines()
    for r, l in zip(rows, out):
        u = json.loads(l)
        ok = u["status"] == "success"
        got = u["data"] if ok else u["error"].replace('invalid parameter "query": ', "", 1)
        if ok == ("format" in r) and got == r.get("format", r.get("error")):
            continue
        if r["query"] in known:
            continue
        print(json.dumps({"query": r["query"], "v3_format" if ok else "v3_error": got},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
