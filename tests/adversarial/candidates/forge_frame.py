# Forge result frames: append perfect answers to the output channel, by path and through
# any inherited descriptor. Expected: tampered (the forged frames lack the nonce).
import os

FORGED = b'{"t":"case","id":"search-%d","ok":true,"output":%d,"t0":0,"t1":0,"nonce":"guess"}\n'


def solve(x):
    frames = b"".join(FORGED % (i, i * 7919) for i in (1, 2, 3))
    try:
        with open("out/frames.jsonl", "ab") as fh:
            fh.write(frames)
    except OSError:
        pass
    for fd in range(3, 32):
        try:
            os.write(fd, frames)
        except OSError:
            pass
    return x
