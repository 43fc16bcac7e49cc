"""make_llm spec parsing, retry_on_malformed, and the promise that `import aoi_agents.llm` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aoi_agents.llm import (
    SCHEMES,
    LLMError,
    OpenAICompatibleLLM,
    SamplingParams,
    ScriptedLLM,
    make_llm,
    parse_llm_spec,
    retry_on_malformed,
)
from aoi_agents.llm.stub_server import StubServer


def test_import_does_not_load_heavy_libraries():
    code = (
        "import sys, aoi_agents.llm, aoi_agents.llm.stub_server, aoi_agents.llm.testing, "
        "aoi_agents.llm.transformers_backend, aoi_agents.llm.vllm_backend; "
        "aoi_agents.llm.TransformersLLM; aoi_agents.llm.VLLMOfflineLLM; "
        "print(sorted(m for m in ('torch', 'transformers', 'vllm', 'tokenizers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_parse_specs():
    assert parse_llm_spec("scripted:/tmp/r.txt") == ("scripted", {"path": "/tmp/r.txt"})
    assert parse_llm_spec("openai:http://127.0.0.1:8000/v1#Qwen/Qwen3-0.6B") == (
        "openai",
        {"base_url": "http://127.0.0.1:8000/v1", "model": "Qwen/Qwen3-0.6B"},
    )
    assert parse_llm_spec("transformers:./models/tiny") == ("transformers", {"path": "./models/tiny"})
    assert parse_llm_spec("vllm:/m/qwen") == ("vllm", {"path": "/m/qwen"})
    assert parse_llm_spec("vllm:/m/qwen@/runs/adapter") == ("vllm", {"path": "/m/qwen", "lora_path": "/runs/adapter"})
    # split at the last "@": a model path may contain "@", a LoRA path may not
    assert parse_llm_spec("vllm:/m/q@v2@/runs/adapter") == ("vllm", {"path": "/m/q@v2", "lora_path": "/runs/adapter"})
    assert parse_llm_spec("OpenAI:http://h/v1#m")[0] == "openai"


@pytest.mark.parametrize(
    "spec, match",
    [
        ("gpt4", "no scheme.*scripted.*openai.*transformers.*vllm"),
        ("hf:/models/x", "unknown LLM scheme 'hf'.*scripted.*openai.*transformers.*vllm"),
        ("openai:http://127.0.0.1:8000/v1", "openai:<base_url>#<model>"),
        ("openai:#model", "openai:<base_url>#<model>"),
        ("transformers:", "missing"),
        ("vllm:/m@", r"vllm:<model dir>\[@<lora dir>\]"),
    ],
)
def test_bad_specs_name_the_grammar(spec, match):
    with pytest.raises(ValueError, match=match):
        make_llm(spec)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["http://127.0.0.1:8000/v1", "https://openrouter.ai/api/v1", "http://h:1"]),
    st.text(st.characters(blacklist_characters="#", blacklist_categories=("Cs",)), min_size=1, max_size=30),
)
def test_openai_spec_round_trips(base_url, model):
    assert parse_llm_spec(f"openai:{base_url}#{model}") == ("openai", {"base_url": base_url, "model": model})


def test_make_llm_scripted(tmp_path):
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(["one", "two"]), encoding="utf-8")
    llm = make_llm(f"scripted:{path}", when_exhausted="cycle")
    assert isinstance(llm, ScriptedLLM)
    assert [g.text for g in llm.generate([[{"role": "user", "content": "x"}]] * 3)] == ["one", "two", "one"]
    with pytest.raises(FileNotFoundError):
        make_llm(f"scripted:{tmp_path / 'missing.txt'}")


def test_make_llm_openai_reads_api_key_from_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    with StubServer() as server:
        llm = make_llm(f"openai:{server.base_url}#served-model", timeout_s=5)
        assert isinstance(llm, OpenAICompatibleLLM) and llm.name == "served-model" and llm.timeout_s == 5
        assert llm.generate([[{"role": "user", "content": "ping"}]])[0].text == "echo: ping"
        assert server.requests[0].headers["Authorization"] == "Bearer sk-env"
        assert server.requests[0].json["model"] == "served-model"
    monkeypatch.delenv("OPENAI_API_KEY")
    assert make_llm("openai:http://127.0.0.1:9/v1#m").api_key is None
    assert make_llm("openai:http://127.0.0.1:9/v1#m", api_key="explicit").api_key == "explicit"


def test_make_llm_transformers_missing_path_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        make_llm(f"transformers:{tmp_path / 'nope'}")


def test_every_scheme_is_documented():
    import aoi_agents.llm as pkg

    for scheme in SCHEMES:
        assert f'"{scheme}:"' in pkg.__doc__


# -- retry_on_malformed ------------------------------------------------------------------------------


def needs_action(text: str) -> str | None:
    return None if text.startswith("Action:") else "the reply must start with 'Action:'"


def correction(error: str) -> str:
    return f"Invalid reply: {error}. Try again."


def test_valid_first_time_makes_one_call():
    llm = ScriptedLLM(["Action: submit()"])
    conversation = [{"role": "user", "content": "go"}]
    text, gens = retry_on_malformed(llm, conversation, needs_action, correction)
    assert text == "Action: submit()" and len(gens) == 1
    assert llm.seen == [conversation]


def test_malformed_then_fixed_sees_its_reply_and_the_correction():
    llm = ScriptedLLM(["I think we should look at logs", "Action: get_logs(x)"])
    conversation = [{"role": "system", "content": "sys"}, {"role": "user", "content": "go"}]
    params = SamplingParams(temperature=0.0, max_tokens=5)
    text, gens = retry_on_malformed(llm, conversation, needs_action, correction, params=params)
    assert text == "Action: get_logs(x)"
    assert [g.text for g in gens] == ["I think we should look at logs", "Action: get_logs(x)"]
    assert llm.seen[1] == conversation + [
        {"role": "assistant", "content": "I think we should look at logs"},
        {"role": "user", "content": "Invalid reply: the reply must start with 'Action:'. Try again."},
    ]
    assert len(conversation) == 2  # the caller's list is untouched


def test_gives_up_after_max_retries_and_returns_all_generations():
    llm = ScriptedLLM(["bad 1", "bad 2", "bad 3", "Action: late"])
    text, gens = retry_on_malformed(llm, [{"role": "user", "content": "go"}], needs_action, correction, max_retries=2)
    assert text is None
    assert [g.text for g in gens] == ["bad 1", "bad 2", "bad 3"]
    assert len(llm.seen[-1]) == 5  # user + 2 x (assistant reply, correction)
    text, gens = retry_on_malformed(llm, [{"role": "user", "content": "go"}], needs_action, correction, max_retries=0)
    assert text == "Action: late" and len(gens) == 1


def test_retry_on_malformed_rejects_negative_retries_and_propagates_llm_errors():
    with pytest.raises(ValueError, match="max_retries"):
        retry_on_malformed(ScriptedLLM(["x"]), [{"role": "user", "content": "go"}], needs_action, correction, -1)
    with pytest.raises(LLMError):
        retry_on_malformed(ScriptedLLM(["bad"]), [{"role": "user", "content": "go"}], needs_action, correction, 1)
