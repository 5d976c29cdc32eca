"""`adrs sandbox doctor`: what works for the docker backend here, what is missing, the fix."""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from typing import Any

import docker

from adrs.errors import AdrsError
from adrs.problem.loader import Problem
from adrs.problem.spec import Limits, SandboxNeeds
from adrs.sandbox import engine
from adrs.sandbox.images import OFFLINE_BASE, default_base, sandbox_dir


@dataclass
class Finding:
    """One check: ``ok``, what was seen, and the command that fixes it when not ok."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return all(f.ok for f in self.findings if f.required)

    def add(self, *args: Any, **kwargs: Any) -> Finding:
        finding = Finding(*args, **kwargs)
        self.findings.append(finding)
        return finding

    def to_dict(self) -> dict[str, Any]:
        return {"usable": self.usable, "findings": [asdict(f) for f in self.findings]}


def diagnose(problem: Problem | None, try_run: bool = True) -> DoctorReport:
    """Check the engine, its limit support, the images and leftovers; optionally run a
    trivial evaluation in a real container."""
    report = DoctorReport()
    report.add("docker SDK", True, f"docker-py {docker.__version__}")
    why = engine.engine_error()
    if why is not None:
        report.add(
            "engine",
            False,
            why,
            "start the Docker engine (e.g. 'systemctl start docker') and make sure this "
            "user may use it (root or the 'docker' group); DOCKER_HOST selects another",
        )
        return report
    report.add("engine", True, f"Docker {engine.engine_version()}")
    _limits(report)
    _images(report, problem)
    _leftovers(report)
    if try_run and report.usable:
        _trial(report, problem)
    return report


def _limits(report: DoctorReport) -> None:
    info = engine.client().info()
    missing = [
        name
        for name, key in (
            ("memory", "MemoryLimit"),
            ("swap", "SwapLimit"),
            ("pids", "PidsLimit"),
            ("cpu quota", "CpuCfsQuota"),
        )
        if info.get(key) is False
    ]
    cgroup = info.get("CgroupVersion", "?")
    if missing:
        report.add(
            "limits",
            False,
            f"the kernel does not support {', '.join(missing)} limits (cgroup v{cgroup})",
            "enable the memory/pids cgroup controllers (kernel boot options "
            "'cgroup_enable=memory swapaccount=1') or use --sandbox process",
        )
    else:
        report.add("limits", True, f"memory, swap, pids and CPU quota (cgroup v{cgroup})")


def _images(report: DoctorReport, problem: Problem | None) -> None:
    needs = problem.spec.sandbox if problem is not None else SandboxNeeds()
    target = str(problem.root) if problem is not None else "PROBLEM_DIR"
    base = default_base()
    base_ok = engine.image_id(base) is not None
    offline_ok = engine.image_id(OFFLINE_BASE) is not None
    script = sandbox_dir() / "build-offline-base.sh"
    if base_ok:
        report.add("base image", True, f"{base} present", required=False)
    elif offline_ok:
        report.add(
            "base image",
            True,
            f"{base} absent; the offline base {OFFLINE_BASE} is present",
            f"adrs sandbox build {target} --base {OFFLINE_BASE}",
            required=False,
        )
    else:
        needs_tool = "" if shutil.which("debootstrap") else " (installs debootstrap first)"
        report.add(
            "base image",
            False,
            f"neither {base} nor the offline base {OFFLINE_BASE} is present",
            f"docker pull {base}, or with no registry: bash {script}{needs_tool}",
            required=False,
        )
    present = engine.image_id(needs.image) is not None
    packages = ", ".join(needs.packages) or "no extra packages"
    flag = "" if base_ok else f" --base {OFFLINE_BASE}"
    report.add(
        "problem image",
        present,
        f"{needs.image} {'present' if present else 'missing'} ({packages})",
        "" if present else f"adrs sandbox build {target}{flag}",
    )


def _leftovers(report: DoctorReport) -> None:
    containers = engine.client().containers(all=True, filters={"label": [engine.SANDBOX_LABEL]})
    dead = [
        c
        for c in containers
        if engine.owner_alive((c.get("Labels") or {}).get(engine.OWNER_LABEL, "")) is False
    ]
    if dead:
        report.add(
            "leftovers",
            False,
            f"{len(dead)} container(s) left by processes that no longer run",
            "adrs sandbox prune",
            required=False,
        )
    else:
        report.add("leftovers", True, f"none ({len(containers)} sandbox container(s) in use)")


def _trial(report: DoctorReport, problem: Problem | None) -> None:
    from adrs.sandbox.base import SandboxJob
    from adrs.sandbox.docker_sandbox import DockerSandbox

    needs = problem.spec.sandbox if problem is not None else SandboxNeeds()
    job = SandboxJob(
        files={"candidate.py": b"def main():\n    return 0\n"},
        job={"mode": "function", "candidate": "candidate.py", "entry": "main", "seed": 0},
        secret_input=b"doctor\n",
        limits=Limits(timeout_s=30, memory_mb=256, processes=16),
        image=needs.image,
    )
    try:
        sandbox = DockerSandbox(pool_size=0, reap=False)
        try:
            result = sandbox.run(job)
        finally:
            sandbox.close()
    except AdrsError as exc:
        report.add("trial run", False, str(exc), "adrs sandbox doctor --json for details")
        return
    ok = result.exit_code == 0 and b'"t":"end"' in result.output
    detail = f"a container ran the harness in {result.wall_s:.2f} s"
    if not ok:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        detail = f"the harness did not complete (exit {result.exit_code}): {tail}"
    report.add("trial run", ok, detail, "" if ok else "adrs sandbox build --help")
