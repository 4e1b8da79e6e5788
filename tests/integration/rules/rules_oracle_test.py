#!/usr/bin/python3
"""Strata and Prometheus 2.42 scrape the same app with the same prometheus.yml
and rule file; afterwards /api/v1/rules and /api/v1/alerts must agree (every
field but times and durations: names, printed queries, labels, annotations
with their templates expanded, health, lastError texts, alert states and
values, group interval and limit), and so must the recorded series and
ALERTS / ALERTS_FOR_STATE. A rule file change is then reloaded into both
(Strata over /-/reload) and they must agree again.

The app is tests/integration/scrape/scrape_app.py (deterministic values;
app_flap disappears after a few seconds, so one alert resolves).

usage: rules_oracle_test.py <path to strata>
Every wait is bounded; every process is stopped by PID.
"""
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from oracle_util import Procs, api, free_port, http, wait_for  # noqa: E402
APP = os.path.join(HERE, "..", "scrape", "scrape_app.py")
FLAP_AFTER_S = 6

CONFIG = """
global:
  scrape_interval: 1s
  evaluation_interval: 1s
  external_labels: {{site: lab}}
rule_files: [rules.yml]
scrape_configs:
- job_name: app
  static_configs:
  - targets: ['127.0.0.1:{app}']
"""

RULES = """
groups:
- name: records
  rules:
  - record: job:app_requests:sum
    expr: sum by (job) (app_requests_total)
  - record: code:app_requests:sum
    expr: sum by (code) (app_requests_total)
    labels: {source: rules}
  - record: app:errors:ratio
    expr: sum(app_requests_total{code="500"}) / sum(app_requests_total)
  - record: clash
    expr: app_requests_total
    labels: {code: same, method: same}
  - record: scalar_rule
    expr: scalar(sum(app_requests_total))
- name: limited
  limit: 1
  rules:
  - record: too_many
    expr: app_requests_total
- name: alerts
  interval: 1s
  rules:
  - alert: QueueDeep
    expr: app_queue_depth > 5
    for: 2s
    labels: {severity: warning, depth: '{{ $value }}'}
    annotations:
      summary: 'queue of {{ $labels.job }} at {{ $value | humanize }}'
      description: '{{ $labels.instance }} on {{ $externalLabels.site }}: {{ printf "%.1f" $value }} items'
  - alert: Flapping
    expr: app_flap == 1
    labels: {severity: info}
    annotations: {summary: 'flap {{ $labels.k }}'}
  - alert: Never
    expr: app_queue_depth > 100
    for: 1m
  - alert: ErrorsSeen
    expr: app:errors:ratio > 0.01
    keep_firing_for: 1m
    annotations:
      summary: '{{ $value | humanizePercentage }} errors'
      total: '{{ with query "sum(app_requests_total)" }}{{ . | first | value }}{{ end }}'
  - alert: Dup
    expr: app_requests_total
    labels: {method: x, code: y}
"""

RULES_RELOADED = RULES.replace("app_queue_depth > 5", "app_queue_depth > 8").replace(
    "- name: limited\n  limit: 1", "- name: limited\n  limit: 5")


TIMES = ("lastEvaluation", "evaluationTime", "activeAt", "keepFiringSince")


def normalize(v):
    """Drops times (the two evaluate at different instants) and the file's directory."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k in TIMES:
                continue
            if k == "file":
                x = os.path.basename(x)
            out[k] = normalize(x)
        return out
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def instant(base, query):
    data = api(base, "/api/v1/query", {"query": query})
    return sorted((tuple(sorted(r["metric"].items())), r["value"][1]) for r in data["result"])


def diff(a, b, path=""):
    """The first few differences between two JSON values."""
    if type(a) != type(b):
        return ["%s: prometheus %r, strata %r" % (path, a, b)]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append("%s.%s: prometheus %r, strata %r" % (path, k, a.get(k), b.get(k)))
            else:
                out += diff(a[k], b[k], path + "." + k)
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return ["%s: prometheus %d items %r, strata %d items %r" % (path, len(a), a, len(b), b)]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, "%s[%d]" % (path, i))
        return out
    return [] if a == b else ["%s: prometheus %r, strata %r" % (path, a, b)]


def compare(prom, strata, failures, stage):
    for path in ("/api/v1/rules", "/api/v1/alerts"):
        p, s = normalize(api(prom, path)), normalize(api(strata, path))
        failures += ["%s %s%s" % (stage, path, d) for d in diff(p, s)[:20]]
    for q in ("job:app_requests:sum", "code:app_requests:sum", "app:errors:ratio", "scalar_rule",
              "ALERTS", "count by (alertname, alertstate) (ALERTS_FOR_STATE)", "too_many"):
        p, s = instant(prom, q), instant(strata, q)
        if p != s:
            failures.append("%s query %s: prometheus %s, strata %s" % (stage, q, p, s))


def states(base):
    return {(a["labels"]["alertname"], a["state"]) for a in api(base, "/api/v1/alerts")["alerts"]}


def main():
    strata_bin = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="strata-rules-oracle-")
    procs = Procs(tmp)
    failures = []
    try:
        app, prom_port, strata_port = free_port(), free_port(), free_port()
        procs.start("app", ["/usr/bin/python3", APP, str(app), str(FLAP_AFTER_S)])
        app_started = time.time()
        dirs = {}
        for name in ("prom", "strata"):
            d = os.path.join(tmp, name + "-conf")
            os.makedirs(d)
            with open(os.path.join(d, "prometheus.yml"), "w") as f:
                f.write(CONFIG.format(app=app))
            with open(os.path.join(d, "rules.yml"), "w") as f:
                f.write(RULES)
            dirs[name] = d
        prom = "http://127.0.0.1:%d" % prom_port
        strata = "http://127.0.0.1:%d" % strata_port
        procs.start("prometheus", [
            "/usr/bin/prometheus", "--config.file=" + os.path.join(dirs["prom"], "prometheus.yml"),
            "--storage.tsdb.path=" + os.path.join(tmp, "prom"), "--web.enable-lifecycle",
            "--web.listen-address=127.0.0.1:%d" % prom_port, "--rules.alert.for-grace-period=1s"])
        procs.start("strata", [
            strata_bin, "--config.file=" + os.path.join(dirs["strata"], "prometheus.yml"),
            "--storage.tsdb.path=" + os.path.join(tmp, "strata"), "--web.enable-lifecycle",
            "--web.listen-address=127.0.0.1:%d" % strata_port, "--query.compat=v2",
            "--rules.alert.for-grace-period=1s"])
        for base in (prom, strata):
            wait_for(lambda: http(base, "/-/ready") is not None, 30, base + " ready")

        # QueueDeep fires after its 2s; Flapping fires, then resolves once
        # app_flap is gone; ErrorsSeen keeps firing.
        want = {("QueueDeep", "firing"), ("ErrorsSeen", "firing")}
        for base in (prom, strata):
            wait_for(lambda: want <= states(base), 30, base + " alerts firing")
        wait_for(lambda: time.time() - app_started > FLAP_AFTER_S + 8, 30, "app_flap gone")
        for base in (prom, strata):
            wait_for(lambda: not any(a == "Flapping" for a, _ in states(base)), 30, base + " Flapping resolved")
        compare(prom, strata, failures, "first")

        for name in ("prom", "strata"):
            with open(os.path.join(dirs[name], "rules.yml"), "w") as f:
                f.write(RULES_RELOADED)
            http(prom if name == "prom" else strata, "/-/reload", method="POST")
        # The changed group restarts; with the new threshold QueueDeep clears.
        for base in (prom, strata):
            wait_for(lambda: not any(a == "QueueDeep" for a, _ in states(base)), 30, base + " QueueDeep cleared")
        time.sleep(3)  # a few evaluations of the reloaded groups
        compare(prom, strata, failures, "reloaded")
    except Exception as e:  # a hang or a crash: show the logs
        failures.append("error: %r" % e)
        for name in ("prometheus", "strata"):
            print("--- %s log\n%s" % (name, procs.log(name)))
    finally:
        procs.stop_all()
    for f in failures:
        print("FAIL", f)
    print("%d differences" % len(failures))
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
