#!/usr/bin/env bash
# The benchmark suite (issue 6): the Python peers (NumPy, Numba) and `cargo bench -p
# msp-bench` (msp, C -O3, Rust, gcc -O2 Brainfuck, memcpy) in one invocation, then one
# table, printed and written into BENCHMARKS.md, with a plot of the transpose sweep.
#
#   scripts/bench.sh            the full suite (about 15 minutes on 2 cores)
#   scripts/bench.sh --quick    fewer sizes and repeats (a few minutes)
#   MSP_BENCH_ONLY=par scripts/bench.sh
#                               one part (here the parallel loops of issue 14, with their
#                               Numba peers), merged into the last results and peers files;
#                               other parts (jit, rt, bf_scaling, bf_run_once) reuse the
#                               last peers.json as they are
#
# The Python peers run from a venv (target/bench-venv) made here with pip when missing;
# without Python or pip the peer columns say so and the Rust part still runs.
# Timings are noisy on a loaded machine: check `uptime` first; ratios compare peers
# measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX=${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}
target=${CARGO_TARGET_DIR:-$PWD/target}
out=${MSP_BENCH_DIR:-$target/msp-bench}
mkdir -p "$out"
export MSP_BENCH_DIR=$out
quick=""
if [[ "${1:-}" == "--quick" ]]; then
  quick="--quick"
  export MSP_BENCH_QUICK=1
fi
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

peers=$out/peers.json
py=""
if command -v python3 >/dev/null 2>&1; then
  venv=$target/bench-venv
  if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c "import numpy, numba, matplotlib" 2>/dev/null; then
    echo "bench: making the Python venv $venv (numpy, numba, matplotlib)" >&2
    if python3 -m venv "$venv" && "$venv/bin/pip" install --quiet numpy numba matplotlib; then
      py=$venv/bin/python
    else
      echo "bench: pip could not install numpy/numba/matplotlib; peer columns will say so" >&2
      py=python3
    fi
  else
    py=$venv/bin/python
  fi
  only=${MSP_BENCH_ONLY:-}
  if [[ -z $only ]]; then
    echo "bench: NumPy and Numba peers" >&2
    "$py" bench/peers.py measure "$peers" $quick || echo '{"error": "the Python peers failed"}' > "$peers"
  elif [[ $only == par ]]; then
    echo "bench: Numba peers of the parallel loops" >&2
    "$py" bench/peers.py measure "$peers" $quick --only par || echo "bench: the Python peers failed" >&2
  fi
else
  echo '{"error": "python3 not found"}' > "$peers"
fi

echo "bench: cargo bench -p msp-bench (criterion)" >&2
cargo bench -p msp-bench --bench suite

if [[ -n $py ]]; then
  "$py" bench/peers.py report "$out/results.json" "$peers" BENCHMARKS.md --plot bench/transpose.svg
else
  echo "bench: python3 not found: no table; the raw results are in $out/results.json" >&2
  cat "$out/results.json"
fi
