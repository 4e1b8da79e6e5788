#!/usr/bin/env python3
"""Writes a starting corpus for fuzz_promql: every query of testdata/, once
per dialect (the first byte selects v2/v3 and experimental functions).

Usage: tests/fuzz/promql/make_seeds.py OUT_DIR  (a long campaign; promql/seeds holds a sample)
"""

import hashlib
import json
import os
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "promql", "parser", "testdata")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for name in ("errors.jsonl", "format.jsonl", "selectors.jsonl"):
        with open(os.path.join(DATA, name)) as f:
            for line in f:
                q = json.loads(line)["query"].encode()
                for mode in (b"\x00", b"\x01", b"\x02"):
                    data = mode + q
                    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as g:
                        g.write(data)
                    n += 1
    for series in ('x{a="b"} 0+10x10 _ stale 1 -1-2x3 _x2 Inf', "h {{schema:1 sum:3}}x2 1m"):
        with open(os.path.join(out, hashlib.sha1(series.encode()).hexdigest()), "wb") as g:
            g.write(b"\x00" + series.encode())
        n += 1
    print(n, "seeds")


if __name__ == "__main__":
    main()
