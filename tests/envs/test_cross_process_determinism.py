"""Same seed, same actions, same transcript byte for byte, in separate processes with different hash
seeds (catches set-order and id()-dependent output that an in-process comparison cannot see)."""

import os
import subprocess
import sys

SCRIPT = r'''
import hashlib, gymnasium as gym, aoi_gym
h = hashlib.sha256()
episodes = [
    ("revoke_auth_mongodb-localization-1", ['exec_shell("kubectl get pods -n test-hotel-reservation")',
     'exec_shell("kubectl exec deploy/mongodb-geo -n test-hotel-reservation -- mongo admin -u root -p root --authenticationDatabase admin --eval \'db.getSiblingDB(\\"geo-db\\").getUsers()\'")',
     'get_logs("test-hotel-reservation", "geo")', 'get_traces("test-hotel-reservation", 5)']),
    ("k8s_target_port-misconfig-mitigation-2", ['exec_shell("kubectl get events -A --sort-by=.lastTimestamp | tail -20")',
     'get_metrics("test-social-network", 5)', 'exec_shell("kubectl describe svc -n test-social-network")']),
    ("astronomy_shop_cart_service_failure-detection-1", ['exec_shell("kubectl get all -n astronomy-shop -o wide")',
     'exec_shell("kubectl logs -n astronomy-shop -l app.kubernetes.io/name=cart --tail=30")']),
]
for pid, actions in episodes:
    env = gym.make("AOI-Incident-v0", problem_ids=[pid])
    obs, _ = env.reset(seed=11)
    h.update(obs.encode())
    for a in actions:
        obs, r, *_ = env.step(a)
        h.update(obs.encode()); h.update(repr(r).encode())
print(h.hexdigest())
'''


def _run(hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_transcripts_identical_across_processes_and_hash_seeds():
    assert _run("1") == _run("12345")
