"""Local generation with Hugging Face ``transformers`` (CPU or one GPU), from a model directory.

    llm = TransformersLLM("/models/Qwen3-0.6B", device="cpu")
    gens = llm.generate([conversation], SamplingParams(temperature=0.0, max_tokens=64, stop=("\\n",)))

Only local directories are loaded (``local_files_only=True``): this back-end never downloads. The
chat template of the tokenizer is applied (or the ``chat_template`` given), batches are left-padded
and generated ``max_batch`` conversations at a time. Token counts are exact: ``prompt_tokens`` is
the templated prompt's length, ``completion_tokens`` the number of tokens the model generated
(through the end-of-sequence token or the token that completed a stop string).

``torch`` and ``transformers`` are imported when a :class:`TransformersLLM` is created, not before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Generation, Message, SamplingParams, UsageMeter
from .textutil import check_conversations, truncate_at_stop

__all__ = ["TransformersLLM", "DTYPES"]

DTYPES = ("float32", "float16", "bfloat16", "auto")


def check_model_dir(model_path: str | Path, what: str = "model") -> Path:
    """Return ``model_path`` as a Path if it is a directory holding ``config.json``, else raise FileNotFoundError."""
    path = Path(model_path).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"{what} directory not found: {str(path)!r}. Only local directories are loaded (nothing is "
            "downloaded); pass a folder written by save_pretrained or a snapshot you copied there."
        )
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{str(path)!r} has no config.json, so it is not a Hugging Face model directory")
    return path


class TransformersLLM:
    """A local causal LM driven through ``AutoModelForCausalLM.generate``.

    Args:
        model_path: a local model directory (``config.json``, weights, tokenizer files).
        device: a torch device string (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``).
        dtype: one of :data:`DTYPES`.
        chat_template: a Jinja chat template overriding the tokenizer's; when neither exists, the
            ChatML template of :data:`aoi_agents.llm.testing.CHATML_TEMPLATE` is used.
        max_batch: conversations generated together in one ``generate`` call.
        name: the model name for trajectories (default: ``model_path``).

    Sampling: ``temperature == 0`` decodes greedily; otherwise samples with ``temperature`` and
    ``top_p``. ``seed`` seeds torch's global generator before each batch. Stop strings end a
    sequence early and are cut from the returned text (``finish_reason="stop"``); hitting
    ``max_tokens`` gives ``finish_reason="length"``.

    Attributes ``model`` and ``tokenizer`` are the loaded objects (a GRPO trainer may share them).
    """

    def __init__(
        self,
        model_path: str | Path,
        device: str = "cpu",
        dtype: str = "float32",
        chat_template: str | None = None,
        max_batch: int = 8,
        name: str | None = None,
    ) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}")
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        path = check_model_dir(model_path)
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.model_path = str(path)
        self.name = name or str(model_path)
        self.device = device
        self.max_batch = int(max_batch)
        self.usage = UsageMeter()
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if chat_template is not None:
            self.tokenizer.chat_template = chat_template
        elif not getattr(self.tokenizer, "chat_template", None):
            from .testing import CHATML_TEMPLATE

            self.tokenizer.chat_template = CHATML_TEMPLATE
        torch_dtype: Any = "auto" if dtype == "auto" else getattr(torch, dtype)
        self.model = AutoModelForCausalLM.from_pretrained(self.model_path, local_files_only=True, dtype=torch_dtype)
        self.model.to(device)
        self.model.eval()
        self._eos_ids = self._collect_eos_ids()

    def __repr__(self) -> str:
        return f"TransformersLLM({self.model_path!r}, device={self.device!r})"

    def _collect_eos_ids(self) -> set[int]:
        ids: set[int] = set()
        for source in (self.model.generation_config.eos_token_id, self.tokenizer.eos_token_id):
            if isinstance(source, int):
                ids.add(source)
            elif source:
                ids.update(int(i) for i in source)
        return ids

    def render_prompt(self, conversation: list[Message]) -> str:
        """The templated prompt text for ``conversation``, ending with the assistant header."""
        return self.tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)

    def generate(self, conversations: list[list[Message]], params: SamplingParams | None = None) -> list[Generation]:
        """Generate one completion per conversation, ``max_batch`` at a time; results in order."""
        params = params or SamplingParams()
        batch = check_conversations(conversations)
        gens: list[Generation] = []
        for start in range(0, len(batch), self.max_batch):
            gens.extend(self._generate_chunk(batch[start : start + self.max_batch], params))
        self.usage.add(gens)
        return gens

    def _generate_kwargs(self, params: SamplingParams) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "max_new_tokens": int(params.max_tokens),
            "pad_token_id": self.tokenizer.pad_token_id,
            "eos_token_id": sorted(self._eos_ids) or None,
        }
        if params.temperature > 0:
            kwargs.update(do_sample=True, temperature=float(params.temperature), top_p=float(params.top_p), top_k=0)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        stops = [s for s in params.stop if s]
        if stops:
            kwargs.update(stop_strings=stops, tokenizer=self.tokenizer)
        return kwargs

    def _generate_chunk(self, chunk: list[list[Message]], params: SamplingParams) -> list[Generation]:
        import torch

        prompts = [self.render_prompt(conv) for conv in chunk]
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        if params.seed is not None:
            torch.manual_seed(params.seed)
        with torch.inference_mode():
            out = self.model.generate(**enc, **self._generate_kwargs(params))
        prompt_len = enc["input_ids"].shape[1]
        pad_id = self.tokenizer.pad_token_id
        gens = []
        for row, mask in zip(out[:, prompt_len:].tolist(), enc["attention_mask"].tolist()):
            n, finish = self._completion_length(row, pad_id)
            text = self.tokenizer.decode(row[:n], skip_special_tokens=True)
            text, stopped = truncate_at_stop(text, params.stop)
            gens.append(
                Generation(
                    text=text,
                    prompt_tokens=int(sum(mask)),
                    completion_tokens=n,
                    finish_reason="stop" if stopped else finish,
                )
            )
        return gens

    def _completion_length(self, row: list[int], pad_id: int | None) -> tuple[int, str]:
        """Tokens actually generated in ``row`` (the generated part, right-padded by ``generate``).

        A row ends at its first end-of-sequence token (counted: the model produced it) or, when it
        was stopped by a stop string while other rows went on, at the first pad token after it.
        """
        for i, tok in enumerate(row):
            if tok in self._eos_ids:
                return i + 1, "stop"
            if tok == pad_id:
                return i, "stop"
        return len(row), "length"
