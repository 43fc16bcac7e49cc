"""helm (v3.14) over the Cluster interface: list, status, get values/manifest, history, upgrade,
rollback, uninstall, version. ``--dry-run`` on upgrade, rollback and uninstall changes nothing.

Releases live where Helm keeps them: Secrets ``sh.helm.release.v1.<release>.v<N>`` (type
``helm.sh/release.v1``, labels owner/name/version/status) written by :mod:`aoi_gym.apps.helm`.
An upgrade or rollback renders the values through the app's chart renderer
(:meth:`aoi_gym.apps.base.App.render_values`) and applies only the objects that changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import yaml

from aoi_gym.cluster.base import ApiError, NotFound
from aoi_gym.shell.context import ProgramResult, ShellContext

__all__ = ["run_helm", "load_releases", "HELM_VERSION"]

HELM_VERSION = "v3.14.2"
_BUILD = 'version.BuildInfo{Version:"v3.14.2", GitCommit:"c309b6f0ff63856811846ce18f3bdc93d2b4d54b", GitTreeState:"clean", GoVersion:"go1.21.7"}'
_RELEASE_TYPE = "helm.sh/release.v1"
_VALUE_FLAGS = {"-n", "--namespace", "--set", "--set-string", "-o", "--output", "--revision", "--kube-context",
                "--kubeconfig", "-f", "--values", "--version", "--timeout", "--description", "--max"}


class _HelmError(Exception):
    pass


def _parse_args(args: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    positional: list[str] = []
    flags: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and a != "-":
            name, eq, value = a.partition("=")
            if not eq and name in _VALUE_FLAGS:
                if i + 1 >= len(args):
                    raise _HelmError(f'flag needs an argument: {a}')
                value = args[i + 1]
                i += 1
            flags.setdefault({"-n": "--namespace", "-o": "--output", "-a": "--all-values", "-A": "--all-namespaces",
                              "-f": "--values", "-q": "--short"}.get(name, name), []).append(value)
        else:
            positional.append(a)
        i += 1
    return positional, flags


def _decode(secret: dict) -> dict | None:
    try:
        payload = json.loads(base64.b64decode(secret["data"]["release"]))
    except (KeyError, ValueError, TypeError):
        return None
    payload["_secret"] = secret["metadata"]["name"]
    payload["_updated"] = secret["metadata"].get("creationTimestamp", "")
    payload.setdefault("revision", int(secret["metadata"].get("labels", {}).get("version", 1)))
    return payload


def load_releases(cluster: Any, namespace: str | None) -> dict[tuple[str, str], list[dict]]:
    """``{(namespace, release): [payload, ...]}`` sorted by revision; namespace None means all."""
    out: dict[tuple[str, str], list[dict]] = {}
    for s in cluster.list("Secret", namespace, label_selector="owner=helm"):
        if s.get("type") != _RELEASE_TYPE:
            continue
        payload = _decode(s)
        if payload is not None:
            out.setdefault((s["metadata"]["namespace"], payload["name"]), []).append(payload)
    for revs in out.values():
        revs.sort(key=lambda p: int(p["revision"]))
    return out


def _when(ts: str, style: str) -> str:
    try:
        d = dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        d = dt.datetime(2026, 1, 5, 9, 0, 0)
    if style == "list":
        return d.strftime("%Y-%m-%d %H:%M:%S") + " +0000 UTC"
    return d.strftime("%a %b ") + f"{d.day:2d}" + d.strftime(" %H:%M:%S %Y")


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("\t".join(c.ljust(widths[i]) for i, c in enumerate(r)) + "\n" for r in rows)


def _chart(p: dict) -> str:
    return f"{p.get('chart', '')}-{p.get('version', '')}"


def _status_text(p: dict, namespace: str) -> str:
    return (
        f"NAME: {p['name']}\nLAST DEPLOYED: {_when(p['_updated'], 'status')}\nNAMESPACE: {namespace}\n"
        f"STATUS: {p.get('status', 'deployed')}\nREVISION: {p['revision']}\nTEST SUITE: None\n"
    )


class _Helm:
    def __init__(self, ctx: ShellContext, flags: dict[str, list[str]]) -> None:
        self.ctx, self.cluster, self.flags = ctx, ctx.cluster, flags
        self.namespace = (flags.get("--namespace") or [ctx.env.get("HELM_NAMESPACE") or ctx.namespace or "default"])[-1]

    def flag(self, name: str) -> bool:
        return name in self.flags

    def dry_run(self) -> bool:
        """``--dry-run``, ``--dry-run=client|server|true``: simulate; ``--dry-run=false|none`` (or any
        other value) runs for real, as the safety classifier assumes (aoi_gym.safety.helm_rules)."""
        values = self.flags.get("--dry-run")
        return bool(values) and values[-1] in ("", "client", "server", "true")

    def revisions(self, release: str) -> list[dict]:
        revs = load_releases(self.cluster, self.namespace).get((self.namespace, release))
        if not revs:
            raise _HelmError("release: not found")
        return revs

    # ------------------------------------------------------------------ read commands
    def list(self, args: list[str]) -> str:
        ns = None if self.flag("--all-namespaces") else self.namespace
        rows = [["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]]
        items = []
        for (rel_ns, name), revs in sorted(load_releases(self.cluster, ns).items(), key=lambda kv: (kv[0][1], kv[0][0])):
            p = revs[-1]
            if p.get("status", "deployed") != "deployed" and not (self.flag("--all") or self.flag("--all-values")):
                continue
            items.append({"name": name, "namespace": rel_ns, "revision": str(p["revision"]),
                          "updated": _when(p["_updated"], "list"), "status": p.get("status", "deployed"),
                          "chart": _chart(p), "app_version": str(p.get("app_version", ""))})
        output = (self.flags.get("--output") or ["table"])[-1]
        if self.flag("--short"):
            return "".join(i["name"] + "\n" for i in items)
        if output == "json":
            return json.dumps(items, separators=(",", ":")) + "\n"
        if output == "yaml":
            return yaml.safe_dump(items, sort_keys=True)
        rows += [[i["name"], i["namespace"], i["revision"], i["updated"], i["status"], i["chart"], i["app_version"]] for i in items]
        return _table(rows)

    def status(self, args: list[str]) -> str:
        if not args:
            raise _HelmError('"helm status" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]')
        return _status_text(self.revisions(args[0])[-1], self.namespace)

    def pick(self, release: str) -> dict:
        revs = self.revisions(release)
        wanted = self.flags.get("--revision")
        if wanted:
            match = [p for p in revs if str(p["revision"]) == wanted[-1]]
            if not match:
                raise _HelmError("release: not found")
            return match[0]
        return revs[-1]

    def get(self, args: list[str]) -> str:
        if len(args) < 2 or args[0] not in ("values", "manifest", "all", "notes", "hooks", "metadata"):
            raise _HelmError('"helm get" requires a subcommand: values, manifest, all, notes, hooks or metadata')
        p = self.pick(args[1])
        what = args[0]
        if what == "values":
            values = p.get("values") or {}
            output = (self.flags.get("--output") or ["table"])[-1]
            if output == "json":
                return json.dumps(values, separators=(",", ":")) + "\n"
            body = yaml.safe_dump(values, sort_keys=True) if values else "null\n"
            if output == "yaml":
                return body
            header = "COMPUTED VALUES:\n" if self.flag("--all-values") else "USER-SUPPLIED VALUES:\n"
            return header + body
        if what == "notes":
            return "NOTES:\n"
        if what == "hooks":
            return ""
        if what == "metadata":
            return (f"NAME: {p['name']}\nCHART: {p.get('chart', '')}\nVERSION: {p.get('version', '')}\nAPP_VERSION: \n"
                    f"NAMESPACE: {self.namespace}\nREVISION: {p['revision']}\nSTATUS: {p.get('status')}\n"
                    f"DEPLOYED_AT: {p['_updated']}\n")
        return self.manifest(p)

    def manifest(self, p: dict) -> str:
        app = self.app_of(p["name"])
        docs = []
        for obj in app.render_values(p.get("values") or {}):
            docs.append(f"---\n# Source: {p.get('chart')}/templates/{obj['kind'].lower()}.yaml\n" + yaml.safe_dump(obj, sort_keys=False))
        return "".join(docs)

    def history(self, args: list[str]) -> str:
        if not args:
            raise _HelmError('"helm history" requires 1 argument\n\nUsage:  helm history RELEASE_NAME [flags]')
        rows = [["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]]
        for p in self.revisions(args[0]):
            rows.append([str(p["revision"]), _when(p["_updated"], "status"), p.get("status", "deployed"), _chart(p),
                         str(p.get("app_version", "")), p.get("description") or ("Install complete" if int(p["revision"]) == 1 else "Upgrade complete")])
        return _table(rows)

    # ------------------------------------------------------------------ write commands
    def app_of(self, release: str):
        from aoi_gym.apps import APPS, get_app

        for name in APPS:
            if name == "synthetic":
                continue
            app = get_app(name)
            if app.helm_release == release and app.namespace == self.namespace:
                return app
        raise _HelmError(f'chart for release "{release}" is not available to this cluster (no chart repository access)')

    def apply(self, app, old_values: dict, new_values: dict) -> None:
        """Apply the objects whose rendering changed; delete those no longer rendered."""
        def key(o):
            return (o["kind"], o["metadata"]["name"])

        old = {key(o): o for o in app.render_values(old_values)}
        new = {key(o): o for o in app.render_values(new_values)}
        for k, obj in new.items():
            if old.get(k) == obj:
                continue
            try:
                self.cluster.get(obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
            except NotFound:
                self.cluster.create(obj)
                continue
            self.cluster.replace(obj)
        for k, obj in old.items():
            if k not in new:
                try:
                    self.cluster.delete(obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
                except NotFound:
                    pass

    def record(self, app, values: dict, previous: dict, description: str) -> dict:
        from aoi_gym.apps.helm import release_secret

        old_secret = self.cluster.get("Secret", previous["_secret"], self.namespace)
        payload = {k: v for k, v in previous.items() if not k.startswith("_")}
        payload["status"] = "superseded"
        old_secret["metadata"].setdefault("labels", {})["status"] = "superseded"
        old_secret["data"]["release"] = base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()
        self.cluster.replace(old_secret)
        secret = release_secret(app, values, revision=int(previous["revision"]) + 1)
        body = json.loads(base64.b64decode(secret["data"]["release"]))
        body["description"] = description
        secret["data"]["release"] = base64.b64encode(json.dumps(body, sort_keys=True).encode()).decode()
        return _decode(self.cluster.create(secret)) or {}

    def upgrade(self, args: list[str]) -> str:
        from aoi_gym.apps.helm import merge_values, parse_set

        if len(args) < 2:
            raise _HelmError('"helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]')
        release = args[0]
        try:
            revs = self.revisions(release)
        except _HelmError:
            raise _HelmError(f'UPGRADE FAILED: "{release}" has no deployed releases') from None
        current = revs[-1]
        try:
            overrides = parse_set(self.flags.get("--set", []) + self.flags.get("--set-string", []))
        except ValueError as e:
            raise _HelmError(str(e)) from None
        if self.flags.get("--values"):
            raise _HelmError("UPGRADE FAILED: values files (-f) are not supported here; use --set")
        base = (current.get("values") or {}) if self.flag("--reuse-values") and not self.flag("--reset-values") else {}
        values = merge_values(base, overrides)
        app = self.app_of(release)
        if self.dry_run():
            return f'Release "{release}" has been upgraded. Happy Helming!\n' + _status_text({**current, "revision": int(current["revision"]) + 1, "status": "pending-upgrade"}, self.namespace)
        try:
            self.apply(app, current.get("values") or {}, values)
        except ApiError as e:
            raise _HelmError(f"UPGRADE FAILED: {e.message}") from None
        new = self.record(app, values, current, "Upgrade complete")
        return f'Release "{release}" has been upgraded. Happy Helming!\n' + _status_text(new, self.namespace)

    def rollback(self, args: list[str]) -> str:
        if not args:
            raise _HelmError('"helm rollback" requires at least 1 argument\n\nUsage:  helm rollback <RELEASE> [REVISION] [flags]')
        revs = self.revisions(args[0])
        current = revs[-1]
        target_rev = int(args[1]) if len(args) > 1 and args[1].isdigit() and int(args[1]) > 0 else int(current["revision"]) - 1
        target = next((p for p in revs if int(p["revision"]) == target_rev), None)
        if target is None:
            raise _HelmError(f"release has no {target_rev} version")
        app = self.app_of(args[0])
        if self.dry_run():
            return "Rollback was a success! Happy Helming!\n"
        try:
            self.apply(app, current.get("values") or {}, target.get("values") or {})
        except ApiError as e:
            raise _HelmError(f"an error occurred while rolling back the release: {e.message}") from None
        self.record(app, target.get("values") or {}, current, f"Rollback to {target_rev}")
        return "Rollback was a success! Happy Helming!\n"

    def uninstall(self, args: list[str]) -> str:
        if not args:
            raise _HelmError('"helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]')
        out = []
        for release in args:
            try:
                revs = self.revisions(release)
            except _HelmError:
                raise _HelmError(f"uninstall: Release not loaded: {release}: release: not found") from None
            app = self.app_of(release)
            if self.dry_run():  # helm simulates the uninstall and reports it
                out.append(f'release "{release}" uninstalled\n')
                continue
            for obj in reversed(app.render_values(revs[-1].get("values") or {})):
                if obj["kind"] == "PersistentVolume":
                    continue
                try:
                    self.cluster.delete(obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
                except NotFound:
                    pass
            if not self.flag("--keep-history"):
                for p in revs:
                    try:
                        self.cluster.delete("Secret", p["_secret"], self.namespace)
                    except NotFound:
                        pass
            out.append(f'release "{release}" uninstalled\n')
        return "".join(out)


_COMMANDS = {"list": "list", "ls": "list", "status": "status", "get": "get", "history": "history", "hist": "history",
             "upgrade": "upgrade", "rollback": "rollback", "uninstall": "uninstall", "delete": "uninstall",
             "del": "uninstall", "un": "uninstall"}


def run_helm(argv: list[str], stdin: str, ctx: ShellContext) -> ProgramResult:
    """Program entry: ``argv`` is ``["helm", subcommand, ...]``."""
    try:
        positional, flags = _parse_args(argv[1:])
    except _HelmError as e:
        return ProgramResult(stderr=f"Error: {e}\n", code=1)
    if not positional:
        if "--version" in flags:
            return ProgramResult(stdout=_BUILD + "\n")
        return ProgramResult(stdout="The Kubernetes package manager\n\nUsage:\n  helm [command]\n\nAvailable Commands:\n"
                             "  get, history, list, rollback, status, uninstall, upgrade, version\n")
    command, rest = positional[0], positional[1:]
    if command == "version":
        return ProgramResult(stdout=(f"{HELM_VERSION}+gc309b6f\n" if "--short" in flags else _BUILD + "\n"))
    if command in ("install", "repo", "pull", "search", "dependency", "package", "push", "template", "plugin"):
        return ProgramResult(stderr=f"Error: {command}: this cluster has no access to chart repositories; "
                             "use helm upgrade/rollback on the installed releases\n", code=1)
    method = _COMMANDS.get(command)
    if method is None:
        return ProgramResult(stderr=f'Error: unknown command "{command}" for "helm"\nRun \'helm --help\' for usage.\n', code=1)
    try:
        return ProgramResult(stdout=getattr(_Helm(ctx, flags), method)(rest))
    except _HelmError as e:
        return ProgramResult(stderr=f"Error: {e}\n", code=1)
    except ApiError as e:
        return ProgramResult(stderr=f"Error: {e.kubectl_message()}\n", code=1)
