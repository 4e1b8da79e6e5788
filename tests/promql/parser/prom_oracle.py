#!/usr/bin/env python3
"""Asks a real Prometheus (2.42 here) how it parses PromQL queries.

Used only while building the parser's golden files (testdata/); the committed
gtest never needs Prometheus. `Oracle` starts /usr/bin/prometheus on a free
127.0.0.1 port with a throw-away config and TSDB directory and stops it by its
PID when done.

As a command: reads queries from stdin (one per line; a line starting with
`json:` holds a JSON-encoded query, for newlines and other special
characters) and prints one JSON object per line with Prometheus' answer.

Usage: prom_oracle.py [--endpoint format_query|query|series] < queries.txt
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request


def decode_line(line):
    """A query line of a queries file: plain text or `json:"..."`."""
    return json.loads(line[5:]) if line.startswith("json:") else line


class Oracle:
    def __init__(self, binary="/usr/bin/prometheus"):
        self.binary = binary

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="strata-oracle-")
        cfg = os.path.join(self.tmp, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global: {scrape_interval: 15s}\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [self.binary, f"--config.file={cfg}", f"--storage.tsdb.path={self.tmp}/data",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ask(self, endpoint, query):
        """Returns (ok, data-or-error-message) for one query."""
        if endpoint == "series":
            params = {"match[]": query, "start": "0", "end": "1"}
        else:
            params = {"query": query}
            if endpoint == "query":
                params["time"] = "1000"
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1/{endpoint}", data=data)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:
            body = json.load(e)
        if body.get("status") == "success":
            d = body.get("data")
            return True, d if endpoint == "format_query" else (
                d.get("resultType") if isinstance(d, dict) else d)
        return False, body.get("error")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", default="format_query")
    ap.add_argument("--prometheus", default="/usr/bin/prometheus")
    args = ap.parse_args()
    with Oracle(args.prometheus) as o:
        for line in sys.stdin:
            line = line.rstrip("\n")
            if not line:
                continue
            ok, v = o.ask(args.endpoint, decode_line(line))
            out = {"query": line, "status": "success" if ok else "error"}
            out["data" if ok else "error"] = v
            print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
