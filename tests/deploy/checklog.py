"""What the podman deploy tests share: timestamped log lines, checks that
record failures and go on, the exit status they add up to, free ports."""
import socket
import time

failures = []


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def check(ok, what):
    log(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def finish():
    """Prints the failures (or PASS) and returns the exit status."""
    if failures:
        print("\n%d failure(s):\n  %s" % (len(failures), "\n  ".join(failures)))
        return 1
    print("\nPASS")
    return 0
