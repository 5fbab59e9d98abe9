# Shared steps of the modules' native builds (model/ and preprocessing/ src/main/native/build.sh),
# sourced by them after they set $repo (the checkout's root). POSIX sh.
#
# alexnet.native (Maven property, the build scripts' third argument) says what happens when a
# library cannot be built here (no gcc, no headers, another OS):
#   auto      (default) the build goes on without it, with a loud warning; the jar takes the
#             portable Java path, and warns again when it runs
#   required  the build fails, naming what is missing (deploy/alexnet test, so the tests of the
#             native code never pass by skipping it)
#   skip      the library is not built (and an old one is removed), with the same warning
: "${repo:?the build script sets repo: the root of the checkout}"

# native_init TAG WHAT FALLBACK LIBRARY OUT_DIR JAVA_HOME [MODE]: checks the mode and the platform
# and sets native_target (OUT_DIR/linux-ARCH/LIBRARY), native_cc and native_jni_inc.
native_init() {
  native_tag=$1
  native_what=$2
  native_fallback=$3
  native_mode=${7:-auto}
  case $native_mode in
    auto | required | skip) ;;
    *) echo "[$native_tag] alexnet.native must be auto, required or skip, not '$native_mode'" >&2; exit 1 ;;
  esac
  case $(uname -m) in
    x86_64 | amd64) native_arch=x86_64 ;;
    aarch64 | arm64) native_arch=aarch64 ;;
    *) native_arch=$(uname -m) ;;
  esac
  native_target=$5/linux-$native_arch/$4
  native_cc=${CC:-gcc}
  native_java_home=$6
  if [ "$native_mode" = skip ]; then
    rm -f "$native_target"
    native_cannot "skipped on request (-Dalexnet.native=skip, ALEXNET_NATIVE=skip)"
  fi
  [ "$(uname -s)" = Linux ] || native_cannot "only Linux is supported by this build step (found $(uname -s))"
}

# native_up_to_date FILE...: exits the build (nothing to do) when the library is newer than them.
native_up_to_date() {
  [ -f "$native_target" ] || return 0
  for f in "$@"; do
    # shellcheck disable=SC3013 # -nt: dash, busybox and bash all have it
    [ "$native_target" -nt "$f" ] || return 0
  done
  exit 0
}

# native_toolchain: a C compiler and the JDK's jni.h (sets native_jni_inc), or native_cannot.
native_toolchain() {
  command -v "$native_cc" >/dev/null 2>&1 || native_cannot "no C compiler ('$native_cc' not on PATH)"
  native_jni_inc=$native_java_home/include
  [ -f "$native_jni_inc/jni.h" ] || native_jni_inc=$native_java_home/../include
  [ -f "$native_jni_inc/jni.h" ] \
    || native_cannot "no jni.h under $native_java_home (a JDK, not a JRE, must run Maven)"
}

# native_cannot REASON: the library cannot be built here. Fails the build when it is required;
# otherwise warns loudly and ends the step successfully, leaving the library out of the jar.
native_cannot() {
  native_hint=$(bash "$repo/deploy/setup.sh" --print-install native 2>/dev/null || true)
  if [ -n "$native_hint" ]; then native_hint="run: $native_hint"
  else native_hint="install gcc and the headers and static library of libjpeg-turbo"; fi
  if [ "$native_mode" = required ]; then
    {
      echo ""
      echo "[$native_tag] cannot build $native_what: $1"
      echo "[$native_tag] to build it, $native_hint"
      echo "[$native_tag] (or build without it: -Dalexnet.native=auto warns, -Dalexnet.native=skip does not try)"
    } >&2
    exit 1
  fi
  {
    echo "[$native_tag] ******************************************************************************"
    echo "[$native_tag] WARNING: NOT BUILT: $native_what: $1"
    echo "[$native_tag] WARNING: $native_fallback"
    if [ "$native_mode" != skip ]; then
      echo "[$native_tag] WARNING: to build it, $native_hint"
      echo "[$native_tag] WARNING: then rebuild (ALEXNET_REBUILD=always deploy/alexnet ..., which installs them itself when it may)"
    fi
    echo "[$native_tag] ******************************************************************************"
  } >&2
  exit 0
}

# native_compile CC_ARGS...: compiles with the JNI headers into the library, or native_cannot.
native_compile() {
  mkdir -p "$(dirname "$native_target")"
  "$native_cc" -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror=implicit-function-declaration \
    -I"$native_jni_inc" -I"$native_jni_inc/linux" -o "$native_target.tmp" "$@" \
    -Wl,-z,noexecstack -Wl,-z,defs -s \
    || native_cannot "compiling failed (see the compiler output above)"
  mv "$native_target.tmp" "$native_target"
  echo "[$native_tag] built $native_target with $("$native_cc" --version | head -1)"
}
