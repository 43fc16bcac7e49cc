"""curl and wget: reads when they GET/HEAD an http(s) URL, writes when they send a mutating method
or a body, or save to a file. Other URL schemes (gopher://, dict://, file:// ...) can speak raw
protocols to a database, so they are denied.
"""

from __future__ import annotations

import re

from aoi_gym.safety.shellwalk import NULL_SINKS, Ctx, deny, local_write
from aoi_gym.safety.verdicts import UNKNOWN, Finding, Opaque, Touch, Verdict

__all__ = ["classify_curl", "classify_wget", "url_namespace"]

_SVC_HOST = re.compile(r"^[a-z0-9-]+\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?(:\d+)?$")
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_METHOD_VERB = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}

_CURL_VALUE = frozenset(
    "-X --request -d --data --data-raw --data-binary --data-urlencode --data-ascii --json -F --form --form-string "
    "-T --upload-file -o --output -H --header -u --user -A --user-agent -e --referer -b --cookie -c --cookie-jar "
    "-m --max-time --connect-timeout -w --write-out -x --proxy --retry --retry-delay --retry-max-time -D --dump-header "
    "--resolve --cacert --cert --key -E --unix-socket --url --max-redirs --trace --trace-ascii --stderr -r --range "
    "--limit-rate --interface --dns-servers --noproxy -y -Y --speed-time --speed-limit --oauth2-bearer --output-dir".split()
)
_CURL_FLAGS = frozenset(
    "-G --get -I --head -s --silent -S --show-error -v --verbose -k --insecure -L --location -f --fail -i --include "
    "--compressed --http1.0 --http1.1 --http2 -4 -6 -N --no-buffer --fail-with-body -Z --parallel -# --progress-bar "
    "-q --disable --no-progress-meter --raw --tcp-nodelay --ipv4 --ipv6 --globoff -g --path-as-is --no-keepalive "
    "--create-dirs -O --remote-name --remote-name-all -J --remote-header-name".split()
)
_CURL_BODY = frozenset("-d --data --data-raw --data-binary --data-urlencode --data-ascii --json -F --form --form-string -T --upload-file".split())
_CURL_FILE_OUT = frozenset("-o --output -c --cookie-jar -D --dump-header --trace --trace-ascii --stderr".split())


def url_namespace(url: str, default: str | None) -> str | None:
    m = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]+)", url)
    host = m.group(1).rsplit("@", 1)[-1] if m else ""
    mm = _SVC_HOST.match(host)
    return mm.group(1) if mm and mm.group(1) not in ("svc", "local") else default


def _scheme_ok(url: str) -> bool:
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", url)
    return m is None or m.group(1).lower() in ("http", "https")


#: what an HTTP request whose target cannot be known may touch
_ANY_HTTP = (Touch("create", "http", UNKNOWN, UNKNOWN),)


def _expansion_write(prog: str, reason: str) -> list[Finding]:
    """The verdict when an expansion could turn the request into a mutating one."""
    return [Finding(Verdict.WRITE, prog, reason, _ANY_HTTP)]


def _request_findings(prog: str, ctx: Ctx, urls: list, saved: list, method: str, writes: bool,
                      reason: str, unknown_target: tuple = ()) -> list[Finding]:
    """The findings of one curl/wget run: denied for a non-http(s) URL; else the local files it saves
    (``saved``), then the request (a write with ``reason`` when ``writes``, touching
    ``unknown_target`` if it names no URL; else a read)."""
    for u in urls:
        if not _scheme_ok(u):
            return [deny(prog, f"{prog} URL scheme of {u!r} is not http(s)")]
    out = [local_write(prog, f, f"{prog} saves to {f}", ctx.in_container) for f in saved]
    if writes:
        verb = _METHOD_VERB.get(method, "create")
        touches = tuple(Touch(verb, "http", url_namespace(u, UNKNOWN), u) for u in urls) or unknown_target
        out.append(Finding(Verdict.WRITE, prog, reason, touches))
    else:
        out.append(Finding(Verdict.READ, prog, f"{prog} HTTP {method}", tuple(Touch("get", "http", url_namespace(u, None), u) for u in urls)))
    return out


def _split_short(a: str) -> list[str]:
    """-sSL -> [-s, -S, -L]; -XPOST -> [-X, POST] handled by the caller."""
    return [f"-{c}" for c in a[1:]]


def classify_curl(argv: list, ctx: Ctx) -> list[Finding]:
    prog = argv[0]
    method, body, get_mode, urls, files = None, False, False, [], []
    i = 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            if i > 0 and argv[i - 1] in ("-H", "--header", "-u", "--user", "-A", "-e", "-m", "--max-time", "-w", "--write-out"):
                i += 1
                continue
            return _expansion_write(prog, f"an argument of {prog} is an expansion and could be a mutating option")
        name, val = (a.split("=", 1) + [None])[:2] if a.startswith("--") else (a, None)
        if a.startswith("-") and not a.startswith("--") and len(a) > 2:
            head = a[:2]
            if head in _CURL_VALUE:
                name, val = head, a[2:]
            elif all(f in _CURL_FLAGS for f in _split_short(a)):
                for f in _split_short(a):
                    get_mode |= f in ("-G", "-I")
                    if f == "-O":
                        files.append(UNKNOWN)
                i += 1
                continue
            else:
                return [deny(prog, f"{prog} option {a} is not understood")]
        if name in ("-K", "--config"):
            return [deny(prog, f"{prog} -K reads options from a file that cannot be inspected")]
        if name in _CURL_VALUE:
            if val is None:
                if i + 1 >= len(argv):
                    return [deny(prog, f"{prog} option {name} needs a value")]
                val = argv[i + 1]
                i += 1
            if isinstance(val, Opaque) and name in ("-X", "--request", "-o", "--output", "--url"):
                return _expansion_write(prog, f"the value of {name} is an expansion")
            if name in ("-X", "--request"):
                method = str(val).upper()
            elif name in _CURL_BODY:
                body = True
            elif name in _CURL_FILE_OUT:
                files.append(str(val))
            elif name == "--url":
                urls.append(str(val))
            elif name == "--output-dir":
                files.append(str(val))
        elif name in _CURL_FLAGS:
            get_mode |= name in ("-G", "--get", "-I", "--head")
            if name in ("-O", "--remote-name", "--remote-name-all"):
                files.append(UNKNOWN)
        elif a.startswith("-") and a != "-":
            return [deny(prog, f"{prog} option {a} is not understood")]
        else:
            urls.append(a)
        i += 1
    if body and not get_mode and method is None:
        method = "POST"
    method = method or ("HEAD" if get_mode and "-I" in argv else "GET")
    return _request_findings(prog, ctx, urls, [f for f in files if f not in NULL_SINKS and f != "-"], method,
                             method not in _READ_METHODS or (body and not get_mode),
                             f"{prog} sends an HTTP {method}{' with a body' if body else ''}",
                             (Touch(_METHOD_VERB.get(method, "create"), "http", UNKNOWN, UNKNOWN),))


_WGET_VALUE = frozenset("-O --output-document -o --output-file -a --append-output -T --timeout -t --tries -U --user-agent --header --user --password -P --directory-prefix --post-data --post-file --method --body-data --body-file -e --execute -i --input-file --wait".split())
_WGET_FLAGS = frozenset("-q --quiet -S --server-response --spider -nv --no-verbose -v --verbose --no-check-certificate -4 -6 -c --continue -N".split())


def classify_wget(argv: list, ctx: Ctx) -> list[Finding]:
    prog = argv[0]
    out_doc, spider, method, urls, files = None, False, "GET", [], []
    i = 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            return _expansion_write(prog, f"an argument of {prog} is an expansion and could be a mutating option")
        name, val = (a.split("=", 1) + [None])[:2] if a.startswith("--") else (a, None)
        if a.startswith("-") and not a.startswith("--") and len(a) > 2 and a not in _WGET_FLAGS:
            # a cluster of short options: flags, then at most one value option taking the rest
            name = None
            for j, c in enumerate(a[1:], 1):
                if f"-{c}" in _WGET_VALUE:
                    name, val = f"-{c}", (a[j + 1 :] or None)
                    break
                if f"-{c}" not in _WGET_FLAGS:
                    return [deny(prog, f"{prog} option {a} is not understood")]
            if name is None:
                i += 1
                continue
        if name in _WGET_VALUE:
            if val is None:
                if i + 1 >= len(argv):
                    return [deny(prog, f"{prog} option {name} needs a value")]
                val = argv[i + 1]
                i += 1
            if isinstance(val, Opaque):
                return _expansion_write(prog, f"the value of {name} is an expansion")
            if name in ("-e", "--execute", "-i", "--input-file"):
                return [deny(prog, f"{prog} {name} runs commands or reads URLs that cannot be inspected")]
            if name in ("-O", "--output-document"):
                out_doc = val
            elif name in ("-o", "--output-file", "-a", "--append-output", "-P", "--directory-prefix"):
                files.append(val)
            elif name in ("--post-data", "--post-file", "--body-data", "--body-file"):
                method = "POST" if method == "GET" else method
            elif name == "--method":
                method = str(val).upper()
        elif name in _WGET_FLAGS:
            spider |= name == "--spider"
        elif a.startswith("-"):
            return [deny(prog, f"{prog} option {a} is not understood")]
        else:
            urls.append(a)
        i += 1
    if out_doc is None and not spider:
        files.append(UNKNOWN)
    elif out_doc not in (None, "-") and out_doc not in NULL_SINKS:
        files.append(out_doc)
    return _request_findings(prog, ctx, urls, files, method, method not in _READ_METHODS, f"{prog} sends an HTTP {method}")
