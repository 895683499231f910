"""Subprocesses the tests start die with the test process.

A Celery worker left behind by a killed test run would go on consuming from the Redis
database the next run is given, and steal its messages.
"""

import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """`preexec_fn` for subprocess.Popen (Linux): SIGKILL the child when its parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
