#!/usr/bin/env bash
# Runs every test: the unit tests of the release build and of the sanitizer
# (ASan+UBSan) build, and the end-to-end scripts. Ends with one line
# "N passed, N failed". Assumes the dependencies are installed
# (scripts/install-deps.sh) and builds what it needs.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()
log=$(mktemp -d /tmp/skiff-tests-XXXXXX)

build() {
	echo "== scons $*"
	if ! scons -Q -j"$(nproc)" "$@" >"$log/build.log" 2>&1; then
		tail -40 "$log/build.log"
		echo "build failed: scons $*"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

# One cmocka program: count its tests from its summary lines.
run_unit() {
	local bin=$1 label=$2 out="$log/$(basename "$1")-$2.log"
	local code=0
	timeout -s KILL 300 "$bin" >"$out" 2>&1 || code=$?
	local p f
	# a program may run several cmocka groups: each prints its own summary
	p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | awk '{s += $1} END {print s + 0}')
	f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$out" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
	tally "$(basename "$bin")" "$label" "${p:-0}" "${f:-0}" "$code" "$out" 'FAILED|ERROR|LINE|Sanitizer|runtime error|SUMMARY'
}

# tally NAME LABEL PASSED FAILED EXIT_CODE LOG PATTERN: adds one program's
# counts; a non-zero exit without failures counted (a crash, a hang, a leak
# report) counts as one failure
tally() {
	local name=$1 label=$2 p=$3 f=$4 code=$5 out=$6 pattern=$7
	if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-28s %-8s %3d passed, %d failed\n' "$name" "$label" "$p" "$f"
	if [ "$f" -ne 0 ]; then
		failures+=("$name ($label)")
		grep -E "$pattern" "$out" | head -30
		tail -15 "$out"
	fi
}

# One end-to-end script: TAP-style "ok - ..." / "not ok - ..." lines.
run_e2e() {
	local script=$1 out="$log/$(basename "$1").log"
	local code=0
	SKIFF_BUILD="$PWD/build" timeout -s KILL 600 bash "$script" >"$out" 2>&1 || code=$?
	local p f
	p=$(grep -cE '^ok ' "$out")
	f=$(grep -cE '^not ok ' "$out")
	tally "$(basename "$script")" e2e "$p" "$f" "$code" "$out" '^not ok|^#'
}

build
build SAN=1

for t in build/tests/unit/test_*; do
	[ -x "$t" ] && [ "${t%.o}" = "$t" ] && run_unit "$t" release
done
# leak checking stays on: everything a test allocates it frees
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in build-san/tests/unit/test_*; do
	[ -x "$t" ] && [ "${t%.o}" = "$t" ] && run_unit "$t" asan
done
unset ASAN_OPTIONS UBSAN_OPTIONS
for s in tests/e2e/test_*.sh; do
	[ -f "$s" ] && run_e2e "$s"
done

if [ "${#failures[@]}" -gt 0 ]; then
	echo "failed: ${failures[*]}"
	echo "logs: $log"
else
	rm -rf "$log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
