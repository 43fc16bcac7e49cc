"""Test fixtures for the LLM stack: a tiny random causal LM with a locally trained tokenizer.

:func:`build_tiny_model` writes a complete Hugging Face model directory (config, safetensors weights,
tokenizer with a ChatML chat template, generation config) in well under a second, with no network and
no downloaded files, so tests of generation, GRPO and trajectory plumbing can load a real
``AutoModelForCausalLM`` with ``local_files_only=True``. The weights are random: the text it writes is
gibberish, but token counts, padding, stop strings, chat templates and training steps are all real.

Needs ``torch``, ``transformers`` and ``tokenizers`` (the ``train`` extra); they are imported inside.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["build_tiny_model", "CHATML_TEMPLATE", "TINY_CORPUS", "SPECIAL_TOKENS"]

# A minimal ChatML template (the format of Qwen and SmolLM2 instruct models). Also the fallback that
# TransformersLLM uses for a tokenizer without a chat template.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")

# Text in the register the agents will produce, so common words become single tokens.
TINY_CORPUS = (
    "You are an SRE agent. Diagnose and mitigate the incident in the microservice application.",
    'exec_shell("kubectl get pods -n test-hotel-reservation")',
    'exec_shell("kubectl describe pod geo-6b4b89b5f9-abcde -n test-hotel-reservation")',
    'get_logs("test-hotel-reservation", "geo")',
    'get_metrics("test-hotel-reservation", 5)',
    'get_traces("test-hotel-reservation", 5)',
    'submit("Yes")',
    'submit(["mongodb-geo"])',
    "NAME READY STATUS RESTARTS AGE",
    "geo-6b4b89b5f9-abcde 0/1 CrashLoopBackOff 5 (30s ago) 3m",
    "Error: authentication failed for user admin on database geo-db",
    "Thought: the geo service cannot reach its database. Action:",
    "kubectl rollout restart deployment/geo; kubectl scale deployment frontend --replicas=2",
    "The quick brown fox jumps over the lazy dog. 0123456789 {}[]()<>=+-*/_:;,.'\"!?",
)


def _train_tokenizer(vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(TINY_CORPUS) * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast


def build_tiny_model(out_dir: str | Path, seed: int = 0, vocab_size: int = 512) -> str:
    """Write a tiny random Qwen2 causal LM and its tokenizer to ``out_dir``; return the path as str.

    The model has hidden size 32, 2 layers, 4 attention heads (2 key/value heads): about 30 k
    parameters, ~150 kB on disk. The tokenizer is a byte-level BPE (so any Unicode text round-trips)
    trained on :data:`TINY_CORPUS`, with ``eos_token="<|im_end|>"``, ``pad_token="<|endoftext|>"`` and
    the :data:`CHATML_TEMPLATE` chat template. The same ``seed`` gives byte-identical weights.

    Load it with ``TransformersLLM(path)`` or ``AutoModelForCausalLM.from_pretrained(path,
    local_files_only=True)``; GRPO tests can pass the path to TRL as the model.
    """
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM
    from transformers.utils import logging as hf_logging

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer(vocab_size)
    eos_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    pad_id = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        initializer_range=0.5,  # peaked random logits, so greedy outputs differ between prompts
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
    )
    with torch.random.fork_rng(devices=[]):  # CPU RNG only; leaves the caller's global RNG as it was
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=eos_id, pad_token_id=pad_id)
    bars_were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a 150 kB save needs no progress bar in test logs
    try:
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
    finally:
        if bars_were_on:
            hf_logging.enable_progress_bar()
    return str(out)
