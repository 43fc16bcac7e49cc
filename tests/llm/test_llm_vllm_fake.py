"""VLLMOfflineLLM's mapping onto vLLM, checked against a fake ``vllm`` module (no GPU, no vllm needed)."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field

import pytest

from aoi_agents.llm import LLM, SamplingParams, make_llm
from aoi_agents.llm.vllm_backend import VLLMOfflineLLM


@dataclass
class FakeCompletion:
    text: str
    token_ids: list[int]
    finish_reason: str | None = "stop"


@dataclass
class FakeRequestOutput:
    prompt_token_ids: list[int]
    outputs: list[FakeCompletion] = field(default_factory=list)


class FakeSamplingParams:
    def __init__(self, **kwargs):
        self.kwargs = kwargs


class FakeLoRARequest:
    def __init__(self, lora_name, lora_int_id, lora_path):
        self.args = (lora_name, lora_int_id, lora_path)


class FakeEngine:
    instances: list["FakeEngine"] = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.chat_calls: list[tuple[list, dict]] = []
        FakeEngine.instances.append(self)

    def chat(self, messages, **kwargs):
        self.chat_calls.append((messages, kwargs))
        outs = []
        for i, conv in enumerate(messages):
            n_prompt = 10 * (i + 1) + len(conv)
            text = f"reply to {conv[-1]['content']}"
            outs.append(FakeRequestOutput(list(range(n_prompt)), [FakeCompletion(text, list(range(i + 2)), "length" if i else "stop")]))
        return outs


@pytest.fixture
def fake_vllm(monkeypatch):
    vllm = types.ModuleType("vllm")
    vllm.LLM = FakeEngine
    vllm.SamplingParams = FakeSamplingParams
    lora = types.ModuleType("vllm.lora")
    request = types.ModuleType("vllm.lora.request")
    request.LoRARequest = FakeLoRARequest
    lora.request = request
    vllm.lora = lora
    monkeypatch.setitem(sys.modules, "vllm", vllm)
    monkeypatch.setitem(sys.modules, "vllm.lora", lora)
    monkeypatch.setitem(sys.modules, "vllm.lora.request", request)
    FakeEngine.instances.clear()
    return vllm


@pytest.fixture
def model_dir(tmp_path):
    d = tmp_path / "model"
    d.mkdir()
    (d / "config.json").write_text("{}", encoding="utf-8")
    return d


def make_adapter(path, r: int):
    path.mkdir()
    (path / "adapter_config.json").write_text(json.dumps({"r": r, "peft_type": "LORA"}), encoding="utf-8")
    return path


def conv(text):
    return [{"role": "user", "content": text}]


def test_engine_kwargs_and_sampling_mapping(fake_vllm, model_dir):
    llm = VLLMOfflineLLM(model_dir, gpu_memory_utilization=0.5, max_model_len=4096, tensor_parallel_size=2)
    assert isinstance(llm, LLM) and llm.name == str(model_dir)
    (engine,) = FakeEngine.instances
    assert engine.kwargs == {
        "model": str(model_dir),
        "gpu_memory_utilization": 0.5,
        "max_model_len": 4096,
        "tensor_parallel_size": 2,
    }
    params = SamplingParams(temperature=0.8, top_p=0.9, max_tokens=64, stop=("\nObservation:",), seed=11)
    gens = llm.generate([conv("a"), conv("b"), conv("c")], params)
    ((messages, kwargs),) = engine.chat_calls
    assert messages == [conv("a"), conv("b"), conv("c")]
    assert kwargs["use_tqdm"] is False and kwargs["lora_request"] is None
    assert "chat_template" not in kwargs and "chat_template_kwargs" not in kwargs
    assert [sp.kwargs for sp in kwargs["sampling_params"]] == [
        {"n": 1, "temperature": 0.8, "top_p": 0.9, "max_tokens": 64, "stop": ["\nObservation:"], "seed": 11 + i}
        for i in range(3)
    ]
    assert [g.text for g in gens] == ["reply to a", "reply to b", "reply to c"]
    assert [g.prompt_tokens for g in gens] == [11, 21, 31]
    assert [g.completion_tokens for g in gens] == [2, 3, 4]
    assert [g.finish_reason for g in gens] == ["stop", "length", "length"]
    assert (llm.usage.calls, llm.usage.prompt_tokens, llm.usage.completion_tokens) == (3, 63, 9)


def test_unseeded_and_no_stop_map_to_none(fake_vllm, model_dir):
    llm = VLLMOfflineLLM(model_dir)
    llm.generate([conv("a")], SamplingParams(temperature=0.0))
    sp = FakeEngine.instances[0].chat_calls[0][1]["sampling_params"][0].kwargs
    assert sp["seed"] is None and sp["stop"] is None and sp["temperature"] == 0.0
    assert llm.generate([]) == []


def test_lora_request_and_rank(fake_vllm, model_dir, tmp_path):
    adapter = make_adapter(tmp_path / "grpo-adapter", r=64)
    llm = VLLMOfflineLLM(model_dir, lora_path=adapter)
    engine = FakeEngine.instances[0]
    assert engine.kwargs["enable_lora"] is True and engine.kwargs["max_lora_rank"] == 64
    assert llm.lora_request.args == ("grpo-adapter", 1, str(adapter))
    assert llm.name == f"{model_dir}@{adapter}"
    llm.generate([conv("x")])
    assert engine.chat_calls[0][1]["lora_request"] is llm.lora_request


def test_small_lora_rank_keeps_vllm_default(fake_vllm, model_dir, tmp_path):
    VLLMOfflineLLM(model_dir, lora_path=make_adapter(tmp_path / "a", r=8))
    assert "max_lora_rank" not in FakeEngine.instances[0].kwargs


def test_chat_template_options_are_passed(fake_vllm, model_dir):
    llm = VLLMOfflineLLM(model_dir, chat_template="{{ x }}", chat_template_kwargs={"enable_thinking": False})
    llm.generate([conv("x")])
    kwargs = FakeEngine.instances[0].chat_calls[0][1]
    assert kwargs["chat_template"] == "{{ x }}"
    assert kwargs["chat_template_kwargs"] == {"enable_thinking": False}


def test_make_llm_vllm_spec_with_lora(fake_vllm, model_dir, tmp_path):
    adapter = make_adapter(tmp_path / "ad", r=16)
    llm = make_llm(f"vllm:{model_dir}@{adapter}", max_model_len=1024)
    assert isinstance(llm, VLLMOfflineLLM)
    assert llm.lora_path == str(adapter)
    assert FakeEngine.instances[0].kwargs["max_model_len"] == 1024


def test_missing_paths_raise_before_importing_vllm(fake_vllm, tmp_path, model_dir):
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        VLLMOfflineLLM(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="adapter_config.json"):
        VLLMOfflineLLM(model_dir, lora_path=tmp_path / "no-adapter")
    assert FakeEngine.instances == []


def test_missing_vllm_gives_install_hint(monkeypatch, model_dir):
    monkeypatch.setitem(sys.modules, "vllm", None)  # makes `import vllm` raise ImportError
    with pytest.raises(ImportError, match=r'pip install "aoi-gym\[vllm\]"'):
        VLLMOfflineLLM(model_dir)
