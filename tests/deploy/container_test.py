#!/usr/bin/python3
"""Strata's container image (deploy/Dockerfile), built and run with podman.

  1. deploy/container/setup.sh: podman with runc, and the debian:bookworm and
     debian:bookworm-slim base images built locally with debootstrap (no
     registry is needed; skipped when they exist, they stay as a cache).
  2. podman build --pull=never --format docker -f deploy/Dockerfile: the
     build time, the image's size and its compressed size (< 60 MB) are
     printed; its configuration is checked (user nobody, /strata volume, port
     9090, SIGTERM, a healthcheck with stratatool, Prometheus' flags, no curl).
  3. A container with -p 127.0.0.1:<free port>:9090 and a named volume on
     /strata: `podman healthcheck run` turns healthy; it accepts a remote-write
     request (protobuf and snappy built here by hand) and /api/v1/query
     returns the sample; the data survives `podman stop` + `start` and
     `podman kill` (SIGKILL) + `start`; SIGTERM stops it in < 5 s with exit
     status 0 and its clean-shutdown log line.
  4. A container with --network=host, a host directory on /strata and its own
     configuration scrapes a target served by this script on 127.0.0.1.

All traffic is to 127.0.0.1 and the test's containers; every wait is bounded.
The containers, volume and images the test creates are removed at the end
(the base images and buildah's ccache/apt cache mounts are kept).

usage: container_test.py [<repository root>] [--keep-image]
Exit status: 0 passed, 1 failed, 77 skipped (not root: podman needs root here).
"""
import http.server
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklog import check, failures, finish, free_port, log  # noqa: E402

# The host's CA bundle for npm ci inside the build, as deploy/container/build.sh passes it.
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
CA_SECRET = ["--secret", "id=ca,src=" + CA_BUNDLE] if os.path.exists(CA_BUNDLE) else []
BUILD_TIMEOUT = 3600  # a cold build (no ccache) takes ~11 min on 2 cores


def host_ccache_volume():
    """--volume <the host's ccache directory>:/host-ccache, as build.sh passes it:
    the image build reuses the objects of the build that ran these tests."""
    try:
        d = subprocess.run(["ccache", "-k", "cache_dir"], text=True, capture_output=True).stdout.strip()
    except OSError:
        return []
    if not d:
        return []
    os.makedirs(d, exist_ok=True)
    return ["--volume", d + ":/host-ccache"]

MAX_COMPRESSED = 60 * 1000 * 1000
NOBODY = 65534

class Fatal(Exception):
    pass


def run(cmd, timeout=120, check_rc=True, **kw):
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise Fatal("timed out after %ds: %s" % (timeout, " ".join(cmd)))
    out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    if check_rc and r.returncode != 0:
        raise Fatal("%s: exit %d\n%s%s" % (" ".join(cmd), r.returncode, out[-3000:], err[-3000:]))
    return r.returncode, out, err


def podman(*args, timeout=120, check_rc=True):
    return run(["podman"] + list(args), timeout=timeout, check_rc=check_rc)


# --- remote write 1.0 by hand: protobuf WriteRequest, snappy block format ---

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def write_request(labels, value, ts_ms):
    """prometheus.WriteRequest with one TimeSeries of one Sample."""
    ts = b"".join(field_bytes(1, field_bytes(1, k.encode()) + field_bytes(2, v.encode()))
                  for k, v in sorted(labels.items()))
    sample = varint(1 << 3 | 1) + struct.pack("<d", value) + varint(2 << 3 | 0) + varint(ts_ms)
    ts += field_bytes(2, sample)
    return field_bytes(1, ts)


def snappy_literal(data):
    """Snappy's block format with literals only: valid, just not compressed."""
    out = bytearray(varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + struct.pack("<H", n)
        out += chunk
    return bytes(out)


def fetch(url, data=None, headers=None, timeout=5):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (OSError, urllib.error.URLError) as e:
        return None, str(e)


def remote_write(base, labels, value, ts_ms):
    body = snappy_literal(write_request(labels, value, ts_ms))
    return fetch(base + "/api/v1/write", body, {
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0", "User-Agent": "strata-container-test"})


def query(base, expr, at_s=None):
    """The instant vector's [(labels, value)], or None on an error."""
    params = {"query": expr}
    if at_s is not None:
        params["time"] = "%.3f" % at_s
    code, body = fetch(base + "/api/v1/query?" + urllib.parse.urlencode(params))
    if code != 200:
        return None
    res = json.loads(body)["data"]["result"]
    return [(r["metric"], r["value"][1]) for r in res]


def eventually(fn, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


# --- the steps ---

def git_revision(root):
    """(revision, branch) of the checkout, as deploy/container/build.sh passes them."""
    git = lambda *a: subprocess.run(["git", "-C", root, *a], text=True, capture_output=True).stdout.strip()
    return git("rev-parse", "HEAD"), git("rev-parse", "--abbrev-ref", "HEAD")


def build_image(root, tag):
    ids = lambda: {i.replace("sha256:", "") for i in podman("images", "-a", "-q", "--no-trunc")[1].split()}
    before = ids()
    t0 = time.monotonic()
    # --force-rm: a failed build removes its own working containers (other
    # builds on the machine, e.g. another checkout's tests, keep theirs).
    rc, out, err = run(["podman", "build", "--pull=never", "--format", "docker", "--force-rm",
                        "-f", os.path.join(root, "deploy/Dockerfile"), "-t", tag,
                        "--build-arg", "STRATA_REVISION=" + git_revision(root)[0],
                        "--build-arg", "STRATA_BRANCH=" + git_revision(root)[1]]
                       + CA_SECRET + host_ccache_volume() + [root],
                       timeout=BUILD_TIMEOUT, check_rc=False)
    took = time.monotonic() - t0
    after = ids()
    if rc != 0:
        raise Fatal("podman build failed (exit %d) after %.0fs\n%s%s" % (rc, took, out[-4000:], err[-4000:]))
    ccache = [l.strip() for l in out.splitlines() if l.strip().startswith(("Hits:", "Misses:"))]
    log("build: %.0f s (%s)" % (took, "; ".join(ccache) or "ccache stats not printed"))
    return after - before


def check_image(tag, root):
    cfg = json.loads(podman("image", "inspect", tag)[1])[0]
    c = cfg["Config"]
    size = cfg["Size"]
    _, out, _ = run(["sh", "-c", "podman save %s | gzip | wc -c" % tag], timeout=300)
    gz = int(out.strip())
    log("image size: %.1f MB (podman image inspect), %.1f MB compressed (podman save | gzip)"
        % (size / 1e6, gz / 1e6))
    check(gz < MAX_COMPRESSED, "compressed image %.1f MB < 60 MB" % (gz / 1e6))
    check(c.get("User") == "nobody", "runs as nobody (User=%r)" % c.get("User"))
    check("9090/tcp" in (c.get("ExposedPorts") or {}), "EXPOSE 9090")
    check("/strata" in (c.get("Volumes") or {}), "VOLUME /strata")
    check(c.get("StopSignal") in ("SIGTERM", "15"), "STOPSIGNAL SIGTERM (%r)" % c.get("StopSignal"))
    hc = (cfg.get("Healthcheck") or cfg.get("HealthCheck") or c.get("Healthcheck") or {}).get("Test") or []
    check(any("stratatool" in t for t in hc) and "healthcheck" in hc, "HEALTHCHECK runs stratatool healthcheck (%r)" % hc)
    check(c.get("Entrypoint") == ["/usr/bin/strata"], "ENTRYPOINT strata (%r)" % c.get("Entrypoint"))
    check(c.get("Cmd") == ["--config.file=/etc/strata/strata.yml", "--storage.tsdb.path=/strata",
                           "--web.listen-address=0.0.0.0:9090"], "CMD Prometheus' flags (%r)" % c.get("Cmd"))
    rc, out, _ = podman("run", "--rm", "--network=none", "--entrypoint", "/bin/sh", tag, "-c",
                        "command -v curl wget; id -u; /usr/bin/stratatool check config /etc/strata/strata.yml",
                        check_rc=False)
    lines = out.split()
    check(lines[:1] == [str(NOBODY)], "no curl or wget in the image, uid %d (%r)" % (NOBODY, out.strip()))
    check(rc == 0 and "SUCCESS" in out, "stratatool check config accepts the shipped /etc/strata/strata.yml")
    rc, out, _ = podman("run", "--rm", "--network=none", tag, "--version", check_rc=False)
    rev, branch = git_revision(root)
    check(rc == 0 and ("(branch: %s, revision: %s)" % (branch, rev)) in out,
          "strata --version names the git branch %s and revision %s (%r)" % (branch, rev, out.splitlines()[:1]))


def wait_healthy(name, timeout=60):
    def healthy():
        rc, out, _ = podman("healthcheck", "run", name, check_rc=False, timeout=30)
        return rc == 0
    t0 = time.monotonic()
    ok = eventually(healthy, timeout, 0.5)
    if ok:
        state = json.loads(podman("inspect", name)[1])[0]["State"]
        status = (state.get("Health") or state.get("Healthcheck") or {}).get("Status")
        ok = status == "healthy"
    return check(ok, "%s healthy after %.1f s (podman healthcheck run)" % (name, time.monotonic() - t0))


def logs(name):
    _, out, err = podman("logs", name, check_rc=False)
    return out + err


def stop(name, how):
    """Stops with SIGTERM (podman stop, SIGKILL after 5 s) or SIGKILL (podman kill)."""
    t0 = time.monotonic()
    if how == "term":
        podman("stop", "-t", "5", name, timeout=60)
    else:
        podman("kill", "--signal", "KILL", name, timeout=60)
        podman("wait", name, timeout=60, check_rc=False)
    took = time.monotonic() - t0
    state = json.loads(podman("inspect", name)[1])[0]["State"]
    return took, state.get("ExitCode")


def test_server(tag, name, volume):
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    podman("volume", "create", volume)
    podman("run", "-d", "--name", name, "-p", "127.0.0.1:%d:9090" % port, "-v", "%s:/strata" % volume, tag)
    if not wait_healthy(name):
        raise Fatal("not healthy:\n" + logs(name)[-3000:])
    check(eventually(lambda: fetch(base + "/-/ready")[0] == 200, 30), "/-/ready through -p 127.0.0.1:%d:9090" % port)
    # The web UI is built into the image's binary (node and npm in the build stage).
    code, page = fetch(base + "/query")
    assets = re.findall(r'/assets/[^"]+\.js', page)
    js = fetch(base + assets[0]) if assets else (None, "")
    check(code == 200 and assets and js[0] == 200 and len(js[1]) > 100000,
          "the web UI is embedded: /query -> %s, %s -> %s (%d bytes)" % (code, assets[:1], js[0], len(js[1])))

    # The image's own configuration: Strata scrapes itself.
    ok = eventually(lambda: query(base, 'up{job="strata"} == 1'), 40, 1)
    check(bool(ok), "the default /etc/strata/strata.yml scrapes Strata itself (up{job=\"strata\"} 1)")

    ts1 = int(time.time() * 1000) - 1000
    code, body = remote_write(base, {"__name__": "container_test_written", "step": "first"}, 42.5, ts1)
    check(code == 204, "remote write accepted (%s %s)" % (code, body[:200]))

    def has(step, value, at_ms):
        r = query(base, 'container_test_written{step="%s"}' % step, at_ms / 1000.0)
        return bool(r) and r[0][1] == value

    check(eventually(lambda: has("first", "42.5", ts1), 10), "/api/v1/query returns the written sample")

    # podman stop (SIGTERM) + start: a clean shutdown, the data kept.
    took, code = stop(name, "term")
    out = logs(name)
    check(took < 5 and code == 0, "SIGTERM (podman stop): exited %s in %.2f s (< 5 s, status 0)" % (code, took))
    check(out.count("See you next time!") == 1 and "Received termination request" in out,
          "clean shutdown log lines (\"Received termination request\", \"See you next time!\")")
    podman("start", name)
    wait_healthy(name)
    check(eventually(lambda: has("first", "42.5", ts1), 20), "the sample survives podman stop + start")

    # podman kill (SIGKILL) + start: what was acknowledged is in the WAL.
    ts2 = int(time.time() * 1000) - 500
    code, body = remote_write(base, {"__name__": "container_test_written", "step": "second"}, 7.25, ts2)
    check(code == 204, "second remote write accepted (%s %s)" % (code, body[:200]))
    took, code = stop(name, "kill")
    check(code == 137, "podman kill: SIGKILLed (exit %s)" % code)
    podman("start", name)
    wait_healthy(name)
    check(eventually(lambda: has("first", "42.5", ts1) and has("second", "7.25", ts2), 20),
          "both samples survive podman kill (SIGKILL) + start")
    out = logs(name)
    check("WAL replay completed" in out, "the WAL was replayed after the kill")

    # A last SIGTERM: < 5 s, status 0, the clean-shutdown line again.
    took, code = stop(name, "term")
    out = logs(name)
    check(took < 5 and code == 0, "SIGTERM again: exited %s in %.2f s (< 5 s, status 0)" % (code, took))
    check(out.count("See you next time!") == 2, "clean shutdown log line after the restart")


class Target(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        Target.hits += 1
        body = b"# TYPE container_test_target gauge\ncontainer_test_target 7\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_scrape(tag, name, workdir):
    target = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    try:
        tport = target.server_address[1]
        port = free_port()
        base = "http://127.0.0.1:%d" % port
        cfg = os.path.join(workdir, "strata.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: host\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % tport)
        os.chmod(cfg, 0o644)
        data = os.path.join(workdir, "data")
        os.mkdir(data)
        os.chown(data, NOBODY, NOBODY)
        podman("run", "-d", "--name", name, "--network=host",
               "-v", "%s:/etc/strata/strata.yml:ro" % cfg, "-v", "%s:/strata" % data, tag,
               "--config.file=/etc/strata/strata.yml", "--storage.tsdb.path=/strata",
               "--web.listen-address=127.0.0.1:%d" % port)
        ok = eventually(lambda: query(base, 'container_test_target{job="host"} == 7'), 30, 0.5)
        if not check(bool(ok), "--network=host container scrapes a target on the host (127.0.0.1:%d, %d scrapes)"
                     % (tport, Target.hits)):
            log(logs(name)[-3000:])
        check(bool(query(base, 'up{job="host"} == 1')), 'up{job="host"} 1')
        rc, _, _ = podman("exec", name, "/usr/bin/stratatool", "healthcheck", "--url=" + base, check_rc=False)
        check(rc == 0, "stratatool healthcheck --url=%s in the container" % base)
        closed = free_port()
        rc, _, err = podman("exec", name, "/usr/bin/stratatool", "healthcheck",
                            "--url=http://127.0.0.1:%d" % closed, check_rc=False)
        check(rc == 1, "stratatool healthcheck exits 1 when nothing listens (%d: %s)" % (rc, err.strip()[:100]))
        took, code = stop(name, "term")
        check(took < 5 and code == 0, "SIGTERM: exited %s in %.2f s" % (code, took))
        check(any(f.startswith("wal") for f in os.listdir(data)), "the host directory holds the WAL (%s)"
              % sorted(os.listdir(data)))
    finally:
        target.shutdown()
        target.server_close()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    keep = "--keep-image" in sys.argv
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), "..", ".."))
    if os.geteuid() != 0:
        print("SKIP: podman runs as root here (the test builds images and containers)")
        return 77

    log("setup: %s" % os.path.join(root, "deploy/container/setup.sh"))
    t0 = time.monotonic()
    _, out, err = run([os.path.join(root, "deploy/container/setup.sh")], timeout=1200)
    log("setup: %.0f s: %s" % (time.monotonic() - t0, (out + err).strip().splitlines()[-1:]))

    tag = "localhost/strata-container-test:%d" % os.getpid()
    server, scraper, volume = "strata-test-%d" % os.getpid(), "strata-test-scrape-%d" % os.getpid(), \
        "strata-test-%d" % os.getpid()
    workdir = tempfile.mkdtemp(prefix="strata-container-test.")
    new_images = set()
    try:
        new_images = build_image(root, tag)
        check_image(tag, root)
        test_server(tag, server, volume)
        test_scrape(tag, scraper, workdir)
    except Fatal as e:
        failures.append(str(e))
        log("FAIL " + str(e))
    except Exception:
        import traceback
        failures.append(traceback.format_exc())
        log("FAIL " + failures[-1])
    finally:
        for c in (server, scraper):
            podman("rm", "-f", "-v", "-t", "0", c, check_rc=False, timeout=60)
        podman("volume", "rm", "-f", volume, check_rc=False)
        if not keep:
            podman("rmi", "-f", tag, check_rc=False, timeout=120)
            # This build's intermediate (build-stage) images, never the base images.
            bases = set()
            for b in ("debian:bookworm", "debian:bookworm-slim"):
                rc, out, _ = podman("image", "inspect", "--format", "{{.Id}}", b, check_rc=False)
                bases.add(out.strip().replace("sha256:", ""))
            left = [i for i in new_images if i not in bases]
            # Without -f: an image another build on the machine uses stays.
            for image in left:
                podman("rmi", image, check_rc=False, timeout=120)
        shutil.rmtree(workdir, ignore_errors=True)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
