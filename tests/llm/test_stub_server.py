"""The stub endpoint's own behaviour: its pool, its script, and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import anthropic
import openai
import pytest

from adrs.llm.stub_server import Reply, StubServer


def test_answers_come_from_the_script_then_the_responder_then_the_pool() -> None:
    def respond(request: object) -> Reply | None:
        return Reply(text="from responder") if getattr(request, "model", "") == "r" else None

    with StubServer(answers=["pool 1", "pool 2"], responder=respond) as stub:
        stub.script("a", "scripted for a")
        client = openai.OpenAI(api_key="k", base_url=stub.openai_base_url, max_retries=0)

        def ask(model: str) -> str | None:
            response = client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "hi"}]
            )
            return response.choices[0].message.content

        assert [ask("a"), ask("a"), ask("r"), ask("b"), ask("b")] == [
            "scripted for a",
            "pool 1",
            "from responder",
            "pool 2",
            "pool 1",
        ]
        assert [r.model for r in stub.calls("a")] == ["a", "a"]
        client.close()


def test_an_unknown_route_is_a_404() -> None:
    with StubServer() as stub:
        request = urllib.request.Request(stub.url + "/v1/embeddings", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=10)
        assert info.value.code == 404
        assert "no route /v1/embeddings" in info.value.read().decode()


def test_reply_objects_load_from_json_and_unknown_fields_are_refused() -> None:
    assert Reply.from_json({"status": 429, "headers": {"Retry-After": "1"}}).status == 429
    assert Reply.from_json("text").text == "text"
    with pytest.raises(ValueError, match="unknown reply field 'colour'"):
        Reply.from_json({"colour": "red"})


def test_the_command_line_serves_a_pool_of_answers_with_latency(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(["first answer", {"text": "second", "tokens_out": 7}]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adrs.llm.stub_server",
            "--port",
            "0",
            "--latency",
            "0.05",
            "--answers",
            str(answers),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("stub endpoint listening on http://127.0.0.1:")
        url = line.split()[-1]
        oa = openai.OpenAI(api_key="k", base_url=url + "/v1", max_retries=0, timeout=10)
        first = oa.chat.completions.create(model="m", messages=[{"role": "user", "content": "q"}])
        an = anthropic.Anthropic(api_key="k", base_url=url, max_retries=0, timeout=10)
        second = an.messages.create(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "q"}]
        )
        assert first.choices[0].message.content == "first answer"
        assert second.content[0].text == "second"  # type: ignore[union-attr]
        assert second.usage.output_tokens == 7
        oa.close()
        an.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_the_command_line_rejects_a_bad_answers_file(tmp_path: Path) -> None:
    bad = tmp_path / "answers.json"
    bad.write_text('{"not": "a list"}')
    result = subprocess.run(
        [sys.executable, "-m", "adrs.llm.stub_server", "--answers", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--answers" in result.stderr and "non-empty JSON list" in result.stderr
