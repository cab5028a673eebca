#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for
# SECONDS (default 60), keeping a corpus per target under build-fuzz/.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
scons -Q FUZZ=1 -j"$(nproc)" >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(ls build-fuzz/tests/fuzz/ | grep -E '^fuzz_[a-z_]+$'))
for t in "${targets[@]}"; do
	corpus="build-fuzz/corpus/$t"
	mkdir -p "$corpus"
	echo "== $t for ${secs}s"
	"build-fuzz/tests/fuzz/$t" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 "$corpus" 2>&1 |
		grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|crash' || true
done
