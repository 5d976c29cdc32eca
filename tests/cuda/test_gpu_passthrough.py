"""A CUDA problem's evaluations get a GPU: Ray asks for one, Docker passes it through,
and the problem's image carries what the harness needs to use it.

(The process backend's passthrough of ``CUDA_VISIBLE_DEVICES`` is exercised for real in
``tests/sandbox/test_process_gpu_jobs.py``.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docker
import pytest

from adrs.evaluation.evaluate import build_job
from adrs.execute import ray_cluster
from adrs.execute.ray_executor import RayExecutor
from adrs.problem.loader import load_problem
from adrs.sandbox import container_spec, engine
from adrs.sandbox.container_spec import Profile, create_kwargs
from adrs.sandbox.workdir import HostDir
from tests.support.cuda_trials import PROBLEMS

NAMES = ["cuda_softmax", "cuda_layernorm", "cuda_matmul"]


def executor_on(gpus: float) -> RayExecutor:
    """A Ray executor's submission side, on a cluster with ``gpus`` GPUs (none started)."""
    executor = RayExecutor.__new__(RayExecutor)
    executor.session = ray_cluster.RaySession(
        address="10.0.0.1:6379", started_here=False, sandboxes=4, gpus=gpus
    )
    return executor


@pytest.mark.parametrize("name", NAMES)
def test_ray_asks_for_one_gpu_per_cuda_evaluation(name: str) -> None:
    options = executor_on(gpus=2)._options(load_problem(PROBLEMS / name))
    assert options["num_gpus"] == 1
    assert options["num_cpus"] == 1
    assert options["resources"] == {ray_cluster.SANDBOX_RESOURCE: 1}


def test_ray_asks_no_gpu_for_python_problems() -> None:
    options = executor_on(gpus=2)._options(load_problem(PROBLEMS / "model_placement"))
    assert "num_gpus" not in options


def _container(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """The container a docker sandbox would create for the problem's seed."""
    # a client that needs no engine: create_host_config only builds a dictionary
    monkeypatch.setattr(engine, "client", lambda *a, **k: docker.APIClient(version="1.43"))
    problem = load_problem(PROBLEMS / name)
    job = build_job(problem, problem.seed_source, [], "n" * 32)
    profile = Profile.of(job.image, job.limits, job.gpu, job.labels)
    return create_kwargs(profile, 12345, HostDir(tmp_path), 1.0, {})


def test_docker_passes_every_gpu_to_a_cuda_container(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    (request,) = _container("cuda_softmax", monkeypatch, tmp_path)["host_config"]["DeviceRequests"]
    assert request["Count"] == -1 and request["Capabilities"] == [["gpu"]]  # --gpus all
    assert not request.get("DeviceIDs")


def test_docker_passes_only_the_gpus_this_worker_was_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")  # what Ray sets for a GPU task
    (request,) = _container("cuda_matmul", monkeypatch, tmp_path)["host_config"]["DeviceRequests"]
    assert request["DeviceIDs"] == ["2", "3"] and request["Capabilities"] == [["gpu"]]
    assert not request.get("Count")


def test_docker_gives_python_problems_no_gpu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = _container("model_placement", monkeypatch, tmp_path)["host_config"]
    assert not config.get("DeviceRequests")


def test_a_gpu_container_keeps_the_lock_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = _container("cuda_layernorm", monkeypatch, tmp_path)["host_config"]
    assert config["NetworkMode"] == "none" and config["ReadonlyRootfs"] is True
    assert config["CapDrop"] == ["ALL"] and config["SecurityOpt"] == ["no-new-privileges"]
    assert config["Memory"] == config["MemorySwap"]
    assert container_spec.HARNESS_DIR in {m["Target"] for m in config["Mounts"]}


@pytest.mark.parametrize("name", NAMES)
def test_the_cuda_image_installs_what_the_harness_needs(name: str) -> None:
    # `adrs sandbox build problems/NAME` installs these into the image: CuPy with the CUDA
    # libraries (cuBLAS for the reference), NVRTC and the CUDA headers for the compiler.
    needs = load_problem(PROBLEMS / name).spec.sandbox
    assert needs.gpu and needs.image == "adrs-cuda:latest"
    names = {p.split("[")[0].split(">")[0].split("=")[0].split("~")[0] for p in needs.packages}
    assert {"cupy-cuda12x", "nvidia-cuda-nvrtc-cu12", "nvidia-cuda-runtime-cu12"} <= names
