#!/usr/bin/env bash
# The flagship demo: a Brainfuck compiler written as an msp generator. It stages the
# program into a kernel, JIT-compiles it with LLVM and runs it, timing each step.
# Installs LLVM 19 first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-llvm.sh
export LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}
program=${1:-examples/bf/hello.b}
cargo run --release --example bf -- "$program"
