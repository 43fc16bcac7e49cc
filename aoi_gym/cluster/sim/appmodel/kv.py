"""Redis / Valkey contents (a few keys per instance) and ``redis-cli`` / ``valkey-cli``."""

from __future__ import annotations

import fnmatch
from typing import Any, Callable

from aoi_gym.cluster.base import ExecResult

__all__ = ["initial_kv", "run_redis_cli"]


def initial_kv(store: str) -> dict[str, str]:
    """The keys an instance holds once the app has run a little (small: the state is snapshotted)."""
    if "cart" in store:
        return {"cart:6c4b2f71-user": "OLJCESPC7Z:1,66VCHSJNUP:2", "cart:1e8f2b5c-user": "L9ECAV7KIM:1"}
    if "home-timeline" in store or "user-timeline" in store:
        return {"1": "[post:1044, post:1031]", "17": "[post:1052]", "233": "[post:1040, post:1029, post:1011]"}
    if "social-graph" in store:
        return {"1:followers": "[17, 233, 402]", "17:followees": "[1]", "233:followees": "[1]"}
    return {"session:1": "active", "session:2": "active"}


def _info(version: str, keys: int, section: str) -> str:
    server = ["# Server", f"redis_version:{version}", "redis_mode:standalone", "os:Linux 6.8.0 x86_64",
              "arch_bits:64", "tcp_port:6379", "uptime_in_seconds:3600", "uptime_in_days:0"]
    clients = ["# Clients", "connected_clients:4", "blocked_clients:0"]
    memory = ["# Memory", "used_memory:1023456", "used_memory_human:999.47K", "maxmemory:0", "maxmemory_policy:noeviction"]
    stats = ["# Stats", "total_connections_received:57", "total_commands_processed:18211", "keyspace_hits:15110",
             "keyspace_misses:1203", "rejected_connections:0"]
    keyspace = ["# Keyspace"] + ([f"db0:keys={keys},expires=0,avg_ttl=0"] if keys else [])
    sections = {"server": server, "clients": clients, "memory": memory, "stats": stats, "keyspace": keyspace}
    chosen = [sections[section]] if section in sections else list(sections.values())
    return "\r\n".join("\r\n".join(s) + "\r\n" for s in chosen)


def run_redis_cli(
    argv: list[str], resolve: Callable[[str | None, int], dict[str, str] | str], version: str
) -> ExecResult:
    """Run ``redis-cli [-h H] [-p P] [-a PASS] CMD ARGS...``; ``resolve(host, port)`` -> the key dict or an error."""
    host, port, i = None, 6379, 1
    words: list[str] = []
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "-p", "-a", "-n", "--user", "--pass") and i + 1 < len(argv):
            if a == "-h":
                host = argv[i + 1]
            elif a == "-p":
                try:
                    port = int(argv[i + 1])
                except ValueError:
                    return ExecResult("", f"Invalid port: {argv[i + 1]}\n", 1)
            i += 2
            continue
        if a in ("--no-auth-warning", "--raw", "--no-raw"):
            i += 1
            continue
        words = argv[i:]
        break
    data = resolve(host, port)
    if isinstance(data, str):
        return ExecResult(f"Could not connect to Redis at {host or '127.0.0.1'}:{port}: {data}\n" if not words else "",
                          f"Could not connect to Redis at {host or '127.0.0.1'}:{port}: {data}\n" if words else "", 1)
    if not words:
        return ExecResult("", "", 0)  # non-interactive without a command: reads stdin, which is empty
    cmd, args = words[0].upper(), words[1:]

    def err(msg: str) -> ExecResult:
        return ExecResult(f"ERR {msg}\n", "", 0)

    arity = {"PING": (0, 1), "GET": (1, 1), "SET": (2, 5), "DEL": (1, 99), "EXISTS": (1, 99), "KEYS": (1, 1),
             "DBSIZE": (0, 0), "INFO": (0, 1), "FLUSHALL": (0, 1), "FLUSHDB": (0, 1), "TYPE": (1, 1), "ECHO": (1, 1),
             "CONFIG": (1, 3), "SCAN": (1, 5)}
    if cmd not in arity:
        shown = " ".join(f"'{a}'" for a in args)
        return err(f"unknown command '{words[0]}', with args beginning with: {shown}")
    lo, hi = arity[cmd]
    if not lo <= len(args) <= hi:
        return err(f"wrong number of arguments for '{cmd.lower()}' command")
    out: Any
    if cmd == "PING":
        out = args[0] if args else "PONG"
    elif cmd == "ECHO":
        out = args[0]
    elif cmd == "GET":
        out = data.get(args[0], "")
    elif cmd == "SET":
        data[args[0]] = args[1]
        out = "OK"
    elif cmd in ("DEL", "EXISTS"):
        n = sum(1 for k in args if k in data)
        if cmd == "DEL":
            for k in args:
                data.pop(k, None)
        out = str(n)
    elif cmd in ("KEYS", "SCAN"):
        pat = args[0] if cmd == "KEYS" else (args[args.index("MATCH") + 1] if "MATCH" in args else "*")
        keys = sorted(k for k in data if fnmatch.fnmatchcase(k, pat))
        out = "\n".join((["0"] if cmd == "SCAN" else []) + keys)
    elif cmd == "DBSIZE":
        out = str(len(data))
    elif cmd == "INFO":
        out = _info(version, len(data), (args[0] if args else "").lower()).rstrip("\r\n")
    elif cmd in ("FLUSHALL", "FLUSHDB"):
        data.clear()
        out = "OK"
    elif cmd == "TYPE":
        out = "string" if args[0] in data else "none"
    else:  # CONFIG GET
        out = "\n".join(args[1:2] + ["0"]) if args[0].upper() == "GET" and len(args) > 1 else "OK"
    return ExecResult(f"{out}\n", "", 0)
