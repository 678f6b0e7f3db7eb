#!/usr/bin/env python3
"""The longest functions under the crates' src/ directories (tests' `mod tests` blocks
apart): lines from `fn` to its closing brace.

    .ci/long-functions.py [--most N] [--over N]   the N longest (10); exits 1 when one is
                                                  longer than --over (default: no limit)
"""

import argparse
import re
from pathlib import Path

from rustsrc import blanked, without_tests

parser = argparse.ArgumentParser()
parser.add_argument("--most", type=int, default=10)
parser.add_argument("--over", type=int, default=0)
args = parser.parse_args()
root = Path(__file__).resolve().parent.parent


found = []
for file in sorted(root.glob("**/src/**/*.rs")):
    if "target" in file.parts:
        continue
    code = without_tests(blanked(file.read_text(encoding="utf-8", errors="replace")))
    for m in re.finditer(r"\bfn\s+(\w+)[^;{]*\{", code):
        start = m.end() - 1
        depth, j = 0, start
        while j < len(code):
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            if depth == 0:
                break
            j += 1
        first = code.count("\n", 0, m.start()) + 1
        last = code.count("\n", 0, j) + 1
        found.append((last - first + 1, f"{file.relative_to(root)}:{first}", m.group(1)))

found.sort(reverse=True)
for lines, where, name in found[: args.most]:
    print(f"{lines:>5}  {name}  {where}")
over = [f for f in found if args.over and f[0] > args.over]
if args.over:
    print(f"{len(over)} functions longer than {args.over} lines")
raise SystemExit(1 if over else 0)
