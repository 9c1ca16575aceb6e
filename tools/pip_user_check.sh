#!/usr/bin/env bash
# What a pip user does, from nothing: a fresh virtual environment, torch==2.13.0 (the CPU wheel), then
# `pip install '.[eval]'` and no other step; then train the tiny config, export it, and `lejepa-text eval` it to the
# full table (every reference row). A fresh cache, so the evaluation data is fetched as a new user's would be.
# Usage: bash tools/pip_user_check.sh [WORKDIR]   (about 10 minutes on 2 cores; nothing outside WORKDIR is touched)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
W="${1:-$(mktemp -d)}"; mkdir -p "$W"
export LEJEPA_TEXT_CACHE="$W/cache" PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
python3 -m venv "$W/venv"
"$W/venv/bin/pip" install -q torch==2.13.0
"$W/venv/bin/pip" install -q "$ROOT[eval]"
cd "$W"
"$W/venv/bin/lejepa-text" fit --config tiny --trainer.default_root_dir "$W/tiny" --trainer.enable_progress_bar false
"$W/venv/bin/lejepa-text" export "$W/tiny/checkpoints/last.ckpt" "$W/export"
"$W/venv/bin/lejepa-text" eval --ckpt "$W/export" --out "$W/eval"
cat "$W/eval/eval.md"
