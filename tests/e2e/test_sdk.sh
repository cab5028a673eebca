#!/usr/bin/env bash
# The SDK as a vendor meets it: install skiff to a prefix, build the
# template plugin out of tree with nothing but cc and pkg-config, check it,
# and load it into a server from the config.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

P="$T/prefix"
(cd "$ROOT" && scons -Q install PREFIX="$P" >"$T/install.log" 2>&1)
check "scons install PREFIX= installs the binary" test -x "$P/bin/skiff"
check "it installs the plugins" test -f "$P/lib/skiff/plugins/token-authn.so"
check "it installs the SDK headers" test -f "$P/include/skiff/skiff.h"
check "it installs skiff-sdk.pc" test -f "$P/lib/pkgconfig/skiff-sdk.pc"
check "it installs the template" test -f "$P/share/skiff/template/plugin.c"

cp -r "$P/share/skiff/template" "$T/vendor"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
check "pkg-config knows skiff-sdk" pkg-config --exists skiff-sdk
(cd "$T/vendor" && cc -std=c11 -Wall -Wextra -Werror -shared $(pkg-config --cflags skiff-sdk) -o example.so plugin.c) >"$T/cc.log" 2>&1
check "the template builds out of tree with one cc line" test -f "$T/vendor/example.so"
check "it exports only its descriptor" test "$(nm -D --defined-only "$T/vendor/example.so" | awk '{print $3}')" = skiff_plugin
check "it links against nothing of skiff" bash -c "! ldd '$T/vendor/example.so' | grep -qi skiff"
(cd "$T/vendor" && make -s >/dev/null 2>&1)
check "the template's Makefile builds it too" test -f "$T/vendor/example.so"

"$P/bin/skiff" plugin check "$T/vendor/example.so" >"$T/check.txt" 2>&1
check "plugin check: loadable" grep -q "^loadable:    yes" "$T/check.txt"
check "plugin check: names its extension point" grep -q "admission:example-deny-label" "$T/check.txt"

# the installed tree works wherever it is put
mv "$P" "$T/moved"
D="$T/data"
printf 'dataDir: %s\nplugins:\n  list:\n    - file: %s\n      settings: {label: vendor.example.com/deny}\n' \
	"$D" "$T/vendor/example.so" >"$T/config.yaml"
"$T/moved/bin/skiff" server --config "$T/config.yaml" >"$T/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
check "a moved install starts" wait_for 10 grep -q "ready in" "$T/server.log"
check "it finds its built-in plugins relative to itself" grep -q "loaded plugin token-authn" "$T/server.log"
check "the vendor plugin loads and reads its settings" grep -q "\[example\] example plugin ready: refusing objects labelled vendor.example.com/deny" "$T/server.log"
"$T/moved/bin/skiff" plugin list --data-dir "$D" >"$T/list.txt" 2>&1
check "plugin list shows the vendor plugin" grep -q "^example .*admission:example-deny-label" "$T/list.txt"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "and it stops cleanly" test $? -eq 0
