#!/usr/bin/env python3
"""The import graph of every crate's modules, and its circles.

A module of a crate is one of its source files under src/ (`lib.rs` or `main.rs` is the
crate's root, `a/b.rs` or `a/b/mod.rs` the module `a::b`). Module A imports module B when
A's code (comments and `mod tests` blocks left out) names a path into B: `crate::b::…`,
`super::…`, `self::…`, in a `use` or inline. A circle is a set of modules that import each
other round (a strongly connected component of more than one module): none of them can be
read, changed or tested without the others.

    .ci/module-circles.py [ROOT]      prints each crate's circles; exits 1 when there is one
"""

import re
import sys
from pathlib import Path

from rustsrc import blanked, without_tests

root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)


def modules_of(src: Path) -> dict[tuple[str, ...], Path]:
    """Module path -> file, for every .rs file under src (binaries under src/bin apart)."""
    out = {}
    for file in src.rglob("*.rs"):
        rel = file.relative_to(src)
        if rel.parts[0] == "bin":
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "mod":
            parts = parts[:-1]
        if parts in (["lib"], ["main"]):
            parts = []
        out[tuple(parts)] = file
    return out


def expand_use(code: str) -> list[str]:
    """Every path a `use` names, its braces expanded (`use a::{b, c::d}` -> a::b, a::c::d)."""
    paths = []

    def walk(prefix: str, tree: str):
        tree = tree.strip()
        if not tree:
            return
        if tree.endswith("}") and "{" in tree:
            head, _, inner = tree.partition("{")
            inner = inner[:-1]
            depth, part, parts = 0, "", []
            for ch in inner:
                if ch == "," and depth == 0:
                    parts.append(part)
                    part = ""
                    continue
                depth += {"{": 1, "}": -1}.get(ch, 0)
                part += ch
            parts.append(part)
            for p in parts:
                walk(prefix + head, p)
        else:
            paths.append(prefix + tree.split(" as ")[0].strip())

    for m in re.finditer(r"\buse\s+([^;]+);", code):
        tree = re.sub(r"\s*([{},]|::)\s*", r"\1", re.sub(r"\s+", " ", m.group(1)))
        walk("", tree)
    return paths


def target(module: tuple[str, ...], path: str, known) -> tuple[str, ...] | None:
    """The module `path`, named inside `module`, lands in (the longest known prefix)."""
    segments = [s for s in path.split("::") if s]
    if not segments:
        return None
    if segments[0] == "crate":
        base, rest = [], segments[1:]
    elif segments[0] in ("super", "self"):
        base = list(module)
        rest = segments
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    else:
        return None
    best = tuple(base) if tuple(base) in known else None
    for k in range(1, len(rest) + 1):
        candidate = tuple(base + rest[:k])
        if candidate in known:
            best = candidate
    return best


def circles(modules) -> list[list[tuple[str, ...]]]:
    edges = {m: set() for m in modules}
    for module, file in modules.items():
        code = without_tests(blanked(file.read_text(encoding="utf-8", errors="replace")))
        paths = expand_use(code)
        paths += re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", code)
        for path in paths:
            t = target(module, path, modules)
            if t is not None and t != module:
                edges[module].add(t)
    # Tarjan's strongly connected components.
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
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
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in modules:
        if v not in index:
            visit(v)
    return out


found = 0
crates = 0
for manifest in sorted(root.glob("**/Cargo.toml")):
    if "target" in manifest.parts or manifest.parent == root:
        continue
    src = manifest.parent / "src"
    if not src.is_dir():
        continue
    crates += 1
    for circle in circles(modules_of(src)):
        found += 1
        names = ", ".join("::".join(m) or "(root)" for m in circle)
        print(f"{manifest.parent.relative_to(root)}: {len(circle)} modules in a circle: {names}")
print(f"{found} import circles in {crates} crates")
sys.exit(1 if found else 0)
