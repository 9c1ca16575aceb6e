"The `lejepa-text` command, end to end: installed and in a subprocess where that is what is tested, else in this process."
import subprocess, sys, time
from pathlib import Path
import pytest

from cli import BIN, lejepa_text, run


@pytest.mark.duration(40)
def test_tiny_fit_from_command_line(tmp_path):
    "The installed `lejepa-text fit --config tiny` trains end to end in well under a minute and leaves a run folder."
    t0 = time.time()
    r = run('fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path)
    secs = time.time() - t0
    said = r.stdout + r.stderr  # no note the user cannot act on: LightningCLI's argv notice, resume notes, adverts
    assert not any(s in said for s in ('args parameter', 'ckpt_path', 'Warning', '💡', 'weights_only')), said[-3000:]
    assert (tmp_path / 'metrics.csv').exists() and (tmp_path / 'checkpoints' / 'last.ckpt').exists()
    assert (tmp_path / 'checkpoints' / 'best.ckpt').exists() and (tmp_path / 'config.yaml').exists()
    print(f'tiny fit: {secs:.1f}s')


@pytest.mark.duration(100)
def test_kill_and_resume(tmp_path):
    "A run killed after its first checkpoint resumes from `last` and reaches the step it was asked for."
    cmd = [str(BIN / 'lejepa-text'), 'fit', '--config', 'tiny', '--trainer.default_root_dir', str(tmp_path),
           '--trainer.max_steps', '100000', '--trainer.val_check_interval', '10', '--trainer.enable_progress_bar', 'false']
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = tmp_path / 'checkpoints' / 'last.ckpt'
    try:
        deadline = time.time() + 240
        while not last.exists() and time.time() < deadline and p.poll() is None: time.sleep(0.5)
        time.sleep(1.0)
    finally:
        p.kill(); p.wait()
    assert last.exists(), 'no checkpoint was written before the kill'
    import torch
    step0 = torch.load(last, map_location='cpu', weights_only=False)['global_step']
    assert step0 >= 10
    lejepa_text('fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--trainer.max_steps', step0 + 20,
                '--trainer.val_check_interval', '10', '--trainer.enable_progress_bar', 'false', '--ckpt_path', 'last')
    step1 = torch.load(last, map_location='cpu', weights_only=False)['global_step']
    assert step1 == step0 + 20, (step0, step1)
    # the killed attempt's metrics survive the resume (Lightning's CSV logger deletes metrics.csv when it starts)
    from lejepa_text.runs import read_metrics
    assert (tmp_path / 'metrics.0.csv').exists()
    steps = read_metrics(tmp_path)[['step', 'train/loss']].dropna()['step']
    assert steps.is_unique and steps.min() < step0 <= steps.max() < step1, (steps.min(), step0, steps.max(), step1)


def test_export_command_round_trip(tmp_path):
    "`lejepa-text export` writes a folder that loads without Lightning and embeds exactly like the checkpoint."
    lejepa_text('fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--trainer.max_steps', 5,
                '--trainer.enable_progress_bar', 'false')
    lejepa_text('export', tmp_path / 'checkpoints' / 'last.ckpt', tmp_path / 'enc')
    from lejepa_text.embed import TextEmbedder
    texts = ['A short sentence.', 'Another, somewhat longer sentence about the history of Rome.']
    a = TextEmbedder.from_pretrained(tmp_path / 'enc').encode(texts)
    b = TextEmbedder.from_pretrained(tmp_path / 'checkpoints' / 'last.ckpt').encode(texts)
    assert a.shape == (2, 32) and (a == b).all()


def test_blog_recipe_stays_selectable(tmp_path):
    "The blog's recipe (stream chunks split into prefix and suffix, linear predictor) trains from the command line."
    lejepa_text('fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--trainer.max_steps', 5,
                '--data.views', 'chunks', '--model.recipe', 'spans', '--data.min_length', 8, '--trainer.enable_progress_bar', 'false')
    import torch
    ck = torch.load(tmp_path / 'checkpoints' / 'last.ckpt', map_location='cpu', weights_only=False)
    assert ck['global_step'] == 5 and ck['hyper_parameters']['recipe'] == 'spans'
    assert any(k.startswith('predictor.') for k in ck['state_dict'])


def test_user_error_is_one_line(capsys, monkeypatch):
    "A user error at the command line: one line `error: …` naming the fix, exit status 2; the traceback with --debug."
    import warnings
    from lejepa_text.cli import cli_entry
    monkeypatch.setattr(sys, 'argv', ['lejepa-text'])
    with warnings.catch_warnings():  # cli_entry silences library notes for the process: keep that inside this test
        with pytest.raises(SystemExit) as e: cli_entry(['fit', '--config', 'no-such-config'])
        assert e.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith('error: ') and 'shipped configs' in err[0], err
        with pytest.raises(FileNotFoundError): cli_entry(['fit', '--config', 'no-such-config', '--debug'])
        monkeypatch.setenv('LEJEPA_TEXT_DEBUG', '1')
        with pytest.raises(FileNotFoundError): cli_entry(['fit', '--config', 'no-such-config'])


def test_data_tokenizer_is_the_models(tmp_path):
    "`--data.tokenizer X` alone sets the tokenizer the model records (linked, not set twice), so an export names the right one."
    from lejepa_text.cli import LeJEPACLI
    from lejepa_text.config import config_path
    cli = LeJEPACLI(args=['--config', str(config_path('tiny')), '--data.tokenizer', 'my-tokenizer',
                          '--trainer.default_root_dir', str(tmp_path)], run=False)
    assert cli.datamodule.hparams.tokenizer == 'my-tokenizer' and cli.model.hparams.tokenizer == 'my-tokenizer'


@pytest.mark.duration(30)
def test_demo_says_when_the_safety_net_fired(tmp_path, capsys):
    "A demo stopped by max_time says so in its summary (with the step it reached); resumed, it finishes and says that."
    from lejepa_text.cli import demo
    quiet = ['--evaluate', 'false', '--trainer.enable_progress_bar', 'false', '--trainer.enable_model_summary', 'false', '--trainer.log_every_n_steps', '1']
    s = demo(['--config', 'tiny', '--out', str(tmp_path / 'run'), *quiet, '--trainer.max_time', '00:00:00:03', '--trainer.max_steps', '100000'])
    assert 'safety net stopped training at step' in s['budget'] and s['steps'] < 100000
    last = capsys.readouterr().out.strip().splitlines()[-2:]  # the command ends with the budget, then the report's path
    assert last == [s['budget'], f"report: {s['report']}"], last
    page = Path(s['report']).read_text()
    assert s['budget'].replace("'", '&#x27;') in page and page.count('data:image/png;base64,') == 2  # the safety net in words, the curves inline
    s = demo(['--config', 'tiny', '--out', str(tmp_path / 'run'), *quiet, '--trainer.max_time', '00:01:00:00', '--trainer.max_steps', str(s['steps'] + 5)])
    assert s['budget'].startswith('training reached its budget: ')
    assert 'safety net' not in (tmp_path / 'run' / 'summary.json').read_text()


def test_demo_shorter_than_one_log_interval_is_refused(tmp_path):
    "A demo that would log no metrics (max_steps < log_every_n_steps) stops before training, with the option that fixes it."
    from lejepa_text.cli import demo
    with pytest.raises(ValueError, match='add --trainer.log_every_n_steps 3'):
        demo(['--config', 'tiny', '--out', str(tmp_path / 'run'), '--evaluate', 'false', '--trainer.max_steps', '3'])
    assert not (tmp_path / 'run' / 'checkpoints').exists()  # nothing trained


@pytest.mark.duration(15)
def test_export_any_objective(tmp_path):
    "`lejepa-text export` reads an MLM checkpoint too, and writes the same encoder as the run's own export."
    from lejepa_text import TextEmbedder
    from lejepa_text.objectives import train_row
    train_row('mlm', tmp_path / 'mlm', 'tiny', max_steps=2)
    lejepa_text('export', tmp_path / 'mlm' / 'checkpoints' / 'last.ckpt', tmp_path / 'out')
    texts = ['The cat sat on the mat.', 'Stock markets fell sharply today.']
    a, b = (TextEmbedder.from_pretrained(p).encode(texts) for p in (tmp_path / 'out', tmp_path / 'mlm' / 'encoder'))
    assert a.shape == (2, 32) and (a - b).abs().max() < 1e-6
    assert 'mask_prob' in (tmp_path / 'out' / 'README.md').read_text()  # the card records the objective's settings
    with pytest.raises(FileNotFoundError, match='not a checkpoint file'): lejepa_text('export', tmp_path / 'nothing.ckpt', tmp_path / 'x')


def test_embed_command(tmp_path, capsys):
    "`lejepa-text embed` writes one row per line of a text file, equal to the encoder's own `encode`, and replaces no file unasked."
    lejepa_text('fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--trainer.max_steps', 5,
                '--trainer.enable_progress_bar', 'false')
    lejepa_text('export', tmp_path / 'checkpoints' / 'last.ckpt', tmp_path / 'enc')
    texts = ['A short sentence.', '', 'Another, somewhat longer sentence about the history of Rome.']
    (tmp_path / 'texts.txt').write_text('\n'.join(texts) + '\n')
    import numpy as np
    from lejepa_text.embed import TextEmbedder
    want = TextEmbedder.from_pretrained(tmp_path / 'enc').encode(texts).numpy()
    out = lejepa_text('embed', tmp_path / 'enc', tmp_path / 'texts.txt')
    assert out == tmp_path / 'texts.embeddings.npy' and (np.load(out) == want).all()
    assert 'texts.embeddings.npy: 3 texts x 32 dimensions' in capsys.readouterr().out
    ck = lejepa_text('embed', tmp_path / 'checkpoints' / 'last.ckpt', tmp_path / 'texts.txt', '--out', tmp_path / 'ck.npy', '--batch_size', 2)
    assert np.allclose(np.load(ck), want, atol=1e-5)  # the checkpoint embeds as its export does (batches of 2: other padding, rounding)
    before = out.read_bytes()
    with pytest.raises(FileExistsError, match='--overwrite true'): lejepa_text('embed', tmp_path / 'enc', tmp_path / 'texts.txt')
    assert out.read_bytes() == before
    lejepa_text('embed', tmp_path / 'enc', tmp_path / 'texts.txt', '--overwrite', 'true', '--normalize', 'true')
    assert np.allclose(np.linalg.norm(np.load(out), axis=1), 1, atol=1e-5)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        lejepa_text('embed', tmp_path / 'nothing', tmp_path / 'texts.txt', '--out', tmp_path / 'new.npy')
    assert not any(p.name.startswith('new') for p in tmp_path.iterdir())  # nothing written, not even a partial file
