"""ADRS and OpenEvolve side by side: one problem, one stub model, the same budget.

Both systems run the OpenEvolve-format folder `bench/compare/problem/` (ours runs such
folders unchanged, with the evaluator inside our sandbox) against the same stub model
server (`bench/compare/stub.py`, its own process), which answers every request after a
fixed latency with a valid SEARCH/REPLACE edit from one fixed pool (`bench/compare/pool.py`).
For each latency and parallelism, each system makes the same number of model calls, and
we measure wall time, iterations per minute, the orchestrating process's CPU time and peak
memory, the whole process tree's, and how many evaluations ran while the model was busy.
Then the same at a prepared population of 1,000 and 5,000 programs, and a containment run
whose pool holds a candidate that never terminates and one that allocates without bound.

    .venv/bin/python bench/compare_openevolve.py                 # everything (about an hour)
    .venv/bin/python bench/compare_openevolve.py --smoke         # a few iterations, CI
    .venv/bin/python bench/compare_openevolve.py --only main --latencies 1 --parallel 2

OpenEvolve is installed into `bench/.venv-openevolve` from
`bench/compare/requirements-openevolve.txt` on first use. `--results bench/RESULTS.md`
writes the tables into that file's section for this benchmark.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
COMPARE = BENCH / "compare"
sys.path.insert(0, str(COMPARE))

import measure  # noqa: E402  (bench/compare, not a package)
import pool  # noqa: E402

OE_VENV = BENCH / ".venv-openevolve"
REQUIREMENTS = COMPARE / "requirements-openevolve.txt"
SECTION_START = "<!-- compare_openevolve: start -->"
SECTION_END = "<!-- compare_openevolve: end -->"
GUARD_BYTES = 8 << 30  # the address-space cap we put on OpenEvolve in the containment run


def openevolve_python() -> str:
    """The interpreter of OpenEvolve's own virtual environment, created on first use."""
    python = OE_VENV / "bin" / "python"
    stamp = OE_VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != REQUIREMENTS.read_text():
        print(f"installing OpenEvolve into {OE_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(OE_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(REQUIREMENTS.read_text())
    return str(python)


def seed_score() -> float:
    spec = importlib.util.spec_from_file_location("bench_evaluator", pool.PROBLEM / "evaluator.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return float(module.evaluate(str(pool.PROBLEM / "initial_program.py"))["combined_score"])


def guard_memory() -> None:
    """OpenEvolve sets no memory limit; without this the unbounded candidate would take the
    machine. RLIMIT_AS on its whole tree stops it with a MemoryError instead."""
    resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.oe_python = openevolve_python()
        self.count = 0

    def _paths(self, name: str) -> tuple[Path, Path, Path]:
        self.count += 1
        base = self.work / f"{self.count:02d}-{name}"
        base.mkdir()
        return base, base / "result.json", base / "requests.jsonl"

    def _finish(
        self, result_file: Path, stub: measure.Stub, watch: measure.TreeWatch, code: int, log: Path
    ) -> dict[str, Any]:
        if code != 0 or not result_file.exists():
            tail = log.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError(f"run failed (exit {code}); {log}:\n" + "\n".join(tail))
        result: dict[str, Any] = json.loads(result_file.read_text())
        requests = stub.requests()
        mostly, share = measure.overlap(result["intervals"], requests)
        result.update(
            calls=len(requests),
            requests=requests,
            search_s=measure.search_span(result["intervals"], requests),
            tree_cpu_s=watch.cpu_s,
            tree_peak_mb=watch.peak_rss / 2**20,
            survivors=watch.survivors(),
            timeline=watch.timeline,
            evals_while_model_busy=mostly,
            eval_time_hidden=share,
        )
        return result

    def adrs(
        self,
        latency: float,
        parallel: int,
        iterations: int,
        *,
        population: Path | None = None,
        sandbox: str = "process",
        hang_at: int = -1,
        hog_at: int = -1,
        profile: bool = False,
    ) -> dict[str, Any]:
        base, out, requests = self._paths(f"adrs-{sandbox}-l{latency}-p{parallel}")
        db = f"sqlite:///{base / 'archive.db'}"
        runner = [sys.executable, str(COMPARE / "adrs_runner.py")]
        common = ["--parallel", str(parallel), "--sandbox", sandbox, "--db", db]
        port = measure.free_port()
        url = f"http://127.0.0.1:{port}/v1"
        run_id = None
        if population is not None:
            size = len(json.loads(population.read_text()))
            prepared = base / "prepared.json"
            subprocess.run(
                [
                    *runner,
                    *("prepare", *common, "--base-url", url, "--capacity", str(size)),
                    *("--population", str(population), "--out", str(prepared)),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            run_id = json.loads(prepared.read_text())["run_id"]
        with measure.Stub(
            sys.executable, COMPARE / "stub.py", latency, requests, port, hang_at, hog_at
        ) as stub:
            argv = [*runner, "resume" if run_id else "run", *common, "--base-url", url]
            argv += ["--iterations", str(iterations), "--out", str(out)]
            if run_id:
                argv += ["--run", run_id]
            if profile:
                argv += ["--profile", str(base / "driver.prof")]
            code, watch, _ = measure.run_watched(argv, base / "run.log")
        result = self._finish(out, stub, watch, code, base / "run.log")
        result["containers_left"] = containers_left(result.get("run_id", ""))
        if profile:
            result["profile"] = str(base / "driver.prof")
        return result

    def openevolve(
        self,
        latency: float,
        parallel: int,
        iterations: int,
        *,
        population: Path | None = None,
        hang_at: int = -1,
        hog_at: int = -1,
    ) -> dict[str, Any]:
        base, out, requests = self._paths(f"openevolve-l{latency}-p{parallel}")
        runner = [self.oe_python, str(COMPARE / "openevolve_runner.py")]
        size = len(json.loads(population.read_text())) if population else 0
        common = ["--parallel", str(parallel), "--population-size", str(max(1000, size + 100))]
        checkpoint = base / "checkpoint"
        if population is not None:
            prepare = ["prepare", "--population", str(population), "--checkpoint", str(checkpoint)]
            subprocess.run(
                [*runner, *prepare, *common],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        guard = guard_memory if hog_at >= 0 else None
        with measure.Stub(
            sys.executable, COMPARE / "stub.py", latency, requests, 0, hang_at, hog_at
        ) as stub:
            argv = [*runner, "run", *common, "--base-url", stub.url]
            argv += ["--iterations", str(iterations)]
            argv += ["--workdir", str(base / "output"), "--out", str(out)]
            if population is not None:
                argv += ["--checkpoint", str(checkpoint)]
            code, watch, _ = measure.run_watched(argv, base / "run.log", preexec=guard)
        return self._finish(out, stub, watch, code, base / "run.log")


def containers_left(run_id: str) -> int | None:
    """Sandbox containers of this run that still exist (None: no Docker here)."""
    if not run_id or shutil.which("docker") is None:
        return None
    listing = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=adrs.run={run_id}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return len(listing.stdout.split()) if listing.returncode == 0 else None


# -- tables ----------------------------------------------------------------------------------

COLUMNS = (
    ("system", "{}"),
    ("latency s", "{:g}"),
    ("parallel", "{}"),
    ("model calls", "{}"),
    ("evaluated", "{}"),
    ("wall s", "{:.1f}"),
    ("search s", "{:.1f}"),
    ("iter/min", "{:.1f}"),
    ("orch CPU s", "{:.2f}"),
    ("orch peak MB", "{:.0f}"),
    ("tree CPU s", "{:.1f}"),
    ("tree peak MB", "{:.0f}"),
    ("evals while model busy", "{}"),
    ("best", "{:.4f}"),
)


def cells(r: dict[str, Any]) -> list[str]:
    values = [
        r["system"],
        r["latency"],
        r["parallel"],
        r["calls"],
        r["evaluated"],
        r["wall_s"],
        r["search_s"],
        60 * r["calls"] / r["wall_s"],
        r["cpu_self_s"],
        r["maxrss_self_mb"],
        r["tree_cpu_s"],
        r["tree_peak_mb"],
        f"{r['evals_while_model_busy']}/{r['evaluated']} "
        f"({100 * r['eval_time_hidden']:.0f}% of eval time)",
        r["best_score"] if r["best_score"] is not None else float("nan"),
    ]
    return [fmt.format(v) for (_, fmt), v in zip(COLUMNS, values, strict=True)]


def table(rows: list[dict[str, Any]], extra: str = "") -> str:
    head = [name for name, _ in COLUMNS]
    if extra:
        head.insert(3, extra)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        row = cells(r)
        if extra:
            row.insert(3, str(r[extra]))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


RATIOS: tuple[tuple[str, Callable[[dict[str, Any]], float]], ...] = (
    ("wall", lambda r: r["wall_s"]),
    ("search time", lambda r: r["search_s"]),
    ("iter/min", lambda r: r["calls"] / r["wall_s"]),
    ("orch CPU", lambda r: r["cpu_self_s"]),
    ("orch peak mem", lambda r: r["maxrss_self_mb"]),
    ("tree CPU", lambda r: r["tree_cpu_s"]),
    ("tree peak mem", lambda r: r["tree_peak_mb"]),
)


def ratio_table(pairs: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> str:
    head = ["config", *(name for name, _ in RATIOS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, ours, theirs in pairs:
        values = []
        for _, get in RATIOS:
            denominator = get(theirs)
            values.append(f"{get(ours) / denominator:.2f}" if denominator else "-")
        lines.append("| " + " | ".join([label, *values]) + " |")
    return "\n".join(lines)


# Where the driver waits rather than works: left out of the cost tables.
WAITS = ("poll", "select", "sleep", "acquire", "wait", "accept", "recv", "epoll")


def _owner(file: str) -> str:
    """The package a profiled function belongs to: adrs.<part>, a site package, or Python."""
    path = Path(file)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].split(".")[0]
    if "adrs" in path.parts:
        rest = path.parts[path.parts.index("adrs") + 1 :]
        return "adrs." + (rest[0].removesuffix(".py") if rest else "")
    if file.startswith("<frozen"):
        return "python import machinery"
    return "python stdlib" if file != "~" else "builtins (compile, marshal, ...)"


def profile_top(path: str, count: int = 10) -> str:
    """The driver's own time by package and its costliest functions, waits left out."""
    entries = pstats.Stats(path).stats  # type: ignore[attr-defined]
    rows, owners = [], {}
    for (file, line, name), (_, calls, tottime, cumtime, _) in entries.items():
        if any(w in name for w in WAITS):
            continue
        rows.append((tottime, cumtime, calls, f"{Path(file).name}:{line}({name})"))
        owner = _owner(file)
        owners[owner] = owners.get(owner, 0.0) + tottime
    rows.sort(reverse=True)
    lines = ["| package | own CPU s |", "|---|---|"]
    for owner, spent in sorted(owners.items(), key=lambda kv: -kv[1])[:count]:
        lines.append(f"| {owner} | {spent:.2f} |")
    lines += ["", "| tottime s | cumtime s | calls | function |", "|---|---|---|---|"]
    for tottime, cumtime, calls, where in rows[:count]:
        lines.append(f"| {tottime:.2f} | {cumtime:.2f} | {calls} | `{where}` |")
    return "\n".join(lines)


def _first(r: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((e for e in r["evaluations"] if e["kind"] == kind), None)


def _answered(r: dict[str, Any], turn: int) -> float | None:
    """When the stub's answer of ``turn`` left it: the candidate's evaluation starts then."""
    return next((q["t1"] for q in r["requests"] if q["turn"] == turn), None)


def cut_after(r: dict[str, Any], kind: str, turn: int) -> tuple[str, float | None]:
    """What became of the pool's bad candidate of ``kind``, and after how many seconds."""
    e = _first(r, kind)
    if e is None:
        return "not evaluated", None
    if "wall_s" in e:  # ours: the sandbox's own record of the evaluation
        return f"{e['status']} after {e['wall_s']:.1f} s: {e['reason']}", e["wall_s"]
    answered = _answered(r, turn)  # OpenEvolve: from the answer to the recorded result
    if answered is None:
        return str(e["status"]), None
    return f"{e['status']} after {e['finished_at'] - answered:.1f} s", e["finished_at"] - answered


def cpu_phases(r: dict[str, Any], hang_at: int, hog_at: int, cut_s: float | None) -> str:
    """CPU in use (cores) by the system's process tree, and in brackets by the whole
    machine, before the never-terminating candidate, while it runs, and after its
    evaluation was cut, until the unbounded one arrives. Containers are not in the tree."""
    first = min(q["t0"] for q in r["requests"])
    hung, hog = _answered(r, hang_at), _answered(r, hog_at)
    if hung is None or cut_s is None:
        return "-"
    cut = hung + cut_s
    windows = ((first + 2, hung), (hung + 2, cut - 2), (cut + 2, (hog or cut + 60) - 2))

    def cell(a: float, b: float) -> str:
        tree = measure.cores_in(r["timeline"], a, b, machine=False)
        whole = measure.cores_in(r["timeline"], a, b, machine=True)
        return "-" if tree is None or whole is None else f"{tree:.2f} ({whole:.2f})"

    return " / ".join(cell(a, b) for a, b in windows)


def containment_table(results: list[tuple[str, dict[str, Any]]], hang_at: int, hog_at: int) -> str:
    head = ["system", "run finished", "evaluated", "never-terminating candidate"]
    head += ["CPU cores, tree (machine): before / while it runs / after its cut"]
    head += ["unbounded allocation", "tree peak MB", "wall s", "left behind"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, r in results:
        hang, cut_s = cut_after(r, "hang", hang_at)
        hog, _ = cut_after(r, "hog", hog_at)
        left = f"{len(r['survivors'])} processes"
        if r.get("containers_left") is not None:
            left += f", {r['containers_left']} containers"
        row = [label, f"yes, {r['calls']} model calls", str(r["evaluated"]), hang]
        row += [cpu_phases(r, hang_at, hog_at, cut_s), hog, f"{r['tree_peak_mb']:.0f}"]
        row += [f"{r['wall_s']:.1f}", left]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"OpenEvolve {REQUIREMENTS.read_text().split('==')[-1].strip()}"
    )


def write_results(path: Path, text: str) -> None:
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    section = f"{SECTION_START}\n{text.strip()}\n{SECTION_END}"
    if SECTION_START in old and SECTION_END in old:
        before, rest = old.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1]
        new = before + section + after
    else:
        new = old.rstrip() + "\n\n" + section + "\n"
    path.write_text(new)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=40, help="model calls per run")
    parser.add_argument("--latencies", default="1,5", help="the stub's seconds per answer")
    parser.add_argument("--parallel", default="1,2,4")
    parser.add_argument("--populations", default="1000,5000")
    parser.add_argument("--scale-iterations", type=int, default=24)
    parser.add_argument("--scale-parallel", type=int, default=2)
    parser.add_argument("--sandbox", default="process", help="our sandbox in the main runs")
    parser.add_argument("--containment-sandboxes", default="process,docker")
    parser.add_argument("--containment-iterations", type=int, default=130)
    parser.add_argument("--only", choices=("main", "scale", "containment"), action="append")
    parser.add_argument("--smoke", action="store_true", help="3 calls, 0.2 s, parallel 1")
    parser.add_argument("--results", type=Path, help="write the tables into this file")
    parser.add_argument("--keep", type=Path, help="keep the runs' folders here")
    args = parser.parse_args()
    if args.smoke:
        args.iterations, args.latencies, args.parallel = 3, "0.2", "1"
        args.only = ["main"]
    parts = set(args.only or ("main", "scale", "containment"))
    work = Path(tempfile.mkdtemp(prefix="adrs-vs-openevolve-", dir=args.keep))
    bench = Bench(args, work)
    command = "python bench/compare_openevolve.py " + " ".join(sys.argv[1:])
    report = [
        "## ADRS vs OpenEvolve (`bench/compare_openevolve.py`)",
        "",
        f"Machine: {machine()}. Command: `{command.strip()}`. The runs' folders: `{work}`.",
        "",
    ]

    def say(text: str) -> None:
        print(text, flush=True)
        report.append(text)

    if "main" in parts:
        rows, pairs = [], []
        for latency in (float(x) for x in args.latencies.split(",")):
            for parallel in (int(x) for x in args.parallel.split(",")):
                ours = bench.adrs(latency, parallel, args.iterations, sandbox=args.sandbox)
                theirs = bench.openevolve(latency, parallel, args.iterations)
                for r in (ours, theirs):
                    r.update(latency=latency, parallel=parallel)
                    print("  " + " | ".join(cells(r)), flush=True)
                rows += [ours, theirs]
                pairs.append((f"latency {latency:g} s, parallel {parallel}", ours, theirs))
        say(f"### Throughput: {args.iterations} model calls per run\n")
        say(table(rows) + "\n")
        say("Ours / theirs (below 1 is better for ADRS, except iter/min):\n")
        say(ratio_table(pairs) + "\n")
    if "scale" in parts:
        score = seed_score()
        rows, pairs = [], []
        latency, parallel = 1.0, args.scale_parallel
        for size in (int(x) for x in args.populations.split(",")):
            population = pool.write_population(work / f"population-{size}.json", size, score)
            ours = bench.adrs(
                latency, parallel, args.scale_iterations, population=population, profile=True
            )
            theirs = bench.openevolve(
                latency, parallel, args.scale_iterations, population=population
            )
            for r in (ours, theirs):
                r.update(latency=latency, parallel=parallel, population=size)
                print("  " + " | ".join(cells(r)), flush=True)
            rows += [ours, theirs]
            pairs.append((f"population {size}", ours, theirs))
            last_profile = ours["profile"]
        say(f"### At scale: {args.scale_iterations} model calls over a prepared population\n")
        say(table(rows, extra="population") + "\n")
        say(ratio_table(pairs) + "\n")
        say(
            "Our driver's own CPU time in the last run above (cProfile of the run call, timed "
            "by the main thread's CPU clock; Ray's start-up included):\n"
        )
        say(profile_top(last_profile) + "\n")
    if "containment" in parts:
        # At about one call a second, the never-terminating candidate arrives after a few
        # seconds, is cut a minute later, and the run goes on long enough after that to
        # show whether it still burns a core; the unbounded one comes last.
        latency, parallel, iterations = 2.0, 2, args.containment_iterations
        hang_at, hog_at = 8, iterations - 30
        results = []
        for sandbox in args.containment_sandboxes.split(","):
            r = bench.adrs(
                latency, parallel, iterations, sandbox=sandbox, hang_at=hang_at, hog_at=hog_at
            )
            results.append((f"ADRS ({r['sandbox']} sandbox)", r))
        r = bench.openevolve(latency, parallel, iterations, hang_at=hang_at, hog_at=hog_at)
        results.append(("OpenEvolve", r))
        say(
            f"### Containment: {iterations} model calls at {latency:g} s, parallel {parallel}; "
            f"call {hang_at + 1} brings a candidate that never terminates, call {hog_at + 1} "
            "one that allocates without bound\n"
        )
        say(containment_table(results, hang_at, hog_at) + "\n")
        say(
            "Both systems cut an evaluation at 60 s (ours: the folder's limit; OpenEvolve: its "
            "`evaluator.timeout`, set to match). OpenEvolve sets no memory limit: the benchmark "
            f"caps its process tree's address space at {GUARD_BYTES >> 30} GiB so that the "
            "unbounded candidate cannot take the machine.\n"
        )
    if args.results:
        write_results(args.results, "\n".join(report))
        print(f"written to {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
