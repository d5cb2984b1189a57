#!/usr/bin/env python3
"""Finds functions longer than the project's limit (150 lines, as clippy.toml's
too-many-lines-threshold) in every crate — including Yew `#[function_component]`s, whose
generated code clippy's lint does not see. Counts the lines from `fn` to its closing brace,
skipping `#[cfg(test)]` modules. Exit 1 when one is over. Usage: scripts/long-functions.py [DIR…]
"""
import os
import re
import sys

LIMIT = 150
FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def code_only(line):
    """The line without string literals and comments (enough for brace counting)."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return line.split("//")[0]


def functions(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cut = next((i for i, l in enumerate(lines) if l.startswith("#[cfg(test)]")), len(lines))
    out, i = [], 0
    while i < cut:
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        depth, opened, j = 0, False, i
        while j < cut:
            c = code_only(lines[j])
            if not opened and ";" in c and "{" not in c:
                break  # a declaration (trait method) without a body
            depth += c.count("{") - c.count("}")
            opened |= "{" in c
            if opened and depth <= 0:
                break
            j += 1
        if opened:
            out.append((m.group(6), i + 1, j - i + 1))
        i += 1  # nested fns are counted too
    return out


def main():
    roots = sys.argv[1:] or ["shared/src", "runner/src", "report-ui/src"]
    over = []
    total = 0
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.endswith(".rs"):
                    p = os.path.join(dirpath, f)
                    for name, line, n in functions(p):
                        total += 1
                        if n > LIMIT:
                            over.append(f"{p}:{line}: fn {name} is {n} lines (limit {LIMIT})")
    for o in over:
        print(o)
    if over:
        sys.exit(1)
    print(f"{total} functions, none over {LIMIT} lines")


if __name__ == "__main__":
    main()
