"""The JSON API's reference: one entry per endpoint, shown at ``/api`` and kept beside the
pages so that a new page cannot go undocumented (a test checks every route is listed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    path: str
    page: str  # the HTML page it is the twin of ("" for API-only endpoints)
    what: str
    params: tuple[tuple[str, str], ...] = ()


PAGING = ("page", "page number, from 1")

ENDPOINTS = (
    Endpoint(
        "/api/runs",
        "/",
        "Runs, a page at a time: status, problem, seed and best score, gain over the seed "
        "(positive is better), iterations, evaluations, programs by outcome, cost, tokens, "
        "elapsed seconds.",
        (
            (
                "sort",
                "created, problem, status, best, gain, iterations, evaluations, cost, elapsed",
            ),
            ("order", "asc or desc"),
            PAGING,
        ),
    ),
    Endpoint(
        "/api/runs/{run_id}",
        "/runs/{run_id}",
        "A run's progress: summary and settings, scores by iteration (every scored program, "
        "or min/max per bucket of iterations past 1,500), each new best, islands (programs, "
        "scored, best, last improvement), models (calls, tokens, cost, share of new bests), "
        "latest events, top programs and held-out validation results.",
    ),
    Endpoint(
        "/api/runs/{run_id}/programs",
        "/runs/{run_id}/programs",
        "A run's programs, a page at a time.",
        (
            ("sort", "seq (proposal order) or score (best first)"),
            ("show", "all, scored, failed, rejected or pending"),
            PAGING,
        ),
    ),
    Endpoint(
        "/api/runs/{run_id}/events",
        "/runs/{run_id}/events",
        "A run's events, newest first; 'older' is the id to pass as before= for the next page.",
        (("before", "only events with a smaller id"),),
    ),
    Endpoint(
        "/api/runs/{run_id}/lineage",
        "/runs/{run_id}/lineage",
        "The lineage tree: every program of a small run ('whole'), or a window around the "
        "focus ('window'): its ancestors (more_ancestors pages further up), children and "
        "grandchildren, and how many children each shown node has beyond those shown.",
        (
            ("focus", "program id (default: the run's best)"),
            ("view", "auto, whole or window"),
            ("colour", "score or island (the page's colouring)"),
            ("rejected", "1 to include programs rejected before evaluation"),
        ),
    ),
    Endpoint(
        "/api/programs/{program_id}",
        "/programs/{program_id}",
        "A program: source, metrics, features, status and reason; its parents with a unified "
        "diff to each, its inspirations; every evaluation stage with per-case results and "
        "log tails; the mutator calls (prompt, response, model, tokens, cost); its children.",
        (("children_page", "page of the children list"),),
    ),
    Endpoint(
        "/api/compare",
        "/compare",
        "Two programs side by side: both rows, their metrics and the difference b - a, and a "
        "unified diff from a to b.",
        (
            ("a", "program id"),
            ("b", "program id"),
            ("p", "program id, given twice in place of a and b (the listings' tick boxes)"),
        ),
    ),
    Endpoint(
        "/api/stamp",
        "",
        "A value that changes whenever any run changes, and whether any run is running.",
    ),
    Endpoint(
        "/api/runs/{run_id}/stamp",
        "",
        "A value that changes whenever the run moves on, and whether it is running; "
        "pages of a running run poll it and refresh their live parts when it changes.",
    ),
)
