#!/bin/sh
# Builds libalexnet_kernels.so (alexnet_kernels.c: the CPU backend's LRN and update kernels) into OUT_DIR/linux-<arch>/,
# where NativeLrn.java loads it from the classpath. Run by Maven (model/pom.xml, compile phase).
# Portable x86-64 code (no -march): it runs on any executor; gcc vectorises the channel loops.
# Usage: build.sh OUT_DIR JAVA_HOME
set -eu
out_dir=$1
java_home=$2
src_dir=$(cd "$(dirname "$0")" && pwd)
src=$src_dir/alexnet_kernels.c
cc=${CC:-gcc}

fail() {
  echo "" >&2
  echo "[alexnet-model] cannot build the native kernels: $1" >&2
  echo "[alexnet-model] On Debian/Ubuntu: apt-get install gcc libc6-dev" >&2
  exit 1
}

[ "$(uname -s)" = Linux ] || fail "only Linux is supported by this build step (found $(uname -s))"
case $(uname -m) in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
target=$out_dir/linux-$arch/libalexnet_kernels.so

if [ -f "$target" ] && [ "$target" -nt "$src" ] && [ "$target" -nt "$0" ]; then
  exit 0
fi

command -v "$cc" >/dev/null 2>&1 || fail "no C compiler ('$cc' not on PATH)"
jni_inc=$java_home/include
[ -f "$jni_inc/jni.h" ] || { jni_inc=$java_home/../include; [ -f "$jni_inc/jni.h" ] || fail "no jni.h under $java_home (a JDK, not a JRE, must run Maven)"; }

mkdir -p "$out_dir/linux-$arch"
# -fno-math-errno lets sqrtf vectorise; no -ffast-math and no FMA contraction: every sum and product
# rounds as the ND4J operations it replaces
"$cc" -O3 -fno-math-errno -ffp-contract=off -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror=implicit-function-declaration \
  -I"$jni_inc" -I"$jni_inc/linux" \
  -o "$target.tmp" "$src" -lm \
  -Wl,-z,noexecstack -Wl,-z,defs -s \
  || fail "compiling $src failed (see the compiler output above)"
mv "$target.tmp" "$target"
echo "[alexnet-model] built $target with $("$cc" --version | head -1)"
