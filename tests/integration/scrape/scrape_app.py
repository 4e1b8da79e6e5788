#!/usr/bin/python3
"""A small instrumented app for the scrape oracle test (python3-prometheus-client).

Serves /metrics on 127.0.0.1:<port> with deterministic values: a counter,
a gauge, a histogram, a summary, an info metric, a metric exposing its own
`job` label (for honor_labels), and `app_flap`, which disappears
<flap_after> seconds after start, or on SIGUSR1 when <flap_after> is
"signal" (for staleness; a signal lets a test pick the moment, so the
disappearance cannot fall inside a window where two servers are compared).

usage: scrape_app.py <port> <flap_after_seconds|signal>
"""
import signal
import sys
import threading
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, Summary
from prometheus_client import start_http_server


def main():
    port = int(sys.argv[1])
    on_signal = sys.argv[2] == "signal"
    flap_after = 0.0 if on_signal else float(sys.argv[2])
    reg = CollectorRegistry()
    requests = Counter("app_requests", "Requests served.", ["method", "code"], registry=reg)
    requests.labels("GET", "200").inc(42)
    requests.labels("POST", "500").inc(3)
    Gauge("app_queue_depth", "Items queued.", registry=reg).set(7.5)
    h = Histogram("app_latency_seconds", "Latency.", buckets=(0.1, 0.5, 1.0), registry=reg)
    for v in (0.05, 0.2, 0.7, 2.0):
        h.observe(v)
    s = Summary("app_payload_bytes", "Payload sizes.", registry=reg)
    s.observe(100)
    s.observe(300)
    Info("app_build", "Build information.", registry=reg).info({"version": "1.2.3", "revision": "abc"})
    Gauge("app_owner", "A metric with its own job label.", ["job"], registry=reg).labels("exported").set(1)
    flap = Gauge("app_flap", "Disappears after a while.", ["k"], registry=reg)
    flap.labels("v").set(1)
    if on_signal:
        remove = threading.Event()
        signal.signal(signal.SIGUSR1, lambda *_: remove.set())
    start_http_server(port, addr="127.0.0.1", registry=reg)
    start = time.time()
    removed = False
    while True:
        time.sleep(0.1)
        due = remove.is_set() if on_signal else time.time() - start >= flap_after
        if not removed and due:
            flap.remove("v")
            removed = True


if __name__ == "__main__":
    main()
