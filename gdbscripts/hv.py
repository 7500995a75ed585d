"""hvscope's gdb commands: `source gdbscripts/hv.py` in gdb-multiarch (or let
gdb auto-load build/hypervisor/hvscope.elf-gdb.py), then `help hv`.
docs/gdb.md has the reference and a session transcript."""

import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)

from hvgdb import commands  # noqa: E402  pylint: disable=wrong-import-position

commands.register()
