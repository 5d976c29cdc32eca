"""moe_placement: placements are checked in full and scored on the window the program never saw."""

import json
from pathlib import Path

import numpy as np
import pytest

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.sandbox.process import ProcessSandbox
from evaluators.verdict import InvalidOutput
from tests.problems.conftest import problem, seed_module

NAME = "moe_placement"


def seed_output(case: dict) -> dict:
    inp = case["input"]
    weight = inp["weight"].copy()
    out = seed_module(NAME).rebalance_experts(
        weight, inp["num_replicas"], inp["num_groups"], inp["num_nodes"], inp["num_gpus"]
    )
    return {"placement": list(out), "weight_after": weight}


def test_default_cases_are_synthetic_and_keep_the_next_window_on_the_host(synthetic: None) -> None:
    v = problem(NAME).verifier
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert len(search) == 8 and len(heldout) == 12
    case = search[0]
    assert case["input"]["weight"].shape == (58, 256) and "next_load" not in case["input"]
    assert case["input"]["num_replicas"] == 288 and case["input"]["num_gpus"] == 32
    assert not np.array_equal(case["input"]["weight"], case["next_load"])


def test_seed_figures_are_stable(synthetic: None) -> None:
    v = problem(NAME).verifier
    per_case = [{**v.score(c, seed_output(c)), "elapsed_s": 0.01} for c in v.cases("search", 0)]
    combined = v.combine(per_case)
    assert combined["balancedness"] == pytest.approx(0.78269, abs=1e-4)
    assert combined["balancedness_seen"] == pytest.approx(0.90198, abs=1e-4)
    assert combined["static_balancedness"] == pytest.approx(0.44019, abs=1e-4)
    assert combined["score"] == combined["balancedness"]


def test_score_is_cut_in_proportion_beyond_the_runtime_budget(synthetic: None) -> None:
    v = problem(NAME).verifier
    metrics = {"balancedness": 0.8, "balancedness_seen": 0.9}
    slow = v.combine([{**metrics, "elapsed_s": 0.4}, {**metrics, "elapsed_s": 0.2}])
    assert slow["runtime_s"] == pytest.approx(0.3)
    assert slow["score"] == pytest.approx(0.8 / 3)


def test_mutating_the_input_in_place_is_rejected(synthetic: None) -> None:
    case = problem(NAME).verifier.cases("search", 0)[0]
    out = seed_output(case)
    out["weight_after"] = np.sort(out["weight_after"], axis=1)
    with pytest.raises(InvalidOutput, match="changed its input array 'weight' in place"):
        problem(NAME).verifier.score(case, out)


def test_an_expert_loaded_in_the_next_window_needs_a_replica(synthetic: None) -> None:
    case = problem(NAME).verifier.cases("search", 0)[0]
    out = seed_output(case)
    phy2log, _, logcnt = out["placement"]
    # Hand expert 0's slots in layer 0 to expert 1: a well-formed placement without expert 0.
    phy2log = phy2log.copy()
    phy2log[0][phy2log[0] == 0] = 1
    logcnt = logcnt.copy()
    logcnt[0, 1] += logcnt[0, 0]
    logcnt[0, 0] = 0
    log2phy = np.full((58, 256, int(logcnt.max())), -1)
    for layer in range(58):
        for slot, expert in enumerate(phy2log[layer]):
            row = log2phy[layer, expert]
            row[np.argmax(row < 0)] = slot
    out["placement"] = [phy2log, log2phy, logcnt]
    with pytest.raises(InvalidOutput, match=r"expert 0 of layer 0 receives .* but has no replica"):
        problem(NAME).verifier.score(case, out)


def test_malformed_placements_are_rejected_through_the_verifier(synthetic: None) -> None:
    case = problem(NAME).verifier.cases("search", 0)[0]
    out = seed_output(case)
    out["placement"][0] = out["placement"][0].astype(np.float32)
    with pytest.raises(InvalidOutput, match="phy2log has dtype float32"):
        problem(NAME).verifier.score(case, out)
    with pytest.raises(InvalidOutput, match="expected the driver's"):
        problem(NAME).verifier.score(case, out["placement"])


def test_seed_runs_in_the_sandbox_with_the_same_figures(synthetic: None) -> None:
    p = problem(NAME)
    evaluation = evaluate_source(p, p.seed_source, ProcessSandbox())
    assert evaluation.status is Status.OK, evaluation.reason
    assert evaluation.metrics["balancedness"] == pytest.approx(0.78269, abs=1e-4)
    assert 0 < evaluation.metrics["runtime_s"] < 5
    # The seed timed on the host, for scale: the same program, so the same order of magnitude.
    assert 0 < evaluation.metrics["seed_runtime_s"] < 5
    assert evaluation.metrics["runtime_vs_seed"] > 0
    assert 0 < evaluation.metrics["score"] <= evaluation.metrics["balancedness"]


IN_PLACE = """
import numpy as np

# EVOLVE-BLOCK-START
def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    layers, experts = weight.shape
    weight /= weight.sum(axis=1, keepdims=True)  # normalises the caller's array in place
    phy2log = np.concatenate([np.arange(experts), np.arange(num_replicas - experts)])
    phy2log = np.tile(phy2log, (layers, 1))
    logcnt = np.ones((layers, experts), dtype=np.int64)
    logcnt[:, : num_replicas - experts] = 2
    log2phy = np.full((layers, experts, 2), -1)
    log2phy[:, :, 0] = np.arange(experts)
    log2phy[:, : num_replicas - experts, 1] = np.arange(experts, num_replicas)
    return phy2log, log2phy, logcnt
# EVOLVE-BLOCK-END
"""


def test_a_candidate_mutating_its_input_is_invalid_in_the_sandbox(synthetic: None) -> None:
    evaluation = evaluate_source(problem(NAME), IN_PLACE, ProcessSandbox())
    assert evaluation.status is Status.INVALID_OUTPUT
    assert "changed its input array" in evaluation.reason
    fixed = IN_PLACE.replace("weight /= ", "weight = weight / ")
    assert evaluate_source(problem(NAME), fixed, ProcessSandbox()).status is Status.OK


def test_a_recorded_load_history_is_split_by_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = np.random.default_rng(0).poisson(50, size=(9, 2, 16)).astype(float)
    (tmp_path / "moe").mkdir()
    spec = {
        "windows": history.tolist(),
        "num_replicas": 20,
        "num_groups": 4,
        "num_nodes": 2,
        "num_gpus": 4,
    }
    (tmp_path / "moe" / "load_history.json").write_text(json.dumps(spec))
    monkeypatch.setenv("ADRS_DATA_DIR", str(tmp_path))
    v = problem(NAME).verifier
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert [c["id"] for c in search] == [f"real-w{w:04d}" for w in range(5)]
    assert [c["id"] for c in heldout] == ["real-w0006", "real-w0007"]
    assert np.array_equal(search[0]["next_load"], history[1])
    assert search[0]["input"]["num_replicas"] == 20
    out = seed_output(heldout[0])
    assert 0 < v.score(heldout[0], out)["balancedness"] <= 1


def test_shared_data_is_used_only_when_it_has_a_moe_trace(shared_data: Path) -> None:
    recorded = (shared_data / "moe" / "load_history.json").is_file()
    first = problem(NAME).verifier.cases("search", 0)[0]["id"]
    assert first.startswith("real-" if recorded else "syn-")
