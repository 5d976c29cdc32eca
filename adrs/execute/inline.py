"""The in-process executor: evaluations in a thread pool on this machine.

The threads only supervise sandboxes (which are separate processes or containers) and run
the trusted verifier; candidate code never runs in this process.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from adrs.evaluation.evaluate import Evaluation, evaluate_source
from adrs.execute.base import EvalTask
from adrs.sandbox.base import Sandbox
from adrs.sandbox.select import close_sandbox, make_sandbox


class InlineExecutor:
    name = "inline"

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="adrs-eval")
        self._sandboxes: dict[str, Sandbox] = {}
        self._lock = threading.Lock()

    def _sandbox(self, name: str) -> Sandbox:
        with self._lock:
            if name not in self._sandboxes:
                self._sandboxes[name] = make_sandbox(name)
            return self._sandboxes[name]

    def run_sync(self, task: EvalTask) -> Evaluation:
        labels = {"adrs.run": task.run_id, "adrs.program": task.program_id}
        return evaluate_source(
            task.problem, task.source, self._sandbox(task.sandbox), task.stages, labels
        )

    async def evaluate(self, task: EvalTask) -> Evaluation:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.run_sync, task)

    def close(self) -> None:
        for sandbox in self._sandboxes.values():
            close_sandbox(sandbox)
        self._pool.shutdown(wait=False, cancel_futures=True)
