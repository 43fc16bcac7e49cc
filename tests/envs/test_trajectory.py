"""Trajectory files: round trip, atomic appends, a crash mid-line never loses finished episodes."""

import json

from hypothesis import given, settings, strategies as st

from aoi_gym.trajectory import Step, Trajectory, append_trajectory, read_trajectories, write_trajectories


def _traj(i: int) -> Trajectory:
    return Trajectory(
        problem_id=f"p-{i}", seed=i, task_type="detection", prompt="task",
        steps=[Step("get_logs('a','b')", "log ✓ line", -0.01, {"step": 1}, role="probe", phase="observation")],
        grade={"success": i % 2 == 0, "score": 1.0 if i % 2 == 0 else 0.0},
    )


def test_round_trip(tmp_path):
    p = tmp_path / "t.jsonl"
    for i in range(3):
        append_trajectory(p, _traj(i))
    got = read_trajectories(p)
    assert [t.problem_id for t in got] == ["p-0", "p-1", "p-2"]
    assert got[0].steps[0].observation == "log ✓ line" and got[0].steps[0].role == "probe"
    assert got[0].success and not got[1].success
    assert got[0].total_reward == -0.01


def test_crash_mid_line_keeps_finished_episodes_and_is_repaired(tmp_path):
    p = tmp_path / "t.jsonl"
    append_trajectory(p, _traj(0))
    with open(p, "ab") as f:  # a writer died half way through its line
        f.write(_traj(1).to_json().encode()[:40])
    assert [t.problem_id for t in read_trajectories(p)] == ["p-0"]
    append_trajectory(p, _traj(2))
    lines = p.read_text().splitlines()
    assert [json.loads(l)["problem_id"] for l in lines] == ["p-0", "p-2"]


def test_write_trajectories_replaces_atomically(tmp_path):
    p = tmp_path / "t.jsonl"
    write_trajectories(p, [_traj(0), _traj(1)])
    write_trajectories(p, [_traj(5)])
    assert [t.problem_id for t in read_trajectories(p)] == ["p-5"]
    assert not (tmp_path / "t.jsonl.tmp").exists()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=50), min_size=1, max_size=5), st.integers(-(2**31), 2**31 - 1),
       st.floats(-10, 10, allow_nan=False))
def test_any_text_round_trips(tmp_path_factory, texts, seed, reward):
    p = tmp_path_factory.mktemp("t") / "t.jsonl"
    steps = [Step(a, a[::-1], reward, {"step": i, "note": a}) for i, a in enumerate(texts)]
    t = Trajectory("p", seed, "analysis", prompt=texts[0], steps=steps, grade={"success": False, "score": 0.0})
    append_trajectory(p, t)
    append_trajectory(p, _traj(1))  # a second line does not disturb the first
    back, other = read_trajectories(p)
    assert [(s.action, s.observation, s.reward, s.info) for s in back.steps] == [
        (a, a[::-1], reward, {"step": i, "note": a}) for i, a in enumerate(texts)]
    assert (back.seed, back.prompt, back.grade, back.task_type) == (seed, texts[0], t.grade, "analysis")
    assert other.problem_id == "p-1"
