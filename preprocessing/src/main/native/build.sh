#!/bin/sh
# Builds libalexnet_jpeg.so (alexnet_jpeg.c + libjpeg-turbo's static libjpeg.a, SIMD included) into
# OUT_DIR/linux-<arch>/, where NativeJpeg.java loads it from the classpath. Run by Maven
# (preprocessing/pom.xml, compile phase). Where it cannot be built (no gcc or libjpeg-turbo headers,
# another OS) the jar goes without it, with a loud warning, unless MODE is "required":
# build-support/native.sh.
# Usage: build.sh OUT_DIR JAVA_HOME [auto|required|skip]
set -eu
src_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$src_dir/../../../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../../../.. source=build-support/native.sh
. "$repo/build-support/native.sh"
src=$src_dir/alexnet_jpeg.c

native_init alexnet-preprocessing "the native JPEG codec" \
  "JPEGs go through OpenCV instead: the same images, but preprocessing and training's decoding are several times slower" \
  libalexnet_jpeg.so "$@"
# Up to date: nothing to do (keeps incremental builds fast).
native_up_to_date "$src" "$0" "$repo/build-support/native.sh"
native_toolchain

# libjpeg-turbo's headers, and libjpeg-turbo rather than IJG libjpeg (no SIMD, other API).
printf '#include <stdio.h>\n#include <jpeglib.h>\n#ifndef LIBJPEG_TURBO_VERSION_NUMBER\n#error not libjpeg-turbo\n#endif\n' \
  | "$native_cc" -E -x c - >/dev/null 2>&1 || native_cannot "no libjpeg-turbo headers (jpeglib.h with LIBJPEG_TURBO_VERSION_NUMBER)"

# The static archive, so the .so needs only libc at run time.
static_lib=$("$native_cc" -print-file-name=libjpeg.a)
[ -f "$static_lib" ] || native_cannot "no static libjpeg.a (libjpeg-turbo's -dev package ships it)"

# Without SIMD (a libjpeg-turbo built without nasm) it still works, only slower: say so loudly.
if command -v nm >/dev/null 2>&1 && ! nm "$static_lib" 2>/dev/null | grep -q ' T jsimd_'; then
  echo "[alexnet-preprocessing] WARNING: $static_lib has no SIMD code (jsimd_*); the native codec will be slow" >&2
fi

# Debian's libjpeg.a is not built with -fPIC. Its one reference that cannot go into a shared object
# is jerror.c's use of libc's stderr (a PC-relative load of a libc variable); it is renamed to a
# variable alexnet_jpeg.c defines (and sets to stderr), in a private copy of the archive.
command -v objcopy >/dev/null 2>&1 || native_cannot "no objcopy (binutils)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --redefine-sym stderr=alexnet_jpeg_stderr "$static_lib" "$work/libjpeg.a" \
  || native_cannot "objcopy could not rewrite $static_lib"
# --exclude-libs hides libjpeg's symbols: the JVM also holds OpenCV's and the JDK's libjpeg.
native_compile -O3 "$src" "$work/libjpeg.a" -lm -Wl,--exclude-libs,ALL
