"Test-session settings, applied before torch is imported."
import os

# On a small shared machine OpenMP's default spin-waiting makes torch many times slower when other processes run
# (measured in the Performance chapter); PASSIVE waits without spinning.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
