# Fill every writable place with 1 MB files until the disk refuses. Expected: the
# size-capped tmpfs runs out (an error naming ENOSPC); the host disk is untouched.
import errno
import os
import tempfile

REFUSED = (errno.EROFS, errno.EACCES, errno.EPERM)


def solve(x):
    chunk = b"\0" * 1_000_000
    places = [os.environ.get("HOME", "."), tempfile.gettempdir(), "."]
    n = 0
    while places:
        for place in list(places):
            try:
                with open(os.path.join(place, f"fill-{n}.bin"), "wb") as fh:
                    fh.write(chunk)
            except OSError as exc:
                if exc.errno not in REFUSED:
                    raise
                places.remove(place)  # not writable at all: try the others
            n += 1
    return x
