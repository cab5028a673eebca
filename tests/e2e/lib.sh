# lib.sh — helpers for end-to-end scripts: TAP-style results, a temp dir
# removed on exit, and servers started and always stopped.
set -u
SKIFF_BUILD=${SKIFF_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
SKIFF="$SKIFF_BUILD/bin/skiff"
T=$(mktemp -d /tmp/skiff-e2e-XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
# wait_for SECONDS COMMAND...: poll until the command succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
# start_server LOG ARGS...: starts skiff server in the background, sets SERVER_PID
start_server() {
	local log=$1
	shift
	"$SKIFF" server "$@" >"$log" 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
}
