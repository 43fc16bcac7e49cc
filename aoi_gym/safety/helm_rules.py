"""Classify one helm invocation: list/status/get/history/show/search/template/lint/version are reads,
install/upgrade/uninstall/rollback/test are writes on a release (``helmreleases`` in its namespace),
repo/pull/package/plugin/registry changes are local writes. ``--dry-run`` (bare, ``=client``,
``=server`` or ``=true``, with no expansion that could add a later override) makes a release write
a read on install, upgrade, rollback and uninstall, which the simulated helm honours
(:mod:`aoi_gym.shell.helm`); ``--post-renderer`` (runs a program) and unknown flags on writes are denied.
"""

from __future__ import annotations

from aoi_gym.safety.shellwalk import Ctx, deny
from aoi_gym.safety.verdicts import UNKNOWN, Finding, Opaque, Touch, Verdict

__all__ = ["classify_helm", "HELM_READ", "HELM_RELEASE_WRITES"]

_GLOBAL_VALUE = frozenset("-n --namespace --kube-context --kubeconfig --kube-apiserver --kube-as-user --kube-as-group --kube-ca-file --kube-token --registry-config --repository-cache --repository-config --burst-limit --qps --kube-tls-server-name".split())
_GLOBAL_BOOL = frozenset("--debug --kube-insecure-skip-tls-verify -h --help".split())
_VALUE = frozenset("-f --values --set --set-string --set-file --set-json --set-literal --version -o --output --revision --timeout --max --description --repo --username --password --ca-file --cert-file --key-file --keyring --history-max --name-template --filter -l --selector --offset --template -s --show-only --api-versions --kube-version --output-dir --release-name --labels --wait-for-jobs --cascade --deletion-propagation".split())
_BOOL = frozenset("--devel --wait --atomic -i --install --reuse-values --reset-values --reset-then-reuse-values --force --create-namespace --cleanup-on-fail --no-hooks --skip-crds --dependency-update --all -a --all-namespaces -A --short -d --date -r --reverse -m --max-col-width --deployed --failed --pending --superseded --uninstalled --uninstalling -q --short --keep-history --disable-openapi-validation --render-subchart-notes --generate-name -g --verify --insecure-skip-tls-verify --plain-http --pass-credentials --include-crds --validate --is-upgrade --hide-notes --hide-secret --no-headers --time-format --logs --enable-dns --take-ownership --rollback-on-failure --server-side --force-conflicts --skip-schema-validation".split())
_OPTIONAL = frozenset({"--dry-run"})

HELM_READ = frozenset("list ls status get history hist show inspect search version env template lint verify completion help".split())
HELM_RELEASE_WRITES = {"install": "create", "upgrade": "update", "uninstall": "delete", "un": "delete", "del": "delete", "delete": "delete", "rollback": "update", "test": "create"}
_DRY_RUN_SUBCOMMANDS = frozenset({"install", "upgrade", "rollback", "uninstall", "un", "del", "delete"})
_LOCAL_WRITES = frozenset("repo pull fetch package create push registry plugin dependency dep".split())


def classify_helm(argv: list, ctx: Ctx) -> list[Finding]:
    ns: object = None
    flags: dict[str, list] = {}
    positionals: list = []
    unknown: list[str] = []
    loose = False
    i = 1
    while i < len(argv):
        a = argv[i]
        if isinstance(a, Opaque):
            if not positionals:
                return [deny("helm", "an argument before the helm subcommand is an expansion")]
            loose = True
            positionals.append(a)
        elif a == "--":
            positionals.extend(argv[i + 1 :])
            break
        elif a.startswith("-") and a != "-":
            name, eq, val = a.partition("=")
            if not name.startswith("--") and len(a) > 2 and a[:2] in ("-n", "-f", "-o", "-l", "-s"):
                name, eq, val = a[:2], "=", a[2:].lstrip("=")
            if name == "--post-renderer":
                return [deny("helm", "helm --post-renderer runs a program that cannot be inspected")]
            if name in _GLOBAL_VALUE or name in _VALUE:
                if not eq:
                    if i + 1 >= len(argv):
                        return [deny("helm", f"helm flag {name} needs a value")]
                    val = argv[i + 1]
                    i += 1
                flags.setdefault(name, []).append(val)
            elif name in _GLOBAL_BOOL or name in _BOOL or name in _OPTIONAL:
                flags.setdefault(name, []).append(val if eq else None)
            else:
                if not positionals:
                    return [deny("helm", f"helm flag {name} before the subcommand is not understood")]
                unknown.append(name)
        else:
            positionals.append(a)
        i += 1
    if not positionals:
        return [Finding(Verdict.READ, "helm", "helm without a subcommand prints help")]
    sub = positionals[0]
    nsv = (flags.get("-n") or flags.get("--namespace") or [None])[-1]
    ns = UNKNOWN if isinstance(nsv, Opaque) or (loose and nsv is None) else (nsv or ctx.namespace)
    if flags.get("-A") or flags.get("--all-namespaces"):
        ns = "*"
    if sub in HELM_READ:
        if sub in ("repo", "plugin", "dependency", "dep") and (len(positionals) < 2 or positionals[1] not in ("list", "ls")):
            pass
        else:
            rel = positionals[1] if len(positionals) > 1 and not isinstance(positionals[1], Opaque) else None
            return [Finding(Verdict.READ, "helm", f"helm {sub} reads", (Touch("get", "helmreleases", ns, rel),))]
    if sub in ("repo", "plugin", "dependency", "dep") and len(positionals) > 1 and positionals[1] in ("list", "ls"):
        return [Finding(Verdict.READ, "helm", f"helm {sub} list reads")]
    if sub in HELM_RELEASE_WRITES:
        if unknown:
            return [deny("helm", f"helm flags not understood on a write: {', '.join(unknown)}")]
        dry = flags.get("--dry-run")
        # the simulated helm (aoi_gym.shell.helm) honours exactly these values on these subcommands
        if sub in _DRY_RUN_SUBCOMMANDS and dry and not loose and dry[-1] in (None, "client", "server", "true"):
            return [Finding(Verdict.READ, "helm", f"helm {sub} --dry-run changes nothing")]
        rel = positionals[1] if len(positionals) > 1 and not isinstance(positionals[1], Opaque) else UNKNOWN
        if flags.get("-g") or flags.get("--generate-name"):
            rel = "*"
        verb = HELM_RELEASE_WRITES[sub]
        touches = [Touch(verb, "helmreleases", ns, rel)]
        if flags.get("--create-namespace"):
            touches.append(Touch("create", "namespaces", None, ns if isinstance(ns, str) else UNKNOWN))
        return [Finding(Verdict.WRITE, "helm", f"helm {sub} changes release {rel} in namespace {ns}", tuple(touches))]
    if sub in _LOCAL_WRITES:
        return [Finding(Verdict.WRITE, "helm", f"helm {sub} changes local helm files", (Touch("write", "localfile", None, f"helm:{sub}"),))]
    return [deny("helm", f"helm subcommand {sub!r} is not known to the safety layer")]
