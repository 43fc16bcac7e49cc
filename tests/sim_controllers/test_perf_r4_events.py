"""The memoized time text equals the plain formatting (also past the memo's bound), and the event and
put paths keep their outputs (repeats bump count, hashes dropped after a digest)."""

from __future__ import annotations

import datetime as dt

from aoi_gym.cluster.sim import clock
from aoi_gym.cluster.sim.cluster import EPOCH, SimCluster, format_time
from aoi_gym.cluster.sim.store import ObjectStore


def _plain(seconds: float) -> str:
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_time_text_matches_plain_formatting_past_the_memo_bound():
    for i in range(9000):  # more distinct instants than the memo keeps
        x = EPOCH + i * 0.37
        assert format_time(x) == _plain(x)
        assert format_time(x) == _plain(x)  # the memo's answer
    assert len(clock.TIME_TEXT) <= 8192
    c = SimCluster(seed=0, controllers=[])
    c.t = 12.9
    assert c.timestamp() == _plain(EPOCH + 12.9) == c.timestamp(12.9)
    assert c.timestamp(0.0) == "2026-01-05T09:00:00Z"


def test_event_repeats_and_new_events():
    c = SimCluster(seed=5, controllers=[])
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u1"}}
    c.record_event(pod, "Pulled", "pulled", host="n1", field_path="spec.containers{a}")
    c.t = 3.5
    c.record_event(pod, "Pulled", "pulled", host="n1", field_path="spec.containers{a}")
    c.record_event(pod, "Started", "started")
    events = c.list("Event", "ns")
    assert [(e["reason"], e["count"]) for e in events] == [("Pulled", 2), ("Started", 1)]
    pulled = events[0]
    assert pulled["firstTimestamp"] == "2026-01-05T09:00:00Z" and pulled["lastTimestamp"] == "2026-01-05T09:00:03Z"
    assert pulled["involvedObject"]["fieldPath"] == "spec.containers{a}"
    assert pulled["source"] == {"component": "kubelet", "host": "n1"}


def test_put_after_a_digest_drops_the_cached_hash():
    s = ObjectStore()
    s.put({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}, "data": {"k": "1"}})
    first = dict(s.digest_parts())
    s.put({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}, "data": {"k": "2"}})
    second = dict(s.digest_parts())
    assert first != second
    s.put({"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}, "data": {"k": "1"}})
    assert dict(s.digest_parts()) == first
