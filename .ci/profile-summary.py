#!/usr/bin/env python3
"""Sums `perf report --no-children --sort comm,dso,sym --stdio` by component of a scan.

Reads the report on stdin; prints each component's share of all CPU samples (every
process: the services, Postgres, Redis, the load generator, the kernel). `just profile`.
"""
import re
import sys

# First match wins: the order goes from the most specific to the most general.
COMPONENTS = [
    ("Ed25519 signature check (curve25519, SHA-512)", r"curve25519|ed25519|sha512|Sha512|sha2::"),
    ("status read: Postgres server", r"^postgres "),
    ("status read: client (tokio-postgres, pool)", r"tokio_postgres|postgres_protocol|postgres_types|deadpool"),
    ("JSON (serde_json)", r"serde_json|serde::"),
    ("logging, tracing, metrics", r"tracing|prometheus|opentelemetry|metrics"),
    ("JWT framing, base64", r"jsonwebtoken|base64"),
    ("HTTP (hyper, warp, httparse; client and server)", r"hyper|warp|httparse|http::|h2::|reqwest"),
    ("async runtime (tokio)", r"tokio::|mio::|parking_lot|crossbeam"),
    ("memory (malloc, free, copies)", r"malloc|free|memcpy|memmove|memset|realloc|alloc::|_int_"),
    ("kernel (sockets, scheduling, syscalls)", r"\[kernel|kallsyms|\[k\]"),
    ("Redis", r"^redis"),
]

line_re = re.compile(r"^\s*([0-9.]+)%\s+(\S+)\s+(\S+)\s+(\[.\])\s+(.*)$")
totals = {name: 0.0 for name, _ in COMPONENTS}
other = 0.0
top_other = []
for line in sys.stdin:
    m = line_re.match(line)
    if not m:
        continue
    share, comm, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
    text = f"{comm} {dso} {kind} {sym}"
    for name, pattern in COMPONENTS:
        if re.search(pattern, text):
            totals[name] += share
            break
    else:
        other += share
        top_other.append((share, text))

print(f"{'component':<52} {'share of CPU':>12}")
for name, _ in COMPONENTS:
    print(f"{name:<52} {totals[name]:>11.1f}%")
print(f"{'other':<52} {other:>11.1f}%")
print("\nlargest 'other' entries:")
for share, text in sorted(top_other, reverse=True)[:8]:
    print(f"  {share:5.2f}%  {text[:110]}")
