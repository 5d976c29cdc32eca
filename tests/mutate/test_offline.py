import asyncio
import random

from adrs.mutate.base import MutationRequest, ProblemContext, ProgramView
from adrs.mutate.offline import OfflineMutator, mutate_numbers, mutate_python
from adrs.mutate.textdiff import diff_block
from adrs.source.patch import apply_response
from adrs.source.regions import edit_outside_regions
from tests.conftest import PROBLEMS

SEED = (PROBLEMS / "model_placement" / "initial.py").read_text()
CONTEXT = ProblemContext("p", "", "python", "m", "minimize")


def propose(seed: int, source: str = SEED, language: str = "python", insp=()):
    ctx = ProblemContext("p", "", language, "m", "minimize")
    req = MutationRequest(
        seq=1,
        island=0,
        problem=ctx,
        parent=ProgramView("par", source, 1.0),
        inspirations=tuple(insp),
        rng_seed=seed,
    )
    return asyncio.run(OfflineMutator().propose(req))


def test_every_proposal_applies_through_the_patch_path_inside_the_region() -> None:
    for seed in range(150):
        proposal = propose(seed)
        out = apply_response(SEED, proposal.response)
        assert out.source is not None, (seed, proposal.mutation, out.error)
        assert out.source != SEED and edit_outside_regions(SEED, out.source) is None
        compile(out.source, "child", "exec")


def test_same_seed_same_proposal() -> None:
    assert propose(42).response == propose(42).response
    assert len({propose(s).response for s in range(20)}) > 10


def test_crossover_mixes_hunks_and_records_the_donor() -> None:
    donor = SEED.replace('key=lambda m: m["size"]', 'key=lambda m: m["req_rate"]')
    donor = donor.replace("if free <= 0:", "if free < 1:")
    insp = ProgramView("donor", donor, 0.9)
    assert donor != SEED
    found = set()
    for seed in range(400):
        edit = mutate_python(SEED, [insp], random.Random(seed))
        if edit and edit.label == "crossover":
            assert edit.crossover == ("donor",)
            found.add(edit.source)
    assert found and all(s not in (SEED, donor) for s in found)


def test_numeric_text_mutation_for_cuda_doubles_or_halves_tile_sizes() -> None:
    src = (
        "// EVOLVE-BLOCK-START\n#define TILE 32\nconst float eps = 1e-5f;\n"
        "// EVOLVE-BLOCK-END\nint n = 7;\n"
    )
    seen = set()
    for seed in range(60):
        edit = mutate_numbers(src, random.Random(seed))
        assert edit is not None and edit_outside_regions(src, edit.source) is None
        seen.add(edit.source.splitlines()[1])
    assert {"#define TILE 64", "#define TILE 16"} <= seen


def test_no_mutable_code_is_a_recorded_error() -> None:
    proposal = propose(0, source="# EVOLVE-BLOCK-START\n# EVOLVE-BLOCK-END\n")
    assert proposal.response == "" and proposal.call.error


def test_diff_block_is_unique_and_round_trips() -> None:
    parent = "a = 1\nb = 1\na = 1\n"
    child = "a = 1\nb = 2\na = 1\n"
    assert apply_response(parent, diff_block(parent, child)).source == child
    dup = "x\nx\nx\n"
    assert apply_response(dup, diff_block(dup, "x\nx\n")).source == "x\nx\n"
