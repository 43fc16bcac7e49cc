"""``auth_miss_mongodb`` (AIOpsLab): SocialNetwork's url-shorten-mongodb switched to ``requireTLS``.

AIOpsLab runs ``helm upgrade social-network --set url-shorten-mongodb.tls.mode=requireTLS,...`` and
restarts the pods; clients that do not speak TLS (url-shorten-service) can no longer connect. Here the
same upgrade is applied: the release's values get the TLS settings, the chart is re-rendered, the
url-shorten-mongodb Deployment is replaced by the rendered one and a new release revision is recorded
(so ``helm get values`` / ``helm history`` tell the story); then url-shorten-service's pods are deleted
and url-shorten-mongodb is restarted. Recovery upgrades again with ``tls.mode=disabled``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from aoi_gym.faults import ops
from aoi_gym.faults.base import Fault, register

__all__ = ["AuthMissMongodb"]

TLS_ON = {"mode": "requireTLS", "certificateKeyFile": "/etc/tls/tls.pem", "CAFile": "/etc/tls/ca.crt"}
TLS_OFF = {"mode": "disabled"}


def _helm_upgrade(cluster: Any, app_name: str, component: str, tls: dict[str, Any]) -> None:
    """Re-render ``component`` with new TLS values and record a new release revision (a helm upgrade)."""
    from aoi_gym.apps import get_app
    from aoi_gym.apps.helm import read_release, release_secret

    app = get_app(app_name)
    release = read_release(cluster, app.namespace, app.helm_release) or {"values": {}, "revision": 1}
    values = json.loads(json.dumps(release.get("values") or {}))
    values.setdefault(component, {})["tls"] = dict(tls)
    rendered = [o for o in app.render_values(values)
                if o["kind"] == "Deployment" and o["metadata"]["name"] == component]
    new = rendered[0]

    def change(dep: dict) -> None:
        # Take what the chart renders differently (args, mounts, volumes) and keep what the API server
        # defaulted on the live object, as a server-side apply of the rendered manifest would.
        spec, new_spec = dep["spec"]["template"]["spec"], new["spec"]["template"]["spec"]
        c, nc = ops.main_container(spec), ops.main_container(new_spec)
        for key in ("args", "volumeMounts"):
            if nc.get(key):
                c[key] = nc[key]
            else:
                c.pop(key, None)
        live = {v["name"]: v for v in spec.get("volumes") or []}
        spec["volumes"] = [live.get(v["name"], v) for v in new_spec.get("volumes") or []]
        if not spec["volumes"]:
            spec.pop("volumes")

    ops.update(cluster, "Deployment", component, app.namespace, change)
    for s in cluster.list("Secret", app.namespace, label_selector=f"owner=helm,name={app.helm_release}"):
        if s["metadata"].get("labels", {}).get("status") == "deployed":
            def superseded(sec: dict) -> None:
                sec["metadata"]["labels"]["status"] = "superseded"

            ops.update(cluster, "Secret", s["metadata"]["name"], app.namespace, superseded)
    cluster.create(release_secret(app, values, revision=int(release.get("revision", 1)) + 1))


@register
class AuthMissMongodb(Fault):
    family = "auth_miss_mongodb"
    apps = ("social_network",)
    system_level, fault_type = "Application", "Misconfiguration"
    settle_s = 30.0
    param_choices = {"social_network": {"target": ("url-shorten-mongodb",)}}
    oracle = "url-shorten-mongodb accepts the clients' plain connections again and every pod is healthy"
    client = "url-shorten-service"

    def _apply(self, cluster: Any, tls: dict[str, Any]) -> None:
        _helm_upgrade(cluster, self.app, self.params["target"], tls)
        ops.delete_pods(cluster, self.app, self.namespace, self.client)
        ops.rollout_restart(cluster, self.namespace, self.params["target"])

    def _inject(self, cluster: Any, rng: np.random.Generator) -> None:
        self._apply(cluster, TLS_ON)

    def _recover(self, cluster: Any) -> None:
        self._apply(cluster, TLS_OFF)

    def condition_problems(self, cluster: Any) -> list[str]:
        target = self.params["target"]
        dep = ops.find(cluster, "Deployment", target, self.namespace)
        if dep is None:
            return self.missing_target()
        c = ops.template_container(dep)
        argv = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
        for i, a in enumerate(argv):
            mode = a.split("=", 1)[1] if a.startswith("--tlsMode=") else (argv[i + 1] if a == "--tlsMode" and i + 1 < len(argv) else None)
            if mode == "requireTLS":
                return [f"{target} requires TLS from its clients"]
        return []

    def remediation(self, cluster: Any) -> list[str]:
        return [
            ops.json_patch_command("deployment", self.params["target"], self.namespace, "remove",
                                   "/spec/template/spec/containers/0/args"),
            f"kubectl rollout restart deployment {self.client} -n {self.namespace}",
        ]
