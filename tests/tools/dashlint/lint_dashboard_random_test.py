#!/usr/bin/python3
"""Randomized test of `stratatool lint dashboard`: generated dashboards with
random variables (custom, interval, constant and query variables, single,
multi-value and All, values with regex and quote characters), random valid
and broken PromQL in targets and query_result() variables, written with every
variable syntax and format, and randomly damaged JSON. For each:

  * the linter exits 0, 1 or 2 (2 only for damaged JSON), never crashes, and
    --format=json is valid JSON;
  * this script substitutes the variables itself, as Grafana does (a second
    implementation of the rules), and the linter's `expanded` expression
    must be the same;
  * the linter reports a syntax error exactly for the expressions promtool
    2.42 rejects, with promtool's message (the position may differ where a
    variable was substituted: it is placed in the query as written).

Bounded by count and time. usage: lint_dashboard_random_test.py <stratatool> [seed] [count] [seconds]
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

PROMTOOL = "/usr/bin/promtool"
SCRAPE_MS = 15000

VALUES = ["api", "db.primary", "a|b", "it's", "back\\slash", "dollar$", "(paren)", "x+y", "über", "sp ace", "q\"uote"]
METRICS = ["http_requests_total", "up", "node_load1", "rpc_duration_seconds_bucket", "queue_depth"]
LABELS = ["job", "instance", "env", "le", "path"]
FORMATS = ["", "", "", ":regex", ":pipe", ":csv", ":raw", ":glob", ":doublequote", ":text", ":singlequote"]
RANGES = ["5m", "$__rate_interval", "$__interval", "${__range}", "$window", "[[window]]", "30s", "1m0s", "${window}"]


# --- Grafana's substitution, written independently of the C++ one ---------

def go_duration(ms):
    s = ms // 1000
    h, m, s = s // 3600, s // 60 % 60, s % 60
    if h:
        return "%dh%dm%ds" % (h, m, s)
    if m:
        return "%dm%ds" % (m, s)
    return "%ds" % s


def grafana_interval(ms):
    for unit, name in ((365 * 86400000, "y"), (86400000, "d"), (3600000, "h"), (60000, "m"), (1000, "s"), (1, "ms")):
        if ms >= unit:
            return "%d%s" % (ms // unit, name)
    return "1ms"


def parse_dur(s):
    units = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000}
    for u in sorted(units, key=len, reverse=True):
        if s.endswith(u) and s[:-len(u)].isdigit():
            return int(s[:-len(u)]) * units[u]
    return None


def times(time_from, min_interval):
    rng = parse_dur(time_from[4:]) if time_from and time_from.startswith("now-") else None
    rng = rng or 6 * 3600000
    mi = 0
    if min_interval:
        mi = parse_dur(min_interval.lstrip(">")) or 0
    interval = max(1000, rng // 1000 // 1000 * 1000, mi, SCRAPE_MS)
    rate = max(interval + SCRAPE_MS, 4 * SCRAPE_MS)
    return {
        "__interval": grafana_interval(interval), "__interval_ms": str(interval),
        "__rate_interval": go_duration(rate), "__rate_interval_ms": str(rate),
        "__range": "%ds" % ((rng + 500) // 1000), "__range_s": str((rng + 500) // 1000), "__range_ms": str(rng),
    }


def sample_values(v):
    opts = [o["value"] for o in v.get("options", []) if o["value"] != "$__all"]
    if not opts and v["type"] in ("custom", "interval"):
        opts = [p.split(" : ")[-1].strip() for p in v.get("query", "").split(",") if p.strip()]
    cur = v.get("current", {}).get("value")
    cur = [] if cur is None else (cur if isinstance(cur, list) else [cur])
    if "$__all" in cur:
        return (opts or ["sample1", "sample2"]), v.get("allValue") or None
    if cur:
        return cur, None
    if v["type"] in ("constant", "textbox"):
        return [v.get("query", "")], None
    return ([opts[0]] if opts else ["sample"]), None


def special_regex_escape(s):
    out = ""
    for c in s:
        if c == "\\":
            out += "\\\\\\\\"
        elif c in "$^*{}[]'+?.()|":
            out += "\\\\" + c
        else:
            out += c
    return out


def regex_escape(s):
    return "".join("\\" + c if c in "\\^$*+?.()|[]{}/" else c for c in s)


def fmt(v, vals, f):
    multi = v.get("multi") or v.get("includeAll")
    many = len(vals) > 1
    if f == "":
        if not multi:
            return ",".join(x.replace("\\", "\\\\").replace("'", "\\\\'") for x in vals)
        e = [special_regex_escape(x) for x in vals]
        return e[0] if len(e) == 1 else "(" + "|".join(e) + ")"
    if f == "regex":
        e = [regex_escape(x) for x in vals]
        return e[0] if len(e) == 1 else "(" + "|".join(e) + ")"
    if f == "pipe":
        return "|".join(vals)
    if f in ("csv", "raw"):
        return ",".join(vals)
    if f not in ("doublequote", "singlequote"):  # glob, and Grafana's fallback for unknown formats
        return "{" + ",".join(vals) + "}" if many else vals[0]
    if f == "doublequote":
        return ",".join('"' + x.replace('"', '\\"') + '"' for x in vals)
    if f == "singlequote":
        return ",".join("'" + x.replace("'", "\\'") + "'" for x in vals)
    raise AssertionError(f)


def is_word(c):
    return c.isascii() and (c.isalnum() or c == "_")


def substitute(src, variables, t):
    byname = {}
    for v in variables:
        byname.setdefault(v["name"], v)
    out, i = "", 0
    while i < len(src):
        m = None
        if src[i] == "$":
            j = i + 1
            while j < len(src) and is_word(src[j]):
                j += 1
            if j > i + 1:
                m = (src[i + 1:j], None, j)
            elif src.startswith("${", i):
                j = i + 2
                while j < len(src) and is_word(src[j]):
                    j += 1
                name, f = src[i + 2:j], None
                if name and j < len(src) and src[j] == ":":
                    k = src.find("}", j)
                    if k > j + 1:
                        f, j = src[j + 1:k], k
                if name and j < len(src) and src[j] == "}":
                    m = (name, f, j + 1)
        elif src.startswith("[[", i):
            j = i + 2
            while j < len(src) and is_word(src[j]):
                j += 1
            name, f = src[i + 2:j], None
            if name and src[j:j + 1] == ":":
                k = j + 1
                while k < len(src) and is_word(src[k]):
                    k += 1
                if k > j + 1:
                    f, j = src[j + 1:k], k
            if name and src.startswith("]]", j):
                m = (name, f, j + 2)
        if not m:
            out += src[i]
            i += 1
            continue
        name, f, end = m
        if name in t:
            out += t[name]
        elif name in byname:
            v = byname[name]
            vals, custom_all = sample_values(v)
            if custom_all is not None and f != "text":
                out += custom_all
            elif f == "text":
                cur = v.get("current", {})
                texts = ["All"] if custom_all is not None or "$__all" in (cur.get("value") or []) else \
                    (cur.get("text") if isinstance(cur.get("text"), list) else [cur.get("text")] if cur.get("text") else vals)
                out += " + ".join(texts)
            else:
                out += fmt(v, vals, f or "")
        else:
            out += src[i:end]
        i = end
    return out


# --- generation --------------------------------------------------------------

def gen_variables(r):
    vs = []
    for name in r.sample(["job", "env", "inst", "region_x"], r.randint(1, 4)):
        opts = r.sample(VALUES, r.randint(1, 4))
        v = {"name": name, "type": "custom", "query": ",".join(o.replace(",", "") for o in opts),
             "options": [{"text": o, "value": o} for o in opts],
             "multi": r.random() < 0.5, "includeAll": r.random() < 0.5}
        if v["includeAll"] and r.random() < 0.4:
            v["allValue"] = r.choice([".*", ".+", "prod-.*"])
        k = r.random()
        if v["includeAll"] and k < 0.4:
            v["current"] = {"text": "All", "value": "$__all" if r.random() < 0.5 else ["$__all"]}
        elif v["multi"] and k < 0.8:
            sel = r.sample(opts, r.randint(1, len(opts)))
            v["current"] = {"text": sel, "value": sel}
        elif k < 0.9:
            v["current"] = {"text": opts[0], "value": opts[0]}
        vs.append(v)
    vs.append({"name": "window", "type": "interval", "query": "1m,5m,30s",
               "current": {"text": w, "value": w} if (w := r.choice(["1m", "5m", "30s", None])) else {}})
    vs.append({"name": "q", "type": "constant", "query": r.choice(["0.9", "0.99", "x"])})
    vs.append({"name": "qv", "type": "query", "query": "label_values(up, job)", "datasource": "${DS_PROMETHEUS}"})
    return vs


def _ref(r, n):
    f = r.choice(FORMATS)
    style = r.randint(0, 3)
    if style == 0:
        return "$" + n
    if style == 1 or (style == 3 and f == ""):
        return "${%s%s}" % (n, f)
    if style == 2 and f in ("", ":regex", ":pipe", ":csv", ":raw", ":glob"):
        return "[[%s%s]]" % (n, f)
    return "${%s%s}" % (n, f)


def gen_selector(r, names, metric=None):
    m = metric or r.choice(METRICS)
    ms = []
    for _ in range(r.randint(0, 3)):
        op = r.choice(["=~", "=~", "=", "!~", "!="])
        val = r.choice([_ref(r, r.choice(names)), r.choice(VALUES[:3]), ".*" + _ref(r, r.choice(names))])
        ms.append('%s%s"%s"' % (r.choice(LABELS), op, val))
    return m + ("{" + ", ".join(ms) + "}" if ms else "")


def gen_expr(r, names, depth=0):
    k = r.randint(0, 9 if depth < 2 else 2)
    rng = r.choice(RANGES)
    if k == 0:
        return gen_selector(r, names)
    if k == 1:
        return "rate(%s[%s])" % (gen_selector(r, names), rng)
    if k == 2:
        return r.choice(["1", "$__interval_ms", "$__range_s", "0.5"])
    if k == 3:
        return "sum by (%s) (%s)" % (r.choice(LABELS), gen_expr(r, names, depth + 1))
    if k == 4:
        return "histogram_quantile(%s, sum by (le) (rate(%s[%s])))" % (
            r.choice(["0.9", "$q", "${q}"]), gen_selector(r, names, "rpc_duration_seconds_bucket"), rng)
    if k == 5:
        return "%s %s %s" % (gen_expr(r, names, depth + 1), r.choice(["/", "+", "and", ">", "/ on(job) group_left"]),
                             gen_expr(r, names, depth + 1))
    if k == 6:
        return "topk(%s, %s)" % (r.choice(["3", "$q"]), gen_expr(r, names, depth + 1))
    if k == 7:
        return 'label_replace(%s, "dst", "$1", "src", "(.*)")' % gen_expr(r, names, depth + 1)
    if k == 8:
        return "avg_over_time(%s[%s]) offset %s" % (gen_selector(r, names), rng, r.choice(["5m", "$__interval"]))
    return "(%s)" % gen_expr(r, names, depth + 1)


def mutate(r, e):
    k = r.randint(0, 4)
    p = r.randint(0, len(e))
    if k == 0 and e:
        return e[:p] + e[p + 1:]
    if k == 1:
        return e[:p] + r.choice([")", "(", " by (x)", ",", "{", "}", '"', "[5m]", "$", " on ", "+", "$nope", "${"]) + e[p:]
    if k == 2:
        return e[:p]
    if k == 3:
        return e + r.choice([" by (job)", ")", " offset", "[5m]"])
    return e.replace("rate(", "rate(sum(", 1)


def gen_dashboard(r, exprs):
    """A dashboard and the list of (place key, expression as written, min interval) of its queries."""
    vs = gen_variables(r)
    names = [v["name"] for v in vs]
    dash = {"__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
            "title": "random", "templating": {"list": vs}, "panels": []}
    if r.random() < 0.7:
        dash["time"] = {"from": r.choice(["now-1h", "now-6h", "now-24h", "now-7d", "now/d"]), "to": "now"}
    queries = []
    for vi in range(r.randint(0, 2)):
        e = gen_expr(r, names)
        if r.random() < 0.4:
            e = mutate(r, e)
        name = "qr%d" % vi
        vs.append({"name": name, "type": "query", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                   "query": "query_result(%s)" % e})
        queries.append((("variable", name), e, "", "query_result("))
    pid = 0
    for _ in range(r.randint(1, 5)):
        pid += 1
        mi = r.choice(["", "", "1m", ">30s", "2m"])
        panel = {"id": pid, "title": "p%d" % pid, "type": "timeseries", "interval": mi,
                 "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, "targets": []}
        for ti in range(r.randint(1, 4)):
            e = gen_expr(r, names)
            if r.random() < 0.4:
                e = mutate(r, e)
            ref = "ABCD"[ti]
            panel["targets"].append({"refId": ref, "expr": e})
            queries.append((("target", pid, ref), e, mi, ""))
        if r.random() < 0.2:  # a collapsed row holds the panel
            pid += 1
            panel = {"id": pid, "type": "row", "title": "row", "collapsed": True, "panels": [panel]}
        dash["panels"].append(panel)
    return dash, queries


def damage(r, text):
    k = r.randint(0, 2)
    if k == 0:
        return text[:r.randint(0, len(text))], True
    d = json.loads(text)
    if k == 1 and d["panels"]:
        p = d["panels"][0]
        p.setdefault("targets", [{}])
        if p["targets"]:
            p["targets"][0]["expr"] = r.choice([5, None, ["x"], {"a": 1}, True])
        p["datasource"] = r.choice([7, [], {"uid": 3}, "-- Mixed --", None])
    else:
        d["templating"] = r.choice([[], {"list": 5}, {"list": [1, "x", {"name": 5, "current": {"value": [1, None]}}]}])
        d["panels"] = r.choice([{}, [1, [2]], [{"panels": 3}], d["panels"]])
    return json.dumps(d), False


def promtool_verdicts(exprs):
    if not exprs:
        return {}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "r.yml")
        with open(path, "w") as f:
            f.write("groups:\n- name: g\n  rules:\n")
            for i, e in enumerate(exprs):
                f.write("  - record: r%d\n    expr: %s\n" % (i, json.dumps(e)))
        res = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True, text=True, timeout=120)
    out = {}
    for line in res.stderr.splitlines():
        if ", rule " in line and "could not parse expression: " in line:
            out[int(line.split(", rule ")[1].split(",")[0]) - 1] = line.split("could not parse expression: ", 1)[1]
    unexplained = [l for l in res.stderr.splitlines() if l.startswith("/") and "could not parse expression" not in l]
    assert not unexplained, unexplained
    return out


def after_position(msg):
    return msg.split(" parse error: ", 1)[-1]


def main():
    stratatool = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 120
    r = random.Random(seed)
    failures = []
    deadline = time.time() + seconds
    checked = []  # (dashboard index, place key, expanded, linter's syntax message or None)
    done = 0
    with tempfile.TemporaryDirectory(prefix="dashlint-random-") as d:
        for n in range(count):
            if time.time() > deadline:
                break
            done += 1
            dash, queries = gen_dashboard(r, [])
            text = json.dumps(dash)
            damaged, truncated = (damage(r, text) if r.random() < 0.1 else (text, False))
            path = os.path.join(d, "d%d.json" % n)
            with open(path, "w") as f:
                f.write(damaged)
            res = subprocess.run([stratatool, "lint", "dashboard", "--compat=v2", "--format=json", path],
                                 capture_output=True, text=True, timeout=60)
            ctx = "seed %d dashboard %d (%s)" % (seed, n, path)
            if res.returncode < 0 or res.returncode > 2 or (res.returncode == 2) != truncated:
                failures.append("%s: exit %d: %s" % (ctx, res.returncode, res.stderr[-500:]))
                shutil_copy(path, n)
                continue
            try:
                doc = json.loads(res.stdout)
            except ValueError as e:
                failures.append("%s: output is not JSON: %s" % (ctx, e))
                continue
            if damaged is not text:
                continue  # damaged structure: not crashing is the test
            syntax = {}
            for f in doc["findings"]:
                key = ("variable", f["name"]) if f["place"] == "variable" else \
                    ("target", f["panel"]["id"], f["refId"]) if f["place"] == "target" else None
                if f["check"] == "promql-syntax":
                    syntax[key] = f
            for key, expr, mi, prefix in queries:
                t = times(dash.get("time", {}).get("from"), mi)
                written = prefix + expr + (")" if prefix else "")
                expanded = substitute(written, dash["templating"]["list"], t)
                inner = expanded[len(prefix):-1] if prefix else expanded
                if not inner.strip():
                    continue  # an empty query is a warning, or a series selector
                f = syntax.get(key)
                if f is not None and f.get("expanded", f["expr"]) != expanded:
                    failures.append("%s %s: linter expanded %r to %r, Grafana's rules give %r" %
                                    (ctx, key, written, f.get("expanded", f["expr"]), expanded))
                checked.append((ctx, key, inner, written == expanded, f["message"] if f else None))
    verdicts = promtool_verdicts([c[2] for c in checked])
    disagree = 0
    for i, (ctx, key, inner, same, msg) in enumerate(checked):
        prom = verdicts.get(i)
        if (prom is None) != (msg is None):
            disagree += 1
            failures.append("%s %s: %r: linter %r, promtool %r" % (ctx, key, inner, msg, prom))
        elif prom is not None and after_position(prom) != after_position(msg):
            failures.append("%s %s: %r: linter %r, promtool %r" % (ctx, key, inner, msg, prom))
        elif prom is not None and same and not key[0] == "variable" and prom != msg:
            failures.append("%s %s: %r: linter %r, promtool %r (no substitution: positions must agree)" % (ctx, key, inner, msg, prom))
    bad = sum(1 for c in checked if c[4] is not None)
    print("%d dashboards, %d queries (%d invalid), %d failures" % (done, len(checked), bad, len(failures)))
    for f in failures[:30]:
        print("FAIL", f)
    return 1 if failures else 0


def shutil_copy(path, n):
    import shutil
    shutil.copy(path, "/tmp/dashlint-random-failure-%d.json" % n)


if __name__ == "__main__":
    sys.exit(main())
