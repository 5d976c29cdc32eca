"""The fixed harness that runs inside a sandbox.

It reads its job (one JSON line) from standard input, splits into a timekeeper and the
candidate's process (``evaluators.timekeeper``: the timekeeper alone then reads the nonce
and the case inputs from the rest of stdin, hands the candidate one input at a time and
times each answer with its own clock), and writes one frame per case to the output
channel: a file the host reads back with a size cap. It never scores anything: the host's
trusted verifier does that from the raw outputs.

Modes:
  function  call ``entry(**case_input)`` in the candidate module
  driver    call ``driver.run(candidate_module, case_input)`` (a simulator loop that calls
            the candidate back and returns a decision log for the host to replay)
  peer      call ``evaluate(candidate_path)`` of a peer-format ``evaluator.py`` (the run is
            then not independently verified)
  cuda      compile the CUDA candidate and run each case's trials on the GPU
            (``evaluators.cuda.session``); needs NVRTC, CuPy and a GPU

Run as ``python -I harness.py`` with the job on stdin; needs the standard library and,
for arrays, NumPy.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import json
import os
import random
import sys
import traceback
import types
from typing import Any

_HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.dirname(_HERE) not in sys.path:
    sys.path.insert(0, os.path.dirname(_HERE))

from evaluators import timekeeper, wire  # noqa: E402

TRACEBACK_CHARS = 4000


class Channel:
    """Append-only frame writer on a file descriptor opened before the candidate loads.

    Only the timekeeper holds it (and the nonce, which it reads after the candidate's
    process has split off): frames the candidate writes by path lack the nonce."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.nonce = ""

    def send(self, frame: dict[str, Any]) -> None:
        self._write(json.dumps(dict(frame, nonce=self.nonce), separators=(",", ":")).encode())

    def send_output(self, case_id: str, output: bytes, t0: float, t1: float) -> None:
        """A case frame around an output already encoded as one wire value: spliced, not
        decoded again. The frame's own keys come after the output, so they are the ones a
        JSON reader keeps whatever the output holds; a newline in it would split the frame
        and is refused by the caller."""
        tail = {"t": "case", "id": case_id, "ok": True, "t0": t0, "t1": t1, "nonce": self.nonce}
        rest = json.dumps(tail, separators=(",", ":")).encode()
        self._write(b'{"output":' + output + b"," + rest[1:])

    def _write(self, line: bytes) -> None:
        view = memoryview(line + b"\n")
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _short_traceback() -> str:
    text = traceback.format_exc()
    return text[-TRACEBACK_CHARS:]


def _load_module(name: str, path: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


class _SeedNumpyOnImport(importlib.abc.MetaPathFinder):
    """Seeds NumPy's global generator the moment the candidate first imports NumPy.

    Importing NumPy up front only to seed it costs every evaluation about 0.1 s, NumPy used
    or not; seeding right after its import gives the candidate's first draw the same value.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "numpy":
            return None
        sys.meta_path.remove(self)  # once, and so that the lookup below finds the real one
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _SeedingLoader(spec.loader, self.seed)
        return spec


class _SeedingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, seed: int) -> None:
        self._loader = loader
        self._seed = seed

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        module.random.seed(self._seed % (2**32))

    def __getattr__(self, name: str) -> Any:  # resource readers and the like
        return getattr(self._loader, name)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed(seed % (2**32))
    else:
        sys.meta_path.insert(0, _SeedNumpyOnImport(seed))


# Imported before privileges are dropped: where the interpreter's files are unreadable to
# the sandbox user (a Python installed under /root, say), later imports of them would fail.
def _confine(spec: dict[str, Any]) -> None:
    """Apply resource limits and drop privileges before any candidate code runs.

    Used by the process backend; container backends apply limits from outside instead.
    """
    import resource

    names = {
        "as": resource.RLIMIT_AS,
        "cpu": resource.RLIMIT_CPU,
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
        "nproc": resource.RLIMIT_NPROC,
        "core": resource.RLIMIT_CORE,
    }
    for key, value in spec.get("rlimits", {}).items():
        limit = int(value)
        resource.setrlimit(names[key], (limit, limit))
    user = spec.get("user")
    if user is not None:
        os.setgroups([])
        os.setgid(int(user))
        os.setuid(int(user))


def _prepare_call(job: dict[str, Any]) -> Any:
    """Load what the mode needs and return the function that runs one case's input."""
    mode = job["mode"]
    candidate_path = os.path.abspath(job["candidate"])
    if mode == "peer":
        problem_dir = os.path.abspath(job["problem_dir"])
        sys.path.insert(0, problem_dir)
        os.chdir(problem_dir)
        evaluator = _load_module("evaluator", os.path.join(problem_dir, "evaluator.py"))
        return lambda _inp: evaluator.evaluate(candidate_path)
    if mode == "cuda":
        from evaluators.cuda.session import KernelSession

        return KernelSession(candidate_path, os.path.abspath(job["kernel"])).run_case
    candidate = _load_module("candidate", candidate_path)
    if mode == "driver":
        driver = _load_module("driver", job["driver"])
        return lambda inp: driver.run(candidate, inp)
    entry = getattr(candidate, job["entry"], None)
    if not callable(entry):
        raise AttributeError(f"candidate defines no function {job['entry']!r}")
    return lambda inp: entry(**inp)


def _failure(exc: BaseException) -> dict[str, Any]:
    return {
        "error": _error_text(exc),
        "tb": _short_traceback(),
        "memory": isinstance(exc, MemoryError),
    }


def load(job: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """Seed, then load the candidate: (the case function, None) or (None, the failure)."""
    _seed_everything(int(job.get("seed", 0)))
    try:
        return _prepare_call(job), None
    except BaseException as exc:
        return None, _failure(exc)


def run_case(call: Any, line: bytes) -> tuple[bool, bytes]:
    """Run one case (a wire line holding its input): (True, the output as one wire value)
    or (False, the failure as JSON)."""
    try:
        output = call(wire.decode(line)["input"])
    except BaseException as exc:
        return False, json.dumps(_failure(exc)).encode()
    try:
        return True, wire.encode(output).encode("utf-8")
    except (wire.WireError, ValueError, OverflowError, RecursionError) as exc:
        failure = {"error": f"OutputNotSerializable: {exc}"[:1000], "tb": "", "memory": False}
        return False, json.dumps(failure).encode()


def run_job(job: dict[str, Any], secrets: Any) -> int:
    """``secrets`` is the rest of stdin (this evaluation's nonce, then the case inputs),
    still unread: the candidate must never hold either."""
    # Opened while still privileged: the channel's folder may be closed to the sandbox user.
    channel = Channel(job["output"])
    if job.get("mode") == "cuda":
        # Import the CUDA kit (and CuPy) while still privileged: once confined to an
        # unprivileged uid, the interpreter's own library may be unreadable (under /root).
        from evaluators.cuda.session import preload

        preload()
    if job.get("confine"):
        _confine(job["confine"])
    if job["mode"] == "cuda":
        # The candidate is device code: no candidate code runs on this CPU to patch the
        # clock or read the inputs, so the cases run here.
        return timekeeper.run_inline(job, channel, secrets, load, run_case)
    return timekeeper.run_split(job, channel, secrets, load, run_case)


def main() -> int:
    job = json.loads(timekeeper.read_line(0))
    return run_job(job, timekeeper.Stdin(0))


if __name__ == "__main__":
    sys.exit(main())
