#!/usr/bin/env python3
"""Check Strata's scripted PromQL tests against the real Prometheus 2.x engine.

Strata's `.test` files (tests/promql/testdata/) are written from Prometheus'
documented behaviour. This script takes the files whose semantics are the same
in Prometheus 2.x (`common/` and `v2/`), turns every expectation that
`promtool test rules` can express into a rules unit test, runs the installed
`promtool` (Prometheus 2.42 here) and reports each expectation Prometheus
disagrees with as FILE:LINE.

What is checked:
  * `eval instant at T Q` (also `eval_fail`, `eval_ordered`, old format) with
    an expected instant vector, an expected scalar or an expected empty
    result. A scalar expectation is additionally type-checked (Q must be a
    scalar; an expected `{}` series must not be one).
  * `expect fail` / `eval_fail`: Q must fail at execution; a `msg:`/`regex:`
    is compared with Prometheus' error text.
  * `eval range from A to B step S Q`: decomposed into one instant check per
    step (a range query's step t equals the instant query at t), unless Q
    uses `start()`/`end()` (which differ between the two).
What is skipped (and counted): `expect string`, `expect range vector`,
failing range evals, and evals right below a `# no-promtool: <why>` line. Annotation expectations (`expect warn/info/...`) are not
checked (Prometheus 2.42 has no annotations) but the result of such an eval
is. Ordered expectations are checked as a set; the order is not checkable.

Float comparison follows the runner: relative tolerance 1e-6, NaN == NaN.
promtool compares exactly, so every promtool mismatch is re-compared here
with the tolerance from promtool's printed `got:` values.

Loads are re-expanded into explicit samples at the gcd of all timestamps, so
several load blocks with different steps can share one promtool test group.
Each checked expectation becomes one YAML file (one test group), and all
files go to a few promtool invocations. promtool only loads samples up to the
largest eval_time of a group, so every group gets a dummy alert_rule_test at
the last sample's time; `evaluation_interval` stays 1m because promtool also
uses it as the default subquery step.

Usage: check_with_promtool.py [--promtool PATH] [-v] [--keep DIR] [FILE|DIR ...]
Default inputs: testdata/common and testdata/v2 next to this script.
Exit status: 0 all agree, 1 any disagreement or unreadable file, 77 promtool
not found.
"""

import argparse
import concurrent.futures
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from math import gcd

class _Stale:
    """Marker for a staleness marker sample in loaded data."""

    def __repr__(self):
        return "stale"


STALE = _Stale()

# ---------------------------------------------------------------------------
# Durations and numbers


_DUR_RE = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_DUR_UNITS = {"y": 365 * 86400000, "w": 7 * 86400000, "d": 86400000,
              "h": 3600000, "m": 60000, "s": 1000, "ms": 1}
_DUR_ORDER = ["y", "w", "d", "h", "m", "s", "ms"]


def parse_duration(s):
    """Prometheus model.ParseDuration: units in decreasing order, or '0'."""
    s = s.strip()
    if s == "0":
        return 0
    pos, total, last = 0, 0, -1
    while pos < len(s):
        m = _DUR_RE.match(s, pos)
        if not m:
            raise ValueError("invalid duration %r" % s)
        idx = _DUR_ORDER.index(m.group(2))
        if idx <= last:
            raise ValueError("invalid duration %r" % s)
        last = idx
        total += int(m.group(1)) * _DUR_UNITS[m.group(2)]
        pos = m.end()
    if pos == 0:
        raise ValueError("invalid duration %r" % s)
    return total


def fmt_duration(ms):
    if ms % 1000 == 0:
        return "%ds" % (ms // 1000)
    return "%dms" % ms


_NUM = r"[+-]?(?:(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])"
_NUM_RE = re.compile(_NUM)


def parse_number(tok):
    t = tok.replace("_", "")
    low = t.lower().lstrip("+-")
    if low in ("inf", "nan"):
        v = float(low)
        return -v if t.startswith("-") else v
    return float(t)


def parse_expected_number(s):
    """A bare expected scalar: Go ParseInt(base 0) else ParseFloat."""
    s = s.strip()
    try:
        return float(int(s, 0))
    except ValueError:
        pass
    low = s.lower()
    if low in ("nan", "+nan", "-nan"):
        return float("nan")
    if low in ("inf", "+inf", "infinity", "+infinity"):
        return float("inf")
    if low in ("-inf", "-infinity"):
        return float("-inf")
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        return float(s)
    return None


# ---------------------------------------------------------------------------
# Series descriptions: `name{l="v"} values`


class ParseError(Exception):
    pass


_GO_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                  "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"'}


def unquote(s, i):
    """Parse a PromQL/Go string literal starting at s[i]; return (value, end)."""
    q = s[i]
    if q == "`":
        j = s.index("`", i + 1)
        return s[i + 1:j], j + 1
    if q not in "\"'":
        raise ParseError("expected string at %r" % s[i:])
    out = []
    raw = bytearray()  # pending \x / octal bytes

    def flush():
        if raw:
            out.append(raw.decode("utf-8", "replace"))
            raw.clear()
    j = i + 1
    while j < len(s):
        c = s[j]
        if c == q:
            flush()
            return "".join(out), j + 1
        if c == "\\":
            e = s[j + 1]
            if e in _GO_SIMPLE_ESC:
                flush()
                out.append(_GO_SIMPLE_ESC[e])
                j += 2
            elif e == "x":
                raw.append(int(s[j + 2:j + 4], 16))
                j += 4
            elif e in "01234567":
                raw.append(int(s[j + 1:j + 4], 8))
                j += 4
            elif e == "u":
                flush()
                out.append(chr(int(s[j + 2:j + 6], 16)))
                j += 6
            elif e == "U":
                flush()
                out.append(chr(int(s[j + 2:j + 10], 16)))
                j += 10
            else:
                raise ParseError("bad escape in %r" % s[i:])
            continue
        flush()
        out.append(c)
        j += 1
    raise ParseError("unterminated string in %r" % s[i:])


_IDENT_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LNAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _skip_ws(s, i):
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def parse_labels_at(s, i, name_re=_LNAME_RE):
    """Parse `{a="b", ...}` at s[i]; supports quoted names and a bare quoted
    metric name inside the braces. Returns (dict, end)."""
    assert s[i] == "{"
    labels = {}
    i = _skip_ws(s, i + 1)
    while True:
        if s[i] == "}":
            return labels, i + 1
        if s[i] in "\"'`":
            name, i = unquote(s, i)
            i = _skip_ws(s, i)
            if s[i] in ",}":  # bare quoted metric name
                labels["__name__"] = name
                if s[i] == ",":
                    i = _skip_ws(s, i + 1)
                continue
        else:
            m = name_re.match(s, i)
            if not m:
                raise ParseError("bad label name at %r" % s[i:])
            name, i = m.group(0), m.end()
        i = _skip_ws(s, i)
        if s[i] != "=":
            raise ParseError("expected '=' at %r" % s[i:])
        i = _skip_ws(s, i + 1)
        val, i = unquote(s, i)
        labels[name] = val
        i = _skip_ws(s, i)
        if s[i] == ",":
            i = _skip_ws(s, i + 1)
        elif s[i] != "}":
            raise ParseError("expected ',' or '}' at %r" % s[i:])


def parse_series_line(line):
    """Split `metric{...} values...` into (labels dict, values text)."""
    i = 0
    labels = {}
    m = _IDENT_RE.match(line, 0)
    if m:
        labels["__name__"] = m.group(0)
        i = m.end()
    if i < len(line) and line[i] == "{":
        more, i = parse_labels_at(line, i)
        labels.update(more)
    if i == 0:
        raise ParseError("bad series %r" % line)
    return labels, line[i:].strip()


_ITEM_RE = re.compile(r"^(" + _NUM + r")(?:([+-])(" + _NUM + r"))?(?:x(\d+))?$")


def expand_values(text):
    """Expand the value notation into a list of float | STALE | None (omitted)."""
    out = []
    for item in text.split():
        if item == "_":
            out.append(None)
            continue
        m = re.fullmatch(r"_x(\d+)", item)
        if m:
            out.extend([None] * int(m.group(1)))
            continue
        if item.lower() == "stale":
            out.append(STALE)
            continue
        if item.startswith("{{"):
            raise ParseError("native histograms are not supported: %r" % item)
        m = _ITEM_RE.match(item)
        if not m:
            try:
                out.append(parse_duration(item) / 1000.0)
                continue
            except ValueError:
                raise ParseError("bad value item %r" % item)
        a = parse_number(m.group(1))
        if m.group(2):
            if m.group(4) is None:
                raise ParseError("bad value item %r" % item)
            b = parse_number(m.group(3))
            n = int(m.group(4))
            out.append(a)
            for _ in range(n):  # cumulative, like Prometheus' series parser
                a = a + b if m.group(2) == "+" else a - b
                out.append(a)
        elif m.group(4) is not None:
            out.extend([a] * (int(m.group(4)) + 1))
        else:
            out.append(a)
    return out


# ---------------------------------------------------------------------------
# The test file


class Eval:
    def __init__(self, path, line):
        self.path, self.line = path, line
        self.range = False
        self.start = self.end = self.step = 0
        self.query = ""
        self.fail = False
        self.fail_msg = None
        self.fail_regex = None
        self.ordered = False
        self.annotations = False
        self.expect_string = None
        self.range_vector = False
        self.scalar = None
        self.series = []  # (labels, [values])
        self.state = None  # data snapshot index
        self.no_promtool = None  # reason from a "# no-promtool: ..." line above


# A comment line right above an eval that promtool cannot check, with why.
_NO_PROMTOOL = "# no-promtool:"
_PAT_LOAD = re.compile(r"^load(?:_with_nhcb)?\s+(.+?)$", re.I)
_PAT_INSTANT = re.compile(
    r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$", re.I)
_PAT_RANGE = re.compile(
    r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$", re.I)
_PAT_EXPECT = re.compile(
    r"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$")


def parse_file(path):
    """Returns (states, evals): states[i] = {labelkey: (labels, {ts: value})}
    as of eval i's position; each Eval.state indexes states."""
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    lines = []
    for l in raw:
        l = l.strip()
        lines.append("" if l.startswith("#") else l)

    data = {}  # key -> (labels, {ts: value})
    states = []
    dirty = True
    evals = []
    i = 0
    while i < len(lines):
        l = lines[i]
        if not l:
            i += 1
            continue
        word = l.split()[0].lower()
        if word == "clear":
            data = {}
            dirty = True
            i += 1
            continue
        if word.startswith("load"):
            m = _PAT_LOAD.match(l)
            if not m:
                raise ParseError("%s:%d: bad load command" % (path, i + 1))
            step = parse_duration(m.group(1))
            block = {}
            i += 1
            while i < len(lines) and lines[i]:
                if lines[i].split(None, 1)[0].endswith("@st"):
                    raise ParseError("%s:%d: @st lines are not supported" % (path, i + 1))
                try:
                    labels, vtext = parse_series_line(lines[i])
                    vals = expand_values(vtext)
                except (ParseError, ValueError) as e:
                    raise ParseError("%s:%d: %s" % (path, i + 1, e))
                block[label_key(labels)] = (labels, vals)
                i += 1
            for key, (labels, vals) in block.items():
                _, samples = data.setdefault(key, (labels, {}))
                for pos, v in enumerate(vals):
                    if v is not None:
                        samples[pos * step] = v
            dirty = True
            continue
        if word.startswith("eval"):
            ev = Eval(path, i + 1)
            above = raw[i - 1].strip() if i > 0 else ""
            if above.startswith(_NO_PROMTOOL):
                ev.no_promtool = above[len(_NO_PROMTOOL):].strip()
            m = _PAT_INSTANT.match(l)
            mr = _PAT_RANGE.match(l)
            if m:
                mod = (m.group(1) or "").lower()
                ev.start = ev.end = parse_duration(m.group(2) or "0")
                ev.query = m.group(3)
            elif mr:
                mod = (mr.group(1) or "").lower()
                ev.range = True
                ev.start = parse_duration(mr.group(2))
                ev.end = parse_duration(mr.group(3))
                ev.step = parse_duration(mr.group(4))
                ev.query = mr.group(5)
            else:
                raise ParseError("%s:%d: bad eval command" % (path, i + 1))
            ev.fail = mod == "fail"
            ev.ordered = mod == "ordered"
            ev.annotations = mod in ("warn", "info")
            i += 1
            while i < len(lines) and lines[i]:
                b = lines[i]
                me = _PAT_EXPECT.match(b)
                if me:
                    kind = me.group(1)
                    if kind == "fail":
                        ev.fail = True
                        if me.group(2) == "msg":
                            ev.fail_msg = me.group(3).strip()
                        elif me.group(2) == "regex":
                            ev.fail_regex = me.group(3).strip()
                    elif kind == "ordered":
                        ev.ordered = True
                    else:
                        ev.annotations = True
                    i += 1
                    continue
                if b.startswith("expected_fail_message "):
                    ev.fail_msg = b[len("expected_fail_message "):].strip()
                    i += 1
                    continue
                if b.startswith("expected_fail_regexp "):
                    ev.fail_regex = b[len("expected_fail_regexp "):].strip()
                    i += 1
                    continue
                if b.startswith("expect range vector"):
                    ev.range_vector = True
                    i += 1
                    continue
                if b.startswith("expect string"):
                    ev.expect_string = b[len("expect string"):].strip()
                    i += 1
                    continue
                num = parse_expected_number(b)
                if num is not None:
                    ev.scalar = num
                    i += 1
                    continue
                try:
                    labels, vtext = parse_series_line(b)
                    vals = expand_values(vtext)
                except (ParseError, ValueError) as e:
                    raise ParseError("%s:%d: %s" % (path, i + 1, e))
                ev.series.append((labels, vals, i + 1))
                i += 1
            if dirty:
                states.append({k: (lab, dict(s)) for k, (lab, s) in data.items()})
                dirty = False
            ev.state = len(states) - 1
            evals.append(ev)
            continue
        raise ParseError("%s:%d: unknown command %r" % (path, i + 1, l))
    return states, evals


def label_key(labels):
    return tuple(sorted(labels.items()))


# ---------------------------------------------------------------------------
# promtool YAML generation


def promql_string(v):
    return json.dumps(v, ensure_ascii=False)


def render_labels(labels):
    items = sorted(labels.items())
    return "{" + ", ".join("%s=%s" % (k, promql_string(v)) for k, v in items) + "}"


def render_value(v):
    if v is STALE:
        return "stale"
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return repr(v)


def yaml_float(v):
    if math.isnan(v):
        return ".nan"
    if math.isinf(v):
        return ".inf" if v > 0 else "-.inf"
    return repr(v)


def build_input_series(state):
    """Returns (interval_ms, [(series, values)], last_ts)."""
    stamps = set()
    for _, samples in state.values():
        stamps.update(samples)
    g = 0
    for t in stamps:
        g = gcd(g, t)
    if g == 0:
        g = 60000
    last = max(stamps) if stamps else 0
    out = []
    for key in sorted(state):
        labels, samples = state[key]
        if not samples:
            continue
        items, gap = [], 0
        for pos in range(0, max(samples) // g + 1):
            t = pos * g
            if t in samples:
                if gap:
                    items.append("_" if gap == 1 else "_x%d" % gap)
                    gap = 0
                items.append(render_value(samples[t]))
            else:
                gap += 1
        out.append((render_labels(labels), " ".join(items)))
    return g, out, last


class Check:
    """One instant query to run through promtool."""

    def __init__(self, ev, time_ms, expected, what, typecheck=None):
        self.ev = ev
        self.time = time_ms
        self.expected = expected  # list of (labels, value, line) or None for fail
        self.what = what  # human-readable description
        self.typecheck = typecheck  # None | "scalar" | "vector"
        self.query = ev.query if typecheck is None else "scalar(%s)" % ev.query


def make_yaml(check, state_yaml):
    interval, series, last = state_yaml
    dummy = max(60000, -(-last // 60000) * 60000)
    test = {
        "interval": fmt_duration(interval),
        "input_series": [{"series": s, "values": v} for s, v in series],
        "alert_rule_test": [{"eval_time": fmt_duration(dummy), "alertname": "StrataCheckDummy"}],
    }
    # Build the YAML by hand (JSON syntax, which YAML accepts) so that float
    # specials can be written as YAML's .nan/.inf.
    exp = ""
    if check.expected and check.typecheck is None:
        parts = []
        for labels, v, _ in check.expected:
            parts.append('{"labels": %s, "value": %s}' % (
                json.dumps(render_labels(labels), ensure_ascii=False), yaml_float(v)))
        exp = ', "exp_samples": [%s]' % ", ".join(parts)
    pet = '[{"expr": %s, "eval_time": %s%s}]' % (
        json.dumps(check.query, ensure_ascii=False), json.dumps(fmt_duration(check.time)), exp)
    body = json.dumps(test, ensure_ascii=False)
    body = body[:-1] + ', "promql_expr_test": ' + pet + "}"
    return ('{"rule_files": [], "evaluation_interval": "1m", "tests": [%s]}\n' % body)


# ---------------------------------------------------------------------------
# promtool output parsing


def parse_go_labels(s, i):
    """Parse Go labels.String() output `{a="b", c="d"}` at s[i]."""
    return parse_labels_at(s, i, name_re=_LNAME_RE)


def parse_got(text):
    """Parse promtool's `got:` list: `{..} 1E+00, {..} NaN` or `nil`."""
    text = text.strip()
    if text == "nil":
        return []
    out = []
    i = 0
    while i < len(text):
        labels, i = parse_go_labels(text, i)
        i = _skip_ws(text, i)
        m = re.compile(r"[^,\s]+").match(text, i)
        out.append((labels, parse_number(m.group(0))))
        i = m.end()
        if text.startswith(", ", i):
            i += 2
        else:
            i = _skip_ws(text, i)
    return out


def parse_promtool_output(out):
    """Returns {filename: ("ok",) | ("err", msg) | ("got", samples) | ("infra", text)}."""
    results = {}
    sections = re.split(r"^Unit Testing:\s+(.*)$", out, flags=re.M)
    # sections: [pre, name1, body1, name2, body2, ...]
    for k in range(1, len(sections), 2):
        name = sections[k].strip()
        body = sections[k + 1]
        if "SUCCESS" in body and "FAILED" not in body:
            results[name] = ("ok",)
            continue
        m = re.search(r'^    expr: .*, time: [^,\n]*, err: (.*)$', body, flags=re.M)
        if m:
            results[name] = ("err", m.group(1).strip())
            continue
        m = re.search(r"^\s+got: (.*)$", body, flags=re.M)
        if m:
            try:
                results[name] = ("got", parse_got(m.group(1)))
            except Exception as e:  # noqa: BLE001 - report unparsable output
                results[name] = ("infra", "cannot parse promtool output %r: %s" % (m.group(1), e))
            continue
        results[name] = ("infra", body.strip())
    return results


# ---------------------------------------------------------------------------
# Comparison


_MIN_NORMAL = 2.2250738585072014e-308


def almost_equal(a, b, eps=1e-6):
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    d = abs(a - b)
    s = abs(a) + abs(b)
    if a == 0 or b == 0 or s < _MIN_NORMAL:
        return d < eps * _MIN_NORMAL
    return d / min(s, sys.float_info.max) < eps


def compare(expected, got):
    """Return None if equal as sets (with tolerance), else a description."""
    exp = {label_key(l): (v, line) for l, v, line in expected}
    problems = []
    seen = set()
    for labels, v in got:
        k = label_key(labels)
        if k not in exp:
            problems.append("unexpected %s %s" % (render_labels(labels), render_value(v)))
            continue
        seen.add(k)
        ev, line = exp[k]
        if not almost_equal(ev, v):
            problems.append("line %d: %s expected %s, Prometheus says %s" % (
                line, render_labels(labels), render_value(ev), render_value(v)))
    for k, (ev, line) in exp.items():
        if k not in seen:
            problems.append("line %d: missing %s %s" % (line, render_labels(dict(k)), render_value(ev)))
    return "; ".join(problems) if problems else None


# ---------------------------------------------------------------------------
# Driver


class Stats:
    def __init__(self):
        self.evals = 0
        self.checked = 0  # expectations (queries) checked
        self.passed = 0
        self.failed = 0
        self.skipped = {}
        self.skipped_at = []
        self.notes = {}

    def skip(self, why, ev=None):
        self.skipped[why] = self.skipped.get(why, 0) + 1
        if ev is not None:
            self.skipped_at.append("%s:%d: %s" % (os.path.relpath(ev.path), ev.line, why))

    def note(self, why):
        self.notes[why] = self.notes.get(why, 0) + 1


_CTX_FUNCS = re.compile(r"\b(start|end|range|step)\s*\(\s*\)")


def plan_checks(ev, stats):
    """Turn an eval into Check objects (or count it as skipped)."""
    if ev.no_promtool:
        stats.skip("marked no-promtool: " + ev.no_promtool, ev)
        return []
    if ev.expect_string is not None:
        stats.skip("string result", ev)
        return []
    if ev.range_vector:
        stats.skip("expect range vector (matrix result)", ev)
        return []
    if ev.annotations:
        stats.note("annotation expectations not checked (result checked)")
    if ev.fail:
        if ev.range:
            stats.skip("expect fail on a range eval", ev)
            return []
        return [Check(ev, ev.start, None, "expected failure")]
    if ev.ordered:
        stats.note("ordered: values checked as a set, order not checked")
    if ev.range:
        if _CTX_FUNCS.search(ev.query):
            stats.skip("range eval using start()/end() (not decomposable)", ev)
            return []
        checks = []
        n = (ev.end - ev.start) // ev.step + 1 if ev.step else 1
        for k in range(n):
            t = ev.start + k * ev.step
            exp = []
            for labels, vals, line in ev.series:
                if k < len(vals) and vals[k] is not None:
                    if vals[k] is STALE:
                        raise ParseError("%s:%d: stale in expected range value" % (ev.path, line))
                    exp.append((labels, vals[k], line))
            checks.append(Check(ev, t, exp, "step %s" % fmt_duration(t)))
        stats.note("range evals checked step by step")
        return checks
    if ev.scalar is not None:
        return [Check(ev, ev.start, [({}, ev.scalar, ev.line)], "scalar"),
                Check(ev, ev.start, None, "result type is scalar", typecheck="scalar")]
    exp = []
    for labels, vals, line in ev.series:
        if len(vals) != 1 or vals[0] is None or vals[0] is STALE:
            raise ParseError("%s:%d: an instant expectation needs exactly one value" % (ev.path, line))
        exp.append((labels, vals[0], line))
    checks = [Check(ev, ev.start, exp, "instant")]
    if len(exp) == 1 and not exp[0][0]:
        checks.append(Check(ev, ev.start, None, "result type is vector", typecheck="vector"))
    return checks


def judge(check, res):
    """Return None if Prometheus agrees, else a message."""
    ev = check.ev
    kind = res[0]
    if kind == "infra":
        return "promtool could not run this check: %s" % res[1]
    if check.typecheck == "scalar":
        if kind == "err" and "got scalar" in res[1]:
            return None
        return "expected a scalar result, but Prometheus' result is not a scalar (%s)" % (
            res[1] if kind == "err" else "scalar() accepted it")
    if check.typecheck == "vector":
        if kind == "err" and "got scalar" in res[1]:
            return "expected an instant vector {}, but Prometheus returns a scalar"
        return None
    if check.expected is None:  # expected failure
        if kind != "err":
            return "expected an execution error, but the query succeeded"
        msg = res[1]
        if "parse error" in msg:
            return "query does not parse in Prometheus 2.x: %s" % msg
        if ev.fail_msg is not None and ev.fail_msg != msg:
            return "error message differs: expected %r, Prometheus says %r" % (ev.fail_msg, msg)
        if ev.fail_regex is not None and not re.search(ev.fail_regex, msg):
            return "error message %r does not match regex %r" % (msg, ev.fail_regex)
        return None
    if kind == "err":
        return "Prometheus fails: %s" % res[1]
    if kind == "ok":
        return None
    return compare(check.expected, res[1])


def run_promtool(promtool, files, cwd):
    proc = subprocess.run([promtool, "test", "rules"] + files, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    return parse_promtool_output(proc.stdout)


def default_inputs():
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(here, "testdata", "common"), os.path.join(here, "testdata", "v2")]


def collect_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files.extend(sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".test")))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help=".test files or directories (default: testdata/common, testdata/v2)")
    ap.add_argument("--promtool", default=os.environ.get("PROMTOOL", "promtool"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list every check")
    ap.add_argument("--keep", metavar="DIR", help="write the YAML files to DIR and keep them")
    ap.add_argument("-j", "--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    args = ap.parse_args()

    promtool = shutil.which(args.promtool)
    if not promtool:
        print("check_with_promtool: promtool not found (set --promtool or PROMTOOL)", file=sys.stderr)
        return 77

    files = collect_files(args.paths or default_inputs())
    if not files:
        print("check_with_promtool: no .test files found", file=sys.stderr)
        return 1
    stats = Stats()
    checks = []
    state_yaml = {}
    bad_files = 0
    for path in files:
        try:
            states, evals = parse_file(path)
            for ev in evals:
                stats.evals += 1
                for c in plan_checks(ev, stats):
                    key = (path, ev.state)
                    if key not in state_yaml:
                        state_yaml[key] = build_input_series(states[ev.state])
                    c.state_key = key
                    checks.append(c)
        except (ParseError, ValueError, OSError) as e:
            print("ERROR %s" % e)
            bad_files += 1

    workdir = args.keep or tempfile.mkdtemp(prefix="strata-promtool-")
    os.makedirs(workdir, exist_ok=True)
    names = []
    for n, c in enumerate(checks):
        name = "c%05d.yml" % n
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(make_yaml(c, state_yaml[c.state_key]))
        names.append(name)

    results = {}
    chunks = [names[k:k + 100] for k in range(0, len(names), 100)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for r in pool.map(lambda ch: run_promtool(promtool, ch, workdir), chunks):
            results.update(r)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)

    failures = []
    for name, c in zip(names, checks):
        stats.checked += 1
        res = results.get(name, ("infra", "no output from promtool for %s" % name))
        problem = judge(c, res)
        rel = os.path.relpath(c.ev.path)
        if problem:
            stats.failed += 1
            failures.append("%s:%d: %s (at %s, %s): %s" % (
                rel, c.ev.line, c.query, fmt_duration(c.time), c.what, problem))
        else:
            stats.passed += 1
            if args.verbose:
                print("ok   %s:%d: %s (at %s, %s)" % (rel, c.ev.line, c.query, fmt_duration(c.time), c.what))

    if args.verbose:
        for s in stats.skipped_at:
            print("skip " + s)
    for f in failures:
        print("FAIL " + f)
    print()
    print("files: %d, eval commands: %d" % (len(files), stats.evals))
    for why, n in sorted(stats.skipped.items()):
        print("skipped %d: %s" % (n, why))
    for why, n in sorted(stats.notes.items()):
        print("note %d: %s" % (n, why))
    print("promtool: %d passed, %d failed, %d skipped" % (
        stats.passed, stats.failed, sum(stats.skipped.values())))
    return 1 if stats.failed or bad_files else 0


if __name__ == "__main__":
    sys.exit(main())
