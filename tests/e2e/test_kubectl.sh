#!/usr/bin/env bash
# Real kubectl against a real server over TLS with the kubeconfig skiff
# writes: discovery, the verbs and output forms users type every day.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
export KUBECONFIG="$D/kubeconfig.yaml" HOME="$T" KUBECACHEDIR="$T/kcache"
# every kubectl call is bounded, so a hang fails a check instead of the suite
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec timeout -s KILL 30 %s "$@"\n' "$(command -v kubectl)" >"$T/bin/kubectl"
chmod +x "$T/bin/kubectl"
export PATH="$T/bin:$PATH"

check "skiff kubeconfig prints the admin kubeconfig" bash -c "'$SKIFF' kubeconfig --data-dir '$D' | grep -q 'client-certificate-data'"
check "kubectl version talks TLS with the client certificate" bash -c "kubectl version -o json >'$T/version.json'"
check "/version reports Kubernetes 1.32 and skiff's own version" \
	bash -c "grep -q '\"gitVersion\": \"v1.32' '$T/version.json' && kubectl get --raw /version | grep -q skiffVersion"
check "the system namespaces exist from the first start" \
	bash -c "kubectl get ns -o name | sort | tr '\n' ' ' | grep -q 'namespace/default namespace/kube-node-lease namespace/kube-public namespace/kube-system'"
check "api-resources lists pods with their short name" bash -c "kubectl api-resources | grep -Eq '^pods +po +v1 +true +Pod'"
check "api-versions lists v1" bash -c "kubectl api-versions | grep -qx v1"

cat >"$T/pod.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.25
    ports:
    - containerPort: 80
YAML
check "kubectl apply creates a pod" bash -c "kubectl apply -f '$T/pod.yaml' | grep -qx 'pod/web created'"
check "a second apply is unchanged" bash -c "kubectl apply -f '$T/pod.yaml' | grep -qx 'pod/web unchanged'"
check "get pods shows the familiar columns" bash -c "kubectl get pods | head -1 | grep -Eq '^NAME +READY +STATUS +RESTARTS +AGE$'"
check "the pod is Pending with 0/1 ready" bash -c "kubectl get pods web --no-headers | grep -Eq '^web +0/1 +Pending +0 +'"
check "-o wide adds IP and NODE" bash -c "kubectl get pods -o wide | head -1 | grep -q 'IP.*NODE.*NOMINATED NODE.*READINESS GATES'"
check "-o yaml shows defaults filled in" bash -c "kubectl get pod web -o yaml | grep -q 'imagePullPolicy: IfNotPresent'"
check "-o json has a uid and resourceVersion" bash -c "kubectl get pod web -o json | grep -q '\"uid\"' && kubectl get pod web -o json | grep -q resourceVersion"
check "-o jsonpath" bash -c "test \"\$(kubectl get pod web -o jsonpath='{.spec.containers[0].image}')\" = nginx:1.25"
check "-o name" bash -c "test \"\$(kubectl get pods -o name)\" = pod/web"
check "kubectl label" bash -c "kubectl label pod web tier=frontend | grep -q 'pod/web labeled' && kubectl get pods -l tier=frontend -o name | grep -q pod/web"
check "kubectl annotate" bash -c "kubectl annotate pod web note=hello | grep -q 'pod/web annotated' && test \"\$(kubectl get pod web -o jsonpath='{.metadata.annotations.note}')\" = hello"
check "a label selector that matches nothing" bash -c "kubectl get pods -l tier=backend 2>&1 | grep -q 'No resources found in default namespace.'"
check "describe shows the pod" bash -c "kubectl describe pod web | grep -q '^Name: *web'"
check "get a missing pod is NotFound" bash -c "kubectl get pod nope 2>&1 | grep -q 'Error from server (NotFound): pods \"nope\" not found'"
check "an invalid name is rejected with kubectl's message" bash -c "kubectl create configmap Bad_Name 2>&1 | grep -q 'is invalid'"
check "create configmap, then get it" bash -c "kubectl create configmap cfg --from-literal=a=1 | grep -q 'configmap/cfg created' && kubectl get cm cfg --no-headers | grep -Eq '^cfg +1 +'"
check "creating it twice is AlreadyExists" bash -c "kubectl create configmap cfg 2>&1 | grep -q 'AlreadyExists'"
check "kubectl delete" bash -c "kubectl delete pod web | grep -q 'pod \"web\" deleted' && ! kubectl get pod web 2>/dev/null"
check "get --raw /version" bash -c "kubectl get --raw /version | grep -q '\"major\": *\"1\"'"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
