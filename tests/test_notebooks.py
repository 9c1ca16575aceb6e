"""Run every notebook as a test (nbdev's runner, the project's tst_flags skipped), and check that the
exported package is in sync with the notebooks and that the notebooks are clean."""
import filecmp, shutil, subprocess, sys
from pathlib import Path
import pytest
import nbdev.test as nbt  # not `from nbdev.test import test_nb`: pytest would collect it
from nbdev.config import get_config

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').rglob('*.ipynb') if not p.name.startswith('_') and '.ipynb_checkpoints' not in p.parts)
BIN = Path(sys.executable).parent


NB_SECONDS = {'09_model': 80, '01_data': 50, '06_sigreg': 45, '21_train': 25}  # the slowest notebooks, scheduled first


def test_slow_notebooks_exist():
    "Every notebook named in NB_SECONDS exists (a renamed one would silently lose its place in the schedule)."
    assert set(NB_SECONDS) <= {p.stem for p in NBS}, set(NB_SECONDS) - {p.stem for p in NBS}


@pytest.mark.parametrize('nb', [pytest.param(p, marks=[pytest.mark.duration(NB_SECONDS[p.stem])] if p.stem in NB_SECONDS else [])
                                for p in NBS], ids=[p.stem for p in NBS])
def test_notebook_runs(nb):
    flags = get_config(path=ROOT).get('tst_flags', '').split('|')
    ok, secs = nbt.test_nb(nb, skip_flags=flags, basepath=ROOT)
    assert ok, f'{nb.name} failed (traceback above)'


def _copy_project(dst):
    shutil.copy(ROOT / 'settings.ini', dst)
    for d in ('nbs', 'lejepa_text'):
        shutil.copytree(ROOT / d, dst / d, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints', '_proc'))


def _changed(a, b):
    "Files that differ, or exist on one side only, between two trees."
    c = filecmp.dircmp(a, b, ignore=['__pycache__', '.ipynb_checkpoints', '_proc'])
    out = [f'{a}/{f}' for f in c.diff_files + c.left_only + c.right_only]
    for sub in c.common_dirs: out += _changed(Path(a) / sub, Path(b) / sub)
    return out


def test_export_in_sync(tmp_path):
    "`nbdev_export` on a copy of the project changes nothing: the package is what the notebooks say."
    _copy_project(tmp_path)
    subprocess.run([BIN / 'nbdev_export'], cwd=tmp_path, check=True, capture_output=True)
    changed = _changed(ROOT / 'lejepa_text', tmp_path / 'lejepa_text')
    assert not changed, f'exported code is out of sync with the notebooks, run `nbdev_export`: {changed}'


def test_notebooks_clean(tmp_path):
    "`nbdev_clean` on a copy changes nothing: no stray metadata or execution counts are committed."
    _copy_project(tmp_path)
    subprocess.run([BIN / 'nbdev_clean'], cwd=tmp_path, check=True, capture_output=True)
    changed = _changed(ROOT / 'nbs', tmp_path / 'nbs')
    assert not changed, f'notebooks are not clean, run `nbdev_clean`: {changed}'
