"""The fixed harness that runs inside a sandbox.

It reads its job (JSON) from standard input, loads the candidate, drives it over each case
and writes one frame per case to the output channel: a file the host reads back with a size
cap. It never scores anything: the host's trusted verifier does that from the raw outputs.

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
import time
import traceback
import types
from typing import Any

# Bound before any candidate code runs, so that patching ``time`` from the candidate
# cannot change what the harness measures.
_monotonic = time.monotonic
_HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.dirname(_HERE) not in sys.path:
    sys.path.insert(0, os.path.dirname(_HERE))

from evaluators import wire  # noqa: E402

TRACEBACK_CHARS = 4000


class Channel:
    """Append-only frame writer on a file descriptor opened before the candidate loads."""

    def __init__(self, path: str, nonce: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._nonce = nonce

    def send(self, frame: dict[str, Any]) -> None:
        frame = dict(frame, nonce=self._nonce)
        try:
            line = wire.encode(frame)
        except (wire.WireError, ValueError, OverflowError) as exc:
            line = wire.encode(
                {
                    "t": frame.get("t"),
                    "id": frame.get("id"),
                    "ok": False,
                    "error": f"OutputNotSerializable: {exc}",
                    "t0": frame.get("t0"),
                    "t1": frame.get("t1"),
                    "nonce": self._nonce,
                }
            )
        data = (line + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
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


def _iter_cases(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield wire.decode(line)


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


def run_job(job: dict[str, Any]) -> int:
    channel = Channel(job["output"], job["nonce"])
    if job.get("mode") == "cuda":
        # Import the CUDA kit (and CuPy) while still privileged: once confined to an
        # unprivileged uid, the interpreter's own library may be unreadable (under /root).
        from evaluators.cuda.session import preload

        preload()
    if job.get("confine"):
        _confine(job["confine"])
    channel.send({"t": "start", "mono": _monotonic(), "pid": os.getpid()})
    _seed_everything(int(job.get("seed", 0)))
    mode = job["mode"]
    candidate_path = os.path.abspath(job["candidate"])
    cases_path = os.path.abspath(job["cases"])
    call: Any
    try:
        if mode == "peer":
            problem_dir = os.path.abspath(job["problem_dir"])
            sys.path.insert(0, problem_dir)
            os.chdir(problem_dir)
            evaluator = _load_module("evaluator", os.path.join(problem_dir, "evaluator.py"))
            call = lambda _inp: evaluator.evaluate(candidate_path)  # noqa: E731
        elif mode == "cuda":
            from evaluators.cuda.session import KernelSession

            call = KernelSession(candidate_path, os.path.abspath(job["kernel"])).run_case
        else:
            candidate = _load_module("candidate", candidate_path)
            if mode == "driver":
                driver = _load_module("driver", job["driver"])
                call = lambda inp: driver.run(candidate, inp)  # noqa: E731
            else:
                entry = getattr(candidate, job["entry"], None)
                if not callable(entry):
                    raise AttributeError(f"candidate defines no function {job['entry']!r}")
                call = lambda inp: entry(**inp)  # noqa: E731
    except BaseException as exc:
        channel.send(
            {
                "t": "load_error",
                "error": _error_text(exc),
                "tb": _short_traceback(),
                "memory": isinstance(exc, MemoryError),
            }
        )
        return 0

    for case in _iter_cases(cases_path):
        case_id = case["id"]
        t0 = _monotonic()
        try:
            output = call(case["input"])
        except BaseException as exc:
            t1 = _monotonic()
            channel.send(
                {
                    "t": "case",
                    "id": case_id,
                    "ok": False,
                    "error": _error_text(exc),
                    "tb": _short_traceback(),
                    "memory": isinstance(exc, MemoryError),
                    "t0": t0,
                    "t1": t1,
                }
            )
            continue
        t1 = _monotonic()
        channel.send({"t": "case", "id": case_id, "ok": True, "output": output, "t0": t0, "t1": t1})
    channel.send({"t": "end", "mono": _monotonic()})
    return 0


def main() -> int:
    job = json.loads(sys.stdin.read())
    return run_job(job)


if __name__ == "__main__":
    sys.exit(main())
