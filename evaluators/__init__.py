"""Code that runs inside a sandbox (the harness) and reusable kits for trusted verifiers.

Everything under this package must import with the standard library and NumPy only: it is
mounted read-only into sandboxes whose images carry nothing else.
"""
