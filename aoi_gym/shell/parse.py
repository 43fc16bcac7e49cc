"""A POSIX-shell (bash subset) parser: command line text -> :class:`Script` syntax tree.

Supports quotes (single, double, ``$'...'``), backslash escapes, line continuations, comments,
newlines as separators, ``|``, ``|&``, ``&&``, ``||``, ``;``, ``&``, ``!``, ``( )``, ``{ ...; }``,
``for``/``while``/``until``/``if`` compound commands, redirections (including heredocs and
here-strings), ``$(...)`` (nested), backticks, ``$((...))``, ``${VAR...}``, ``$VAR``, ``$?`` and
assignments. Anything unterminated or ungrammatical raises :class:`ParseError` with bash's wording;
no other exception ever escapes :func:`parse`.

Usage::

    script = parse("kubectl get pods -n x | grep geo | wc -l")
    for cmd in iter_commands(script):
        print(cmd.argv)
"""

from __future__ import annotations

import re
from dataclasses import replace

from aoi_gym.shell.lexer import _WORD_CACHE, EOF, FLAT_TOKENS, NL, OP, REDIR, WORD, Lexer, ParseError, simple_word

from aoi_gym.shell.syntax import (
    AndOr,
    Command,
    ForLoop,
    IfClause,
    Part,
    Pipeline,
    Redirect,
    Script,
    SimpleCommand,
    Subshell,
    WhileLoop,
    Word,
    iter_commands,
    iter_words,
    new_andor,
    new_pipeline,
    new_script,
    new_simple,
    new_word,
    to_source,
)

__all__ = [
    "ParseError",
    "parse",
    "parse_text_word",
    "iter_commands",
    "iter_words",
    "to_source",
    "Part",
    "Word",
    "Redirect",
    "SimpleCommand",
    "Subshell",
    "ForLoop",
    "WhileLoop",
    "IfClause",
    "Command",
    "Pipeline",
    "AndOr",
    "Script",
]


_ASSIGN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNSUPPORTED = frozenset({"case", "select", "function", "coproc", "esac"})
_STRAY = frozenset({"then", "elif", "else", "fi", "do", "done", "}"})
#: words that make a command anything but a simple command when they come first
_NOT_SIMPLE = _UNSUPPORTED | _STRAY | {"!", "{", "for", "while", "until", "if"}


class _Parser(Lexer):
    """Recursive-descent grammar over the lexer's tokens."""

    def parse_all(self) -> Script:
        script, stop = self.parse_list()
        if stop[0] != EOF:
            raise self.unexpected(stop)
        return script

    def parse_list(self, stop_ops: tuple = (), stop_words: tuple = ()) -> tuple[Script, tuple]:
        """and-or lists with separators, until EOF, an op in stop_ops or a reserved word in stop_words
        at command position. Returns the script and the (unconsumed) stopping token."""
        items: list[tuple[AndOr, str]] = []
        while True:
            tok = self._skip_newlines()
            if self._is_stop(tok, stop_ops, stop_words):
                if items and items[-1][1] == "\n":  # a newline ending a list separates nothing
                    items[-1] = (items[-1][0], "")
                return new_script(tuple(items)), tok
            andor = self._parse_andor()
            tok = self.peek()
            kind = tok[0]
            if kind == NL or (kind == OP and tok[1] in (";", "&")):
                self.tok = None
                items.append((andor, tok[1]))
                continue
            items.append((andor, ""))
            if self._is_stop(tok, stop_ops, stop_words):
                return new_script(tuple(items)), tok
            raise self.unexpected(tok)

    @staticmethod
    def _is_stop(tok: tuple, stop_ops: tuple, stop_words: tuple) -> bool:
        kind = tok[0]
        if kind == EOF:
            return True
        if kind == OP:
            return tok[1] in stop_ops
        return kind == WORD and tok[2].raw in stop_words

    def _skip_newlines(self) -> tuple:
        tok = self.peek()
        while tok[0] == NL:
            self.tok = None
            tok = self.peek()
        return tok

    def _parse_andor(self) -> AndOr:
        first = self._parse_pipeline()
        rest: list[tuple[str, Pipeline]] = []
        tok = self.peek()
        while tok[0] == OP and tok[1] in ("&&", "||"):
            self.tok = None
            self._skip_newlines()
            rest.append((tok[1], self._parse_pipeline()))
            tok = self.peek()
        return new_andor(first, tuple(rest))

    def _parse_pipeline(self) -> Pipeline:
        negated = False
        tok = self.peek()
        if tok[0] == WORD and tok[2].raw == "!":
            self.tok = None
            negated = True
        commands = [self._parse_command()]
        tok = self.peek()
        while tok[0] == OP and tok[1] in ("|", "|&"):
            self.tok = None
            if tok[1] == "|&":
                last = commands[-1]
                commands[-1] = replace(last, redirects=last.redirects + (Redirect("2>&1"),))
            self._skip_newlines()
            commands.append(self._parse_command())
            tok = self.peek()
        return new_pipeline(tuple(commands), negated)

    def _parse_command(self) -> Command:
        tok = self.peek()
        if tok[0] == OP:
            if tok[1] != "(":
                raise self.unexpected(tok)
            self.take()
            body = self._body(stop_ops=(")",))
            self.take()
            return Subshell(body, self._parse_redirects())
        if tok[0] == WORD:
            raw = tok[2].raw
            if raw == "{":
                self.take()
                body = self._body(stop_words=("}",))
                self.take()
                return Subshell(body, self._parse_redirects(), brace=True)
            if raw == "for":
                return self._parse_for()
            if raw in ("while", "until"):
                self.take()
                cond = self._body(stop_words=("do",))
                self.take()
                body = self._body(stop_words=("done",))
                self.take()
                return WhileLoop(cond, body, raw == "until", self._parse_redirects())
            if raw == "if":
                return self._parse_if()
            if raw in _STRAY:
                raise self.unexpected(tok)
            if raw in _UNSUPPORTED:
                raise self.error(f"`{raw}' is not supported by this shell; use simple commands, pipelines, for, while or if")
        elif tok[0] == NL or tok[0] == EOF:
            raise self.unexpected(tok)
        return self._parse_simple()

    def _body(self, stop_ops: tuple = (), stop_words: tuple = ()) -> Script:
        """A non-empty list ended by one of the stops (left as the next token); errors otherwise."""
        body, stop = self.parse_list(stop_ops, stop_words)
        if stop[0] == EOF:
            raise self.unexpected(stop)
        if not body.items:
            raise self.unexpected(stop)
        return body

    def _parse_for(self) -> ForLoop:
        self.take()
        tok = self.take()
        if tok[0] != WORD or not _NAME_RE.fullmatch(tok[2].raw):
            if tok[0] == OP and tok[1] == "(":
                raise self.error("arithmetic for loops are not supported by this shell")
            raise self.error(f"`{tok[2].raw if tok[0] == WORD else tok[1]}': not a valid identifier")
        var = tok[2].raw
        words: tuple[Word, ...] | None = None
        tok = self._skip_newlines()
        if tok[0] == WORD and tok[2].raw == "in":
            self.take()
            collected = []
            while self.peek()[0] == WORD:
                collected.append(self.take()[2])
            words = tuple(collected)
            tok = self.peek()
            if not (tok[0] == NL or (tok[0] == OP and tok[1] == ";")):
                raise self.unexpected(tok)
            self.take()
        elif tok[0] == OP and tok[1] == ";":
            self.take()
        tok = self._skip_newlines()
        if not (tok[0] == WORD and tok[2].raw == "do"):
            raise self.unexpected(tok)
        self.take()
        body = self._body(stop_words=("done",))
        self.take()
        return ForLoop(var, words, body, self._parse_redirects())

    def _parse_if(self) -> IfClause:
        self.take()
        branches = []
        orelse = None
        while True:
            cond = self._body(stop_words=("then",))
            self.take()
            body, stop = self.parse_list(stop_words=("elif", "else", "fi"))
            if stop[0] == EOF or not body.items:
                raise self.unexpected(stop)
            branches.append((cond, body))
            word = self.take()[2].raw
            if word == "elif":
                continue
            if word == "else":
                orelse = self._body(stop_words=("fi",))
                self.take()
            break
        return IfClause(tuple(branches), orelse, self._parse_redirects())

    def _parse_redirects(self) -> tuple[Redirect, ...]:
        out = []
        while self.peek()[0] == REDIR:
            out.append(self._parse_redirect())
        tok = self.peek()
        if tok[0] == WORD or (tok[0] == OP and tok[1] == "("):
            raise self.unexpected(tok)
        return tuple(out)

    def _parse_redirect(self) -> Redirect:
        op = self.take()[1]
        if "&" in op and op not in ("&>", "&>>"):
            return Redirect(op)
        tok = self.peek()
        if tok[0] != WORD:
            raise self.unexpected((NL, "\n", None) if tok[0] == EOF else tok)
        self.take()
        target = tok[2]
        if op in ("<<", "<<-"):
            quoted = any(ch in target.raw for ch in "'\"\\")
            redirect = Redirect(op, target, "", None)
            self.heredocs.append((redirect, target.value, op == "<<-", quoted))
            return redirect
        return Redirect(op, target)

    def _parse_simple(self) -> SimpleCommand:
        assignments: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirects: list[Redirect] = []
        while True:
            tok = self.tok
            if tok is None:
                tok = self.tok = self._lex()
            kind = tok[0]
            if kind == WORD:
                self.tok = None
                word = tok[2]
                if not words and "=" in word.raw and _ASSIGN_RE.match(word.raw):
                    assignments.append(_split_assignment(word))
                else:
                    words.append(word)
            elif kind == REDIR:
                redirects.append(self._parse_redirect())
            elif kind == OP and tok[1] == "(":
                raise self.unexpected(tok)
            else:
                break
        if not (assignments or words or redirects):
            raise self.unexpected(self.peek())
        return new_simple(tuple(assignments), tuple(words), tuple(redirects))


def _split_assignment(word: Word) -> tuple[str, Word]:
    name = word.raw.split("=", 1)[0]
    cut = len(name) + 1
    parts = list(word.parts)
    first = parts[0]
    rest = first.text[cut:]
    parts[0:1] = [Part("lit", rest, False)] if rest else []
    return name, new_word(word.raw[cut:], word.value[cut:], word.substitutions, word.has_expansion, tuple(parts))


def _parse_flat(line: str) -> Script | None:
    """The fast path for the common line: simple commands of plain or quoted words (no expansions,
    redirections, escapes, comments or compound commands) joined by ``|``, ``&&``, ``||`` and ``;``.
    Returns exactly what the general parser returns for such a line, or None for any other line
    (the general parser then decides, errors included)."""
    tokens = FLAT_TOKENS.findall(line)
    items: list = []
    rest: list = []
    commands: list = []
    words: list = []
    assignments: list = []
    first: Pipeline | None = None
    prev_op = ""
    consumed = 0
    cache = _WORD_CACHE
    for blanks, raw, op in tokens:
        consumed += len(blanks) + len(raw) + len(op)
        if raw:
            if not words:
                if raw in _NOT_SIMPLE:
                    return None
                if "=" in raw and _ASSIGN_RE.match(raw):
                    assignments.append(_split_assignment(cache.get(raw) or simple_word(raw)))
                    continue
            words.append(cache.get(raw) or simple_word(raw))
            continue
        if not (words or assignments):
            return None  # an operator with no command before it
        commands.append(new_simple(tuple(assignments), tuple(words), ()))
        words, assignments = [], []
        if op == "|":
            continue
        pipeline = new_pipeline(tuple(commands))
        commands = []
        if op == ";":
            items.append((new_andor(first or pipeline, tuple(rest + [(prev_op, pipeline)]) if first else ()), ";"))
            first, rest = None, []
        elif first is None:
            first, prev_op = pipeline, op
        else:
            rest.append((prev_op, pipeline))
            prev_op = op
    if consumed + len(line) - len(line.rstrip(" \t")) != len(line):
        return None  # findall skipped something the fast tokens do not cover
    if words or assignments:
        commands.append(new_simple(tuple(assignments), tuple(words), ()))
        pipeline = new_pipeline(tuple(commands))
        items.append((new_andor(first or pipeline, tuple(rest + [(prev_op, pipeline)]) if first else ()), ""))
    elif commands or first is not None:
        return None  # the line ends with | && or || (the general parser reports it)
    return new_script(tuple(items))


def parse(line: str) -> Script:
    """Parse a command line. Raises :class:`ParseError` (bash's message) and never anything else."""
    if not isinstance(line, str):
        raise ParseError(f"bash: expected a command line string, got {type(line).__name__}")
    try:
        script = _parse_flat(line)
        if script is not None:
            return script
        return _Parser(line).parse_all()
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("bash: -c: line 1: command line nested too deeply") from None
    except Exception as e:  # a parser bug must not crash the caller; fail closed
        raise ParseError(f"bash: -c: line 1: cannot parse command line ({type(e).__name__}: {e})") from None


def parse_text_word(text: str) -> Word:
    """Text with ``$VAR``/``$(...)`` as a here-document body (no quote removal): a Word to expand.
    Raises :class:`ParseError`."""
    try:
        return _Parser(text).lex_heredoc_body()
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("bash: -c: line 1: command line nested too deeply") from None
