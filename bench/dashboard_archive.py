"""Build a large synthetic archive for the dashboard's benchmarks (not a real evolution).

One run of N programs with what a real run stores for each: source (edited from its
parent), lineage edges, a model call with a prompt of a few kilobytes, per-stage
evaluations with per-case results, failures with reasons and logs, rejected duplicates,
islands, migrations, and a few held-out validations at the end.

    python bench/dashboard_archive.py --programs 10000 --db /tmp/dash10k.db
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from adrs.archive.models import EvaluationRecord, Event, LineageEdge, LLMCall, Program
from adrs.archive.store import Archive, new_id

ISLANDS = 4
MODELS = (("openai:gpt-4.1-mini", 0.4e-6, 1.6e-6), ("anthropic:claude-sonnet-4", 3e-6, 15e-6))
FAILURES = (
    (
        "error",
        "case search-00 raised TypeError: unsupported operand type(s) for +: 'int' and 'str'",
    ),
    ("invalid_output", "case search-03: model m7 placed twice"),
    ("timeout", "exceeded the wall-clock limit of 20.0 s"),
    ("memory", "exceeded the memory limit of 1024 MB"),
)
SEED_LINES = [
    '"""Place models on GPUs so that the most loaded GPU\'s KV-cache pressure is low."""',
    "",
    "GPU_MEMORY_GB = 80.0",
    "",
    "# EVOLVE-BLOCK-START",
    "def place_models(gpu_num, models):",
    "    placement = [[] for _ in range(gpu_num)]",
    "    used = [0.0] * gpu_num",
    "    load = [0.0] * gpu_num",
    '    order = sorted(models, key=lambda m: m["req_rate"] / m["slo"], reverse=True)',
    "    for m in order:",
    "        best, best_kvpr = None, None",
    "        for g in range(gpu_num):",
    '            free = GPU_MEMORY_GB - used[g] - m["size"]',
    "            if free <= 0:",
    "                continue",
    '            kvpr = (load[g] + m["req_rate"] / m["slo"]) / free',
    "            if best is None or kvpr < best_kvpr:",
    "                best, best_kvpr = g, kvpr",
    "        if best is None:",
    "            raise ValueError(f\"model {m['name']} fits on no GPU\")",
    '        placement[best].append(m["name"])',
    '        used[best] += m["size"]',
    '        load[best] += m["req_rate"] / m["slo"]',
    "    return placement",
    "# EVOLVE-BLOCK-END",
    "",
]
EDITABLE = range(6, 25)


def _mutate(lines: list[str], rng: random.Random) -> tuple[list[str], str, str, str]:
    """An edited copy of ``lines``, the mutation's name and the SEARCH/REPLACE that made it."""
    out = list(lines)
    at = rng.choice([i for i in EDITABLE if i < len(out)])
    before = out[at]
    if rng.random() < 0.6:
        out[at] = before + f"  # w={rng.uniform(0.5, 2.0):.3f}"
        name = "perturb_constant"
    else:
        indent = before[: len(before) - len(before.lstrip())]
        out.insert(at + 1, f"{indent}_tmp = {rng.randint(1, 99)} * 0.5")
        name = "duplicate_statement"
    patch = f"<<<<<<< SEARCH\n{before}\n=======\n{out[at]}\n>>>>>>> REPLACE\n"
    return out, name, before, patch


def _prompt(parent: list[str], score: float | None, rng: random.Random) -> str:
    feedback = "\n".join(
        f"- case search-{i:02d}: max_kvpr {rng.uniform(0.04, 0.07):.5f}" for i in range(8)
    )
    return (
        "You are improving a program that places LLMs on 80 GB GPUs so that the maximum "
        "KV-cache pressure ratio is as low as possible.\n\n## Current program\n```python\n"
        + "\n".join(parent)
        + f"\n```\n\nIts max_kvpr is {score}. Worst cases:\n{feedback}\n\n"
        "Answer with SEARCH/REPLACE blocks that change only the EVOLVE-BLOCK.\n"
    )


def _cases(n: int, score: float, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        value = score * rng.uniform(0.85, 1.15)
        out.append(
            {
                "id": f"search-{i:02d}",
                "elapsed_s": rng.uniform(2e-5, 9e-5),
                "metrics": {
                    "max_kvpr": value,
                    "lower_bound": value * 0.75,
                    "gap_to_bound": 1 / 0.75,
                    "elapsed_s": rng.uniform(2e-5, 9e-5),
                },
            }
        )
    return out


class _Builder:
    """Accumulates rows for one run and writes them in batches."""

    def __init__(self, archive: Archive, run_id: str, rng: random.Random, start: datetime) -> None:
        self.archive, self.run_id, self.rng = archive, run_id, rng
        self.rows: dict[Any, list[dict[str, Any]]] = {
            Program: [],
            LineageEdge: [],
            LLMCall: [],
            EvaluationRecord: [],
            Event: [],
        }
        self.start = start

    def at(self, seq: int) -> datetime:
        return self.start + timedelta(seconds=2 * seq)

    def evaluation(self, pid: str, seq: int, stage: str, status: str, **extra: Any) -> None:
        self.rows[EvaluationRecord].append(
            {
                "run_id": self.run_id,
                "program_id": pid,
                "purpose": extra.pop("purpose", "search"),
                "stage": stage,
                "split": extra.pop("split", "search"),
                "status": status,
                "reason": extra.pop("reason", ""),
                "score": extra.pop("score", None),
                "metrics": extra.pop("metrics", {}),
                "cases": extra.pop("cases", []),
                "stdout_tail": "",
                "stderr_tail": extra.pop("stderr", ""),
                "backend": "process",
                "wall_s": self.rng.uniform(0.05, 0.3),
                "exit_code": 0 if status == "ok" else 1,
                "limits": {"timeout_s": 20.0, "memory_mb": 1024},
                "created_at": self.at(seq) + timedelta(seconds=1),
            }
        )

    def flush(self) -> None:
        with self.archive.engine.begin() as conn:
            for model in (Program, LineageEdge, LLMCall, EvaluationRecord, Event):
                if self.rows[model]:
                    conn.execute(insert(model), self.rows[model])
                    self.rows[model] = []


def generate(url: str, programs: int, seed: int = 0, cases: tuple[int, int] = (10, 50)) -> str:
    """Write one finished run of ``programs`` programs into the archive at ``url``.

    ``cases`` is how many per-case results each stage (quick, full) of a scored program
    records; tests use fewer to keep the archive small.
    """
    rng = random.Random(seed)
    archive = Archive(url)
    start = datetime.now(UTC) - timedelta(seconds=2 * programs + 60)
    run_id = archive.create_run(
        created_at=start,
        problem_name="model_placement",
        problem_path="problems/model_placement",
        problem_digest="0" * 64,
        objective_metric="max_kvpr",
        objective_direction="minimize",
        settings={"iterations": programs - 1, "islands": ISLANDS, "synthetic": True},
        status="running",
        verified=True,
        sandbox_backend="process",
        executor="inline",
        seed=seed,
        host="bench",
        version="bench",
    )
    b = _Builder(archive, run_id, rng, start)
    sources: dict[str, list[str]] = {}
    generations: dict[str, int] = {}
    scores: dict[str, float] = {}
    ranked: list[list[tuple[float, str]]] = [[] for _ in range(ISLANDS)]
    best: tuple[float, str] | None = None
    cost = 0.0
    tokens = [0, 0]
    evaluated = 0
    seed_id = ""
    for seq in range(programs):
        pid = new_id()
        island = 0 if seq == 0 else seq % ISLANDS
        row: dict[str, Any] = {
            "id": pid,
            "run_id": run_id,
            "seq": seq,
            "island": island,
            "language": "python",
            "complete": False,
            "metrics": {},
            "features": {},
            "created_at": b.at(seq),
            "state": "pending",
            "status": None,
            "reason": None,
            "score": None,
            "evaluated_at": None,
        }
        if seq == 0:
            lines, parent_id, generation, mutation = list(SEED_LINES), None, 0, "seed"
            seed_id = pid
            score: float | None = 0.0518
        else:
            pool = ranked[island] or ranked[0]
            rank = min(len(pool) - 1, int(rng.paretovariate(1.1)) - 1)
            parent_id = pool[rank][1] if rng.random() > 0.15 else rng.choice(pool)[1]
            lines, name, _before, patch = _mutate(sources[parent_id], rng)
            generation, mutation = generations[parent_id] + 1, f"offline:{name}"
            model, price_in, price_out = MODELS[seq % len(MODELS)]
            prompt = _prompt(sources[parent_id], scores.get(parent_id), rng)
            t_in, t_out = len(prompt) // 4, len(patch) // 4
            call_cost = t_in * price_in + t_out * price_out
            cost, tokens[0], tokens[1] = cost + call_cost, tokens[0] + t_in, tokens[1] + t_out
            b.rows[LLMCall].append(
                {
                    "run_id": run_id,
                    "program_id": pid,
                    "seq": seq,
                    "model": model,
                    "choice_reason": "round robin",
                    "template": "diff",
                    "system_prompt": "",
                    "prompt": prompt,
                    "response": patch,
                    "tokens_in": t_in,
                    "tokens_out": t_out,
                    "cost_usd": call_cost,
                    "latency_s": rng.uniform(2, 20),
                    "created_at": b.at(seq),
                }
            )
            b.rows[LineageEdge].append({"child_id": pid, "parent_id": parent_id, "kind": "parent"})
            for other in {rng.choice(pool)[1] for _ in range(2)} - {parent_id}:
                b.rows[LineageEdge].append(
                    {"child_id": pid, "parent_id": other, "kind": "inspiration"}
                )
            roll = rng.random()
            score = None
            if roll < 0.08:
                row.update(state="rejected", reason=f"duplicate of program {parent_id}")
            elif roll < 0.40:
                status, reason = rng.choice(FAILURES)
                row.update(state="evaluated", status=status, reason=reason, evaluated_at=b.at(seq))
                b.evaluation(
                    pid,
                    seq,
                    "quick",
                    status,
                    reason=reason,
                    stderr=f"Traceback (most recent call last):\n  ...\n{reason}\n",
                )
                evaluated += 1
            else:
                parent_score = scores[parent_id]
                score = parent_score * (1 + rng.gauss(0.004, 0.012))
        row.update(
            source="\n".join(lines),
            source_hash=f"{seq:064x}",
            generation=generation,
            parent_id=parent_id,
            mutation=mutation,
        )
        if score is not None:
            metrics = {"max_kvpr": score, "lower_bound": 0.0386, "gap_to_bound": score / 0.0386}
            row.update(
                state="evaluated",
                status="ok",
                complete=True,
                score=score,
                metrics=metrics,
                evaluated_at=b.at(seq),
            )
            b.evaluation(
                pid,
                seq,
                "quick",
                "ok",
                score=score,
                metrics=metrics,
                cases=_cases(cases[0], score, rng),
            )
            b.evaluation(
                pid,
                seq,
                "full",
                "ok",
                score=score,
                metrics=metrics,
                cases=_cases(cases[1], score, rng),
            )
            evaluated += 1
            scores[pid] = score
            bisect.insort(ranked[island], (score, pid))
            if seq == 0:
                for other in range(1, ISLANDS):
                    bisect.insort(ranked[other], (score, pid))
            if best is None or score < best[0]:
                best = (score, pid)
        sources[pid] = lines
        generations[pid] = generation
        b.rows[Program].append(row)
        if seq and seq % 250 == 0:
            b.rows[Event].append(
                {
                    "run_id": run_id,
                    "kind": "migration",
                    "message": "1 programs migrated between islands",
                    "data": {"moves": [[pid, island, (island + 1) % ISLANDS]]},
                    "created_at": b.at(seq),
                }
            )
        if len(b.rows[Program]) >= 500:
            b.flush()
    assert best is not None
    for pid, _score in sorted(scores.items(), key=lambda kv: kv[1])[:3]:
        b.evaluation(
            pid,
            programs,
            "heldout",
            "ok",
            purpose="validation",
            split="heldout",
            score=scores[pid] * 1.02,
            metrics={"max_kvpr": scores[pid] * 1.02},
        )
    b.flush()
    archive.update_run(
        run_id,
        status="finished",
        stop_reason=f"completed {programs - 1} iterations",
        seed_program_id=seed_id,
        seed_score=0.0518,
        best_program_id=best[1],
        best_score=best[0],
        iterations=programs - 1,
        evaluations=evaluated,
        cost_usd=cost,
        tokens_in=tokens[0],
        tokens_out=tokens[1],
        finished_at=b.at(programs),
    )
    archive.add_event(run_id, "start", "run started (synthetic benchmark archive)")
    archive.close()
    return run_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--db", default="/tmp/adrs-dashboard-bench.db")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = Path(args.db)
    if path.exists():
        print(f"{path} exists; remove it first", file=sys.stderr)
        return 1
    started = time.perf_counter()
    run_id = generate(f"sqlite:///{path}", args.programs, args.seed)
    size = path.stat().st_size / 2**20
    print(f"run {run_id}: {args.programs} programs in {time.perf_counter() - started:.1f} s")
    print(f"archive {path}: {size:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
