#!/usr/bin/python3
"""The dashboards API of a real build/strata with --web.dashboards.dir:

  GET  /api/v1/strata/dashboards         list, with unreadable files as warnings
  GET  /api/v1/strata/dashboards/<uid>   one dashboard's JSON
  POST /api/v1/strata/lint/dashboard     the linter's findings

Bad files (invalid JSON, not an object, over the size cap, a duplicate uid)
are reported, not fatal; SIGHUP and POST /-/reload re-read the directory; a
missing directory stops the start with a clear error.

usage: dashboards_api_test.py <strata binary> <repo root>
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

STRATA, REPO = sys.argv[1], sys.argv[2]
FAILURES = []


def check(name, cond, detail=""):
    print(("ok " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)))
    if not cond:
        FAILURES.append(name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def request(base, path, body=None, method=None):
    req = urllib.request.Request(base + path, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def dashboard(uid, title, expr="up", tags=()):
    d = {"title": title, "schemaVersion": 39, "tags": list(tags),
         "panels": [{"id": 1, "type": "timeseries", "title": "p", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                     "targets": [{"refId": "A", "expr": expr}]}]}
    if uid:
        d["uid"] = uid
    return d


def write(d, name, content):
    with open(os.path.join(d, name), "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))


def start(work, flags):
    port = free_port()
    log = open(os.path.join(work, "strata.log"), "a")
    p = subprocess.Popen([STRATA, "--storage.tsdb.path=" + os.path.join(work, "data"),
                          "--web.listen-address=127.0.0.1:%d" % port] + flags,
                         stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d" % port
    for _ in range(300):
        if p.poll() is not None:
            return p, base
        try:
            with urllib.request.urlopen(base + "/-/ready", timeout=2) as r:
                if r.status == 200:
                    return p, base
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    return p, base


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def main():
    work = tempfile.mkdtemp(prefix="strata-dashboards-api-")
    dash = os.path.join(work, "dashboards")
    os.mkdir(dash)
    write(dash, "a-good.json", dashboard("good", "Good one", tags=["x", "y"]))
    write(dash, "no-uid.json", dashboard(None, "Without uid"))
    write(dash, "wrapped.json", {"dashboard": dashboard("wrapped", "Wrapped"), "meta": {}})
    write(dash, "broken.json", '{"title": "broken",')
    write(dash, "array.json", "[1, 2]")
    write(dash, "z-dup.json", dashboard("good", "Duplicate uid"))
    write(dash, "notes.txt", "not a dashboard")
    # Over the 4 MiB cap: never read.
    big = dashboard("big", "Big")
    big["description"] = "x" * (5 << 20)
    write(dash, "big.json", big)
    procs = []
    try:
        p, base = start(work, ["--web.dashboards.dir=" + dash, "--web.enable-lifecycle"])
        procs.append(p)
        check("starts with the flag", p.poll() is None, open(os.path.join(work, "strata.log")).read()[-2000:])

        code, body = request(base, "/api/v1/strata/dashboards")
        check("list answers 200", code == 200, (code, body))
        data = body.get("data", []) if isinstance(body, dict) else []
        uids = [d["uid"] for d in data]
        check("list holds the readable dashboards, sorted by title", uids == ["good", "no-uid", "wrapped"], uids)
        good = next((d for d in data if d["uid"] == "good"), {})
        check("list entry fields", good == {"uid": "good", "title": "Good one", "file": "a-good.json", "tags": ["x", "y"]}, good)
        warnings = " ".join(body.get("warnings", [])) if isinstance(body, dict) else ""
        for f, what in [("broken.json", "invalid JSON"), ("array.json", "not a JSON object"),
                        ("big.json", "more than the limit"), ("z-dup.json", "already used")]:
            check("bad file reported: " + f, f in warnings and what in warnings, warnings)
        check("other files ignored", "notes.txt" not in warnings, warnings)

        code, body = request(base, "/api/v1/strata/dashboards/good")
        check("get one", code == 200 and body["data"]["title"] == "Good one" and body["data"]["panels"][0]["targets"][0]["expr"] == "up", (code, body))
        code, body = request(base, "/api/v1/strata/dashboards/wrapped")
        check("get unwraps {dashboard: ...}", code == 200 and body["data"]["uid"] == "wrapped", (code, body))
        code, body = request(base, "/api/v1/strata/dashboards/nope")
        check("unknown uid: 404 not_found", code == 404 and body.get("status") == "error" and body.get("errorType") == "not_found", (code, body))
        code, body = request(base, "/api/v1/strata/dashboards/good", body=b"{}", method="POST")
        check("get is GET only", code == 405, code)

        # The linter.
        code, body = request(base, "/api/v1/strata/lint/dashboard", json.dumps(dashboard("l", "L", "sum(rate(up[5m])) by (job)")).encode())
        check("lint: clean dashboard", code == 200 and body["data"]["findings"] == [] and body["data"]["errors"] == 0, (code, body))
        code, body = request(base, "/api/v1/strata/lint/dashboard", json.dumps(dashboard("l", "L", "sum(rate(up[5m]) by (job)")).encode())
        findings = body["data"]["findings"] if code == 200 else []
        check("lint: broken query found", len(findings) == 1 and findings[0]["check"] == "promql-syntax" and "parse error" in findings[0]["message"], (code, body))
        code, body = request(base, "/api/v1/strata/lint/dashboard", b'{"panels": [')
        check("lint: invalid JSON is bad_data", code == 400 and body.get("errorType") == "bad_data", (code, body))
        code, body = request(base, "/api/v1/strata/lint/dashboard", b"")
        check("lint: empty body is bad_data", code == 400 and body.get("errorType") == "bad_data", (code, body))
        code, body = request(base, "/api/v1/strata/lint/dashboard", json.dumps(big).encode())
        check("lint: body over the cap is bad_data", code == 400 and "too large" in body.get("error", ""), (code, str(body)[:300]))
        code, body = request(base, "/api/v1/strata/lint/dashboard")
        check("lint is POST only", code == 405, code)

        # Reloads: SIGHUP, then POST /-/reload.
        os.remove(os.path.join(dash, "a-good.json"))
        write(dash, "new.json", dashboard("new", "New one"))
        p.send_signal(signal.SIGHUP)
        uids = []
        for _ in range(100):
            uids = [d["uid"] for d in request(base, "/api/v1/strata/dashboards")[1]["data"]]
            if "new" in uids:
                break
            time.sleep(0.1)
        # The duplicate of "good" is the only "good" left after the reload.
        check("SIGHUP re-reads the directory", sorted(uids) == ["good", "new", "no-uid", "wrapped"], uids)
        os.remove(os.path.join(dash, "new.json"))
        code, _ = request(base, "/-/reload", b"", method="POST")
        uids = [d["uid"] for d in request(base, "/api/v1/strata/dashboards")[1]["data"]]
        check("POST /-/reload re-reads the directory", code == 200 and "new" not in uids, (code, uids))
        stop(p)

        # No flag: an empty list.
        p, base = start(work, [])
        procs.append(p)
        code, body = request(base, "/api/v1/strata/dashboards")
        check("without the flag the list is empty", code == 200 and body["data"] == [], (code, body))
        stop(p)

        # A missing directory: the start fails and says why.
        p, _ = start(work, ["--web.dashboards.dir=" + os.path.join(work, "missing")])
        procs.append(p)
        rc = p.wait(timeout=30)
        log = open(os.path.join(work, "strata.log")).read()
        check("missing directory: exit 1 with the reason", rc == 1 and "--web.dashboards.dir" in log and "missing" in log, (rc, log[-500:]))
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(work, ignore_errors=True)
    print("%d check(s) failed" % len(FAILURES) if FAILURES else "all checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
