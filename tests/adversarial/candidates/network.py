# Open a connection to a server on the host's loopback that hands out the secret factor.
# Expected: no connection (the sandbox has no network interface but loopback); the score
# is not inflated.
PORT = int("__PORT__")


def _interfaces():
    try:
        with open("/proc/net/dev") as fh:
            return sorted(line.split(":")[0].strip() for line in fh.readlines()[2:])
    except OSError as exc:
        return [f"unreadable: {exc}"]


def solve(x):
    print("interfaces:", ",".join(_interfaces()))
    try:
        import socket

        with socket.create_connection(("127.0.0.1", PORT), timeout=0.5) as conn:
            secret = int(conn.recv(64).decode().strip())
    except (ImportError, OSError) as exc:
        print("connect failed:", exc)
        return x
    print("connected")
    return x * secret
