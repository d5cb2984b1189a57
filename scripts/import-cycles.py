#!/usr/bin/env python3
"""Finds import circles between source files (and between top-level folders) of each crate.

A file `a.rs` depends on `b.rs` when it names a path into `b` (`use crate::x::b::…`, `super::b`,
`crate::x::b::Type` in code). Circles between files are reported with their members; a circle
inside one folder is allowed only when a file of it carries a comment `// import-circle: <why>`.
Exit 1 when an unexplained circle exists. Usage: scripts/import-cycles.py [crate_src_dir …]
"""
import os
import re
import sys

PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def modules(src):
    """Maps module path tuples to files, e.g. ('run', 'plan') -> src/run/plan.rs."""
    out = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            full = os.path.join(root, f)
            rel = os.path.relpath(full, src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            out[tuple(rel)] = full
    return out


def strip_tests(text):
    """Drops `#[cfg(test)] mod tests { … }` blocks (test-only edges do not make circles) and
    comments (a doc link is not a dependency)."""
    i = text.find("#[cfg(test)]\nmod tests")
    text = text if i < 0 else text[:i]
    return "\n".join(line.split("//")[0] for line in text.split("\n"))


def deps(mods, key, text):
    # The file's own module path: `a/b.rs` and `a/b/mod.rs` are both module a::b, whose `self` is
    # a::b and whose `super` is a. (An earlier version started `a/b.rs` at `a`, one level too
    # high, and so never saw `super::sibling` edges written outside a mod.rs.)
    here = list(key)
    found = set()
    for m in PATH.finditer(strip_tests(text)):
        head, rest = m.group(1), m.group(2).split("::")[1:]
        if head == "crate":
            base = []
        elif head == "self":
            base = list(here)
        else:
            base = list(here)
            for seg in ["super"] + rest:
                if seg != "super":
                    break
                base = base[:-1]
            rest = [s for s in rest if s != "super"]
        path = base + rest
        # The longest prefix that is a module of this crate.
        for n in range(len(path), 0, -1):
            t = tuple(path[:n])
            if t in mods and t != key:
                found.add(t)
                break
    return found


def cycles(graph):
    """Strongly connected components with more than one member (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def check(src):
    mods = modules(src)
    graph = {}
    texts = {}
    for key, path in mods.items():
        with open(path, encoding="utf-8") as fh:
            texts[key] = fh.read()
        graph[key] = deps(mods, key, texts[key])
    # A parent module file re-exporting its children is not a dependency on them for circles.
    for key in graph:
        graph[key] = {d for d in graph[key] if d[: len(key)] != key or not key}
    bad = []
    for comp in cycles(graph):
        explained = any("// import-circle:" in texts[k] for k in comp)
        names = [os.path.relpath(mods[k], src) for k in comp]
        print(("explained" if explained else "CIRCLE") + f" in {src}: " + " ↔ ".join(names))
        if not explained:
            bad.append(comp)
    # Folders: top-level module of each file.
    top = {}
    for key, ds in graph.items():
        for d in ds:
            if key and d and key[0] != d[0]:
                top.setdefault(key[0], set()).add(d[0])
    for comp in cycles(top):
        print(f"folder circle in {src}: " + " ↔ ".join(comp))
        bad.append(comp)
    return bad


def main():
    roots = sys.argv[1:] or ["shared/src", "runner/src", "report-ui/src"]
    bad = [c for r in roots for c in check(r)]
    if bad:
        sys.exit(1)
    print(f"no import circles in {', '.join(roots)}")


if __name__ == "__main__":
    main()
