"""sed: a stream editor subset.

Options ``-n -e -E/-r -i -s``; addresses ``N``, ``$``, ``/re/``, ``\\cREc``, ``first~step``,
ranges ``a,b`` (``a,+N``) and ``!``; commands ``s/re/rep/[gpiN]``, ``d``, ``p``, ``q``, ``Q``,
``y/abc/xyz/``, ``=``, ``a``/``i``/``c text``, ``n``, ``{ ... }`` is not supported (an error says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aoi_gym.shell.context import ProgramResult, ShellContext
from aoi_gym.shell.fs import FSError
from aoi_gym.shell.programs import register
from aoi_gym.shell.tools._common import UsageError, getopt, read_inputs, split_lines, usage_error
from aoi_gym.shell.tools._regex import RegexError, compile_posix


class SedError(Exception):
    pass


@dataclass
class _Cmd:
    addr1: object = None
    addr2: object = None
    negate: bool = False
    name: str = ""
    regex: re.Pattern | None = None
    repl: str = ""
    count: int = 1  # 0 = all (g)
    print_after: bool = False
    text: str = ""
    code: int = 0
    active: list = field(default_factory=lambda: [False, 0])  # range state: in range, end line


class _Script:
    def __init__(self, text: str, extended: bool) -> None:
        self.s, self.i, self.extended = text, 0, extended
        self.cmds: list[_Cmd] = []

    def error(self, msg: str) -> SedError:
        return SedError(f"sed: -e expression #1, char {self.i}: {msg}")

    def skip(self, chars: str = " \t") -> None:
        while self.i < len(self.s) and self.s[self.i] in chars:
            self.i += 1

    def delimited(self, delim: str) -> str:
        out = []
        while self.i < len(self.s) and self.s[self.i] != delim:
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                nxt = self.s[self.i + 1]
                out.append(nxt if nxt == delim else "\\" + nxt)
                self.i += 2
                continue
            if c == "\n":
                break
            out.append(c)
            self.i += 1
        if self.i >= len(self.s) or self.s[self.i] != delim:
            raise self.error("unterminated `s' command")
        self.i += 1
        return "".join(out)

    def regex(self, source: str, flags: str = "") -> re.Pattern:
        try:
            return compile_posix(source, extended=self.extended, ignore_case="I" in flags or "i" in flags)
        except RegexError as e:
            raise self.error(str(e)) from None

    def address(self):
        s = self.s
        if self.i >= len(s):
            return None
        c = s[self.i]
        if c.isdigit():
            m = re.match(r"(\d+)(?:~(\d+))?", s[self.i :])
            self.i += m.end()  # type: ignore[union-attr]
            if m.group(2):  # type: ignore[union-attr]
                return ("step", int(m.group(1)), int(m.group(2)))  # type: ignore[union-attr]
            return ("line", int(m.group(1)))  # type: ignore[union-attr]
        if c == "$":
            self.i += 1
            return ("last",)
        if c == "/" or c == "\\":
            delim = "/" if c == "/" else s[self.i + 1 : self.i + 2]
            self.i += 1 if c == "/" else 2
            source = self.delimited(delim)
            flags = ""
            while self.i < len(s) and s[self.i] in "IM":
                flags += s[self.i]
                self.i += 1
            return ("re", self.regex(source, flags))
        return None

    def parse(self) -> list[_Cmd]:
        s = self.s
        while True:
            self.skip(" \t\n;")
            if self.i >= len(s):
                return self.cmds
            cmd = _Cmd()
            cmd.addr1 = self.address()
            if cmd.addr1 is not None and self.i < len(s) and s[self.i] == ",":
                self.i += 1
                m = re.match(r"\+(\d+)", s[self.i :])
                if m:
                    cmd.addr2 = ("plus", int(m.group(1)))
                    self.i += m.end()
                else:
                    cmd.addr2 = self.address()
                    if cmd.addr2 is None:
                        raise self.error("unexpected `,'")
            self.skip()
            if self.i < len(s) and s[self.i] == "!":
                cmd.negate = True
                self.i += 1
                self.skip()
            if self.i >= len(s):
                raise self.error("missing command")
            cmd.name = s[self.i]
            self.i += 1
            self.command_args(cmd)
            self.cmds.append(cmd)

    def command_args(self, cmd: _Cmd) -> None:
        s, name = self.s, cmd.name
        if name == "s":
            if self.i >= len(s):
                raise self.error("unterminated `s' command")
            delim = s[self.i]
            self.i += 1
            source = self.delimited(delim)
            cmd.repl = self.delimited(delim)
            flags = ""
            while self.i < len(s) and s[self.i] not in ";\n}" and not s[self.i].isspace():
                flags += s[self.i]
                self.i += 1
            bad = re.sub(r"[gpiIe0-9wm]", "", flags)
            if bad:
                raise self.error("unknown option to `s'")
            cmd.count = 0 if "g" in flags else int(re.sub(r"\D", "", flags) or 1)
            cmd.print_after = "p" in flags
            cmd.regex = self.regex(source, flags)
        elif name == "y":
            delim = s[self.i]
            self.i += 1
            src, dst = self.delimited(delim), self.delimited(delim)
            if len(src) != len(dst):
                raise self.error("strings for `y' command are different lengths")
            cmd.text = src + "\0" + dst
        elif name in "aic":
            self.skip()
            if self.i < len(s) and s[self.i] == "\\":
                self.i += 1
                self.skip(" \t\n")
            end = s.find("\n", self.i)
            end = len(s) if end < 0 else end
            cmd.text = s[self.i : end]
            self.i = end
        elif name in "qQ":
            self.skip()
            m = re.match(r"\d+", s[self.i :])
            if m:
                cmd.code = int(m.group())
                self.i += m.end()
        elif name in "{}":
            raise self.error("command grouping with { } is not supported by this sed")
        elif name not in "dpn=lhgxGHNDP":
            raise self.error(f"unknown command: `{name}'")


def _template(repl: str):
    """sed replacement text -> function of a match (``&``, ``\\1``..``\\9``, ``\\n``)."""
    pieces: list[object] = []
    buf: list[str] = []
    i = 0
    while i < len(repl):
        c = repl[i]
        if c == "\\" and i + 1 < len(repl):
            d = repl[i + 1]
            if d.isdigit():
                pieces.append("".join(buf))
                buf.clear()
                pieces.append(int(d))
            else:
                buf.append({"n": "\n", "t": "\t"}.get(d, d))
            i += 2
            continue
        if c == "&":
            pieces.append("".join(buf))
            buf.clear()
            pieces.append(0)
        else:
            buf.append(c)
        i += 1
    pieces.append("".join(buf))

    def render(m: re.Match) -> str:
        return "".join(p if isinstance(p, str) else (m.group(p) or "") for p in pieces)

    return render


def _matches(addr, n: int, line: str, last: bool) -> bool:
    kind = addr[0]
    if kind == "line":
        return n == addr[1]
    if kind == "last":
        return last
    if kind == "step":
        return n >= addr[1] and (addr[2] == 0 or (n - addr[1]) % addr[2] == 0)
    return addr[1].search(line) is not None


def _selected(cmd: _Cmd, n: int, line: str, last: bool) -> bool:
    if cmd.addr1 is None:
        hit = True
    elif cmd.addr2 is None:
        hit = _matches(cmd.addr1, n, line, last)
    else:
        state = cmd.active
        if state[0]:
            a2 = cmd.addr2
            done = (n >= state[1]) if a2[0] in ("plus", "line") else _matches(a2, n, line, last)
            if a2[0] == "line" and n > a2[1]:
                state[0] = False
                hit = False
            else:
                hit = True
                if done:
                    state[0] = False
        elif _matches(cmd.addr1, n, line, last):
            hit = True
            a2 = cmd.addr2
            end = n + a2[1] if a2[0] == "plus" else (a2[1] if a2[0] == "line" else 0)
            if a2[0] in ("plus", "line") and end <= n:
                state[0] = False
            else:
                state[0], state[1] = True, end
        else:
            hit = False
    return hit != cmd.negate


def run_script(cmds: list[_Cmd], lines: list[str], quiet: bool) -> tuple[list[str], int | None]:
    out: list[str] = []
    n_lines = len(lines)
    k = 0
    while k < n_lines:
        line = lines[k]
        n = k + 1
        last = n == n_lines
        deleted = False
        append: list[str] = []
        quit_code: int | None = None
        ci = 0
        while ci < len(cmds):
            cmd = cmds[ci]
            ci += 1
            if not _selected(cmd, n, line, last):
                continue
            name = cmd.name
            if name == "s":
                new, count = cmd.regex.subn(_template(cmd.repl), line, count=0 if cmd.count == 0 else cmd.count)  # type: ignore[union-attr]
                if cmd.count > 1:  # only the N-th match
                    seen = [0]

                    def nth(m: re.Match, c=cmd) -> str:
                        seen[0] += 1
                        return _template(c.repl)(m) if seen[0] == c.count else m.group(0)

                    new, count = cmd.regex.subn(nth, line)  # type: ignore[union-attr]
                line = new
                if count and cmd.print_after:
                    out.append(line)
            elif name == "d":
                deleted = True
                break
            elif name == "p":
                out.append(line)
            elif name == "=":
                out.append(str(n))
            elif name == "y":
                src, dst = cmd.text.split("\0")
                line = line.translate(str.maketrans(src, dst))
            elif name == "a":
                append.append(cmd.text)
            elif name == "i":
                out.append(cmd.text)
            elif name == "c":
                out.append(cmd.text)
                deleted = True
                break
            elif name == "n":
                if not quiet:
                    out.append(line)
                if k + 1 >= n_lines:
                    deleted = True
                    break
                k += 1
                line = lines[k]
                n, last = k + 1, k + 1 == n_lines
            elif name in "qQ":
                quit_code = cmd.code
                if name == "Q":
                    deleted = True
                break
        if not deleted and not quiet:
            out.append(line)
        out.extend(append)
        if quit_code is not None:
            return out, quit_code
        k += 1
    return out, None


@register("sed")
def sed(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    long = {"quiet": "n", "silent": "n", "expression=": "e", "regexp-extended": "E", "in-place": "i", "separate": "s"}
    try:
        opts = getopt("sed", argv[1:], "ne:Eris", long)
    except UsageError as e:
        return usage_error(e, "sed")
    operands = list(opts.operands)
    scripts = opts.values("e")
    if not scripts:
        if not operands:
            return ProgramResult(stderr="Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n", code=1)
        scripts = [operands.pop(0)]
    try:
        cmds = _Script("\n".join(scripts), extended=opts.has("E", "r")).parse()
    except SedError as e:
        return ProgramResult(stderr=f"{e}\n", code=1)
    quiet = opts.has("n")
    inputs, errors = read_inputs("sed", operands, stdin, ctx)
    if opts.has("i"):
        fs = getattr(ctx, "fs", None)
        for name, text in inputs:
            result, _ = run_script(cmds, split_lines(text), quiet)
            try:
                fs.write(fs.resolve(name, getattr(ctx, "cwd", "/root")), "".join(x + "\n" for x in result))  # type: ignore[union-attr]
            except FSError as e:
                errors.append(f"sed: couldn't edit {name}: {e}\n")
        return ProgramResult(stderr="".join(errors), code=4 if errors else 0)
    text = "".join(t if t.endswith("\n") or not t else t + "\n" for _, t in inputs)
    result, code = run_script(cmds, split_lines(text), quiet)
    body = "".join(x + "\n" for x in result)
    if body and inputs and inputs[-1][1] and not inputs[-1][1].endswith("\n") and code is None:
        body = body[:-1]  # like GNU sed, keep a missing final newline missing
    return ProgramResult(stdout=body, stderr="".join(errors), code=code if code is not None else (2 if errors else 0))
