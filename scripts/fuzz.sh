#!/usr/bin/env bash
# Runs each cargo-fuzz target in fuzz/ for a bounded time (FUZZ_SECONDS, default 120).
# Uses a nightly toolchain when there is one; otherwise the stable one with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz only needs -Z flags). Installs cargo-fuzz when missing.
#   FUZZ_SECONDS=3600 scripts/fuzz.sh            # an hour per target
#   FUZZ_SECONDS=600 scripts/fuzz.sh compile_bytes
set -euo pipefail
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}
seconds=${FUZZ_SECONDS:-120}
toolchain=()
if rustup run nightly rustc --version >/dev/null 2>&1; then
  toolchain=(+nightly)
else
  echo "fuzz.sh: no nightly toolchain; using stable with RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(compile_bytes generated_kernels)
fi
status=0
for t in "${targets[@]}"; do
  echo "== fuzzing $t for ${seconds}s"
  # -rss_limit_mb: stage 0 may hold up to its own memory cap; -timeout: a hang is a bug.
  if ! cargo "${toolchain[@]}" fuzz run "$t" "fuzz/corpus/$t" -- \
      -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1; then
    echo "fuzz.sh: $t found a problem; the reproducer is under fuzz/artifacts/$t/"
    status=1
  fi
done
exit $status
