#!/usr/bin/env bash
# The official Python client, unchanged, against a real server: see
# python_client.py. History is kept short so an old revision expires.
. "$(dirname "$0")/lib.sh"

D="$T/data"
printf 'dataDir: %s\ndatastore:\n  historyRevisions: 5\n  compactIntervalSeconds: 1\n' "$D" >"$T/config.yaml"
start_server "$T/server.log" --config "$T/config.yaml" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
wait_for 10 test -s "$D/kubeconfig.yaml"
HOME="$T" timeout -s KILL 60 /usr/bin/python3 "$(dirname "$0")/python_client.py" "$D/kubeconfig.yaml" 2>"$T/py.err" ||
	{ notok "the python client ran to the end"; sed 's/^/# /' "$T/py.err"; }
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
