#!/usr/bin/env bash
# A restart keeps every object and the revision sequence: resourceVersions
# continue, and a watcher resumes from the revision it had seen.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
export KUBECONFIG="$D/kubeconfig.yaml" HOME="$T" KUBECACHEDIR="$T/kcache"
kc() { timeout -s KILL 30 kubectl "$@"; }
for i in 1 2 3; do kc create configmap "c$i" --from-literal=n="$i" >/dev/null; done
seen=$(kc get cm c3 -o jsonpath='{.metadata.resourceVersion}')
kc patch cm c1 -p '{"data":{"n":"10"}}' >/dev/null
before=$(kc get cm -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.resourceVersion}/{.metadata.uid} {end}')
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0

start_server "$T/server2.log" --data-dir "$D" --listen 127.0.0.1:0
check "it restarts on the same data" wait_for 10 grep -q "ready in" "$T/server2.log"
after=$(kc get cm -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.resourceVersion}/{.metadata.uid} {end}')
check "every object is kept with its resourceVersion and uid" test "$before" = "$after"
kc create configmap c4 >/dev/null
rv4=$(kc get cm c4 -o jsonpath='{.metadata.resourceVersion}')
last=$(echo "$before" | tr ' ' '\n' | sed -n 's/^[^=]*=\([0-9]*\)\/.*/\1/p' | sort -n | tail -1)
check "revisions continue after the restart" test "$rv4" -gt "$last"
kc get --raw "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=$seen&timeoutSeconds=2" >"$T/watch.txt" 2>&1
events=$(/usr/bin/python3 -c 'import json,sys
print(" ".join(e["type"] + ":" + e["object"]["metadata"]["name"] for e in map(json.loads, open(sys.argv[1]))))' "$T/watch.txt")
check "a watcher resumes from the revision it had seen (MODIFIED c1, ADDED c4)" test "$events" = "MODIFIED:c1 ADDED:c4"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "and stops cleanly again" test $? -eq 0
