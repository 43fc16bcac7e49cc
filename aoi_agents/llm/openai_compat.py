"""A back-end for any OpenAI-compatible ``/v1/chat/completions`` endpoint, standard library only.

Works with ``vllm serve``, ``trl vllm-serve``, the llama.cpp server, OpenRouter, OpenAI itself::

    llm = OpenAICompatibleLLM("http://127.0.0.1:8000/v1", "Qwen/Qwen3-0.6B",
                              extra_body={"chat_template_kwargs": {"enable_thinking": False}})
    gens = llm.generate([conversation_a, conversation_b], SamplingParams(temperature=0.0))

A batch is sent as one request per conversation, ``concurrency`` at a time, and the results come
back in the batch's order. A LoRA adapter loaded by the server (``vllm serve --lora-modules
name=path``) is selected by passing its name as ``model``.

Failures: connection errors, timeouts, HTTP 429 and 5xx, and unparseable 200 bodies are retried up
to ``max_retries`` times with exponential back-off (``backoff_s * 2**attempt``, capped at
``max_backoff_s``), or after the server's ``Retry-After`` (seconds or an HTTP date, same cap). Any other
4xx is not retried. Whatever fails in the end raises :class:`~aoi_agents.llm.base.LLMError` naming
the URL, the HTTP status and the start of the response body.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .base import Generation, LLMError, Message, SamplingParams, UsageMeter
from .textutil import approx_prompt_tokens, approx_tokens, check_conversations

__all__ = ["OpenAICompatibleLLM"]

_BODY_EXCERPT = 500


class _Retryable(Exception):
    """A failure worth another attempt; ``retry_after`` is the server's requested wait, if any."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _excerpt(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return text[:_BODY_EXCERPT] + ("..." if len(text) > _BODY_EXCERPT else "")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class OpenAICompatibleLLM:
    """Chat completions over HTTP.

    Args:
        base_url: the API root including ``/v1``, e.g. ``http://127.0.0.1:8000/v1`` (requests go to
            ``base_url + "/chat/completions"``).
        model: the served model name (or LoRA adapter name); also this back-end's ``name`` unless
            ``name`` is given.
        api_key: sent as ``Authorization: Bearer <api_key>``; ``None`` sends no header.
        timeout_s: per-request socket timeout in seconds.
        max_retries: retries after the first attempt (so at most ``max_retries + 1`` requests).
        backoff_s: first back-off delay; doubles at each retry, capped at ``max_backoff_s``.
        extra_body: merged into every request body, e.g. ``{"chat_template_kwargs": {"enable_thinking": False}}``
            or ``{"top_k": 20}``; it may override the sampling fields.
        concurrency: requests in flight at once for a batch.
        headers: extra HTTP headers (e.g. OpenRouter's ``HTTP-Referer``).

    Sampling: ``temperature``, ``top_p``, ``max_tokens`` and ``stop`` map one to one; ``seed`` is
    sent as ``seed + i`` for the i-th conversation of a batch, so a batch holding one prompt G times
    (a GRPO group) gets G different but reproducible samples. Token counts come from the response's
    ``usage``; when a server sends none, the heuristic of :mod:`aoi_agents.llm.textutil` is used.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        extra_body: dict[str, Any] | None = None,
        concurrency: int = 4,
        max_backoff_s: float = 30.0,
        headers: dict[str, str] | None = None,
        name: str | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        if not model:
            raise ValueError("model must be a non-empty served model name")
        if concurrency < 1 or max_retries < 0 or timeout_s <= 0 or backoff_s < 0:
            raise ValueError("need concurrency >= 1, max_retries >= 0, timeout_s > 0 and backoff_s >= 0")
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url if self.base_url.endswith("/chat/completions") else self.base_url + "/chat/completions"
        self.model = model
        self.name = name or model
        self.api_key = api_key
        self.timeout_s = float(timeout_s)
        self.max_retries = int(max_retries)
        self.backoff_s = float(backoff_s)
        self.max_backoff_s = float(max_backoff_s)
        self.extra_body = dict(extra_body or {})
        self.concurrency = int(concurrency)
        self.headers = dict(headers or {})
        self.usage = UsageMeter()
        self._usage_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAICompatibleLLM(base_url={self.base_url!r}, model={self.model!r})"

    # -- request building ------------------------------------------------------------------------
    def request_body(self, conversation: list[Message], params: SamplingParams, index: int = 0) -> dict[str, Any]:
        """The JSON body sent for ``conversation`` (the ``index``-th of its batch)."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in conversation],
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
        }
        if params.stop:
            body["stop"] = list(params.stop)
        if params.seed is not None:
            body["seed"] = params.seed + index
        body.update(self.extra_body)
        return body

    def _http_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "aoi-gym"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        headers.update(self.headers)
        return headers

    # -- one request -----------------------------------------------------------------------------
    def _post_once(self, payload: bytes) -> dict[str, Any]:
        """One HTTP attempt; returns the parsed body, raises ``_Retryable`` or :class:`LLMError`."""
        req = urllib.request.Request(self.url, data=payload, headers=self._http_headers(), method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            try:
                body = e.read()
            except OSError:
                body = b""
            status = e.code
            if status == 429 or status >= 500:
                retry_after = parse_retry_after(e.headers.get("Retry-After") if e.headers else None)
                raise _Retryable(f"HTTP {status}: {_excerpt(body)}", retry_after) from None
            raise LLMError(f"HTTP {status} from {self.url} (not retried): {_excerpt(body)}") from None
        except urllib.error.URLError as e:
            raise _Retryable(f"connection error: {e.reason}") from None
        except TimeoutError:
            raise _Retryable(f"timed out after {self.timeout_s:g} s") from None
        except OSError as e:  # connection reset, remote disconnected, ...
            raise _Retryable(f"connection error: {type(e).__name__}: {e}") from None
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise _Retryable(f"malformed JSON in a 200 response: {_excerpt(raw)}") from None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise _Retryable(f"response has no choices: {_excerpt(raw)}")
        return data

    def _complete(self, conversation: list[Message], params: SamplingParams, index: int) -> Generation:
        payload = json.dumps(self.request_body(conversation, params, index)).encode("utf-8")
        last: _Retryable | None = None
        for attempt in range(self.max_retries + 1):
            try:
                data = self._post_once(payload)
                break
            except _Retryable as e:
                last = e
                if attempt == self.max_retries:
                    raise LLMError(
                        f"{self.url} failed after {attempt + 1} attempt(s); last error: {e.reason}"
                    ) from None
                delay = e.retry_after if e.retry_after is not None else self.backoff_s * 2**attempt
                time.sleep(min(delay, self.max_backoff_s))
        else:  # pragma: no cover - the loop always breaks or raises
            raise LLMError(f"{self.url} failed: {last}")
        return self._to_generation(data, conversation)

    @staticmethod
    def _to_generation(data: dict[str, Any], conversation: list[Message]) -> Generation:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        text = message.get("content") if isinstance(message, dict) else None
        if text is None:
            text = choice.get("text") or ""  # some servers answer in the completions shape
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        prompt_tokens = usage.get("prompt_tokens")
        completion_tokens = usage.get("completion_tokens")
        return Generation(
            text=str(text),
            prompt_tokens=int(prompt_tokens) if isinstance(prompt_tokens, (int, float)) else approx_prompt_tokens(conversation),
            completion_tokens=(
                int(completion_tokens) if isinstance(completion_tokens, (int, float)) else approx_tokens(str(text))
            ),
            finish_reason=str(choice.get("finish_reason") or "stop"),
        )

    # -- the LLM protocol ------------------------------------------------------------------------
    def generate(self, conversations: list[list[Message]], params: SamplingParams | None = None) -> list[Generation]:
        """Complete every conversation (``concurrency`` requests at a time); results in batch order.

        Raises :class:`LLMError` if any conversation fails after its retries (the first failure in
        batch order is reported; requests not yet started are cancelled).
        """
        params = params or SamplingParams()
        batch = check_conversations(conversations)
        if not batch:
            return []
        workers = min(self.concurrency, len(batch))
        if workers == 1:
            gens = [self._complete(conv, params, i) for i, conv in enumerate(batch)]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openai-compat") as pool:
                futures = [pool.submit(self._complete, conv, params, i) for i, conv in enumerate(batch)]
                try:
                    gens = [f.result() for f in futures]
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
        with self._usage_lock:
            self.usage.add(gens)
        return gens
