#!/usr/bin/python3
"""Rebuilds the seed-003 fixtures in seed003/: the shipped llm-bot dashboards
(deploy/dashboards/) with each fixed query put back as the bots framework
guide (seed 003) wrote it. Each dashboard's description lists its fixes as
"Fixed: 'T' was ORIGINAL, now FIXED, because ..."; the target whose
expression is FIXED once the variables' matchers are stripped gets ORIGINAL.
Writes seed003/<name>.json and seed003/expected.tsv (file, panel title,
panel id, refId, original expression), which lint_dashboard_test.py checks.

usage: make_seed003_originals.py <deploy/dashboards> <out dir>
"""
import json
import os
import re
import sys

FIX = re.compile(r"Fixed: '(.+?)' was (.+?), now (.+?), because")


def without_matchers(e):
    return re.sub(r"\{[^}]*\}", "", e)


def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))


def main():
    src, out = sys.argv[1], sys.argv[2]
    expected = []
    for name in sorted(os.listdir(src)):
        if not name.endswith(".json"):
            continue
        d = json.load(open(os.path.join(src, name)))
        fixes = FIX.findall(d.get("description", ""))
        if not fixes:
            continue
        for title, was, now in fixes:
            hits = [(p, t) for p in panels(d["panels"]) for t in p.get("targets", [])
                    if without_matchers(t.get("expr", "")) == without_matchers(now)]
            assert len(hits) == 1, (name, title, len(hits))
            p, t = hits[0]
            t["expr"] = was
            expected.append((name, p["title"], str(p["id"]), t["refId"], was))
        with open(os.path.join(out, name), "w") as f:
            json.dump(d, f, indent=2, ensure_ascii=False)
            f.write("\n")
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        for row in expected:
            f.write("\t".join(row) + "\n")
    print("%d queries in %d files" % (len(expected), len({r[0] for r in expected})))


if __name__ == "__main__":
    main()
