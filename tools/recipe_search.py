#!/usr/bin/env python
"""Rank multi-view LeJEPA recipes with short runs on the embedded corpus (a research script, not a test).

Each candidate trains the package's `TextEncoder` with the package's views, loss and projectors (`views`, `model`) for a
fixed number of steps, in a plain PyTorch loop with the same seed, then is scored with the evaluation chapter's
protocol (`load_tasks`, `evaluate_encoder`). One line of JSON per run is appended to the log.

    python tools/recipe_search.py --out runs/recipes.jsonl --steps 300 --names zero-layer,cpu,cpu-emb1
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch

from lejepa_text.data import load_corpus, get_tokenizer
from lejepa_text.encoder import EncoderConfig, TextEncoder
from lejepa_text.views import DocumentTokens, DocumentViews, pack_views
from lejepa_text.encoder import segment_mean
from lejepa_text.model import multiview_loss
from lejepa_text.predictors import Projector, ViewBatchNorm
from lejepa_text.masks import EpochSampler
from lejepa_text.sigreg import SIGReg
from lejepa_text.evaluate import load_tasks, evaluate_encoder
from lejepa_text.encoder import encode_texts

BASE = dict(embed_dim=128, num_heads=4, num_layers=4, max_length=128, dropout=0.0, lr=1e-3, wd=0.05, warmup=50,
            lam=0.05, docs=64, n_global=2, n_local=4, g_frac=(0.5, 1.0), l_frac=(0.15, 0.4), emb_std=0.02,
            proj=0, zero_resid=False, num_slices=512, seed=0, pack=256, emb_lr_mult=1.0)
CANDIDATES = {
    'zero-layer': dict(num_layers=0),
    'cpu': {},
    'cpu-emb1': dict(emb_std=1.0),
    'cpu-zero-resid': dict(zero_resid=True),
    'cpu-emb1-zero-resid': dict(emb_std=1.0, zero_resid=True),
    'cpu-lr3e-3': dict(lr=3e-3),
    'cpu-emb1-lr3e-3': dict(emb_std=1.0, lr=3e-3),
    '2layer-emb1': dict(num_layers=2, emb_std=1.0),
    'cpu-emb1-proj': dict(emb_std=1.0, proj=64),
    'cpu-emb1-2v': dict(emb_std=1.0, n_local=0),
    'cpu-emb1-lam0.1': dict(emb_std=1.0, lam=0.1),
    'cpu-emb1-lam0.02': dict(emb_std=1.0, lam=0.02),
    'cpu-emb1-fastemb': dict(emb_std=1.0, emb_lr_mult=30.0),
    '2layer-zero-resid': dict(num_layers=2, zero_resid=True),
    'cpu-zero-resid-lr3e-3': dict(zero_resid=True, lr=3e-3),
    '2layer-emb1-fastemb': dict(num_layers=2, emb_std=1.0, emb_lr_mult=30.0),
    'cpu-emb1-fastemb-lam0.1': dict(emb_std=1.0, emb_lr_mult=30.0, lam=0.1),
    'cpu-emb1-fastemb-proj': dict(emb_std=1.0, emb_lr_mult=30.0, proj=64),
    'cpu-emb1-fastemb-lr3e-3': dict(emb_std=1.0, emb_lr_mult=10.0, lr=3e-3),
    'cpu-emb1-fastemb-2v': dict(emb_std=1.0, emb_lr_mult=30.0, n_local=0),
    'cpu-proj64': dict(proj=64),
    'cpu-proj128': dict(proj=128),
    'cpu-bn': dict(proj=-1),
    'cpu-lam0.02': dict(lam=0.02),
    'cpu-lam0.01': dict(lam=0.01),
    'zero-layer-proj64': dict(num_layers=0, proj=64),
    'cpu-bn-fastemb': dict(proj=-1, emb_std=1.0, emb_lr_mult=30.0),
    '2layer-bn': dict(num_layers=2, proj=-1),
    'zero-layer-bn-300': dict(num_layers=0, proj=-1),
    'cpu-bn-warm150': dict(proj=-1, warm_steps=150),
    'cpu-bn-300': dict(proj=-1),
    'cpu-bn-slowblocks': dict(proj=-1, lr=1e-4, emb_lr_mult=10.0),
    'cpu-bn-warm150-slowblocks': dict(proj=-1, warm_steps=150, lr=1e-4, emb_lr_mult=10.0),
    'cpu-bn-lam0.02': dict(proj=-1, lam=0.02),
    'cpu-bn-lam0.2': dict(proj=-1, lam=0.2),
    'zero-layer-bn': dict(num_layers=0, proj=-1),
    'cpu-bn-docs64': dict(proj=-1, docs=64),
}


def encode_views(enc, b):
    S = int(b['segment_ids'].max()) + 1
    z = segment_mean(enc(b['input_ids'], segment_ids=b['segment_ids']), b['segment_ids'], S)
    return z.view(b['n_views'], -1, z.shape[-1])


def build(h):
    torch.manual_seed(h['seed'])
    enc = TextEncoder.from_config(EncoderConfig(50257, h['embed_dim'], h['num_heads'], h['num_layers'], h['max_length'], h['dropout']))
    if h['emb_std'] != 0.02: torch.nn.init.normal_(enc.token_embedding.weight, std=h['emb_std'])
    if h['zero_resid']:
        for n, p in enc.named_parameters():
            if n.endswith('proj.weight'): torch.nn.init.zeros_(p)
    proj = (Projector(h['embed_dim'], h['proj']) if h['proj'] > 0 else ViewBatchNorm(h['embed_dim']) if h['proj'] == -1
            else torch.nn.Identity())
    return enc, proj


def fit(enc, proj, h, steps, it, name, sig):
    "Train `enc` (and `proj`) for `steps` multi-view steps from the batch iterator `it`; returns (real tokens, log)."
    emb = [enc.token_embedding.weight]
    rest = [p for n, p in list(enc.named_parameters()) + list(proj.named_parameters()) if n != 'token_embedding.weight']
    groups = [{'params': emb, 'weight_decay': 0.0, 'lr': h['lr'] * h['emb_lr_mult']},
              {'params': [p for p in rest if p.dim() >= 2], 'weight_decay': h['wd']},
              {'params': [p for p in rest if p.dim() < 2], 'weight_decay': 0.0}]
    opt = torch.optim.AdamW(groups, lr=h['lr'], betas=(0.9, 0.95))
    base_lrs = [g['lr'] for g in opt.param_groups]
    t0, real_tokens, log = time.time(), 0, []
    for step in range(steps):
        w = min(1.0, (step + 1) / h['warmup']) * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1, step / steps))))
        for g, lr in zip(opt.param_groups, base_lrs): g['lr'] = lr * w
        batch = next(it)
        z = encode_views(enc, batch)  # (V, N, D)
        out = multiview_loss(proj(z), h['n_global'], sig, h['lam'])
        opt.zero_grad(set_to_none=True); out['loss'].backward(); opt.step()
        real_tokens += int((batch['segment_ids'] >= 0).sum())
        if step % 50 == 0 or step == steps - 1:
            log.append((step, round(out['loss'].item(), 4), round(out['inv'].item(), 4), round(out['sigreg'].item(), 4)))
            print(name, log[-1], f'{time.time() - t0:.0f}s', flush=True)
    return real_tokens, log


def run(name, h, steps, tasks, docs):
    enc, proj = build(h)
    sig = SIGReg(num_slices=h['num_slices'], seed=h['seed'])
    ds = DocumentViews(docs, 'multiview', h['n_global'], h['n_local'], h['g_frac'], h['l_frac'], h['max_length'], 4, seed=h['seed'])
    loader = torch.utils.data.DataLoader(ds, batch_size=h['docs'], sampler=EpochSampler(len(ds), h['seed']), drop_last=True,
                                         collate_fn=lambda b: pack_views(b, h['max_length']))
    def batches():
        for epoch in range(10**6):
            loader.sampler.set_epoch(epoch)
            yield from loader
    it, t0, warm_tokens = batches(), time.time(), 0
    if h.get('warm_steps'):  # first the bag of embeddings (0 layers), then its table and norm in the transformer
        bag, bproj = build({**h, 'num_layers': 0})
        warm_tokens, _ = fit(bag, bproj, h, h['warm_steps'], it, name + ' (warm)', sig)
        with torch.no_grad():
            enc.token_embedding.weight.copy_(bag.token_embedding.weight); enc.norm.load_state_dict(bag.norm.state_dict())
            for n, p in enc.named_parameters():  # the blocks start as the identity: the transformer starts as the bag
                if n.endswith('proj.weight'): p.zero_()
    real_tokens, log = fit(enc, proj, h, steps - h.get('warm_steps', 0), it, name, sig)
    real_tokens += warm_tokens
    train_s = time.time() - t0
    tok = get_tokenizer('gpt2')
    enc.eval(); torch.manual_seed(0)
    r = evaluate_encoder(lambda t: encode_texts(enc, tok, t), tasks)
    r.pop('_topic_test_emb')
    if h.get('probe_table') and h['num_layers'] > 0:  # the trained token table alone, as a bag of embeddings (blocks removed)
        bag = TextEncoder.from_config(EncoderConfig(50257, h['embed_dim'], h['num_heads'], 0, h['max_length'], 0.0)).eval()
        bag.token_embedding.load_state_dict(enc.token_embedding.state_dict())
        rb = evaluate_encoder(lambda t: encode_texts(bag, tok, t), tasks)
        r['table_only'] = {k: rb[k] for k in ('topic_acc', 'rt_acc', 'lee_spearman')}
    if h.get('save'): torch.save(enc.state_dict(), Path(h['save']) / f"{name}-s{h['seed']}.pt")
    return {'name': name, 'steps': steps, 'train_s': round(train_s, 1), 'tokens_per_s': round(real_tokens / train_s),
            **{k: r[k] for k in ('topic_acc', 'rt_acc', 'lee_spearman')}, 'table_only': r.get('table_only'), 'log': log,
            'hparams': {k: v for k, v in h.items()}}


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='runs/recipes.jsonl')
    ap.add_argument('--steps', type=int, default=300)
    ap.add_argument('--names', default=','.join(CANDIDATES))
    ap.add_argument('--set', default='{}', help='JSON of hyper-parameters applied to every candidate')
    ap.add_argument('--seeds', default='0')
    a = ap.parse_args()
    tasks = load_tasks()
    docs = DocumentTokens.from_split(load_corpus('wiki-offline')['train'], get_tokenizer('gpt2'))
    for seed in map(int, a.seeds.split(',')):
        for name in a.names.split(','):
            h = {**BASE, **CANDIDATES[name], **json.loads(a.set), 'seed': seed}
            r = run(name, h, a.steps, tasks, docs)
            print(json.dumps({k: v for k, v in r.items() if k not in ('log', 'hparams')}), flush=True)
            Path(a.out).parent.mkdir(parents=True, exist_ok=True)
            with open(a.out, 'a') as f: f.write(json.dumps(r) + '\n')
