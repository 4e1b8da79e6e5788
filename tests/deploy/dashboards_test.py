#!/usr/bin/python3
"""The shipped Grafana dashboards (deploy/dashboards/*.json) must import into
Grafana and their queries must work against Strata and Prometheus alike.

1. Structure: every file is a JSON dashboard as Grafana 10/11 exports it for
   sharing: title, a unique uid, schemaVersion, `__inputs` declaring the
   DS_PROMETHEUS data source (type datasource, plugin prometheus), panels with
   unique ids and a gridPos inside the 24-column grid, every panel, target,
   Prometheus variable and annotation using the "${DS_PROMETHEUS}" data
   source, every target with an expr and a refId unique in its panel.
2. Queries: every target and annotation expr, with Grafana's template
   variables substituted the way Grafana does it ($__rate_interval -> 1m,
   $__interval -> 15s, $__range -> 1h, $__range_s -> 3600, $var / ${var} /
   ${var:fmt} / [[var]] -> the variable's value: once with every variable at
   "All" (the variable's allValue, or .* ) or its current value, and once with
   one plain value), is sent to /api/v1/query of a running Prometheus 2.42, a
   running Strata with --query.compat=v2 and a running Strata with its default
   (v3) semantics, all on 127.0.0.1 with an empty configuration. Every server
   must answer 200, and Prometheus and Strata v2 must agree on the result type.
3. Variable queries go where Grafana sends them: label_values(metric, label)
   -> /api/v1/label/<label>/values?match[]=metric, label_values(label) ->
   /api/v1/label/<label>/values, query_result(q) -> /api/v1/query,
   metrics(re) -> /api/v1/label/__name__/values; each must succeed everywhere.
4. The published originals of the queries the dashboards had to fix (listed
   below) are quoted in a dashboard's description, and every server rejects
   them with 400 bad_data, so each fix is a real one.

usage: dashboards_test.py <strata binary> [<dashboards dir>]
Exit status: 0 all passed, 1 a failure (each printed), 77 when
/usr/bin/prometheus is not installed (the structure checks still ran).
"""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

PROMETHEUS = "/usr/bin/prometheus"
DS_UID = "${DS_PROMETHEUS}"
PANEL_TYPES = {"timeseries", "stat", "gauge", "bargauge", "table", "heatmap", "piechart", "text", "row"}

# The queries as originally published (the bots framework guide's panel and
# example queries); each is invalid PromQL ("by" only follows an aggregation
# operator). The dashboards carry fixed versions, and each original is quoted
# in the description of the dashboard that fixed it.
BROKEN_ORIGINALS = [
    '(rate(bot_cost_total_usd[5m]) by (provider) / ignoring(provider) group_left sum(rate(bot_cost_total_usd[5m]))) * 100',
    'rate(bot_cost_total_usd[5m]) by (provider) / rate(bot_api_calls_total{status="success"}[5m]) by (provider)',
    'rate(bot_api_call_duration_sum[5m]) / rate(bot_api_call_duration_count[5m]) by (provider)',
    'topk(5, rate(bot_tool_execution_duration_sum[5m]) / rate(bot_tool_execution_duration_count[5m]) by (tool_name))',
    'rate(bot_errors_total[5m]) by (operation)',
    'rate(bot_tool_failures_total[5m]) by (error_type)',
    # llm-bot-usage.json: the guide's per-dimension examples
    'rate(bot_api_calls_total[5m]) by (provider)',
    'rate(bot_api_calls_total[5m]) by (model)',
    'topk(5, rate(bot_api_calls_total[5m]) by (model))',
    'rate(bot_tool_calls_total[5m]) by (tool_name)',
    'topk(10, rate(bot_tool_calls_total[5m]) by (tool_name))',
    'rate(bot_tool_execution_duration_sum[5m]) / rate(bot_tool_execution_duration_count[5m]) by (tool_name)',
    'rate(bot_tokens_used[5m]) by (provider)',
    'rate(bot_tokens_used[5m]) by (model)',
    'topk(5, rate(bot_tokens_used[5m]) by (model))',
    'rate(bot_api_call_duration_sum[5m]) / rate(bot_api_call_duration_count[5m]) by (model)',
    'rate(bot_api_call_duration_sum[5m]) / rate(bot_api_call_duration_count[5m]) by (status)',
    'rate(bot_message_building_duration_sum[5m]) / rate(bot_message_building_duration_count[5m]) by (provider)',
    'rate(bot_cost_total_usd[5m]) by (provider)',
    'rate(bot_cost_total_usd[5m]) by (model)',
    'rate(bot_cost_usd_sum[5m]) / rate(bot_cost_usd_count[5m]) by (provider)',
    'rate(bot_cost_usd_sum[5m]) / rate(bot_cost_usd_count[5m]) by (model)',
    'topk(5, rate(bot_cost_usd_sum[5m]) / rate(bot_cost_usd_count[5m]) by (model))',
    'rate(bot_errors_total[5m]) by (provider)',
    'rate(bot_errors_total[5m]) by (error_type)',
    'topk(5, rate(bot_errors_total[5m]) by (error_type))',
    'rate(bot_tool_failures_total[5m]) by (tool_name)',
    'topk(5, rate(bot_tool_failures_total[5m]) by (tool_name))',
]

# Grafana's built-in variables, as a 1h dashboard range with a 15s step
# and a 15s scrape interval would give them.
BUILTINS = {
    "__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000",
    "__range": "1h", "__range_s": "3600", "__range_ms": "3600000",
    "__rate_interval_ms": "60000", "__auto": "15s",
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


# ---------------------------------------------------------------- structure

def walk_panels(panels):
    for p in panels or []:
        yield p
        for sub in walk_panels(p.get("panels")):
            yield sub


def is_ds_placeholder(ds):
    return isinstance(ds, dict) and ds.get("uid") == DS_UID and ds.get("type") == "prometheus" or ds == DS_UID


def check_structure(name, d, uids):
    for key in ("title", "uid", "panels", "schemaVersion", "templating", "__inputs"):
        if key not in d:
            fail("%s: no %r" % (name, key))
    if not isinstance(d.get("uid"), str) or not d.get("uid") or len(d["uid"]) > 40:
        fail("%s: uid must be a non-empty string of at most 40 characters" % name)
    elif d["uid"] in uids:
        fail("%s: uid %r also used by %s" % (name, d["uid"], uids[d["uid"]]))
    else:
        uids[d["uid"]] = name
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
        fail("%s: schemaVersion %r is older than Grafana 10's" % (name, d.get("schemaVersion")))
    inputs = d.get("__inputs") or []
    if not any(i.get("name") == "DS_PROMETHEUS" and i.get("type") == "datasource" and i.get("pluginId") == "prometheus"
               for i in inputs):
        fail("%s: __inputs does not declare DS_PROMETHEUS (type datasource, pluginId prometheus)" % name)
    ids = set()
    panels = list(walk_panels(d.get("panels")))
    if not [p for p in panels if p.get("type") != "row"]:
        fail("%s: no panels" % name)
    for p in panels:
        where = "%s: panel %r (%s)" % (name, p.get("title"), p.get("id"))
        if not isinstance(p.get("id"), int):
            fail(where + ": id is not an integer")
        elif p["id"] in ids:
            fail(where + ": duplicate panel id")
        ids.add(p.get("id"))
        if not p.get("title"):
            fail(where + ": no title")
        if p.get("type") not in PANEL_TYPES:
            fail(where + ": unexpected panel type %r" % p.get("type"))
        g = p.get("gridPos") or {}
        if not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")) or g["w"] <= 0 or g["h"] <= 0 \
                or g["x"] < 0 or g["x"] + g["w"] > 24:
            fail(where + ": bad gridPos %r" % g)
        if p.get("type") in ("row", "text"):
            if p.get("type") == "text" and not (p.get("options") or {}).get("content"):
                fail(where + ": text panel without content")
            continue
        if not is_ds_placeholder(p.get("datasource")):
            fail(where + ": datasource is not ${DS_PROMETHEUS}: %r" % p.get("datasource"))
        targets = p.get("targets") or []
        if not targets:
            fail(where + ": no targets")
        refids = set()
        for t in targets:
            if not isinstance(t.get("expr"), str) or not t["expr"].strip():
                fail(where + ": target without expr")
            if not t.get("refId") or t["refId"] in refids:
                fail(where + ": target refId missing or repeated: %r" % t.get("refId"))
            refids.add(t.get("refId"))
            if not is_ds_placeholder(t.get("datasource")):
                fail(where + ": target %s datasource is not ${DS_PROMETHEUS}" % t.get("refId"))
    top = [p for p in d.get("panels") or [] if isinstance(p.get("gridPos"), dict)]
    for i, a in enumerate(top):
        for b in top[i + 1:]:
            ga, gb = a["gridPos"], b["gridPos"]
            try:
                if ga["x"] < gb["x"] + gb["w"] and gb["x"] < ga["x"] + ga["w"] and \
                        ga["y"] < gb["y"] + gb["h"] and gb["y"] < ga["y"] + ga["h"]:
                    fail("%s: panels %r and %r overlap" % (name, a.get("title"), b.get("title")))
            except (KeyError, TypeError):
                pass  # reported above
    for v in (d.get("templating") or {}).get("list") or []:
        if v.get("type") == "query" and not is_ds_placeholder(v.get("datasource")):
            fail("%s: variable %s: datasource is not ${DS_PROMETHEUS}" % (name, v.get("name")))
    for a in (d.get("annotations") or {}).get("list") or []:
        if a.get("expr") and not is_ds_placeholder(a.get("datasource")):
            fail("%s: annotation %s: datasource is not ${DS_PROMETHEUS}" % (name, a.get("name")))


# ---------------------------------------------------------------- variables

def var_query(v):
    q = v.get("query")
    if isinstance(q, dict):
        q = q.get("query")
    return q or ""


def values_for(d, mode):
    """Variable name -> value, as Grafana would interpolate it.
    mode "all": query variables at All (allValue or .*), others at their current value;
    mode "one": every variable at one plain value."""
    vals = dict(BUILTINS)
    for v in (d.get("templating") or {}).get("list") or []:
        t, n = v.get("type"), v.get("name")
        if t == "datasource":
            continue
        cur = (v.get("current") or {}).get("value")
        if isinstance(cur, list):
            cur = cur[0] if cur else None
        opts = [o.get("value") for o in v.get("options") or [] if o.get("value") not in (None, "$__all")]
        if t == "query":
            if mode == "all" and v.get("includeAll"):
                vals[n] = v.get("allValue") or ".*"
            else:
                vals[n] = "example_value"
        elif t in ("custom", "interval"):
            if mode == "all" and cur not in (None, "$__all"):
                vals[n] = cur
            else:
                vals[n] = opts[0] if opts else var_query(v).split(",")[0].strip()
        elif t in ("constant", "textbox"):
            vals[n] = var_query(v)
        else:
            vals[n] = cur or ".*"
    return vals


VAR_RE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")


def substitute(expr, vals):
    def rep(m):
        n = m.group(1) or m.group(2) or m.group(3)
        return vals[n] if n in vals else m.group(0)
    return VAR_RE.sub(rep, expr)


def variable_requests(q):
    """A variable query -> (path, params) as Grafana's Prometheus data source sends it."""
    q = q.strip()
    m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)", q, re.S)
    if m:
        return "/api/v1/label/%s/values" % m.group(2), {"match[]": m.group(1).strip()}
    m = re.fullmatch(r"label_values\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)", q)
    if m:
        return "/api/v1/label/%s/values" % m.group(1), {}
    m = re.fullmatch(r"query_result\((.*)\)", q, re.S)
    if m:
        return "/api/v1/query", {"query": m.group(1)}
    m = re.fullmatch(r"metrics\((.*)\)", q, re.S)
    if m:
        return "/api/v1/label/__name__/values", {}
    if re.fullmatch(r"label_names\(\s*\)", q):
        return "/api/v1/labels", {}
    return None


# ---------------------------------------------------------------- servers

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base, path, params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            code, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, body = e.code, e.read()
    try:
        return code, json.loads(body)
    except ValueError:
        return code, {"raw": body[:200].decode(errors="replace")}


def wait_ready(base, proc, log, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s:\n%s" % (base, proc.returncode, tail(log)))
        try:
            with urllib.request.urlopen(base + "/-/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError("%s not ready after %ds:\n%s" % (base, seconds, tail(log)))


def tail(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")[-2000:]


def short(r):
    code, body = r
    if code == 200:
        return "200 %s" % ((body.get("data") or {}).get("resultType") if isinstance(body.get("data"), dict) else "ok")
    return "%s %s: %s" % (code, body.get("errorType"), body.get("error") or body.get("raw"))


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    strata = os.path.abspath(sys.argv[1])
    ddir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "dashboards")
    files = sorted(glob.glob(os.path.join(ddir, "**", "*.json"), recursive=True))
    if not files:
        print("FAIL: no dashboards in %s" % ddir)
        return 1

    dashboards, uids = {}, {}
    for f in files:
        name = os.path.relpath(f, ddir)
        try:
            with open(f) as fh:
                d = json.load(fh)
        except ValueError as e:
            fail("%s: not valid JSON: %s" % (name, e))
            continue
        check_structure(name, d, uids)
        dashboards[name] = d

    # Every fixed original is named in some dashboard's description.
    described = " ".join(d.get("description") or "" for d in dashboards.values())
    for e in BROKEN_ORIGINALS:
        if e not in described:
            fail("original query %r is not quoted in any dashboard's description (its fix is not documented)" % e)

    # Queries to check: (where, expr) and variable requests (where, path, params).
    exprs, var_reqs = [], []
    for name, d in dashboards.items():
        vs = (d.get("templating") or {}).get("list") or []
        for mode in ("all", "one"):
            vals = values_for(d, mode)
            for p in walk_panels(d.get("panels")):
                for t in p.get("targets") or []:
                    if t.get("expr"):
                        exprs.append(("%s: panel %r %s [%s]" % (name, p.get("title"), t.get("refId"), mode),
                                      substitute(t["expr"], vals)))
            for a in (d.get("annotations") or {}).get("list") or []:
                if a.get("expr"):
                    exprs.append(("%s: annotation %r [%s]" % (name, a.get("name"), mode), substitute(a["expr"], vals)))
            for v in vs:
                if v.get("type") != "query":
                    continue
                req = variable_requests(substitute(var_query(v), vals))
                if req is None:
                    fail("%s: variable %s: unsupported query %r" % (name, v.get("name"), var_query(v)))
                else:
                    var_reqs.append(("%s: variable %s [%s]" % (name, v.get("name"), mode),) + req)
    seen, uniq = set(), []
    for where, e in exprs:
        if e not in seen:
            seen.add(e)
            uniq.append((where, e))
    for where, e in uniq:
        m = re.search(r"\$\{?\w+|\[\[\w+", e)
        if m and not re.search(r'"[^"]*\$\d', e):
            fail("%s: unresolved template variable %r in %s" % (where, m.group(0), e))

    if not os.path.exists(PROMETHEUS):
        print("structure checks: %d dashboards, %d failures; %s not installed: query checks skipped"
              % (len(dashboards), len(failures), PROMETHEUS))
        return 1 if failures else 77

    tmp = tempfile.mkdtemp(prefix="strata-dashboards-test-")
    cfg = os.path.join(tmp, "empty.yml")
    with open(cfg, "w") as f:
        f.write("# empty configuration: no scrape jobs, no rules\n")
    servers, procs = {}, []
    try:
        for label, cmd in (("prometheus", [PROMETHEUS]), ("strata-v2", [strata, "--query.compat=v2"]),
                           ("strata-v3", [strata])):
            port = free_port()
            log = os.path.join(tmp, label + ".log")
            with open(log, "wb") as lf:
                p = subprocess.Popen(cmd + ["--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, label),
                                            "--web.listen-address=127.0.0.1:%d" % port],
                                     stdout=lf, stderr=subprocess.STDOUT)
            procs.append(p)
            servers[label] = ("http://127.0.0.1:%d" % port, p, log)
        for label, (base, p, log) in servers.items():
            wait_ready(base, p, log)
        now = time.time()

        def ask(path, params):
            return {label: get(base, path, params) for label, (base, _, _) in servers.items()}

        for where, e in uniq:
            rs = ask("/api/v1/query", {"query": e, "time": "%.3f" % now})
            bad = [l for l, r in rs.items() if r[0] != 200]
            if bad:
                fail("%s: %s\n    %s" % (where, e, "\n    ".join("%s: %s" % (l, short(r)) for l, r in rs.items())))
            elif short(rs["prometheus"]) != short(rs["strata-v2"]):
                fail("%s: result types differ: prometheus %s, strata %s\n    %s"
                     % (where, short(rs["prometheus"]), short(rs["strata-v2"]), e))
        for where, path, params in var_reqs:
            params = dict(params, start="%.3f" % (now - 3600), end="%.3f" % now)
            rs = ask(path, params)
            if any(r[0] != 200 or r[1].get("status") != "success" for r in rs.values()):
                fail("%s: %s %r\n    %s" % (where, path, params,
                                             "\n    ".join("%s: %s" % (l, short(r)) for l, r in rs.items())))
        for e in BROKEN_ORIGINALS:
            rs = ask("/api/v1/query", {"query": e, "time": "%.3f" % now})
            if any(r[0] != 400 or r[1].get("errorType") != "bad_data" for r in rs.values()):
                fail("original query not rejected with 400 bad_data by every server: %s\n    %s"
                     % (e, "\n    ".join("%s: %s" % (l, short(r)) for l, r in rs.items())))
        for label, (base, p, log) in servers.items():
            if p.poll() is not None:
                fail("%s exited during the test (%s):\n%s" % (label, p.returncode, tail(log)))
    except RuntimeError as e:
        fail(str(e))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)

    print("%d dashboards, %d distinct queries, %d variable queries, %d original queries checked on %s: %s"
          % (len(dashboards), len(uniq), len(var_reqs), len(BROKEN_ORIGINALS), ", ".join(servers),
             "%d failures" % len(failures) if failures else "all passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
