"The package's shape: the names a user imports first, and the methods that work without importing the command line."
import subprocess, sys


def _py(code):
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_top_level_names():
    "`from lejepa_text import LeJEPAText, TextEmbedder, SIGReg, LeJEPATextDataModule` works in a fresh process."
    out = _py("from lejepa_text import LeJEPAText, TextEmbedder, SIGReg, LeJEPATextDataModule, __version__; print(LeJEPAText.__name__)")
    assert out.strip() == 'LeJEPAText'


def test_encode_is_defined_with_the_model(tmp_path):
    "`LeJEPAText.encode` comes from the model module, so a model loaded from a checkpoint embeds text with no other import."
    code = f'''
import torch, pytorch_lightning as pl
from lejepa_text.model import LeJEPAText
assert LeJEPAText.encode.__module__ == 'lejepa_text.model', LeJEPAText.encode.__module__
m = LeJEPAText(embed_dim=32, num_heads=2, num_layers=1, max_length=32)
torch.save({{'state_dict': m.state_dict(), 'hyper_parameters': dict(m.hparams), 'pytorch-lightning_version': pl.__version__}},
           {str(tmp_path / 'm.ckpt')!r})
e = LeJEPAText.load_from_checkpoint({str(tmp_path / 'm.ckpt')!r}).encode(["a text", "another, longer text"])
print(tuple(e.shape))
'''
    assert _py(code).strip() == '(2, 32)'


def _imports(path):
    "The lejepa_text modules a module's source imports: at top level, inside functions, or by name in a 'module:function' string."
    import ast, re
    tree, out = ast.parse(path.read_text()), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: out.add(mod.split('.')[0] if mod else None)
            elif mod.startswith('lejepa_text.'): out.add(mod.split('.')[1])
            elif mod == 'lejepa_text': out.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name.split('.')[1] for a in node.names if a.name.startswith('lejepa_text.'))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.update(re.findall(r'^lejepa_text\.(\w+):\w+$', node.value))
    return out - {None}


def test_no_import_cycle():
    "No lejepa_text module imports, directly or through others, a module that imports it (function-level imports count)."
    from pathlib import Path
    pkg = Path(__file__).resolve().parents[1] / 'lejepa_text'
    mods = {p.stem for p in pkg.glob('*.py') if p.stem not in ('__init__', '_modidx')}
    graph = {m: (_imports(pkg / f'{m}.py') & mods) - {m} for m in mods}
    assert graph['cli'] >= {'model', 'config'} and 'views' in graph['datamodule']  # the parser sees imports
    assert not [m for m in mods if 'cli' in graph[m]]  # nothing imports the command line
    state, path = {}, []
    def visit(m):
        state[m] = 'open'; path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 'open': raise AssertionError('import cycle: ' + ' -> '.join(path[path.index(n):] + [n]))
            if n not in state: visit(n)
        state[m] = 'done'; path.pop()
    for m in sorted(mods):
        if m not in state: visit(m)
