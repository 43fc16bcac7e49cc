"""jq's input stream: values are processed as they are read, and a parse error reads like jq's.

The expected outputs were recorded from the jq binary (``jq -c .``), with the ``jq: `` prefix that
jq 1.7 puts before ``parse error``.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.shell.interpreter import Shell
from aoi_gym.shell.tools.jq_input import read_values
from aoi_gym.shell.tools.jq_parse import dumps

RECORDED = [
    # YAML piped into jq: the first word ends at the colon, the 11th character
    ('apiVersion: v1\nkind: List\n', '', 'jq: parse error: Invalid numeric literal at line 1, column 11'),
    # a log line: "2026-11-22T10" is one bad word to jq (a colon ends it), not the number 2026 and more
    ('2026-11-22T10:00:00Z INFO start\n', '', 'jq: parse error: Invalid numeric literal at line 1, column 14'),
    ('{"a":1}\nnot json\n', '{"a":1}\n', 'jq: parse error: Invalid literal at line 2, column 4'),
    ('{"a":1\n', '', 'jq: parse error: Unfinished JSON term at EOF at line 2, column 0'),
    ('"abc\n', '', 'jq: parse error: Unfinished string at EOF at line 2, column 0'),
    ('abc', '', 'jq: parse error: Invalid numeric literal at EOF at line 1, column 3'),
    ('[1,]\n', '', 'jq: parse error: Expected another array element at line 1, column 4'),
    ('{"a":1,}\n', '', 'jq: parse error: Expected another key-value pair at line 1, column 8'),
    ('[1 2]\n', '', 'jq: parse error: Expected separator between values at line 1, column 5'),
    ('[1x]\n', '', 'jq: parse error: Invalid numeric literal at line 1, column 4'),
    (']\n', '', "jq: parse error: Unmatched ']' at line 1, column 1"),
    ('{"a":}\n', '', "jq: parse error: Unmatched '}' at line 1, column 6"),
    ('{"a" 1}\n', '', 'jq: parse error: Expected separator between values at line 1, column 7'),
    ('[1,,2]\n', '', "jq: parse error: Expected value before ',' at line 1, column 4"),
    (':\n', '', "jq: parse error: Expected string key before ':' at line 1, column 1"),
    # a value read at the top level is lost when the character that ended it is an error
    ('1,2\n', '', "jq: parse error: Expected value before ',' at line 1, column 2"),
    ('1 ,2\n', '1\n', "jq: parse error: Expected value before ',' at line 1, column 3"),
    ('1 2 3}\n', '1\n2\n', "jq: parse error: Unmatched '}' at line 1, column 6"),
    ('"a\\x"\n', '', 'jq: parse error: Invalid escape at line 1, column 5'),
    ('"a\\u12"\n', '', 'jq: parse error: Invalid \\uXXXX escape at line 1, column 7'),
    ('[1]]\n', '[1]\n', "jq: parse error: Unmatched ']' at line 1, column 4"),
    ('{"a":[1,2}\n', '', 'jq: parse error: Objects must consist of key:value pairs at line 1, column 10'),
    ('[1:2]\n', '', "jq: parse error: ':' not as part of an object at line 1, column 3"),
    ('{1:2}\n', '', 'jq: parse error: Object keys must be strings at line 1, column 3'),
    ('[true false]\n', '', 'jq: parse error: Expected separator between values at line 1, column 12'),
    ('"a\nb" 1', '', 'jq: parse error: Invalid string: control characters from U+0000 through U+001F must be escaped at line 2, column 2'),
    ('1"x"\n', '1\n"x"\n', None),
    ('1[2]\n', '1\n[2]\n', None),
    ('[.5, 01, +1, -inf, NAN]\n', '[0.5,1,1,-1.7976931348623157e+308,null]\n', None),
    # added by jq 1.7: nan is a literal, and a single quote gets its own message
    ('nan\n', 'null\n', None),
    ("{'a': 1}\n", '', 'jq: parse error: Invalid string literal; expected ", but got \' at line 1, column 5'),
]


@pytest.mark.parametrize("text,printed,error", RECORDED)
def test_reads_like_the_jq_binary(text, printed, error):
    values, got_error = read_values(text)
    assert "".join(dumps(v, compact=True) + "\n" for v in values) == printed
    assert got_error == error


@pytest.fixture(scope="module")
def sh():
    return Shell(SimCluster(seed=0))


def test_values_before_a_parse_error_are_filtered_then_status_5(sh):
    r = sh.run("printf '{\"a\":1}\\n{\"a\":2}\\nkind: List\\n' | jq .a")
    assert (r.stdout, r.stderr, r.exit_code) == ("1\n2\n", "jq: parse error: Invalid numeric literal at line 3, column 5\n", 5)


def test_yaml_into_jq_from_kubectl(sh):
    r = sh.run("kubectl get ns -o yaml | jq '.items[].metadata.name'")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "jq: parse error: Invalid numeric literal at line 1, column 11\n", 5)


def test_null_input_does_not_read_stdin(sh):
    assert sh.run("echo notjson | jq -n 1").output == "1\n"


def test_version(sh):
    r = sh.run("jq --version")
    assert (r.output, r.exit_code) == ("jq-1.7.1\n", 0)


def test_nan_and_infinities_print_as_jq_does(sh):
    assert sh.run("jq -nc '[nan, infinite, -infinite]'").output == "[null,1.7976931348623157e+308,-1.7976931348623157e+308]\n"


def test_slurp_with_a_parse_error_prints_nothing(sh):
    r = sh.run("echo '1 2 x' | jq -s add")
    assert (r.stdout, r.exit_code) == ("", 5) and r.stderr.startswith("jq: parse error: Invalid numeric literal")


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
def test_malformed_text_gets_a_positioned_error_after_a_prefix_of_values(text):
    values, error = read_values(text)  # never raises
    if error is None:
        return
    assert error.startswith("jq: parse error: ") and " at line " in error
    # the values read are those of the input's leading whole JSON texts, whatever follows them
    for k, value in enumerate(values):
        assert isinstance(value, (dict, list, str, int, float, bool, type(None)))
        if isinstance(value, float) and math.isnan(value):
            continue
        again, _ = read_values(dumps(value, compact=True))
        assert again == [value] or (isinstance(value, float) and not math.isfinite(value))
