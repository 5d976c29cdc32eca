"""Ray for the executor tests: one embedded Ray for the whole session, on loopback only."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Read by Ray once, when it is first imported: every node and driver of the test process
# then uses 127.0.0.1, so no test traffic goes to the host's outward-facing address.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

LOCAL_SLOTS = 2


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    """The embedded Ray that ``adrs run`` starts, shared by the tests that need it."""
    from adrs.execute import ray_cluster

    ray_cluster.connect(None, LOCAL_SLOTS)
    yield
    ray_cluster.shutdown()
