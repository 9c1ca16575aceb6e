__version__ = "0.1.0"

# The names a user reaches for first: `from lejepa_text import LeJEPAText, TextEmbedder, SIGReg, LeJEPATextDataModule`.
# Imported when first asked for, so that `import lejepa_text.bench` (or any one module) does not import all the others.
_LAZY = {'SIGReg': 'sigreg', 'LeJEPATextDataModule': 'datamodule', 'LeJEPAText': 'model', 'TextEmbedder': 'embed'}

def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f'{__name__}.{_LAZY[name]}'), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

def __dir__(): return sorted([*globals(), *_LAZY])
