#!/usr/bin/env bash
# Every manifest of the course material skiff was specified from
# (tests/e2e/seeds/, see its README) applied with real kubectl: each is
# accepted and stored, or, when seeds/expect.txt lists it, refused with
# exactly the line kubectl prints there. One TAP line per manifest, so a
# change either way fails.
. "$(dirname "$0")/lib.sh"
SEEDS=$(cd "$(dirname "$0")/seeds" && pwd)

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
use_kubectl "$D"

# expect.txt: "FILE EXPECTED-LINE" per manifest that must be refused
declare -A EXPECT
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	EXPECT[${line%% *}]=${line#* }
done <"$SEEDS/expect.txt"
missing=$(for f in "${!EXPECT[@]}"; do [ -f "$SEEDS/$f" ] || echo "$f"; done)
check "expect.txt names only existing manifests${missing:+: }$(echo $missing)" test -z "$missing"

# kubectl names files as given: run from the seeds directory so its
# messages carry the bare file name, as expect.txt has them
cd "$SEEDS" || exit 1
n=0
for f in [0-9][0-9][0-9]-*.yaml; do
	n=$((n + 1))
	# a manifest without a namespace gets its own, so the material's
	# repeated names do not meet; the namespaces it names are created first
	nsargs=()
	nss=$(sed -n 's/^  namespace: *"\{0,1\}\([a-z0-9-]*\).*/\1/p' "$f" | sort -u)
	if [ -z "$nss" ]; then
		nss="seed-$n"
		nsargs=(-n "seed-$n")
	fi
	for ns in $nss; do
		kubectl get ns "$ns" >/dev/null 2>&1 || kubectl create ns "$ns" >/dev/null 2>&1
	done
	out=$(kubectl apply "${nsargs[@]}" -f "$f" 2>&1)
	rc=$?
	if [ -n "${EXPECT[$f]+x}" ]; then
		want=${EXPECT[$f]}
		if [ $rc -ne 0 ] && grep -qxF -- "$want" <<<"$out"; then
			ok "$f is refused: $want"
			continue
		fi
		notok "$f is refused: $want"
	else
		if [ $rc -eq 0 ] && got=$(kubectl get "${nsargs[@]}" -f "$f" -o name 2>&1) && [ -n "$got" ]; then
			ok "$f is accepted and stored"
			continue
		fi
		notok "$f is accepted and stored"
	fi
	sed 's/^/#   /' <<<"$out"
done

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
