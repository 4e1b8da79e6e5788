#!/usr/bin/python3
"""`stratatool lint dashboard --url` against a real build/strata on
127.0.0.1 that scrapes a small exposition (a counter and two gauges): a
metric without series and rate()/increase() of gauges are reported, the
scrape interval comes from the server's /api/v1/status/config unless
--scrape-interval is given, and the clean queries stay clean.

usage: lint_dashboard_url_test.py <stratatool> <strata>
"""
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

EXPOSITION = b"""# HELP app_requests_total Requests.
# TYPE app_requests_total counter
app_requests_total{path="/"} 5
# HELP app_temperature_celsius Temperature.
# TYPE app_temperature_celsius gauge
app_temperature_celsius 21.5
# HELP app_queue_depth Queue depth.
# TYPE app_queue_depth gauge
app_queue_depth 3
"""

DASHBOARD = {
    "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
    "templating": {"list": [
        {"name": "path", "type": "query", "datasource": "${DS_PROMETHEUS}", "query": "label_values(app_requests_total, path)"},
        {"name": "gone", "type": "query", "datasource": "${DS_PROMETHEUS}", "query": "label_values(app_gone_metric, job)"},
    ]},
    "panels": [{"id": 7, "title": "App", "type": "timeseries", "datasource": "${DS_PROMETHEUS}", "targets": [
        {"refId": "A", "expr": "sum(rate(app_requests_total{path=~\"$path\"}[5m]))"},
        {"refId": "B", "expr": "rate(app_temperature_celsius[5m])"},
        {"refId": "C", "expr": "sum(increase(app_queue_depth[10m]))"},
        {"refId": "D", "expr": "sum(rate(app_missing_total[5m])) / sum(rate(app_requests_total[5m]))"},
        {"refId": "E", "expr": "rate(app_requests_total[1m])"},
        {"refId": "F", "expr": "deriv(app_temperature_celsius[5m]) + app_queue_depth"},
        {"refId": "G", "expr": "rate(app_requests_total[$__rate_interval])"},
    ]}],
}

WANT = {
    ('variable "gone"', "missing-metric"),
    ("B", "rate-on-gauge"),
    ("C", "rate-on-gauge"),
    ("D", "missing-metric"),
    ("E", "short-rate-range"),  # 1m < 4 x the server's 30s
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Exposition(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(EXPOSITION)))
        self.end_headers()
        self.wfile.write(EXPOSITION)

    def log_message(self, *args):
        pass


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())["data"]


def lint(stratatool, *args):
    r = subprocess.run([stratatool, "lint", "dashboard", "--format=json"] + list(args),
                       capture_output=True, text=True, timeout=60)
    doc = json.loads(r.stdout) if r.stdout.startswith("{") else {"findings": []}
    got = set()
    for f in doc["findings"]:
        got.add((f["refId"] if f["place"] == "target" else '%s "%s"' % (f["place"], f["name"]), f["check"]))
    return r.returncode, got, doc, r.stderr


def main():
    stratatool, strata = sys.argv[1], sys.argv[2]
    failures = []
    target = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Exposition)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    with tempfile.TemporaryDirectory(prefix="strata-lint-url-") as d:
        cfg = os.path.join(d, "strata.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 30s\nscrape_configs:\n- job_name: app\n  scrape_interval: 1s\n"
                    "  static_configs:\n  - targets: ['127.0.0.1:%d']\n" % target.server_address[1])
        dash = os.path.join(d, "app.json")
        with open(dash, "w") as f:
            json.dump(DASHBOARD, f)
        log = open(os.path.join(d, "strata.log"), "w")
        p = subprocess.Popen([strata, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(d, "data"),
                              "--web.listen-address=127.0.0.1:%d" % port], stdout=log, stderr=log)
        try:
            deadline = time.time() + 60
            ready = False
            while time.time() < deadline and not ready:
                try:
                    names = get(base + "/api/v1/label/__name__/values")
                    meta = get(base + "/api/v1/metadata")
                    ready = "app_queue_depth" in names and meta.get("app_queue_depth", [{}])[0].get("type") == "gauge"
                except Exception:
                    pass
                time.sleep(0.3)
            if not ready:
                failures.append("strata did not scrape the exposition within 60 s")
            else:
                rc, got, doc, err = lint(stratatool, "--url", base, dash)
                if got != WANT or rc != 0:
                    failures.append("--url: exit %d, findings %s, want %s (%s)\n%s" % (rc, sorted(got), sorted(WANT), err, json.dumps(doc, indent=1)))
                for f in doc["findings"]:
                    if f["severity"] != "warning":
                        failures.append("not a warning: %s" % f)
                rc, got, _, _ = lint(stratatool, "--url=" + base, "--strict", dash)
                if rc != 1:
                    failures.append("--strict with warnings: exit %d, want 1" % rc)
                rc, got, _, _ = lint(stratatool, "--url=" + base + "/", "--scrape-interval=15s", dash)
                if got != WANT - {("E", "short-rate-range")}:
                    failures.append("--scrape-interval=15s did not win over the server's 30s: %s" % sorted(got))
                rc, got, _, _ = lint(stratatool, dash)
                if got or rc != 0:
                    failures.append("without --url: %s (exit %d), want no findings" % (sorted(got), rc))
        finally:
            p.terminate()
            p.wait(timeout=15)
            target.shutdown()
    for f in failures:
        print("FAIL", f)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
