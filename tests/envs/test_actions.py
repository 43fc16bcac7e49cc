"""The action grammar: AIOpsLab-compatible calls parse; every malformed class gets its explanation."""

import pytest
from hypothesis import given, settings, strategies as st

from aoi_gym.envs.actions import Action, ActionError, parse_action


@pytest.mark.parametrize(
    "text, api, args",
    [
        ('```\nexec_shell("kubectl get pods -A")\n```', "exec_shell", {"command": "kubectl get pods -A", "timeout": 30}),
        ('Thought: look\nAction: ```bash\nexec_shell("kubectl get svc -n x")\n```', "exec_shell", {"command": "kubectl get svc -n x", "timeout": 30}),
        ('exec_shell(command="kubectl logs geo --tail 5")', "exec_shell", {"command": "kubectl logs geo --tail 5", "timeout": 30}),
        ('exec_shell("kubectl get pods -o jsonpath=\'{.items[*].metadata.name}\'")', "exec_shell",
         {"command": "kubectl get pods -o jsonpath='{.items[*].metadata.name}'", "timeout": 30}),
        # AIOpsLab's lenient form: unescaped inner quotes still reach the shell as typed
        ('exec_shell("echo "hi"")', "exec_shell", {"command": 'echo "hi"', "timeout": 30}),
        ('get_logs("test-hotel-reservation", "geo")', "get_logs", {"namespace": "test-hotel-reservation", "service": "geo"}),
        ("get_metrics('ns', 10)", "get_metrics", {"namespace": "ns", "duration": 10}),
        ("get_traces(namespace='ns')", "get_traces", {"namespace": "ns", "duration": 5}),
        ("read_metrics('metrics_output/x.csv')", "read_metrics", {"file_path": "metrics_output/x.csv"}),
    ],
)
def test_valid_calls_parse(text, api, args):
    a = parse_action(text, "localization")
    assert isinstance(a, Action), a
    assert a.api == api and a.args == args


@pytest.mark.parametrize(
    "task, text, solution",
    [
        ("detection", 'submit("Yes")', "Yes"),
        ("detection", "submit('no')", "no"),
        ("localization", 'submit(["geo", "rate"])', ["geo", "rate"]),
        ("localization", 'submit("geo")', ["geo"]),
        ("localization", "submit([])", []),
        ("analysis", 'submit({"system_level": "Application", "fault_type": "Misconfiguration"})',
         {"system_level": "Application", "fault_type": "Misconfiguration"}),
        ("analysis", "submit()", None),
        ("mitigation", "submit()", None),
    ],
)
def test_submit_per_task_signature(task, text, solution):
    a = parse_action(f"```\n{text}\n```", task)
    assert isinstance(a, Action) and a.api == "submit"
    assert a.args["solution"] == solution


@pytest.mark.parametrize(
    "text, task, kind, says",
    [
        ("I think the geo service is broken.", "detection", "syntax", "exactly one API call"),
        ("", "detection", "no_action", "no API call"),
        ('```\nget_logs("a","b")\n```\n```\nget_logs("c","d")\n```', "detection", "multiple_blocks", "2 code blocks"),
        ("```\nget_logs('a', 'b')\n", "detection", "syntax", "never closed"),
        ("kubectl_get('pods')", "detection", "unknown_api", "Valid APIs"),
        ("get_logs('ns')", "detection", "bad_arguments", "missing the required argument 'service'"),
        ("get_metrics('ns', 'soon')", "detection", "bad_arguments", "must be int"),
        ("get_logs(ns, geo)", "detection", "bad_arguments", "Python literals"),
        ("submit(['geo'])", "detection", "submit_signature", '"Yes" or "No"'),
        ("submit({'a': 1})", "localization", "submit_signature", "list of service names"),
        ("submit('Yes')", "mitigation", "submit_signature", "takes no argument"),
        ("submit('a', 'b')", "localization", "submit_signature", "one argument"),
    ],
)
def test_malformed_actions_are_explained(text, task, kind, says):
    e = parse_action(text, task)
    assert isinstance(e, ActionError)
    assert e.kind == kind
    assert says in e.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["detection", "localization", "analysis", "mitigation", None]))
def test_parse_never_raises(text, task):
    r = parse_action(text, task)
    assert isinstance(r, (Action, ActionError))
    if isinstance(r, ActionError):
        assert r.message


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'), max_size=80))
def test_any_command_round_trips_through_exec_shell(cmd):
    a = parse_action(f"```\nexec_shell({cmd!r})\n```")
    assert isinstance(a, Action) and a.command == cmd


@pytest.mark.parametrize(
    "reply, command",
    [
        ("```\nexec_shell('echo ```')\n```", "echo ```"),  # backticks inside the call do not close the block
        ('```exec_shell("kubectl get pods")```', "kubectl get pods"),  # a one-line block is no language tag
        ('```bash\nexec_shell("ls")\n``` and that is all', "ls"),
    ],
)
def test_fenced_blocks_close_only_at_a_fence(reply, command):
    a = parse_action(reply)
    assert isinstance(a, Action) and a.command == command
