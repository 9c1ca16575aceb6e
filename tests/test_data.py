"Data behaviour that needs a separate process or the installed command line."
import json, os, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent


def test_hub_unreachable_names_offline_default():
    "With no hub, `load_corpus` says so and names the embedded corpus instead of a deep traceback."
    code = ("from lejepa_text.data import load_corpus\n"
            "try: load_corpus('wikitext-2-raw-v1')\n"
            "except ConnectionError as e: print('MSG', e)\n")
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_DATASETS_OFFLINE': '1'}
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=120).stdout
    assert 'MSG Could not reach the HuggingFace hub' in out and "wiki-offline" in out, out


def test_data_stats_cli(tmp_path):
    "The `lejepa-text-data` command prints the split table and writes stats.json."
    env = {**os.environ, 'LEJEPA_TEXT_CACHE': str(tmp_path / 'cache')}
    r = subprocess.run([BIN / 'lejepa-text-data', '--max_length', '64', '--out', str(tmp_path)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert 'train' in r.stdout and 'CC BY-SA 4.0' in r.stdout
    stats = json.loads((tmp_path / 'stats.json').read_text())
    assert sum(v['documents'] for v in stats.values()) == 10_033
    assert stats['train']['chunks'] == stats['train']['tokens'] // 64
