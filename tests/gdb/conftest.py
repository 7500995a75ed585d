"""tests/gdb: the pure decoders are imported directly (no gdb needed); the
gdb tests run gdb-multiarch in batch mode (gdbrun.py)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
for path in (REPO_ROOT / "gdbscripts", REPO_ROOT / "tests" / "system", HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
