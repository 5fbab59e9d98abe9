#!/usr/bin/env bash
# One training step of the paper's two-column AlexNet (full preset), ours against PyTorch's on the
# same machine in the same run: `deploy/alexnet bench train-step` (the column executor, the
# training job's default) and alexnet_pytorch.py (the identical grouped net), alternated ROUNDS
# times so both see the same load; prints both figures and the ratio, of the median step and of
# the fastest step of each run (on a shared machine the fastest is the least disturbed by others).
# Installs Debian's python3-torch (and OpenBLAS, which its matrix products need to be fast: with
# the reference BLAS PyTorch runs ~3x slower) with apt when missing.
# Environment: BATCH (32), STEPS (5), WARMUP (2), ROUNDS (2), PYTHON (python with torch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
batch=${BATCH:-32}
steps=${STEPS:-5}
warmup=${WARMUP:-2}
rounds=${ROUNDS:-2}

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y "$@"
  else
    sudo apt-get install -y "$@"
  fi
}

# Debian's torch is built for the system interpreter, which a pyenv/venv python may shadow.
python=${PYTHON:-}
if [ -z "$python" ]; then
  python=python3
  [ -x /usr/bin/python3 ] && python=/usr/bin/python3
fi
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (apt)" >&2
  apt_install python3-torch >&2
fi
if command -v update-alternatives >/dev/null 2>&1 \
    && ! update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value:.*openblas'; then
  echo "installing OpenBLAS for PyTorch's matrix products (apt)" >&2
  apt_install libopenblas0-pthread >&2
fi

# "<median> <fastest>" images/s of a run's summary line: "... N images/s (steps: s1 s2 ... s)"
figures() {
  sed -nE 's/.* ([0-9.]+) images\/s \(steps: ([0-9. ]+) s\).*/\1 \2/p' | tail -1 \
    | awk -v batch="$batch" '{ best = $2; for (i = 3; i <= NF; i++) if ($i < best) best = $i; print $1, batch / best }'
}

ours_all=()
theirs_all=()
for round in $(seq 1 "$rounds"); do
  echo "== round $round/$rounds: ours" >&2
  ours=$("$root/deploy/alexnet" bench train-step --executor columns --preset full --batch "$batch" \
    --steps "$steps" --warmup "$warmup" | tee /dev/stderr | grep 'executor=columns' | figures)
  echo "== round $round/$rounds: PyTorch" >&2
  theirs=$("$python" "$here/alexnet_pytorch.py" --batch "$batch" --steps "$steps" --warmup "$warmup" \
    | tee /dev/stderr | grep '^pytorch' | figures)
  ours_all+=("$ours")
  theirs_all+=("$theirs")
done

echo
for i in "${!ours_all[@]}"; do
  echo "$((i + 1)) ${ours_all[$i]} ${theirs_all[$i]}"
done | awk -v batch="$batch" '
  BEGIN { print "            median step (images/s)              fastest step (images/s)"
          print "round     ours  PyTorch  ours/PyTorch      ours  PyTorch  ours/PyTorch" }
  { printf "%5d  %7.2f  %7.2f  %11.2fx   %7.2f  %7.2f  %11.2fx\n", $1, $2, $4, $2 / $4, $3, $5, $3 / $5
    o += $2; t += $4; ob += $3; tb += $5; n++ }
  END { printf "mean   %7.2f  %7.2f  %11.2fx   %7.2f  %7.2f  %11.2fx  (full preset, batch %d)\n",
          o / n, t / n, o / t, ob / n, tb / n, ob / tb, batch }'
