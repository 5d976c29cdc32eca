"""A prefix-cache (KV block) simulator kit: traces, the cache engine, baseline policies.

Shared by the ``kv_cache`` problem's driver (inside the sandbox, where it calls the
candidate policy back) and its trusted verifier (on the host, where it replays the
candidate's decision log and runs the baselines). Standard library only.
"""
