"""The exported folder is a sentence-transformers model: a fresh Python process that cannot import `lejepa_text` or
fastcore loads it with `SentenceTransformer(folder, trust_remote_code=True)` and embeds as `TextEmbedder` does; a tiny
local task is scored through that same `encode` call (the one MTEB makes)."""
import json, subprocess, sys, textwrap
import numpy as np
import pytest
import torch

from lejepa_text import TextEmbedder
from lejepa_text.embed import export_encoder
from lejepa_text.model import LeJEPAText

# a tiny local task: two topics, and one text longer than the encoder's 32 tokens (truncation must agree too)
TASK = [('The striker scored twice in the cup final.', 0), ('The goalkeeper saved a penalty in the last minute.', 0),
        ('The league title was decided on the final day of the season.', 0), ('She won the marathon in record time.', 0),
        ('The central bank raised interest rates again.', 1), ('Shares fell after the company missed its earnings forecast.', 1),
        ('Inflation rose to its highest level in a decade.', 1),
        ('The government bond market, which had been calm for months, turned volatile as investors weighed the chance '
         'of a recession against the strength of the labour market and the price of oil.', 1)]

FRESH = textwrap.dedent('''
    import importlib.abc, json, sys
    class NoPackage(importlib.abc.MetaPathFinder):  # the folder must need neither lejepa_text nor fastcore
        def find_spec(self, name, path, target=None):
            if name.split('.')[0] in ('lejepa_text', 'fastcore'): raise ImportError(f'{name} is blocked in this test')
    sys.meta_path.insert(0, NoPackage())
    import numpy as np
    from sentence_transformers import SentenceTransformer
    folder, texts, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    model = SentenceTransformer(folder, trust_remote_code=True, device='cpu')
    np.save(out, model.encode(texts, batch_size=3, convert_to_numpy=True))  # the call MTEB's wrapper makes
    print(json.dumps({'max_seq_length': model.max_seq_length, 'dim': model.get_sentence_embedding_dimension(),
                      'blocked': sorted(m for m in sys.modules if m.split('.')[0] in ('lejepa_text', 'fastcore'))}))
''')


def nearest_centroid_accuracy(emb, labels):
    "Leave-one-out nearest class centroid on cosine similarity: a task small enough to need no probe."
    e = emb / np.linalg.norm(emb, axis=1, keepdims=True); hits = 0
    for i in range(len(e)):
        rest = np.arange(len(e)) != i
        cents = np.stack([e[rest & (labels == c)].mean(0) for c in (0, 1)])
        hits += int(np.argmax(cents @ e[i]) == labels[i])
    return hits / len(e)


@pytest.mark.duration(20)
def test_sentence_transformers_loads_the_export_in_a_fresh_process(tmp_path):
    torch.manual_seed(0)
    folder = export_encoder(LeJEPAText.tiny(dropout=0.0), tmp_path / 'encoder')
    texts, labels = [t for t, _ in TASK], np.array([y for _, y in TASK])
    r = subprocess.run([sys.executable, '-c', FRESH, str(folder), json.dumps(texts), str(tmp_path / 'st.npy')],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    info = json.loads(r.stdout.strip().splitlines()[-1])
    assert info == {'max_seq_length': 32, 'dim': 32, 'blocked': []}, info
    st, ours = np.load(tmp_path / 'st.npy'), TextEmbedder.from_pretrained(folder).encode(texts).numpy()
    assert np.abs(st - ours).max() <= 1e-5, np.abs(st - ours).max()
    assert nearest_centroid_accuracy(st, labels) == nearest_centroid_accuracy(ours, labels)


def test_export_leaves_the_tokenizer_alone_and_refuses_other_modules(tmp_path):
    "The caller's tokenizer keeps having no pad token (the folder's gets one); a module that is not a TextEncoder is refused."
    from lejepa_text.data import get_tokenizer
    tok = get_tokenizer()
    folder = export_encoder(LeJEPAText.tiny(), tmp_path / 'e', tok)
    assert tok.pad_token is None and TextEmbedder.from_pretrained(folder).tokenizer.pad_token == tok.eos_token
    with pytest.raises(TypeError, match='TextEncoder'): export_encoder(torch.nn.Linear(2, 2), tmp_path / 'f')


def test_a_folder_from_a_newer_version_says_so(tmp_path):
    "An export whose encoder settings this version does not know is refused with the fix; a folder without the newest settings loads (defaults)."
    from lejepa_text.data import get_tokenizer
    folder = export_encoder(LeJEPAText.tiny(final_norm=False, resid_init_scale=0.0), tmp_path / 'e', get_tokenizer())
    cfg = json.loads((folder / 'config.json').read_text())
    assert cfg['encoder']['final_norm'] is False and TextEmbedder.from_pretrained(folder).encoder.config.final_norm is False
    cfg['encoder']['a_later_setting'] = 1
    (folder / 'config.json').write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="newer lejepa_text.*a_later_setting.*trust_remote_code"): TextEmbedder.from_pretrained(folder)
    old = export_encoder(LeJEPAText.tiny(), tmp_path / 'old', get_tokenizer())
    c = json.loads((old / 'config.json').read_text())
    for k in ('resid_init_scale', 'final_norm'): del c['encoder'][k]  # written before these settings existed
    (old / 'config.json').write_text(json.dumps(c))
    assert TextEmbedder.from_pretrained(old).encoder.config.final_norm is True
