"""Transaction scheduling kit: the makespan simulator, bounds and workload generators."""
