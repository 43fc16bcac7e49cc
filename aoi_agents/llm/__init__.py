"""Generation back-ends for aoi-gym agents: one small protocol, four implementations.

Every back-end implements :class:`LLM`: ``generate(conversations, params) -> list[Generation]`` on a
batch of chat conversations, plus ``name`` and a running ``usage`` meter.

* :class:`ScriptedLLM`: replies from a list, a file or a function (tests, demos); needs nothing.
* :class:`OpenAICompatibleLLM`: any ``/v1/chat/completions`` server (vllm serve, llama.cpp server,
  OpenRouter); standard library only.
* :class:`TransformersLLM`: a local Hugging Face model directory on CPU or GPU; ``train`` extra.
* :class:`VLLMOfflineLLM`: a local model (and LoRA adapter) in an in-process vLLM engine; ``vllm`` extra.

Command lines name a back-end with a *spec* string, turned into a back-end by :func:`make_llm`::

    spec        := scripted | openai | transformers | vllm
    scripted    := "scripted:" PATH               replies file: JSON list of strings, or text with
                                                  replies separated by lines holding only "---"
    openai      := "openai:" BASE_URL "#" MODEL    e.g. openai:http://127.0.0.1:8000/v1#Qwen/Qwen3-0.6B
                                                  (split at the last "#"; API key from the
                                                  OPENAI_API_KEY environment variable)
    transformers:= "transformers:" PATH           a local model directory
    vllm        := "vllm:" PATH ["@" LORA_PATH]   a local model directory, optionally a LoRA adapter
                                                  (split at the last "@")

Importing this package imports neither torch, transformers nor vllm: those load when a back-end that
needs them is created.
"""

from __future__ import annotations

import os
from typing import Any

from .base import LLM, Generation, LLMError, Message, SamplingParams, UsageMeter
from .malformed import retry_on_malformed
from .openai_compat import OpenAICompatibleLLM
from .scripted import ScriptedLLM
from .textutil import approx_prompt_tokens, approx_tokens

__all__ = [
    "LLM",
    "Generation",
    "LLMError",
    "Message",
    "SamplingParams",
    "UsageMeter",
    "ScriptedLLM",
    "OpenAICompatibleLLM",
    "TransformersLLM",
    "VLLMOfflineLLM",
    "make_llm",
    "parse_llm_spec",
    "retry_on_malformed",
    "approx_tokens",
    "approx_prompt_tokens",
    "SCHEMES",
]

SCHEMES = ("scripted", "openai", "transformers", "vllm")

_GRAMMAR = (
    "scripted:<replies file> | openai:<base_url>#<model> | transformers:<model dir> | "
    "vllm:<model dir>[@<lora dir>]"
)


def __getattr__(name: str) -> Any:
    # The heavy back-ends are exposed lazily so that `import aoi_agents.llm` stays light.
    if name == "TransformersLLM":
        from .transformers_backend import TransformersLLM

        return TransformersLLM
    if name == "VLLMOfflineLLM":
        from .vllm_backend import VLLMOfflineLLM

        return VLLMOfflineLLM
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_llm_spec(spec: str) -> tuple[str, dict[str, str]]:
    """Split a back-end spec into ``(scheme, fields)`` without building anything.

    Fields: ``scripted`` -> ``{"path"}``; ``openai`` -> ``{"base_url", "model"}``; ``transformers`` ->
    ``{"path"}``; ``vllm`` -> ``{"path", "lora_path"?}``. Raises ``ValueError`` naming the grammar.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"LLM spec {spec!r} has no scheme; valid schemes: {list(SCHEMES)} ({_GRAMMAR})")
    scheme, _, rest = spec.partition(":")
    scheme = scheme.strip().lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unknown LLM scheme {scheme!r} in {spec!r}; valid schemes: {list(SCHEMES)} ({_GRAMMAR})")
    if not rest:
        raise ValueError(f"LLM spec {spec!r} is missing what comes after '{scheme}:' ({_GRAMMAR})")
    if scheme == "openai":
        base_url, sep, model = rest.rpartition("#")
        if not sep or not base_url or not model:
            raise ValueError(f"openai spec must be openai:<base_url>#<model>, got {spec!r}")
        return scheme, {"base_url": base_url, "model": model}
    if scheme == "vllm":
        path, sep, lora = rest.rpartition("@")
        if not sep:
            return scheme, {"path": rest}
        if not path or not lora:
            raise ValueError(f"vllm spec must be vllm:<model dir>[@<lora dir>], got {spec!r}")
        return scheme, {"path": path, "lora_path": lora}
    return scheme, {"path": rest}


def make_llm(spec: str, **kw: Any) -> LLM:
    """Build a back-end from a spec string (grammar in the module docstring).

    Keyword arguments go to the back-end's constructor (e.g. ``timeout_s=30`` for ``openai``,
    ``device="cuda"`` for ``transformers``, ``when_exhausted="cycle"`` for ``scripted``). For
    ``openai``, ``api_key`` defaults to the ``OPENAI_API_KEY`` environment variable.
    """
    scheme, fields = parse_llm_spec(spec)
    if scheme == "scripted":
        return ScriptedLLM.from_file(fields["path"], **kw)
    if scheme == "openai":
        kw.setdefault("api_key", os.environ.get("OPENAI_API_KEY") or None)
        return OpenAICompatibleLLM(fields["base_url"], fields["model"], **kw)
    if scheme == "transformers":
        from .transformers_backend import TransformersLLM

        return TransformersLLM(fields["path"], **kw)
    from .vllm_backend import VLLMOfflineLLM

    return VLLMOfflineLLM(fields["path"], lora_path=fields.get("lora_path"), **kw)
