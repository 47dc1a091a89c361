#!/usr/bin/env python3
"""The core's layers, checked: every `crate::` path in crates/tokengate/src points down.

token <- telemetry <- gate <- service, and ckeditor beside the gate (it needs only the token layer); the
crate's face (lib.rs and the files beside it) may use everything. Inside a layer, a path must
name the module it means (`crate::token::claims::Claims`), not a root re-export
(`crate::Claims`), so that each arrow is visible. Files import each other in no circle.
Prints the offending lines and exits 1; prints a summary and exits 0 otherwise.
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(__file__), "..", "crates", "tokengate", "src")
MAY_USE = {
    "token": {"token"},
    "telemetry": {"token", "telemetry"},
    "gate": {"token", "telemetry", "gate"},
    "ckeditor": {"token", "ckeditor"},
    "service": {"token", "telemetry", "gate", "ckeditor", "service"},
    "face": {"token", "telemetry", "gate", "ckeditor", "service", "face"},
}
LAYERS = {"token", "telemetry", "gate", "ckeditor", "service"}
PATH = re.compile(r"(?<![\w$])crate::((?:\{[^}]*\})|[\w:]+)")


def module_of(rel):
    parts = rel[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return tuple(parts)


def code_paths(text):
    """Each `crate::` path in the code, comments (doc comments included) left out, with its
    line number; a `use crate::{...}` list may span lines."""
    code = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    for match in PATH.finditer(code):
        yield code.count("\n", 0, match.start()) + 1, " ".join(match.group(1).split())


def main():
    files = {}
    for root, _, names in os.walk(SRC):
        for name in names:
            if name.endswith(".rs"):
                rel = os.path.relpath(os.path.join(root, name), SRC)
                files[module_of(rel)] = rel
    problems, edges = [], set()
    for module, rel in sorted(files.items()):
        layer = module[0] if module and module[0] in LAYERS else "face"
        text = open(os.path.join(SRC, rel), encoding="utf-8").read()
        for number, target in code_paths(text):
            if True:
                first = target.strip("{").split("::")[0].split(",")[0].strip()
                if first not in LAYERS and layer != "face":
                    problems.append(f"{rel}:{number}: `crate::{target}` goes through the root;"
                                    " name the layer's module")
                    continue
                if first not in LAYERS:
                    continue
                if first not in MAY_USE[layer]:
                    problems.append(f"{rel}:{number}: {layer} imports `crate::{target}` from"
                                    f" the {first} layer above or beside it")
                segments = tuple(s for s in target.split("::") if s and not s.startswith("{"))
                while segments and segments not in files:
                    segments = segments[:-1]
                if segments and segments != module:
                    edges.add((module, segments))
    # Circles between files: strongly connected components of more than one file.
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    index, low, stack, on, counter, circles = {}, {}, [], set(), [0], []

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
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted("::".join(c) for c in component))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    for circle in circles:
        problems.append("files importing each other in a circle: " + ", ".join(circle))
    if problems:
        print("\n".join(problems))
        return 1
    layers = {}
    for module in files:
        layers.setdefault(module[0] if module and module[0] in LAYERS else "face", 0)
        layers[module[0] if module and module[0] in LAYERS else "face"] += 1
    print(f"layers hold: {len(files)} files ({layers}), {len(edges)} imports between files,"
          " none upward, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
