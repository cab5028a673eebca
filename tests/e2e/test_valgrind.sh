#!/usr/bin/env bash
# The server and the plugin checker under valgrind: no invalid access, no
# definite leak, through a whole start, load, stop cycle.
. "$(dirname "$0")/lib.sh"
# the release build uses mimalloc: valgrind must track its malloc, and its
# C++ delete is an alias of free, which valgrind would call a mismatch
VG=(valgrind --soname-synonyms=somalloc=*mimalloc* --show-mismatched-frees=no --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite -q)

D="$T/data"
"${VG[@]}" "$SKIFF" server --data-dir "$D" --disable-agent >"$T/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
check "the server starts under valgrind" wait_for 60 grep -q "ready in" "$T/server.log"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
code=$?
check "it stops with no memory error or leak" test "$code" -eq 0
grep -E '^==[0-9]+==' "$T/server.log" | head -20 | sed 's/^/# /'

"${VG[@]}" "$SKIFF" plugin check "$SKIFF_BUILD/lib/skiff/plugins/token-authn.so" >"$T/check.log" 2>&1
check "plugin check is clean under valgrind" test $? -eq 0
"${VG[@]}" "$SKIFF" plugin check "$SKIFF_BUILD/tests/plugins/wrong_major.so" >"$T/refuse.log" 2>&1
check "refusing a plugin is clean under valgrind" test $? -eq 1
