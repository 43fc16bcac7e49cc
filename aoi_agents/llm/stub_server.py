"""A tiny OpenAI-compatible HTTP server for tests: canned chat completions, errors, hangs, garbage.

It listens on ``127.0.0.1`` on a free port, serves each request in its own thread, and asks a
*handler* what to answer. Use it as a context manager::

    from aoi_agents.llm.stub_server import StubServer, StubResponse, completion, sequence
    from aoi_agents.llm import OpenAICompatibleLLM

    # 1. a function of the request: a str is the assistant's reply, wrapped in a completion
    with StubServer(lambda req: "echo: " + req.messages[-1]["content"]) as server:
        llm = OpenAICompatibleLLM(server.base_url, "stub-model")
        llm.generate([[{"role": "user", "content": "hi"}]])[0].text   # -> "echo: hi"
        server.requests[0].json["model"]                             # -> "stub-model"

    # 2. a scripted sequence of answers (the last one repeats): a 500, a 429, then success
    handler = sequence(StubResponse.error(500), StubResponse.error(429, retry_after=0.1), "ok")
    with StubServer(handler) as server: ...

A handler gets a :class:`StubRequest` and returns one of:

* ``str``: the assistant text; answered as a 200 chat completion (see :func:`completion`);
* ``dict``: any JSON body, answered with status 200 (build one with :func:`completion`);
* :class:`StubResponse`: full control: status, body (dict, str or bytes), headers, and ``delay_s``
  (sleep before answering, to make a client time out). Shortcuts: :meth:`StubResponse.error`,
  :meth:`StubResponse.garbage`, :meth:`StubResponse.hang`.

Without a handler the server echoes the last user message. ``GET /v1/models`` lists ``model_name``.
An exception raised by the handler becomes a 500 whose body names it, and is kept in
``server.errors``. ``server.requests`` holds every request received (``/v1/models`` included), in
arrival order, each with its 0-based ``index``.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["StubServer", "StubRequest", "StubResponse", "completion", "sequence", "echo_handler"]


@dataclass
class StubRequest:
    """One request as the stub received it."""

    index: int  # 0-based arrival order
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None  # the parsed body, or None when it is not JSON

    @property
    def messages(self) -> list[dict]:
        """The ``messages`` of a chat-completions request (``[]`` when absent)."""
        return list((self.json or {}).get("messages") or []) if isinstance(self.json, dict) else []


@dataclass
class StubResponse:
    """A full answer: ``status``, ``body`` (dict -> JSON, str -> UTF-8, bytes as is), extra ``headers``,
    and ``delay_s`` seconds to sleep before answering."""

    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    @classmethod
    def error(cls, status: int, message: str | None = None, retry_after: float | str | None = None) -> "StubResponse":
        """An OpenAI-style error body ``{"error": {"message", "code"}}``; ``retry_after`` sets the header."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        body = {"error": {"message": message or f"stub error {status}", "type": "stub_error", "code": status}}
        return cls(status=status, body=body, headers=headers)

    @classmethod
    def garbage(cls, text: str = "<html>502 Bad Gateway</html> {not json") -> "StubResponse":
        """A 200 whose body is not JSON (as a misconfigured proxy might send)."""
        return cls(status=200, body=text, headers={"Content-Type": "text/html"})

    @classmethod
    def hang(cls, delay_s: float, then: Any = "late reply") -> "StubResponse":
        """Sleep ``delay_s`` seconds, then answer ``then`` (a str reply or a dict body) with 200."""
        body = completion(then) if isinstance(then, str) else then
        return cls(status=200, body=body, delay_s=delay_s)


Handler = Callable[[StubRequest], "str | dict | StubResponse"]


def completion(
    text: str,
    model: str = "stub-model",
    prompt_tokens: int | None = 7,
    completion_tokens: int | None = None,
    finish_reason: str = "stop",
) -> dict:
    """Build a ``chat.completion`` body with one choice.

    ``completion_tokens`` defaults to the number of whitespace-separated words of ``text``. Pass
    ``prompt_tokens=None`` to leave ``usage`` out entirely (as some servers do).
    """
    body: dict[str, Any] = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}
        ],
    }
    if prompt_tokens is not None:
        n = len(text.split()) if completion_tokens is None else completion_tokens
        body["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": n, "total_tokens": prompt_tokens + n}
    return body


def echo_handler(request: StubRequest) -> str:
    """The default handler: ``"echo: <content of the last user message>"``."""
    users = [m for m in request.messages if m.get("role") == "user"]
    return "echo: " + (str(users[-1].get("content", "")) if users else "")


def sequence(*responses: "str | dict | StubResponse") -> Handler:
    """A handler answering ``responses`` in order, one per request; the last one repeats forever.

    Thread-safe: concurrent requests each take the next response.
    """
    if not responses:
        raise ValueError("sequence() needs at least one response")
    lock = threading.Lock()
    state = {"i": 0}

    def handler(_request: StubRequest) -> "str | dict | StubResponse":
        with lock:
            i = min(state["i"], len(responses) - 1)
            state["i"] += 1
        return responses[i]

    return handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not block shutdown

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # The client hung up (e.g. after its own timeout): nothing to report in a test run.
        pass


class StubServer:
    """An OpenAI-compatible stub server on ``127.0.0.1:<free port>``; see the module docstring.

    Args:
        handler: ``StubRequest -> str | dict | StubResponse``; ``None`` echoes the last user message.
        model_name: the model listed by ``GET /v1/models``.

    Attributes (valid once started): ``url`` (``http://127.0.0.1:PORT``), ``base_url`` (``url + "/v1"``,
    what OpenAI-compatible clients take), ``port``, ``requests`` (list of :class:`StubRequest`),
    ``errors`` (tracebacks of handler exceptions).
    """

    def __init__(self, handler: Handler | None = None, model_name: str = "stub-model") -> None:
        self.handler: Handler = handler or echo_handler
        self.model_name = model_name
        self.requests: list[StubRequest] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "StubServer":
        """Bind a free port and serve in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            return self
        self._httpd = _Server(("127.0.0.1", 0), self._make_request_handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="stub-llm-server", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port (hanging handlers are abandoned)."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> "StubServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("StubServer is not running; use it as a context manager or call start()")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    # -- request handling ------------------------------------------------------------------------
    def _record(self, method: str, path: str, headers: dict[str, str], body: bytes) -> StubRequest:
        try:
            parsed = json.loads(body) if body else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        with self._lock:
            req = StubRequest(len(self.requests), method, path, headers, body, parsed)
            self.requests.append(req)
        return req

    def _answer(self, req: StubRequest) -> StubResponse:
        if req.method == "GET" and req.path.rstrip("/").endswith("/models"):
            return StubResponse(body={"object": "list", "data": [{"id": self.model_name, "object": "model"}]})
        if req.method != "POST" or not req.path.rstrip("/").endswith("/chat/completions"):
            return StubResponse.error(404, f"no route for {req.method} {req.path}")
        try:
            out = self.handler(req)
        except Exception as e:  # the handler is test code: surface its failure as a 500
            with self._lock:
                self.errors.append(traceback.format_exc())
            return StubResponse.error(500, f"stub handler raised {type(e).__name__}: {e}")
        if isinstance(out, StubResponse):
            return out
        if isinstance(out, str):
            return StubResponse(body=completion(out, model=str((req.json or {}).get("model", self.model_name))))
        if isinstance(out, dict):
            return StubResponse(body=out)
        with self._lock:
            self.errors.append(f"handler returned {type(out).__name__}")
        return StubResponse.error(500, f"stub handler returned {type(out).__name__}; expected str, dict or StubResponse")

    def _make_request_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # keep test output clean

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = server._record(self.command, self.path, dict(self.headers.items()), body)
                resp = server._answer(req)
                if resp.delay_s > 0:
                    time.sleep(resp.delay_s)
                if isinstance(resp.body, (dict, list)):
                    payload = json.dumps(resp.body).encode("utf-8")
                    content_type = "application/json"
                elif isinstance(resp.body, bytes):
                    payload, content_type = resp.body, "application/octet-stream"
                else:
                    payload, content_type = str(resp.body).encode("utf-8"), "text/plain; charset=utf-8"
                self.send_response(resp.status)
                headers = {"Content-Type": content_type, **resp.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

        return _RequestHandler
