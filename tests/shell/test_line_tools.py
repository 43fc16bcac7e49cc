"""tac, paste, nl, head -n -N, awk's builtin calls as patterns, and the clock in jq and awk.

Expected outputs were recorded from GNU coreutils, mawk and jq on the same input.
"""

from __future__ import annotations

import pytest

from aoi_gym.cluster.sim.cluster import SimCluster
from aoi_gym.shell.interpreter import Shell

TEXT = "a b\n\nc d\ne\n"


@pytest.fixture()
def sh():
    return Shell(SimCluster(seed=0))


@pytest.mark.parametrize(
    "line,expected",
    [
        ("tac", "e\nc d\n\na b\n"),
        ("paste -sd, -", "a b,,c d,e\n"),
        ("paste -s", "a b\t\tc d\te\n"),
        ("paste -d: - -", "a b:\nc d:e\n"),
        ("paste - - -", "a b\t\tc d\ne\t\t\n"),
        ("paste -sd'\\t,'", "a b\t,c d\te\n"),
        ("paste -s -d, - -", "a b,,c d,e\n\n"),
        ("nl", "     1\ta b\n       \n     2\tc d\n     3\te\n"),
        ("nl -ba", "     1\ta b\n     2\t\n     3\tc d\n     4\te\n"),
        ("nl -w3 -s' '", "  1 a b\n    \n  2 c d\n  3 e\n"),
        ("head -n -2", "a b\n\n"),
        ("head --lines -1", "a b\n\nc d\n"),
        ("head -c -2", "a b\n\nc d\n"),
        ("head -2", "a b\n\n"),
        ("awk 'length($1) > 1'", ""),
        ("awk 'length($0) > 2'", "a b\nc d\n"),
        ("awk 'substr($1, 1, 1) == \"c\"'", "c d\n"),
    ],
)
def test_matches_gnu_tools(sh, line, expected):
    r = sh.run(line, TEXT)
    assert (r.stdout, r.exit_code) == (expected, 0), r.stderr


def test_user_defined_functions_still_say_they_are_unsupported(sh):
    for keyword in ("function", "func"):
        r = sh.run(f"echo a | awk '{keyword} f(x) {{ return x }} {{ print f(1) }}'")
        assert r.exit_code == 2 and "user-defined functions are not supported" in r.stderr


@pytest.mark.parametrize(
    "program,expected",
    [
        ("1767603600 | todate", '"2026-01-05T09:00:00Z"'),
        ('"2026-01-05T09:00:00Z" | fromdate', "1767603600"),
        ('"2026-01-05T09:00:00Z" | fromdateiso8601', "1767603600"),
        ("1767603600 | gmtime", "[2026,0,5,9,0,0,1,4]"),
        ("1767603600.5 | gmtime", "[2026,0,5,9,0,0.5,1,4]"),
        ('"2026-01-05T09:00:00Z" | strptime("%Y-%m-%dT%H:%M:%SZ") | mktime', "1767603600"),
        ('1767603600 | strftime("%A, %B %d, %Y")', '"Monday, January 05, 2026"'),
        ("[1767603600 | gmtime | todate]", '["2026-01-05T09:00:00Z"]'),
    ],
)
def test_jq_dates(sh, program, expected):
    r = sh.run(f"jq -nc '{program}'")
    assert (r.stdout, r.exit_code) == (expected + "\n", 0), r.stderr


def test_jq_date_errors(sh):
    r = sh.run("""jq -n '"x" | fromdate'""")
    assert r.exit_code == 5 and 'date "x" does not match format "%Y-%m-%dT%H:%M:%SZ"' in r.stderr


def test_now_and_systime_follow_the_simulated_clock(sh):
    before = int(sh.run("date +%s").stdout)
    assert int(sh.run("jq -n now").stdout) == before == int(sh.run("awk 'BEGIN { print systime() }'").stdout)
    sh.cluster.advance(90)
    assert int(sh.run("jq -n now").stdout) == before + 90 == int(sh.run("awk 'BEGIN { print systime() }'").stdout)
