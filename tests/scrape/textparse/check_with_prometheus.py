#!/usr/bin/env python3
"""Check Strata's exposition parser errors against the real Prometheus 2.42.

Every case of testdata/cases.tsv (a body in the text format or OpenMetrics and
the error Strata's parser gives, empty when it parses) is served from a local
HTTP server on 127.0.0.1, one path per case with the format's Content-Type.
Prometheus (the Debian package, 2.42) starts on a free port with a temporary
data directory and one scrape job per case (scrape_interval 1s); once every
target was scraped, `lastError` of each target (/api/v1/targets) is compared
with what `textparse_tool` prints for the same body, and with the table.

Prometheus 3 accepts syntax 2.42 does not (quoted UTF-8 names, `{` before
the name) and rejects what 2.42 let through (label pairs without a comma);
those cases are listed in EXPECTED_DIFFERENCES with the reason, and for them
only the table is checked.

Usage: check_with_prometheus.py --tool PATH [--prometheus PATH] [--cases FILE]
                                [--observe] [-v]
  --observe  print what Prometheus says for every case, compare nothing
Exit status: 0 all agree, 1 any disagreement, 77 Prometheus not installed.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))

CONTENT_TYPES = {
    "text": "text/plain; version=0.0.4; charset=utf-8",
    "om": "application/openmetrics-text; version=1.0.0; charset=utf-8",
}
TOOL_FORMAT = {"text": "text", "om": "openmetrics"}

# Cases where Prometheus 2.42 and Prometheus 3 (which Strata follows) differ.
EXPECTED_DIFFERENCES = {
    "t_ok_utf8_names": "quoted UTF-8 names in braces are Prometheus 3 syntax; 2.42 rejects the `{`",
    "t_ok_utf8_help": "quoted names in HELP/TYPE are Prometheus 3 syntax",
    "t_ok_utf8_name_after_labels": "a quoted metric name after the labels is Prometheus 3 syntax",
    "t_no_metric_name": "2.42 rejects the `{` start token; Prometheus 3 reads the labels, then misses the name",
    "t_no_comma": "2.42 accepts label pairs without a comma between them; Prometheus 3 does not",
    "t_second_name": "2.42 has no quoted names; Prometheus 3 refuses a second metric name",
    "t_name_twice": "2.42 rejects the `{`; Prometheus 3 refuses a second metric name",
    "t_ok_leading_blank": "2.42 keeps a line's leading blanks in the metric name (\" a\") and fails the name check",
    "o_ok_trailing_comma": "2.42 refuses a trailing comma in OpenMetrics label sets; Prometheus 3 takes it",
    "o_ok_exemplar_on_gauge": "2.42 allows exemplars only on _total and _bucket series; Prometheus 3 on any",
    "o_ok_utf8_names": "quoted UTF-8 names in braces are Prometheus 3 syntax",
    "o_ok_utf8_metadata": "quoted names in HELP/TYPE are Prometheus 3 syntax",
    "o_ok_utf8_exemplar": "quoted exemplar label names are Prometheus 3 syntax",
    "o_no_metric_name": "2.42 rejects the `{` start token; Prometheus 3 reads the labels, then misses the name",
    "o_second_name": "2.42 has no quoted names; Prometheus 3 refuses a second metric name",
}


def unescape(s):
    """The body column: \\n \\t \\r \\\\ \\xHH escapes, other bytes as they are."""
    out = bytearray()
    raw = s.encode("utf-8")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            n = chr(raw[i + 1])
            if n == "n":
                out.append(10)
            elif n == "t":
                out.append(9)
            elif n == "r":
                out.append(13)
            elif n == "\\":
                out.append(0x5C)
            elif n == "x":
                out.append(int(raw[i + 2:i + 4], 16))
                i += 2
            else:
                raise ValueError("bad escape in %r" % s)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def load_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[1] not in CONTENT_TYPES:
                raise ValueError("%s:%d: want name<TAB>format<TAB>body<TAB>error" % (path, lineno))
            cases.append({"name": parts[0], "format": parts[1], "body": unescape(parts[2]), "error": parts[3]})
    names = [c["name"] for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("duplicate case names in %s" % path)
    return cases


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(cases):
    """An HTTP server on a free port serving /c/<name> with the case's body."""
    by_path = {"/c/" + c["name"]: c for c in cases}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            c = by_path.get(self.path)
            if c is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPES[c["format"]])
            self.send_header("Content-Length", str(len(c["body"])))
            self.end_headers()
            try:
                self.wfile.write(c["body"])
            except (BrokenPipeError, ConnectionResetError):
                pass  # Prometheus stopping in the middle of a scrape

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def prometheus_errors(prometheus, cases, port, tmp, deadline_s=60):
    """lastError of every case's target, scraped by Prometheus."""
    jobs = []
    for c in cases:
        jobs.append("  - job_name: %s\n    metrics_path: /c/%s\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % (c["name"], c["name"], port))
    config = os.path.join(tmp, "prometheus.yml")
    with open(config, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n" + "".join(jobs))
    web = free_port()
    log = open(os.path.join(tmp, "prometheus.log"), "w")
    proc = subprocess.Popen([prometheus, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                             "--web.listen-address=127.0.0.1:%d" % web, "--log.level=warn"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + deadline_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError("prometheus exited with %d, see %s" % (proc.returncode, log.name))
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/targets" % web, timeout=5) as r:
                    targets = json.load(r)["data"]["activeTargets"]
                scraped = {t["scrapePool"]: t for t in targets if not t["lastScrape"].startswith("0001-")}
                if len(scraped) == len(cases):
                    return {name: t["lastError"] for name, t in scraped.items()}
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("not every target was scraped within %d s" % deadline_s)
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def strata_error(tool, case, tmp):
    path = os.path.join(tmp, "body-" + case["name"])
    with open(path, "wb") as f:
        f.write(case["body"])
    out = subprocess.run([tool, TOOL_FORMAT[case["format"]], path], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "surrogateescape").rstrip("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True, help="textparse_tool binary")
    ap.add_argument("--prometheus", default=os.environ.get("PROMETHEUS", "/usr/bin/prometheus"))
    ap.add_argument("--cases", default=os.path.join(HERE, "testdata", "cases.tsv"))
    ap.add_argument("--observe", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not shutil.which(args.prometheus):
        print("check_with_prometheus: %s not found" % args.prometheus, file=sys.stderr)
        return 77
    cases = load_cases(args.cases)
    unknown = set(EXPECTED_DIFFERENCES) - {c["name"] for c in cases}
    if unknown:
        print("EXPECTED_DIFFERENCES names unknown cases: %s" % sorted(unknown))
        return 1
    tmp = tempfile.mkdtemp(prefix="textparse-oracle-")
    server = serve(cases)
    try:
        prom = prometheus_errors(args.prometheus, cases, server.server_address[1], tmp)
        failures = 0
        for c in cases:
            name, want = c["name"], c["error"]
            got_prom = prom[name]
            got_strata = strata_error(args.tool, c, tmp)
            if args.observe:
                print("%s\tprometheus: %s\n%s\tstrata:     %s" % (name, got_prom, " " * len(name), got_strata))
                continue
            problems = []
            if got_strata != want:
                problems.append("strata says %r, the table %r" % (got_strata, want))
            if name in EXPECTED_DIFFERENCES:
                if got_prom == got_strata:
                    problems.append("listed as a difference, but Prometheus 2.42 agrees now")
            elif got_prom != got_strata:
                problems.append("Prometheus 2.42 says %r, strata %r" % (got_prom, got_strata))
            if problems:
                failures += 1
                print("FAIL %s (%s): %s" % (name, c["format"], "; ".join(problems)))
            elif args.verbose:
                print("ok   %s" % name)
        if args.observe:
            return 0
        print("%d cases, %d agree with Prometheus 2.42, %d expected differences, %d failures" %
              (len(cases), len(cases) - len(EXPECTED_DIFFERENCES) - failures, len(EXPECTED_DIFFERENCES), failures))
        return 1 if failures else 0
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
