"""OpenAICompatibleLLM against the local stub server: success, order, retries, errors, usage."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aoi_agents.llm import LLM, LLMError, OpenAICompatibleLLM, SamplingParams
from aoi_agents.llm.openai_compat import parse_retry_after
from aoi_agents.llm.stub_server import StubResponse, StubServer, completion, sequence
from aoi_agents.llm.textutil import approx_prompt_tokens, approx_tokens


def conv(text: str) -> list[dict]:
    return [{"role": "system", "content": "be brief"}, {"role": "user", "content": text}]


def client(server: StubServer, **kw) -> OpenAICompatibleLLM:
    kw.setdefault("backoff_s", 0.01)
    return OpenAICompatibleLLM(server.base_url, "stub-model", **kw)


@pytest.fixture(scope="module")
def echo_server():
    with StubServer() as server:
        yield server


def test_success_and_request_body(echo_server):
    llm = OpenAICompatibleLLM(
        echo_server.base_url,
        "my-lora",
        api_key="sk-test",
        extra_body={"chat_template_kwargs": {"enable_thinking": False}, "top_k": 20},
    )
    assert isinstance(llm, LLM) and llm.name == "my-lora"
    start = len(echo_server.requests)
    params = SamplingParams(temperature=0.3, top_p=0.9, max_tokens=17, stop=("\nObservation",), seed=5)
    (gen,) = llm.generate([conv("kubectl get pods")], params)
    assert gen.text == "echo: kubectl get pods"
    req = echo_server.requests[start]
    assert req.path == "/v1/chat/completions"
    assert req.headers["Authorization"] == "Bearer sk-test"
    assert req.json == {
        "model": "my-lora",
        "messages": conv("kubectl get pods"),
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 17,
        "stop": ["\nObservation"],
        "seed": 5,
        "chat_template_kwargs": {"enable_thinking": False},
        "top_k": 20,
    }


def test_no_api_key_sends_no_authorization_and_omits_unset_fields(echo_server):
    llm = client(echo_server)
    start = len(echo_server.requests)
    llm.generate([conv("x")])
    req = echo_server.requests[start]
    assert "Authorization" not in req.headers
    assert "stop" not in req.json and "seed" not in req.json


def test_batch_order_preserved_under_concurrency_and_seeds_offset():
    # Earlier conversations answer later, so completion order differs from batch order.
    def handler(req):
        i = int(req.messages[-1]["content"])
        time.sleep(0.02 * (8 - i))
        return StubResponse(body=completion(f"reply {i}", prompt_tokens=i, completion_tokens=2 * i))

    with StubServer(handler) as server:
        llm = client(server, concurrency=4)
        gens = llm.generate([conv(str(i)) for i in range(8)], SamplingParams(seed=100))
        assert [g.text for g in gens] == [f"reply {i}" for i in range(8)]
        assert [g.prompt_tokens for g in gens] == list(range(8))
        seeds = {int(r.messages[-1]["content"]): r.json["seed"] for r in server.requests}
        assert seeds == {i: 100 + i for i in range(8)}
        assert llm.usage.calls == 8
        assert llm.usage.prompt_tokens == sum(range(8))
        assert llm.usage.completion_tokens == 2 * sum(range(8))
        assert llm.usage.history == [(i, 2 * i) for i in range(8)]


def test_concurrency_limits_requests_in_flight():
    # A barrier of 3 proves 3 requests really are in flight together (it breaks after 10 s otherwise,
    # whatever the machine's load); holding them a moment lets a 4th one show up in the count if the
    # client ever let one through.
    active = {"now": 0, "max": 0}
    lock = threading.Lock()
    three_together = threading.Barrier(3, timeout=10)

    def handler(req):
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        try:
            three_together.wait()
            time.sleep(0.05)
        finally:
            with lock:
                active["now"] -= 1
        return "ok"

    with StubServer(handler) as server:
        gens = client(server, concurrency=3, max_retries=0).generate([conv(str(i)) for i in range(9)])
        assert not server.errors, server.errors
    assert [g.text for g in gens] == ["ok"] * 9
    assert active["max"] == 3


def test_retry_on_500_then_success():
    with StubServer(sequence(StubResponse.error(500), StubResponse.error(503), "recovered")) as server:
        llm = client(server)
        assert llm.generate([conv("x")])[0].text == "recovered"
        assert len(server.requests) == 3


@pytest.fixture
def sleeps(monkeypatch):
    """The client's back-off waits, recorded instead of slept (the test asserts what it waited, not wall time)."""
    import types

    import aoi_agents.llm.openai_compat as module

    waited: list[float] = []
    fake_time = types.SimpleNamespace(**{n: getattr(time, n) for n in dir(time) if not n.startswith("_")})
    fake_time.sleep = waited.append
    monkeypatch.setattr(module, "time", fake_time)
    return waited


def test_429_waits_for_retry_after(sleeps):
    with StubServer(sequence(StubResponse.error(429, "slow down", retry_after=1), "ok")) as server:
        llm = client(server, backoff_s=0.001)
        assert llm.generate([conv("x")])[0].text == "ok"
        assert len(server.requests) == 2
    assert sleeps == [1.0]  # the server's 1 s, not the 1 ms back-off


def test_backoff_doubles_per_attempt_and_is_capped(sleeps):
    with StubServer(sequence(*[StubResponse.error(503)] * 3, "ok")) as server:
        assert client(server, backoff_s=0.5, max_backoff_s=1.5).generate([conv("x")])[0].text == "ok"
    assert sleeps == [0.5, 1.0, 1.5]
    sleeps.clear()
    with StubServer(sequence(StubResponse.error(429, retry_after=3600), "ok")) as server:
        assert client(server, max_backoff_s=2.0).generate([conv("x")])[0].text == "ok"
    assert sleeps == [2.0]  # a huge Retry-After is capped too


def test_timeout_retries_then_llm_error():
    # The stub answers 200 after 5 s, so an LLMError here means the client gave up on its own timeout.
    with StubServer(lambda req: StubResponse.hang(5.0)) as server:
        llm = client(server, timeout_s=0.2, max_retries=2)
        with pytest.raises(LLMError, match=r"3 attempt\(s\).*timed out"):
            llm.generate([conv("x")])
        assert len(server.requests) == 3


def test_400_raises_immediately_with_status_and_body():
    with StubServer(sequence(StubResponse.error(400, "model 'nope' does not exist"))) as server:
        llm = client(server, max_retries=5)
        with pytest.raises(LLMError, match=r"HTTP 400.*model 'nope' does not exist"):
            llm.generate([conv("x")])
        assert len(server.requests) == 1


def test_malformed_json_is_retried_then_reported():
    with StubServer(sequence(StubResponse.garbage(), "fine")) as server:
        assert client(server).generate([conv("x")])[0].text == "fine"
    with StubServer(sequence(StubResponse.garbage("{not json"))) as server:
        with pytest.raises(LLMError, match=r"2 attempt\(s\).*malformed JSON.*\{not json"):
            client(server, max_retries=1).generate([conv("x")])
    with StubServer(sequence({"choices": []})) as server:
        with pytest.raises(LLMError, match="no choices"):
            client(server, max_retries=0).generate([conv("x")])


def test_connection_refused_is_retried_then_reported():
    with StubServer() as server:
        url = server.base_url
    llm = OpenAICompatibleLLM(url, "m", max_retries=1, backoff_s=0.01)
    with pytest.raises(LLMError, match=r"2 attempt\(s\).*connection"):
        llm.generate([conv("x")])


def test_batch_failure_raises_and_records_no_usage():
    def handler(req):
        if req.messages[-1]["content"] == "bad":
            return StubResponse.error(422, "unprocessable")
        return "ok"

    with StubServer(handler) as server:
        llm = client(server)
        with pytest.raises(LLMError, match="HTTP 422"):
            llm.generate([conv("a"), conv("bad"), conv("c")])
        assert llm.usage.calls == 0


def test_missing_usage_falls_back_to_heuristic_and_finish_reason_is_read():
    body = completion("three word reply", prompt_tokens=None, finish_reason="length")
    with StubServer(sequence(body)) as server:
        (gen,) = client(server).generate([conv("hello there")])
    assert gen.text == "three word reply"
    assert gen.prompt_tokens == approx_prompt_tokens(conv("hello there"))
    assert gen.completion_tokens == approx_tokens("three word reply")
    assert gen.finish_reason == "length"


def test_null_content_becomes_empty_text():
    body = completion("x")
    body["choices"][0]["message"]["content"] = None
    with StubServer(sequence(body)) as server:
        assert client(server).generate([conv("x")])[0].text == ""


def test_handler_exception_becomes_500_and_is_recorded():
    def handler(req):
        raise KeyError("boom")

    with StubServer(handler) as server:
        with pytest.raises(LLMError, match="HTTP 500.*KeyError"):
            client(server, max_retries=0).generate([conv("x")])
        assert len(server.errors) == 1 and "KeyError" in server.errors[0]


def test_stub_lists_models_and_rejects_unknown_routes(echo_server):
    with urllib.request.urlopen(echo_server.base_url + "/models", timeout=5) as resp:
        assert json.loads(resp.read())["data"][0]["id"] == "stub-model"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(echo_server.base_url + "/embeddings", data=b"{}"), timeout=5)
    assert err.value.code == 404


def test_constructor_validates_arguments():
    with pytest.raises(ValueError, match="http"):
        OpenAICompatibleLLM("127.0.0.1:8000/v1", "m")
    with pytest.raises(ValueError, match="concurrency"):
        OpenAICompatibleLLM("http://127.0.0.1:8000/v1", "m", concurrency=0)
    full = OpenAICompatibleLLM("http://h/v1/chat/completions", "m")
    assert full.url == "http://h/v1/chat/completions"


def test_parse_retry_after():
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=90.0) == pytest.approx(10.0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_unicode_round_trips_through_http(echo_server, text):
    (gen,) = client(echo_server).generate([[{"role": "user", "content": text}]])
    assert gen.text == "echo: " + text
