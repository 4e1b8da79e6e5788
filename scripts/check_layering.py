#!/usr/bin/env python3
"""Checks that every #include "module/..." follows the module arrows of docs/architecture.md:

  base <- tsdb <- {promql, scrape, remote} <- rules <- api <- server
  base <- net, included by scrape, remote, rules, api and server

A module may include itself and the modules its arrows allow; tools/, bench/ and
tests/ may include anything.

Inside tsdb/ the layers run

  labels <- chunkenc <- {index, wal} <- seam <- {head, block} <- {compact, promblock} <- db

where `seam` is the read/append interface at tsdb/'s top level (storage.h,
series.h, ...) and `db` is tsdb/db.{h,cc}. A tsdb file may include its own
folder and lower layers only: never a higher layer, never a sibling folder of
its own layer (head and block stay independent, as do index and wal).

Prints each violation as file:line and exits 1.
"""
import os
import re
import sys

ALLOWED = {
    "base": set(),
    "net": {"base"},
    "tsdb": {"base"},
    "promql": {"tsdb", "base"},
    "scrape": {"tsdb", "base", "net"},
    "remote": {"tsdb", "base", "net"},
    "rules": {"promql", "tsdb", "base", "net", "scrape"},
    "api": {"promql", "tsdb", "base", "remote", "scrape", "rules", "net"},
    "server": {"api", "rules", "scrape", "remote", "promql", "tsdb", "base", "web", "net"},
}
PROJECT = set(ALLOWED) | {"web", "tools", "bench", "tests"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/([^"]*)"')

# tsdb/'s inner layers: folder (or top-level file stem) -> rank.
TSDB_LAYERS = {
    "labels": 0,
    "chunkenc": 1,
    "index": 2,
    "wal": 2,
    "seam": 3,
    "head": 4,
    "block": 4,
    "compact": 5,
    "promblock": 5,
    "db": 6,
}


def tsdb_part(rel):
    """The inner layer of a path relative to tsdb/ (e.g. "head/head.h")."""
    if "/" in rel:
        return rel.split("/", 1)[0]
    return "db" if rel.split(".", 1)[0] == "db" else "seam"


def check_tsdb(path, lineno, src_rel, target_rel):
    """A message when tsdb/<src_rel> may not include tsdb/<target_rel>."""
    src, dst = tsdb_part(src_rel), tsdb_part(target_rel)
    if src == dst or src not in TSDB_LAYERS or dst not in TSDB_LAYERS:
        return None
    if TSDB_LAYERS[dst] < TSDB_LAYERS[src]:
        return None
    return (f"{path}:{lineno}: tsdb/{target_rel} is in layer {dst}, not below {src} (layers: labels"
            f" <- chunkenc <- {{index, wal}} <- seam <- {{head, block}} <- {{compact, promblock}} <- db)")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bad = 0
    for module, allowed in ALLOWED.items():
        for dirpath, _, files in os.walk(os.path.join(root, module)):
            for name in files:
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        if module == "tsdb" and target == "tsdb":
                            msg = check_tsdb(rel, lineno, os.path.relpath(path, os.path.join(root, "tsdb")),
                                             m.group(2))
                            if msg:
                                print(msg)
                                bad += 1
                            continue
                        if target == module or target in allowed or target not in PROJECT:
                            continue
                        print(f"{rel}:{lineno}: {module}/ may not include "
                              f"{target}/ (arrows: {module} -> {', '.join(sorted(allowed)) or 'nothing'})")
                        bad += 1
    if bad:
        print(f"{bad} include(s) against the module arrows")
        return 1
    print("layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
