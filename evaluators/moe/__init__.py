"""MoE expert placement kit (expert-parallelism load balancing): checks, balancedness, loads."""
