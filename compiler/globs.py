"""IAM wildcards matched in linear time (issue 25 item 6): no backtracking regex ever sees a
policy's pattern outside OPA. Used by the access grouping, the catalog, the checks and the codegen's
probes (codegen/patterns builds a :class:`Glob` from parsed pieces); SEMANTICS §4.4 is the rule.

A backtracking matcher (Python ``re``, rego-cpp) takes exponential time on ``a*a*a*…b`` or ``?*``
repeated; this one keeps the set of pattern positions reachable after each character of the text
as the bits of one integer, so it takes ``len(text)`` steps of a few integer operations.
"""

from __future__ import annotations

_STAR, _STAR_SEG, _ANY = "*", ":", "?"  # token kinds besides a literal character


class Glob:
    """An IAM wildcard pattern matched without backtracking (issue 25 item 6): a bit-parallel NFA,
    one step per character of the text, so ``O(len(text) · len(pattern) / 64)`` whatever the
    pattern (``a*a*a*…b`` and ``?*?*…`` included), where a backtracking regex is exponential.

    Tokens: a literal character, ``?`` (any one character), ``*`` (any run) and the segment star
    (any run without ``:``, SEMANTICS §4.4). ``fold``: compare lower-cased (the caller's case rule).
    """

    __slots__ = ("_accept", "_any", "_fold", "_lit", "_star", "_star_seg", "_stars", "prefix")

    def __init__(self, tokens: list[str | tuple[str]], *, fold: bool = False):
        # a token is a 1-character str (literal) or a 1-tuple naming _STAR, _STAR_SEG or _ANY
        self._fold = fold
        self._lit: dict[str, int] = {}
        self._any = self._star = self._star_seg = 0
        prefix: list[str] = []
        for i, tok in enumerate(tokens):
            bit = 1 << i
            if isinstance(tok, str):
                ch = tok.lower() if fold else tok
                self._lit[ch] = self._lit.get(ch, 0) | bit
                if len(prefix) == i:
                    prefix.append(ch)
            elif tok[0] == _ANY:
                self._any |= bit
            elif tok[0] == _STAR:
                self._star |= bit
            else:
                self._star_seg |= bit
        self._stars = self._star | self._star_seg
        self._accept = 1 << len(tokens)
        self.prefix = "".join(prefix)  # the literal text before the first wildcard

    def _closure(self, d: int) -> int:
        while True:  # a star may match the empty run: its state also stands after it
            nd = d | ((d & self._stars) << 1)
            if nd == d:
                return d
            d = nd

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of ``text`` matches the pattern."""
        if self._fold:
            text = text.lower()
        d = self._closure(1)
        lit, anyc, stars, star = self._lit, self._any, self._stars, self._star
        for ch in text:
            stay = d & (star if ch == ":" else stars)
            d = ((d & (anyc | lit.get(ch, 0))) << 1) | stay
            if not d:
                return False
            d = self._closure(d)
        return bool(d & self._accept)


def star_token(crosses: bool) -> tuple[str]:
    """The token of a ``*``: any run (``crosses``) or the segment star (no ``:``)."""
    return (_STAR,) if crosses else (_STAR_SEG,)


ANY_TOKEN = (_ANY,)  # the token of ``?``: any one character


def plain_resource_glob(text: str, naive: bool = False) -> Glob:
    """A Resource pattern without variables (every character is itself; ``${`` is literal), segment
    rule of SEMANTICS §4.4 unless ``naive``: a ``*`` ending an ARN segment (last, or before ``:``)
    may cross ``:``, an inner one may not."""
    last = len(text) - 1
    tokens: list[str | tuple[str]] = []
    for i, ch in enumerate(text):
        if ch == "*":
            tokens.append(star_token(naive or i == last or text[i + 1] == ":"))
        elif ch == "?":
            tokens.append(ANY_TOKEN)
        else:
            tokens.append(ch)
    return Glob(tokens)


def wildcard_glob(pattern: str, *, fold: bool = True) -> Glob:
    """An IAM Action-style wildcard (every ``*`` any run, ``?`` one character), whole-text match."""
    return Glob([(_STAR,) if c == "*" else ANY_TOKEN if c == "?" else c for c in pattern], fold=fold)


def segment_glob(text: str) -> Glob:
    """:func:`plain_resource_glob` with the segment rule (the default glob mode)."""
    return plain_resource_glob(text)
