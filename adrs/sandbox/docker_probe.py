"""Whether the docker backend can serve a problem here: an engine answers, the image
exists, and for a GPU problem the engine can hand GPUs to containers."""

from __future__ import annotations

from adrs.errors import AdrsError
from adrs.problem.loader import Problem
from adrs.problem.spec import SandboxNeeds
from adrs.sandbox import engine


def docker_probe(problem: Problem | None) -> str | None:
    """None when the docker backend can run ``problem``, else a one-line reason."""
    why = engine.engine_error()
    if why is not None:
        return why
    image = problem.spec.sandbox.image if problem is not None else SandboxNeeds.image
    try:
        present = engine.image_id(image) is not None
    except AdrsError as exc:
        return str(exc)
    if not present:
        target = str(problem.root) if problem is not None else "PROBLEM_DIR"
        return f"image {image} is not built (run 'adrs sandbox build {target}')"
    if problem is not None and problem.spec.sandbox.gpu:
        return engine.gpu_error()
    return None
