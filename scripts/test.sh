#!/usr/bin/env bash
# The whole test suite: unit, snapshot, end-to-end, compile-fail, conformance and doc tests.
# Installs LLVM 19 first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-llvm.sh
export LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}
cargo test --workspace --all-targets "$@"
cargo test --workspace --doc
