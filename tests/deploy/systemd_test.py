#!/usr/bin/python3
"""deploy/systemd: the unit passes `systemd-analyze verify` (with ExecStart
pointed at the build's binary, the only change), its hardening keeps
`systemd-analyze security` at an exposure of 2.0 or less ("OK"), the
environment file only sets STRATA_ARGS, and the shipped strata.yml passes
`stratatool check config` and starts a real strata with the unit's flags.

usage: systemd_test.py <strata> <stratatool> <deploy/systemd dir>
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    strata, stratatool, src = (os.path.abspath(a) for a in sys.argv[1:4])
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze missing")
        return 1
    failures = []
    unit = open(os.path.join(src, "strata.service")).read()
    if "ExecStart=/usr/local/bin/strata " not in unit:
        failures.append("ExecStart does not run /usr/local/bin/strata")
    for key in ("DynamicUser=yes", "StateDirectory=strata", "ProtectSystem=strict", "NoNewPrivileges=yes",
                "LimitNOFILE=", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure"):
        if key not in unit:
            failures.append("unit lacks " + key)
    with tempfile.TemporaryDirectory(prefix="strata-systemd-") as d:
        local = os.path.join(d, "strata.service")
        with open(local, "w") as f:
            f.write(unit.replace("/usr/local/bin/strata", strata))
        rc, out, err = run(["systemd-analyze", "verify", local])
        if rc != 0 or err.strip():
            failures.append("systemd-analyze verify: exit %d %s%s" % (rc, out, err))
        root = os.path.join(d, "root")
        os.makedirs(os.path.join(root, "etc/systemd/system"))
        shutil.copy(local, os.path.join(root, "etc/systemd/system/strata.service"))
        rc, out, err = run(["systemd-analyze", "security", "--offline=yes", "--root=" + root, "strata.service"])
        m = re.search(r"Overall exposure level for strata.service: ([0-9.]+)", out + err)
        if not m or float(m.group(1)) > 2.0:
            failures.append("systemd-analyze security: %s" % (m.group(0) if m else out + err))
        else:
            print("exposure", m.group(1))

        env = open(os.path.join(src, "strata.default")).read()
        settings = [l for l in env.splitlines() if l.strip() and not l.lstrip().startswith("#")]
        if settings != ['STRATA_ARGS=""']:
            failures.append("strata.default sets %r" % settings)

        cfg = os.path.join(src, "strata.yml")
        rc, out, err = run([stratatool, "check", "config", cfg])
        if rc != 0:
            failures.append("check config %s: %s%s" % (cfg, out, err))
        port = free_port()
        data = os.path.join(d, "data")
        p = subprocess.Popen([strata, "--config.file=" + cfg, "--storage.tsdb.path=" + data,
                              "--web.listen-address=127.0.0.1:%d" % port],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            ok = False
            deadline = time.time() + 30
            while time.time() < deadline and not ok:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % port, timeout=2) as r:
                        ok = r.status == 200
                except Exception:
                    time.sleep(0.2)
            if not ok:
                failures.append("strata did not get ready with the shipped strata.yml")
            p.terminate()
            if p.wait(timeout=20) != 0:
                failures.append("strata exited %d on SIGTERM" % p.returncode)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
