"""Words without the lexer: plain words built and cached, and the scanners that find where a
``$((...))`` or ``${...}`` ends. Split out of :mod:`aoi_gym.shell.lexer`, which uses them."""

from __future__ import annotations

import re

from aoi_gym.shell.syntax import Part, Word, new_word

__all__ = ["simple_word"]

_WORD_PIECE = re.compile(r"([^'\"]+)|'([^']*)'|\"([^\"]*)\"")
_WORD_CACHE: dict[str, Word] = {}  # words without expansions are immutable: share them
_WORD_CACHE_MAX = 8192


def simple_word(raw: str) -> Word:
    """A word of plain characters and quoted strings without expansions (what _SIMPLE_WORD matched),
    built as the general lexer would build it, and shared through a cache."""
    word = _WORD_CACHE.get(raw)
    if word is not None:
        return word
    if "'" not in raw and '"' not in raw:
        glob = "*" in raw or "?" in raw or "[" in raw
        word = new_word(raw, raw, (), glob, (Part("lit", raw, False),))
    else:
        parts: list[Part] = []
        glob = False
        for plain, single, double in _WORD_PIECE.findall(raw):
            if plain:
                parts.append(Part("lit", plain, False))
                glob = glob or "*" in plain or "?" in plain or "[" in plain
            else:
                parts.append(Part("lit", single or double, True))
        merged = _merge(parts)
        word = new_word(raw, "".join(p.text for p in merged), (), glob, merged)
    if len(_WORD_CACHE) >= _WORD_CACHE_MAX:
        _WORD_CACHE.clear()
    _WORD_CACHE[raw] = word
    return word


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    """Join adjacent literal parts with the same quoting (fewer parts, faster expansion)."""
    out: list[Part] = []
    for p in parts:
        if out and p.kind == "lit" and out[-1].kind == "lit" and out[-1].quoted == p.quoted:
            if p.text:
                out[-1] = Part("lit", out[-1].text + p.text, p.quoted)
            continue
        out.append(p)
    return tuple(out)


def _match_arith(src: str, i: int) -> int:
    """Index of the ``))`` closing an arithmetic expansion opened before ``i``, or -1."""
    depth = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i if src.startswith("))", i) else -1
            depth -= 1
        i += 1
    return -1


def _match_brace(src: str, i: int) -> int:
    """Index of the ``}`` closing ``${`` opened before ``i`` (quotes respected), or -1."""
    depth = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = src.find("'", i + 1)
            if j < 0:
                return -1
            i = j + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
