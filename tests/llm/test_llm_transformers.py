"""TransformersLLM on a tiny random model built offline by aoi_agents.llm.testing.build_tiny_model."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
pytest.importorskip("torch")  # the `train` extra; installed in the project's dev environment
pytest.importorskip("transformers")

from aoi_agents.llm import LLM, SamplingParams, make_llm  # noqa: E402
from aoi_agents.llm.testing import CHATML_TEMPLATE, build_tiny_model  # noqa: E402
from aoi_agents.llm.transformers_backend import TransformersLLM  # noqa: E402

GREEDY = SamplingParams(temperature=0.0, max_tokens=10)


def conv(text: str, system: str | None = None) -> list[dict]:
    msgs = [{"role": "system", "content": system}] if system else []
    return msgs + [{"role": "user", "content": text}]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # A 30 k-parameter model gains nothing from intra-op threads, and on a busy 2-core runner their
    # spinning makes generation ~30x slower.
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> str:
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), seed=0)


@pytest.fixture(scope="module")
def llm(tiny_dir) -> TransformersLLM:
    return TransformersLLM(tiny_dir, max_batch=2)


BATCH = [
    conv("hi"),
    conv("kubectl get pods -n test-hotel-reservation", system="You are an SRE agent."),
    conv("submit"),
    conv('get_logs("test-hotel-reservation", "geo") and then some more words to make it long'),
]


def test_build_tiny_model_is_complete_and_deterministic(tiny_dir, tmp_path):
    files = {p.name for p in Path(tiny_dir).iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "generation_config.json"} <= files
    again = build_tiny_model(tmp_path / "again", seed=0)
    other = build_tiny_model(tmp_path / "other", seed=1)

    def digest(d: str) -> str:
        return hashlib.sha256((Path(d) / "model.safetensors").read_bytes()).hexdigest()

    assert digest(again) == digest(tiny_dir)
    assert digest(other) != digest(tiny_dir)


def test_tokenizer_has_chatml_template_and_round_trips_unicode(llm):
    tok = llm.tokenizer
    assert tok.chat_template == CHATML_TEMPLATE
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    text = "kubectl logs géo-αβγ 🚀"
    assert tok.decode(tok(text, add_special_tokens=False).input_ids) == text
    prompt = llm.render_prompt(conv("hi", system="sys"))
    assert prompt == "<|im_start|>system\nsys<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_greedy_batch_equals_one_by_one_with_left_padding(llm):
    assert isinstance(llm, LLM)
    assert llm.tokenizer.padding_side == "left"
    batched = llm.generate(BATCH, GREEDY)  # max_batch=2: two chunks of mixed lengths
    singles = [llm.generate([c], GREEDY)[0] for c in BATCH]
    assert batched == singles
    # the random model is peaked enough that prompts give different texts
    assert len({g.text for g in batched}) > 1


def test_token_counts_are_exact(llm):
    gens = llm.generate(BATCH, GREEDY)
    tok = llm.tokenizer
    for c, g in zip(BATCH, gens):
        assert g.prompt_tokens == len(tok(llm.render_prompt(c), add_special_tokens=False).input_ids)
        assert 1 <= g.completion_tokens <= GREEDY.max_tokens
        if g.finish_reason == "length":
            assert g.completion_tokens == GREEDY.max_tokens
    before = llm.usage.calls
    llm.generate(BATCH[:1], GREEDY)
    assert llm.usage.calls == before + 1


def test_sampling_is_seeded_and_differs_from_greedy(llm):
    params = SamplingParams(temperature=1.0, top_p=0.95, max_tokens=12, seed=7)
    a = llm.generate(BATCH, params)
    b = llm.generate(BATCH, params)
    assert a == b
    c = llm.generate(BATCH, SamplingParams(temperature=1.0, top_p=0.95, max_tokens=12, seed=8))
    assert [g.text for g in c] != [g.text for g in a]


def test_stop_strings_cut_text_and_end_generation(llm):
    free = llm.generate(BATCH, SamplingParams(temperature=1.0, max_tokens=24, seed=3))
    # pick a stop string from inside a generated text, so it will be hit (ASCII: a random model also
    # writes partial UTF-8 bytes, shown as U+FFFD, which no stop string can match at token level)
    stop = next(
        g.text[i : i + 2] for g in free for i in range(2, len(g.text) - 1) if g.text[i : i + 2].isascii()
        and g.text[i : i + 2].isalnum()
    )
    stopped = llm.generate(BATCH, SamplingParams(temperature=1.0, max_tokens=24, seed=3, stop=(stop,)))
    hit = [g for g in stopped if g.finish_reason == "stop" and g.completion_tokens < 24]
    assert hit, "the stop string from a free-running sample should end at least one sequence"
    for g in stopped:
        assert stop not in g.text
    for g_free, g_stop in zip(free, stopped):
        if stop in g_free.text:
            assert g_stop.text == g_free.text[: g_free.text.index(stop)]


def test_missing_path_is_a_clear_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="never|nothing is downloaded"):
        TransformersLLM(tmp_path / "no-such-model")
    with pytest.raises(FileNotFoundError, match="config.json"):
        TransformersLLM(tmp_path)


def test_bad_dtype_names_choices(tiny_dir):
    with pytest.raises(ValueError, match="float32.*bfloat16"):
        TransformersLLM(tiny_dir, dtype="fp8")


def test_make_llm_transformers_and_custom_template(tiny_dir):
    template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
    llm = make_llm(f"transformers:{tiny_dir}", chat_template=template, name="tiny")
    assert llm.name == "tiny"
    assert llm.render_prompt(conv("hey")) == "[user] hey\n"
    (gen,) = llm.generate([conv("hey")], GREEDY)
    assert gen.prompt_tokens == len(llm.tokenizer("[user] hey\n", add_special_tokens=False).input_ids)
