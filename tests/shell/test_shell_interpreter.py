"""Tests of the simulated shell interpreter (aoi_gym.shell.interpreter) with fake and real programs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.shell.context import ProgramResult
from aoi_gym.shell.interpreter import Shell
from aoi_gym.shell.programs import PROGRAMS

PODS = "NAME            READY   STATUS             RESTARTS   AGE\n" + "".join(
    f"geo-{i}-abcde     1/1     {'Running' if i % 3 else 'CrashLoopBackOff'}   {i}          {i}m\n" for i in range(6)
) + "frontend-x      1/1     Running            0          9m\n"
CALLS: list[list[str]] = []


def fake_kubectl(argv, stdin, ctx):
    CALLS.append(list(argv))
    if argv[1:2] == ["fail"]:
        return ProgramResult(stderr="error: boom\n", code=1)
    if argv[1:2] == ["apply"]:
        return ProgramResult(stdout=f"applied {len(stdin)} bytes\n")
    return ProgramResult(stdout=PODS)


@pytest.fixture
def sh():
    CALLS.clear()
    return Shell(None, programs={**PROGRAMS, "kubectl": fake_kubectl, "k": fake_kubectl})


def run(sh, line):
    r = sh.run(line)
    assert r.output == r.stdout + r.stderr
    return r


def test_pipeline(sh):
    r = run(sh, "kubectl get pods -n x | grep geo | wc -l")
    assert (r.output, r.exit_code) == ("6\n", 0)
    assert CALLS == [["kubectl", "get", "pods", "-n", "x"]]


def test_alias_and_absolute_paths(sh):
    assert run(sh, "k get pods | head -1").output.startswith("NAME")
    assert run(sh, "/usr/local/bin/kubectl get pods | tail -1").output.startswith("frontend-x")
    assert run(sh, "/usr/bin/echo hi").output == "hi\n"
    assert run(sh, "/opt/x/kubectl").exit_code == 127


def test_command_not_found(sh):
    r = run(sh, "foo bar")
    assert (r.output, r.exit_code) == ("bash: foo: command not found\n", 127)


def test_and_or_short_circuit_and_status(sh):
    assert run(sh, "true && echo yes || echo no").output == "yes\n"
    assert run(sh, "false && echo yes || echo no").output == "no\n"
    assert run(sh, "false; echo $?; true; echo $?").output == "1\n0\n"
    assert run(sh, "kubectl fail && echo never").exit_code == 1
    assert run(sh, "! false").exit_code == 0
    assert run(sh, "false | true").exit_code == 0
    assert run(sh, "set -o pipefail; false | true").exit_code == 1
    r = run(sh, "set -e; echo a; false; echo b")
    assert (r.stdout, r.exit_code) == ("a\n", 1)


def test_stderr_routing(sh):
    r = run(sh, "kubectl fail | wc -l")
    assert r.stdout == "0\n" and r.stderr == "error: boom\n"
    assert run(sh, "kubectl fail 2>&1 | wc -l").stdout == "1\n"
    assert run(sh, "kubectl fail |& wc -l").stdout == "1\n"
    assert run(sh, "kubectl fail 2>/dev/null").output == ""
    assert run(sh, "echo out >&2").stderr == "out\n"
    assert run(sh, "kubectl get pods &>/dev/null; echo $?").output == "0\n"


def test_quoting_and_expansion(sh):
    assert run(sh, """echo 'a  b' "c  $HOME" $HOME '$HOME'""").output == "a  b c  /root /root $HOME\n"
    assert run(sh, 'X="1 2"; for a in $X; do echo [$a]; done').output == "[1]\n[2]\n"
    assert run(sh, 'X="1 2"; for a in "$X"; do echo [$a]; done').output == "[1 2]\n"
    assert run(sh, "echo ${NOPE:-dflt} ${#HOME} $((2*(3+4)))").output == "dflt 5 14\n"
    assert run(sh, "A=hello-world; echo ${A%-*} ${A#*-} ${A/o/0}").output == "hello world hell0-world\n"
    assert run(sh, "echo $KUBECONFIG").output == "/root/.kube/config\n"
    assert run(sh, "echo ${X:-$(echo dflt)} $(( $(echo 2) + 1 ))").output == "dflt 3\n"


def test_command_substitution(sh):
    assert run(sh, 'n=$(kubectl get pods | grep -c Crash); echo "crash=$n"').output == "crash=2\n"
    assert run(sh, "echo `echo inner`").output == "inner\n"
    assert run(sh, "for p in $(k get pods | awk 'NR>1{print $1}' | head -2); do echo pod $p; done").output == "pod geo-0-abcde\npod geo-1-abcde\n"


def test_heredoc_and_herestring(sh):
    assert run(sh, "cat <<EOF\nhome=$HOME\nEOF").output == "home=/root\n"
    assert run(sh, "cat <<'EOF'\nhome=$HOME\nEOF").output == "home=$HOME\n"
    assert run(sh, "kubectl apply -f - <<EOF\napiVersion: v1\nEOF").output == "applied 15 bytes\n"
    assert run(sh, "grep -c b <<< 'abc'").output == "1\n"


def test_assignments_and_env(sh):
    assert run(sh, "A=1; echo $A").output == "1\n"
    assert run(sh, "A=1 env | grep ^A=").output == "A=1\n"
    assert run(sh, "env FOO=bar printenv FOO").output == "bar\n"
    assert run(sh, "X=1; (X=2; echo $X); echo $X").output == "2\n1\n"


def test_sh_c_xargs_timeout_watch(sh):
    assert run(sh, "sh -c 'echo in; exit 3'; echo $?").output == "in\n3\n"
    assert run(sh, "bash -c \"kubectl get pods | grep -c Running\"").output == "5\n"
    assert run(sh, "echo a b | xargs -n1 echo item").output == "item a\nitem b\n"
    assert run(sh, "kubectl get pods | awk 'NR>1{print $1}' | head -2 | xargs -I{} echo pod/{}").output == "pod/geo-0-abcde\npod/geo-1-abcde\n"
    assert run(sh, "timeout 10 kubectl get pods | wc -l").output == "8\n"
    assert run(sh, "timeout 5 sleep 10; echo $?").output == "124\n"
    r = run(sh, "watch kubectl get pods")
    assert r.exit_code == 1 and "watch" in r.stderr
    r = run(sh, "sleep 100")
    assert r.exit_code == 124 and "timed out after 30 seconds" in r.output
    assert run(sh, "while true; do :; done").exit_code == 124


def test_files(sh):
    assert run(sh, "echo hi > /etc/x").output == "bash: /etc/x: Read-only file system\n"
    assert run(sh, "kubectl get pods > /tmp/p.txt; grep -c geo /tmp/p.txt").output == "6\n"
    assert run(sh, "cat /tmp/p.txt | wc -l").output == "8\n"  # the filesystem persists between runs
    assert run(sh, "echo x >> /tmp/p.txt; tail -1 /tmp/p.txt").output == "x\n"
    assert run(sh, "cat /nope").output == "cat: /nope: No such file or directory\n"
    assert run(sh, "cd /tmp && ls").output == "p.txt\n"


def test_control_flow(sh):
    assert run(sh, "if kubectl get pods | grep -q Crash; then echo bad; else echo ok; fi").output == "bad\n"
    assert run(sh, "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i").output == "3\n"
    assert run(sh, "kubectl get pods | tail -n +2 | while read name ready status rest; do echo $status; done | sort -u").output == "CrashLoopBackOff\nRunning\n"
    assert run(sh, "for i in 1 2 3; do if [ $i = 2 ]; then break; fi; echo $i; done").output == "1\n"


def test_syntax_error_is_reported_like_bash(sh):
    r = run(sh, 'echo "abc')
    assert r.exit_code == 2
    assert r.stderr == "bash: -c: line 1: unexpected EOF while looking for matching `\"'\n"


def test_internal_error_never_escapes():
    def broken(argv, stdin, ctx):
        raise RuntimeError("kaput")

    sh = Shell(None, programs={**PROGRAMS, "broken": broken})
    r = sh.run("broken | wc -l")
    assert "bash: internal error: broken: RuntimeError: kaput" in r.stderr
    assert r.stdout == "0\n"


_TOKENS = st.sampled_from([
    "echo", "kubectl", "get", "pods", "|", "grep", "-v", "x", "&&", "||", ";", "'", '"', "$(", ")", "`", "$HOME",
    "${X:-y}", "$((1/0))", ">", "/tmp/f", "2>&1", "<", "<<<", "awk", "'{print $1}'", "sed", "s/a/b/", "jq", ".[]",
    "sort", "-k", "2", "-n", "head", "-1", "xargs", "cut", "-d", "-f", "tr", "wc", "-l", "(", "{", "}", "for", "do",
    "done", "in", "!", "&", "\n", "sh", "-c", "exit", "read", "timeout", "sleep", "99", "set", "-e", "[", "]", "=",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_TOKENS, max_size=14))
def test_random_token_lines_never_raise(tokens):
    sh = Shell(None, programs={**PROGRAMS, "kubectl": fake_kubectl})
    r = sh.run(" ".join(tokens))
    assert isinstance(r.exit_code, int) and 0 <= r.exit_code <= 255
    assert r.output == r.stdout + r.stderr


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises(text):
    from aoi_gym.shell.parse import ParseError, parse

    r = Shell(None).run(text)
    assert r.output == r.stdout + r.stderr and 0 <= r.exit_code <= 255
    try:
        parse(text)
    except ParseError as e:  # what does not parse is reported like bash and nothing runs
        assert (r.stdout, r.stderr, r.exit_code) == ("", str(e) + "\n", 2)


def test_determinism():
    a = Shell(None, programs={**PROGRAMS, "kubectl": fake_kubectl}).run("kubectl get pods | sort -k4 -n | awk '{print NR, $1}'")
    b = Shell(None, programs={**PROGRAMS, "kubectl": fake_kubectl}).run("kubectl get pods | sort -k4 -n | awk '{print NR, $1}'")
    assert a == b
    # GNU sort -n: non-numbers sort as 0, ties fall back to comparing whole lines (bytes)
    assert a.output == "1 NAME\n2 frontend-x\n" + "".join(f"{i + 3} geo-{i}-abcde\n" for i in range(6))


# ---------------------------------------------------------------------- substitutions inside expansions
_inner = st.sampled_from(["$(kubectl delete pod a)", "`kubectl scale deploy b`", "$(kubectl get pods | wc -l)", "$(echo 1)", "x"])
_expansion = st.recursive(
    _inner,
    lambda inner: st.one_of(
        st.builds(lambda op, a: "${V" + op + a + "}", st.sampled_from([":-", "-", ":=", "=", ":+", "+", "#", "%%", "/", "//", ":"]), inner),
        st.builds(lambda a, b: "${V/" + a + "/" + b + "}", inner, inner),
        st.builds(lambda a: "$(( " + a + " + 1 ))", inner),
        st.builds(lambda a: '"' + a + '"', inner),
    ),
    max_leaves=3,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_expansion, min_size=1, max_size=3), st.sampled_from(["", "V=1; ", "V=; ", "unset V; "]))
def test_interpreter_runs_only_commands_the_parse_shows(expansions, prefix):
    """What the shell runs while expanding ${X:-$(..)}, ${X/$(..)/$(..)} and $(( $(..) )) is exactly
    a subset of iter_commands(parse(line)): the interpreter never lexes or parses text again."""
    from aoi_gym.shell.parse import ParseError, iter_commands, parse

    line = prefix + "echo " + " ".join(expansions)
    try:
        parsed = [c.argv for c in iter_commands(parse(line))]
    except ParseError:
        return
    sh = Shell(None, programs={**PROGRAMS, "kubectl": fake_kubectl})
    CALLS.clear()
    sh.run(line)
    for argv in CALLS:
        assert argv in parsed, f"{line!r} ran {argv!r}, which its parse does not show ({parsed!r})"


def test_parameter_operators_use_their_parsed_arguments(sh):
    out = run(sh, "X=abcabc; echo ${X/b/$(echo Z)} ${X//b/Z} ${X#a} ${X%%c} ${X:1:2} ${#X} ${X^^} ${Y:-d} ${Y=e} $Y").output
    assert out == "aZcabc aZcaZc bcabc abcab bc 6 ABCABC d e e\n"
    assert run(sh, "X=a/b/c; echo ${X//\\//-} $(( ${#X} * 2 ))").output == "a-b-c 10\n"
    assert run(sh, "echo ${1abc}").output == "bash: ${1abc}: bad substitution\n"
    assert run(sh, "echo ${X?is unset}").output == "bash: X: is unset\n"
    assert run(sh, "V=1; echo ${V:-$(kubectl delete pod a)}").output == "1\n" and CALLS == []
    assert run(sh, "echo ${V:-$(kubectl delete pod a | wc -l)}").output == "8\n" and CALLS == [["kubectl", "delete", "pod", "a"]]
