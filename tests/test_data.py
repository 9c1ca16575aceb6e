"Data behaviour at the command line and without the hub."
import json, sys
import pytest


def test_hub_unreachable_names_offline_default():
    "With no hub (conftest switches it off), `load_corpus` says so and names the embedded corpus instead of a deep traceback."
    from lejepa_text.data import load_corpus
    with pytest.raises(ConnectionError) as e: load_corpus('wikitext-2-raw-v1')
    assert 'Could not reach the HuggingFace hub' in str(e.value) and 'wiki-offline' in str(e.value), str(e.value)


def test_data_stats_entry(tmp_path, monkeypatch, capsys):
    "`lejepa-text-data --max_length 64 --out DIR` (the console entry, in this process) prints the split table and writes stats.json."
    from lejepa_text.cli import data_entry
    monkeypatch.setenv('LEJEPA_TEXT_CACHE', str(tmp_path / 'cache'))
    monkeypatch.setattr(sys, 'argv', ['lejepa-text-data', '--max_length', '64', '--out', str(tmp_path)])
    data_entry()
    out = capsys.readouterr().out
    assert 'train' in out and 'CC BY-SA 4.0' in out
    stats = json.loads((tmp_path / 'stats.json').read_text())
    assert sum(v['documents'] for v in stats.values()) == 10_033
    assert stats['train']['chunks'] == stats['train']['tokens'] // 64


def test_console_scripts_are_installed():
    "The installed package's commands (settings.ini's console_scripts) load the functions they name."
    from importlib.metadata import entry_points
    from lejepa_text.cli import cli_entry, data_entry
    eps = {e.name: e for e in entry_points(group='console_scripts') if e.value.startswith('lejepa_text.')}
    assert set(eps) == {'lejepa-text', 'lejepa-text-data'}, eps
    assert eps['lejepa-text'].load() is cli_entry and eps['lejepa-text-data'].load() is data_entry


def test_data_subcommand(tmp_path, monkeypatch, capsys):
    "`lejepa-text data --max_length 64 --out DIR` goes through the one command's dispatcher to the same table and stats.json."
    from lejepa_text.cli import main
    monkeypatch.setenv('LEJEPA_TEXT_CACHE', str(tmp_path / 'cache'))
    main(['data', '--max_length', '64', '--out', str(tmp_path)])
    out = capsys.readouterr().out
    assert 'train' in out and 'max_length=64' in out
    assert json.loads((tmp_path / 'stats.json').read_text())['train']['chunks'] > 0
