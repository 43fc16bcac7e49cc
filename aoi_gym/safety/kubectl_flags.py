"""kubectl's flag tables and argument parser, as the classifier needs them.

What matters for safety is finding the verb and the positionals exactly as kubectl would: a flag
that takes a value swallows the next argument, one that does not leaves it positional. Flags this
table does not know make the classifier deny (fail closed) instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aoi_gym.safety.verdicts import Opaque

__all__ = ["GLOBAL_VALUE", "GLOBAL_BOOL", "CREDENTIAL_FLAGS", "ParsedArgs", "parse_global", "parse_verb_args"]

GLOBAL_VALUE = frozenset(
    "-n --namespace --context --cluster --user --kubeconfig -s --server --token --as --as-group --as-uid "
    "--request-timeout -v --v --vmodule --log-file --log-dir --cache-dir --certificate-authority --client-certificate "
    "--client-key --tls-server-name --password --username --profile --profile-output --log-flush-frequency".split()
)
GLOBAL_BOOL = frozenset(
    "--insecure-skip-tls-verify --match-server-version --disable-compression --warnings-as-errors -h --help "
    "--alsologtostderr --logtostderr".split()
)
#: flags that change which cluster or identity kubectl talks to: refused on writes
CREDENTIAL_FLAGS = frozenset(
    "--context --cluster --user --kubeconfig -s --server --token --as --as-group --as-uid --certificate-authority "
    "--client-certificate --client-key --insecure-skip-tls-verify --password --username --tls-server-name".split()
)

_VALUE = frozenset(
    "-o --output -l --selector --field-selector -f --filename -k --kustomize -c --container --sort-by --template "
    "-L --label-columns --tail --since --since-time --limit-bytes --timeout --chunk-size --type -p --patch --patch-file "
    "--replicas --current-replicas --resource-version --image --port --target-port --protocol --name --env -e "
    "--labels --overrides --restart --grace-period --field-manager --prune-allowlist --for --max-log-requests "
    "--pod-running-timeout --subresource --min --max --cpu-percent --containers --requests --limits --from "
    "--from-literal --from-file --from-env-file --docker-server --docker-username --docker-password --docker-email "
    "--schedule --serviceaccount --clusterrole --role --verb --resource --group --image-pull-policy --hostport "
    "--target --profile --copy-to --address --api-prefix --www --www-prefix --accept-hosts --accept-paths "
    "--reject-paths --reject-methods --raw --to-revision --revision --retries --skip-wait-for-delete-timeout "
    "--output-directory --namespaces --api-group --verbs --api-version --cert --key --external-ip --load-balancer-ip "
    "--session-affinity --cluster-ip --selector --generator --attach-timeout --unix-socket --keepalive "
    "--disable-filter --append-hash --tcp --default-container --node-name --custom-columns --show-managed-fields "
    "--duration --audience --bound-object-kind --bound-object-name --bound-object-uid --set-image --env-from --aggregation-rule "
    "--non-resource-url --resource-name --description --hard --scopes --min-available --max-unavailable --value "
    "--class --rule --annotation --default-backend --secret --key-file --password-file".split()
)
# flags whose value must be attached with '=' (cobra NoOptDefVal): bare they are booleans
_OPTIONAL_VALUE = frozenset("--dry-run --cascade --validate --namespaced --wait --all-containers --show-kind --force".split())
_BOOL = frozenset(
    "-A --all-namespaces -w --watch --watch-only --show-labels --no-headers --ignore-not-found --now --overwrite "
    "--local --save-config -R --recursive --previous --timestamps --prefix --ignore-errors --follow --use-protocol-buffers "
    "--no-preserve --delete-emptydir-data --ignore-daemonsets --disable-eviction --cached --list --short --client "
    "--minify --flatten --server-side --force-conflicts --prune --record --all -i --stdin -t --tty -q --quiet --rm "
    "--expose --command --share-processes --attach --output-watch-events --insecure-skip-tls-verify-backend "
    "--keep-annotations --only-print --allow-missing-template-keys --sort --exit-code --no-trunc --resolve "
    "--disable-compression --subresource-status --force-replace --show-events --privileged --server-print "
    "--include-uninitialized --openapi-patch --enable-helm --save-config=true".split()
)
_LOGS_BOOL = frozenset({"-f", "-p"})  # kubectl logs: -f is --follow, -p is --previous


@dataclass
class ParsedArgs:
    """Flags (name -> values, None for a bare flag), positionals, the args after ``--``, and
    whether an expansion sits where a flag could be (``loose``; ``loose_many`` if it may split)."""

    flags: dict[str, list] = field(default_factory=dict)
    positionals: list = field(default_factory=list)
    dash: list | None = None
    loose: bool = False
    loose_many: bool = False
    error: str | None = None

    def last(self, *names: str):
        for n in names:
            if n in self.flags and self.flags[n]:
                return self.flags[n][-1]
        return None

    def has(self, *names: str) -> bool:
        flags = self.flags
        if flags:
            for n in names:
                if n in flags:
                    return True
        return False


def _value_flag(name: str, verb: str) -> bool | None:
    """True: takes a value; False: boolean; None: unknown to us."""
    if verb == "logs" and name in _LOGS_BOOL:
        return False
    if (verb == "config" and name == "--raw") or (verb == "top" and name == "--containers"):
        return False
    if name == "-p" and verb not in ("patch", "proxy", "exec"):
        return None
    if name in GLOBAL_VALUE or name in _VALUE:
        return True
    if name in GLOBAL_BOOL or name in _BOOL or name in _OPTIONAL_VALUE:
        return False
    return None


def _add(p: ParsedArgs, name: str, value) -> None:
    p.flags.setdefault(name, []).append(value)


def parse_verb_args(args: list, verb: str) -> ParsedArgs:
    """Parse what follows the verb (flags may be interleaved with positionals, as cobra allows)."""
    p = ParsedArgs()
    i, n = 0, len(args)
    while i < n:
        a = args[i]
        if isinstance(a, Opaque):
            p.loose = True
            p.loose_many |= a.many
            p.positionals.append(a)
            i += 1
            continue
        if a == "--":
            p.dash = list(args[i + 1 :])
            break
        if a.startswith("--") and len(a) > 2:
            name, _, val = a.partition("=")
            kind = _value_flag(name, verb)
            if kind is None:
                p.error = f"kubectl flag {name} is not understood"
                return p
            if "=" in a:
                _add(p, name, val)
            elif kind:
                if i + 1 >= n:
                    p.error = f"kubectl flag {name} needs a value"
                    return p
                _add(p, name, args[i + 1])
                i += 1
            else:
                _add(p, name, None)
        elif a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                name = "-" + a[j]
                kind = _value_flag(name, verb)
                if kind is None:
                    p.error = f"kubectl flag {name} (in {a}) is not understood"
                    return p
                if kind:
                    rest = a[j + 1 :]
                    if rest.startswith("="):
                        rest = rest[1:]
                    if rest:
                        _add(p, name, rest)
                    elif i + 1 < n:
                        _add(p, name, args[i + 1])
                        i += 1
                    else:
                        p.error = f"kubectl flag {name} needs a value"
                        return p
                    break
                _add(p, name, None)
                j += 1
        else:
            p.positionals.append(a)
        i += 1
    return p


def parse_global(args: list) -> tuple[int, ParsedArgs]:
    """Parse the global flags before the verb: (index of the verb or len(args), parsed flags).
    Any expansion or unknown flag before the verb is an error (we would not know the verb)."""
    p = ParsedArgs()
    i, n = 1, len(args)
    while i < n:
        a = args[i]
        if isinstance(a, Opaque):
            p.error = "an argument before the kubectl verb is an expansion: the verb cannot be known"
            return i, p
        if a == "--":
            p.error = "'--' before the kubectl verb"
            return i, p
        if not a.startswith("-") or a == "-":
            return i, p
        name, eq, val = a.partition("=")
        if name.startswith("--"):
            pass
        elif len(a) > 2 and a[:2] in GLOBAL_VALUE:
            name, eq, val = a[:2], "=", a[2:].lstrip("=")
        if name in GLOBAL_VALUE:
            if eq:
                _add(p, name, val)
            elif i + 1 < n and not isinstance(args[i + 1], Opaque):
                _add(p, name, args[i + 1])
                i += 1
            else:
                p.error = f"the value of kubectl flag {name} is missing or an expansion"
                return i, p
        elif name in GLOBAL_BOOL:
            _add(p, name, None)
        else:
            p.error = f"kubectl flag {a} before the verb is not understood"
            return i, p
        i += 1
    return i, p
