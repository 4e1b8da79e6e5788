#!/usr/bin/python3
"""`make package`: cpack builds build/package/strata_<version>_amd64.deb; its
control fields name the shared libraries it needs, it holds the binaries,
the systemd unit (running /usr/bin/strata), the configuration files as
conffiles and the docs; the extracted binaries run, and the extracted unit
passes `systemd-analyze verify`.

usage: package_test.py <build dir>
"""
import glob
import os
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, timeout=300, **kw)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def main():
    build = os.path.abspath(sys.argv[1])
    failures = []
    for old in glob.glob(os.path.join(build, "package", "strata_*_amd64.deb")):
        os.remove(old)
    rc, out, err = run(["cpack"], cwd=build)
    debs = glob.glob(os.path.join(build, "package", "strata_*_amd64.deb"))
    if rc != 0 or len(debs) != 1:
        print("FAIL cpack: exit %d\n%s%s" % (rc, out, err))
        return 1
    deb = debs[0]
    rc, info, _ = run(["dpkg-deb", "-I", deb])
    for want in ("Package: strata", "Architecture: amd64", "libc6", "libprotobuf", "libre2", "conffiles"):
        if want not in info:
            failures.append("control lacks %r" % want)
    rc, listing, _ = run(["dpkg-deb", "-c", deb])
    for path in ("./usr/bin/strata", "./usr/bin/stratatool", "./lib/systemd/system/strata.service",
                 "./etc/strata/strata.yml", "./etc/default/strata", "./usr/share/doc/strata/README.md",
                 "./usr/share/doc/strata/strata.help.txt", "./usr/share/man/man1/strata.1.gz",
                 "./usr/share/man/man1/stratatool.1.gz"):
        if path not in listing:
            failures.append("package lacks " + path)
    with tempfile.TemporaryDirectory(prefix="strata-package-") as d:
        run(["dpkg-deb", "-e", deb, os.path.join(d, "DEBIAN")])
        cf = open(os.path.join(d, "DEBIAN", "conffiles")).read().split()
        if cf != ["/etc/strata/strata.yml", "/etc/default/strata"]:
            failures.append("conffiles: %r" % cf)
        root = os.path.join(d, "root")
        rc, _, err = run(["dpkg-deb", "-x", deb, root])
        if rc != 0:
            failures.append("dpkg-deb -x: " + err)
        # The man pages render, naming the program and its flags.
        for prog, want in (("strata", "--storage.tsdb.path"), ("stratatool", "healthcheck")):
            rc, page, err = run(["man", "-l", os.path.join(root, "usr/share/man/man1/%s.1.gz" % prog)])
            if rc != 0 or want not in page or prog.upper() + "(1)" not in page:
                failures.append("man page of %s: exit %d, %r" % (prog, rc, (page + err)[:300]))
        rc, out, err = run([os.path.join(root, "usr/bin/strata"), "--version"])
        if rc != 0 or not out.startswith("strata, version "):
            failures.append("strata --version: exit %d %r %r" % (rc, out, err))
        rc, out, err = run([os.path.join(root, "usr/bin/stratatool"), "check", "config",
                            os.path.join(root, "etc/strata/strata.yml")])
        if rc != 0:
            failures.append("stratatool check config of the packaged strata.yml: %s%s" % (out, err))
        unit = open(os.path.join(root, "lib/systemd/system/strata.service")).read()
        if "ExecStart=/usr/bin/strata " not in unit or "/usr/local" in unit:
            failures.append("the packaged unit does not run /usr/bin/strata")
        local = os.path.join(d, "strata.service")
        with open(local, "w") as f:
            f.write(unit.replace("/usr/bin/strata", os.path.join(root, "usr/bin/strata")))
        rc, out, err = run(["systemd-analyze", "verify", local])
        if rc != 0 or err.strip():
            failures.append("systemd-analyze verify: %s%s" % (out, err))
    print("package %s: %d bytes" % (os.path.basename(deb), os.path.getsize(deb)))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
