# Double-fork a daemon (new session, hangup and termination ignored) that tries to outlive
# the evaluation. Expected: the evaluation is ok (not inflated) and no process carrying
# the marker survives it. Only `os` is used: it is loaded before the candidate.
import os
import time

MARKER = "adrs-daemon-marker-5c1e"


def solve(x):
    if x == 1:
        if os.fork() == 0:
            try:
                if os.fork() == 0:
                    os.setsid()
                    os.execv("/bin/sh", ["sh", "-c", f"trap '' HUP TERM; sleep 30; : {MARKER}"])
            finally:
                os._exit(0)
        time.sleep(0.3)
        print("running" if _lingering(MARKER) else "not running")
    return x


def _lingering(marker):
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        return True
            except OSError:
                pass
    return False
