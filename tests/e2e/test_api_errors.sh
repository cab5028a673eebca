#!/usr/bin/env bash
# Bad input over the wire: each gets a precise Kubernetes Status (code,
# reason, message), the server never crashes, and nothing is stored.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
wait_for 10 test -s "$D/kubeconfig.yaml"
URL=$(sed -n 's/^ *server: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$D/kubeconfig.yaml")
C=(--cacert "$D/tls/ca.crt" --cert "$D/tls/admin.crt" --key "$D/tls/admin.key" -s -m 20)
CM="$URL/api/v1/namespaces/default/configmaps"

# req METHOD URL CONTENT-TYPE BODY: prints "CODE REASON MESSAGE"
req() {
	curl "${C[@]}" -X "$1" -H "Content-Type: $3" --data-binary "$4" -o "$T/body" -w '%{http_code}' "$2" >"$T/code"
	/usr/bin/python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(sys.argv[2], b.get("reason",""), b.get("message",""))' \
		"$T/body" "$(cat "$T/code")" 2>/dev/null || echo "$(cat "$T/code") (not a Status)"
}
expect() { # DESC WANT-PREFIX METHOD URL CTYPE BODY
	local d=$1 want=$2
	shift 2
	local got
	got=$(req "$@")
	case "$got" in "$want"*) ok "$d" ;; *) notok "$d"; echo "# got: $got"; echo "# want: $want" ;; esac
}

expect "malformed JSON is 400 BadRequest" "400 BadRequest the object provided is unrecognized" POST "$CM" application/json '{"metadata":'
expect "malformed YAML is 400 BadRequest" "400 BadRequest" POST "$CM" application/yaml $'metadata:\n  name: [x\n'
expect "a body that is not an object is 400" "400 BadRequest" POST "$CM" application/json '[1,2]'
expect "an unknown media type is 415" "415 UnsupportedMediaType" POST "$CM" text/plain 'hello'
expect "an invalid name is 422 Invalid with the field" \
	'422 Invalid ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"' \
	POST "$CM" application/json '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}'
expect "an invalid label is 422 Invalid" '422 Invalid ConfigMap "l" is invalid: metadata.labels: Invalid value: "-bad"' \
	POST "$CM" application/json '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"l","labels":{"a":"-bad"}}}'
expect "a missing name is 422 Required" "422 Invalid" POST "$CM" application/json '{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}'
expect "the wrong kind is 400" "400 BadRequest" POST "$CM" application/json '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}'
expect "the wrong apiVersion is 400" "400 BadRequest the API version in the data (apps/v1) does not match" \
	POST "$CM" application/json '{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}'
expect "an unknown field with fieldValidation=Strict is 400" \
	'400 BadRequest ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"' \
	POST "$CM?fieldValidation=Strict" application/json '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u"},"spec":{}}'
expect "a wrong field type is 422" "422 Invalid" \
	POST "$URL/apis/apps/v1/namespaces/default/deployments" application/json \
	'{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":"two","selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}'
head -c 4000000 /dev/zero | tr '\0' 'a' >"$T/big"
got=$(curl "${C[@]}" -X POST -H 'Content-Type: application/json' --data-binary @"$T/big" -o "$T/body" -w '%{http_code}' "$CM")
check "a body over 3 MiB is 413" test "$got" = 413
expect "a missing object is 404 NotFound" '404 NotFound configmaps "nope" not found' GET "$CM/nope" application/json ''
expect "an unknown resource is 404" "404 NotFound" GET "$URL/api/v1/namespaces/default/widgets" application/json ''
expect "a bad label selector is 400" "400 BadRequest" GET "$CM?labelSelector=a%20in%20(" application/json ''
expect "an unsupported field selector is 400" "400 BadRequest field label not supported: spec.foo" \
	GET "$CM?fieldSelector=spec.foo=1" application/json ''
expect "a bad resourceVersion is 400" "400 BadRequest" GET "$CM?resourceVersion=abc" application/json ''
req POST "$CM" application/json '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"st"},"data":{"a":"1"}}' >/dev/null
rv=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["resourceVersion"])' "$T/body")
req PATCH "$CM/st" application/merge-patch+json '{"data":{"a":"2"}}' >/dev/null
expect "a stale update is 409 Conflict" \
	'409 Conflict Operation cannot be fulfilled on configmaps "st": the object has been modified' \
	PUT "$CM/st" application/json "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"st\",\"resourceVersion\":\"$rv\"},\"data\":{\"a\":\"3\"}}"
req DELETE "$CM/st" application/json '' >/dev/null

# pods/binding, as a scheduler binds: a Success Status, then the pod is placed
PODS="$URL/api/v1/namespaces/default/pods"
req POST "$PODS" application/json '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bp"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}' >/dev/null
expect "a binding is 201 Success" "201" POST "$PODS/bp/binding" application/json \
	'{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bp","annotations":{"x.io/by":"test"}},"target":{"kind":"Node","name":"n1"}}'
got=$(curl "${C[@]}" "$PODS/bp" | /usr/bin/python3 -c 'import json,sys; p=json.load(sys.stdin); c=[x for x in p["status"]["conditions"] if x["type"]=="PodScheduled"][0]; print(p["spec"]["nodeName"], p["metadata"]["annotations"]["x.io/by"], c["status"])')
check "the bound pod has its node, the binding's annotations and PodScheduled=True" test "$got" = "n1 test True"
expect "binding a placed pod is 409 with the node" \
	'409 Conflict Operation cannot be fulfilled on pods/binding "bp": pod bp is already assigned to node "n1"' \
	POST "$PODS/bp/binding" application/json '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bp"},"target":{"name":"n2"}}'
expect "a binding for another name is 400" "400 BadRequest name in URL does not match name in Binding object" \
	POST "$PODS/bp/binding" application/json '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"other"},"target":{"name":"n2"}}'
expect "a binding to a non-node is 422" "422 Invalid" \
	POST "$PODS/bp/binding" application/json '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bp"},"target":{"kind":"Pod","name":"n2"}}'
expect "a binding of a missing pod is 404" '404 NotFound pods "nope" not found' \
	POST "$PODS/nope/binding" application/json '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"nope"},"target":{"name":"n2"}}'
req DELETE "$PODS/bp" application/json '' >/dev/null
got=$(curl -s -m 10 --cacert "$D/tls/ca.crt" -o /dev/null -w '%{http_code}' "$CM")
check "no credentials is 401 Unauthorized" test "$got" = 401
got=$(curl -s -m 10 --cacert "$D/tls/ca.crt" -H 'Authorization: Bearer wrong' -o /dev/null -w '%{http_code}' "$CM")
check "a wrong token is 401" test "$got" = 401
TOKEN=$(cut -d, -f1 "$D/plugins/token-authn/tokens.csv")
got=$(curl -s -m 10 --cacert "$D/tls/ca.crt" -H "Authorization: Bearer $TOKEN" -o /dev/null -w '%{http_code}' "$CM")
check "the admin token is accepted" test "$got" = 200
got=$(curl -s -m 10 --cacert "$D/tls/ca.crt" -o /dev/null -w '%{http_code}' "$URL/healthz")
check "/healthz is public" test "$got" = 200
got=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "${URL/https/http}/api")
check "plain HTTP on the TLS port is refused with 400" test "$got" = 400
got=$(curl "${C[@]}" "$CM" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
check "nothing bad was stored" test "$got" = 0
timeout -s KILL 60 /usr/bin/python3 "$(dirname "$0")/stalled_watch.py" "$URL" "$D/tls/ca.crt" "$D/tls/admin.crt" \
	"$D/tls/admin.key" || notok "the stalled watcher script ran to the end"
check "the server is still up" kill -0 "$SERVER_PID"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
