#!/usr/bin/env bash
# The server as an admin meets it: start with the default plugins, see them
# loaded, stop cleanly on SIGTERM; bad configs and bad plugins stop start-up
# with one clear line, leaving nothing running.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
"$SKIFF" plugin list --data-dir "$D" >"$T/list.txt" 2>&1
check "plugin list shows the default authenticator" grep -q "token-authn .*authenticator:token-file" "$T/list.txt"
check "plugin list shows the default authorizer" grep -q "masters-authz .*authorizer:masters" "$T/list.txt"
check "plugin list shows the NodeName filter" grep -q "nodename .*scheduler:NodeName" "$T/list.txt"
check "the admin token was generated privately" test "$(stat -c %a "$D/plugins/token-authn/tokens.csv")" = 600
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
code=$?
check "SIGTERM stops the server with status 0" test "$code" -eq 0
check "it says it stopped cleanly" grep -q "stopped cleanly" "$T/server.log"
check "no run state is left behind" test ! -e "$D/run/server.json"
check "plugin list says no server runs" bash -c "! '$SKIFF' plugin list --data-dir '$D' 2>&1 | grep -q NAME"

# restart on the same data: state is kept (the token is not regenerated)
tok=$(cut -d, -f1 "$D/plugins/token-authn/tokens.csv")
start_server "$T/server2.log" --data-dir "$D"
check "restarts on existing data" wait_for 10 grep -q "ready in" "$T/server2.log"
check "keeps its admin token across restarts" test "$tok" = "$(cut -d, -f1 "$D/plugins/token-authn/tokens.csv")"
kill -INT "$SERVER_PID"
wait "$SERVER_PID"
check "SIGINT stops it too" test $? -eq 0

# a config error points at file:line:column and nothing starts
printf 'dataDir: %s\ndatastore:\n  backend: leveldb\n  colour: blue\n' "$D" >"$T/bad.yaml"
"$SKIFF" server --config "$T/bad.yaml" >"$T/bad.log" 2>&1
code=$?
check "an unknown config key stops start-up" test "$code" -eq 1
check "the error names file:line:column" grep -q "$T/bad.yaml:4:3: unknown key \"colour\" in datastore" "$T/bad.log"

# a configured plugin built for another ABI is refused with one line
printf 'dataDir: %s\nplugins:\n  list:\n    - file: %s\n' "$D" "$SKIFF_BUILD/tests/plugins/wrong_major.so" >"$T/abi.yaml"
"$SKIFF" server --config "$T/abi.yaml" >"$T/abi.log" 2>&1
code=$?
check "a wrong-ABI plugin stops start-up" test "$code" -eq 1
check "the refusal names plugin, file and both versions" \
	grep -q "plugin fixture-wrong-major ($SKIFF_BUILD/tests/plugins/wrong_major.so) was built for ABI 2.0, this host provides ABI 1.0" "$T/abi.log"

# a plugin whose init fails stops start-up cleanly, naming it
printf 'dataDir: %s\nplugins:\n  list:\n    - file: %s\n' "$D" "$SKIFF_BUILD/tests/plugins/failing_init.so" >"$T/fail.yaml"
"$SKIFF" server --config "$T/fail.yaml" >"$T/fail.log" 2>&1
code=$?
check "a failing init stops start-up with status 1" test "$code" -eq 1
check "the failure names the plugin and its reason" grep -q "plugin fixture-failing .*init failed: cannot reach the license server" "$T/fail.log"

# the flags and subcommands users rely on
check "skiff version" bash -c "'$SKIFF' version | grep -q 'skiff 0.1.0 (plugin ABI 1.0)'"
check "skiff --help lists the commands" bash -c "'$SKIFF' --help | grep -q 'plugin check'"
check "skiff server --help lists its flags" bash -c "'$SKIFF' server --help | grep -q -- '--data-dir DIR'"
check "skiff plugin --help" bash -c "'$SKIFF' plugin --help | grep -q 'plugin list'"
check "an unknown command is an error" bash -c "! '$SKIFF' frobnicate 2>/dev/null"
check "plugin check refuses a non-plugin" bash -c "'$SKIFF' plugin check '$SKIFF_BUILD/tests/plugins/no_descriptor.so' | grep -q 'not a skiff plugin'"
