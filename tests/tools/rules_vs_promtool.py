#!/usr/bin/python3
"""`stratatool check rules` and `stratatool test rules` against promtool 2.42
(Debian's prometheus package), both run with --compat=v2.

check rules: a table of broken rule files plus generated mutations of a good
one; the exit code and stdout must be identical, and stderr the same set of
lines (Go prints a map's problems in random order). YAML syntax errors come
from another parser: for those only the exit code and the "yaml: line"
prefix must agree.

test rules: generated scenarios (random input series with gaps and
staleness markers, a recording rule feeding alerting rules with random
`for` / `keep_firing_for`, alert tests whose expectations are right or
wrong, promql tests with computed or perturbed values); every generated
file must pass or fail in both tools alike.

usage: rules_vs_promtool.py <stratatool> [seed] [count]
"""
import json
import os
import random
import subprocess
import sys
import tempfile

from yaml_scalars import scalar

PROMTOOL = "/usr/bin/promtool"

CHECK_TABLE = {
    "good.yml": """groups:
  - name: g
    interval: 30s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {team: a}
      - alert: X
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations: {summary: "down"}
""",
    "many.yml": """groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum by (job) (up
      - alert: X
        record: y
        expr: up == 0
      - alert: Y
        expr: up
        annotations:
          "bad name": x
          summary: "{{ foo }}"
          description: "{{ $value | humanize }} {{ if }}"
        labels:
          __name__: z
          team: "{{ .Labels.job"
      - record: "bad name"
        expr: up
        for: 1m
        keep_firing_for: 2m
        annotations:
          a: b
      - expr: up
      - record: ""
        alert: ""
        expr: ""
  - name: g
    rules: []
  - name: ""
    rules: []
""",
    "fields.yml": "groups:\n  - name: g\n    foo: 1\n    rules:\n      - record: x\n        expr: up\n        bar: 2\n",
    "types.yml": "groups:\n  - name: g\n    limit: abc\n    rules:\n      - record: x\n        labels:\n          a: [1]\n        annotations: 5\n  - name: [a]\n    rules: {}\n",
    # A group's limit as yaml.v3 decodes a Go int: numbers in every YAML
    # spelling, in and out of int64's range.
    "limits.yml": "groups:\n" + "".join(
        "  - name: g%d\n    limit: %s\n    rules:\n      - record: x\n        expr: up\n" % (i, v)
        for i, v in enumerate([
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
            "1e58", "-1e58", "1e400", "9.2233720368547758e18", "0x1F", "0x8000000000000000", "0x", "0xZZ",
            "017", "08", "0b101", "0b", "-0o17", "1_000", ".5", "._5", ".nan", "-.inf", "+.inf", "1.5", "'5'",
            "+9223372036854775808", "0x1p3", "1e", "true"])),
    "groups_map.yml": "groups:\n  name: g\n",
    "scalar.yml": "abc\n",
    "duration.yml": "groups:\n  - name: g\n    interval: 5x\n    rules:\n      - record: x\n        expr: up\n",
    "rule_scalar.yml": "groups:\n  - name: g\n    rules:\n      - 5\n      - record: x\n        expr: up\n        for: 5\n",
    "dupkey.yml": "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        expr: down\n",
    "unknown_top.yml": "foo: 1\n",
    "empty.yml": "",
    "duplicates.yml": "groups:\n- name: g\n  rules:\n  - record: x\n    expr: up\n    labels: {a: b, c: d}\n  - record: x\n    expr: down\n    labels: {c: d, a: b}\n- name: h\n  rules:\n  - alert: x\n    expr: up\n  - alert: x\n    expr: up\n",
    "not_yaml.yml": "groups: [\n",
}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def mutate_rule_file(rng):
    """A rule file with a few random defects (or none)."""
    groups = []
    for gi in range(rng.randint(1, 3)):
        name = rng.choice(["g%d" % gi, "g0", ""]) if rng.random() < 0.2 else "g%d" % gi
        if rng.random() < 0.05:  # explicit tags: one not fitting the text fails the decode
            name = rng.choice(["!!int g%d", "!!str %d", "!!int %d", "!!float g%d", "!!bool g%d"]) % gi
        lines = ["  - name: %s" % (name if name else '""')]
        if rng.random() < 0.3:
            lines.append("    interval: %s" % rng.choice(["30s", "1m", "2h", "0s"]))
        if rng.random() < 0.25:
            lines.append("    limit: %s" % scalar(rng))
        if rng.random() < 0.05:
            lines.append("    nope: 1")
        lines.append("    rules:")
        for ri in range(rng.randint(0, 4)):
            kind = rng.choice(["record", "alert", "both", "none"] if rng.random() < 0.15 else ["record", "alert"])
            name = rng.choice(["job:x:sum", "X", "bad name", "a-b", "Alert_1", "x:y"])
            if kind in ("record", "both"):
                lines.append("      - record: %s" % ('"%s"' % name))
            if kind in ("alert", "both"):
                lines.append("      %s alert: %s" % ("-" if kind == "alert" else " ", '"%s"' % name))
            prefix = "      - " if kind == "none" else "        "
            expr = rng.choice(["up", "sum(rate(x[5m]))", "up == 0", "sum(", "up{", "", "rate(x)", "1 +", "foo bar"])
            lines.append(prefix + "expr: '%s'" % expr)
            if rng.random() < 0.3:
                lines.append("        for: %s" % rng.choice(["5m", "0s", "1x", "!!int 5m", "!!str 5m"]))
            if rng.random() < 0.2:
                lines.append("        keep_firing_for: %s" % rng.choice(["1m", "0s"]))
            if rng.random() < 0.3:
                lines.append("        labels:")
                lines.append("          %s: %s" % (rng.choice(["severity", "__name__", "a-b", "ok_1"]),
                                                 rng.choice(["page", "x", "'{{ $labels.x }}'", "'{{ nope 1 }}'"])))
            if rng.random() < 0.3:
                lines.append("        annotations:")
                lines.append("          %s: %s" % (rng.choice(["summary", "bad name", "ok"]), rng.choice(
                    ["'text'", "'{{ $labels.job }} at {{ $value | humanize }}'", "'{{ foo }}'", "'{{ if }}'",
                     "'{{ .Labels.x'", "'{{ printf \"%.1f\" $value }}'", "'{{ range $i := }}'"])))
            if rng.random() < 0.05:
                lines.append("        unknown: 1")
        groups.append("\n".join(lines))
    return "groups:\n" + "\n".join(groups) + "\n"


def compare_check(stratatool, files, d):
    failures = 0
    for f in files:
        p = run([PROMTOOL, "check", "rules", f])
        s = run([stratatool, "check", "rules", "--compat=v2", f])
        yaml_syntax = "yaml: line" in p[2]
        if yaml_syntax:
            same = p[0] == s[0] and p[1] == s[1] and "yaml: line" in s[2]
        else:
            same = p[0] == s[0] and p[1] == s[1] and sorted(p[2].splitlines()) == sorted(s[2].splitlines())
        if not same:
            failures += 1
            print("FAIL check rules %s: promtool %d, stratatool %d" % (f, p[0], s[0]))
            print(open(os.path.join(d, f)).read())
            print("--- promtool\n%s%s--- stratatool\n%s%s" % (p[1], p[2], s[1], s[2]))
    return failures


# --- test rules scenarios ---------------------------------------------------

RULES = """groups:
- name: g
  rules:
  - record: job:m:max
    expr: max by (job) (m)
  - alert: High
    expr: job:m:max > {threshold}
    for: {for_high}
    keep_firing_for: {keep_high}
    labels: {{severity: page}}
    annotations: {{summary: high}}
  - alert: Zero
    expr: m == 0
    for: {for_zero}
"""


def value_at(values, t_min, lookback=5):
    """The latest sample at or before minute t within the lookback (2.x: closed window)."""
    for i in range(min(t_min, len(values) - 1), -1, -1):
        if t_min - i > lookback:
            return None
        v = values[i]
        if v == "_":
            continue
        if v == "stale":
            return None
        return float(v)
    return None


def scenario(rng, path_rules, path_test):
    threshold = rng.choice([1, 4])
    with open(path_rules, "w") as f:
        f.write(RULES.format(threshold=threshold, for_high=rng.choice(["0s", "1m", "2m", "3m"]),
                             keep_high=rng.choice(["0s", "0s", "2m"]), for_zero=rng.choice(["0s", "2m"])))
    n = 16
    series = {}
    for job in ["a", "b"]:
        vals = []
        for _ in range(n):
            r = rng.random()
            vals.append("_" if r < 0.1 else "stale" if r < 0.15 else str(rng.choice([0, 1, 2, 5, 10])))
        series[job] = vals
    lines = ["rule_files: [%s]" % os.path.basename(path_rules), "evaluation_interval: 1m", "tests:",
             "- interval: 1m", "  input_series:"]
    for job, vals in series.items():
        lines.append("  - series: 'm{job=\"%s\"}'" % job)
        lines.append("    values: '%s'" % " ".join(vals))
    # One check per file, so that about half the files pass.
    alert_test = rng.random() < 0.6
    lines.append("  alert_rule_test:" if alert_test else "  alert_rule_test: []")
    for _ in range(1 if alert_test else 0):
        t = rng.choice([rng.randint(0, n - 1) * 60, rng.randint(0, (n - 1) * 60)])
        alert = rng.choice(["High", "Zero"])
        lines.append("  - eval_time: %ds" % t)
        lines.append("    alertname: %s" % alert)
        jobs = [j for j in series if rng.random() < 0.3]
        if not jobs:
            lines.append("    exp_alerts: []")
            continue
        lines.append("    exp_alerts:")
        for j in jobs:
            if alert == "High":
                lines.append("    - exp_labels: {job: %s, severity: page}" % j)
                lines.append("      exp_annotations: {summary: high}")
            else:
                lines.append("    - exp_labels: {job: %s}" % j)
    lines.append("  promql_expr_test:" if not alert_test else "  promql_expr_test: []")
    for _ in range(0 if alert_test else 1):
        t = rng.randint(0, n - 1)
        lines.append("  - expr: job:m:max")
        lines.append("    eval_time: %dm" % t)
        exp = []
        for job, vals in series.items():
            v = value_at(vals, t)
            if v is not None:
                exp.append((job, v + (1 if rng.random() < 0.2 else 0)))
        if not exp:
            lines.append("    exp_samples: []")
            continue
        lines.append("    exp_samples:")
        for job, v in exp:
            lines.append("    - labels: 'job:m:max{job=\"%s\"}'" % job)
            lines.append("      value: %g" % v)
    with open(path_test, "w") as f:
        f.write("\n".join(lines) + "\n")


def results(stdout):
    out = {}
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Unit Testing:  "):
            out[line[len("Unit Testing:  "):]] = i + 1 < len(lines) and lines[i + 1] == "  SUCCESS"
    return out


def main():
    stratatool = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261203
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    rng = random.Random(seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="strata-rules-vs-promtool-") as d:
        os.chdir(d)
        files = []
        for name, text in CHECK_TABLE.items():
            with open(name, "w") as f:
                f.write(text)
            files.append(name)
        for i in range(count):
            name = "gen%03d.yml" % i
            with open(name, "w") as f:
                f.write(mutate_rule_file(rng))
            files.append(name)
        failures += compare_check(stratatool, files, d)
        # Several files in one run, and a missing one.
        for args in (["good.yml", "many.yml"], ["missing.yml"]):
            p = run([PROMTOOL, "check", "rules"] + args)
            s = run([stratatool, "check", "rules", "--compat=v2"] + args)
            if p[0] != s[0] or p[1] != s[1]:
                failures += 1
                print("FAIL check rules %s: promtool %d %r, stratatool %d %r" % (args, p[0], p[2], s[0], s[2]))
        print("check rules: %d files compared" % (len(files) + 2))

        tests = []
        for i in range(count):
            scenario(rng, "r%03d.yml" % i, "t%03d.yml" % i)
            tests.append("t%03d.yml" % i)
        p = run([PROMTOOL, "test", "rules"] + tests)
        s = run([stratatool, "test", "rules", "--compat=v2"] + tests)
        pr, sr = results(p[1]), results(s[1])
        passed = sum(1 for t in tests if pr.get(t))
        for t in tests:
            if pr.get(t) != sr.get(t):
                failures += 1
                print("FAIL test rules %s: promtool %s, stratatool %s" % (t, pr.get(t), sr.get(t)))
                print(open(t).read())
                print(open(t.replace("t", "r", 1)).read())
                print("--- promtool\n" + run([PROMTOOL, "test", "rules", t])[2])
                print("--- stratatool\n" + run([stratatool, "test", "rules", "--compat=v2", t])[2])
        print("test rules: %d scenarios, %d pass in promtool" % (len(tests), passed))

        # rule_files globs as promtool resolves them: joined to the test
        # file's directory and cleaned; a malformed one (also a directory
        # part ending inside a class or in a backslash) fails the file, one
        # matching nothing is a warning on stderr.
        os.makedirs("globs/rules", exist_ok=True)
        with open("globs/rules/a.yml", "w") as f:
            f.write("groups: []\n")
        for i, rf in enumerate(["rules/[", "rules/[a/b]*.yml", "rules\\/*.yml", "nomatch/*.yml", "",
                                "./rules//*.yml", "rules/../rules/?.yml"]):
            t = "globs/g%d.yml" % i
            with open(t, "w") as f:
                f.write("rule_files: [%s]\ntests:\n- input_series: []\n" % json.dumps(rf))
            p = run([PROMTOOL, "test", "rules", t])
            s = run([stratatool, "test", "rules", "--compat=v2", t])
            if p != s:
                failures += 1
                print("FAIL test rules, rule_files %r: promtool %r, stratatool %r" % (rf, p, s))
        print("test rules: 7 rule_files globs compared")
    print("%d disagreements" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
