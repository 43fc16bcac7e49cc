"""jq's input reader: a stream of JSON texts, and the parse errors jq 1.7 prints for what is not one.

jq reads its input value by value and runs the filter on each value as soon as it is read. So the
values before a parse error are still printed, and then jq stops with exit status 2 and
``jq: parse error: Invalid numeric literal at line 1, column 11``. The usual cause is YAML or log text
piped into jq, as in ``kubectl get pods -o yaml | jq .``. The line and column are where jq's
tokenizer noticed the problem: just after the character that ended the bad token, so a newline there
gives ``line N+1, column 0``.
"""

from __future__ import annotations

import json

__all__ = ["read_values"]

_WHITESPACE = " \t\r\n"
_STRUCTURE = '[]{},:"'
_DECODER = json.JSONDecoder()
# Python's decoder messages -> jq's, for the errors inside a value (a bad token has its own message)
_MESSAGES = {
    "Expecting ',' delimiter": "Expected separator between values",
    "Expecting ':' delimiter": "Objects must consist of key:value pairs",
    "Expecting property name enclosed in double quotes": "Object keys must be strings",
    "Invalid control character at": "Invalid string: control characters from U+0000 through U+001F must be escaped",
    "Invalid \\escape": "Invalid escape",
    "Invalid \\uXXXX escape": "Invalid \\uXXXX escape",
}


def _where(text: str, end: int) -> str:
    """jq's position after reading ``text[:end]``: 1-based line and the characters read on it."""
    line = text.count("\n", 0, end) + 1
    return f"line {line}, column {end - (text.rfind(chr(10), 0, end) + 1)}"


def _token_end(text: str, i: int) -> int:
    while i < len(text) and text[i] not in _WHITESPACE and text[i] not in _STRUCTURE:
        i += 1
    return i


def _bad_token(text: str, start: int, end: int) -> str:
    """jq's message for the bare word ``text[start:end]`` (not a number, true, false or null)."""
    if text[start] == "'":
        kind = "Invalid string literal; expected \", but got '"
    else:
        kind = "Invalid literal" if text[start] in "tfn" else "Invalid numeric literal"
    if end >= len(text):
        return f"{kind} at EOF at {_where(text, end)}"
    return f"{kind} at {_where(text, end + 1)}"


def _is_literal(word: str) -> bool:
    try:
        _literal(word)
    except ValueError:
        return False
    return True


def _literal(word: str):
    """A number, true, false, null or nan (jq reads ``nan`` too); ValueError for any other word."""
    return float("nan") if word == "nan" else json.loads(word)


def _previous(text: str, pos: int) -> str:
    """The last character before ``pos`` that is not whitespace ('' at the start)."""
    stripped = text[:pos].rstrip(_WHITESPACE)
    return stripped[-1:] if stripped else ""


def _error(text: str, err: json.JSONDecodeError) -> str:
    pos, msg = err.pos, err.msg
    if msg.startswith("Invalid control character"):
        # jq keeps reading a string across a raw newline and only rejects it at the closing quote
        close = text.find('"', pos)
        if close < 0:
            return f"Unfinished string at EOF at {_where(text, len(text))}"
        return f"{_MESSAGES['Invalid control character at']} at {_where(text, close + 1)}"
    if pos >= len(text) or msg.startswith("Unterminated string"):
        what = "Unfinished string" if msg.startswith("Unterminated string") else "Unfinished JSON term"
        return f"{what} at EOF at {_where(text, len(text))}"
    if msg.startswith("Expecting property name") and text[pos] == "}" and _previous(text, pos) == ",":
        return f"Expected another key-value pair at {_where(text, pos + 1)}"
    if text[pos] not in _STRUCTURE and text[pos] not in _WHITESPACE:
        # a bare word inside a value (``[1x]``, ``{"a": yes}``): jq reads it whole, then rejects it
        start = pos
        while start > 0 and text[start - 1] not in _WHITESPACE and text[start - 1] not in _STRUCTURE:
            start -= 1
        end = _token_end(text, pos)
        if start == pos and msg.startswith("Expecting ',' delimiter") and _is_literal(text[start:end]):
            # a good word where a comma belongs (``[1 2]``): jq objects once it has read the word
            where = f"EOF at {_where(text, end)}" if end >= len(text) else _where(text, end + 1)
            return f"Expected separator between values at {where}"
        return _bad_token(text, start, end)
    if msg == "Expecting value" and text[pos] in "]}":
        before = _previous(text, pos)
        if before == ",":
            what = "Expected another array element" if text[pos] == "]" else "Expected another key-value pair"
        elif before == ":":
            what = "Objects must consist of key:value pairs"
        else:
            what = f"Unmatched '{text[pos]}'"
        return f"{what} at {_where(text, pos + 1)}"
    message = next((jq for py, jq in _MESSAGES.items() if msg.startswith(py)), "Invalid literal")
    return f"{message} at {_where(text, pos + 1)}"


def read_values(text: str) -> tuple[list, str | None]:
    """The JSON values in ``text`` up to the first that does not parse, and jq's message for that one
    (``"jq: parse error: ..."``; None when all of ``text`` parsed)."""
    values, i, n = [], 0, len(text)
    while True:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if i >= n:
            return values, None
        if text[i] not in _STRUCTURE:
            # a number or true/false/null: jq takes the whole word (``2026-11-22T10:00:00Z`` is one
            # bad word to jq, where Python's decoder would read the number 2026 and go on)
            end = _token_end(text, i)
            try:
                value = _literal(text[i:end])
            except ValueError:
                return values, f"jq: parse error: {_bad_token(text, i, end)}"
            values.append(value)
            i = end
            continue
        try:
            value, i = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as e:
            return values, f"jq: parse error: {_error(text, e)}"
        values.append(value)
