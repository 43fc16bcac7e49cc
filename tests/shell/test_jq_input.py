"""jq's input stream: values are processed as they are read, and a parse error reads like jq 1.7's."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.shell.interpreter import Shell
from aoi_gym.shell.tools.jq_input import read_values


@pytest.fixture(scope="module")
def sh():
    return Shell(SimCluster(seed=0))


@pytest.mark.parametrize(
    "line,stdout,stderr",
    [
        # YAML piped into jq: the first word ends at the colon, the 11th character
        ("printf 'apiVersion: v1\\nkind: List\\n' | jq .", "", "jq: parse error: Invalid numeric literal at line 1, column 11\n"),
        # a log line: "2026-11-22T10" is one bad word to jq (a colon ends it), not the number 2026 and more
        ("echo '2026-11-22T10:00:00Z INFO start' | jq .", "", "jq: parse error: Invalid numeric literal at line 1, column 14\n"),
        # the values before the error are still printed
        ("printf '{\"a\":1}\\nnot json\\n' | jq -c .a", "1\n", "jq: parse error: Invalid literal at line 2, column 4\n"),
        ("echo '{\"a\":1' | jq .", "", "jq: parse error: Unfinished JSON term at EOF at line 2, column 0\n"),
        ("echo '\"abc' | jq .", "", "jq: parse error: Unfinished string at EOF at line 2, column 0\n"),
        ("printf 'abc' | jq .", "", "jq: parse error: Invalid numeric literal at EOF at line 1, column 3\n"),
        ("echo '[1,]' | jq .", "", "jq: parse error: Expected another array element at line 1, column 4\n"),
        ("echo '{\"a\":1,}' | jq .", "", "jq: parse error: Expected another key-value pair at line 1, column 8\n"),
        ("echo '[1 2]' | jq .", "", "jq: parse error: Expected separator between values at line 1, column 5\n"),
        ("echo '[1x]' | jq .", "", "jq: parse error: Invalid numeric literal at line 1, column 4\n"),
        ("echo ']' | jq .", "", "jq: parse error: Unmatched ']' at line 1, column 1\n"),
        ("echo \"{'a': 1}\" | jq .", "", "jq: parse error: Invalid string literal; expected \", but got ' at line 1, column 5\n"),
    ],
)
def test_parse_errors_read_like_jq(sh, line, stdout, stderr):
    r = sh.run(line)
    assert (r.stdout, r.stderr, r.exit_code) == (stdout, stderr, 2)


def test_null_input_does_not_read_stdin(sh):
    assert sh.run("echo notjson | jq -n 1").output == "1\n"


def test_version(sh):
    r = sh.run("jq --version")
    assert (r.output, r.exit_code) == ("jq-1.7.1\n", 0)


def test_nan_and_infinities_print_as_jq_does(sh):
    assert sh.run("jq -nc '[nan, infinite, -infinite]'").output == "[null,1.7976931348623157e+308,-1.7976931348623157e+308]\n"
    assert sh.run("echo nan | jq .").output == "null\n"


def test_slurp_with_a_parse_error_prints_nothing(sh):
    r = sh.run("echo '1 2 x' | jq -s add")
    assert (r.stdout, r.exit_code) == ("", 2) and r.stderr.startswith("jq: parse error: Invalid numeric literal")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=5), st.sampled_from([" ", "\n", "\t", " \n "]), st.booleans())
def test_any_stream_of_json_texts_reads_back(values, sep, indent):
    text = sep.join(json.dumps(v, indent=2 if indent else None) for v in values) + "\n"
    assert read_values(text) == (values, None)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('[]{},:"\\ \n\tabntfrue0123456789-.eE\'')), max_size=30))
def test_any_text_gives_values_or_a_jq_parse_error(text):
    values, error = read_values(text)  # never raises
    if error is None:
        return
    assert error.startswith("jq: parse error: ") and ("at line " in error)
    # what was read before the error is exactly what a JSON decoder reads from the same prefix
    decoder, i = json.JSONDecoder(), 0
    for value in values:
        while text[i] in " \t\r\n":
            i += 1
        if text[i] not in '[]{},:"':
            end = i
            while end < len(text) and text[end] not in ' \t\r\n[]{},:"':
                end += 1
            word = text[i:end]
            got, i = (float("nan") if word == "nan" else json.loads(word)), end
        else:
            got, i = decoder.raw_decode(text, i)
        assert got == value or (isinstance(got, float) and math.isnan(got) and math.isnan(value))
