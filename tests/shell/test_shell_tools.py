"""Tests of the text tools on kubectl-like text (grep, awk, sed, jq, sort, cut, ...)."""

from __future__ import annotations

import json

import pytest

from aoi_gym.shell.interpreter import Shell

PODS = """NAME                             READY   STATUS             RESTARTS       AGE
geo-6b4b8d6d8c-x7k2p             0/1     CrashLoopBackOff   5 (30s ago)    3m
frontend-7f9c6d5b4-abcde         1/1     Running            0              10m
rate-5d8f7c9b6-qwert             1/1     Running            1              10m
mongodb-geo-5f8c7d9b6-zzzzz      1/1     Running            0              10m
"""
PODS_JSON = json.dumps({"items": [
    {"metadata": {"name": "geo-1", "labels": {"app": "geo"}}, "status": {"phase": "Running", "containerStatuses": [{"restartCount": 0}]}},
    {"metadata": {"name": "rate-1", "labels": {"app": "rate"}}, "status": {"phase": "Pending", "containerStatuses": [{"restartCount": 3}]}},
]})


@pytest.fixture(scope="module")
def sh():
    shell = Shell(None)
    shell.fs.write("/tmp/pods.txt", PODS)
    shell.fs.write("/tmp/pods.json", PODS_JSON)
    return shell


@pytest.mark.parametrize(
    "line,expected",
    [
        ("grep -i crash /tmp/pods.txt", PODS.splitlines()[1] + "\n"),
        ("grep -v Running /tmp/pods.txt | tail -n +2 | cut -d' ' -f1", "geo-6b4b8d6d8c-x7k2p\n"),
        ("grep -c Running /tmp/pods.txt", "3\n"),
        ("grep -n geo /tmp/pods.txt | cut -d: -f1", "2\n5\n"),
        ("grep -E 'geo|rate' -o /tmp/pods.txt | sort | uniq -c", "      2 geo\n      1 rate\n"),
        ("grep -w geo /tmp/pods.txt | wc -l", "2\n"),
        ("grep -A1 frontend /tmp/pods.txt | awk '{print $1}'", "frontend-7f9c6d5b4-abcde\nrate-5d8f7c9b6-qwert\n"),
        ("grep -e geo -e rate -c /tmp/pods.txt", "3\n"),
        ("grep -F '5 (30s' /tmp/pods.txt | wc -l", "1\n"),
        ("grep 'x7k2p\\|qwert' /tmp/pods.txt | wc -l", "2\n"),
        ("awk 'NR>1 && $3 != \"Running\" {print $1}' /tmp/pods.txt", "geo-6b4b8d6d8c-x7k2p\n"),
        ("awk 'NR>1 {print $NF}' /tmp/pods.txt | sort -u", "10m\n3m\n"),
        ("awk '/Running/ {n++} END {print n}' /tmp/pods.txt", "3\n"),
        ("awk -F- 'NR>1{print $1}' /tmp/pods.txt | head -2", "geo\nfrontend\n"),
        ("awk 'NR>1 {s+=$4} END {printf \"%d restarts\\n\", s}' /tmp/pods.txt", "6 restarts\n"),
        ("awk 'NR>1 && $4 > 0 {print $1, $4}' /tmp/pods.txt", "geo-6b4b8d6d8c-x7k2p 5\nrate-5d8f7c9b6-qwert 1\n"),
        ("awk '{c[$3]++} END {for (k in c) print k, c[k]}' /tmp/pods.txt | sort", "CrashLoopBackOff 1\nRunning 3\nSTATUS 1\n"),
        ("awk 'BEGIN{x=\"a-b-c\"; n=split(x, p, \"-\"); print n, p[2], toupper(substr(x,3)), length(x)}'", "3 b B-C 5\n"),
        ("echo 'k=v' | awk -F= '{gsub(/v/, \"w\"); print $0; print NF}'", "k=w\n2\n"),
        ("sed -n '2p' /tmp/pods.txt | awk '{print $1}'", "geo-6b4b8d6d8c-x7k2p\n"),
        ("sed 's/Running/OK/g; 1d' /tmp/pods.txt | awk '{print $3}' | uniq", "CrashLoopBackOff\nOK\n"),
        ("sed -E 's/-[a-z0-9]+-[a-z0-9]+ .*//' /tmp/pods.txt | tail -1", "mongodb-geo\n"),
        ("sed -n '/frontend/,/rate/p' /tmp/pods.txt | wc -l", "2\n"),
        ("echo abc | sed 's/\\(b\\)/[\\1]/'", "a[b]c\n"),
        ("sort -k4 -n -r /tmp/pods.txt | head -1 | awk '{print $1}'", "geo-6b4b8d6d8c-x7k2p\n"),
        ("printf '10Mi\\n2Gi\\n300Ki\\n' | sort -h", "300Ki\n10Mi\n2Gi\n"),
        ("printf 'b,2\\na,10\\nc,1\\n' | sort -t, -k2 -n", "c,1\nb,2\na,10\n"),
        ("printf 'a\\na\\nb\\n' | uniq -d", "a\n"),
        ("head -n 2 /tmp/pods.txt | tail -1 | cut -c1-3", "geo\n"),
        ("head -3 /tmp/pods.txt | wc -l", "3\n"),
        ("wc -l < /tmp/pods.txt", "5\n"),
        ("echo 'a b  c' | wc -w", "3\n"),
        ("echo Hello | tr '[:upper:]' '[:lower:]' | tr -d l", "heo\n"),
        ("echo 'a   b' | tr -s ' '", "a b\n"),
        ("jq -r '.items[].metadata.name' /tmp/pods.json", "geo-1\nrate-1\n"),
        ("cat /tmp/pods.json | jq -r '.items[] | select(.status.phase != \"Running\") | .metadata.name'", "rate-1\n"),
        ("jq '.items | length' /tmp/pods.json", "2\n"),
        ("jq -c '[.items[] | {name: .metadata.name, restarts: .status.containerStatuses[0].restartCount}]' /tmp/pods.json",
         '[{"name":"geo-1","restarts":0},{"name":"rate-1","restarts":3}]\n'),
        ("jq -r '.items[] | \"\\(.metadata.name) \\(.status.phase)\"' /tmp/pods.json", "geo-1 Running\nrate-1 Pending\n"),
        ("jq -r '.items | map(.metadata.labels.app) | join(\",\")' /tmp/pods.json", "geo,rate\n"),
        ("jq '.items[0].metadata | keys' -c /tmp/pods.json", '["labels","name"]\n'),
        ("jq -r '.items | sort_by(.status.containerStatuses[0].restartCount) | last | .metadata.name' /tmp/pods.json", "rate-1\n"),
        ("jq '.items[1].status.phase == \"Pending\"' /tmp/pods.json", "true\n"),
        ("jq -r '.items[] | select(.metadata.name | test(\"^geo\")) | .metadata.labels.app' /tmp/pods.json", "geo\n"),
        ("jq -r '.items[0].nope // \"none\"' /tmp/pods.json", "none\n"),
        ("echo '{\"a\":1}' | jq '.a += 1 | .b = \"x\"' -c", '{"a":2,"b":"x"}\n'),
        ("echo '{\"a\":{\"b\":1}}' | jq .", '{\n  "a": {\n    "b": 1\n  }\n}\n'),
        ("printf 'NAME AGE\\nlong-name 5m\\n' | column -t", "NAME       AGE\nlong-name  5m\n"),
        ("echo hello | base64", "aGVsbG8K\n"),
        ("echo aGVsbG8K | base64 -d", "hello\n"),
        ("date +%Y-%m-%d", "2026-01-05\n"),
        ("printf '%-5s|%3d|%.1f\\n' ab 7 2.25", "ab   |  7|2.2\n"),
        ("echo -e 'a\\tb'", "a\tb\n"),
        ("seq 3 | shuf 2>/dev/null || seq 3 | tail -1", "3\n"),
        ("seq 3 | paste -sd+", "1+2+3\n"),
        ("which kubectl helm grep", "/usr/local/bin/kubectl\n/usr/local/bin/helm\n/usr/bin/grep\n"),
        ("command -v jq", "/usr/local/bin/jq\n"),
        ("[ 3 -gt 2 ] && [[ abc == a* ]] && echo ok", "ok\n"),
    ],
)
def test_tool_output(sh, line, expected):
    r = sh.run(line)
    assert r.output == expected, r.output


@pytest.mark.parametrize(
    "line,code,message",
    [
        ("grep nothing /tmp/pods.txt", 1, ""),
        ("grep x /nope", 2, "grep: /nope: No such file or directory\n"),
        ("grep -Z x", 2, "grep: invalid option -- 'Z'"),
        ("grep '(' /tmp/pods.txt", 0, ""),
        ("grep -E '(' /tmp/pods.txt", 2, "grep: Unmatched ( or \\(\n"),
        ("awk '{print $1' /tmp/pods.txt", 2, "awk: cmd. line:1: syntax error"),
        ("sed 's/a/b' /tmp/pods.txt", 1, "sed: -e expression #1"),
        ("jq '.items[' /tmp/pods.json", 3, "jq: 1 compile error"),
        ("jq '.items.metadata' /tmp/pods.json", 5, 'Cannot index array with "metadata"'),
        ("echo notjson | jq .", 5, "jq: parse error: Invalid literal at line 2, column 0\n"),
        ("head -n x /tmp/pods.txt", 1, "head: invalid number of lines: 'x'"),
        ("tail -f /tmp/pods.txt", 1, "following is not supported"),
        ("yes", 1, "not available"),
        ("sort -k0 /tmp/pods.txt", 2, "sort: invalid number"),
    ],
)
def test_tool_errors(sh, line, code, message):
    r = sh.run(line)
    assert r.exit_code == code, r.output
    assert message in r.output
