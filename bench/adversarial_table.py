"""The adversarial suite's table: each attack on each backend, the status and reason.

Runs the candidates of tests/adversarial/candidates against the vault problem (whose best
score, 0, needs a secret kept on the host) and prints attack x backend -> status, the
score (never 0 unless the secret leaked) and the reason.

    .venv/bin/python bench/adversarial_table.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adrs.evaluation.evaluate import evaluate_source
from adrs.problem.loader import load_problem
from adrs.sandbox.base import Sandbox
from adrs.sandbox.process import ProcessSandbox
from tests.adversarial.catalogue import ATTACKS, VAULT


def main() -> None:
    from adrs.sandbox.docker_sandbox import DockerSandbox

    os.environ["VAULT_SECRET"] = "7919"  # a host secret no candidate may see
    vault = load_problem(VAULT)
    backends: dict[str, Sandbox] = {
        "docker": DockerSandbox(pool_size=1),
        "process": ProcessSandbox(),
    }
    print(f"{'attack':22} {'backend':8} {'status':15} {'score':>9}  reason")
    try:
        for attack in ATTACKS:
            source = attack.path.read_text().replace("__PORT__", "9")
            for name, sandbox in backends.items():
                if name == "process" and attack.process_gap:
                    print(
                        f"{attack.name:22} {name:8} {'(skipped)':15} {'':>9}  {attack.process_gap}"
                    )
                    continue
                ev = evaluate_source(vault, source, sandbox, labels={"adrs.run": "table"})
                score = "-" if ev.score is None else f"{ev.score:.0f}"
                reason = " ".join(ev.reason.split())[:90]
                print(f"{attack.name:22} {name:8} {ev.status.value:15} {score:>9}  {reason}")
    finally:
        for sandbox in backends.values():
            closer = getattr(sandbox, "close", None)
            if closer:
                closer()


if __name__ == "__main__":
    main()
