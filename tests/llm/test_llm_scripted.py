"""ScriptedLLM, the text helpers (heuristic token counts, stop strings, input checks) and replies files."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_agents.llm import LLM, LLMError, SamplingParams, ScriptedLLM
from aoi_agents.llm.scripted import load_replies
from aoi_agents.llm.textutil import (
    MESSAGE_OVERHEAD_TOKENS,
    approx_prompt_tokens,
    approx_tokens,
    check_conversations,
    truncate_at_stop,
)


def conv(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def test_replies_consumed_in_order_across_calls_and_batches():
    llm = ScriptedLLM(["a", "b", "c"])
    assert isinstance(llm, LLM)
    assert [g.text for g in llm.generate([conv("1"), conv("2")])] == ["a", "b"]
    assert llm.remaining == 1
    assert [g.text for g in llm.generate([conv("3")])] == ["c"]
    assert llm.remaining == 0


def test_exhausted_error_is_an_llm_error_naming_the_fix():
    llm = ScriptedLLM(["only"], name="demo")
    llm.generate([conv("x")])
    with pytest.raises(LLMError, match="ran out of replies.*cycle"):
        llm.generate([conv("y")])


def test_cycle_and_repeat_last():
    cyc = ScriptedLLM(["a", "b"], when_exhausted="cycle")
    assert [g.text for g in cyc.generate([conv(str(i)) for i in range(5)])] == ["a", "b", "a", "b", "a"]
    rep = ScriptedLLM(["a", "b"], when_exhausted="repeat_last")
    assert [g.text for g in rep.generate([conv(str(i)) for i in range(4)])] == ["a", "b", "b", "b"]


def test_bad_arguments_name_valid_choices():
    with pytest.raises(ValueError, match="error.*cycle.*repeat_last"):
        ScriptedLLM(["a"], when_exhausted="loop")
    with pytest.raises(TypeError, match="not a single string"):
        ScriptedLLM("abc")
    with pytest.raises(ValueError, match="at least one reply"):
        ScriptedLLM([], when_exhausted="cycle")


def test_function_replies_and_seen_records_copies():
    llm = ScriptedLLM(lambda c: f"{len(c)} messages, last: {c[-1]['content']}")
    messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hello"}]
    (gen,) = llm.generate([messages])
    assert gen.text == "2 messages, last: hello"
    messages[1]["content"] = "mutated later"
    assert llm.seen == [[{"role": "system", "content": "sys"}, {"role": "user", "content": "hello"}]]
    assert llm.remaining is None


def test_function_must_return_str():
    llm = ScriptedLLM(lambda c: 42)
    with pytest.raises(TypeError, match="must return str"):
        llm.generate([conv("x")])


def test_stop_strings_cut_the_reply_and_usage_uses_the_heuristic():
    llm = ScriptedLLM(["Thought: look at pods\nAction: get_logs(x)\nObservation: fake"])
    (gen,) = llm.generate([conv("go now")], SamplingParams(stop=("\nObservation:",)))
    assert gen.text == "Thought: look at pods\nAction: get_logs(x)"
    assert gen.finish_reason == "stop"
    assert gen.prompt_tokens == approx_tokens("go now") + MESSAGE_OVERHEAD_TOKENS
    assert gen.completion_tokens == approx_tokens(gen.text)
    assert (llm.usage.calls, llm.usage.prompt_tokens, llm.usage.completion_tokens) == (
        1,
        gen.prompt_tokens,
        gen.completion_tokens,
    )


def test_generate_rejects_a_conversation_passed_instead_of_a_batch():
    llm = ScriptedLLM(["a"])
    with pytest.raises(TypeError, match=r"generate\(\[messages\]\)"):
        llm.generate(conv("x"))
    with pytest.raises(ValueError, match="role"):
        llm.generate([[{"role": "wizard", "content": "x"}]])
    with pytest.raises(ValueError, match="non-empty"):
        llm.generate([[]])
    assert llm.remaining == 1  # nothing consumed by rejected batches


def test_concurrent_callers_each_get_distinct_replies():
    llm = ScriptedLLM([str(i) for i in range(40)])
    got: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            text = llm.generate([conv("x")])[0].text
            with lock:
                got.append(text)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got, key=int) == [str(i) for i in range(40)]


def test_approx_tokens_examples():
    assert approx_tokens("") == 0
    assert approx_tokens("a b c d e") == 5  # words win over chars/4 = 3
    assert approx_tokens("x" * 40) == 10  # chars/4 wins over 1 word
    assert approx_prompt_tokens([{"role": "user", "content": ""}]) == MESSAGE_OVERHEAD_TOKENS


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_approx_tokens_is_monotone_and_subadditive_under_concatenation(a, b):
    ab = approx_tokens(a + b)
    assert max(approx_tokens(a), approx_tokens(b)) <= ab <= approx_tokens(a) + approx_tokens(b)
    assert approx_tokens(a) >= 0
    assert (approx_tokens(a) == 0) == (a == "")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.lists(st.text(max_size=4), max_size=4))
def test_truncate_at_stop_properties(text, stops):
    out, hit = truncate_at_stop(text, stops)
    assert text.startswith(out)
    live = [s for s in stops if s]
    assert hit == any(s in text for s in live)
    # no stop string occurs entirely inside the returned text
    assert not any(s in out for s in live)
    if hit:
        assert any(text[len(out) :].startswith(s) for s in live)
    else:
        assert out == text


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=6), st.integers(1, 4))
def test_scripted_is_deterministic(replies, batch):
    def run() -> list[tuple[str, int, int]]:
        llm = ScriptedLLM(replies, when_exhausted="cycle")
        out = []
        for i in range(3):
            out += [(g.text, g.prompt_tokens, g.completion_tokens) for g in llm.generate([conv(str(i))] * batch)]
        return out

    assert run() == run()


def test_check_conversations_returns_lists():
    batch = check_conversations(((({"role": "user", "content": "x"}),),))
    assert batch == [[{"role": "user", "content": "x"}]]


def test_load_replies_text_and_json(tmp_path):
    txt = tmp_path / "replies.txt"
    txt.write_text('Thought: a\nAction: exec_shell("kubectl get pods")\n---\n\nsubmit("Yes")\n---\n', encoding="utf-8")
    assert load_replies(txt) == ['Thought: a\nAction: exec_shell("kubectl get pods")', 'submit("Yes")']
    js = tmp_path / "replies.json"
    js.write_text(json.dumps(["a", "b"]), encoding="utf-8")
    assert load_replies(js) == ["a", "b"]
    js.write_text(json.dumps({"replies": ["c"]}), encoding="utf-8")
    assert load_replies(js) == ["c"]
    llm = ScriptedLLM.from_file(js)
    assert llm.name == f"scripted:{js}" and llm.generate([conv("x")])[0].text == "c"


def test_load_replies_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_replies(tmp_path / "missing.txt")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="list of strings"):
        load_replies(bad)
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_replies(bad)
