"""One reading of a SPARQL query: our own small lexer turns a query into a canonical text that every
SPARQL parser we use reads the same way, or refuses it.

Why: the text is vetted by rdflib's parser and executed by Oxigraph's, and the two read some texts
differently (a comment ends at ``\\n`` for rdflib but at ``\\r`` or ``\\n`` for Oxigraph; rdflib reads
``\\u`` followed by eight hex digits as one escape and expands ``\\u`` escapes everywhere, Oxigraph only
inside strings and IRIs). A vetting that reads one text while the engine reads another vets nothing.

The canonical text (:func:`canonical`) is the query with:

- every comment removed (a comment ends at a carriage return or a line feed, SPARQL 1.1 §19.4);
- every line end a line feed (outside strings a carriage return is white space);
- every string written ``"..."`` with only the escapes ``\\t \\n \\r \\b \\f \\" \\\\``: long strings
  and single-quoted strings are rewritten, ``\\u``/``\\U`` escapes resolved (a long string's line
  breaks are kept as white space after it, so line numbers stay the same);
- every IRI written with its ``\\u``/``\\U`` escapes resolved;
- every prefixed name with local-name escapes (``:c\\~z\\.``, SPARQL 1.1 PN_LOCAL_ESC) written as the
  full IRI (``<http://example/c~z.>``), from the PREFIX declarations read before it;
- the rest copied as it is.

It also reads which prefixes the query declares (``PREFIX p: <...>``) and which it uses (``p:name``),
with where each is first used (:attr:`Canonical.used`), so that the gate can declare the project's
usual prefixes that a query uses without declaring them (:mod:`kg.query.gate`).

Refused, with one line, because parsers read them differently or they could hide structure: any
other backslash outside a string (``\\u`` escapes of keywords), a ``\\u`` escape followed by a further
hex digit, an escape that gives a quote, a backslash, an angle bracket or a control character, a
control character, an apostrophe in an IRI (``ex:a\\'`` included), an IRI that parsers can also read
as comparisons (``?x<?a&&?b>?y``: SPARQL's longest-token rule makes ``<?a&&?b>`` an IRI), a canonical
text that still holds ``\\u`` or ``\\U``, a ``SERVICE`` keyword, and nesting deeper than the parsers can
take (:data:`MAX_DEPTH`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The deepest nesting of ``{ ( [`` a query may have. rdflib's parser, which vets every query, exhausts
#: Python's stack at about 25 nested parentheses; our own queries nest at most 6 deep.
MAX_DEPTH = 16

_HEX = "0123456789abcdefABCDEF"
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_EMIT = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f", '"': '\\"', "\\": "\\\\"}
# Characters an IRIREF may not hold (SPARQL 1.1 grammar [139]); we also refuse the apostrophe, which
# would start a string for a parser that reads the ``<`` as an operator.
_NOT_IN_IRI = set('<>"{}|^`\\')
_KEYWORD_SERVICE = re.compile(r"(?<![\w?$:.\-])service(?![\w:\-])", re.IGNORECASE)
_OPEN, _CLOSE = "{([", "})]"
# Prefixed names (SPARQL 1.1 grammar [140]-[173]), to read a local name's ``\`` escapes (PN_LOCAL_ESC).
# Each class is written as the grammar lists its characters and compiled as the class of every other
# character (:func:`_one_of`).
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_CHARS = _BASE + "_\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_VARCHARS = _BASE + "_0-9\u00B7\u0300-\u036F\u203F-\u2040"
_LAST_CODE_POINT = 0x10FFFF


def _one_of(spec: str) -> str:
    """A regular expression that matches one of the characters ``spec`` lists (a class's body:
    characters, ``a-b`` ranges, ``\\-`` for a hyphen), written as ``[^...]``, the class of every other
    character. It matches the same characters (``tests/test_canonical_classes.py`` checks every code
    point), and Python's ``re`` compiles it several times faster: for ``[...]`` it tabulates the wide
    Unicode ranges of SPARQL's names, for ``[^...]`` only the narrow gaps between them. The lexer's
    patterns cost 80-110 ms at every start of the command line otherwise."""
    def char(at: int) -> tuple[int, int]:  # the character at ``at`` (escaped or not), and what follows
        return (ord(spec[at + 1]), at + 2) if spec[at] == "\\" else (ord(spec[at]), at + 1)

    ranges: list[tuple[int, int]] = []
    at = 0
    while at < len(spec):
        low, at = char(at)
        high = low
        if at + 1 < len(spec) and spec[at] == "-":
            high, at = char(at + 1)
        ranges.append((low, high))
    ranges.sort()
    gaps: list[tuple[int, int]] = []
    start = 0
    for low, high in ranges:
        if low > start:
            gaps.append((start, low - 1))
        start = max(start, high + 1)
    if start <= _LAST_CODE_POINT:
        gaps.append((start, _LAST_CODE_POINT))
    return "[^" + "".join(f"\\U{low:08X}" if low == high else f"\\U{low:08X}-\\U{high:08X}"
                          for low, high in gaps) + "]"


_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"{_one_of(_BASE)}(?:{_one_of(_CHARS + '.')}*{_one_of(_CHARS)})?"
# PN_LOCAL (grammar [169]).
_LOCAL = (f"(?:{_one_of(_BASE + '_:0-9')}|{_PLX})"
          f"(?:(?:{_one_of(_CHARS + '.:')}|{_PLX})*(?:{_one_of(_CHARS + ':')}|{_PLX}))?")
_PNAME = re.compile(f"({_PREFIX})?:({_LOCAL})")
_NAME_CHAR = re.compile(_one_of(_CHARS + ".:%"))
_PREFIX_DECL = re.compile(f"(?<![\\w])(?i:PREFIX)\\s+({_PREFIX})?:\\s*$")
# The tokens of the text outside strings and IRIs, as SPARQL's lexer reads them where a prefixed name
# could begin: variables, blank node labels and language tags (which may hold a ':' or precede one),
# prefixed names (group 1 the prefix, group 2 the local name), numbers, words; anything else one
# character at a time.
_TOKEN = re.compile(
    f"[?$]{_one_of(_VARCHARS)}*"
    f"|_:{_one_of(_BASE + '_0-9')}(?:{_one_of(_CHARS + '.')}*{_one_of(_CHARS)})?"
    r"|@[A-Za-z]+(?:-[A-Za-z0-9]+)*"
    f"|({_PREFIX})?:({_LOCAL})?"
    r"|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?"
    r"|[A-Za-z_][A-Za-z0-9_]*"
    r"|[^\s]",
)


class Ambiguous(ValueError):
    """The text cannot be given one reading. ``args[0]`` says why; ``line`` and ``column`` say where."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Canonical:
    """A query's canonical text.

    Attributes:
        text: The text every parser reads the same way.
        depth: The deepest nesting of brackets in it.
    """

    text: str
    depth: int
    #: The prefixes the query declares with ``PREFIX``.
    declared: frozenset[str] = frozenset()
    #: The prefixes its prefixed names use, each with the offset of its first use in the text read.
    used: Mapping[str, int] = field(default_factory=dict)


def line_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of ``text[index]`` (a line ends at ``\\r\\n``, ``\\r`` or ``\\n``)."""
    before = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


class _Lexer:
    def __init__(self, text: str, known: Mapping[str, str]) -> None:
        self.src = text
        self.i = 0
        self.out: list[str] = []
        self.known = known

    def where(self, index: int | None = None) -> tuple[int, int]:
        return line_column(self.src, self.i if index is None else index)

    def fail(self, message: str, index: int | None = None) -> Ambiguous:
        line, column = self.where(index)
        return Ambiguous(message, line, column)

    def escape(self, where: str) -> str:
        """Read the escape at ``self.i`` (a backslash) inside a string or IRI; return its character."""
        src, i = self.src, self.i
        kind = src[i + 1:i + 2]
        if kind in ("u", "U"):
            width = 4 if kind == "u" else 8
            digits = src[i + 2:i + 2 + width]
            if len(digits) != width or any(c not in _HEX for c in digits):
                raise self.fail(f"a \\{kind} escape needs {width} hex digits")
            if src[i + 2 + width:i + 3 + width] in tuple(_HEX):
                raise self.fail(f"a \\{kind} escape followed by another hex digit reads differently in "
                                "different parsers; write the character itself")
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.fail(f"\\{kind}{digits} is not a character")
            char = chr(code)
            if char in "\"'\\<>" or code < 0x20 or code == 0x7F:
                raise self.fail(f"\\{kind}{digits} gives {char!r}, which parsers read differently in {where}; "
                                "write the character or its escape")
            self.i = i + 2 + width
            return char
        if where == "a string" and kind in _ECHAR:
            self.i = i + 2
            return _ECHAR[kind]
        raise self.fail(f"unknown escape \\{kind} in {where}")

    def string(self) -> None:
        src, start = self.src, self.i
        quote = src[start]
        long = src.startswith(quote * 3, start)
        self.i = start + (3 if long else 1)
        chars: list[str] = []
        while True:
            if self.i >= len(src):
                raise self.fail("a string is not closed", start)
            c = src[self.i]
            if long and src.startswith(quote * 3, self.i):
                self.i += 3
                break
            if not long and c == quote:
                self.i += 1
                break
            if c == "\\":
                chars.append(self.escape("a string"))
                continue
            if not long and c in "\r\n":
                raise self.fail("a line break in a short string", start)
            if long and src.startswith("\r\n", self.i):
                chars.append("\n")
                self.i += 2
                continue
            chars.append(c)
            self.i += 1
        value = "".join(chars)
        for c in value:
            if (ord(c) < 0x20 and c not in _EMIT) or ord(c) == 0x7F:
                raise self.fail(f"a string holds the control character U+{ord(c):04X}", start)
        self.out.append('"' + "".join(_EMIT.get(c, c) for c in value) + '"')
        # Keep the line numbers: the line breaks inside a long string follow it as white space.
        self.out.append("\n" * src[start:self.i].replace("\r\n", "\n").replace("\r", "\n").count("\n"))

    def iri(self) -> bool:
        """Read an IRI at ``self.i`` (a ``<``) if there is one; return False if the ``<`` is an operator."""
        src, start = self.src, self.i
        j = start + 1
        chars: list[str] = []
        apostrophe: int | None = None
        while j < len(src):
            c = src[j]
            if c == ">":
                break
            if c == "\\" and src[j + 1:j + 2] in ("u", "U"):
                self.i = j
                chars.append(self.escape("an IRI"))
                j = self.i
                continue
            if c == "'":
                apostrophe = apostrophe if apostrophe is not None else j
            elif c in _NOT_IN_IRI or ord(c) <= 0x20:
                self.i = start
                return False
            chars.append(c)
            j += 1
        else:
            self.i = start
            return False
        if apostrophe is not None:
            raise self.fail("an apostrophe in an IRI reads differently in different parsers (a parser that "
                            "reads the < as less-than sees a string): write it %27", apostrophe)
        self.i = j + 1
        self.out.append("<" + self.unambiguous("".join(chars), start) + ">")
        return True

    def unambiguous(self, iri: str, start: int) -> str:
        """Refuse an IRI that parsers can also read as comparisons: ``?x<?a&&?b>?y`` holds the IRI
        ``<?a&&?b>`` by SPARQL's longest-token rule (a syntax error there), which parsers without a
        tokenizer read as ``?x < ?a && ?b > ?y``. Only ``&&`` (``||`` cannot be in an IRI) or an open
        bracket (``?x<f(?a,?b>?c)``) makes the second reading possible."""
        if "&&" in iri or iri.count("(") > iri.count(")"):
            raise self.fail("<...> is an IRI by SPARQL's longest-token rule, but parsers read it as < and > "
                            "comparisons: put spaces around a comparison, or write & as %26 and ( as %28 in "
                            "an IRI", start)
        return iri

    def escaped_name(self, prefixes: dict[str, str], plain: list[str], places: list[int]) -> bool:
        """At a backslash outside strings and IRIs: if it is a local-name escape of a prefixed name
        (``:c\\~z\\.``), write the whole name as the full IRI instead of the part already copied (every
        parser reads an IRI alike) and return True; else return False, changing nothing."""
        src, at = self.src, self.i
        start = at
        while start and _NAME_CHAR.match(src, start - 1):
            start -= 1
        for begin in range(start, at):
            before = src[begin - 1] if begin else " "
            if before in "?$@" or (before != "." and _NAME_CHAR.match(before)):
                continue  # inside a variable, a language tag, a blank node label, a number or a name
            found = _PNAME.match(src, begin)
            if found is not None and found.end() > at:
                break
        else:
            return False
        prefix, local = found.group(1) or "", found.group(2)
        namespace = prefixes.get(prefix)
        if namespace is None:
            raise self.fail(f"the prefix {prefix}: is not declared (before it is used)", begin)
        if ":" not in namespace:
            raise self.fail(f"{found.group()}: a name with \\ escapes needs a prefix that is a full IRI "
                            "(this one is relative): write the full <IRI>", begin)
        iri = namespace + re.sub(r"\\(.)", r"\1", local)
        if "'" in iri:
            raise self.fail("an apostrophe in an IRI reads differently in different parsers: write it %27", begin)
        copied = at - begin  # each character copied so far made one entry of out, plain and places
        del self.out[len(self.out) - copied:], plain[len(plain) - copied:], places[len(places) - copied:]
        self.out.append(" <" + self.unambiguous(iri, begin) + "> ")
        plain.append(" ")
        places.append(begin)
        self.i = found.end()
        return True

    def run(self) -> Canonical:
        src = self.src
        depth = deepest = 0
        plain: list[str] = []  # the text outside strings and IRIs (each one a space), to find keywords in
        places: list[int] = []  # where each character of ``plain`` is in the source
        prefixes: dict[str, str] = dict(self.known)  # the PREFIX declarations read so far, and the usual ones
        escapes = "\\" in src  # without a backslash, no prefixed name has escapes to read
        while self.i < len(src):
            c, at = src[self.i], self.i
            if c == "#":
                while self.i < len(src) and src[self.i] not in "\r\n":
                    self.i += 1
                continue
            if c in "\"'" or (c == "<" and self.iri()):
                if c != "<":
                    self.string()
                elif escapes and _after_colon(plain):
                    declared = _PREFIX_DECL.search("".join(plain[-200:]))
                    if declared:
                        prefixes[declared.group(1) or ""] = self.out[-1][1:-1]
                plain.append(" ")
                places.append(at)
                continue
            if c == "\r":
                self.out.append("\n")
                self.i += 2 if src.startswith("\r\n", self.i) else 1
                plain.append(" ")
                places.append(at)
                continue
            if c == "\\":
                if self.escaped_name(prefixes, plain, places):
                    continue
                raise self.fail("a backslash outside a string or IRI reads differently in different "
                                "parsers (write keywords plainly and names as full <IRIs>)")
            if (ord(c) < 0x20 and c not in "\t\n") or ord(c) == 0x7F:
                raise self.fail(f"the control character U+{ord(c):04X}")
            if c in _OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    raise self.fail(f"the query nests brackets more than {MAX_DEPTH} deep")
                deepest = max(deepest, depth)
            elif c in _CLOSE and depth:
                depth -= 1
            self.out.append(c)
            plain.append(c)
            places.append(at)
            self.i += 1
        text = "".join(self.out)
        if re.search(r"\\[uU]", text):
            raise self.fail("a \\u escape would remain after the escapes are read (an escaped backslash before "
                            "u?): parsers read it differently; write the characters themselves", len(src))
        code = "".join(plain)
        found = _KEYWORD_SERVICE.search(code)
        if found:
            raise self.fail("SERVICE is not allowed: queries never reach the network", places[found.start()])
        names, used = _prefixes(code)
        return Canonical(text, deepest, names, {prefix: places[at] for prefix, at in used.items()})


def _prefixes(code: str) -> tuple[frozenset[str], dict[str, int]]:
    """The prefixes declared in ``code`` (the text outside strings and IRIs) and those used, each with
    the index of its first use in ``code``."""
    declared: set[str] = set()
    used: dict[str, int] = {}
    after_prefix = False
    for token in _TOKEN.finditer(code):
        if token.group(0).startswith(":") or token.group(1) is not None:
            prefix = token.group(1) or ""
            if after_prefix:
                declared.add(prefix)
            else:
                used.setdefault(prefix, token.start())
            after_prefix = False
        else:
            after_prefix = token.group(0).lower() == "prefix"
    return frozenset(declared), used


def _after_colon(plain: list[str]) -> bool:
    """Whether the text before the IRI just read ends with ``:`` (as a PREFIX declaration's name does)."""
    for c in reversed(plain[-64:]):
        if not c.isspace():
            return c == ":"
    return False


def canonical(text: str, known: Mapping[str, str] | None = None) -> Canonical:
    """The canonical text of a query (see the module's docstring).

    Args:
        text: The query as written.
        known: Prefixes a query may use without declaring them (for a local name's ``\\`` escapes,
            which are written as the full IRI; its own declarations win).

    Raises:
        Ambiguous: The text has no single reading, or holds ``SERVICE``.
    """
    return _Lexer(text, known or {}).run()
