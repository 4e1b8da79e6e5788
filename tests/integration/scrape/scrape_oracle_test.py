#!/usr/bin/python3
"""Strata and Prometheus 2.42 scrape the same real targets with the same
prometheus.yml; afterwards both must hold the same series, the same `up`,
the same /api/v1/targets labels, health and errors, the same values of the
app's deterministic metrics, the same staleness answers when a series
vanishes and when a reload removes a job.

Targets, all on 127.0.0.1: prometheus-node-exporter (a fixed set of
collectors, so its series set does not change between scrapes) and
scrape_app.py (python3-prometheus-client). Strata runs with
--query.compat=v2 so target labels follow 2.x as the oracle does.

usage: scrape_oracle_test.py <path to strata>
Every wait is bounded; every process is stopped by PID.
"""
import os
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from oracle_util import Procs, api, free_port, http, wait_for  # noqa: E402
FLAP_WAIT_S = 4  # scrapes each server makes after scrape_app.py drops app_flap


CONFIG = """
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
- job_name: node
  static_configs:
  - targets: ['127.0.0.1:{node}']
    labels: {{env: test}}
  relabel_configs:
  - source_labels: [__address__]
    regex: '127\\.0\\.0\\.1:(\\d+)'
    target_label: port
    replacement: 'p$1'
  metric_relabel_configs:
  - source_labels: [__name__]
    regex: 'node_memory_(Active|Inactive)_.*'
    action: drop
  - source_labels: [__name__]
    regex: 'node_(load1|load5)'
    target_label: kind
    replacement: short
- job_name: app
  static_configs:
  - targets: ['127.0.0.1:{app}']
- job_name: app_honor
  honor_labels: true
  static_configs:
  - targets: ['127.0.0.1:{app}']
- job_name: app_again
  metrics_path: /metrics
  static_configs:
  - targets: ['127.0.0.1:{app}']
- job_name: node_limited
  sample_limit: 10
  static_configs:
  - targets: ['127.0.0.1:{node}']
- job_name: down
  static_configs:
  - targets: ['127.0.0.1:{closed}']
- job_name: dropped
  static_configs:
  - targets: ['127.0.0.1:{closed}', '127.0.0.1:{closed2}']
  relabel_configs:
  - source_labels: [__address__]
    regex: '127\\.0\\.0\\.1:{closed}'
    action: drop
"""


def label_key(d):
    return tuple(sorted(d.items()))


def targets_by_key(data):
    return {(t["scrapePool"], t["scrapeUrl"]): t for t in data["activeTargets"]}


def compare_targets(prom, strata, failures):
    p, s = api(prom, "/api/v1/targets"), api(strata, "/api/v1/targets")
    pa, sa = targets_by_key(p), targets_by_key(s)
    if set(pa) != set(sa):
        failures.append("active targets differ: prometheus %s, strata %s" % (sorted(pa), sorted(sa)))
    for k in sorted(set(pa) & set(sa)):
        for field in ("labels", "discoveredLabels", "health", "lastError", "scrapeInterval",
                      "scrapeTimeout", "globalUrl"):
            if field == "globalUrl":
                continue  # names this machine, which the two see the same way only by luck
            if pa[k][field] != sa[k][field]:
                failures.append("target %s %s: prometheus %r, strata %r" % (k, field, pa[k][field], sa[k][field]))
    pd = sorted(label_key(t["discoveredLabels"]) for t in p["droppedTargets"])
    sd = sorted(label_key(t["discoveredLabels"]) for t in s["droppedTargets"])
    if pd != sd:
        failures.append("dropped targets differ: prometheus %s, strata %s" % (pd, sd))


def series_set(base, now):
    data = api(base, "/api/v1/series", {"match[]": '{job=~".+"}', "start": str(now - 120), "end": str(now)})
    return {label_key(s) for s in data if s["__name__"] != "app_flap"}


def instant(base, query, t):
    data = api(base, "/api/v1/query", {"query": query, "time": "%.3f" % t})
    return sorted((label_key(r["metric"]), r["value"][1]) for r in data["result"])


def main():
    strata_bin = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="strata-scrape-oracle-")
    procs = Procs(tmp)
    failures = []
    try:
        node, app, prom_port, strata_port, closed, closed2 = (free_port() for _ in range(6))
        procs.start("node_exporter", [
            "/usr/bin/prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % node,
            "--collector.disable-defaults", "--collector.loadavg", "--collector.meminfo",
            "--collector.time", "--collector.uname", "--collector.stat"])
        app_proc = procs.start("app", ["/usr/bin/python3", os.path.join(HERE, "scrape_app.py"), str(app), "signal"])
        cfg = os.path.join(tmp, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(CONFIG.format(node=node, app=app, closed=closed, closed2=closed2))
        prom = "http://127.0.0.1:%d" % prom_port
        strata = "http://127.0.0.1:%d" % strata_port
        procs.start("prometheus", [
            "/usr/bin/prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, "prom"),
            "--web.listen-address=127.0.0.1:%d" % prom_port, "--web.enable-lifecycle"])
        procs.start("strata", [
            strata_bin, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, "strata"),
            "--web.listen-address=127.0.0.1:%d" % strata_port, "--web.enable-lifecycle", "--query.compat=v2"])

        def all_scraped(base):
            ts = api(base, "/api/v1/targets")["activeTargets"]
            return len(ts) == 7 and all(t["health"] != "unknown" for t in ts)
        for name, base in (("prometheus", prom), ("strata", strata)):
            wait_for(lambda: all_scraped(base), 60, name + " to scrape every target")
        time.sleep(3)  # a few more scrapes each

        # 1. Targets, series, up and the app's values.
        compare_targets(prom, strata, failures)
        now = time.time()
        ps, ss = series_set(prom, now), series_set(strata, now)
        if ps != ss:
            failures.append("series differ:\n  only prometheus: %s\n  only strata: %s" %
                            (sorted(ps - ss)[:20], sorted(ss - ps)[:20]))
        t = now - 1
        for q in ['up', 'app_requests_total', 'app_queue_depth', 'app_latency_seconds_bucket',
                  'app_latency_seconds_sum', 'app_payload_bytes_count', 'app_build_info', 'app_owner',
                  'app_requests_created', 'scrape_samples_scraped{job!="node"}',
                  'scrape_samples_post_metric_relabeling{job!="node"}', 'count by (job) (node_load1)',
                  'node_load1 * 0']:
            pv, sv = instant(prom, q, t), instant(strata, q, t)
            if pv != sv:
                failures.append("%s: prometheus %s, strata %s" % (q, pv, sv))

        # 2. A series the app stops exposing goes stale in both.
        app_proc.send_signal(signal.SIGUSR1)
        time.sleep(FLAP_WAIT_S)
        t = time.time() - 0.5
        for q in ['app_flap', 'absent(app_flap)', 'absent_over_time(app_flap[1s])']:
            pv, sv = instant(prom, q, t), instant(strata, q, t)
            if pv != sv:
                failures.append("after app_flap vanished, %s: prometheus %s, strata %s" % (q, pv, sv))

        # 3. A reload removes a job (no stale markers in Prometheus: its
        # series fade with the lookback delta) and the only target of another
        # (end-of-run stale markers, once discovery has caught up: 2.42
        # sends discovery updates every 5 s).
        with open(cfg) as f:
            text = f.read()
        start = text.index("- job_name: app_honor")
        end = text.index("- job_name: app_again")
        text = text[:start] + text[end:]
        text = text.replace("  metrics_path: /metrics\n  static_configs:\n  - targets: ['127.0.0.1:%d']" % app,
                            "  metrics_path: /metrics\n  static_configs:\n  - targets: []")
        with open(cfg, "w") as f:
            f.write(text)
        for base in (prom, strata):
            http(base, "/-/reload", method="POST")
        time.sleep(9)
        t = time.time() - 0.5
        for q in ['up{job="app_honor"}', 'absent(up{job="app_honor"})', 'up{job="app_again"}',
                  'absent(up{job="app_again"})', 'app_queue_depth{job="app_again"}', 'count(up)']:
            pv, sv = instant(prom, q, t), instant(strata, q, t)
            if pv != sv:
                failures.append("after the reload, %s: prometheus %s, strata %s" % (q, pv, sv))
        compare_targets(prom, strata, failures)
    except Exception:
        procs.stop_all()
        for name in ("strata", "prometheus"):
            print("--- %s log ---\n%s" % (name, procs.log(name)))
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    procs.stop_all()
    if failures:
        print("FAIL: %d differences between Prometheus 2.42 and Strata" % len(failures))
        for f in failures:
            print("  " + f)
        print("--- strata log ---\n" + procs.log("strata"))
        shutil.rmtree(tmp, ignore_errors=True)
        return 1
    print("PASS: Strata scrapes like Prometheus 2.42 (targets, series, values, staleness, reload)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
