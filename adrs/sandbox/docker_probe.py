"""Whether the docker backend can serve a problem here: an engine answers, the image exists."""

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
    return None
