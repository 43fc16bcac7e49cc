"""kubelet_status._conditions (one loop) equals the reference it replaced (an old-list-by-type step per
condition, with the own list matched by position), dict for dict and shared object for shared object."""

from __future__ import annotations

import itertools
import random

from aoi_gym.cluster.sim.controllers.kubelet_status import _COMPLETED, _INITIALIZED, _READY_TRUE, _STARTED, _conditions

NOW = "2026-01-05T09:00:07Z"


def _cond(ctype, status, since, reason=None, message=None):
    c = {"type": ctype, "status": status, "lastProbeTime": None, "lastTransitionTime": since}
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    return c


def _ref_step(prev, now, want, own):
    ctype, status, reason, message = want
    if prev is not None and prev.get("status") == status:
        if own and prev.get("reason") == reason and prev.get("message") == message:
            return prev
        return _cond(ctype, status, prev["lastTransitionTime"], reason, message)
    return _cond(ctype, status, now, reason, message)


def _reference(old, now, want, own):
    if own:
        olds = old["conditions"]
        if len(olds) == len(want) + 1 and not any(p["type"] != w[0] for w, p in zip(want, olds)) \
                and olds[-1].get("type") == "PodScheduled":
            return [_ref_step(p, now, w, True) for w, p in zip(want, olds)] + [olds[-1]]
    prev_of = {}
    for c in old.get("conditions") or ():
        prev_of.setdefault(c.get("type"), c)
    conds = [_ref_step(prev_of.get(w[0]), now, w, own) for w in want]
    sched = prev_of.get("PodScheduled")
    return conds + [sched if sched else {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": now}]


_MSG = "containers with unready status: [a b]"
_WANTS = [
    (_STARTED[False], _INITIALIZED, *_READY_TRUE),
    (_STARTED[True], _INITIALIZED, *_READY_TRUE),
    (_STARTED[False], _INITIALIZED, *_COMPLETED),
    (_STARTED[False], ("Initialized", "False", "ContainersNotInitialized", "containers with incomplete status: [i]"),
     ("Ready", "False", "ContainersNotReady", _MSG), ("ContainersReady", "False", "ContainersNotReady", _MSG)),
    (_STARTED[False], _INITIALIZED, ("Ready", "False", "ContainersNotReady", _MSG),
     ("ContainersReady", "False", "ContainersNotReady", _MSG)),
]


def _olds(rng):
    yield {}
    yield {"conditions": []}
    yield {"conditions": [_cond("PodScheduled", "True", "t0")]}
    for want, other in itertools.product(_WANTS, _WANTS):
        built = [_ref_step(None, "t1", w, False) for w in want] + [_cond("PodScheduled", "True", "t0")]
        yield {"conditions": built}
        yield {"conditions": [_ref_step(None, "t1", w, False) for w in other] + [_cond("PodScheduled", "True", "t0")]}
        shuffled = list(built)
        rng.shuffle(shuffled)
        yield {"conditions": shuffled}
        yield {"conditions": built[:-1]}  # no PodScheduled
        yield {"conditions": built + [_cond("Ready", "Unknown", "t9")]}  # a duplicate type
        yield {"conditions": [_cond("PodScheduled", "False", "t0", "Unschedulable", "0/3 nodes")] + built[:2]}


def test_conditions_equal_the_reference_and_share_the_same_dicts():
    rng = random.Random(7)
    n = 0
    for old in _olds(rng):
        for want in _WANTS:
            for own in (False, True):
                if own and "conditions" not in old:
                    continue
                got, ref = _conditions(old, NOW, want, own), _reference(old, NOW, want, own)
                assert got == ref
                assert [id(c) for c in got if any(c is o for o in old.get("conditions") or ())] == \
                       [id(c) for c in ref if any(c is o for o in old.get("conditions") or ())]
                n += 1
    assert n > 500
