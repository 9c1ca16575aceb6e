"Run the installed `lejepa-text` command as a user would (shared by the tests)."
import os, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args, timeout=600):
    "`lejepa-text ARGS` in a subprocess; fails the test with the tail of its output unless it exits 0."
    r = subprocess.run([str(BIN / 'lejepa-text'), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    assert r.returncode == 0, f'lejepa-text {" ".join(map(str, args))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r
