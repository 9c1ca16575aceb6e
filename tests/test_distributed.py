"Several processes through Lightning's DDP strategy (gloo on CPU), and training from a streamed corpus."
import json, os, subprocess, sys
from pathlib import Path
import pandas as pd
import torch

from cli import BIN, run


def test_ddp_two_processes_fit_and_resume(tmp_path):
    "2 processes (gloo): the loss falls, each checkpoint is written once, and the run resumes from `last`."
    common = ['--config', 'tiny', '--trainer.default_root_dir', tmp_path, '--trainer.accelerator', 'cpu',
              '--trainer.strategy', 'ddp', '--trainer.devices', 2, '--trainer.enable_progress_bar', 'false',
              '--trainer.log_every_n_steps', 1]
    run('fit', *common, '--trainer.max_steps', 30)
    df = pd.read_csv(tmp_path / 'metrics.csv')
    loss = df['train/loss'].dropna().values
    assert loss[-5:].mean() < loss[:5].mean(), loss
    ckpts = sorted(p.name for p in (tmp_path / 'checkpoints').iterdir())
    assert ckpts == ['best.ckpt', 'last.ckpt'], ckpts  # rank 0 writes; no copies from the other rank
    assert torch.load(tmp_path / 'checkpoints' / 'last.ckpt', map_location='cpu', weights_only=False)['global_step'] == 30
    run('fit', *common, '--trainer.max_steps', 40, '--ckpt_path', 'last')
    assert torch.load(tmp_path / 'checkpoints' / 'last.ckpt', map_location='cpu', weights_only=False)['global_step'] == 40


def test_fit_from_a_streamed_corpus(tmp_path):
    "A JSON-lines corpus loaded with streaming=True trains end to end (the fineweb-edu path, offline)."
    from lejepa_text.data import load_wiki_offline
    docs = load_wiki_offline()['train'].select(range(600))
    (tmp_path / 'corpus').mkdir()
    for s in range(4):
        with open(tmp_path / 'corpus' / f'part-{s}.jsonl', 'w') as f:
            for i in range(s, len(docs), 4): f.write(json.dumps({'text': docs[i]['text']}) + '\n')
    run('fit', '--config', 'tiny', '--trainer.default_root_dir', tmp_path / 'run', '--data.corpus', tmp_path / 'corpus',
        '--data.corpus_kwargs', '{"streaming": true}', '--data.num_workers', 2, '--trainer.max_steps', 20,
        '--trainer.enable_progress_bar', 'false')
    assert torch.load(tmp_path / 'run' / 'checkpoints' / 'last.ckpt', map_location='cpu', weights_only=False)['global_step'] == 20
