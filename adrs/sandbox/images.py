"""Building a problem's sandbox image from ``sandbox/Dockerfile`` through the docker SDK."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import docker.errors
import requests

import adrs
from adrs.errors import AdrsError, NotAvailableError
from adrs.problem.spec import SandboxNeeds
from adrs.sandbox import engine

DEFAULT_BASE = "python:3.12-slim"
OFFLINE_BASE = "adrs-base:bookworm"
BUILD_TIMEOUT_S = 1800
# A pip requirement: a name, extras, version specifiers; nothing a shell would interpret.
_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-\[\],<>=!~]*$")


def sandbox_dir() -> Path:
    """The repository's ``sandbox/`` folder (Dockerfiles, the offline base script)."""
    return Path(adrs.__file__).resolve().parents[1] / "sandbox"


def default_base() -> str:
    """The base image: ``ADRS_SANDBOX_BASE``, else the official Python slim image."""
    return os.environ.get("ADRS_SANDBOX_BASE") or DEFAULT_BASE


@dataclass(frozen=True)
class BuildPlan:
    """What ``adrs sandbox build`` will build."""

    image: str
    base: str
    packages: tuple[str, ...]
    source: str  # where the needs came from (a problem.toml, or the defaults)


def plan_build(needs: SandboxNeeds, base: str | None, source: str) -> BuildPlan:
    for package in needs.packages:
        if not _PACKAGE.match(package):
            raise AdrsError(f"{source}: [sandbox] packages: {package!r} is not a package spec")
    return BuildPlan(needs.image, base or default_base(), needs.packages, source)


def build_image(plan: BuildPlan, say: Callable[[str], None] = lambda _m: None) -> str:
    """Build ``plan.image`` and return its id; raises with the builder's last error."""
    dockerfile = sandbox_dir() / "Dockerfile"
    if not dockerfile.is_file():
        raise NotAvailableError(f"{dockerfile}: missing (run from a source checkout of ADRS)")
    why = engine.engine_error()
    if why is not None:
        raise NotAvailableError(f"docker: {why}")
    base_present = engine.image_id(plan.base) is not None
    context = Path(tempfile.mkdtemp(prefix="adrs-build-"))
    try:
        shutil.copy(dockerfile, context / "Dockerfile")
        stream = engine.client(BUILD_TIMEOUT_S).build(
            path=str(context),
            tag=plan.image,
            buildargs={"BASE": plan.base, "PACKAGES": " ".join(plan.packages)},
            labels={"org.adrs.image": "problem", "org.adrs.packages": " ".join(plan.packages)},
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        )
        image = _follow(stream, say)
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise AdrsError(f"docker build of {plan.image}: {engine._first_line(exc)}") from exc
    except AdrsError as exc:
        hint = ""
        if not base_present:
            hint = (
                f" (base image {plan.base} is not present and could not be pulled; on a "
                f"machine without a registry run sandbox/build-offline-base.sh and pass "
                f"--base {OFFLINE_BASE})"
            )
        raise AdrsError(f"{exc}{hint}") from exc
    finally:
        shutil.rmtree(context, ignore_errors=True)
    return image


def _follow(stream: Iterable[object], say: Callable[[str], None]) -> str:
    image_id: str | None = None
    last: list[str] = []
    for item in stream:
        if not isinstance(item, dict):
            continue
        if "error" in item:
            detail = " ".join(str(item["error"]).split())
            raise AdrsError(f"docker build failed: {detail}")
        text = str(item.get("stream", "")).rstrip()
        if text:
            last = [*last, text][-5:]
            say(text)
        aux = item.get("aux")
        if isinstance(aux, dict) and "ID" in aux:
            image_id = str(aux["ID"])
    if image_id is None:
        raise AdrsError(f"docker build finished without an image ({' | '.join(last)})")
    return image_id
