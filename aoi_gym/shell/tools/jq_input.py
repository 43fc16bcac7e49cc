"""jq's input reader: a stream of JSON texts, and the parse errors jq 1.7 prints for what is not one.

jq reads its input value by value and runs the filter on each value as soon as it is read. So the
values before a parse error are still printed, and then jq stops with exit status 5 and
``jq: parse error: Invalid numeric literal at line 1, column 11``. The usual cause is YAML or log text
piped into jq, as in ``kubectl get pods -o yaml | jq .``.

Well-formed input goes through Python's JSON decoder. Input it rejects is read again by
:class:`_JqParser`, which follows jq's own parser: characters are read one at a time; a bare word
(number, true, false, null, nan) ends at whitespace or punctuation and is checked then; each error
names the line and column where jq noticed it (a newline there gives ``line N+1, column 0``). The
messages and positions were checked against the jq binary, including the single-quote message and
``nan`` that 1.7 added.
"""

from __future__ import annotations

import json
import re

__all__ = ["read_values"]

_WHITESPACE = " \t\r\n"
_PUNCTUATION = '[]{},:"'
_DECODER = json.JSONDecoder()
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")  # what jq's strtod takes whole
_SPECIAL = re.compile(r"[+-]?(inf|infinity|nan)\Z", re.IGNORECASE)  # strtod's words, any case


class _ParseError(Exception):
    pass


def _literal(word: str):
    """The value of a bare word as jq reads it; _ParseError with jq's message otherwise."""
    pattern = {"t": "true", "f": "false", "n": "nan" if len(word) == 3 else "null"}.get(word[0])
    if word[0] == "'":
        raise _ParseError("Invalid string literal; expected \", but got '")
    if pattern is not None:
        if word != pattern:
            raise _ParseError("Invalid literal")
        return {"true": True, "false": False, "null": None, "nan": float("nan")}[word]
    if _SPECIAL.match(word):
        return float(word)
    if not _NUMBER.match(word):
        raise _ParseError("Invalid numeric literal")
    if re.fullmatch(r"[+-]?\d+", word):
        return int(word)
    return float(word)


def _string(body: str) -> str:
    """A string's text between its quotes, unescaped (jq checks it when the closing quote arrives);
    the decoder's complaint becomes jq's message."""
    try:
        return _DECODER.decode(f'"{body}"')
    except json.JSONDecodeError as e:
        if e.msg.startswith("Invalid control character"):
            raise _ParseError("Invalid string: control characters from U+0000 through U+001F must be escaped") from None
        raise _ParseError("Invalid \\uXXXX escape" if "uXXXX" in e.msg else "Invalid escape") from None


class _Key(str):
    """An object key waiting for its value on the stack."""


class _JqParser:
    """jq's parser, one character at a time (only for input Python's decoder rejected)."""

    def __init__(self) -> None:
        self.stack: list = []  # open arrays and objects, with a _Key above an object awaiting its value
        self.next = self.none = object()  # the value just read, not yet placed
        self.last_comma = False
        self.values: list = []

    def value(self, v) -> None:
        if self.next is not self.none:
            raise _ParseError("Expected separator between values")
        self.next = v
        self.last_comma = False

    def punctuation(self, ch: str) -> None:
        stack, none = self.stack, self.none
        top = stack[-1] if stack else None
        comma, self.last_comma = self.last_comma, False
        if ch in "[{":
            if self.next is not none:
                raise _ParseError("Expected separator between values")
            stack.append([] if ch == "[" else {})
        elif ch == ":":
            if self.next is none:
                raise _ParseError("Expected string key before ':'")
            if not isinstance(top, dict):
                raise _ParseError("':' not as part of an object")
            if not isinstance(self.next, str):
                raise _ParseError("Object keys must be strings")
            stack.append(_Key(self.next))
            self.next = none
        elif ch == ",":
            if self.next is none:
                raise _ParseError("Expected value before ','")
            if top is None:  # (a value read at the top level was taken before this comma)
                raise _ParseError("',' not as part of an object or array")
            self._place(top, "Objects must consist of key:value pairs")
            self.last_comma = True
        elif ch == "]":
            if not isinstance(top, list):
                raise _ParseError("Unmatched ']'")
            if self.next is not none:
                top.append(self.next)
                self.next = none
            elif comma:
                raise _ParseError("Expected another array element")
            self.value(stack.pop())
        else:  # "}"
            if self.next is not none:
                if not isinstance(top, _Key):
                    raise _ParseError("Objects must consist of key:value pairs")
                self._place(top, "")
            else:
                if not isinstance(top, dict):
                    raise _ParseError("Unmatched '}'")
                if comma:
                    raise _ParseError("Expected another key-value pair")
            self.value(stack.pop())

    def _place(self, top, not_in_object: str) -> None:
        if isinstance(top, list):
            top.append(self.next)
        elif isinstance(top, _Key):
            self.stack.pop()
            self.stack[-1][str(top)] = self.next
        else:
            raise _ParseError(not_in_object)
        self.next = self.none

    def take(self) -> list:
        """A finished top-level value, taken out of the parser ([] when there is none)."""
        if self.stack or self.next is self.none:
            return []
        value, self.next = self.next, self.none
        return [value]

    def run(self, text: str) -> tuple[list, str | None]:
        line, column, i, n = 1, 0, 0, len(text)
        token_start = -1
        values = self.values
        try:
            while i < n:
                ch = text[i]
                if ch == '"' and token_start < 0:
                    # a string: find its closing quote, counting lines and columns on the way
                    j, escaped = i + 1, False
                    while j < n and (escaped or text[j] != '"'):
                        escaped = not escaped and text[j] == "\\"
                        j += 1
                    for c in text[i:j + 1]:
                        line, column = (line + 1, 0) if c == "\n" else (line, column + 1)
                    if j >= n:
                        return values, f"Unfinished string at EOF at line {line}, column {column}"
                    self.value(_string(text[i + 1:j]))
                    values += self.take()
                    i = j + 1
                    continue
                if ch not in _WHITESPACE and ch not in _PUNCTUATION:
                    if token_start < 0:
                        token_start = i
                    line, column = (line, column + 1)
                    i += 1
                    continue
                line, column = (line + 1, 0) if ch == "\n" else (line, column + 1)
                if token_start >= 0:
                    self.value(_literal(text[token_start:i]))
                    token_start = -1
                # As jq does: a top-level value is taken before the character that ended it is
                # handled, and lost if that character is an error (``1,2`` prints nothing).
                taken = self.take()
                if ch == '"':
                    values += taken
                    line, column = line, column - 1  # read again as the string's opening quote
                    continue
                if ch in _PUNCTUATION:
                    self.punctuation(ch)
                values += taken + self.take()
                i += 1
        except _ParseError as e:
            return values, f"{e} at line {line}, column {column}"
        try:
            if token_start >= 0:
                self.value(_literal(text[token_start:]))
                values += self.take()
        except _ParseError as e:
            return values, f"{e} at EOF at line {line}, column {column}"
        if self.stack or self.next is not self.none:
            return values, f"Unfinished JSON term at EOF at line {line}, column {column}"
        return values, None


def read_values(text: str) -> tuple[list, str | None]:
    """The JSON values in ``text`` up to the first that does not parse, and jq's message for that one
    (``"jq: parse error: ..."``; None when all of ``text`` parsed)."""
    values, i, n = [], 0, len(text)
    try:
        while True:
            while i < n and text[i] in _WHITESPACE:
                i += 1
            if i >= n:
                return values, None
            if text[i] in "[{\"":
                value, i = _DECODER.raw_decode(text, i)
            else:
                # a bare word: jq takes all of it (``2026-11-22T10`` is one bad word to jq, where
                # Python's decoder would read the number 2026 and go on)
                end = i
                while end < n and text[end] not in _WHITESPACE and text[end] not in _PUNCTUATION:
                    end += 1
                if end == i:
                    raise ValueError(text[i])  # stray punctuation: jq's parser says which
                value, i = _literal(text[i:end]), end
            values.append(value)
    except (ValueError, _ParseError):
        values, error = _JqParser().run(text)
        return values, (f"jq: parse error: {error}" if error else None)
