#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails naming every product function longer than the bound (CONTRIBUTING: functions short).

A function's length is its lines from the first line of its signature to its closing brace.
The product's C++ (core/, gate/, sidecar/) is read as text: comments, string, character and raw
string literals and preprocessor lines are blanked first, then braces are matched. A brace whose
head (the code since the previous `;`, `{` or `}`) names a namespace, class, struct, union,
enum or `extern` opens a scope searched further; a head with a parameter list and no `=`
outside it opens a function (a lambda assigned at namespace scope counts as one); any other
brace (an initializer) is skipped whole. Lambdas and local classes count towards the function
that holds them.

Usage: function_length.py [--max N] [ROOT]   (ROOT: the repository, by default this one)
"""
import re
import sys
from pathlib import Path

FOLDERS = ("core", "gate", "sidecar")
SCOPE_HEAD = re.compile(r"^(template\s*<.*>\s*)?(inline\s+)?(namespace|class|struct|union|enum)\b|^extern\b",
                        re.S)


def blank_literals(text: str) -> str:
    """The text with comments, literals and preprocessor lines replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            j = i
            while j < n and text[j] != "\n":
                j += 2 if text[j] == "\\" and j + 1 < n else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == "\n":
            line_start = True
            out.append(c)
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c == "R" and text.startswith('"', i + 1) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
                                                           or text[i - 1] in "uU8L"):
            m = re.match(r'R"([^()\\ ]{0,16})\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i + m.end())
            j = n if end < 0 else end + len(m.group(1)) + 2
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum())):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
        else:
            out.append(c)
            i += 1
            continue
        out.append(re.sub(r"[^\n]", " ", text[i:j]))
        i = j
    return "".join(out)


def top_level(head: str, opener: str = "(", closer: str = ")") -> str:
    """The head without what stands inside brackets (the outermost brackets kept)."""
    depth, kept = 0, []
    for c in head:
        if c == opener:
            depth += 1
            if depth == 1:
                kept.append(c)
        elif c == closer:
            depth = max(depth - 1, 0)
            if depth == 0:
                kept.append(c)
        elif depth == 0:
            kept.append(c)
    return "".join(kept)


def is_function_head(head: str) -> bool:
    if "(" not in head:
        return False
    outside = top_level(top_level(head), "[", "]")
    outside = re.sub(r"\boperator\s*[^\s\w]+", "operator", outside)
    if "=" in outside:
        # `auto f = [](...) {`: a lambda at namespace scope is a function too
        return re.search(r"=\s*\[[^\]]*\]\s*(\(|mutable|->|$)", head.strip(), re.S) is not None
    return True


def in_initializer_list(head: str) -> bool:
    """True when the brace follows a member named in a constructor's initializer list."""
    return re.search(r"\)\s*(noexcept\b\s*)?:[^:]", top_level(head) + " ", re.S) is not None and \
        re.search(r"[\w>]\s*$", head) is not None


def functions(path: Path):
    """Yields (line, length) for each function defined in the file."""
    code = blank_literals(path.read_text(encoding="utf-8", errors="replace"))
    line_of = [0] * (len(code) + 1)
    line = 1
    for k, ch in enumerate(code):
        line_of[k] = line
        if ch == "\n":
            line += 1
    i, n = 0, len(code)
    head_start = 0

    def skip_block(k: int) -> int:
        depth = 0
        while k < n:
            if code[k] == "{":
                depth += 1
            elif code[k] == "}":
                depth -= 1
                if depth == 0:
                    return k
            k += 1
        return n - 1

    while i < n:
        c = code[i]
        if c in ";}":
            head_start = i + 1
        elif c == "{":
            head = code[head_start:i]
            stripped = head.strip()
            if in_initializer_list(head):
                i = skip_block(i) + 1
                continue
            if stripped == "" or SCOPE_HEAD.search(stripped):
                head_start = i + 1
            elif is_function_head(stripped):
                end = skip_block(i)
                first = head_start + (len(head) - len(head.lstrip()))
                yield line_of[first], line_of[end] - line_of[first] + 1
                i = end
                head_start = end + 1
            else:
                i = skip_block(i)
                head_start = i + 1
        i += 1


def main(argv):
    bound = 60
    args = list(argv)
    if args[:1] == ["--max"]:
        bound = int(args[1])
        args = args[2:]
    root = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    too_long = []
    files = 0
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".h") or not path.is_file():
                continue
            files += 1
            for line, length in functions(path):
                if length > bound:
                    too_long.append((length, f"{path.relative_to(root)}:{line}"))
    for length, where in sorted(too_long, reverse=True):
        print(f"{where}: function of {length} lines (over {bound})")
    if too_long:
        print(f"FAIL: {len(too_long)} functions over {bound} lines: split them into named helpers")
        return 1
    print(f"ok: no function over {bound} lines in {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
