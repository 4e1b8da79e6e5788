#!/usr/bin/env python3
"""Regenerates the parser's golden files from the real Prometheus 2.42.

Reads testdata/queries.txt and testdata/selectors.txt, asks Prometheus
(prom_oracle.Oracle, started and stopped here) how it parses each one, and
writes
  testdata/errors.jsonl    {"query", "error"}   /api/v1/format_query errors
  testdata/format.jsonl    {"query", "format"}  /api/v1/format_query output
  testdata/selectors.jsonl {"query", "error"} or {"query"}   /api/v1/series match[]
Error texts are stored without the API's `invalid parameter "...": ` prefix.
Prometheus 3 differences are kept by hand in testdata/v3_differences.jsonl.

Usage: build_corpus.py [--prometheus PATH]
"""

import argparse
import json
import os

from prom_oracle import Oracle, decode_line

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "testdata")


def read_queries(name):
    out, seen = [], set()
    with open(os.path.join(DATA, name)) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("## "):
                continue
            q = decode_line(line)
            if q not in seen:
                seen.add(q)
                out.append(q)
    return out


def strip_prefix(msg):
    for p in ('invalid parameter "query": ', 'invalid parameter "match[]": '):
        if msg.startswith(p):
            return msg[len(p):]
    return msg


def write_jsonl(name, rows):
    with open(os.path.join(DATA, name), "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prometheus", default="/usr/bin/prometheus")
    args = ap.parse_args()
    errors, formats, selectors = [], [], []
    with Oracle(args.prometheus) as o:
        for q in read_queries("queries.txt"):
            ok, v = o.ask("format_query", q)
            if ok:
                formats.append({"query": q, "format": v})
            else:
                errors.append({"query": q, "error": strip_prefix(v)})
        for q in read_queries("selectors.txt"):
            ok, v = o.ask("series", q)
            msg = strip_prefix(v) if not ok else ""
            # Only parse errors belong to the parser; the API checks the rest.
            selectors.append({"query": q, "error": msg} if " parse error: " in msg else {"query": q})
    write_jsonl("errors.jsonl", errors)
    write_jsonl("format.jsonl", formats)
    write_jsonl("selectors.jsonl", selectors)
    print(f"{len(errors)} errors, {len(formats)} formatted, {len(selectors)} selectors")


if __name__ == "__main__":
    main()
