"""Classify one kubectl invocation by verb and flags.

Reads: get, describe, logs, top, explain, api-resources, api-versions, version, events, wait, diff,
cluster-info (not ``dump --output-directory``), kustomize, auth can-i/whoami, config view and its
getters, rollout status/history. ``--dry-run=client|server`` turns a write that supports it into a
read. ``exec`` is a read only when the in-container command is on the read allowlist. Everything
else (create, apply, delete, patch, scale, set, rollout restart, label, cordon, drain, cp, attach,
port-forward, proxy, debug, run, ``create|replace|delete --raw``...) is a write with the resources
and namespaces it touches; an unknown verb or flag is denied.
"""

from __future__ import annotations

from functools import lru_cache

from aoi_gym.cluster.kinds import resolve_resource
from aoi_gym.safety.exec_allowlist import classify_in_container
from aoi_gym.safety.kubectl_flags import CREDENTIAL_FLAGS, ParsedArgs, parse_global, parse_verb_args
from aoi_gym.safety.shellwalk import STDIN_UNKNOWN, Ctx, deny, local_write
from aoi_gym.safety.verdicts import UNKNOWN, Finding, Opaque, Touch, Verdict, new_finding, new_touch

__all__ = ["classify_kubectl", "READ_VERBS", "WRITE_VERBS", "canonical_resource", "manifest_touches"]

READ_VERBS = frozenset(
    "get describe logs top explain api-resources api-versions version events wait diff cluster-info kustomize "
    "completion help options".split()
)
WRITE_VERBS = frozenset(
    "create apply delete patch replace edit scale autoscale label annotate set expose run cordon uncordon drain "
    "taint exec cp attach port-forward proxy debug certificate".split()
)
_DRY_RUN_VERBS = frozenset("create apply delete patch replace scale autoscale label annotate set expose run cordon uncordon drain taint rollout".split())
_RAW_WRITE_PATHS = ("/exec", "/attach", "/portforward", "/proxy", "/eviction")
_CLUSTER_SCOPED = frozenset({"namespaces", "nodes", "persistentvolumes", "storageclasses", "clusterroles", "clusterrolebindings", "customresourcedefinitions", "certificatesigningrequests", "priorityclasses", "ingressclasses", "validatingwebhookconfigurations", "mutatingwebhookconfigurations", "apiservices"})
_ALIASES = {"cronjob": "cronjobs", "cj": "cronjobs", "ing": "ingresses", "ingress": "ingresses", "pdb": "poddisruptionbudgets", "quota": "resourcequotas", "pc": "priorityclasses", "csr": "certificatesigningrequests", "token": "serviceaccounts/token", "secret": "secrets", "service": "services"}
_ALL_EXPANSION = ("pods", "services", "daemonsets", "deployments", "replicasets", "statefulsets", "jobs", "cronjobs", "horizontalpodautoscalers")


def canonical_resource(name: str) -> str:
    """``po`` -> ``pods``, ``deployment.apps`` -> ``deployments``, ``deployments.v1.apps`` -> ``deployments``."""
    if isinstance(name, Opaque):
        return UNKNOWN
    return _canonical(str(name))


@lru_cache(maxsize=1024)
def _canonical(name: str) -> str:
    low = name.lower()
    if low in _ALIASES:
        return _ALIASES[low]
    info = resolve_resource(low) or resolve_resource(low.split(".", 1)[0])
    return info.plural if info else low


def _ns_for(resource: str, ns: str | None) -> str | None:
    return None if resource.split("/", 1)[0] in _CLUSTER_SCOPED else ns


def _namespace(p: ParsedArgs, glob: ParsedArgs, ctx: Ctx) -> str:
    if p.has("-A", "--all-namespaces"):
        return "*"
    v = p.last("-n", "--namespace") or glob.last("-n", "--namespace")
    if isinstance(v, Opaque) or (p.loose and v is None):
        return UNKNOWN  # an expansion could be -n <anything>
    return v or ctx.namespace


def _targets(positionals: list, skip_kv: bool = False) -> list[tuple[str, str | None]]:
    """(resource, name) pairs from ``TYPE NAME...``, ``TYPE1,TYPE2``, ``TYPE/NAME ...``."""
    out: list[tuple[str, str | None]] = []
    pos = [a for a in positionals if not (skip_kv and isinstance(a, str) and not isinstance(a, Opaque) and ("=" in a or a.endswith("-")))]
    if not pos:
        return out
    if isinstance(pos[0], Opaque):
        return [(UNKNOWN, UNKNOWN)]
    if "/" in pos[0]:
        for a in pos:
            if isinstance(a, Opaque) or "/" not in a:
                out.append((UNKNOWN, UNKNOWN))
            else:
                t, _, nm = a.partition("/")
                out.append((canonical_resource(t), nm))
        return out
    types = [canonical_resource(t) for t in pos[0].split(",") if t]
    expanded = [r for t in types for r in (_ALL_EXPANSION if t == "all" else (t,))]
    names = [UNKNOWN if isinstance(a, Opaque) else a for a in pos[1:]] or [None]
    return [(t, nm) for t in expanded for nm in names]


def manifest_touches(text: str | None, verb: str, ns: str, ns_explicit: bool) -> tuple[Touch, ...]:
    """Touches of applying the YAML/JSON manifests in ``text`` (None or unparseable: unknown)."""
    unknown = (Touch(verb, UNKNOWN, ns if ns_explicit else UNKNOWN, UNKNOWN),)
    if text is None or text == STDIN_UNKNOWN:
        return unknown
    try:
        import yaml

        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except Exception:
        return unknown
    out: list[Touch] = []
    stack = list(docs)
    while stack:
        d = stack.pop(0)
        if not isinstance(d, dict) or not isinstance(d.get("kind"), str):
            return unknown
        if d["kind"].endswith("List") and isinstance(d.get("items"), list):
            stack.extend(d["items"])
            continue
        meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
        res = canonical_resource(d["kind"])
        dns = meta.get("namespace")
        if not isinstance(dns, (str, type(None))):
            return unknown
        out.append(Touch(verb, res, _ns_for(res, dns or ns), str(meta.get("name") or meta.get("generateName") or UNKNOWN)))
    return tuple(out) or unknown


def _dry_run(p: ParsedArgs, verb: str) -> bool:
    if verb not in _DRY_RUN_VERBS or not p.has("--dry-run") or p.loose:
        return False
    v = p.flags["--dry-run"][-1]
    return v is None or v in ("client", "server", "true")


def _write(verb_label: str, touches, reason: str) -> Finding:
    return new_finding(Verdict.WRITE, "kubectl", reason, tuple(touches))


def _read(reason: str, touches=()) -> Finding:
    return new_finding(Verdict.READ, "kubectl", reason, tuple(touches))


def _file_touches(p: ParsedArgs, verb: str, ns: str, ctx: Ctx, explicit_ns: bool) -> list[Touch]:
    out: list[Touch] = []
    for f in p.flags.get("-f", []) + p.flags.get("--filename", []):
        text = ctx.stdin if f == "-" else None
        out.extend(manifest_touches(text, verb, ns, explicit_ns))
    if p.has("-k", "--kustomize"):
        out.append(Touch(verb, UNKNOWN, ns if explicit_ns else UNKNOWN, UNKNOWN))
    return out


def _target_touches(p: ParsedArgs, verb: str, ns: str, suffix: str = "", skip_kv: bool = False) -> list[Touch]:
    tg = _targets(p.positionals, skip_kv)
    all_names = p.has("--all", "-l", "--selector", "--field-selector")
    out = []
    for res, name in tg:
        r = res + suffix if res != UNKNOWN else UNKNOWN
        if res == "namespaces":
            out.append(Touch(verb, r, None, name or ("*" if all_names else UNKNOWN)))
        else:
            out.append(Touch(verb, r, _ns_for(res, ns), name or ("*" if all_names else UNKNOWN)))
    return out


def _classify_exec(p: ParsedArgs, ns: str, ctx: Ctx) -> list[Finding]:
    if p.loose_many and (p.dash is not None or len(p.positionals) > 1):
        return [deny("kubectl", "an unquoted expansion before '--' in kubectl exec could inject the in-container command; quote it")]
    pods = p.positionals[:1]
    pod = UNKNOWN if not pods or isinstance(pods[0], Opaque) else pods[0]
    cmd = p.dash if p.dash is not None else p.positionals[1:]
    if not cmd:
        return [_read("kubectl exec without a command only prints an error", ())]
    stdin_on = p.has("-i", "--stdin") or p.loose
    sub_ctx = Ctx(ns, ctx.stdin if stdin_on else None, ctx.depth + 1, True)
    findings = classify_in_container(list(cmd), sub_ctx)
    verdicts = {f.verdict for f in findings}
    what = " ".join(str(a) for a in cmd)[:120]
    if verdicts == {Verdict.READ}:
        return [_read(f"in-container command '{what}' is on the read allowlist", (Touch("get", "pods/exec", ns, pod),))]
    why = "; ".join(f.reason for f in findings if f.verdict is not Verdict.READ)
    return [_write("exec", (Touch("create", "pods/exec", ns, pod),), f"kubectl exec runs '{what}' in a container: {why}")]


def _classify_read_verb(verb: str, p: ParsedArgs, ns: str, ctx: Ctx) -> list[Finding]:
    if verb == "get" and p.has("--raw"):
        path = p.last("--raw")
        if isinstance(path, Opaque) or any(s in str(path) for s in _RAW_WRITE_PATHS):
            return [_write("get", (Touch("create", "raw", UNKNOWN, str(path)),), "kubectl get --raw on a path that can act (exec/attach/proxy) or is an expansion")]
        return [_read("kubectl get --raw issues a GET", (Touch("get", "raw", None, path),))]
    if verb == "cluster-info" and (p.has("--output-directory") or p.loose):
        d = p.last("--output-directory")
        return [local_write("kubectl", UNKNOWN if d is None or isinstance(d, Opaque) else d, "kubectl cluster-info dump writes files")]
    if verb == "logs":
        tg = _targets(p.positionals) if p.positionals else []
        pod = tg[0][1] if tg and tg[0][1] else (tg[0][0] if tg else UNKNOWN)
        return [_read("kubectl logs reads", (Touch("get", "pods/log", ns, pod),))]
    touches = [new_touch("get" if name else "list", res, _ns_for(res, ns), name) for res, name in _targets(p.positionals)]
    return [_read(f"kubectl {verb} reads", touches)]


def _sub(p: ParsedArgs) -> str | None:
    if not p.positionals:
        return None
    s = p.positionals[0]
    return None if isinstance(s, Opaque) else s


def classify_kubectl(argv: list, ctx: Ctx) -> list[Finding]:
    """Findings for ``kubectl ...`` (argv[0] is kubectl, k, or a path to kubectl)."""
    vi, glob = parse_global(argv)
    if glob.error:
        return [deny("kubectl", glob.error)]
    if vi >= len(argv):
        return [_read("kubectl without a verb prints help")]
    verb = argv[vi]
    p = parse_verb_args(argv[vi + 1 :], verb)
    if p.error:
        return [deny("kubectl", p.error)]
    ns = _namespace(p, glob, ctx)
    if verb in READ_VERBS:
        return _classify_read_verb(verb, p, ns, ctx)
    explicit_ns = ns != UNKNOWN and (p.has("-n", "--namespace", "-A", "--all-namespaces") or glob.has("-n", "--namespace"))
    creds = sorted((p.flags.keys() | glob.flags.keys()) & CREDENTIAL_FLAGS)

    sub = _sub(p)
    if verb == "auth":
        if sub in ("can-i", "whoami"):
            return [_read(f"kubectl auth {sub} reads")]
        if sub == "reconcile":
            return [_write(verb, _file_touches(p, "update", ns, ctx, explicit_ns), "kubectl auth reconcile writes RBAC objects")]
        return [deny("kubectl", f"kubectl auth {sub!r} is not understood")]
    if verb == "config":
        if sub in ("view", "get-contexts", "get-clusters", "get-users", "current-context"):
            return [_read(f"kubectl config {sub} reads the kubeconfig")]
        if sub in ("set", "set-context", "set-cluster", "set-credentials", "use-context", "use", "delete-context", "delete-cluster", "delete-user", "rename-context", "unset"):
            return [_write(verb, (Touch("update", "kubeconfig", None, sub),), f"kubectl config {sub} changes the kubeconfig")]
        return [deny("kubectl", f"kubectl config {sub!r} is not understood")]
    if verb == "plugin":
        return [_read("kubectl plugin list reads")] if sub == "list" else [deny("kubectl", "kubectl plugin: only 'list' is understood")]
    if verb == "rollout":
        if sub in ("status", "history"):
            return [_read(f"kubectl rollout {sub} reads")]
        if sub not in ("restart", "undo", "pause", "resume"):
            return [deny("kubectl", f"kubectl rollout {sub!r} is not understood")]
        p.positionals = p.positionals[1:]
        touches = _target_touches(p, "patch", ns) + _file_touches(p, "patch", ns, ctx, explicit_ns)
        if _dry_run(p, "rollout"):
            return [_read("kubectl rollout with --dry-run changes nothing", ())]
        return [_write(verb, touches, f"kubectl rollout {sub} changes workloads")] + _cred_deny(creds)
    if verb not in WRITE_VERBS:
        return [deny("kubectl", f"kubectl verb {verb!r} is not known to the safety layer")]
    if verb == "exec":
        return _classify_exec(p, ns, ctx) + (_cred_deny(creds) if creds else [])
    if p.has("--raw") and verb in ("create", "replace", "delete"):
        path = p.last("--raw")
        return [_write(verb, (Touch({"create": "create", "replace": "update", "delete": "delete"}[verb], "raw", UNKNOWN, str(path)),), f"kubectl {verb} --raw sends a non-GET request")]
    touches = _write_touches(verb, p, ns, ctx, explicit_ns)
    if _dry_run(p, verb):
        return [_read(f"kubectl {verb} with --dry-run={p.flags['--dry-run'][-1] or 'client'} changes nothing", ())]
    return [_write(verb, touches, f"kubectl {verb} changes the cluster")] + _cred_deny(creds)


def _cred_deny(creds: list[str]) -> list[Finding]:
    if not creds:
        return []
    return [deny("kubectl", f"flags that switch cluster or identity ({', '.join(creds)}) are refused on writes")]


def _write_touches(verb: str, p: ParsedArgs, ns: str, ctx: Ctx, explicit_ns: bool) -> list[Touch]:
    if verb == "create":
        sub = _sub(p)
        if p.has("-f", "--filename", "-k", "--kustomize") or sub is None:
            return _file_touches(p, "create", ns, ctx, explicit_ns) or [Touch("create", UNKNOWN, UNKNOWN, UNKNOWN)]
        res = canonical_resource(sub)
        rest = p.positionals[1:]
        if res in ("secrets", "services") and rest and rest[0] in ("generic", "tls", "docker-registry", "clusterip", "nodeport", "loadbalancer", "externalname"):
            rest = rest[1:]
        name = rest[0] if rest and not isinstance(rest[0], Opaque) else UNKNOWN
        if res == "namespaces":
            return [Touch("create", res, None, name)]
        return [Touch("create", res, _ns_for(res, ns), name)]
    if verb == "apply":
        sub = _sub(p)
        if sub in ("view-last-applied",):
            return []
        # apply creates what is missing and patches what exists: RBAC needs both
        touches = _file_touches(p, "patch", ns, ctx, explicit_ns) or [Touch("patch", UNKNOWN, UNKNOWN, UNKNOWN)]
        return [Touch(v, t.resource, t.namespace, t.name) for t in touches for v in ("create", "patch")]
    if verb in ("delete", "patch", "replace", "edit", "label", "annotate"):
        v = {"delete": "delete", "patch": "patch", "replace": "update", "edit": "update", "label": "patch", "annotate": "patch"}[verb]
        out = _target_touches(p, v, ns, skip_kv=verb in ("label", "annotate")) + _file_touches(p, v, ns, ctx, explicit_ns)
        if verb == "replace" and p.has("--force"):
            out += [Touch("delete", t.resource, t.namespace, t.name) for t in out]
        return out or [Touch(v, UNKNOWN, UNKNOWN, UNKNOWN)]
    if verb == "scale":
        out = [Touch("patch", t.resource + "/scale" if t.resource != UNKNOWN else UNKNOWN, t.namespace, t.name) for t in _target_touches(p, "patch", ns) + _file_touches(p, "patch", ns, ctx, explicit_ns)]
        return out or [Touch("patch", UNKNOWN, UNKNOWN, UNKNOWN)]
    if verb == "set":
        p.positionals = p.positionals[1:]
        return _target_touches(p, "patch", ns, skip_kv=True) + _file_touches(p, "patch", ns, ctx, explicit_ns) or [Touch("patch", UNKNOWN, ns, UNKNOWN)]
    if verb == "autoscale":
        return [Touch("create", "horizontalpodautoscalers", ns, t.name) for t in _target_touches(p, "create", ns)] or [Touch("create", "horizontalpodautoscalers", ns, UNKNOWN)]
    if verb == "expose":
        name = p.last("--name")
        return [Touch("create", "services", ns, name if isinstance(name, str) and not isinstance(name, Opaque) else UNKNOWN)]
    if verb == "run":
        name = _sub(p) or UNKNOWN
        return [Touch("create", "pods", ns, name)] + ([Touch("create", "pods/attach", ns, name)] if p.has("-i", "--stdin", "--attach", "-t", "--tty") else [])
    if verb in ("cordon", "uncordon", "drain", "taint"):
        pos = p.positionals[1:] if verb == "taint" and _sub(p) in ("node", "nodes", "no") else p.positionals
        name = pos[0] if pos and not isinstance(pos[0], Opaque) else UNKNOWN
        out = [Touch("patch", "nodes", None, name)]
        return out + ([Touch("create", "pods/eviction", "*", "*")] if verb == "drain" else [])
    if verb == "cp":
        out = []
        for a in p.positionals:
            if isinstance(a, Opaque):
                out.append(Touch("create", "pods/exec", ns, UNKNOWN))
            elif ":" in a:
                pod = a.split(":", 1)[0]
                pns, _, pname = pod.rpartition("/")
                out.append(Touch("create", "pods/exec", pns or ns, pname))
            else:
                out.append(Touch("write", "localfile", None, a))
        return out or [Touch("create", "pods/exec", ns, UNKNOWN)]
    if verb == "attach":
        return [Touch("create", "pods/attach", ns, _sub(p) or UNKNOWN)]
    if verb == "port-forward":
        return [Touch("create", "pods/portforward", ns, _sub(p) or UNKNOWN)]
    if verb == "proxy":
        return [Touch("proxy", "*", "*", "*")]
    if verb == "debug":
        return [Touch("create", "pods/ephemeralcontainers", ns, _sub(p) or UNKNOWN), Touch("create", "pods", ns, UNKNOWN)]
    if verb == "certificate":
        return [Touch("update", "certificatesigningrequests/approval", None, a) for a in p.positionals[1:] if not isinstance(a, Opaque)] or [Touch("update", "certificatesigningrequests/approval", None, UNKNOWN)]
    return [Touch(verb, UNKNOWN, UNKNOWN, UNKNOWN)]
