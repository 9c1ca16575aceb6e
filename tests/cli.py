"Run the `lejepa-text` command as a user would (shared by the tests): installed, in a subprocess, or in this process."
import os, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args, timeout=600):
    "`lejepa-text ARGS` in a subprocess; fails the test with the tail of its output unless it exits 0."
    r = subprocess.run([str(BIN / 'lejepa-text'), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    assert r.returncode == 0, f'lejepa-text {" ".join(map(str, args))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r


def lejepa_text(*args):
    """`lejepa-text ARGS` in this process: the function the installed command calls, on the same arguments.
    A subprocess would spend about 13 s of a test's time importing PyTorch and Lightning again."""
    from lejepa_text.cli import main
    return main([*map(str, args)])
