#!/usr/bin/python3
"""Shared pieces of the oracle tests that run Strata next to the real
Prometheus (scrape/, rules/): free ports on 127.0.0.1, the HTTP API, bounded
waits, and processes started with their logs in a temporary directory and
stopped by PID."""
import json
import os
import socket
import subprocess
import time
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base, path, params=None, method="GET"):
    url = base + path
    data = None
    if params and method == "GET":
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    elif params:
        data = urllib.parse.urlencode(params, doseq=True).encode()
    req = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body.startswith(b"{") else body


def api(base, path, params=None):
    r = http(base, path, params)
    assert r["status"] == "success", r
    return r["data"]


def wait_for(pred, seconds, what):
    """pred()'s first truthy value within `seconds` (exceptions count as not yet)."""
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class Procs:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []

    def start(self, name, cmd):
        log = open(os.path.join(self.tmp, name + ".log"), "wb")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append((name, p))
        return p

    def stop_all(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def log(self, name):
        with open(os.path.join(self.tmp, name + ".log"), "rb") as f:
            return f.read().decode(errors="replace")[-3000:]
