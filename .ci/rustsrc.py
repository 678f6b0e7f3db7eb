"""Rust source as the scripts in .ci/ read it: comments and literals blanked out in one
pass from left to right (so `"http://x"` is a string, not a comment), lines kept."""

import re


def blanked(text: str) -> str:
    """`text` with every comment, string and character literal replaced by spaces (line
    breaks kept), so that braces and paths inside them do not count."""
    out = []
    i, n = 0, len(text)

    def blank(segment: str) -> str:
        return re.sub(r"[^\n]", " ", segment)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:])) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + blank(text[i + 2 : j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + blank(text[i + 2 : j + 1]))
            i = j + 1
        elif c == "'" and (m := re.match(r"'(?:[^'\\\n]|\\[^\n]+?)'", text[i:])):
            out.append(" " * m.end())
            i += m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def without_tests(code: str) -> str:
    """`code` (blanked) with every `#[cfg(test)] mod … { … }` block blanked too."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", code):
        if m.start() < i:
            continue
        out.append(code[i : m.start()])
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        out.append(re.sub(r"[^\n]", " ", code[m.start() : j]))
        i = j
    out.append(code[i:])
    return "".join(out)
