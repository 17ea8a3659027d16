"""What the process does at start so that its memory and environment give away no secret:
no core dump, no ptrace by its own user, and no secret in the environment of a child."""

from __future__ import annotations

import contextlib
import os
import resource
import sys

# Read once into the settings, then gone from the environment: a child (pg_dump, a shell
# a library starts) inherits os.environ, and must not inherit these.
SECRET_VARIABLES = ("COMPANERA_MASTER_KEY", "TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET")
PR_SET_DUMPABLE = 4


def no_core_dumps() -> None:
    """A crash writes no core file (it would hold the master key and whatever was being
    read), and, on Linux, the process is not dumpable: no core even if a limit is raised
    later, and only root may ptrace it or read its /proc/<pid>/environ and mem."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        # ctypes may be unusable in a sandbox; the rlimit above is the part that must hold.
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def forget_secret_variables() -> None:
    """Remove the secrets from the environment once the settings have read them (names
    in any case: the settings read them so)."""
    secret = set(SECRET_VARIABLES)
    for name in [name for name in os.environ if name.upper() in secret]:
        del os.environ[name]
