#!/bin/sh
# Builds libalexnet_jpeg.so (alexnet_jpeg.c + libjpeg-turbo's static libjpeg.a, SIMD included) into
# OUT_DIR/linux-<arch>/, where NativeJpeg.java loads it from the classpath. Run by Maven
# (preprocessing/pom.xml, process-classes); fails with the missing package named rather than
# building a jar without the fast codec.
# Usage: build.sh OUT_DIR JAVA_HOME
set -eu
out_dir=$1
java_home=$2
src_dir=$(cd "$(dirname "$0")" && pwd)
src=$src_dir/alexnet_jpeg.c
cc=${CC:-gcc}

fail() {
  echo "" >&2
  echo "[alexnet-preprocessing] cannot build the native JPEG codec: $1" >&2
  echo "[alexnet-preprocessing] On Debian/Ubuntu: apt-get install gcc libc6-dev libjpeg62-turbo-dev" >&2
  echo "[alexnet-preprocessing] (Ubuntu names it libjpeg-turbo8-dev)." >&2
  exit 1
}

[ "$(uname -s)" = Linux ] || fail "only Linux is supported by this build step (found $(uname -s))"
case $(uname -m) in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) arch=$(uname -m) ;;
esac
target=$out_dir/linux-$arch/libalexnet_jpeg.so

# Up to date: nothing to do (keeps incremental builds fast).
if [ -f "$target" ] && [ "$target" -nt "$src" ] && [ "$target" -nt "$0" ]; then
  exit 0
fi

command -v "$cc" >/dev/null 2>&1 || fail "no C compiler ('$cc' not on PATH)"
jni_inc=$java_home/include
[ -f "$jni_inc/jni.h" ] || { jni_inc=$java_home/../include; [ -f "$jni_inc/jni.h" ] || fail "no jni.h under $java_home (a JDK, not a JRE, must run Maven)"; }

# libjpeg-turbo's headers, and libjpeg-turbo rather than IJG libjpeg (no SIMD, other API).
printf '#include <stdio.h>\n#include <jpeglib.h>\n#ifndef LIBJPEG_TURBO_VERSION_NUMBER\n#error not libjpeg-turbo\n#endif\n' \
  | "$cc" -E -x c - >/dev/null 2>&1 || fail "no libjpeg-turbo headers (jpeglib.h with LIBJPEG_TURBO_VERSION_NUMBER)"

# The static archive, so the .so needs only libc at run time.
static_lib=$("$cc" -print-file-name=libjpeg.a)
[ -f "$static_lib" ] || fail "no static libjpeg.a (libjpeg-turbo's -dev package ships it)"

# Without SIMD (a libjpeg-turbo built without nasm) it still works, only slower: say so loudly.
if command -v nm >/dev/null 2>&1 && ! nm "$static_lib" 2>/dev/null | grep -q ' T jsimd_'; then
  echo "[alexnet-preprocessing] WARNING: $static_lib has no SIMD code (jsimd_*); the native codec will be slow" >&2
fi

mkdir -p "$out_dir/linux-$arch"
# Debian's libjpeg.a is not built with -fPIC. Its one reference that cannot go into a shared object
# is jerror.c's use of libc's stderr (a PC-relative load of a libc variable); it is renamed to a
# variable alexnet_jpeg.c defines (and sets to stderr), in a private copy of the archive.
command -v objcopy >/dev/null 2>&1 || fail "no objcopy (binutils)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --redefine-sym stderr=alexnet_jpeg_stderr "$static_lib" "$work/libjpeg.a" \
  || fail "objcopy could not rewrite $static_lib"
# --exclude-libs hides libjpeg's symbols: the JVM also holds OpenCV's and the JDK's libjpeg.
"$cc" -O3 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror=implicit-function-declaration \
  -I"$jni_inc" -I"$jni_inc/linux" \
  -o "$target.tmp" "$src" "$work/libjpeg.a" -lm \
  -Wl,--exclude-libs,ALL -Wl,-z,noexecstack -Wl,-z,defs -s \
  || fail "compiling $src failed (see the compiler output above)"
mv "$target.tmp" "$target"
echo "[alexnet-preprocessing] built $target with $("$cc" --version | head -1) and $static_lib"
