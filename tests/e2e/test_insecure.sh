#!/usr/bin/env bash
# Plain HTTP is off by default, served only on loopback when configured
# (insecureListen), and refused for any other address.
. "$(dirname "$0")/lib.sh"

D="$T/data"
printf 'dataDir: %s\ninsecureListen: 0.0.0.0:8080\n' "$D" >"$T/bad.yaml"
"$SKIFF" server --config "$T/bad.yaml" >"$T/bad.log" 2>&1
check "a non-loopback insecureListen stops start-up" test $? -eq 1
check "with a clear message" grep -q 'insecureListen "0.0.0.0:8080": plain HTTP is served only on a loopback address' "$T/bad.log"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'dataDir: %s\ninsecureListen: 127.0.0.1:%s\n' "$D" "$port" >"$T/ok.yaml"
start_server "$T/server.log" --config "$T/ok.yaml" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
check "it warns that the plain port is the admin's" grep -q "also serving plain HTTP on 127.0.0.1:$port" "$T/server.log"
check "kubectl works over the loopback plain-HTTP port" \
	bash -c "HOME='$T' timeout -s KILL 30 kubectl --server http://127.0.0.1:$port get ns default -o name | grep -qx namespace/default"
check "HTTPS still requires credentials" \
	bash -c "test \"\$(curl -s -m 10 --cacert '$D/tls/ca.crt' -o /dev/null -w '%{http_code}' \"\$(sed -n 's/^ *server: *\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p' '$D/kubeconfig.yaml')/api/v1/namespaces\")\" = 401"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
