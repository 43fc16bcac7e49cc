"""Tests of the shell parser (aoi_gym.shell.parse)."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aoi_gym.shell.parse import (
    ForLoop,
    IfClause,
    ParseError,
    Pipeline,
    SimpleCommand,
    Subshell,
    WhileLoop,
    iter_commands,
    parse,
    to_source,
)


def argvs(line: str) -> list[list[str]]:
    return [c.argv for c in iter_commands(parse(line))]


def only_command(line: str) -> SimpleCommand:
    cmds = list(iter_commands(parse(line)))
    assert len(cmds) == 1
    return cmds[0]


def test_pipeline_structure():
    script = parse("kubectl get pods -n x | grep geo | wc -l")
    assert len(script.items) == 1
    andor, sep = script.items[0]
    assert sep == "" and andor.rest == ()
    assert [c.argv for c in andor.first.commands] == [["kubectl", "get", "pods", "-n", "x"], ["grep", "geo"], ["wc", "-l"]]


def test_quotes_and_escapes():
    assert only_command("""echo 'a b' "c d" e\\ f "x\\"y" 'it'"'"'s'""").argv == ["echo", "a b", "c d", "e f", 'x"y', "it's"]
    assert only_command("echo \"a\\qb\" a\\qb").argv == ["echo", "a\\qb", "aqb"]
    assert only_command("echo $'a\\tb'").argv == ["echo", "a\tb"]
    assert only_command('echo ""').argv == ["echo", ""]


def test_single_quotes_hide_expansion_and_substitution():
    cmd = only_command("echo '$(rm -rf /)' '$HOME'")
    assert [w.has_expansion for w in cmd.words] == [False, False, False]
    assert all(not w.substitutions for w in cmd.words)


def test_line_continuation_and_comments():
    assert argvs("kubectl get \\\n  pods # list them\necho hi") == [["kubectl", "get", "pods"], ["echo", "hi"]]
    assert argvs("echo a#b") == [["echo", "a#b"]]


def test_separators():
    script = parse("a; b & c\nd")
    assert [sep for _, sep in script.items] == [";", "&", "\n", ""]


def test_andor():
    andor = parse("a && b || c").items[0][0]
    assert [op for op, _ in andor.rest] == ["&&", "||"]


def test_negation_and_pipe_stderr():
    pipeline: Pipeline = parse("! ls |& grep x").items[0][0].first
    assert pipeline.negated
    assert [r.op for r in pipeline.commands[0].redirects] == ["2>&1"]


def test_subshell_and_group():
    pipeline = parse("( a; b ) | { c; d; } 2>/dev/null").items[0][0].first
    sub, group = pipeline.commands
    assert isinstance(sub, Subshell) and not sub.brace
    assert isinstance(group, Subshell) and group.brace
    assert group.redirects[0].op == "2>" and group.redirects[0].target.value == "/dev/null"


@pytest.mark.parametrize(
    "text,op,target",
    [
        ("ls > out", ">", "out"),
        ("ls 1>out", ">", "out"),
        ("ls >> out", ">>", "out"),
        ("ls 2>/dev/null", "2>", "/dev/null"),
        ("ls 2>>err", "2>>", "err"),
        ("ls &>all", "&>", "all"),
        ("ls >&all", "&>", "all"),
        ("ls 2>&1", "2>&1", None),
        ("ls >&2", ">&2", None),
        ("ls 1>&2", ">&2", None),
        ("cat < f", "<", "f"),
        ("cat <<< 'hi there'", "<<<", "hi there"),
    ],
)
def test_redirects(text, op, target):
    r = only_command(text).redirects[0]
    assert r.op == op
    assert (r.target.value if r.target else None) == target


def test_heredoc_unquoted_and_quoted():
    script = parse("cat <<EOF | grep a\nhello $HOME\n  $(date)\nEOF\necho done")
    cat = script.items[0][0].first.commands[0]
    r = cat.redirects[0]
    assert r.op == "<<" and r.heredoc == "hello $HOME\n  $(date)\n"
    assert r.heredoc_word.has_expansion and len(r.heredoc_word.substitutions) == 1
    assert argvs("cat <<EOF | grep a\nhello $HOME\n  $(date)\nEOF\necho done")[-1] == ["echo", "done"]
    q = only_command("cat <<'EOF'\n$(rm -rf /)\nEOF\n").redirects[0]
    assert q.heredoc == "$(rm -rf /)\n" and not q.heredoc_word.has_expansion
    assert not q.heredoc_word.substitutions


def test_heredoc_strip_tabs_and_end_of_input():
    r = only_command("cat <<-END\n\t\tx\n\tEND\n").redirects[0]
    assert r.heredoc == "x\n"
    # like bash, a body ended by the end of input is accepted
    assert only_command("cat <<EOF\nabc").redirects[0].heredoc == "abc\n"


def test_substitutions_nested_and_backticks():
    cmd = list(iter_commands(parse('echo "pods: $(kubectl get pods -n $(echo ns) | wc -l)" `date`')))
    assert [c.argv[0] for c in cmd] == ["echo", "kubectl", "wc", "date", "echo"]
    outer = cmd[-1]
    assert outer.words[1].value == "pods: $(kubectl get pods -n $(echo ns) | wc -l)"
    assert outer.words[1].has_expansion


def test_parameters():
    cmd = only_command('echo $HOME ${NS:-default} "$?" $((1+2)) ~/x *.yaml')
    assert [w.value for w in cmd.words[1:]] == ["$HOME", "${NS:-default}", "$?", "$((1+2))", "~/x", "*.yaml"]
    assert all(w.has_expansion for w in cmd.words[1:])
    assert [p.kind for p in cmd.words[1].parts] == ["param"]


def test_assignments():
    cmd = only_command('A=1 B="x y" env C=3')
    assert [(n, w.value) for n, w in cmd.assignments] == [("A", "1"), ("B", "x y")]
    assert cmd.argv == ["env", "C=3"]
    assert only_command("X=1").argv == []


def test_compound_commands():
    loop = parse("for p in $(kubectl get pods -o name); do kubectl logs $p | tail -1; done").items[0][0].first.commands[0]
    assert isinstance(loop, ForLoop) and loop.var == "p"
    assert [c.argv[0] for c in iter_commands(parse("for p in a b; do echo $p; done"))] == ["echo"]
    assert isinstance(parse("while true; do sleep 1; done").items[0][0].first.commands[0], WhileLoop)
    clause = parse("if grep -q x f; then echo y; elif true; then echo z; else echo n; fi").items[0][0].first.commands[0]
    assert isinstance(clause, IfClause) and len(clause.branches) == 2 and clause.orelse is not None
    assert argvs("echo done fi then") == [["echo", "done", "fi", "then"]]


@pytest.mark.parametrize(
    "text,message",
    [
        ('echo "abc', "unexpected EOF while looking for matching `\"'"),
        ("echo 'abc", "unexpected EOF while looking for matching `''"),
        ("echo $(ls", "unexpected EOF while looking for matching `)'"),
        ("echo `ls", "unexpected EOF while looking for matching ``'"),
        ("echo ${x", "unexpected EOF while looking for matching `}'"),
        ("| ls", "syntax error near unexpected token `|'"),
        ("ls |", "syntax error: unexpected end of file"),
        ("ls &&", "syntax error: unexpected end of file"),
        ("( ls", "syntax error: unexpected end of file"),
        ("ls )", "syntax error near unexpected token `)'"),
        ("{ ls }", "syntax error: unexpected end of file"),
        ("ls >", "syntax error near unexpected token `newline'"),
        ("ls ;; x", "syntax error near unexpected token `;;'"),
        ("done", "syntax error near unexpected token `done'"),
        ("()", "syntax error near unexpected token `)'"),
        ("for x in a; do echo", "syntax error: unexpected end of file"),
        ("case x in a) ;; esac", "not supported"),
    ],
)
def test_errors_in_bash_words(text, message):
    with pytest.raises(ParseError) as e:
        parse(text)
    assert str(e.value).startswith("bash: -c: line 1: ")
    assert message in str(e.value)


def test_error_line_number():
    with pytest.raises(ParseError, match="line 2"):
        parse("echo a\necho 'b")


def test_empty_and_blank():
    assert parse("").items == ()
    assert parse("  \n # only a comment\n").items == ()


_arbitrary = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
_shellish = st.lists(
    st.sampled_from(
        ["ls", "a", "'", '"', "`", "$(", ")", "(", "{", "}", "|", "||", "&&", "&", ";", "\n", "<<", "EOF", ">",
         "2>&1", "$", "${", "\\", "#", " ", "for", "do", "done", "if", "then", "fi", "!", "<<<", "*", "~", "=", "x=1"]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_arbitrary, _shellish))
@example("<<\\")  # a heredoc delimiter whose lone backslash ends the input: no body, none written back
def test_parse_raises_only_parse_error(text):
    try:
        script = parse(text)
    except ParseError as e:
        assert str(e).startswith("bash: ")
        return
    # whatever parses also survives a round trip through to_source
    assert parse(to_source(script)) == script
    for cmd in iter_commands(script):
        assert isinstance(cmd.argv, list)


_plain_word = st.text(alphabet=st.characters(codec="ascii", min_codepoint=32, max_codepoint=126), min_size=0, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_plain_word, min_size=1, max_size=5), min_size=1, max_size=4))
def test_quoted_words_round_trip(commands):
    """shlex.quote'd words come back as exactly the same argv (quote removal is exact)."""
    line = " | ".join("cmd " + " ".join(shlex.quote(w) for w in words) for words in commands)
    assert argvs(line) == [["cmd", *words] for words in commands]


def test_parse_rejects_non_string():
    with pytest.raises(ParseError):
        parse(None)  # type: ignore[arg-type]


def test_substitutions_inside_parameter_and_arithmetic_are_visible():
    assert [c.argv for c in iter_commands(parse('echo ${X:-$(kubectl delete ns a)} $(( $(wc -l < f) + 1 ))'))] == [
        ["kubectl", "delete", "ns", "a"], ["wc", "-l"], ["echo", "${X:-$(kubectl delete ns a)}", "$(( $(wc -l < f) + 1 ))"]]


@pytest.mark.parametrize("text", ["2>&1for", "2>&1}", "2>&1{", ">x !", "<f if x", "2>/dev/null done"])
def test_reserved_word_after_a_redirect_is_a_command_name_and_round_trips(text):
    script = parse(text)
    assert parse(to_source(script)) == script


# ---------------------------------------------------------------------- fast paths agree with the general parser
_flat_piece = st.sampled_from(
    ["kubectl", "get", "pods", "-n", "x", "X=1", "Y=", "a=b", "|", "||", "&&", ";", ";;", " ", "  ", "\t", "'a b'", "''",
     '"c d"', '""', "'$(rm x)'", '"$X"', "$X", "*.log", "a[1]", "?", "~", "~/x", "#c", "2>", ">", "2>&1", "!", "{", "}",
     "for", "if", "done", "x=", "-o=jsonpath='{.a}'", "\\", "\n", "&", "(", ")", "é", "=", "1", "2"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_flat_piece, max_size=14).map("".join))
@example("\\\nkubectl")  # a leading line continuation: the word starts after it
def test_fast_paths_build_exactly_what_the_general_parser_builds(line):
    from aoi_gym.shell.lexer import _WORD_CACHE
    from aoi_gym.shell.parse import _parse_flat, _Parser

    try:
        general = _Parser(line).parse_all()
    except ParseError:
        general = None
    flat = _parse_flat(line)
    if flat is not None:
        assert general is not None and flat == general
        # parts too (Word equality ignores them): cached simple words match the general word lexer
        for fast_cmd, slow_cmd in zip(iter_commands(flat), iter_commands(general)):
            assert [w.parts for w in fast_cmd.words] == [w.parts for w in slow_cmd.words]
    _WORD_CACHE.clear()
    words = []
    try:
        # the first token as the parser lexes it (a leading line continuation is skipped first, as in bash)
        first = _Parser(line)._lex()
        words = [first[2]] if first[0] == "word" else []
    except ParseError:
        pass
    for w in words:
        again = _Parser(w.raw)._lex()
        if again[0] == "word":
            assert (again[2], again[2].parts) == (w, w.parts)


@pytest.mark.parametrize("line,inner", [
    ("echo ${X:=`kubectl delete ns a`}", ["kubectl", "delete", "ns", "a"]),
    ("echo \"${X:-${Y:-$(kubectl delete ns a)}}\"", ["kubectl", "delete", "ns", "a"]),
    ("echo ${X/$(kubectl delete ns a)/b}", ["kubectl", "delete", "ns", "a"]),
    ("echo ${X/a/$(kubectl delete ns a)}", ["kubectl", "delete", "ns", "a"]),
    ("echo ${X:1:$(kubectl delete ns a)}", ["kubectl", "delete", "ns", "a"]),
    ("echo $(( `kubectl delete ns a` * 2 ))", ["kubectl", "delete", "ns", "a"]),
    ("cat <<EOF\n${X:+$(kubectl delete ns a)}\nEOF", ["kubectl", "delete", "ns", "a"]),
])
def test_substitutions_inside_expansions_are_recorded_with_parsed_arguments(line, inner):
    script = parse(line)
    assert [c.argv for c in iter_commands(script)][0] == inner
    word = next(w for c in iter_commands(script) for w in (*c.words, *(r.heredoc_word for r in c.redirects if r.heredoc_word)) if w.substitutions)
    param_or_arith = [p for p in word.parts if p.kind in ("param", "arith")]
    assert param_or_arith and all(p.args for p in param_or_arith)  # arguments lexed once, at parse time
