"Bad input gets a clear error; a seeded run repeats exactly; a run resumed mid-epoch continues exactly."
from pathlib import Path
import pandas as pd
import pytest

from cli import lejepa_text

def cli_fails(capsys, *args):
    "Run `lejepa-text ARGS` in-process; it must fail. Returns the error text the user sees."
    with pytest.raises((SystemExit, ValueError, FileNotFoundError)) as e: lejepa_text(*args)
    if isinstance(e.value, SystemExit): assert e.value.code not in (0, None)
    out = capsys.readouterr()
    return str(e.value) + out.out + out.err


def test_unknown_config_key(tmp_path, capsys):
    out = cli_fails(capsys, 'fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--model.embed_dimm', '64')
    assert 'embed_dimm' in out
    bad = tmp_path / 'bad.yaml'
    bad.write_text(Path(__file__).resolve().parents[1].joinpath('lejepa_text/configs/tiny.yaml').read_text() + 'wrong_section: 1\n')
    assert 'wrong_section' in cli_fails(capsys, 'fit', '--config', bad, '--trainer.default_root_dir', tmp_path)


def test_unknown_config_name(capsys):
    assert 'shipped configs' in cli_fails(capsys, 'fit', '--config', 'no-such-config')


def test_chunks_longer_than_position_table(tmp_path, capsys):
    out = cli_fails(capsys, 'fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--data.max_length', '64')
    assert '--model.max_length' in out
    assert not (tmp_path / 'checkpoints' / 'last.ckpt').exists()  # a run that never trained leaves nothing to auto-resume


def test_min_length_too_large(tmp_path, capsys):
    out = cli_fails(capsys, 'fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--data.min_length', '40')
    assert 'min_length' in out


def test_tokenizer_larger_than_embedding(tmp_path, capsys):
    out = cli_fails(capsys, 'fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--model.vocab_size', '1000')
    assert '--model.vocab_size' in out


def _fit(root, *extra):
    lejepa_text('fit', '--config', 'tiny', '--trainer.default_root_dir', root, '--trainer.log_every_n_steps', 1,
                '--trainer.enable_progress_bar', 'false', '--trainer.enable_model_summary', 'false', *extra)
    df = pd.read_csv(Path(root) / 'metrics.csv')
    return df[['step', 'train/loss']].dropna().set_index('step')['train/loss']


def test_seeded_run_repeats_exactly(tmp_path):
    a = _fit(tmp_path / 'a', '--trainer.max_steps', 50)
    b = _fit(tmp_path / 'b', '--trainer.max_steps', 50)
    assert len(a) == 50 and (a.values == b.values).all()


def test_resume_mid_epoch_is_exact(tmp_path):
    "Interrupted mid-epoch (Ctrl-C) and resumed: data order, span masks, SIGReg directions, optimiser and schedule all come back."
    import pytorch_lightning as pl
    from lejepa_text.cli import LeJEPACLI, _resolve_configs
    full = _fit(tmp_path / 'full', '--trainer.max_steps', 40)

    class CtrlCAt(pl.Callback):
        def on_train_batch_start(self, trainer, *args):
            if trainer.global_step == 23: raise KeyboardInterrupt
    args = ['--config', 'tiny', '--trainer.default_root_dir', str(tmp_path / 'cut'), '--trainer.log_every_n_steps', '1',
            '--trainer.enable_progress_bar', 'false', '--trainer.max_steps', '40']
    cli = LeJEPACLI(args=_resolve_configs(args), run=False)
    cli.trainer.callbacks.append(CtrlCAt())
    with pytest.raises(SystemExit): cli.trainer.fit(cli.model, cli.datamodule)  # Lightning exits after saving last.ckpt
    resumed = _fit(tmp_path / 'cut', '--trainer.max_steps', 40, '--ckpt_path', 'last')
    # after an interrupt Lightning labels the resumed rows one step later (its logger counter was saved after the
    # interrupted batch started); the training itself is what must match: the same 17 losses in the same order
    tail_full, tail_resumed = full.loc[23:].values, resumed.values
    assert len(tail_full) == 17 and len(tail_resumed) == 17, (len(tail_full), len(tail_resumed))
    assert (tail_full == tail_resumed).all(), (tail_full, tail_resumed)


def test_views_and_recipe_must_agree(tmp_path, capsys):
    "Multi-view data with the spans recipe (or the reverse) is refused before the first step, naming both settings."
    out = cli_fails(capsys, 'fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--model.recipe', 'spans')
    assert '--data.views' in out and '--model.recipe' in out
    assert not (tmp_path / 'checkpoints' / 'last.ckpt').exists()
