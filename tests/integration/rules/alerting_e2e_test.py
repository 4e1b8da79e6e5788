#!/usr/bin/python3
"""Alerts from Strata reach a human, end to end, on 127.0.0.1:

  app (this script: /metrics with a level it controls, /hook for webhooks)
    <- scraped by Strata, whose alerting rule fires when level > 5
    -> the real Alertmanager (Debian's prometheus-alertmanager), through
       alerting.alertmanagers
    -> a webhook receiver (this script), through Strata's own direct
       notifications (--notifications.config.file)

The alert must appear in Alertmanager's /api/v2/alerts with the rule's
labels, the external labels, the expanded annotations and a generatorURL,
and the webhook must receive it firing; once the level drops, Alertmanager
must no longer list it as active and the webhook must receive it resolved.
/api/v1/alertmanagers must list the Alertmanager.

usage: alerting_e2e_test.py <path to strata>
Every wait is bounded; every process is stopped by PID.
"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from oracle_util import free_port, wait_for  # noqa: E402

LEVEL = {"value": 10}
HOOKS = []
HOOKS_LOCK = threading.Lock()


class App(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("# TYPE level gauge\nlevel{queue=\"jobs\"} %d\n" % LEVEL["value"]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(n))
        with HOOKS_LOCK:
            HOOKS.append(payload)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def main():
    strata_bin = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="strata-alerting-e2e-")
    procs = []
    failures = []
    app_port, am_port, strata_port = free_port(), free_port(), free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", app_port), App)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def start(name, cmd):
        log = open(os.path.join(tmp, name + ".log"), "wb")
        procs.append((name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)))

    try:
        with open(os.path.join(tmp, "am.yml"), "w") as f:
            f.write("route:\n  receiver: 'null'\nreceivers:\n- name: 'null'\n")
        start("alertmanager", [
            "/usr/bin/prometheus-alertmanager", "--config.file=" + os.path.join(tmp, "am.yml"),
            "--storage.path=" + os.path.join(tmp, "am-data"), "--cluster.listen-address=",
            "--web.listen-address=127.0.0.1:%d" % am_port])
        with open(os.path.join(tmp, "rules.yml"), "w") as f:
            f.write("""groups:
- name: queues
  interval: 1s
  rules:
  - alert: QueueBacklog
    expr: level > 5
    labels: {severity: page}
    annotations:
      summary: 'queue {{ $labels.queue }} at {{ $value }}'
      site: '{{ $externalLabels.site }}'
""")
        with open(os.path.join(tmp, "strata.yml"), "w") as f:
            f.write("""global:
  scrape_interval: 1s
  evaluation_interval: 1s
  external_labels: {site: lab}
rule_files: [rules.yml]
alerting:
  alertmanagers:
  - static_configs:
    - targets: ['127.0.0.1:%d']
scrape_configs:
- job_name: app
  static_configs:
  - targets: ['127.0.0.1:%d']
""" % (am_port, app_port))
        with open(os.path.join(tmp, "notify.yml"), "w") as f:
            f.write("""route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
receivers:
- name: hook
  webhook_configs:
  - url: http://127.0.0.1:%d/hook
""" % app_port)
        start("strata", [
            strata_bin, "--config.file=" + os.path.join(tmp, "strata.yml"),
            "--storage.tsdb.path=" + os.path.join(tmp, "data"),
            "--notifications.config.file=" + os.path.join(tmp, "notify.yml"),
            "--web.listen-address=127.0.0.1:%d" % strata_port,
            "--web.external-url=http://strata.example:9090/"])
        strata = "http://127.0.0.1:%d" % strata_port
        am = "http://127.0.0.1:%d" % am_port

        ams = wait_for(lambda: get_json(strata + "/api/v1/alertmanagers")["data"]["activeAlertmanagers"],
                       30, "strata's alertmanagers")
        if ams != [{"url": "http://127.0.0.1:%d/api/v2/alerts" % am_port}]:
            failures.append("activeAlertmanagers: %r" % ams)

        alerts = wait_for(lambda: get_json(am + "/api/v2/alerts?active=true"), 40, "the alert in Alertmanager")
        a = alerts[0]
        want_labels = {"alertname": "QueueBacklog", "severity": "page", "queue": "jobs", "job": "app",
                       "instance": "127.0.0.1:%d" % app_port, "site": "lab"}
        if a["labels"] != want_labels:
            failures.append("alertmanager labels: %r" % a["labels"])
        if a["annotations"] != {"summary": "queue jobs at 10", "site": "lab"}:
            failures.append("alertmanager annotations: %r" % a["annotations"])
        if a["generatorURL"] != "http://strata.example:9090/graph?g0.expr=level+%3E+5&g0.tab=1":
            failures.append("generatorURL: %r" % a["generatorURL"])

        def hook(status):
            with HOOKS_LOCK:
                return [h for h in HOOKS if h["status"] == status]
        firing = wait_for(lambda: hook("firing"), 30, "the firing webhook")[0]
        if firing["alerts"][0]["labels"] != want_labels or firing["receiver"] != "hook":
            failures.append("firing webhook: %r" % firing)

        LEVEL["value"] = 0
        wait_for(lambda: get_json(am + "/api/v2/alerts?active=true") == [], 40, "the alert resolved in Alertmanager")
        resolved = wait_for(lambda: hook("resolved"), 30, "the resolved webhook")[0]
        if resolved["alerts"][0]["status"] != "resolved":
            failures.append("resolved webhook: %r" % resolved)
    except Exception as e:
        failures.append("error: %r" % e)
        for name, _ in procs:
            with open(os.path.join(tmp, name + ".log"), "rb") as f:
                print("--- %s log\n%s" % (name, f.read().decode(errors="replace")[-3000:]))
    finally:
        for _, p in reversed(procs):
            p.terminate()
        for _, p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        server.shutdown()
    for f in failures:
        print("FAIL", f)
    print("%d failures" % len(failures))
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
