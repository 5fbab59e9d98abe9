#!/usr/bin/env bash
# What this machine needs to build and run AlexNet on Spark, in one place: deploy/alexnet sources
# this file before it runs (a JDK and the DejaVu fonts), before it builds (plus the native code's
# compiler and headers) and before the tests (plus shellcheck). Missing Debian/Ubuntu packages are installed when that is
# allowed (root, or sudo without a password), after saying what is installed; otherwise the one
# command to run is printed and the caller stops. Maven need not be installed: ./mvnw downloads
# the pinned version (.mvn/wrapper/maven-wrapper.properties) when `mvn` is not on the PATH.
#
#   deploy/setup.sh [run|build|test]   check (default: build), install what is missing, say what is used
#   deploy/setup.sh --print-install [run|native|build|test]
#                                      print the install command for what is missing, install nothing
#
# Environment: ALEXNET_SETUP=install (default) | check (never install: print the command and stop)
# | skip (check nothing); ALEXNET_NATIVE=skip (no native code: gcc and libjpeg-turbo not needed);
# JAVA_HOME (a JDK 17 to use); ALEXNET_OS_RELEASE (default /etc/os-release) and ALEXNET_JVM_DIR
# (where JDKs are looked for, default /usr/lib/jvm), for tests.

# Sourced by deploy/alexnet, so only functions and no shell options here (setup_main sets them).
setup_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

setup_say() { printf 'alexnet: %s\n' "$*" >&2; }

# The system packages, one per need, by distribution ("debian" or "ubuntu"): the only list of them.
setup_package() {
  case "$1" in
    jdk) echo openjdk-17-jdk-headless ;;
    fonts) echo fonts-dejavu-core ;;
    cc) echo gcc ;;
    libc) echo libc6-dev ;;
    jpeg) if [ "$2" = ubuntu ]; then echo libjpeg-turbo8-dev; else echo libjpeg62-turbo-dev; fi ;;
    shellcheck) echo shellcheck ;;
  esac
}

setup_why() {
  case "$1" in
    jdk) echo "a JDK 17 (javac) to build and run" ;;
    fonts) echo "the fonts make-sample-data --kind glyphs draws with (and its learning test)" ;;
    cc) echo "a C compiler for the native JPEG codec and LRN kernels" ;;
    libc) echo "the C library's headers for the native code" ;;
    jpeg) echo "libjpeg-turbo's headers and static library for the native JPEG codec" ;;
    shellcheck) echo "shellcheck for the tests' lint of deploy/ scripts" ;;
  esac
}

# What a purpose needs: run = a JDK and fonts; native = the C toolchain; build = both; test = build + shellcheck.
setup_needs() {
  local native=cc\ libc\ jpeg
  [ "${ALEXNET_NATIVE:-auto}" != skip ] || native=
  case "$1" in
    run) echo jdk fonts ;;
    native) echo "$native" ;;
    build) echo jdk fonts "$native" ;;
    test) echo jdk fonts "$native" shellcheck ;;
    *) setup_say "set-up: unknown purpose '$1' (run | native | build | test)"; return 2 ;;
  esac
}

setup_purpose_name() {
  case "$1" in run) echo "running AlexNet" ;; test) echo "the tests" ;; *) echo "the $1" ;; esac
}

# "debian", "ubuntu" (and their derivatives, by ID_LIKE), or "other:ID".
setup_distro() {
  local file="${ALEXNET_OS_RELEASE:-/etc/os-release}" key value id='' like=''
  [ -r "$file" ] || { echo "other:$(uname -s)"; return 0; }
  while IFS='=' read -r key value; do
    value="${value#[\"\']}"; value="${value%[\"\']}"
    case "$key" in ID) id="$value" ;; ID_LIKE) like="$value" ;; esac
  done <"$file"
  case " $id $like " in
    *" ubuntu "*) echo ubuntu ;;
    *" debian "*) echo debian ;;
    *) echo "other:${id:-unknown}" ;;
  esac
}

# The Java feature version of a JDK home (17 for 17.0.15, 1 for 1.8), or nothing when it is not a JDK.
setup_jdk_major() {
  local home="$1" key value version=''
  [ -x "$home/bin/javac" ] && [ -x "$home/bin/java" ] || return 1
  if [ -r "$home/release" ]; then
    while IFS='=' read -r key value; do
      [ "$key" = JAVA_VERSION ] && version="${value//\"/}"
    done <"$home/release"
  fi
  [ -n "$version" ] || version="$("$home/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9][0-9.]*\).*/\1/p')"
  version="${version%%[!0-9]*}"   # 17 of 17.0.15 or 17-ea, 1 of 1.8.0_402
  [ -n "$version" ] || return 1
  echo "$version"
}

# The home of the JDK to use: JAVA_HOME when it is 17 to 21 (Spark 3.5 runs on both; later ones
# break Hadoop's security code), else a JDK 17 (the javac on PATH first, then ALEXNET_JVM_DIR),
# else one of 18 to 21. Fails when there is none.
setup_find_jdk() {
  local candidates=() javac home major pass
  if [ -n "${JAVA_HOME:-}" ]; then
    major="$(setup_jdk_major "$JAVA_HOME")" && [ "$major" -ge 17 ] && [ "$major" -le 21 ] \
      && { echo "$JAVA_HOME"; return 0; }
    candidates+=("$JAVA_HOME")
  fi
  if javac="$(command -v javac)"; then
    javac="$(readlink -f "$javac")"
    candidates+=("${javac%/bin/javac}")
  fi
  for home in "${ALEXNET_JVM_DIR:-/usr/lib/jvm}"/*/; do
    [ -d "$home" ] && [ ! -L "${home%/}" ] && candidates+=("${home%/}")
  done
  for pass in 17 21; do
    for home in ${candidates[@]+"${candidates[@]}"}; do
      major="$(setup_jdk_major "$home")" || continue
      if [ "$major" -ge 17 ] && [ "$major" -le "$pass" ]; then echo "$home"; return 0; fi
    done
  done
  return 1
}

# Exports JAVA_HOME as the JDK to use; says so when it is not the one the environment named.
setup_use_jdk() {
  local home
  home="$(setup_find_jdk)" || return 1
  if [ "$home" != "${JAVA_HOME:-}" ] && [ -n "${JAVA_HOME:-}" ]; then
    setup_say "JAVA_HOME=$JAVA_HOME is not a JDK 17 to 21; using $home"
  fi
  export JAVA_HOME="$home"
}

# Whether dpkg has a package installed; true where there is no dpkg to ask (the build checks itself).
setup_installed() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  case "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" in
    *" installed") return 0 ;;
    *) return 1 ;;
  esac
}

# Whether one need is met on this machine.
setup_has() {
  case "$1" in
    jdk) setup_find_jdk >/dev/null ;;
    cc) command -v "${CC:-gcc}" >/dev/null 2>&1 ;;
    shellcheck) command -v shellcheck >/dev/null 2>&1 ;;
    *) setup_installed "$(setup_package "$1" "$2")" ;;
  esac
}

# The unmet needs of a purpose, on one line.
setup_missing() {
  local need distro="$2" needs missing=()
  needs="$(setup_needs "$1")" || return 2
  for need in $needs; do
    setup_has "$need" "$distro" || missing+=("$need")
  done
  echo ${missing[@]+"${missing[@]}"}
}

# The JDK package apt can install here: 17, or 21 where the release has no 17 (Debian 13).
setup_jdk_package() {
  local p
  for p in "$(setup_package jdk)" openjdk-21-jdk-headless; do
    if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then echo "$p"; return 0; fi
  done
  setup_package jdk
}

# "root", "sudo" (password-less), or nothing when this process may not install packages.
setup_privilege() {
  if [ "$(id -u)" = 0 ]; then echo root
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then echo sudo
  fi
}

setup_install_command() {
  local as="$1"; shift
  local install="apt-get install -y --no-install-recommends $*"
  case "$as" in
    root) echo "apt-get update && $install" ;;
    sudo) echo "sudo apt-get update && sudo $install" ;;
    *) echo "su -c 'apt-get update && $install'" ;;
  esac
}

setup_as() {
  if [ "$1" = root ]; then shift; "$@"; else shift; sudo -n "$@"; fi
}

# Checks what a purpose needs and installs what is missing when allowed. Returns non-zero (after
# printing the command to run) when something needed is missing and cannot be installed; a
# non-Debian/Ubuntu machine without the native toolchain gets a warning (the build falls back).
setup_system() {
  local purpose="${1:-build}" distro missing need packages=() as log
  [ "${ALEXNET_SETUP:-install}" != skip ] || { setup_use_jdk || true; return 0; }
  distro="$(setup_distro)"
  missing="$(setup_missing "$purpose" "$distro")" || return 2
  if [ -z "$missing" ]; then setup_use_jdk; return 0; fi

  case "$distro" in
    debian | ubuntu) command -v apt-get >/dev/null 2>&1 || distro="other:$distro (no apt-get)" ;;
  esac
  if [ "${distro%%:*}" = other ]; then
    setup_say "set-up installs packages with apt-get on Debian and Ubuntu only; this is ${distro#other:}. Missing here:"
    for need in $missing; do setup_say "  - $(setup_why "$need")"; done
    case " $missing " in
      *" jdk "*) setup_say "install a JDK 17 (and set JAVA_HOME), then run the same command again"; return 1 ;;
    esac
    setup_say "WARNING: going on without them: the build leaves out the native code it cannot compile"
    setup_use_jdk
    return 0
  fi

  for need in $missing; do packages+=("$(setup_package "$need" "$distro")"); done
  setup_say "this machine lacks what $(setup_purpose_name "$purpose") needs ($distro):"
  for need in $missing; do
    setup_say "  $(printf '%-24s' "$(setup_package "$need" "$distro")") $(setup_why "$need")"
  done
  as="$(setup_privilege)"
  if [ "${ALEXNET_SETUP:-install}" = check ] || [ -z "$as" ]; then
    if [ -z "$as" ]; then
      setup_say "not root and no password-less sudo, so nothing was installed. Run:"
    else
      setup_say "ALEXNET_SETUP=check, so nothing was installed. Run:"
    fi
    printf '\n    %s\n\n' "$(setup_install_command "$(setup_privilege_hint)" "${packages[@]}")" >&2
    setup_say "then the same command again."
    case " $missing " in
      *" jdk "* | *" shellcheck "*) ;;
      *) setup_say "(Or ALEXNET_NATIVE=skip to build without the native JPEG codec and LRN kernels: slower.)" ;;
    esac
    return 1
  fi

  setup_say "updating apt's package lists (as $as) ..."
  setup_as "$as" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
    || setup_say "WARNING: apt-get update failed; trying the install with the lists there are"
  packages=()
  for need in $missing; do
    if [ "$need" = jdk ]; then packages+=("$(setup_jdk_package)"); else packages+=("$(setup_package "$need" "$distro")"); fi
  done
  setup_say "installing ${packages[*]} with apt-get (as $as) ..."
  # dpkg's progress (a line per file it unpacks) goes to a log; apt's errors are shown as they come
  log="$(mktemp "${TMPDIR:-/tmp}/alexnet-apt.XXXXXX")"
  if ! setup_as "$as" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${packages[@]}" >"$log"; then
    tail -n 20 "$log" >&2
    setup_say "apt-get could not install ${packages[*]} (its output: $log); install them yourself:"
    printf '\n    %s\n\n' "$(setup_install_command "$as" "${packages[@]}")" >&2
    return 1
  fi
  rm -f "$log"
  setup_say "installed ${packages[*]}"
  if ! setup_use_jdk; then
    setup_say "no JDK 17 found after the install: install one and set JAVA_HOME"
    return 1
  fi
}

# How the printed command should gain root: sudo where it is installed, else su.
setup_privilege_hint() {
  if [ "$(id -u)" = 0 ]; then echo root
  elif command -v sudo >/dev/null 2>&1; then echo sudo
  else echo su
  fi
}

# The Maven command: mvn from the PATH, else the wrapper (which downloads the pinned Maven once).
setup_maven() {
  if command -v mvn >/dev/null 2>&1; then command -v mvn; else echo "$setup_root/mvnw"; fi
}

# One line on what is used, for logs.
setup_report() {
  local mvn
  mvn="$(setup_maven)"
  if [ "$mvn" = "$setup_root/mvnw" ]; then
    mvn="./mvnw (no mvn on the PATH; Maven $(sed -n 's|.*apache-maven/\([0-9.]*\)/.*|\1|p' \
      "$setup_root/.mvn/wrapper/maven-wrapper.properties"), downloaded on first use)"
  fi
  setup_say "JDK: ${JAVA_HOME:-none}; Maven: $mvn; native code: ${ALEXNET_NATIVE:-auto}"
}

setup_main() {
  set -euo pipefail
  if [ "${1:-}" = --print-install ]; then
    local distro missing need packages=()
    distro="$(setup_distro)"
    missing="$(setup_missing "${2:-build}" "$distro")"
    [ -n "$missing" ] || return 0
    case "$distro" in   # elsewhere the package names are not known: nothing
      debian | ubuntu)
        for need in $missing; do packages+=("$(setup_package "$need" "$distro")"); done
        setup_install_command "$(setup_privilege_hint)" "${packages[@]}" ;;
    esac
    return 0
  fi
  case "${1:-build}" in
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; return 0 ;;
  esac
  setup_system "${1:-build}"
  setup_report
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_main "$@"
fi
