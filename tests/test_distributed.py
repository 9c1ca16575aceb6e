"Several processes through Lightning's DDP strategy (gloo on CPU), and training from a streamed corpus."
import pytest
import json, subprocess, sys
import pandas as pd
import torch

from cli import run


@pytest.mark.duration(120)
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



@pytest.mark.duration(150)
def test_ddp_resume_repeats_the_run(tmp_path):
    """2 processes with an average of the weights: resumed from the checkpoint written at step 10, a run ends where the
    run straight through ends, weight for weight (the average, and the weights it is taken from)."""
    common = ['--config', 'tiny', '--trainer.accelerator', 'cpu', '--trainer.strategy', 'ddp', '--trainer.devices', 2,
              '--trainer.enable_progress_bar', 'false', '--trainer.max_steps', 20,
              '--trainer.callbacks+=lejepa_text.callbacks.WeightEMA', '--trainer.callbacks.decay', 0.8]
    run('fit', *common, '--trainer.default_root_dir', tmp_path / 'a', '--trainer.callbacks+=ModelCheckpoint',
        '--trainer.callbacks.dirpath', tmp_path / 'steps', '--trainer.callbacks.filename', '{step}',
        '--trainer.callbacks.every_n_train_steps', 10, '--trainer.callbacks.save_top_k', -1)
    run('fit', *common, '--trainer.default_root_dir', tmp_path / 'b', '--ckpt_path', tmp_path / 'steps' / 'step=10.ckpt')
    a, b = (torch.load(tmp_path / r / 'checkpoints' / 'last.ckpt', map_location='cpu', weights_only=False) for r in 'ab')
    assert a['global_step'] == b['global_step'] == 20
    for key in ('state_dict', 'current_model_state'):
        assert a[key].keys() == b[key].keys()
        assert all(torch.equal(a[key][k], b[key][k]) for k in a[key]), (key, max((a[key][k].float() - b[key][k].float()).abs().max().item() for k in a[key] if a[key][k].is_floating_point()))

@pytest.mark.duration(60)
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


_GATHER_WORKER = r'''
import sys, torch, torch.distributed as dist
from lejepa_text.dist import gather_rows
from lejepa_text.model import effective_rank
rank, port, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=2)
full = torch.randn(16, 24, generator=torch.Generator().manual_seed(0))  # the global batch
z = gather_rows(full[rank * 8:(rank + 1) * 8])  # each rank holds 8 of the 16 rows
torch.save({'z': z, 'rank': effective_rank(z), 'std': z.std(0).mean(), 'local_rank': effective_rank(full[rank * 8:(rank + 1) * 8])},
           f'{out}/{rank}.pt')
dist.destroy_process_group()
'''


@pytest.mark.duration(35)
def test_monitors_see_the_global_batch(tmp_path):
    "Under 2 gloo processes, `gather_rows` gives every rank all 16 rows, so repr_std and eff_rank are the global batch's."
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    (tmp_path / 'w.py').write_text(_GATHER_WORKER)
    procs = [subprocess.Popen([sys.executable, tmp_path / 'w.py', str(r), str(port), str(tmp_path)]) for r in (0, 1)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    from lejepa_text.model import effective_rank
    full = torch.randn(16, 24, generator=torch.Generator().manual_seed(0))
    for r in (0, 1):
        got = torch.load(tmp_path / f'{r}.pt')
        assert torch.equal(got['z'], full)
        assert torch.allclose(got['rank'], effective_rank(full)) and torch.allclose(got['std'], full.std(0).mean())
        assert got['rank'] > got['local_rank'] + 1  # a per-rank monitor would have read lower
