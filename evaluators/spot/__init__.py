"""Spot-instance scheduling kit (Can't Be Late, NSDI'24): simulator, hindsight bound, traces."""
