"""ScriptedExpert: a rule-based SRE that diagnoses from observations only (the teacher for distillation).

It plays the env like any agent: it reads the task prompt, runs the commands an on-call engineer would
run, reads their output, and submits. It never sees the problem object, the grader or ``info``, and
imports nothing from ``aoi_gym.problems``, ``aoi_gym.faults`` or ``aoi_gym.cluster``.

The playbook, in the order an SRE works through it:

1. ``kubectl get pods`` and ``kubectl get deployments``: a workload scaled to zero; pods not ready.
2. For a bad pod (Pending first, then image/config errors, then crash loops): ``kubectl describe pod``
   (events: scheduling, image pulls, missing ConfigMap keys, OOM kills, failing probes), then its logs
   (database authorization errors, names that do not resolve), then its Deployment's image.
3. With every pod healthy: Services against their pods (targetPort vs containerPort, selectors with no
   endpoints), what each Deployment runs (command, arguments such as a TLS requirement no client
   speaks), the feature-flag configuration, and traces.
4. Still nothing: capacity. An autoscaler pinned at its ``maxReplicas`` with CPU far over target; a CPU
   limit of a few millicores (the CFS quota throttles the process).

For mitigation it applies the fix an engineer would (patch targetPort back, scale up, drop a bad
nodeSelector or probe, restore the image, grant the database role back, raise a memory limit, point an
address back at an existing Service, release stale PersistentVolume claims, recreate a claim on an
existing StorageClass, raise an HPA's ceiling or a CPU limit), checks the pods, submits.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from aoi_agents.baselines.sre_text import owner_of, parse_env_listing, parse_json, parse_pods, parse_table, sh
from aoi_agents.runtime.taskinfo import parse_task_prompt

__all__ = ["ScriptedExpert", "Finding"]

VIRT, APP = "Virtualization", "Application"

#: feature flags of the shop whose failure an engineer of this team has seen before -> the service they break
KNOWN_FLAGS = {
    "adFailure": ("ad", "Code Defect"),
    "adHighCpu": ("ad", "Code Defect"),
    "adManualGc": ("ad", "Code Defect"),
    "cartFailure": ("cart", "Code Defect"),
    "paymentFailure": ("payment", "Code Defect"),
    "productCatalogFailure": ("product-catalog", "Code Defect"),
    "recommendationCacheFailure": ("recommendation", "Dependency Problem"),
    "loadGeneratorFloodHomepage": ("frontend", "Operation Error"),
}


@dataclass
class Finding:
    """A diagnosis: the faulty ``component`` (None when no single one), the analysis labels, the fix
    (shell commands), and a one-line ``why`` for the trajectory."""

    component: str | None
    system_level: str
    fault_type: str
    fix: list[str] = field(default_factory=list)
    why: str = ""


Play = Generator[str, str, Any]


class ScriptedExpert:
    """The rule-based SRE. ``reset(prompt)`` then ``act(observation)`` once per step.

    Args:
        settle_checks: reads (``kubectl get pods``) after a fix before submitting, to let it roll out.
    """

    name = "expert"

    def __init__(self, settle_checks: int = 1, seed: int | None = None) -> None:
        self.settle_checks = settle_checks
        self.reset("")

    def reset(self, prompt: str) -> None:
        task = parse_task_prompt(prompt)
        self.task, self.ns = task.task_type, task.namespace
        self.finding: Finding | None = None
        self.last_step_meta: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self._cache: dict[str, str] = {}
        self._gen: Play = self._play()
        self._started = False

    def act(self, observation: str) -> str:
        try:
            action = self._gen.send(observation) if self._started else next(self._gen)
        except StopIteration:
            action = self._submit()
        self._started = True
        phase = "action" if "submit(" in action or self._writing else "observation"
        self.last_step_meta = {"role": "expert", "phase": phase}
        return action

    # ------------------------------------------------------------------ episode
    _writing = False

    def _play(self) -> Play:
        self.finding = yield from self._diagnose()
        f = self.finding
        self.events.append({"role": "expert", "phase": "reasoning",
                            "diagnosis": None if f is None else {"component": f.component, "why": f.why}})
        if self.task == "mitigation" and f is not None and f.fix:
            self._writing = True
            for cmd in f.fix:
                yield sh(cmd)
            self._writing = False
            for _ in range(self.settle_checks):
                yield sh(f"kubectl get pods -n {self.ns}")
        yield self._submit()

    def _submit(self) -> str:
        f = self.finding
        if self.task == "detection":
            call = f'submit("{"Yes" if f else "No"}")'
        elif self.task == "localization":
            call = f"submit({json.dumps([f.component] if f and f.component else [])})"
        elif self.task == "analysis":
            call = "submit()" if f is None else "submit(" + json.dumps({"system_level": f.system_level, "fault_type": f.fault_type}) + ")"
        else:
            call = "submit()"
        return "```\n" + call + "\n```"

    def _read(self, command: str) -> Play:
        """Run a read once per episode (later uses come from memory)."""
        if command not in self._cache:
            self._cache[command] = yield sh(command)
        return self._cache[command]

    # ------------------------------------------------------------------ diagnosis
    def _diagnose(self) -> Play:
        ns = self.ns
        pods = parse_pods((yield from self._read(f"kubectl get pods -n {ns}")))
        deploy_rows = parse_table((yield from self._read(f"kubectl get deployments -n {ns}")))
        deploys = [r["NAME"] for r in deploy_rows]
        for r in deploy_rows:
            if r.get("READY", "").endswith("/0"):
                return Finding(r["NAME"], VIRT, "Operation Error",
                               [f"kubectl scale deployment {r['NAME']} -n {ns} --replicas=1"],
                               "the Deployment is scaled to zero replicas")
        bad = sorted((p for p in pods if p.severity > 0), key=lambda p: -p.severity)
        for pod in bad[:3]:
            f = yield from self._explain_pod(pod.name, owner_of(pod.name, deploys), pod.severity)
            if f is not None:
                return f
        f = yield from self._check_wiring(deploys)
        if f is not None:
            return f
        f = yield from self._check_capacity(deploys)
        if f is not None:
            return f
        if bad:  # a pod restarted recently and nothing else explains it: the workload itself was hit
            return Finding(owner_of(bad[0].name, deploys), VIRT, "Operation Error", [], "a pod of it failed recently")
        return None

    def _containers(self, deploy: str) -> Play:
        obj = parse_json((yield from self._read(f"kubectl get deployment {deploy} -n {self.ns} -o json"))) or {}
        return ((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []

    def _explain_pod(self, pod: str, deploy: str, severity: int) -> Play:
        ns = self.ns
        desc = yield from self._read(f"kubectl describe pod {pod} -n {ns}")
        if "FailedScheduling" in desc and "PersistentVolumeClaim" in desc:
            f = yield from self._stale_volumes()
            return f if f.fix else ((yield from self._claim_on_missing_class(deploy)) or f)
        if "FailedScheduling" in desc and re.search(r"node affinity/selector|didn't match Pod's node", desc):
            return Finding(deploy, VIRT, "Dependency Problem",
                           [_json_patch("deployment", deploy, ns, [{"op": "remove", "path": "/spec/template/spec/nodeSelector"}])],
                           "its pod cannot be scheduled: the nodeSelector matches no node")
        m = re.search(r'Failed to pull image "([^"]+)"', desc)
        if m or "ErrImagePull" in desc or "ImagePullBackOff" in desc:
            fix = yield from self._restore_image(deploy)
            return Finding(deploy, VIRT, "Operation Error", fix, "its image cannot be pulled")
        m = re.search(r"couldn't find key (\S+) in ConfigMap", desc)
        if m:
            fix = yield from self._drop_env_ref(deploy, "configMapKeyRef", m.group(1))
            return Finding(deploy, VIRT, "Misconfiguration", fix, f"it reads key {m.group(1)} that its ConfigMap lacks")
        if "OOMKilled" in desc:
            containers = yield from self._containers(deploy)
            name = containers[0]["name"] if containers else deploy
            return Finding(deploy, VIRT, "Misconfiguration",
                           [f"kubectl set resources deployment {deploy} -n {ns} -c {name} --limits=memory=512Mi"],
                           "its container is OOM-killed: the memory limit is below its working set")
        for probe, why in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe")):
            if f"{probe} probe failed" in desc:
                fix = yield from self._drop_probe(deploy, why)
                return Finding(deploy, VIRT, "Misconfiguration", fix, f"its {why} can never pass")
        if severity < 2 or severity == 5:  # a pod that never started has no logs or image behaviour to read
            return None
        logs = yield from self._read(f"kubectl logs {pod} -n {ns} --tail=30")
        m = re.search(r"not authorized on (\S+?)-db\b", logs)
        if m:
            return (yield from self._grant_db_role(m.group(1), deploy))
        m = re.search(r"lookup ([a-z0-9.-]+)(?: on \S+)?: no such host", logs)
        if m:
            return (yield from self._fix_address(deploy, m.group(1)))
        fix = yield from self._restore_image(deploy, only_if_unusual=True)
        if fix:
            return Finding(deploy, APP, "Misconfiguration", fix, "it crashes on an image unlike the release")
        return None

    # ------------------------------------------------------------------ fixes
    def _images(self) -> Play:
        text = yield from self._read(f"kubectl get deployments -n {self.ns} -o custom-columns=NAME:.metadata.name,"
                                     "IMAGE:.spec.template.spec.containers[*].image,CONTAINER:.spec.template.spec.containers[*].name")
        return {r["NAME"]: (r.get("IMAGE", ""), r.get("CONTAINER", "")) for r in parse_table(text)}

    def _restore_image(self, deploy: str, only_if_unusual: bool = False) -> Play:
        images = yield from self._images()
        image, container = images.get(deploy, ("", ""))
        if not image or "," in image:
            return []
        repo, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
        owner = repo.split("/")[0] if "/" in repo else ""
        others = Counter(img for d, (img, _c) in images.items() if d != deploy and "," not in img)
        same_repo = [img for img in others if img.rpartition(":")[0] == repo]
        if same_repo and not only_if_unusual:
            good = max(same_repo, key=lambda i: others[i])
        elif owner and not same_repo:
            kin = [img for img in others if img.split("/")[0] == owner]
            if not kin:
                return []
            good = max(kin, key=lambda i: others[i])
        elif not only_if_unusual:
            good = f"{repo}:latest"
        else:
            return []
        if good == image:
            return []
        return [f"kubectl set image deployment/{deploy} {container}={good} -n {self.ns}"]

    def _drop_env_ref(self, deploy: str, ref_kind: str, key: str) -> Play:
        for ci, c in enumerate((yield from self._containers(deploy))):
            for ei, e in enumerate(c.get("env") or []):
                ref = ((e.get("valueFrom") or {}).get(ref_kind) or {})
                if ref.get("key") == key:
                    return [_json_patch("deployment", deploy, self.ns, [{"op": "remove", "path": f"/spec/template/spec/containers/{ci}/env/{ei}"}])]
        return []

    def _drop_probe(self, deploy: str, probe: str) -> Play:
        for ci, c in enumerate((yield from self._containers(deploy))):
            if probe in c:
                return [_json_patch("deployment", deploy, self.ns, [{"op": "remove", "path": f"/spec/template/spec/containers/{ci}/{probe}"}])]
        return []

    def _stale_volumes(self) -> Play:
        pvs = parse_table((yield from self._read("kubectl get pv")))
        stale = [r["NAME"] for r in pvs if r.get("STATUS") == "Released" and r.get("CLAIM", "").startswith(self.ns + "/")]
        fix = [_json_patch("pv", name, None, [{"op": "remove", "path": "/spec/claimRef"}]) for name in stale]
        return Finding(None, VIRT, "Operation Error", fix,
                       "claims stay Pending: their volumes are Released with a stale claimRef after a redeploy")

    def _claim_on_missing_class(self, deploy: str) -> Play:
        """A Pending claim whose StorageClass the cluster does not have: recreate it on the default class."""
        classes = parse_table((yield from self._read("kubectl get storageclass")))
        names = {r["NAME"].split()[0] for r in classes}
        names |= {r.get("STORAGECLASS", "") for r in parse_table((yield from self._read("kubectl get pv")))}  # static volumes' classes
        default = next((r["NAME"].split()[0] for r in classes if "(default)" in r["NAME"]), "standard")
        for r in parse_table((yield from self._read(f"kubectl get pvc -n {self.ns}"))):
            cls = r.get("STORAGECLASS", "")
            if r.get("STATUS") == "Pending" and cls and cls not in names:
                claim = parse_json((yield from self._read(f"kubectl get pvc {r['NAME']} -n {self.ns} -o json"))) or {}
                spec = claim.get("spec") or {}
                size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
                modes = ", ".join(spec.get("accessModes") or ["ReadWriteOnce"])
                manifest = (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {r['NAME']}\n  namespace: {self.ns}\n"
                            f"spec:\n  accessModes: [{modes}]\n  storageClassName: {default}\n"
                            f"  resources:\n    requests:\n      storage: {size}\n")
                return Finding(deploy, VIRT, "Misconfiguration", [
                    f"kubectl delete pvc {r['NAME']} -n {self.ns} --wait=false",
                    f"cat <<EOF | kubectl apply -f -\n{manifest}EOF",
                ], f"its claim {r['NAME']} asks for StorageClass {cls}, which this cluster does not have")
        return None

    def _grant_db_role(self, db_prefix: str, deploy: str) -> Play:
        ns, store = self.ns, f"mongodb-{db_prefix}"
        script = yield from self._read(f"kubectl get configmap mongo-{db_prefix}-script -n {ns} -o yaml")
        val = {k: v for k, v in re.findall(r'(\w+)="([^"]*)"', script)}
        admin, pwd, user = val.get("ADMIN_USER", "root"), val.get("ADMIN_PWD", "root"), val.get("APP_USER", "admin")
        db = val.get("TARGET_DB", f"{db_prefix}-db")
        js = f"db.grantRolesToUser('{user}', [{{role: 'readWrite', db: '{db}'}}]);"
        return Finding(store, APP, "Authentication Issue", [
            f"kubectl exec deploy/{store} -n {ns} -- mongo admin -u {admin} -p {pwd} --authenticationDatabase admin --quiet --eval {shlex.quote(js)}",
            f"kubectl rollout restart deployment {deploy} -n {ns}",
        ], f"{deploy} is not authorized on {db}: user {user} lost its role")

    def _fix_address(self, deploy: str, host: str) -> Play:
        ns = self.ns
        svcs = [r["NAME"] for r in parse_table((yield from self._read(f"kubectl get services -n {ns}")))]
        env_vars = parse_env_listing((yield from self._read(
            f"kubectl get deployments -n {ns} -o jsonpath='{{range .items[*]}}{{.metadata.name}}{{\"\\t\"}}"
            f"{{range .spec.template.spec.containers[*].env[*]}}{{.name}}={{.value}} {{end}}{{\"\\n\"}}{{end}}'")))
        for var, value in (env_vars.get(deploy) or {}).items():
            h, _, port = value.partition(":")
            if h == host:
                close = difflib.get_close_matches(host, svcs, n=1, cutoff=0.3)
                if close:
                    new = close[0] + (":" + port if port else "")
                    return Finding(deploy, APP, "Misconfiguration", [f"kubectl set env deployment/{deploy} -n {ns} {var}={new}"],
                                   f"{var} points at {host}, which does not exist")
        return None

    # ------------------------------------------------------------------ healthy pods
    def _check_wiring(self, deploys: list[str]) -> Play:
        ns = self.ns
        svc_rows = parse_table((yield from self._read(
            f"kubectl get services -n {ns} -o custom-columns=NAME:.metadata.name,TARGET:.spec.ports[*].targetPort,SELECTOR:.spec.selector")))
        dep_rows = parse_table((yield from self._read(
            f"kubectl get deployments -n {ns} -o custom-columns=NAME:.metadata.name,PORTS:.spec.template.spec.containers[*].ports[*].containerPort,"
            "CMD:.spec.template.spec.containers[*].command,ARGS:.spec.template.spec.containers[*].args")))
        dep = {r["NAME"]: r for r in dep_rows}
        for s in svc_rows:
            d = dep.get(s["NAME"])
            if not d or not s.get("TARGET") or d.get("PORTS") in (None, "", "<none>"):
                continue
            targets, ports = s["TARGET"].split(","), set(d["PORTS"].split(","))
            if len(ports) == 1:
                for i, t in enumerate(targets):
                    if t.isdigit() and t not in ports:
                        good = int(next(iter(ports)))
                        return Finding(s["NAME"], VIRT, "Misconfiguration",
                                       [_json_patch("service", s["NAME"], ns, [{"op": "replace", "path": f"/spec/ports/{i}/targetPort", "value": good}])],
                                       f"the Service targets port {t}; its pods listen on {good}")
        eps = parse_table((yield from self._read(f"kubectl get endpoints -n {ns}")))
        for e in eps:
            if e.get("ENDPOINTS") == "<none>" and e["NAME"] in dep:
                labels = parse_json((yield from self._read(f"kubectl get deployment {e['NAME']} -n {ns} -o jsonpath={{.spec.selector.matchLabels}}")))
                if isinstance(labels, dict) and labels:
                    return Finding(e["NAME"], VIRT, "Operation Error",
                                   [_json_patch("service", e["NAME"], ns, [{"op": "replace", "path": "/spec/selector", "value": labels}])],
                                   "the Service selects no pod: its selector matches none of its Deployment's pods")
        names = {_norm(n): n for n in dep}
        for name, d in dep.items():
            cmd = d.get("CMD", "")
            m = re.fullmatch(r"\[(\S+)\]", cmd)
            if m and _norm(m.group(1)) != _norm(name) and _norm(m.group(1)) in names:
                ci = 0
                return Finding(name, APP, "Network/Storage Issue",
                               [_json_patch("deployment", name, ns, [{"op": "replace", "path": f"/spec/template/spec/containers/{ci}/command", "value": [name]}])],
                               f"it runs the {m.group(1)} binary instead of its own")
        for name, d in dep.items():
            if "requireTLS" in d.get("ARGS", ""):
                clients = yield from self._callers(name)
                return Finding(name, APP, "Misconfiguration",
                               [_json_patch("deployment", name, ns, [{"op": "remove", "path": "/spec/template/spec/containers/0/args"}])]
                               + [f"kubectl rollout restart deployment {c} -n {ns}" for c in clients],
                               "the database requires TLS, which its clients do not speak")
        if "flagd" in dep:
            f = yield from self._check_flags()
            if f is not None:
                return f
        return None

    # ------------------------------------------------------------------ capacity
    def _check_capacity(self, deploys: list[str]) -> Play:
        """Healthy, correctly wired pods that are slow: an autoscaler at its ceiling, or a CPU limit that
        throttles the process (a limit of a few millicores)."""
        ns = self.ns
        for r in parse_table((yield from self._read(f"kubectl get hpa -n {ns}"))):
            m = re.search(r"(\d+)%/(\d+)%", r.get("TARGETS", ""))
            ref = r.get("REFERENCE", "").rpartition("/")[2]
            if not m or not ref or r.get("REPLICAS") != r.get("MAXPODS"):
                continue
            current, target = int(m.group(1)), max(1, int(m.group(2)))
            replicas = int(r.get("REPLICAS") or 1)
            if current > target * 1.1:
                need = -(-replicas * current // target)
                patch = json.dumps({"spec": {"maxReplicas": max(10, 2 * need)}})
                return Finding(ref, VIRT, "Misconfiguration",
                               [f"kubectl patch hpa {r['NAME']} -n {ns} --type=merge -p {shlex.quote(patch)}"],
                               f"its HPA sits at maxReplicas={r.get('MAXPODS')} with CPU at {current}% of a {target}% target")
        rows = parse_table((yield from self._read(
            f"kubectl get deployments -n {ns} -o custom-columns=NAME:.metadata.name,CONTAINER:.spec.template.spec.containers[0].name,"
            "CPU_LIMIT:.spec.template.spec.containers[0].resources.limits.cpu,CPU_REQUEST:.spec.template.spec.containers[0].resources.requests.cpu")))
        for r in rows:
            limit = _cores(r.get("CPU_LIMIT", ""))
            if limit is not None and limit < 0.05:
                cmd = f"kubectl set resources deployment {r['NAME']} -n {ns} -c {r['CONTAINER']} --limits=cpu=1"
                if _cores(r.get("CPU_REQUEST", "")) is not None:
                    cmd += " --requests=cpu=100m"
                return Finding(r["NAME"], VIRT, "Misconfiguration", [cmd],
                               f"its CPU limit is {r['CPU_LIMIT']}: the CFS quota throttles it and everything that calls it slows down")
        return None

    def _callers(self, target: str) -> Play:
        traces = yield from self._read(f'get_traces("{self.ns}", 5)')
        return sorted({r["SERVICE"] for r in parse_table(traces[traces.find("SERVICE"):] if "SERVICE" in traces else "")
                       if r.get("OPERATION", "").endswith(" " + target) and r.get("SERVICE") != target})

    def _check_flags(self) -> Play:
        raw = yield from self._read(f"kubectl get configmap flagd-config -n {self.ns} -o json | jq -r '.data[\"demo.flagd.json\"]'")
        doc = parse_json(raw)
        flags = (doc or {}).get("flags") or {}
        for flag, (svc, ftype) in KNOWN_FLAGS.items():
            spec = flags.get(flag) or {}
            if spec.get("defaultVariant", "off") != "off":
                fixed = json.loads(json.dumps(doc))
                fixed["flags"][flag]["defaultVariant"] = "off"
                patch = json.dumps({"data": {"demo.flagd.json": json.dumps(fixed, indent=2)}})
                return Finding(svc, APP, ftype, [
                    f"kubectl patch configmap flagd-config -n {self.ns} --type=merge -p {shlex.quote(patch)}",
                    f"kubectl rollout restart deployment flagd -n {self.ns}",
                ], f"feature flag {flag} is on")
        return None


def _cores(q: str) -> float | None:
    """A CPU quantity (``2m``, ``0.5``, ``1``) in cores; None for ``<none>`` or garbage."""
    q = (q or "").strip()
    try:
        return float(q[:-1]) / 1000 if q.endswith("m") else float(q)
    except ValueError:
        return None


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower()).removesuffix("service")


def _json_patch(kind: str, name: str, ns: str | None, ops: list[dict[str, Any]]) -> str:
    where = f" -n {ns}" if ns else ""
    return f"kubectl patch {kind} {name}{where} --type=json -p {shlex.quote(json.dumps(ops))}"
