#!/usr/bin/env python3
"""Checks that every #include "module/..." follows the module arrows of docs/architecture.md:

  base <- tsdb <- {promql, scrape, remote} <- rules <- api <- server
  base <- net, included by scrape, remote, rules, api and server

A module may include itself and the modules its arrows allow; tools/, bench/ and
tests/ may include anything. Prints each violation as file:line and exits 1.
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
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bad = 0
    for module, allowed in ALLOWED.items():
        for dirpath, _, files in os.walk(os.path.join(root, module)):
            for name in files:
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        if target == module or target in allowed or target not in PROJECT:
                            continue
                        print(f"{os.path.relpath(path, root)}:{lineno}: {module}/ may not include "
                              f"{target}/ (arrows: {module} -> {', '.join(sorted(allowed)) or 'nothing'})")
                        bad += 1
    if bad:
        print(f"{bad} include(s) against the module arrows")
        return 1
    print("layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
