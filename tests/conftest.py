"Test-session settings, applied before torch is imported, and the order in which `make test` deals the tests out."
import os

# On a small shared machine OpenMP's default spin-waiting makes torch many times slower when other processes run
# (measured in the Performance chapter); PASSIVE waits without spinning.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

# Under pytest-xdist (`make test` runs two workers on two cores) each worker, and the commands it starts, gets one
# torch thread: two workers with two threads each would fight over the cores.
if 'PYTEST_XDIST_WORKER' in os.environ:
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(var, '1')

# The tests read only the embedded corpus and the offline tokenizer; with the hub switched off a test that tried
# to download would fail at once instead of waiting for a network that CI does not have.
for var in ('HF_HUB_OFFLINE', 'HF_DATASETS_OFFLINE', 'TRANSFORMERS_OFFLINE'): os.environ.setdefault(var, '1')

# The slowest tests (`make test` prints the slowest twelve), longest first: dealt out first, so that the two workers
# finish together instead of one waiting for a long test picked up at the end.
SLOW_FIRST = ['test_site', 'test_ddp_two_processes_fit_and_resume', 'test_kill_and_resume', 'test_gpu_check_script_smoke',
              'test_notebook_runs[03_model]', 'test_compile_path_on_cpu', 'test_fit_from_a_streamed_corpus',
              'test_notebook_runs[00_data]', 'test_notebook_runs[01_sigreg]', 'test_tiny_fit_from_command_line',
              'test_monitors_see_the_global_batch', 'test_module_cli_last_line_is_the_ratio', 'test_notebook_runs[04_train]']


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda it: rank.get(it.name, len(rank)))  # stable: the rest keep pytest's order
