"""The attacks: one candidate file each, the status each backend must end with, and where
a backend cannot contain an attack, why (the test skips only there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from adrs.evaluation.status import Status

HERE = Path(__file__).resolve().parent
CANDIDATES = HERE / "candidates"
VAULT = HERE / "vault"
MARKERS = {"daemon": "adrs-daemon-marker-5c1e", "setsid_escape": "adrs-setsid-marker-9a7d"}


@dataclass(frozen=True)
class Attack:
    """One adversarial candidate and what must come of it."""

    name: str
    status: Status
    reason: str  # a fragment the status's reason must contain
    process_gap: str | None = None  # why the process backend cannot contain it
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return CANDIDATES / f"{self.name}.py"


ATTACKS = [
    Attack("fork_bomb", Status.TIMEOUT, "limit"),
    Attack("memory_bomb", Status.MEMORY, "memory limit of 256 MB"),
    Attack("busy_loop", Status.TIMEOUT, "limit"),
    Attack("sleep_past_deadline", Status.TIMEOUT, "wall-clock limit of 3.0 s"),
    Attack("stdout_flood", Status.OUTPUT_LIMIT, "stdout flooded"),
    Attack("stderr_flood", Status.OUTPUT_LIMIT, "stderr flooded"),
    Attack(
        "fill_disk",
        Status.ERROR,
        "No space left on device",
        process_gap="the process backend caps each file's size (RLIMIT_FSIZE) but not the "
        "total a candidate writes to its scratch folder on the host's disk",
    ),
    Attack("network", Status.OK, ""),
    Attack("env_keys", Status.OK, ""),
    Attack(
        "find_verifier",
        Status.OK,
        "",
        process_gap="the process backend hides the problem folder and the user's home "
        "(tests/sandbox/test_fsview.py) but not the rest of the host's filesystem, where "
        "other copies of the data may be world-readable",
    ),
    Attack("timer_patch", Status.OK, ""),
    Attack("timer_patch_harness", Status.OK, ""),
    Attack("read_inputs_early", Status.OK, ""),
    Attack("forge_frame", Status.TAMPERED, "forged"),
    Attack("nan_output", Status.INVALID_OUTPUT, "NaN"),
    Attack("inf_output", Status.INVALID_OUTPUT, "not finite"),
    Attack("wrong_shape", Status.INVALID_OUTPUT, "expected a number, got list"),
    Attack("exit_early", Status.ERROR, "before producing output for 3 of 3 cases"),
    Attack("daemon", Status.OK, ""),
    Attack("setsid_escape", Status.OK, ""),
]
