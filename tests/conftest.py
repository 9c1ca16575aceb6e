"Test-session settings, applied before torch is imported."
import os

# On a small shared machine OpenMP's default spin-waiting makes torch many times slower when other processes run
# (measured in the Performance chapter); PASSIVE waits without spinning.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

# Under pytest-xdist (`make test` runs two workers on two cores) each worker, and the commands it starts, gets one
# torch thread: two workers with two threads each would fight over the cores.
if 'PYTEST_XDIST_WORKER' in os.environ:
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(var, '1')
