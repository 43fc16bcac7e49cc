"""A hypothesis grammar of command lines an agent could send: kubectl/helm/curl/exec forms, local
text tools, and every bypass form the classifier must see through (pipelines, lists, $(...),
backticks, sh -c/bash -c, eval, xargs, env/variable prefixes, absolute paths, the k alias, line
continuations, newlines, loops, subshells, heredoc manifests), composed at random."""

from __future__ import annotations

import shlex

from hypothesis import strategies as st

APPS_NS = ("test-hotel-reservation", "test-social-network", "astronomy-shop")
NAMES = (
    "geo", "frontend", "rate", "profile", "search", "user", "reservation", "recommendation", "mongodb-geo",
    "mongodb-rate", "memcached-rate", "consul", "jaeger", "compose-post-service", "home-timeline-service",
    "user-service", "nginx-thrift", "media-mongodb", "cart", "checkout", "ad", "payment", "product-catalog",
    "valkey-cart", "kafka", "x", "nonexistent",
)
NS_FLAGS = ("", "-n test-hotel-reservation", "-n test-social-network", "-n astronomy-shop", "-n default", "-n kube-system", "-A", "--namespace=test-hotel-reservation", "-ntest-social-network")
RESOURCES = ("pods", "po", "deploy", "deployments", "svc", "services", "configmaps", "cm", "secrets", "pvc", "ns", "nodes", "rs", "statefulsets", "endpoints", "events", "all", "deployment.apps", "podchaos", "networkchaos")
DRY = ("", "", "--dry-run=client", "--dry-run=server", "--dry-run=none", "--dry-run", "--dry-run=client -o yaml")

name = st.sampled_from(NAMES)
ns_flag = st.sampled_from(NS_FLAGS)
resource = st.sampled_from(RESOURCES)
dry = st.sampled_from(DRY)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


read_kubectl = st.one_of(
    st.builds(lambda r, n, ns, o: _join("kubectl get", r, n, ns, o), resource, st.sampled_from(("",) + NAMES[:6]), ns_flag, st.sampled_from(("", "-o yaml", "-o json", "-o wide", "-o name", "--show-labels", "-l app=geo", "--no-headers"))),
    st.builds(lambda r, n, ns: _join("kubectl describe", r, n, ns), resource, name, ns_flag),
    st.builds(lambda n, ns, f: _join("kubectl logs", f"deploy/{n}", ns, f), name, ns_flag, st.sampled_from(("", "--tail=5", "-p", "--previous", "--since=5m", "--all-containers"))),
    st.builds(lambda ns: _join("kubectl top pods", ns), ns_flag),
    st.sampled_from(("kubectl version", "kubectl api-resources", "kubectl config view", "kubectl auth can-i delete pods", "kubectl get --raw /api/v1/namespaces", "kubectl explain pods", "kubectl cluster-info", "kubectl get events -A --sort-by=.lastTimestamp")),
    st.builds(lambda n, ns, v: _join("kubectl rollout", v, f"deploy/{n}", ns), name, ns_flag, st.sampled_from(("status", "history"))),
)

write_kubectl = st.one_of(
    st.builds(lambda r, n, ns, d, f: _join("kubectl delete", r, n, ns, d, f), resource, name, ns_flag, dry, st.sampled_from(("", "--force --grace-period=0", "--all", "--wait=false"))),
    st.builds(lambda n, k, ns, d: _join("kubectl scale", f"deploy/{n}", f"--replicas={k}", ns, d), name, st.integers(0, 3), ns_flag, dry),
    st.builds(lambda n, ns, d, p: _join("kubectl patch", "deploy", n, ns, "-p", shlex.quote(p), d), name, ns_flag, dry, st.sampled_from(('{"spec":{"replicas":2}}', '{"spec":{"template":{"spec":{"nodeSelector":null}}}}', '{"metadata":{"labels":{"x":"y"}}}'))),
    st.builds(lambda n, ns, d, p: _join("kubectl patch svc", n, ns, "--type merge -p", shlex.quote(p), d), name, ns_flag, dry, st.sampled_from(('{"spec":{"selector":{"app":"x"}}}', '{"spec":{"ports":[{"port":80,"targetPort":81}]}}'))),
    st.builds(lambda n, ns, d: _join("kubectl label pods", "-l", f"app={n}", "evil=1", "--overwrite", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns, d: _join("kubectl annotate deploy", n, "x=y", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns, d: _join("kubectl set image", f"deploy/{n}", f"{n}=busybox:bad", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns, d: _join("kubectl set env", f"deploy/{n}", "FOO=bar", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns, v, d: _join("kubectl rollout", v, f"deploy/{n}", ns, d), name, ns_flag, st.sampled_from(("restart", "undo", "pause", "resume")), dry),
    st.builds(lambda n, ns, d: _join("kubectl create configmap", n, "--from-literal=a=b", ns, d), name, ns_flag, dry),
    st.builds(lambda n, d: _join("kubectl create namespace", n, d), name, dry),
    st.builds(lambda n, ns, d: _join("kubectl create deployment", n, "--image=nginx", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns, d: _join("kubectl expose deploy", n, "--port=80", f"--name={n}-x", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns, d: _join("kubectl run", n, "--image=busybox", ns, d), name, ns_flag, dry),
    st.builds(lambda v, d: _join("kubectl", v, "node-1", d), st.sampled_from(("cordon", "uncordon", "drain")), dry),
    st.builds(lambda n, ns, d: f"kubectl apply -f - {ns} {d} <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  a: b\nEOF", name, ns_flag, dry),
    st.builds(lambda n, d: f"cat <<EOF | kubectl apply {d} -f -\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {n}\nEOF", name, dry),
    st.builds(lambda n, ns, d: _join("kubectl autoscale deploy", n, "--max=3", ns, d), name, ns_flag, dry),
    st.builds(lambda n, ns: _join("kubectl cp /etc/hosts", f"{n}:/tmp/x", ns), name, ns_flag),
)

js_read = ("db.getUsers()", "db.getSiblingDB('geo-db').getUsers()", "db.runCommand({connectionStatus: 1})", "show dbs", "db.geo.find().limit(2)")
js_write = ("db.dropDatabase()", "db.dropUser('admin')", "db.createUser({user:'a',pwd:'b',roles:[]})", "db.grantRolesToUser('admin',[{role:'readWrite',db:'geo-db'}])", "db['dropDatabase']()", "db.runCommand({dropDatabase: 1})", "db.revokeRolesFromUser('admin',[{role:'readWrite',db:'geo-db'}])")
in_container = st.one_of(
    st.sampled_from(("cat /etc/hosts", "ls /", "env", "ps aux", "df -h", "printenv", "hostname", "nslookup mongodb-geo", "curl -s http://localhost:8080/", "redis-cli PING", "redis-cli INFO", "redis-cli KEYS '*'", "redis-cli FLUSHALL", "redis-cli SET a b", "rm -rf /data", "kill 1", "touch /tmp/x", "hostname evil", "date -s 2020-01-01", "curl -X POST http://localhost:8080/reset", "sh -c 'cat /etc/hosts | grep a'", "sh -c 'rm -rf /data'")),
    st.builds(lambda p, js: f"{p} --eval {shlex.quote(js)}", st.sampled_from(("mongo", "mongosh", "mongo geo-db", "mongo admin -u admin -p admin")), st.sampled_from(js_read + js_write)),
)
exec_kubectl = st.builds(lambda i, n, ns, c: _join("kubectl exec", i, f"deploy/{n}", ns, "--", c), st.sampled_from(("", "-i", "-it")), name, ns_flag, in_container)

helm = st.one_of(
    st.builds(lambda v, ns: _join("helm", v, ns), st.sampled_from(("list", "list -A", "status hotel-reservation", "history social-network", "get values astronomy-shop")), ns_flag),
    st.builds(lambda v, ns, d: _join("helm", v, ns, d), st.sampled_from(("uninstall hotel-reservation", "upgrade hotel-reservation ./chart", "rollback social-network 1", "install x ./chart", "upgrade social-network ./chart --set a=b")), ns_flag, st.sampled_from(("", "--dry-run"))),
)
curl = st.builds(lambda m, n, ns: _join("curl -s", m, f"http://{n}.{ns}:8080/api"), st.sampled_from(("", "-X POST", "-X DELETE", "-d a=b", "-G -d a=b", "-I", "-X PUT")), name, st.sampled_from(APPS_NS))
local = st.sampled_from(("echo hello", "date", "ls /tmp", "cat /etc/hosts", "true", "pwd", "echo x > /tmp/x", "echo x | tee /tmp/y", "env", "sleep 1", "which kubectl"))

simple = st.one_of(read_kubectl, write_kubectl, exec_kubectl, helm, curl, local)
FILTERS = ("grep a", "wc -l", "head -3", "tail -n 2", "sort", "awk '{print $1}'", "sed -n 1p", "cut -c1-10", "jq .", "uniq")
PREFIXES = ("k ", "/usr/bin/kubectl ", "/usr/local/bin/kubectl ", "env FOO=1 kubectl ", "timeout 5 kubectl ", "command kubectl ", "X=1 kubectl ", "nice kubectl ", "\\kubectl ", "'kubectl' ", "env -i kubectl ")


def _prefix(cmd: str, p: str) -> str:
    return p + cmd[len("kubectl ") :] if cmd.startswith("kubectl ") else cmd


def _continue_line(cmd: str) -> str:
    head, sep, tail = cmd.partition(" ")
    return f"{head} \\\n{tail}" if sep and "<<" not in cmd else cmd


def _xargs(cmd: str, k: int) -> str:
    if "<<" in cmd or not cmd.startswith(("kubectl", "helm", "curl")):
        return cmd
    words = cmd.split(" ")
    return f"echo {' '.join(words[k % len(words):][:1]) or 'x'} | xargs {' '.join(words[: max(1, k % len(words))])}"


def _compose(children):
    two = st.tuples(children, children)
    return st.one_of(
        st.builds(lambda a, f: f"{a} | {f}" if "<<" not in a else a, children, st.sampled_from(FILTERS)),
        st.builds(lambda ab, op: f"{ab[0]}{op}{ab[1]}" if "<<" not in ab[0] else f"{ab[1]}{op}{ab[0]}", two, st.sampled_from(("; ", " && ", " || ", "\n", " & "))),
        st.builds(lambda a: f"echo $({a})", children),
        st.builds(lambda a: f'echo "$({a})"', children),
        st.builds(lambda a: f"echo `{a}`" if "`" not in a else a, children),
        st.builds(lambda a, sh: f"{sh} -c {shlex.quote(a)}", children, st.sampled_from(("sh", "bash", "/bin/sh", "/bin/bash"))),
        st.builds(lambda a: f"eval {shlex.quote(a)}", children),
        st.builds(lambda a: f"( {a} )" if "<<" not in a else a, children),
        st.builds(lambda a: f"{{ {a}; }}" if "<<" not in a else a, children),
        st.builds(lambda a: f"for i in 1 2; do {a}; done" if "<<" not in a else a, children),
        st.builds(lambda a: f"if true; then {a}; fi" if "<<" not in a else a, children),
        st.builds(lambda a, k: _xargs(a, k), children, st.integers(1, 6)),
        st.builds(_prefix, children, st.sampled_from(PREFIXES)),
        st.builds(_continue_line, children),
        st.builds(lambda a: f"X=$({a}) && echo $X" if "<<" not in a else a, children),
    )


command_lines = st.recursive(simple, _compose, max_leaves=4)
api_actions = st.one_of(
    st.builds(lambda c: f"exec_shell({c!r})", command_lines),
    st.builds(lambda ns, n: f"get_logs({ns!r}, {n!r})", st.sampled_from(APPS_NS), name),
    st.builds(lambda ns: f"get_metrics({ns!r}, 5)", st.sampled_from(APPS_NS)),
    st.builds(lambda ns: f"get_traces({ns!r}, 5)", st.sampled_from(APPS_NS)),
    st.sampled_from(('request_phase("action")', 'request_phase("observation")', "not an action")),
)
