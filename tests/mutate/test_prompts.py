"""Prompt templates: what they show, overrides by file name, and their documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adrs.errors import ConfigError
from adrs.mutate.base import MutationRequest, ProblemContext, ProgramView
from adrs.mutate.prompts import TEMPLATE_NAMES, Prompts, context_variables

REPO = Path(__file__).resolve().parents[2]

PARENT = ProgramView(
    id="parent0123456789",
    source="# EVOLVE-BLOCK-START\nSTEP = 3\n# EVOLVE-BLOCK-END\n",
    score=3.5,
    metrics={"value": 3.5, "elapsed_s": 0.001},
    status="ok",
    feedback={"status": "ok", "cases": [{"id": "case-7", "value": 1.25}]},
)
INSPIRATION = ProgramView(id="insp0123456789ab", source="STEP = 9\n", score=9.0)
FAILED = ProgramView(
    id="fail0123456789ab",
    source="STEP = (\n",
    score=None,
    status="error",
    reason="SyntaxError: '(' was never closed",
)


def request(
    prompt: str = "Make {{ problem.metric }} big for {{ problem.name }}.",
) -> MutationRequest:
    return MutationRequest(
        seq=1,
        island=0,
        problem=ProblemContext("toy", prompt, "python", "value", "minimize", "solve"),
        parent=PARENT,
        inspirations=(INSPIRATION,),
        failures=(FAILED,),
    )


def render(prompts: Prompts, mode: str) -> tuple[str, str]:
    context = prompts.context(
        mode,
        request(),
        second=INSPIRATION if mode == "crossover" else None,
        broken=FAILED if mode == "fix" else None,
    )
    return prompts.render(context)


@pytest.mark.parametrize("mode", ["diff", "rewrite", "crossover", "fix"])
def test_every_template_shows_the_problem_the_parent_and_the_feedback(mode: str) -> None:
    system, prompt = render(Prompts(), mode)
    assert "Make value big for toy." in prompt  # prompt.md, itself a template
    assert "STEP = 3" in prompt and "Score (value): 3.5" in prompt
    assert "lower is better" in prompt
    assert "minimised" in system and "EVOLVE-BLOCK-START" in system
    if mode in ("diff", "fix"):
        assert "<<<<<<< SEARCH" in system
    else:
        assert "fenced code block" in system
    if mode != "fix":
        assert "SyntaxError: '(' was never closed" in prompt  # recent failures
    if mode == "diff":
        assert "case-7: value = 1.25" in prompt  # the verifier's weakest cases
        assert "STEP = 9" in prompt and "Score (value): 9" in prompt  # an inspiration


def test_the_fix_template_shows_the_broken_program_and_why_it_failed() -> None:
    _, prompt = render(Prompts(), "fix")
    assert "STEP = (" in prompt
    assert "failed with status `error`: SyntaxError" in prompt


def test_a_problem_folder_overrides_a_template_by_file_name(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "diff.j2").write_text(
        "Custom for {{ problem.name }}: parent {{ parent.id[:6] }} scored {{ parent.score }}.\n"
    )
    prompts = Prompts(tmp_path)
    assert prompts.overrides == ["diff"]
    _, prompt = render(prompts, "diff")
    assert prompt == "Custom for toy: parent parent scored 3.5.\n"
    _, rewrite = render(prompts, "rewrite")
    assert "Rewrite the program" in rewrite  # the others stay the package's


def test_a_broken_override_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    bad = tmp_path / "templates" / "system.j2"
    bad.write_text("fine\n{% if %}\n")
    with pytest.raises(ConfigError) as info:
        Prompts(tmp_path)
    assert f"{bad}:2: template syntax error" in str(info.value)


def test_an_override_using_an_unknown_variable_fails_to_render(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "rewrite.j2").write_text("{{ parnet.code }}\n")
    with pytest.raises(ConfigError, match=r"prompt template 'rewrite'.*parnet"):
        render(Prompts(tmp_path), "rewrite")


def test_a_plain_text_prompt_with_braces_is_kept_verbatim() -> None:
    prompts = Prompts()
    context = prompts.context("diff", request("Return a dict like {{ 'a': 1 } or {% raw"))
    assert "Return a dict like {{ 'a': 1 } or {% raw" in prompts.render(context)[1]


def test_the_readme_documents_exactly_the_template_variables() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Prompt templates", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)`", section, re.MULTILINE))
    assert documented == set(context_variables())
    for name in TEMPLATE_NAMES:
        assert f"`{name}.j2`" in section
