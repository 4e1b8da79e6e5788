#!/usr/bin/python3
"""`stratatool healthcheck` (the container image's HEALTHCHECK): exit 0 for a
running Strata, 1 for a closed port or a non-200 answer, 2 for a bad
argument.

usage: healthcheck_test.py <stratatool> <strata>
"""
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(stratatool, *args):
    r = subprocess.run([stratatool, "healthcheck"] + list(args), capture_output=True, timeout=30)
    return r.returncode, r.stderr.decode()


def main():
    stratatool, strata = sys.argv[1], sys.argv[2]
    failures = []
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="strata-healthcheck-") as d:
        cfg = os.path.join(d, "strata.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 15s\n")
        p = subprocess.Popen([strata, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(d, "data"),
                              "--web.listen-address=127.0.0.1:%d" % port],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = "--url=http://127.0.0.1:%d" % port
            deadline = time.time() + 30
            while time.time() < deadline and check(stratatool, url)[0] != 0:
                time.sleep(0.2)
            cases = [
                ([url], 0, ""),
                ([url + "/"], 0, ""),
                ([url + "/prefix"], 1, "HTTP 404"),
                (["--url=http://127.0.0.1:%d" % free_port()], 1, "connection refused"),
                (["--bogus"], 2, "unknown argument"),
            ]
            for args, want_rc, want_err in cases:
                rc, err = check(stratatool, *args)
                if rc != want_rc or want_err not in err:
                    failures.append("%s: exit %d %r, want %d %r" % (args, rc, err, want_rc, want_err))
        finally:
            p.terminate()
            p.wait(timeout=15)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
