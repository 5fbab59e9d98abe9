#!/bin/sh
# Builds libalexnet_kernels.so (alexnet_kernels.c: the CPU backend's LRN, pooling and update kernels;
# alexnet_winograd*.c: the 3x3 and 5x5 convolutions' Winograd transforms; alexnet_im2col.c: conv1's lowering)
# into OUT_DIR/linux-<arch>/,
# where NativeKernels.java loads it from the classpath. Run by Maven (model/pom.xml, compile phase).
# Portable x86-64 code (no -march): it runs on any executor; gcc vectorises the channel loops, and the
# hottest ones also get an AVX2 clone picked at load time where the CPU has it (alexnet_clones.h).
# Where it cannot be built (no gcc, another OS) the jar goes without it, with a loud warning, unless
# MODE is "required": build-support/native.sh.
# Usage: build.sh OUT_DIR JAVA_HOME [auto|required|skip]
set -eu
src_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$src_dir/../../../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../../../.. source=build-support/native.sh
. "$repo/build-support/native.sh"
src=$src_dir/alexnet_kernels.c

native_init alexnet-model "the native LRN and update kernels" \
  "LRN and the parameter update run as plain ND4J operations instead: the same numbers, but a slower CPU training step" \
  libalexnet_kernels.so "$@"
native_up_to_date "$src" "$src_dir/alexnet_winograd.h" "$src_dir/alexnet_winograd.c" "$src_dir/alexnet_winograd4.c" "$src_dir/alexnet_winograd25.c" "$src_dir/alexnet_im2col.c" "$src_dir/alexnet_clones.h" "$0" "$repo/build-support/native.sh"
native_toolchain
# -fno-math-errno lets sqrtf vectorise; no -ffast-math and no FMA contraction: every sum and product
# rounds as the ND4J operations it replaces
native_compile -O3 -fno-math-errno -ffp-contract=off "$src" "$src_dir/alexnet_winograd.c" "$src_dir/alexnet_winograd4.c" "$src_dir/alexnet_winograd25.c" "$src_dir/alexnet_im2col.c" -lm
