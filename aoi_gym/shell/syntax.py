"""The syntax tree of a shell command line, as produced by :func:`aoi_gym.shell.parse.parse`.

All nodes are frozen dataclasses (word parts are named tuples). The safety classifier and the interpreter read the same tree, so
what is classified is exactly what runs. Use :func:`iter_commands` to visit every simple command,
including those inside subshells, loops and ``$(...)`` substitutions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, NamedTuple, Union

__all__ = [
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
    "iter_commands",
    "iter_words",
    "to_source",
]


class Part(NamedTuple):
    """One piece of a word, for the expander (a named tuple: words have many and build fast).

    ``kind`` is one of:
      - ``"lit"``: literal text (``text``); ``quoted`` says whether it came from quotes or an escape
        (quoted literals are never globbed or split);
      - ``"param"``: a parameter expansion; ``text`` is the expression without ``$`` and braces
        (``HOME``, ``?``, ``HOME:-/root``, ``#PATH``); ``name`` the parameter, ``op`` the operator
        (``""`` plain, ``"len"`` for ``${#X}``, ``":-"``, ``"/"``, ``":"`` for substrings ...,
        ``"bad"`` for an expression bash rejects when it expands it) and ``args`` the operator's
        arguments, lexed when the line is parsed (``${X/pat/rep}``: two words);
      - ``"cmd"``: a command substitution ``$(...)`` or backticks; ``script`` is its parsed body;
      - ``"arith"``: ``$((...))``; ``text`` is the expression, ``args`` it as one word to expand;
      - ``"tilde"``: a leading ``~`` (the home directory).

    Every command substitution inside ``args`` (at any depth) is also in the enclosing
    :attr:`Word.substitutions`, and the interpreter runs only those parsed scripts.
    """

    kind: str
    text: str
    quoted: bool = False
    script: "Script | None" = None
    op: str = ""
    args: tuple["Word", ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Word:
    """A shell word.

    ``raw`` is its source text; ``value`` the text after quote removal with substitutions and
    ``$VAR`` left as written; ``substitutions`` the parsed ``$(...)``/backtick bodies found in it
    (not inside single quotes); ``has_expansion`` whether the shell would expand anything in it
    ($VAR, ${VAR}, $(..), `..`, $((..)), ~, or an unquoted glob character).
    """

    raw: str
    value: str
    substitutions: tuple["Script", ...] = ()
    has_expansion: bool = False
    parts: tuple[Part, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Redirect:
    """A redirection.

    ``op`` is normalised: ``>``, ``>>``, ``<``, ``2>``, ``2>>``, ``&>``, ``&>>``, ``2>&1``, ``>&2``,
    ``<<``, ``<<-``, ``<<<``, ``<>`` or, rarely, another ``N>``/``N>>``/``N<``/``N>&M`` form
    (fd 1 for output and fd 0 for input are written without their number: ``1>x`` is ``>``,
    ``1>&2`` is ``>&2``). ``target`` is the file word (the delimiter word for heredocs; None for
    ``N>&M``). ``heredoc`` is a here-document's body text (None otherwise); ``heredoc_word`` the
    body as a word to expand (its parts are one quoted literal when the delimiter was quoted).
    """

    op: str
    target: Word | None = None
    heredoc: str | None = None
    heredoc_word: Word | None = field(default=None, compare=False)

    @property
    def fd(self) -> int:
        """The file descriptor redirected (0 for input ops, 1 or 2 for output ops; 1 for ``&>``)."""
        head = self.op.split("<", 1)[0].split(">", 1)[0]
        if head.isdigit():
            return int(head)
        return 0 if self.op.startswith("<") else 1


@dataclass(frozen=True)
class SimpleCommand:
    """``A=b cmd arg... >redirects``. ``argv`` is the list of word values (quotes removed)."""

    assignments: tuple[tuple[str, Word], ...] = ()
    words: tuple[Word, ...] = ()
    redirects: tuple[Redirect, ...] = ()

    @property
    def argv(self) -> list[str]:
        return [w.value for w in self.words]


@dataclass(frozen=True)
class Subshell:
    """``( body )`` (``brace=False``) or a group ``{ body; }`` (``brace=True``)."""

    body: "Script"
    redirects: tuple[Redirect, ...] = ()
    brace: bool = False


@dataclass(frozen=True)
class ForLoop:
    """``for var [in words]; do body; done``; ``words`` is None when ``in`` is absent (``"$@"``)."""

    var: str
    words: tuple[Word, ...] | None
    body: "Script"
    redirects: tuple[Redirect, ...] = ()


@dataclass(frozen=True)
class WhileLoop:
    """``while cond; do body; done`` (``until=True`` for ``until``)."""

    cond: "Script"
    body: "Script"
    until: bool = False
    redirects: tuple[Redirect, ...] = ()


@dataclass(frozen=True)
class IfClause:
    """``if c1; then b1; elif c2; then b2; else b3; fi``: ``branches`` ((c1, b1), (c2, b2)), ``orelse`` b3."""

    branches: tuple[tuple["Script", "Script"], ...]
    orelse: "Script | None" = None
    redirects: tuple[Redirect, ...] = ()


Command = Union[SimpleCommand, Subshell, ForLoop, WhileLoop, IfClause]


@dataclass(frozen=True)
class Pipeline:
    """``[!] c1 | c2 | ...``. ``c1 |& c2`` is stored as ``c1 2>&1 | c2``."""

    commands: tuple[Command, ...]
    negated: bool = False


@dataclass(frozen=True)
class AndOr:
    """``p1 && p2 || p3``: ``first`` = p1, ``rest`` = (("&&", p2), ("||", p3))."""

    first: Pipeline
    rest: tuple[tuple[str, Pipeline], ...] = ()


@dataclass(frozen=True)
class Script:
    """A list of and-or lists, each with its separator (``";"``, ``"&"``, ``"\\n"`` or ``""`` at the end)."""

    items: tuple[tuple[AndOr, str], ...] = ()


#: words that start a compound command (or end one) when they come first in a command
_RESERVED = frozenset({"!", "{", "}", "for", "while", "until", "if", "then", "elif", "else", "fi", "do", "done",
                       "case", "esac", "select", "function", "coproc"})


# ---------------------------------------------------------------------- fast constructors
# The lexer and parser build thousands of nodes per second; a frozen dataclass's __init__ sets each
# field through object.__setattr__, which costs more than the parsing around it. These build the
# same objects (equal, hashable, immutable by convention) by filling the instance dict directly.
_new = object.__new__


def new_word(raw: str, value: str, substitutions: tuple = (), has_expansion: bool = False, parts: tuple = ()) -> Word:
    """``Word(raw, value, substitutions, has_expansion, parts)``, faster."""
    w = _new(Word)
    d = w.__dict__
    d["raw"] = raw
    d["value"] = value
    d["substitutions"] = substitutions
    d["has_expansion"] = has_expansion
    d["parts"] = parts
    return w


def new_simple(assignments: tuple, words: tuple, redirects: tuple) -> SimpleCommand:
    """``SimpleCommand(assignments, words, redirects)``, faster."""
    c = _new(SimpleCommand)
    d = c.__dict__
    d["assignments"] = assignments
    d["words"] = words
    d["redirects"] = redirects
    return c


def new_pipeline(commands: tuple, negated: bool = False) -> Pipeline:
    """``Pipeline(commands, negated)``, faster."""
    p = _new(Pipeline)
    d = p.__dict__
    d["commands"] = commands
    d["negated"] = negated
    return p


def new_andor(first: Pipeline, rest: tuple = ()) -> AndOr:
    """``AndOr(first, rest)``, faster."""
    a = _new(AndOr)
    d = a.__dict__
    d["first"] = first
    d["rest"] = rest
    return a


def new_script(items: tuple) -> Script:
    """``Script(items)``, faster."""
    s = _new(Script)
    s.__dict__["items"] = items
    return s


def _redirect_words(redirects: tuple[Redirect, ...]) -> Iterator[Word]:
    for r in redirects:
        if r.target is not None:
            yield r.target
        if r.heredoc_word is not None:
            yield r.heredoc_word


def iter_words(script: Script) -> Iterator[Word]:
    """Every word of the script at this level and below (not inside substitutions' own words twice)."""
    for cmd in _iter_command_nodes(script):
        if isinstance(cmd, SimpleCommand):
            for _, w in cmd.assignments:
                yield w
            yield from cmd.words
        elif isinstance(cmd, ForLoop) and cmd.words:
            yield from cmd.words
        yield from _redirect_words(cmd.redirects)


def _iter_command_nodes(script: Script) -> Iterator[Command]:
    for andor, _sep in script.items:
        for pipeline in (andor.first, *(p for _, p in andor.rest)):
            for cmd in pipeline.commands:
                yield cmd
                if isinstance(cmd, Subshell):
                    yield from _iter_command_nodes(cmd.body)
                elif isinstance(cmd, ForLoop):
                    yield from _iter_command_nodes(cmd.body)
                elif isinstance(cmd, WhileLoop):
                    yield from _iter_command_nodes(cmd.cond)
                    yield from _iter_command_nodes(cmd.body)
                elif isinstance(cmd, IfClause):
                    for cond, body in cmd.branches:
                        yield from _iter_command_nodes(cond)
                        yield from _iter_command_nodes(body)
                    if cmd.orelse is not None:
                        yield from _iter_command_nodes(cmd.orelse)


def iter_commands(script: Script) -> Iterator[SimpleCommand]:
    """Every simple command in ``script``, recursively: in subshells, groups, loops, if-clauses and in
    ``$(...)``/backtick substitutions anywhere (words, assignments, redirect targets, heredoc bodies).
    Substitutions are yielded before the command whose words contain them (the order they run in)."""
    for cmd in _iter_command_nodes(script):
        words: list[Word] = list(_redirect_words(cmd.redirects))
        if isinstance(cmd, SimpleCommand):
            words = [w for _, w in cmd.assignments] + list(cmd.words) + words
        elif isinstance(cmd, ForLoop) and cmd.words:
            words = list(cmd.words) + words
        for w in words:
            for sub in w.substitutions:
                yield from iter_commands(sub)
        if isinstance(cmd, SimpleCommand):
            yield cmd


def to_source(script: Script) -> str:
    """Source text for a script, from its words' raw text and its separators, such that
    ``parse(to_source(s)) == s`` (heredoc bodies are re-emitted after the line that needs them)."""
    return _src_script(script)


def _src_script(script: Script) -> str:
    out = []
    for andor, sep in script.items:
        bodies: list[str] = []
        text = _src_andor(andor, bodies)
        if bodies:
            text += (sep if sep in (";", "&") else "") + "\n" + "".join(bodies)
        else:
            text += sep
        out.append(text)
    return " ".join(out)


def _src_block(script: Script) -> str:
    """A script as the body of a compound command: always ends with a separator."""
    text = _src_script(script)
    return text if script.items[-1][1] or text.endswith("\n") else text + ";"


def _src_andor(andor: AndOr, bodies: list[str]) -> str:
    text = _src_pipeline(andor.first, bodies)
    for op, p in andor.rest:
        text += f" {op} " + _src_pipeline(p, bodies)
    return text


def _src_pipeline(p: Pipeline, bodies: list[str]) -> str:
    text = " | ".join(_src_command(c, bodies) for c in p.commands)
    return ("! " + text) if p.negated else text


def _src_redirects(redirects: tuple[Redirect, ...], bodies: list[str]) -> str:
    out = []
    for r in redirects:
        if r.target is None:
            out.append(" " + r.op)
        else:
            raw = r.target.raw
            out.append(f" {r.op}{raw}")
            # a delimiter whose lone trailing backslash ended the input had no body (bash reads an empty
            # one at end of input), and a newline written after it would make a line continuation
            ended_input = not r.heredoc and (len(raw) - len(raw.rstrip("\\"))) % 2
            if r.op in ("<<", "<<-") and not ended_input:
                bodies.append((r.heredoc or "") + r.target.value + "\n")
    return "".join(out)


def _src_command(c: Command, bodies: list[str]) -> str:
    if isinstance(c, SimpleCommand):
        pieces = [f"{n}={w.raw}" for n, w in c.assignments] + [w.raw for w in c.words]
        text = " ".join(pieces)
        if c.redirects and pieces and (
            (len(pieces[-1]) - len(pieces[-1].rstrip("\\"))) % 2  # a lone trailing backslash ended the input
            or (not c.assignments and pieces[0] in _RESERVED)  # `2>&1 for` is a command named "for"
        ):
            return _src_redirects(c.redirects, bodies).lstrip() + " " + text
    elif isinstance(c, Subshell):
        text = f"{{ {_src_block(c.body)} }}" if c.brace else f"( {_src_script(c.body)} )"
    elif isinstance(c, ForLoop):
        words = "" if c.words is None else " in " + " ".join(w.raw for w in c.words)
        text = f"for {c.var}{words}; do {_src_block(c.body)} done"
    elif isinstance(c, WhileLoop):
        text = f"{'until' if c.until else 'while'} {_src_block(c.cond)} do {_src_block(c.body)} done"
    else:
        text = ""
        for i, (cond, body) in enumerate(c.branches):
            text += f"{'if' if i == 0 else 'elif'} {_src_block(cond)} then {_src_block(body)} "
        if c.orelse is not None:
            text += f"else {_src_block(c.orelse)} "
        text += "fi"
    return text + _src_redirects(c.redirects, bodies)
