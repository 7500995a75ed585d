"""The examples in docs/ that scripts/doc-examples.py owns still have the
shape of what hvscope prints: the script boots the VM sets as a user does
(`make run-now` under a pty) and compares every line of every example, with
numbers taken out (issue 13: examples copied by hand had drifted)."""

import subprocess
import sys

from hvtest import REPO_ROOT, build_dir


def test_doc_examples_match_a_fresh_run():
    r = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "doc-examples.py"), "--check",
                        "--make", f"O={build_dir()}"], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=600, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert "doc-examples: 5 examples in docs/ have the shape of a fresh run" in out, out[-3000:]


def test_a_drifted_example_is_caught():
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    import importlib
    de = importlib.import_module("doc-examples")
    fresh = "hv> kill 2\nvm2: xv6b stopped: killed from the hv> console\nvm2 (xv6b): killed, now stopped\n"
    assert de.check("console-kill", fresh.replace("2", "7"), fresh) == []        # numbers may differ
    assert de.check("console-kill", "hv> kill 2\nvm2: xv6b stopped: killed from the \n", fresh) == [
        "console-kill: not printed like this any more: vm2: xv6b stopped: killed from the "]
    stats = "vm1 (xv6a): 9 exits, 0 A/D fix-ups, 0 page faults reflected\n  virtual instruction   5\n"
    assert de.check("console-stats", stats.replace("virtual instruction", "supervisor timer interrupt"),
                    stats) == []                                               # causes seen vary by run
