"""Tokens and words of the shell language, for :mod:`aoi_gym.shell.parse`.

:class:`Lexer` turns command-line text into tokens (words, operators, redirections, newlines)
one at a time, building each :class:`~aoi_gym.shell.syntax.Word` with its parts (literals,
``$VAR``, ``$(...)``, backticks, ``$((...))``, ``~``). Command substitutions are parsed by the
grammar (the subclass in :mod:`aoi_gym.shell.parse`) on the same text, so nesting is exact.
Here-document bodies are read when the lexer passes the newline that starts them.
"""

from __future__ import annotations

import re

from aoi_gym.shell.syntax import Part, Redirect, Script, Word, new_word
from aoi_gym.shell.words import _WORD_CACHE, _match_arith, _match_brace, _merge, simple_word

__all__ = ["ParseError", "Lexer", "WORD", "OP", "REDIR", "NL", "EOF", "PARAM_OPS", "PARAM_RE", "FLAT_TOKENS", "simple_word"]

class ParseError(Exception):
    """A command line bash would refuse; ``str(e)`` is bash's message (``bash: -c: line 1: ...``)."""


_META = frozenset(" \t\n;&|()<>")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_SPECIAL_PARAMS = frozenset("?$#!@*-0123456789")
_GLOB = frozenset("*?[")
_ANSI_C = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "e": "\x1b", "0": "\0"}
_MAX_DEPTH = 100

#: ``${...}``: an optional ``#`` (length), the parameter, and what follows it (the operator and its arguments)
PARAM_RE = re.compile(r"^(#?)([A-Za-z_][A-Za-z0-9_]*|[?$#!@*\-0-9])(.*)$", re.S)
#: parameter operators, longest first where one is a prefix of another
PARAM_OPS = (":-", "-", ":=", "=", ":+", "+", ":?", "?", "##", "#", "%%", "%", "//", "/", "^^", "^", ",,", ",")

# fast paths: blanks/continuations/a comment before a token, and a whole word made only of plain
# characters, single-quoted strings and double-quoted strings without $, ` or \ inside
_SKIP = re.compile(r"(?:[ \t]|\\\n)*(?:#[^\n]*)?")
#: Redirection operators longer than one character, longest first: (source text, operator).
_MULTI_CHAR_REDIRECTS = (("&>>", "&>>"), ("&>", "&>"), ("<<<", "<<<"), ("<<-", "<<-"), ("<<", "<<"), ("<>", "<>"),
                         (">>", ">>"), (">|", ">"))
_SIMPLE_WORD = re.compile(r"""(?:[^ \t\n;&|()<>\\'"$`]+|'[^']*'|"[^"\\$`]*")+""")
# the common token in one match: blanks, then a simple word ending at a metacharacter (not a
# comment, not ~, not the N of an N> redirection) or a plain | && || ; operator. Possessive
# quantifiers: a line it does not fit fails fast, and the general lexer takes over.
_FAST_TOKEN = re.compile(
    r"(?:[ \t]|\\\n)*+"
    r"(?:(?![#~]|[0-9]++[<>])((?:[^ \t\n;&|()<>\\'\"$`]++|'[^']*+'|\"[^\"\\$`]*+\")++)(?![^ \t\n;&|()<>])"
    r"|(&&|\|\||\|(?![|&])|;(?![;&])))"
)
#: a whole line of such tokens (see aoi_gym.shell.parse._parse_flat): (blanks, word, operator) triples
FLAT_TOKENS = re.compile(
    r"([ \t]*+)(?:(?![#~]|[0-9]++[<>])((?:[^ \t\n;&|()<>\\'\"$`]++|'[^']*+'|\"[^\"\\$`]*+\")++)(?![^ \t\n;&|()<>])"
    r"|(&&|\|\||\|(?![|&])|;(?![;&])))"
)
_OPS = {";": ";", "&": "&", "|": "|", "(": "(", ")": ")"}

# token kinds
WORD, OP, REDIR, NL, EOF = "word", "op", "redir", "nl", "eof"


class Lexer:
    """Tokenizer over ``src``; subclasses provide ``parse_list`` (used for ``$(...)``)."""

    def __init__(self, src: str, depth: int = 0) -> None:
        self.src = src
        self.n = len(src)
        self.pos = 0
        self.tok: tuple | None = None  # one-token lookahead: (kind, text, word_or_None)
        self.heredocs: list[tuple[Redirect, str, bool, bool]] = []  # (redirect, delimiter, strip_tabs, quoted)
        self.depth = depth

    # ------------------------------------------------------------------ errors
    def error(self, msg: str, pos: int | None = None) -> ParseError:
        line = self.src.count("\n", 0, self.pos if pos is None else pos) + 1
        return ParseError(f"bash: -c: line {line}: {msg}")

    def unexpected(self, tok: tuple) -> ParseError:
        kind, text = tok[0], tok[1]
        if kind == EOF:
            return self.error("syntax error: unexpected end of file")
        shown = "newline" if kind == NL else (tok[2].raw if kind == WORD else text)
        return self.error(f"syntax error near unexpected token `{shown}'")

    def eof_matching(self, ch: str) -> ParseError:
        return self.error(f"unexpected EOF while looking for matching `{ch}'")

    # ------------------------------------------------------------------ lexer
    def peek(self) -> tuple:
        if self.tok is None:
            self.tok = self._lex()
        return self.tok

    def take(self) -> tuple:
        tok = self.peek()
        self.tok = None
        return tok

    def _lex(self) -> tuple:
        m = _FAST_TOKEN.match(self.src, self.pos)
        if m is not None:
            self.pos = m.end()
            raw = m.group(1)
            if raw is None:
                return (OP, m.group(2), None)
            return (WORD, "", _WORD_CACHE.get(raw) or simple_word(raw))
        src, n = self.src, self.n
        pos = _SKIP.match(src, self.pos).end()
        self.pos = pos
        if pos >= n:
            self._read_heredocs()
            return (EOF, "", None)
        c = src[pos]
        if c in _META:
            if c == "\n":
                self.pos = pos + 1
                self._read_heredocs()
                return (NL, "\n", None)
            two = src[pos : pos + 2]
            if c == ";":
                if two in (";;", ";&"):
                    raise self.error(f"syntax error near unexpected token `{two}'")
            elif c == "&":
                if two == "&&":
                    self.pos = pos + 2
                    return (OP, "&&", None)
                if two == "&>":
                    return self._lex_redirect("")
            elif c == "|":
                if two in ("||", "|&"):
                    self.pos = pos + 2
                    return (OP, two, None)
            elif c in "<>":
                return self._lex_redirect("")
            self.pos = pos + 1
            return (OP, _OPS[c], None)
        if c.isdigit():
            j = pos
            while j < n and src[j].isdigit():
                j += 1
            if j < n and src[j] in "<>":
                fd = src[pos:j]
                self.pos = j
                return self._lex_redirect(fd)
        m = _SIMPLE_WORD.match(src, pos)
        if m is not None and c != "~":
            end = m.end()
            if end >= n or src[end] in _META:
                self.pos = end
                return (WORD, "", simple_word(m.group()))
        return (WORD, "", self._lex_word())

    def _lex_redirect(self, fd: str) -> tuple:
        src, p = self.src, self.pos
        for text, op in _MULTI_CHAR_REDIRECTS:
            if src.startswith(text, p):
                p += len(text)
                break
        else:
            if src[p] in "<>" and src.startswith("&", p + 1):
                arrow = src[p]
                m = re.match(r"\d+|-", src[p + 2 :])
                if m:  # N>&M duplication (or N>&- close)
                    self.pos = p + 2 + m.end()
                    default = "1" if arrow == ">" else "0"
                    head = "" if fd in ("", default) else fd
                    return (REDIR, f"{head}{arrow}&{m.group()}", None)
                op, p = ("&>" if arrow == ">" else "<"), p + 2  # >&file is &>file
                fd = ""
            else:
                op, p = src[p], p + 1
        self.pos = p
        if fd and op in (">", ">>", "<", "<>"):
            default = "0" if op.startswith("<") else "1"
            if fd != default:
                op = fd + op
        return (REDIR, op, None)

    def _read_heredocs(self) -> None:
        """Consume the bodies of pending here-documents, which start right after a newline."""
        pending, self.heredocs = self.heredocs, []
        for redirect, delim, strip_tabs, quoted in pending:
            lines: list[str] = []
            while self.pos < self.n:
                end = self.src.find("\n", self.pos)
                line = self.src[self.pos : self.n if end < 0 else end]
                self.pos = self.n if end < 0 else end + 1
                if strip_tabs:
                    line = line.lstrip("\t")
                if line == delim:
                    break
                lines.append(line)
            # bash accepts a body ended by end of input (with a warning); so do we
            body = "".join(line + "\n" for line in lines)
            if quoted:
                word = new_word(body, body, (), False, (Part("lit", body, True),))
            else:
                word = type(self)(body, self.depth + 1).lex_heredoc_body()
            object.__setattr__(redirect, "heredoc", body)
            object.__setattr__(redirect, "heredoc_word", word)

    # ------------------------------------------------------------------ words
    def _lex_word(self) -> Word:
        src, n = self.src, self.n
        start = self.pos
        parts: list[Part] = []
        value: list[str] = []
        subs: list[Script] = []
        state = {"exp": False}
        if src.startswith("~", start) and (start + 1 >= n or src[start + 1] in "/" or src[start + 1] in _META):
            parts.append(Part("tilde", "~"))
            value.append("~")
            state["exp"] = True
            self.pos += 1
        while self.pos < n:
            c = src[self.pos]
            if c in _META:
                break
            if c == "\\":
                nxt = src[self.pos + 1 : self.pos + 2]
                if nxt == "\n":
                    self.pos += 2
                    continue
                if not nxt:  # a trailing backslash stays literal
                    parts.append(Part("lit", "\\", True))
                    value.append("\\")
                    self.pos += 1
                    continue
                parts.append(Part("lit", nxt, True))
                value.append(nxt)
                self.pos += 2
            elif c == "'":
                end = src.find("'", self.pos + 1)
                if end < 0:
                    raise self.eof_matching("'")
                text = src[self.pos + 1 : end]
                parts.append(Part("lit", text, True))
                value.append(text)
                self.pos = end + 1
            elif c == '"':
                self.pos += 1
                self._lex_dquoted(parts, value, subs, state, '"')
            elif c == "$":
                self._lex_dollar(parts, value, subs, state, quoted=False)
            elif c == "`":
                self._lex_backtick(parts, value, subs, state, quoted=False)
            else:
                j = self.pos + 1
                while j < n and src[j] not in _META and src[j] not in "\\'\"$`":
                    j += 1
                text = src[self.pos : j]
                if not state["exp"] and any(g in text for g in _GLOB):
                    state["exp"] = True
                parts.append(Part("lit", text, False))
                value.append(text)
                self.pos = j
        return new_word(src[start : self.pos], "".join(value), tuple(subs), state["exp"], _merge(parts))

    def _lex_dquoted(self, parts: list, value: list, subs: list, state: dict, close: str | None, stop: str = "") -> None:
        """Inside double quotes (close='"') or a heredoc body (close=None): up to the closing quote,
        or (heredoc mode only) up to an unescaped literal ``stop`` character, left unconsumed."""
        src, n = self.src, self.n
        escapable = '$`"\\' if close else "$`\\"
        buf: list[str] = []

        def flush() -> None:
            if buf:
                text = "".join(buf)
                parts.append(Part("lit", text, True))
                value.append(text)
                buf.clear()

        while self.pos < n:
            c = src[self.pos]
            if close is not None and c == close:
                self.pos += 1
                flush()
                if not parts or parts[-1].kind != "lit" or not parts[-1].quoted:
                    parts.append(Part("lit", "", True))  # keeps "" an (empty) argument
                return
            if c == stop:
                break
            if c == "\\":
                nxt = src[self.pos + 1 : self.pos + 2]
                if nxt == "\n":
                    self.pos += 2
                elif nxt and (nxt in escapable or nxt == stop):  # ${X//\//-}: an escaped separator is text
                    buf.append(nxt)
                    self.pos += 2
                else:
                    buf.append("\\")
                    self.pos += 1
            elif c == "$":
                flush()
                self._lex_dollar(parts, value, subs, state, quoted=True)
            elif c == "`":
                flush()
                self._lex_backtick(parts, value, subs, state, quoted=True)
            else:
                buf.append(c)
                self.pos += 1
        if close is not None:
            raise self.eof_matching(close)
        flush()

    def lex_heredoc_body(self, stop: str = "") -> Word:
        """The text from the current position as a here-document body (``$``/backticks expand,
        quotes are literal), up to the end or to the first literal ``stop`` character."""
        start = self.pos
        parts: list[Part] = []
        value: list[str] = []
        subs: list[Script] = []
        state = {"exp": False}
        self._lex_dquoted(parts, value, subs, state, None, stop)
        return new_word(self.src[start : self.pos], "".join(value), tuple(subs), state["exp"], _merge(parts))

    def _lex_dollar(self, parts: list, value: list, subs: list, state: dict, quoted: bool) -> None:
        src, n, p = self.src, self.n, self.pos
        nxt = src[p + 1 : p + 2]
        if src.startswith("$((", p):
            end = _match_arith(src, p + 3)
            if end < 0:
                raise self.eof_matching(")")
            text = src[p + 3 : end]
            expr = self._nested(text).lex_heredoc_body()
            parts.append(Part("arith", text, quoted, None, "", (expr,)))
            subs.extend(expr.substitutions)
            self.pos = end + 2
        elif nxt == "(":
            self.pos = p + 2
            script = self._sub_script()
            parts.append(Part("cmd", src[p : self.pos], quoted, script))
            subs.append(script)
        elif nxt == "{":
            end = _match_brace(src, p + 2)
            if end < 0:
                raise self.eof_matching("}")
            expr = src[p + 2 : end]
            if not expr:
                raise self.error("${}: bad substitution")
            part = self._param(expr, quoted)
            parts.append(part)
            for arg in part.args:
                subs.extend(arg.substitutions)
            self.pos = end + 1
        elif nxt and nxt in _NAME_START:
            j = p + 2
            while j < n and src[j] in _NAME_CHARS:
                j += 1
            name = src[p + 1 : j]
            parts.append(Part("param", name, quoted, None, "", (), name))
            self.pos = j
        elif nxt and nxt in _SPECIAL_PARAMS:
            parts.append(Part("param", nxt, quoted, None, "", (), nxt))
            self.pos = p + 2
        elif nxt == "'" and not quoted:
            self._lex_ansi_c(parts, value)
            return
        else:  # a lone dollar is literal
            parts.append(Part("lit", "$", quoted))
            value.append("$")
            self.pos = p + 1
            return
        value.append(src[p : self.pos])
        state["exp"] = True

    def _param(self, expr: str, quoted: bool) -> Part:
        """``${expr}`` as a param Part: its name, operator and the operator's arguments lexed now
        (as here-document text, so ``$(...)`` inside them is parsed once, here, and never again)."""
        m = PARAM_RE.match(expr)
        if m is None:
            return Part("param", expr, quoted, None, "bad")
        length, name, rest = m.groups()
        if length:
            return Part("param", expr, quoted, None, "bad" if rest else "len", (), name)
        if not rest:
            return Part("param", expr, quoted, None, "", (), name)
        op = next((o for o in PARAM_OPS if rest.startswith(o)), None)
        if op is None:
            if rest[0] != ":":
                return Part("param", expr, quoted, None, "bad", (), name)
            op, sep = ":", ":"  # ${X:offset[:length]}
        else:
            sep = "/" if op in ("/", "//") else ""
        lexer = self._nested(rest[len(op) :])
        args = [lexer.lex_heredoc_body(sep)]
        if sep and lexer.pos < lexer.n:
            lexer.pos += 1
            args.append(lexer.lex_heredoc_body())
        return Part("param", expr, quoted, None, op, tuple(args), name)

    def _lex_ansi_c(self, parts: list, value: list) -> None:
        src, n = self.src, self.n
        i = self.pos + 2
        out: list[str] = []
        while i < n and src[i] != "'":
            if src[i] == "\\" and i + 1 < n:
                out.append(_ANSI_C.get(src[i + 1], "\\" + src[i + 1]))
                i += 2
            else:
                out.append(src[i])
                i += 1
        if i >= n:
            raise self.eof_matching("'")
        text = "".join(out)
        parts.append(Part("lit", text, True))
        value.append(text)
        self.pos = i + 1

    def _lex_backtick(self, parts: list, value: list, subs: list, state: dict, quoted: bool) -> None:
        src, n = self.src, self.n
        i = self.pos + 1
        inner: list[str] = []
        while i < n and src[i] != "`":
            if src[i] == "\\" and i + 1 < n and src[i + 1] in "`$\\" + ('"' if quoted else ""):
                inner.append(src[i + 1])
                i += 2
            else:
                inner.append(src[i])
                i += 1
        if i >= n:
            raise self.eof_matching("`")
        script = self._nested("".join(inner)).parse_all()  # type: ignore[attr-defined]
        raw = src[self.pos : i + 1]
        parts.append(Part("cmd", raw, quoted, script))
        value.append(raw)
        subs.append(script)
        state["exp"] = True
        self.pos = i + 1

    def _nested(self, text: str) -> "Lexer":
        if self.depth >= _MAX_DEPTH:
            raise self.error("maximum nesting of substitutions exceeded")
        return type(self)(text, self.depth + 1)

    def _sub_script(self) -> Script:
        """The body of ``$( ... )``; self.pos is just after ``$(``; leaves it after ``)``."""
        if self.depth >= _MAX_DEPTH:
            raise self.error("maximum nesting of substitutions exceeded")
        self.depth += 1
        script, stop = self.parse_list(stop_ops=(")",))
        self.depth -= 1
        if stop[0] == EOF:
            raise self.eof_matching(")")
        self.take()
        return script

    def parse_list(self, stop_ops: tuple = (), stop_words: tuple = ()) -> tuple[Script, tuple]:
        raise NotImplementedError
