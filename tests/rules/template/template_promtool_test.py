#!/usr/bin/python3
"""Differential test of Strata's alert templates against promtool 2.42.

Builds a rule file with one alerting rule per case (alert T<i>, expr
m{case="<i>"}, one annotation "a" holding the template) and a unit-test file
whose input series give each alert its value and labels. The expected
annotation of every case is what Strata computes (strata_template_cli); the
test passes when `promtool test rules` agrees on all of them. Cases Strata
rejects at parse time go to `promtool check rules` instead, and the error
lines must match. Cases are a hand-written table plus a seeded random mix
of functions, printf verbs, values and odd label values, and table
templates with random edits (mostly parse errors, checked the same way).

Usage: template_promtool_test.py <strata_template_cli> [--seed N] [--random N]
Exit 0 on agreement, 1 on a mismatch, 77 (skipped) without promtool.

Known, intended differences (not in the cases): {{template}} nesting stops at depth 100 (Go:
100000); pointers print as a fixed address; externalURL/pathPrefix, which
panic in promtool (it has no external URL).
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

VALUES = ["0", "1", "-1.5", "1234.5", "1e-05", "123456789", "NaN", "Inf", "-Inf",
          "0.1", "100000", "1e+06", "3725.5", "0.000123", "1.5e+09", "-1e-09"]
LABEL_VALUES = ["x y", 'a"b', "a\\b", "<b>&'=", "é日本", "a\nb", "web-1.example.com:9090",
                "10.0.0.1:80", "[::1]:9090", "{{ not a template }}", "  padded ", "1.5",
                "Title case words", "UPPER lower", "%d %s", "$1"]

TABLE = [
    # Values and printing.
    "{{ $value }}", "{{ .Value }}", "{{ $labels }}", "{{ . }}", "{{ $externalLabels }}",
    "{{ $externalURL }}|{{ .ExternalURL }}", "{{ $labels.inst }}", "{{ .Labels.inst }}",
    "{{ $labels.missing }}|", "{{ 1 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 'a' }} {{ -0 }}",
    "{{ true }} {{ false }}", "{{ \"s\" }} {{ `raw\\n` }}", "{{ nil }}",
    "{{ (args 1).zz }}|{{ (args 1 \"x\").arg1 }}|{{ args 1 2.5 \"s\" true }}",
    # Trim markers and comments.
    "a  {{- 1 -}}  b", "a {{- /* c */ -}} b", "a{{/* comment */}}b", "x\n  {{- $value }}\n",
    # Control structures.
    "{{ if gt $value 1.0 }}big{{ else if lt $value 0.0 }}neg{{ else }}small{{ end }}",
    "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
    "{{ range $labels }}[{{ . }}]{{ else }}none{{ end }}",
    "{{ range $i, $e := args 1 2 3 }}{{ if eq $e 2 }}{{ continue }}{{ end }}{{ $i }}{{ end }}",
    "{{ range $e := args 1 2 3 }}{{ if eq $e 2 }}{{ break }}{{ end }}{{ $e }}{{ end }}",
    "{{ with $labels.inst }}inst={{ . }}{{ else }}no inst{{ end }}",
    "{{ with $labels.missing }}x{{ else }}empty{{ end }}",
    "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
    "{{ $v := humanize $value }}{{ $v }} {{ $v | toUpper }}",
    "{{ if and $value (not false) }}t{{ end }}{{ or 0 \"\" nil }}|{{ and 1 0 2 }}",
    "{{ range (query \"vector(1)\") }}{{ .Value }} {{ .Labels }}{{ end }}",
    "{{ with query \"nomatch\" }}x{{ else }}empty{{ end }}",
    "{{ (query \"vector(2)\" | first).Value }} {{ query \"vector(3)\" | first | value }}",
    "{{ query \"vector(4)\" | first | label \"x\" }}|{{ first (query \"vector(5)\") | strvalue }}",
    "{{ first (query \"nomatch\") }}",
    "{{ range sortByLabel \"x\" (query \"vector(1)\") }}{{ .Value }}{{ end }}",
    "{{ len (query \"vector(1)\") }} {{ index (query \"vector(7)\") 0 | value }}",
    # Go builtins.
    "{{ len $labels }} {{ len \"abc\" }} {{ index $labels \"inst\" }} {{ index \"abc\" 1 }}",
    "{{ slice \"abcdef\" 1 3 }} {{ slice \"abc\" 1 }} {{ slice \"abc\" }}",
    "{{ print 1 2 \"a\" \"b\" 3 }}|{{ println 1 \"a\" }}|{{ print nil }}",
    "{{ html \"<a href='x'>&\\\"\" }} {{ js \"a<b>'\\\"=&\\\\\" }} {{ urlquery \"a b&c=d/é\" }}",
    "{{ eq 1 1 }} {{ eq \"a\" \"b\" \"a\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}",
    "{{ eq $value 1234.5 }} {{ eq $labels.inst \"x y\" }}",
    "{{ not 0 }} {{ not \"\" }} {{ not $labels }} {{ not 0.0 }}",
    "{{ \"x\" | printf \"%s-%s\" \"a\" }}", "{{ 3 | printf \"%d %s\" }}",
    # printf.
    "{{ printf \"%d %5d %-5d| %05d %+d % d %x %X %o %b %c %q %U\" 42 42 42 42 42 42 255 255 8 5 65 65 65 }}",
    "{{ printf \"%f %.2f %8.3f %-8.2f| %08.3f %+.1f %e %E %g %G %.3g %v\" 3.14159 3.14159 3.14159 3.14159 -3.14159 2.5 1234.5678 1234.5678 1e21 1e-7 1234.5678 0.000012 }}",
    "{{ printf \"%s %q %v %x %X %10s|%-10s| %.2s\" \"héllo\" \"a\\\"b\" \"v\" \"hi\" \"hi\" \"r\" \"l\" \"abc\" }}",
    "{{ printf \"%d %s %f %t\" \"a\" 1 \"x\" 1 }}",
    "{{ printf \"%d %d\" 1 }}|{{ printf \"%d\" 1 2 \"x\" }}|{{ printf \"%!\" }}|{{ printf \"%\" }}",
    "{{ printf \"%[2]d %[1]d\" 1 2 }}|{{ printf \"%[3]d\" 1 }}|{{ printf \"%*d|%-*d|\" 5 1 5 2 }}",
    "{{ printf \"%v %s %d\" $labels $labels $labels }}", "{{ printf \"%T %T %T %T %T\" 1 1.5 \"s\" $labels nil }}",
    "{{ printf \"%v %.1f %5.1f %f %g\" $value $value $value $value $value }}",
    "{{ printf \"%t %v %s\" true false true }}", "{{ printf \"%%|%5%|%z\" 1 }}",
    "{{ printf \"%6.2f|%-6.2f|%06.2f|%+f|% f\" $value $value $value $value $value }}",
    # Prometheus' functions.
    "{{ humanize $value }} {{ humanize1024 $value }} {{ humanizeDuration $value }} {{ humanizePercentage $value }} {{ humanizeTimestamp $value }}",
    "{{ humanize 0 }} {{ humanize 999.99 }} {{ humanize 1000 }} {{ humanize 1e26 }} {{ humanize 1e-26 }} {{ humanize -0.0005 }}",
    "{{ humanize1024 1023 }} {{ humanize1024 1024 }} {{ humanize1024 1e30 }} {{ humanize1024 0.5 }} {{ humanize1024 -2048 }}",
    "{{ humanizeDuration 0 }} {{ humanizeDuration 0.5 }} {{ humanizeDuration 59.99 }} {{ humanizeDuration 60 }} {{ humanizeDuration 90061 }} {{ humanizeDuration -90061.5 }} {{ humanizeDuration 1e-12 }}",
    "{{ humanizePercentage 0.5 }} {{ humanizePercentage 1.23456 }} {{ humanizePercentage \"0.0001\" }}",
    "{{ humanizeTimestamp 0 }} {{ humanizeTimestamp 1435065584.128 }} {{ humanizeTimestamp -1.5 }} {{ humanizeTimestamp \"1e9\" }}",
    "{{ humanize \"1.5e3\" }} {{ humanize \"Inf\" }} {{ humanize \"-inf\" }} {{ humanize \"nan\" }} {{ humanize \"0x10\" }}",
    "{{ humanize \"x\" }}", "{{ humanize \"1e999\" }}", "{{ humanize true }}", "{{ humanize $labels }}",
    "{{ humanize nil }}", "{{ humanize (safeHtml \"1\") }}", "{{ humanizeTimestamp 1e20 }}",
    "{{ toTime 1.5 }} {{ toTime \"100\" }}", "{{ toTime \"NaN\" }}",
    "{{ title \"hello wORLD foo_bar a-b\" }} {{ toUpper \"abc é ß\" }} {{ toLower \"ABC É\" }}",
    "{{ reReplaceAll \"(a)(n)?\" \"[$1$2]\" \"banana\" }} {{ reReplaceAll \"x*\" \"-\" \"abc\" }} {{ reReplaceAll \"(?P<w>b)\" \"${w}${w}$$\" \"abc\" }}",
    "{{ reReplaceAll \"^\" \"S\" \"abc\" }} {{ reReplaceAll \"$\" \"E\" \"abc\" }} {{ reReplaceAll \"a|\" \"_\" \"bab\" }} {{ reReplaceAll \"(b)\" \"$1x\" \"abc\" }}",
    "{{ reReplaceAll \"(\" \"\" \"x\" }}", "{{ match \"a[\" \"x\" }}", "{{ reReplaceAll \"a**\" \"\" \"x\" }}",
    "{{ match \"^b.n\" \"banana\" }} {{ match \"^x\" \"banana\" }} {{ match \"(?i)BAN\" \"banana\" }}",
    "{{ safeHtml \"<b>\" }} {{ printf \"%v|%s|%T\" (safeHtml \"x\") (safeHtml \"y\") (safeHtml \"z\") }}",
    "{{ stripPort \"host:80\" }} {{ stripPort \"host\" }} {{ stripPort \"[::1]:80\" }} {{ stripPort \"a:b:c\" }}",
    "{{ stripDomain \"a.b.c:80\" }} {{ stripDomain \"a.b.c\" }} {{ stripDomain \"10.0.0.1:80\" }} {{ stripDomain \"[::1]:80\" }} {{ stripDomain \"[fe80::1%eth0]:80\" }}",
    "{{ graphLink \"up{a=\\\"b\\\"}\" }} {{ tableLink \"rate(x[5m]) > 0\" }}",
    "{{ parseDuration \"1h30m\" }} {{ parseDuration \"1ms\" }} {{ parseDuration \"90d\" }}", "{{ parseDuration \"1.5m\" }}",
    "{{ $labels.inst | reReplaceAll \" \" \"_\" | toUpper }}",
    "{{ with $labels.inst }}{{ . | stripPort | stripDomain }}{{ end }}",
    # Execution errors.
    "{{ .Foo }}", "{{ $labels.inst.x }}", "{{ $value.x }}", "{{ toUpper $value }}",
    "{{ toUpper 1 }}", "{{ humanize 1 2 }}", "{{ printf }}", "{{ eq 1 1.0 }}", "{{ lt 1 \"a\" }}",
    "{{ lt true false }}", "{{ eq $labels $labels }}", "{{ index $labels 1 }}", "{{ index \"abc\" 3 }}",
    "{{ index \"abc\" -1 }}", "{{ index 1 1 }}", "{{ len 1 }}", "{{ len nil }}", "{{ slice \"abc\" 2 1 }}",
    "{{ range $value }}x{{ end }}", "{{ range \"abc\" }}x{{ end }}", "{{ 1 2 }}", "{{ $labels 1 }}",
    "{{ nil }}", "{{ .Value 1 }}", "{{ .Labels.x 1 }}", "{{ first 1 }}", "{{ label 1 2 }}",
    "{{ value \"x\" }}", "{{ print (index $labels \"x\") | len }}", "{{ 99999999999999999999 }}",
    "{{ toUpper nil }}", "{{ eq }}", "{{ and }}", "{{ not 1 2 }}", "{{ call 1 }}",
    "line1\nline2 {{ humanize \"x\" }}", "{{ if humanize \"x\" }}{{ end }}",
    "{{ $x := humanize \"bad\" }}", "{{ template \"x\" }}",
    # define, template, block.
    "{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" $value }}{{ template \"x\" }}",
    "{{ block \"b\" $labels }}{{ .inst }}{{ end }}|{{ template \"b\" }}",
    "{{ define \"e\" }}{{ humanize . }}{{ end }}{{ template \"e\" \"bad\" }}",
    "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"nope\" }}",
    "{{ define \"v\" }}{{ $x := 1 }}{{ $x }}{{ end }}{{ template \"v\" }}{{ template \"v\" }}",
    # Parse errors.
    "{{ foo }}", "{{ if }}", "{{ end }}", "{{ else }}", "{{ if 1 }}", "{{ range $i, $e, $f := . }}{{ end }}",
    "{{ $undefined }}", "{{ 1 | 2 }}", "{{ \"unterminated }}", "{{ `unterminated }}", "{{ (1 }}",
    "{{ 1) }}", "{{ .a.b. }}", "{{ 1.a }}", "{{ 'ab' }}", "{{ 0x }}", "{{ 1e }}", "{{ break }}",
    "{{ # }}", "{{ $x := }}", "{{ , }}", "{{ /* unclosed comment }}", "{{/* x */ 1 }}",
    "{{ \"a\" . }}", "{{ if 1 }}{{ else }}{{ else }}{{ end }}", "{{ with 1 }}{{ else if 2 }}{{ end }}",
    "{{", "x {{ 1 }", "a\n{{ if 1 }}\nb", "{{ print \"\\q\" }}", "{{ .x | 1 }}", "{{ $labels.a.b.c }}",
    "{{ define \"x\" }}{{ end }}", "{{ @ }}", "{{ nil.x }}", "{{ ( ) }}", "{{ -}}",
    "{{- -}}", "{{ 1 -}}x", "{{ $labels.héllo }}", "{{ $labels.日本 }}", "{{ $labels.a€ }}",
    "{{ €x }}", "{{ .Ωmega }}", "{{ $x٣ := 1 }}{{ $x٣ }}", "{{ 0x1i }}", "{{ 1i }} {{ 1+2i }} {{ -1.5-0.5i }} {{ 0i }}",
    "{{ printf \"%v %.2f %e %d %+v %8.1f|\" 1i 1+2i -1e3i 2i 3i 1.5i }} {{ eq 1i 1i }} {{ lt 1i 2i }}",
    "{{ toTime 1i.5 }}", "{{ true.x }}", "{{ 'a }}", "{{ \"a\"\n }}", "{{ }}", "{{ 1 :}}",
]


def go_unquote(s):
    """strconv.Unquote of a double-quoted Go string (without the quotes) to str."""
    out = bytearray()
    i = 0
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34, "'": 39}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = s[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif e == "u":
            out += chr(int(s[i + 2:i + 6], 16)).encode("utf-8", "surrogatepass")
            i += 6
        elif e == "U":
            out += chr(int(s[i + 2:i + 10], 16)).encode("utf-8")
            i += 10
        else:
            out += bytes(int(s[i + 1:i + 4], 8))
            i += 4
    return out.decode("utf-8", "surrogateescape")


def cli_escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def cli_unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def yq(s):
    """A YAML double-quoted scalar."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20 or o == 0x7F or 0xD800 <= o <= 0xDFFF or o in (0x85, 0xFEFF, 0x2028, 0x2029):
            out.append("\\x%02x" % o if o < 0x100 else "\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def promql_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def random_cases(rng, n):
    vals = ["$value", ".Value", "0", "1", "-1", "1.5", "1e-05", "123456789", "1e6", "0.1",
            '"1234.5"', '"x"', '"NaN"', '"+Inf"', '"-Inf"', '"1e-05"', '""', "true", "false",
            "$labels.inst", "$labels.missing", "(len $labels)", ".Labels", "0x1F", "'a'",
            '"héllo wörld"', "(humanize $value)", "(args 1 2)", "nil", "-0.5", "100000"]
    fmts = ["%s", "%d", "%f", "%.2f", "%5.1f", "%-8s|", "%08.3f", "%g", "%.3g", "%e", "%E",
            "%v", "%q", "%x", "%X", "%t", "%%", "%c", "%U", "%+d", "% d", "%5d", "%-5d|",
            "%05d", "%.0f", "%10.4e", "%+.3g", "%#x", "%#v", "%+v", "%o", "%b", "%.1s", "%6.2v"]
    unary = ["humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
             "humanizeTimestamp", "toUpper", "toLower", "title", "len", "not", "html", "js",
             "urlquery", "print", "println", "safeHtml", "stripPort", "stripDomain",
             "parseDuration", "toTime", "graphLink", "tableLink"]
    binary = ["eq", "ne", "lt", "le", "gt", "ge", "and", "or", "index", "print", "match"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            v = rng.choice(vals)
            if r < 0.35:
                act = "%s %s" % (rng.choice(unary), v)
            elif r < 0.65:
                k = rng.randint(1, 2)
                f = " ".join(rng.choice(fmts) for _ in range(k))
                args = " ".join(rng.choice(vals) for _ in range(rng.choice([k, k, k, k - 1, k + 1])))
                act = "printf %s %s" % ('"' + f + '"', args)
            elif r < 0.8:
                act = "%s %s %s" % (rng.choice(binary), v, rng.choice(vals))
            elif r < 0.9:
                act = "%s | %s" % (v, rng.choice(unary))
            else:
                act = v
            trim_l = rng.choice(["{{ ", "{{- ", "{{"])
            trim_r = rng.choice([" }}", " -}}", "}}"])
            if trim_l == "{{" and act[0] in "-0123456789":
                trim_l = "{{ "
            if trim_r == "}}" and act.endswith("-"):
                trim_r = " }}"
            parts.append(rng.choice(["", " ", "x ", "\n"]) + trim_l + act + trim_r)
        out.append("".join(parts))
    return out


def mutated_cases(rng, n):
    """Table templates with 1-3 random edits: mostly parse errors, some odd
    but valid templates. Templates using define/template are left out (Go
    allows 100000 nested calls where Strata stops at 100), and so are those
    calling query (a mutated PromQL expression needs the real engine)."""
    alphabet = ['{', '}', '(', ')', '|', '$', '.', '-', '"', "'", '`', ' ', ',', ':', '=',
                '/', '*', '\\', 'a', '1', 'e', '\n']
    pool = [t for t in TABLE if "template" not in t and "define" not in t and "block" not in t
            and "query" not in t  # the CLI's stand-in for PromQL has no parse errors
            and "xternalURL" not in t]  # externalURL panics in promtool
    out = []
    for _ in range(n):
        t = list(rng.choice(pool))
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(t) + 1)
            op = rng.random()
            if op < 0.4 and t:
                del t[min(k, len(t) - 1)]
            elif op < 0.8:
                t.insert(k, rng.choice(alphabet))
            elif t:
                j = rng.randrange(len(t))
                t.insert(k, t[j])
        out.append("".join(t))
    return out


def run(cli, cases, workdir):
    """Returns a list of mismatch descriptions."""
    # cases: list of (value, labels dict, template)
    lines = []
    for i, (value, labels, tmpl) in enumerate(cases):
        full = dict(labels, __name__="m", case=str(i))
        lab = ";".join("%s=%s" % (k, cli_escape(v)) for k, v in sorted(full.items()))
        gv = {"Inf": "+Inf"}.get(value, value)
        lines.append("\t".join(["T%d" % i, gv, lab, cli_escape(tmpl)]))
    p = subprocess.run([cli], input="\n".join(lines) + "\n", capture_output=True, text=True,
                       errors="surrogateescape", timeout=300)
    outs = p.stdout.split("\n")[:len(cases)]
    if p.returncode != 0 or len(outs) != len(cases):
        return ["strata_template_cli failed: rc=%d %s" % (p.returncode, p.stderr[:500])]
    expected, parse_errors = {}, {}
    for i, o in enumerate(outs):
        if o.startswith("PARSE_ERROR\t"):
            parse_errors[i] = cli_unescape(o[len("PARSE_ERROR\t"):])
        else:
            expected[i] = cli_unescape(o)
    problems = []

    # Parse errors: `promtool check rules` must report exactly these.
    if parse_errors:
        rl = ["groups:", "- name: g", "  rules:"]
        for i in sorted(parse_errors):
            rl += ["  - alert: T%d" % i, "    expr: m", "    annotations:",
                   "      a: %s" % yq(cases[i][2])]
        path = os.path.join(workdir, "parse_errors.yml")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(rl) + "\n")
        p = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True,
                           errors="surrogateescape", timeout=300)
        got = {}
        for line in (p.stdout + p.stderr).split("\n"):
            m = re.match(r'.*?: group "g", rule (\d+), "T(\d+)": annotation "a": (.*)$', line)
            if m:
                got[int(m.group(2))] = m.group(3)
        for i in sorted(parse_errors):
            if got.get(i) != parse_errors[i]:
                problems.append("parse error of %r:\n  strata:   %r\n  promtool: %r" %
                                (cases[i][2], parse_errors[i], got.get(i)))

    # Expansions: `promtool test rules` with Strata's results as expectations.
    todo = sorted(expected)
    for _attempt in range(5):
        if not todo:
            break
        rl = ["groups:", "- name: g", "  rules:"]
        series, tests = [], []
        for i in todo:
            value, labels, tmpl = cases[i]
            rl += ["  - alert: T%d" % i, "    expr: m{case=\"%d\"}" % i, "    annotations:",
                   "      a: %s" % yq(tmpl)]
            sel = ",".join(["case=\"%d\"" % i] + ["%s=%s" % (k, promql_quote(v))
                                                  for k, v in sorted(labels.items())])
            series += ["  - series: %s" % yq("m{%s}" % sel), "    values: %s" % yq(value)]
            el = ", ".join(["case: %s" % yq(str(i))] + ["%s: %s" % (k, yq(v))
                                                        for k, v in sorted(labels.items())])
            tests += ["  - eval_time: 0", "    alertname: T%d" % i, "    exp_alerts:",
                      "    - exp_labels: {%s}" % el,
                      "      exp_annotations: {a: %s}" % yq(expected[i])]
        with open(os.path.join(workdir, "rules.yml"), "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write("\n".join(rl) + "\n")
        with open(os.path.join(workdir, "test.yml"), "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write("\n".join(["rule_files: [rules.yml]", "evaluation_interval: 1m", "tests:",
                               "- interval: 1m", "  input_series:"] + series +
                              ["  alert_rule_test:"] + tests) + "\n")
        p = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=workdir,
                           capture_output=True, text=True, errors="surrogateescape", timeout=600)
        out = p.stdout + p.stderr
        if p.returncode == 0:
            break
        # A rule Strata parsed but Prometheus did not: the whole file fails to load.
        load = re.findall(r'group "g", rule \d+, "T(\d+)": annotation "a": (.*)', out)
        if load:
            bad = set()
            for idx, msg in load:
                bad.add(int(idx))
                problems.append("Strata parsed %r, promtool: %s" % (cases[int(idx)][2], msg))
            todo = [i for i in todo if i not in bad]
            continue
        blocks = re.split(r"\n\s+alertname: ", out)
        failed = False
        for b in blocks[1:]:
            m = re.match(r"T(\d+), time", b)
            if not m:
                continue
            i = int(m.group(1))
            g = b.split("got:[", 1)[1] if "got:[" in b else ""
            am = re.search(r'Annotations:\{a="((?:[^"\\]|\\.)*)"\}', g)
            got = go_unquote(am.group(1)) if am else "<no alert: %s>" % g.strip()[:200]
            problems.append("expansion of %r (value %s, labels %r):\n  strata:   %r\n  promtool: %r"
                            % (cases[i][2], cases[i][0], cases[i][1], expected[i], got))
            failed = True
        if not failed:
            problems.append("promtool test rules failed:\n" + out[:3000])
        break
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--seed", type=int, default=20260603)
    ap.add_argument("--random", type=int, default=600)
    ap.add_argument("--mutated", type=int, default=400)
    ap.add_argument("--only-table", action="store_true")
    args = ap.parse_args()
    if shutil.which("promtool") is None:
        print("promtool not found; skipping")
        return 77
    rng = random.Random(args.seed)
    cases = []
    for i, t in enumerate(TABLE):
        labels = {"inst": "x y"} if i % 3 else {"inst": rng.choice(LABEL_VALUES), "job": "j"}
        cases.append((VALUES[i % len(VALUES)], labels, t))
    if not args.only_table:
        for t in random_cases(rng, args.random):
            labels = {"inst": rng.choice(LABEL_VALUES)}
            if rng.random() < 0.5:
                labels["other"] = rng.choice(LABEL_VALUES)
            cases.append((rng.choice(VALUES), labels, t))
        for t in mutated_cases(rng, args.mutated):
            cases.append((rng.choice(VALUES), {"inst": rng.choice(LABEL_VALUES)}, t))
    with tempfile.TemporaryDirectory() as d:
        problems = run(args.cli, cases, d)
    for p in problems:
        print(p)
    print("%d cases, %d mismatches (seed %d)" % (len(cases), len(problems), args.seed))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
