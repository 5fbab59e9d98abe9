#!/usr/bin/env bash
# Spark's GPU discovery script (spark.executor.resource.gpu.discoveryScript and
# spark.worker.resource.gpu.discoveryScript): prints the GPUs this executor may use as
#   {"name": "gpu", "addresses": ["0", "1"]}
# Addresses are device numbers, as the training job expects (TaskDevices). CUDA_VISIBLE_DEVICES,
# when set (by Slurm, YARN or the container runtime), already limits and renumbers the devices.
# ALEXNET_GPU_COUNT overrides nvidia-smi (for machines without it, and for tests).
set -euo pipefail

count=""
if [ -n "${ALEXNET_GPU_COUNT:-}" ]; then
  count="$ALEXNET_GPU_COUNT"
elif [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  IFS=',' read -r -a visible <<< "$CUDA_VISIBLE_DEVICES"
  count="${#visible[@]}"
elif command -v nvidia-smi >/dev/null 2>&1; then
  count="$(nvidia-smi --query-gpu=index --format=csv,noheader | grep -c .)" || count=0
else
  count=0
fi

addresses=""
for ((i = 0; i < count; i++)); do
  addresses+="${addresses:+, }\"$i\""
done
printf '{"name": "gpu", "addresses": [%s]}\n' "$addresses"
