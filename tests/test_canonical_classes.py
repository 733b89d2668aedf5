"""The lexer's character classes (:mod:`kg.query.canonical`) match exactly the characters SPARQL 1.1's
grammar lists for names ([164]-[167]), though written as the classes of every other character.

Both a class and its reference are unions of ranges of code points, so they agree everywhere once they
agree at every code point where either can change: each range's ends and the code points beside them.
"""

from __future__ import annotations

import re

import pytest

from kg.query import canonical

# The grammar's classes as SPARQL 1.1 writes them (PN_CHARS_BASE, PN_CHARS, VARNAME's characters), and
# the classes the lexer builds of them.
BASE = canonical._BASE
CHARS = canonical._CHARS
CLASSES = {
    "PN_CHARS_BASE": BASE,
    "PN_CHARS": CHARS,
    "PN_CHARS and '.'": CHARS + ".",
    "PN_CHARS, '.' and ':'": CHARS + ".:",
    "PN_CHARS and ':'": CHARS + ":",
    "PN_CHARS, '.', ':' and '%'": CHARS + ".:%",
    "PN_LOCAL's first": BASE + "_:0-9",
    "BLANK_NODE_LABEL's first": BASE + "_0-9",
    "VARNAME": canonical._VARCHARS,
}


def _edges(*patterns: str) -> set[int]:
    """Every code point where a class built of these ranges can start or stop matching."""
    points = {0, 0x10FFFF}
    for pattern in patterns:
        for found in re.finditer(r"\\U([0-9A-F]{8})", pattern):
            value = int(found.group(1), 16)
            points |= {value - 1, value, value + 1}
    for value in list(points):
        if not 0 <= value <= 0x10FFFF:
            points.discard(value)
    return points


def _written(spec: str) -> str:
    """The grammar's class with each character written ``\\UXXXXXXXX``, so :func:`_edges` sees its ends."""
    return "".join(f"\\U{ord(c):08X}" if c not in "-\\" else c for c in spec)


@pytest.mark.parametrize("name", list(CLASSES))
def test_each_class_matches_exactly_the_grammars_characters(name: str) -> None:
    spec = CLASSES[name]
    built = re.compile(canonical._one_of(spec))
    reference = re.compile(f"[{spec}]")
    points = _edges(canonical._one_of(spec), _written(spec)) | set(range(0x80))
    differ = [hex(p) for p in sorted(points) if bool(built.fullmatch(chr(p))) != bool(reference.fullmatch(chr(p)))]
    assert differ == []
    assert built.pattern.startswith("[^")


def test_a_class_of_ranges_and_escapes_is_read_as_written() -> None:
    built = re.compile(canonical._one_of("a-c\\-x_"))
    assert [c for c in "abcdx-_wz\\" if built.fullmatch(c)] == ["a", "b", "c", "x", "-", "_"]


def test_the_prefix_keyword_alone_ignores_case() -> None:
    """``PREFIX`` is read in any case; the prefix's name as the grammar writes it. (The whole pattern
    ignored case before, which also let U+00B5 MICRO SIGN and U+0345 into a name: their case folds are
    Greek letters of PN_CHARS_BASE. No parser reads a name with them, and the lexer's other patterns
    never did.)"""
    for keyword in ("PREFIX", "prefix", "PreFix"):
        assert canonical._PREFIX_DECL.search(f"{keyword} \u00e9-x:") is not None
    for outside in ("\u00b5", "\u0345", "\u00d7"):
        assert canonical._PREFIX_DECL.search(f"PREFIX {outside}a:") is None
