#!/usr/bin/env bash
# The out-of-tree scheduling policy in examples/cost-aware-scheduling:
# built with cc and pkg-config only, loaded from the config, it sends every
# pod to the cheapest node; disabled, placements are the built-in ones.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

cp -r "$ROOT/examples/cost-aware-scheduling" "$T/vendor"
export PKG_CONFIG_PATH="$SKIFF_BUILD/lib/pkgconfig"
(cd "$T/vendor" && make -s >"$T/make.log" 2>&1)
check "the example policy builds out of tree with make and pkg-config" test -f "$T/vendor/cost-aware.so"
check "skiff plugin check names its policy" \
	bash -c "'$SKIFF' plugin check '$T/vendor/cost-aware.so' | grep -q 'scheduler:CostAware'"

kubectl_bounded() { timeout -s KILL 30 kubectl "$@"; }

# run ENABLED: a server with the policy loaded (true) or disabled (false),
# three nodes of which node-b is the cheapest, eight pods; prints each
# pod's node, one per line
run() {
	local D="$T/data-$1"
	printf 'dataDir: %s\nplugins:\n  list:\n    - file: %s\n      enabled: %s\n      settings: {label: example.com/hourly-cost}\n' \
		"$D" "$T/vendor/cost-aware.so" "$1" >"$T/config-$1.yaml"
	start_server "$T/server-$1.log" --config "$T/config-$1.yaml" --listen 127.0.0.1:0
	wait_for 10 grep -q "ready in" "$T/server-$1.log" || return 1
	export KUBECONFIG="$D/kubeconfig.yaml" HOME="$T" KUBECACHEDIR="$T/kcache-$1"
	for n in a:0.90 b:0.10 c:0.55; do
		cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: node-${n%%:*}
  labels: {example.com/hourly-cost: "${n#*:}"}
status:
  capacity: {cpu: "8", memory: 16Gi, pods: "110"}
  allocatable: {cpu: "8", memory: 16Gi, pods: "110"}
---
YAML
	done >"$T/nodes.yaml"
	kubectl_bounded apply -f "$T/nodes.yaml" >/dev/null || return 1
	for i in 1 2 3 4 5 6 7 8; do kubectl_bounded run "p$i" --image=nginx >/dev/null || return 1; done
	wait_for 15 bash -c "test \$(timeout -s KILL 30 kubectl get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | grep -c node-) -eq 8" || return 1
	kubectl_bounded get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}'
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
}

run true >"$T/on.txt"
check "enabled, it loads and says so" grep -q "CostAware ready" "$T/server-true.log"
check "enabled, every pod goes to the cheapest node" test "$(sort -u "$T/on.txt")" = node-b
run false >"$T/off.txt"
check "disabled, it is not loaded" bash -c "! grep -q 'CostAware ready' '$T/server-false.log'"
check "disabled, the built-in policies spread the pods over the nodes" \
	test "$(sort -u "$T/off.txt" | wc -l)" -eq 3
