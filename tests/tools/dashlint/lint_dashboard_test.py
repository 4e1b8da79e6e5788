#!/usr/bin/python3
"""`stratatool lint dashboard`: a table of good and bad dashboards (cases/)
with the findings each must give, exit statuses, the shipped dashboards of
deploy/dashboards/ (clean, even with --strict), and seed 003's original
queries (seed003/, made by make_seed003_originals.py): exactly the 28 known
invalid queries are reported, with the message promtool 2.42 gives.

usage: lint_dashboard_test.py <stratatool> <source dir>
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROMTOOL = "/usr/bin/promtool"

# file -> [(place, severity, check, text the message contains)]
TABLE = {
    "good_modern.json": [],
    "good_legacy_rows.json": [],
    "bad_syntax.json": [
        ('variable "job"', "error", "promql-syntax", '1:21: parse error: unexpected "}" in label matching, expected string'),
        ('variable "top"', "error", "promql-syntax", "1:33: parse error: unclosed left parenthesis"),
        ('annotation "Restarts"', "error", "promql-syntax", "1:40: parse error: unexpected <by>"),
        ('panel "By after rate" (id 1) target A', "error", "promql-syntax", "1:31: parse error: unexpected <by>"),
        ('panel "Inside a row" (id 3) target Q', "error", "promql-syntax", "1:68: parse error: unclosed left parenthesis"),
        # ${env:regex} writes a\.b inside a PromQL string: Grafana's own pitfall.
        ('panel "Regex format in a string" (id 4) target A', "error", "promql-syntax",
         "1:9: parse error: unknown escape sequence U+002E '.'"),
        ('panel "Multi-line" (id 5) target A', "error", "promql-syntax", "3:13: parse error: unexpected end of input"),
    ],
    "bad_checks.json": [
        ('panel "Quantiles" (id 1) target A', "error", "histogram-quantile-le", "over sum, which drops"),
        ('panel "Quantiles" (id 1) target B', "error", "histogram-quantile-le", "sum by (job, le)"),
        ('panel "Quantiles" (id 1) target C', "error", "histogram-quantile-le", "sum without (le)"),
        ('panel "Quantiles" (id 1) target D', "warning", "histogram-quantile-le", "native histogram"),
        ('panel "Quantiles" (id 1) target E', "warning", "histogram-quantile-phi", "φ 1.5"),
        ('panel "Ranges" (id 2) target A', "warning", "short-rate-range", "rate over [30s] is shorter than 4 scrape intervals (1m at 15s)"),
        ('panel "Ranges" (id 2) target B', "warning", "short-rate-range", "(from $__interval)"),
        ('panel "Ranges" (id 2) target D', "warning", "range-below-scrape-interval", "[10s]"),
        ('panel "Ranges" (id 2) target E', "warning", "short-rate-range", "irate over [15s] is shorter than 2 scrape intervals"),
        ('panel "Ranges" (id 2) target F', "warning", "rate-of-aggregation", "subquery"),
        ('panel "Variables" (id 3) target A', "warning", "multi-value-equality", "instead of ="),
        ('panel "Variables" (id 3) target B', "warning", "multi-value-equality", "instead of !="),
        ('panel "Variables" (id 3) target C', "warning", "unknown-variable", "$cluster"),
        ('panel "Variables" (id 3) target D', "warning", "unknown-format", "${job:bogus}"),
        ('panel "Variables" (id 3) target A', "warning", "duplicate-refid", "refId A"),
        ('panel "Variables" (id 3) target E', "warning", "empty-expr", "no expression"),
    ],
    "bad_datasource.json": [
        ('panel "Missing input" (id 1)', "error", "datasource", "${DS_PROM} does not resolve"),
        ('panel "Also missing input" (id 2)', "error", "datasource", "${DS_PROM} does not resolve"),
        ('panel "Literal uid" (id 3)', "warning", "datasource", '"P1809F7CD0C75ACF3" does not resolve'),
        ('panel "Target-level" (id 5) target A', "error", "datasource", "$missing_var does not resolve"),
        ('panel "Target-level" (id 5) target B', "error", "promql-syntax", "1:5: parse error: unexpected right parenthesis ')'"),
    ],
}


def place(f):
    if f["place"] in ("panel", "target"):
        s = 'panel "%s"' % f["panel"]["title"]
        if "id" in f["panel"]:
            s += " (id %d)" % f["panel"]["id"]
        if f["place"] == "target":
            s += " target " + (f["refId"] or "#%d" % (f["targetIndex"] + 1))
        return s
    if f["place"] in ("annotation", "variable"):
        return '%s "%s"' % (f["place"], f["name"])
    return "dashboard"


def lint(stratatool, *args):
    r = subprocess.run([stratatool, "lint", "dashboard"] + list(args), capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def lint_json(stratatool, *args):
    rc, out, err = lint(stratatool, "--format=json", *args)
    return rc, json.loads(out), err


def check_table(stratatool, failures):
    for name, want in TABLE.items():
        path = os.path.join(HERE, "cases", name)
        rc, doc, err = lint_json(stratatool, path)
        got = [(place(f), f["severity"], f["check"], f["message"]) for f in doc["findings"]]
        want_rc = 1 if any(w[1] == "error" for w in want) else 0
        if rc != want_rc:
            failures.append("%s: exit %d, want %d (%s)" % (name, rc, want_rc, err))
        unmatched = list(got)
        for w in want:
            hit = [g for g in unmatched if g[:3] == w[:3] and w[3] in g[3]]
            if not hit:
                failures.append("%s: missing %r" % (name, w))
            else:
                unmatched.remove(hit[0])
        for g in unmatched:
            failures.append("%s: unexpected %r" % (name, g))
        # The text form: one line per finding, in the JSON's order.
        rc2, out, _ = lint(stratatool, path)
        lines = out.splitlines()
        if rc2 != rc or len(lines) != len(got):
            failures.append("%s: text output has %d lines (exit %d), JSON %d findings" % (name, len(lines), rc2, len(got)))
        for line, g in zip(lines, got):
            if not line.startswith(path + ": " + g[0] + ": " + g[1] + ": "):
                failures.append("%s: text line %r does not start with the place of %r" % (name, line, g))


def check_exit_codes(stratatool, source, failures):
    cases = os.path.join(HERE, "cases")
    warn_only = os.path.join(cases, "bad_checks.json")
    with tempfile.TemporaryDirectory() as d:
        warnings = os.path.join(d, "warnings.json")
        with open(warnings, "w") as f:
            json.dump({"panels": [{"id": 1, "title": "t", "targets": [{"refId": "A", "expr": "rate(x[30s])"}]}]}, f)
        table = [
            ([warnings], 0, ""),
            (["--strict", warnings], 1, ""),
            (["--scrape-interval=5s", "--strict", warnings], 0, ""),
            (["--scrape", warnings], 2, "unknown flag"),
            (["--format=yaml", warnings], 2, "invalid value"),
            (["--scrape-interval", "abc", warnings], 2, "invalid value"),
            ([], 2, "required argument"),
            ([os.path.join(d, "missing.json")], 2, "cannot open"),
            ([os.path.join(cases, "invalid_json.json")], 2, "invalid JSON"),
            ([os.path.join(cases, "not_object.json"), warnings], 2, "not a JSON object"),
            ([warn_only, os.path.join(cases, "invalid_json.json")], 2, ""),
            (["--url=http://127.0.0.1:1", warnings], 2, "connection refused"),
            ([os.path.join(cases, "good_modern.json"), os.path.join(cases, "good_legacy_rows.json")], 0, ""),
            (["--datasource-uid=P1809F7CD0C75ACF3", os.path.join(cases, "bad_datasource.json")], 1, ""),
        ]
        for args, want_rc, want_err in table:
            rc, out, err = lint(stratatool, *args)
            if rc != want_rc or want_err not in err:
                failures.append("exit: %s: %d %r, want %d %r" % (args, rc, err, want_rc, want_err))
        rc, out, _ = lint(stratatool, "--datasource-uid", "P1809F7CD0C75ACF3", os.path.join(cases, "bad_datasource.json"))
        if "P1809F7CD0C75ACF3" in out:
            failures.append("--datasource-uid did not make the literal uid resolve: " + out)
    rc, out, err = subprocess.run([stratatool, "lint"], capture_output=True, text=True).returncode, "", ""
    if rc != 2:
        failures.append("`stratatool lint` without a kind: exit %d, want 2" % rc)
    r = subprocess.run([stratatool, "--help"], capture_output=True, text=True)
    if "lint dashboard" not in r.stdout:
        failures.append("stratatool --help does not describe lint dashboard")


def check_shipped(stratatool, source, failures):
    d = os.path.join(source, "deploy", "dashboards")
    rc, out, err = lint(stratatool, "--strict", d)
    n = len([f for f in os.listdir(d) if f.endswith(".json")])
    if rc != 0 or out or err:
        failures.append("deploy/dashboards (%d files) do not lint clean: exit %d\n%s%s" % (n, rc, out, err))


def promtool_messages(exprs):
    """promtool 2.42's parse error (without the file prefix) per expression."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "r.yml")
        with open(path, "w") as f:
            f.write("groups:\n- name: g\n  rules:\n")
            for i, e in enumerate(exprs):
                f.write("  - record: r%d\n    expr: %s\n" % (i, json.dumps(e)))
        r = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True, text=True, timeout=60)
    out = {}
    for line in r.stderr.splitlines():
        if ", rule " in line and "could not parse expression: " in line:
            k = int(line.split(", rule ")[1].split(",")[0]) - 1
            out[k] = line.split("could not parse expression: ", 1)[1]
    return out


def check_seed003(stratatool, failures):
    d = os.path.join(HERE, "seed003")
    want = []
    with open(os.path.join(d, "expected.tsv")) as f:
        for line in f:
            name, title, pid, ref, expr = line.rstrip("\n").split("\t")
            want.append((name, 'panel "%s" (id %s) target %s' % (title, pid, ref), expr))
    rc, doc, err = lint_json(stratatool, "--compat=v2", d)
    got = [(os.path.basename(f["file"]), place(f), f["expr"]) for f in doc["findings"]]
    if rc != 1:
        failures.append("seed003: exit %d, want 1" % rc)
    if sorted(got) != sorted(want) or len(want) != 28:
        failures.append("seed003: findings differ from the 28 known invalid queries:\n got  %s\n want %s" % (sorted(got), sorted(want)))
    if any(f["check"] != "promql-syntax" or f["severity"] != "error" for f in doc["findings"]):
        failures.append("seed003: a finding that is not a syntax error: %s" % doc["findings"])
    prom = promtool_messages([f["expr"] for f in doc["findings"]])
    for i, f in enumerate(doc["findings"]):
        if prom.get(i) != f["message"]:
            failures.append("seed003: %s: %r, promtool says %r" % (place(f), f["message"], prom.get(i)))


def main():
    stratatool, source = sys.argv[1], sys.argv[2]
    failures = []
    check_table(stratatool, failures)
    check_exit_codes(stratatool, source, failures)
    check_shipped(stratatool, source, failures)
    check_seed003(stratatool, failures)
    for f in failures:
        print("FAIL", f)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
