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

# The slowest tests are marked `@pytest.mark.duration(SECONDS)` (about what `make test --durations` shows) where they are
# written; they are dealt out first, longest first, so that the two workers finish together instead of one waiting for
# a long test picked up at the end. A renamed test keeps its mark.
def pytest_configure(config):
    config.addinivalue_line('markers', 'duration(seconds): a slow test, scheduled first (longest first)')


def duration(item) -> float:
    m = item.get_closest_marker('duration')
    return float(m.args[0]) if m else 0.0


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda it: -duration(it))  # stable: the unmarked rest keep pytest's order
