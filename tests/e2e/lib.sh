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
# start_server LOG ARGS...: starts skiff server in the background, sets SERVER_PID.
# The control plane alone unless SKIFF_AGENT=1: tests of the API and the
# scheduler use made-up nodes and must not run pods on this machine.
start_server() {
	local log=$1
	shift
	local agent=(--disable-agent)
	[ "${SKIFF_AGENT:-0}" = 1 ] && agent=()
	"$SKIFF" server "$@" "${agent[@]}" >"$log" 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
}
# use_kubectl DATA_DIR: kubectl talks to that server with the kubeconfig it
# wrote, with its caches in the temp dir, and every call is bounded so a
# hang fails a check instead of the suite
use_kubectl() {
	export KUBECONFIG="$1/kubeconfig.yaml" HOME="$T" KUBECACHEDIR="$T/kcache"
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nexec timeout -s KILL 30 %s "$@"\n' "$(command -v kubectl)" >"$T/bin/kubectl"
	chmod +x "$T/bin/kubectl"
	export PATH="$T/bin:$PATH"
}
