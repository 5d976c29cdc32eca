"""The process backend for GPU jobs: the GPU selection passes through, and no address-space
limit is set (the CUDA driver reserves far more virtual memory than it uses)."""

from __future__ import annotations

import resource
from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.evaluation.channel import parse_channel
from adrs.evaluation.evaluate import build_job
from adrs.problem.loader import load_problem
from adrs.sandbox.process import ProcessSandbox
from tests.conftest import TOY_TOML

PROBE = """
import os, resource
# EVOLVE-BLOCK-START
def solve(x):
    return [os.environ.get("CUDA_VISIBLE_DEVICES"), resource.getrlimit(resource.RLIMIT_AS)[0]]
# EVOLVE-BLOCK-END
"""


def probe(make_problem: Callable[..., Path], gpu: bool) -> tuple[object, int, dict[str, object]]:
    toml = TOY_TOML.format(timeout=10) + f"[sandbox]\ngpu = {str(gpu).lower()}\n"
    problem = load_problem(make_problem(PROBE, toml=toml))
    cases = problem.verifier.cases("search", 0)[:1]
    job = build_job(problem, problem.seed_source, cases, "n" * 32)
    result = ProcessSandbox().run(job)
    report = parse_channel(
        result.output,
        nonce="n" * 32,
        expected_ids=["search-0"],
        window=(result.started, result.finished),
    )
    assert report.cases and report.cases[0].ok, (report, result.stderr)
    visible, limit = report.cases[0].output
    return visible, limit, result.applied


def test_gpu_jobs_see_the_chosen_gpus_and_no_address_space_limit(
    make_problem: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    visible, limit, applied = probe(make_problem, gpu=True)
    assert visible == "1"
    assert limit == resource.RLIM_INFINITY
    assert applied["memory_enforced"] is False


def test_other_jobs_get_neither(
    make_problem: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    visible, limit, applied = probe(make_problem, gpu=False)
    assert visible is None
    assert limit == 512 * 1024 * 1024
    assert applied["memory_enforced"] is True
