#!/usr/bin/env bash
# Installs LLVM 19 (llvm-19-dev) when it is missing. Idempotent: a machine that already
# has /usr/lib/llvm-19/bin/llvm-config returns at once. Needs root or sudo on Debian/Ubuntu.
set -euo pipefail

prefix=/usr/lib/llvm-19
have_cxx() { command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || command -v clang++ >/dev/null 2>&1; }
# msp-core's build.rs compiles a C++ file against LLVM's headers: a C++ compiler is needed too.
if have_cxx && [ -x "$prefix/bin/llvm-config" ] && { [ -e "$prefix/lib/libLLVM.so" ] || [ -e "$prefix/lib/libLLVM-19.so" ]; }; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
    echo "install-llvm: need root (or sudo) to install llvm-19-dev" >&2; exit 1
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-llvm: no apt-get; install LLVM 19 by hand and set LLVM_SYS_191_PREFIX" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! have_cxx; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq g++ >/dev/null
fi
if [ -x "$prefix/bin/llvm-config" ] && { [ -e "$prefix/lib/libLLVM.so" ] || [ -e "$prefix/lib/libLLVM-19.so" ]; }; then
  exit 0
fi
pkgs="llvm-19-dev libpolly-19-dev zlib1g-dev libzstd-dev libffi-dev libxml2-dev"
if ! apt-cache show llvm-19-dev >/dev/null 2>&1; then
  # Older Ubuntu/Debian: take LLVM 19 from apt.llvm.org.
  $sudo apt-get update -qq
fi
if ! apt-cache show llvm-19-dev >/dev/null 2>&1; then
  . /etc/os-release
  codename=${VERSION_CODENAME:-bookworm}
  $sudo apt-get install -y -qq wget gnupg ca-certificates >/dev/null
  wget -qO- https://apt.llvm.org/llvm-snapshot.gpg.key | $sudo tee /etc/apt/trusted.gpg.d/apt.llvm.org.asc >/dev/null
  echo "deb http://apt.llvm.org/$codename/ llvm-toolchain-$codename-19 main" | $sudo tee /etc/apt/sources.list.d/llvm-19.list >/dev/null
fi
$sudo apt-get update -qq
# libpolly is linked by llvm-config --libs on Debian's packaging; absent on some releases.
$sudo apt-get install -y -qq $pkgs >/dev/null 2>&1 || $sudo apt-get install -y -qq llvm-19-dev zlib1g-dev libzstd-dev libffi-dev libxml2-dev
test -x "$prefix/bin/llvm-config"
echo "install-llvm: LLVM $("$prefix/bin/llvm-config" --version) at $prefix" >&2
