"""Dispatch one local argv to its rules: kubectl/k, helm, curl/wget, wrappers and shells, and the
text tools of a diagnostic pipeline (grep, awk, sed, jq, sort, head...). A program not listed
here is denied: the classifier only lets through what it understands.
"""

from __future__ import annotations

import os
import re

from aoi_gym.safety.helm_rules import classify_helm
from aoi_gym.safety.http_rules import classify_curl, classify_wget
from aoi_gym.safety.kubectl_rules import classify_kubectl
from aoi_gym.safety.shellwalk import NULL_SINKS, Ctx, deny, local_write
from aoi_gym.safety.verdicts import UNKNOWN, Finding, Opaque, Verdict, new_finding
from aoi_gym.safety.wrappers import unwrap

__all__ = ["classify_local_argv", "LOCAL_READ_PROGRAMS", "TRUSTED_BIN_DIRS"]

TRUSTED_BIN_DIRS = frozenset({"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"})

#: programs with no side effect whatever their arguments (they read files/stdin and print)
LOCAL_READ_PROGRAMS = frozenset(
    "cat head tail grep egrep fgrep zgrep rg wc cut tr column jq echo printf sleep true false test [ seq base64 "
    "basename dirname ls pwd cd whoami id uname printenv nl rev tac paste comm diff fold expand unexpand od "
    "hexdump md5sum sha1sum sha256sum stat file which type ps df du free uptime nslookup dig host ping less more "
    "export unset read exit return : local declare typeset shift wait jobs set realpath readlink nproc fmt join "
    "numfmt tsort cmp strings iconv fc-list".split()
)
_DATE_WRITE = ("-s", "--set")
_SED_SCRIPT_FLAGS = ("-e", "--expression", "-f", "--file")


_SETS_VARIABLES = frozenset({"export", "declare", "typeset", "local", "readonly", "read", "printf", "unset"})


def _sets_dangerous_variable(argv: list) -> str | None:
    """Why ``export PATH=..``/``read IFS``/``printf -v PATH`` is refused (None if it is not)."""
    from aoi_gym.safety.shellwalk import DANGEROUS_ENV

    args = argv[1:]
    if argv[0] == "printf":
        args = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-v"]
    for a in args:
        if isinstance(a, Opaque):
            return f"{argv[0]} with an expanded argument could set PATH or IFS"
        name = a.split("=", 1)[0]
        if name in DANGEROUS_ENV:
            return f"{argv[0]} {name} changes what programs run or how words split"
    return None


def _awk(argv: list) -> list[Finding]:
    """awk is a read unless its program runs commands (system, pipes) or writes files (print >)."""
    prog = argv[0]
    i, program = 1, None
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            if program is None:
                return [deny(prog, f"the {prog} program or an option is an expansion")]
            i += 1
            continue
        if a in ("-F", "-v", "--field-separator", "--assign"):
            i += 2
            continue
        if a.startswith("-F") or a.startswith("-v"):
            i += 1
            continue
        if a in ("-f", "--file") or a.startswith("-f") or a in ("-i", "--include", "-E", "--exec"):
            return [deny(prog, f"{prog} program from a file cannot be inspected")]
        if a == "--":
            i += 1
            continue
        if a.startswith("-") and program is None:
            return [deny(prog, f"{prog} option {a} is not understood")]
        if program is None:
            program = a
        i += 1
    if program is None:
        return [deny(prog, f"{prog} without a program")]
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', program)
    if re.search(r"\bsystem\s*\(|\|\s*(getline|\"|[A-Za-z_])|\bgetline\b|(?<![|])\|(?![|])|\bprintf?\b[^;}]*>|\bfflush\b|\bclose\b", code):
        return [deny(prog, f"the {prog} program runs commands or writes files (system, |, getline, print >)")]
    return [new_finding(Verdict.READ, prog, f"{prog} transforms text")]


def _sed(argv: list) -> list[Finding]:
    scripts: list = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            return [deny("sed", "a sed argument is an expansion")]
        if a in ("-i", "--in-place") or (a.startswith("-i") and not a.startswith("--")) or a.startswith("--in-place"):
            return [local_write("sed", UNKNOWN, "sed -i edits files in place")]
        if a in ("-e", "--expression"):
            scripts.append(argv[i + 1] if i + 1 < len(argv) else "")
            i += 2
            continue
        if a in ("-f", "--file") or a.startswith("-f"):
            return [deny("sed", "a sed script from a file cannot be inspected")]
        if a in ("-n", "-E", "-r", "--quiet", "--silent", "-u", "-z", "--regexp-extended", "-s") or re.fullmatch(r"-[nErsuz]+", a):
            i += 1
            continue
        if a.startswith("-"):
            return [deny("sed", f"sed option {a} is not understood")]
        if not scripts:
            scripts.append(a)
        i += 1
    for s in scripts:
        if isinstance(s, Opaque):
            return [deny("sed", "a sed script is an expansion")]
        # commands e (execute), w/W (write file), r/R read are harmless, s///e and s///w are not
        if re.search(r"(^|[;{}\n]\s*|\d\s*|\$\s*|/\s*)[ewW]\b|/[gpiImMe0-9]*[ew]\s*\S*\s*($|;|})", s):
            return [deny("sed", "the sed script executes commands or writes files (e, w, s///e, s///w)")]
    return [new_finding(Verdict.READ, "sed", "sed transforms text")]


def _writes_to(argv: list, prog: str, flags: tuple[str, ...]) -> list[Finding] | None:
    for i, a in enumerate(argv[1:], 1):
        if isinstance(a, Opaque):
            return [local_write(prog, UNKNOWN, f"an argument of {prog} is an expansion and could be an output option")]
        name = a.split("=", 1)[0]
        if name in flags:
            target = a.split("=", 1)[1] if "=" in a else (argv[i + 1] if i + 1 < len(argv) else UNKNOWN)
            return [local_write(prog, str(target), f"{prog} {name} writes a file")]
        if not a.startswith("--") and len(a) > 2 and a[:2] in flags:
            return [local_write(prog, a[2:], f"{prog} {a[:2]} writes a file")]
    return None


def _find(argv: list, ctx: Ctx) -> list[Finding]:
    out: list[Finding] = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            return [deny("find", "a find argument is an expansion (it could be -exec or -delete)")]
        if a in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(argv) and argv[j] not in (";", "+"):
                j += 1
            inner = [Opaque(False) if a2 == "{}" else a2 for a2 in argv[i + 1 : j]]
            if not inner:
                return [deny("find", f"find {a} without a command")]
            out.extend(classify_local_argv(inner, ctx))
            i = j + 1
            continue
        if a == "-delete":
            out.append(local_write("find", UNKNOWN, "find -delete removes files"))
        elif a in ("-fprint", "-fprint0", "-fprintf", "-fls"):
            out.append(local_write("find", str(argv[i + 1]) if i + 1 < len(argv) else UNKNOWN, f"find {a} writes a file"))
        i += 1
    return out or [new_finding(Verdict.READ, "find", "find lists files")]


def classify_local_argv(argv: list, ctx: Ctx) -> list[Finding]:
    """Findings for one argv run by the agent's shell (not inside a container)."""
    if not argv:
        return []
    a0 = argv[0]
    if isinstance(a0, Opaque):
        return [deny("shell", "the command name is an expansion: what runs cannot be known")]
    if "/" in a0:
        d, base = os.path.split(a0)
        if os.path.normpath(d) not in TRUSTED_BIN_DIRS:
            return [deny(base or a0, f"{a0} is not in a system bin directory: it could be any program")]
        a0 = base
        argv = [base] + list(argv[1:])
    if a0 in ("kubectl", "k"):
        return classify_kubectl(argv, ctx)
    if a0 == "helm":
        return classify_helm(argv, ctx)
    if a0 == "curl":
        return classify_curl(argv, ctx)
    if a0 == "wget":
        return classify_wget(argv, ctx)
    wrapped = unwrap(argv, ctx, classify_local_argv)
    if wrapped is not None:
        return wrapped
    if a0 in ("awk", "gawk", "mawk", "nawk"):
        return _awk(argv)
    if a0 == "sed":
        return _sed(argv)
    if a0 == "find":
        return _find(argv, ctx)
    if a0 == "tee":
        files = [a for a in argv[1:] if isinstance(a, Opaque) or not a.startswith("-")]
        out = [local_write("tee", UNKNOWN if isinstance(f, Opaque) else f, "tee writes a file") for f in files if isinstance(f, Opaque) or f not in NULL_SINKS]
        return out or [new_finding(Verdict.READ, "tee", "tee copies stdin to stdout")]
    if a0 == "sort":
        return _writes_to(argv, "sort", ("-o", "--output")) or [new_finding(Verdict.READ, "sort", "sort orders lines")]
    if a0 == "uniq":
        pos = [a for a in argv[1:] if isinstance(a, Opaque) or not a.startswith("-")]
        if len(pos) > 1:
            return [local_write("uniq", str(pos[1]) if not isinstance(pos[1], Opaque) else UNKNOWN, "uniq writes its second file argument")]
        return [new_finding(Verdict.READ, "uniq", "uniq filters lines")]
    if a0 == "yq":
        return _writes_to(argv, "yq", ("-i", "--inplace")) or [new_finding(Verdict.READ, "yq", "yq transforms YAML")]
    if a0 == "date":
        return _writes_to(argv, "date", _DATE_WRITE) or [new_finding(Verdict.READ, "date", "date prints the time")]
    if a0 in ("hostname",) :
        return [new_finding(Verdict.READ, a0, "prints the host name")] if len(argv) == 1 else [deny(a0, "hostname with arguments changes it")]
    if a0 in ("xxd",):
        pos = [a for a in argv[1:] if isinstance(a, Opaque) or not a.startswith("-")]
        return [local_write("xxd", UNKNOWN, "xxd writes its second file argument")] if len(pos) > 1 else [new_finding(Verdict.READ, "xxd", "hex dump")]
    if a0 in _SETS_VARIABLES:
        bad = _sets_dangerous_variable(argv)
        if bad:
            return [deny(a0, bad)]
    if a0 in LOCAL_READ_PROGRAMS:
        return [new_finding(Verdict.READ, a0, f"{a0} only reads")]
    return [deny(a0, f"program {a0!r} is not known to the safety layer")]
