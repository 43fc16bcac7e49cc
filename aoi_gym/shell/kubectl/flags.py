"""A parser with pflag's (cobra's) semantics for kubectl command lines.

Supports ``--flag=value``, ``--flag value``, ``-n foo``, ``-nfoo``, ``-n=foo``, combined boolean
shorthands (``-it``), repeated/list flags, ``--`` ending flags, and pflag's error messages
(``unknown flag: --foo``, ``flag needs an argument: 'n' in -n``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aoi_gym.shell.kubectl.errors import UsageError

__all__ = ["Flag", "Parsed", "parse_flags", "GLOBAL_FLAGS", "flagset"]


@dataclass(frozen=True)
class Flag:
    """One flag: long ``name``, optional one-letter ``short``, ``kind`` bool|str|int|list, ``default``.

    ``optional`` is the value a str flag takes when given without ``=value`` (pflag's NoOptDefVal).
    """

    name: str
    short: str = ""
    kind: str = "str"
    default: Any = None
    optional: str | None = None

    def describe(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


@dataclass
class Parsed:
    """Flag values by long name (defaults filled in), positional args, args after ``--``, flags seen."""

    values: dict[str, Any]
    args: list[str]
    dash_args: list[str] | None = None
    given: set[str] = field(default_factory=set)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


GLOBAL_FLAGS = [
    Flag("namespace", "n"),
    Flag("context"),
    Flag("kubeconfig"),
    Flag("cluster"),
    Flag("user"),
    Flag("server", "s"),
    Flag("token"),
    Flag("request-timeout", default="0"),
    Flag("v", "v", "str", "0"),
    Flag("insecure-skip-tls-verify", kind="bool", default=False),
    Flag("as"),
    Flag("match-server-version", kind="bool", default=False),
    Flag("warnings-as-errors", kind="bool", default=False),
    Flag("log-flush-frequency"),
]


def flagset(*groups: list[Flag]) -> dict[str, Flag]:
    """Merge flag lists into a name -> Flag table (later groups win)."""
    out: dict[str, Flag] = {}
    for g in groups:
        for f in g:
            out[f.name] = f
    return out


_TRUE = {"1", "t", "T", "true", "TRUE", "True"}
_FALSE = {"0", "f", "F", "false", "FALSE", "False"}


def _convert(flag: Flag, raw: str, verb: str) -> Any:
    if flag.kind == "bool":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise UsageError(
            f'invalid argument "{raw}" for "{flag.describe()}" flag: strconv.ParseBool: parsing "{raw}": invalid syntax', verb
        )
    if flag.kind == "int":
        try:
            return int(raw, 10)
        except ValueError:
            raise UsageError(
                f'invalid argument "{raw}" for "{flag.describe()}" flag: strconv.ParseInt: parsing "{raw}": invalid syntax', verb
            ) from None
    return raw


def parse_flags(argv: list[str], flags: dict[str, Flag], verb: str, interspersed: bool = True) -> Parsed:
    """Parse ``argv`` (without the program and verb words) against ``flags``.

    ``interspersed=False`` stops at the first positional (used to find the verb among global flags).
    """
    shorts = {f.short: f for f in flags.values() if f.short}
    values: dict[str, Any] = {}
    given: set[str] = set()
    args: list[str] = []
    dash: list[str] | None = None

    def store(flag: Flag, raw: str) -> None:
        val = _convert(flag, raw, verb)
        given.add(flag.name)
        if flag.kind == "list":
            values.setdefault(flag.name, []).append(val)
        else:
            values[flag.name] = val

    i = 0
    n = len(argv)
    while i < n:
        a = argv[i]
        i += 1
        if a == "--":
            dash = argv[i:]
            break
        if a.startswith("--") and len(a) > 2:
            body = a[2:]
            name, eq, raw = body.partition("=")
            flag = flags.get(name)
            if flag is None:
                raise UsageError(f"unknown flag: --{name}", verb)
            if eq:
                store(flag, raw)
            elif flag.kind == "bool":
                store(flag, "true")
            elif flag.optional is not None:
                store(flag, flag.optional)
            elif i < n:
                store(flag, argv[i])
                i += 1
            else:
                raise UsageError(f"flag needs an argument: --{name}", verb)
            continue
        if a.startswith("-") and len(a) > 1:
            letters = a[1:]
            j = 0
            while j < len(letters):
                c = letters[j]
                flag = shorts.get(c)
                if flag is None:
                    raise UsageError(f"unknown shorthand flag: '{c}' in {a}", verb)
                rest = letters[j + 1 :]
                if rest.startswith("="):
                    store(flag, rest[1:])
                    break
                if flag.kind == "bool":
                    store(flag, "true")
                    j += 1
                    continue
                if rest:
                    store(flag, rest)
                elif flag.optional is not None:
                    store(flag, flag.optional)
                elif i < n:
                    store(flag, argv[i])
                    i += 1
                else:
                    raise UsageError(f"flag needs an argument: '{c}' in {a}", verb)
                break
            continue
        args.append(a)
        if not interspersed:
            args.extend(argv[i:])
            break
    for f in flags.values():
        if f.name not in values:
            values[f.name] = list(f.default or []) if f.kind == "list" else f.default
    return Parsed(values, args, dash, given)
