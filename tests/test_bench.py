"The benchmark's command lines and the code paths of the GPU check, at toy sizes on the CPU (no timing is asserted)."
import pytest
import json, os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TOY = ['--config', 'tiny', '--batch_size', '8', '--num_layers', '1', '--num_slices', '16', '--steps', '1', '--warmup', '1',
       '--data', 'random']


def _run(cmd, timeout=600, **env):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                       env={**os.environ, 'PYTHONUNBUFFERED': '1', **env})
    assert r.returncode == 0, f'{" ".join(map(str, cmd))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r.stdout


@pytest.mark.duration(30)
def test_module_cli_last_line_is_the_ratio(tmp_path):
    "`python -m lejepa_text.bench`: one table row per variant, the JSON file, and `ratio: X.XX` last."
    out = _run([sys.executable, '-m', 'lejepa_text.bench', *TOY, '--variants', 'blog,blog-fused,ours,ours-fused',
                '--sigreg', '--json', tmp_path / 'r.json'])
    assert re.fullmatch(r'ratio: \d+\.\d\d', out.strip().splitlines()[-1]), out[-500:]
    r = json.loads((tmp_path / 'r.json').read_text())
    assert [s['variant'] for s in r['steps']] == ['blog', 'blog-fused', 'ours', 'ours-fused']
    assert all(s['peak_mb'] > 0 and s['tokens_per_s'] > 0 for s in r['steps']) and len(r['sigreg']) == 2
    assert f"ratio: {r['steps'][2]['ratio']:.2f}" == out.strip().splitlines()[-1]


def test_lejepa_text_bench_subcommand(capsys):
    "`lejepa-text bench ARGS` reaches `bench_cli` (called in this process, as the command calls it)."
    import torch
    from cli import lejepa_text
    threads = torch.get_num_threads()
    try: lejepa_text('bench', *TOY, '--no_memory', '--threads', '1')
    finally: torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert 'blog: two passes' in out and out.strip().splitlines()[-1].startswith('ratio: ')


@pytest.mark.duration(70)
def test_compile_path_on_cpu(tmp_path, capsys):
    "--compile (the GPU check's compiled runs) works on the CPU: LeJEPAText.forward through torch.compile."
    from lejepa_text.bench import bench_cli
    import torch
    try: bench_cli([*TOY, '--max_length', '16', '--min_length', '4', '--variants', 'blog,ours', '--compile', '--no_memory',
                    '--json', str(tmp_path / 'c.json')])
    finally: torch._dynamo.reset()  # drop the compiled code now, not in a noisy teardown at the worker's exit
    out = capsys.readouterr().out
    blog, ours = json.loads((tmp_path / 'c.json').read_text())['steps']
    assert ours['compile'] and not blog['compile'] and 'compiled' in out  # only LeJEPAText goes through torch.compile
    assert out.strip().splitlines()[-1] == f"ratio: {ours['tokens_per_s'] / blog['tokens_per_s']:.2f}"  # compiled over eager blog


def test_one_variant_prints_no_ratio(capsys):
    "With no blog variant there is nothing to compare with: the last line says so instead of dividing a variant by itself."
    from lejepa_text.bench import bench_cli
    bench_cli([*TOY, '--max_length', '16', '--min_length', '4', '--variants', 'ours', '--no_memory'])
    assert capsys.readouterr().out.strip().splitlines()[-1] == 'ratio: n/a (no blog variant to compare with)'


@pytest.mark.duration(90)
def test_gpu_check_script_smoke(tmp_path):
    "bench/gpu_check.sh end to end with SMOKE=1 (CPU, toy sizes, no compiled runs): a summary with both configs."
    _run(['bash', 'bench/gpu_check.sh'], OUT=str(tmp_path), SMOKE='1', PYTHON=sys.executable)
    summary = (tmp_path / 'summary.md').read_text()
    assert summary.count('(exit 0,') == 2 and summary.count('\nratio: ') == 2, summary[-2000:]
    assert {p.name for p in tmp_path.iterdir()} == {'summary.md', 'log.txt', 'gpu-small.json', 'gpu-base.json'}


def test_multiview_variant_counts_real_tokens(tmp_path, capsys):
    "`ours-multiview` times the packed multi-view step on its own batches and counts only non-padding tokens."
    from lejepa_text.bench import bench_cli
    out = bench_cli(['--config', 'tiny', '--batch_size', '8', '--num_layers', '1', '--num_slices', '16', '--steps', '1',
                     '--warmup', '1', '--variants', 'ours,ours-multiview', '--no_memory'])
    text = capsys.readouterr().out
    ours, mv = out['steps']
    assert mv['variant'] == 'ours-multiview' and 'multi-view / 2-span real tokens per second' in text
    # the 2-span step counts B·T tokens; the multi-view step's count is its batches' real tokens, not rows × T
    assert abs(ours['tokens_per_s'] * ours['step_ms'] / 1e3 - 8 * 32) < 1e-6
    assert abs(mv['tokens_per_s'] * mv['step_ms'] / 1e3 - 8 * 32) > 1
