# Leave the sandbox's process group and session with setsid, then linger (the process
# backend kills the process group). Expected: ok (not inflated) and no process carrying
# the marker survives the evaluation.
import os
import time

MARKER = "adrs-setsid-marker-9a7d"


def solve(x):
    if x == 1:
        pid = os.fork()
        if pid == 0:
            os.setsid()
            os.execv("/bin/sh", ["sh", "-c", f"sleep 30; : {MARKER}"])
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
