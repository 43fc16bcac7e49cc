"""Fast offline generation on a GPU with vLLM (``pip install "aoi-gym[vllm]"``).

    llm = VLLMOfflineLLM("/models/Qwen3-0.6B", lora_path="runs/grpo/adapter", max_model_len=8192)
    gens = llm.generate(conversations, SamplingParams(temperature=1.0, max_tokens=256, seed=0))

The engine is built once (``vllm.LLM``); each :meth:`VLLMOfflineLLM.generate` call sends the whole
batch through ``LLM.chat`` so vLLM schedules it with continuous batching. Token counts are exact,
read from each output's ``prompt_token_ids`` and ``outputs[0].token_ids``.

``vllm`` is imported when a :class:`VLLMOfflineLLM` is created; without it a clear ``ImportError``
says what to install.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .base import Generation, Message, SamplingParams, UsageMeter
from .textutil import check_conversations
from .transformers_backend import check_model_dir

__all__ = ["VLLMOfflineLLM", "import_vllm"]

_VLLM_DEFAULT_MAX_LORA_RANK = 16


def import_vllm() -> Any:
    """Import and return the ``vllm`` module, or raise an ImportError saying how to install it."""
    try:
        import vllm
    except ImportError as e:
        raise ImportError(
            'VLLMOfflineLLM needs vLLM, which is not installed: pip install "aoi-gym[vllm]" '
            "(needs a CUDA GPU). On CPU use the transformers back-end (make_llm('transformers:<path>')) "
            f"or an OpenAI-compatible server (make_llm('openai:<url>#<model>')). Import error: {e}"
        ) from e
    return vllm


def _lora_rank(lora_path: Path) -> int | None:
    """The LoRA rank ``r`` from a PEFT ``adapter_config.json``, or None when unreadable."""
    try:
        r = json.loads((lora_path / "adapter_config.json").read_text(encoding="utf-8")).get("r")
    except (OSError, ValueError):
        return None
    return int(r) if isinstance(r, int) else None


class VLLMOfflineLLM:
    """A vLLM engine in this process.

    Args:
        model_path: a local model directory (nothing is downloaded).
        lora_path: a local PEFT adapter directory applied to every request (enables LoRA in the
            engine and sizes ``max_lora_rank`` from the adapter's ``r``).
        gpu_memory_utilization: fraction of GPU memory vLLM may take.
        max_model_len: context length (prompt + completion) the engine reserves for.
        chat_template: a Jinja template overriding the tokenizer's.
        chat_template_kwargs: passed to the template, e.g. ``{"enable_thinking": False}`` for Qwen3.
        name: model name for trajectories (default: the model path, ``+@<lora path>`` with an adapter).
        **engine_kwargs: any other ``vllm.LLM`` argument (``tensor_parallel_size``, ``dtype``,
            ``enable_prefix_caching``, ``seed``...).

    Sampling maps to ``vllm.SamplingParams(n=1, temperature, top_p, max_tokens, stop, seed)``, one per
    conversation, with ``seed + i`` for the i-th conversation of a batch (reproducible and distinct).
    """

    def __init__(
        self,
        model_path: str | Path,
        lora_path: str | Path | None = None,
        gpu_memory_utilization: float = 0.85,
        max_model_len: int = 8192,
        chat_template: str | None = None,
        chat_template_kwargs: dict[str, Any] | None = None,
        name: str | None = None,
        **engine_kwargs: Any,
    ) -> None:
        path = check_model_dir(model_path)
        lora = None
        if lora_path is not None:
            lora = Path(lora_path).expanduser()
            if not (lora / "adapter_config.json").is_file():
                raise FileNotFoundError(
                    f"LoRA adapter directory {str(lora)!r} has no adapter_config.json (expected a PEFT save_pretrained folder)"
                )
        vllm = import_vllm()
        self.model_path = str(path)
        self.lora_path = str(lora) if lora is not None else None
        self.name = name or (f"{model_path}@{lora_path}" if lora_path is not None else str(model_path))
        self.chat_template = chat_template
        self.chat_template_kwargs = dict(chat_template_kwargs or {})
        self.usage = UsageMeter()
        self._vllm = vllm
        self.engine_kwargs: dict[str, Any] = {
            "model": self.model_path,
            "gpu_memory_utilization": gpu_memory_utilization,
            "max_model_len": max_model_len,
            **engine_kwargs,
        }
        self.lora_request = None
        if lora is not None:
            self.engine_kwargs.setdefault("enable_lora", True)
            rank = _lora_rank(lora)
            if rank is not None and rank > _VLLM_DEFAULT_MAX_LORA_RANK:
                self.engine_kwargs.setdefault("max_lora_rank", rank)
            from vllm.lora.request import LoRARequest

            self.lora_request = LoRARequest(lora.name or "adapter", 1, str(lora))
        self.engine = vllm.LLM(**self.engine_kwargs)

    def __repr__(self) -> str:
        return f"VLLMOfflineLLM({self.model_path!r}, lora_path={self.lora_path!r})"

    def sampling_params(self, params: SamplingParams, index: int = 0) -> Any:
        """The ``vllm.SamplingParams`` for the ``index``-th conversation of a batch."""
        return self._vllm.SamplingParams(
            n=1,
            temperature=float(params.temperature),
            top_p=float(params.top_p),
            max_tokens=int(params.max_tokens),
            stop=list(params.stop) or None,
            seed=None if params.seed is None else params.seed + index,
        )

    def generate(self, conversations: list[list[Message]], params: SamplingParams | None = None) -> list[Generation]:
        """Generate one completion per conversation in a single ``LLM.chat`` call; results in order."""
        params = params or SamplingParams()
        batch = check_conversations(conversations)
        if not batch:
            return []
        kwargs: dict[str, Any] = {
            "sampling_params": [self.sampling_params(params, i) for i in range(len(batch))],
            "use_tqdm": False,
            "lora_request": self.lora_request,
        }
        if self.chat_template is not None:
            kwargs["chat_template"] = self.chat_template
        if self.chat_template_kwargs:
            kwargs["chat_template_kwargs"] = self.chat_template_kwargs
        outputs = self.engine.chat(batch, **kwargs)
        gens = []
        for out in outputs:
            completion = out.outputs[0]
            gens.append(
                Generation(
                    text=completion.text,
                    prompt_tokens=len(out.prompt_token_ids or ()),
                    completion_tokens=len(completion.token_ids or ()),
                    finish_reason=str(completion.finish_reason or "stop"),
                )
            )
        self.usage.add(gens)
        return gens
