#!/usr/bin/python3
"""The shipped rule files (deploy/rules/*.rules.yml) and their unit tests
(deploy/rules/tests/*.test.yml) must pass in Prometheus and in Strata:

  promtool check rules FILES     and  promtool test rules TESTS
  stratatool check rules FILES   and  stratatool test rules TESTS
  (and stratatool again with --compat=v2, Prometheus 2.x semantics)

Each run must exit 0 and report SUCCESS for every file. Before that, the
test files are checked for coverage (needs PyYAML; skipped without it):
every alerting rule (alert name + severity) has a check where it fires, a
later check in the same test where it has resolved, and a check where it
does not fire (below the threshold or still pending); every recording rule
is evaluated by a promql_expr_test; every rule file has a test file.

usage: rules_test.py <stratatool> [<rules dir>]   (default: deploy/rules)
Exit status: 0 all passed, 1 a failure, 77 promtool is not installed (the
stratatool runs and the coverage check passed).
"""
import glob
import os
import re
import shutil
import subprocess
import sys

TIMEOUT = 600  # seconds per tool run; the month-long budget test is the slow one


def run(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 124, "", "timed out after %ds" % TIMEOUT
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def duration_ms(s):
    """A Prometheus duration ("1d1h20m", "90s", "0") in milliseconds."""
    units = {"y": 365 * 86400000, "w": 7 * 86400000, "d": 86400000, "h": 3600000,
             "m": 60000, "s": 1000, "ms": 1}
    s = str(s).strip()
    if s == "0":
        return 0
    parts = re.findall(r"(\d+)(ms|y|w|d|h|m|s)", s)
    if not parts or "".join(n + u for n, u in parts) != s:
        raise ValueError("bad duration %r" % s)
    return sum(int(n) * units[u] for n, u in parts)


def check_coverage(rule_files, test_dir):
    """Problems (strings) with the test files' coverage of the rules."""
    try:
        import yaml
    except ImportError:
        print("coverage check skipped: PyYAML is not installed")
        return []
    problems = []
    for rf in rule_files:
        base = os.path.basename(rf)
        stem = base[:-len(".rules.yml")] if base.endswith(".rules.yml") else os.path.splitext(base)[0]
        tf = os.path.join(test_dir, stem + ".test.yml")
        if not os.path.exists(tf):
            problems.append("%s: no test file %s" % (base, os.path.relpath(tf)))
            continue
        with open(rf) as f:
            groups = (yaml.safe_load(f) or {}).get("groups") or []
        alerts, records = set(), set()
        for g in groups:
            for r in g.get("rules") or []:
                if "alert" in r:
                    alerts.add((r["alert"], (r.get("labels") or {}).get("severity", "")))
                    for k in ("summary", "description"):
                        if not (r.get("annotations") or {}).get(k):
                            problems.append("%s: alert %s has no %s annotation" % (base, r["alert"], k))
                    if not (r.get("labels") or {}).get("severity"):
                        problems.append("%s: alert %s has no severity label" % (base, r["alert"]))
                elif "record" in r:
                    records.add(r["record"])
        with open(tf) as f:
            tdoc = yaml.safe_load(f) or {}
        referenced = {os.path.normpath(os.path.join(test_dir, p)) for p in tdoc.get("rule_files") or []}
        if os.path.normpath(rf) not in referenced:
            problems.append("%s: does not load %s" % (os.path.relpath(tf), base))
        fires, absent = {}, {}  # (alert, severity) -> [(test index, eval_time ms)]
        exprs = []
        for ti, t in enumerate(tdoc.get("tests") or []):
            for a in t.get("alert_rule_test") or []:
                at = duration_ms(a["eval_time"])
                firing = {(a["alertname"], (e.get("exp_labels") or {}).get("severity", ""))
                          for e in a.get("exp_alerts") or []}
                for key in alerts:
                    if key[0] != a["alertname"]:
                        continue
                    (fires if key in firing else absent).setdefault(key, []).append((ti, at))
            exprs += [p.get("expr", "") for p in t.get("promql_expr_test") or []]
        for key in sorted(alerts):
            name = "%s (severity %s)" % key
            f, a = fires.get(key, []), absent.get(key, [])
            if not f:
                problems.append("%s: no test where %s fires" % (os.path.relpath(tf), name))
                continue
            if not any(ti == fti and at > fat for ti, at in a for fti, fat in f):
                problems.append("%s: no test where %s resolves after firing" % (os.path.relpath(tf), name))
            if not any(not any(ti == fti and fat < at for fti, fat in f) for ti, at in a):
                problems.append("%s: no test where %s does not fire (below its threshold or pending)"
                                % (os.path.relpath(tf), name))
        for rec in sorted(records):
            if not any(re.search(r"(?<![\w:])%s(?![\w:])" % re.escape(rec), e) for e in exprs):
                problems.append("%s: recording rule %s is not in any promql_expr_test"
                                % (os.path.relpath(tf), rec))
    return problems


def tool_passes(label, cmd, files):
    """Runs cmd + files; it must exit 0 and print SUCCESS once per file."""
    code, out, err = run(cmd + files)
    successes = len(re.findall(r"^\s*SUCCESS", out, re.M))
    ok = code == 0 and successes == len(files) and "FAILED" not in out + err
    print("%s %s: exit %d, %d/%d SUCCESS" % ("ok  " if ok else "FAIL", label, code, successes, len(files)))
    if not ok:
        sys.stdout.write(out)
        sys.stdout.write(err)
    return ok


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    stratatool = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    rules_dir = os.path.abspath(sys.argv[2] if len(sys.argv) == 3
                                else os.path.join(here, "..", "..", "deploy", "rules"))
    test_dir = os.path.join(rules_dir, "tests")
    rule_files = sorted(glob.glob(os.path.join(rules_dir, "*.yml")))
    test_files = sorted(glob.glob(os.path.join(test_dir, "*.test.yml")))
    if not rule_files or not test_files:
        print("no rule files or no test files under %s" % rules_dir)
        return 1

    failed = False
    problems = check_coverage(rule_files, test_dir)
    for p in problems:
        print("coverage: " + p)
    failed |= bool(problems)

    runs = [("stratatool check rules", [stratatool, "check", "rules"], rule_files),
            ("stratatool test rules", [stratatool, "test", "rules"], test_files),
            ("stratatool check rules --compat=v2", [stratatool, "check", "rules", "--compat=v2"], rule_files),
            ("stratatool test rules --compat=v2", [stratatool, "test", "rules", "--compat=v2"], test_files)]
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool") or "/usr/bin/promtool"
    have_promtool = os.access(promtool, os.X_OK)
    if have_promtool:
        runs = [("promtool check rules", [promtool, "check", "rules"], rule_files),
                ("promtool test rules", [promtool, "test", "rules"], test_files)] + runs
    else:
        print("promtool not found (set PROMTOOL): only Strata's half runs")
    for label, cmd, files in runs:
        failed |= not tool_passes(label, cmd, files)

    if failed:
        return 1
    return 0 if have_promtool else 77


if __name__ == "__main__":
    sys.exit(main())
