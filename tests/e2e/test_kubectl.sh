#!/usr/bin/env bash
# Real kubectl against a real server over TLS with the kubeconfig skiff
# writes: discovery, the verbs and output forms users type every day.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
use_kubectl "$D"

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
check "creating it twice is AlreadyExists" bash -c "kubectl create configmap cfg 2>&1 | grep -q 'configmaps \"cfg\" already exists'"
check "kubectl delete" bash -c "kubectl delete pod web | grep -q 'pod \"web\" deleted' && ! kubectl get pod web 2>/dev/null"
# workloads: scale, edit, watch, explain, diff, kustomize, dry run
cat >"$T/dep.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
YAML
check "apply a deployment" bash -c "kubectl apply -f '$T/dep.yaml' | grep -qx 'deployment.apps/web created'"
check "defaults are filled in (strategy, revisionHistoryLimit)" \
	bash -c "test \"\$(kubectl get deploy web -o jsonpath='{.spec.strategy.type}/{.spec.revisionHistoryLimit}')\" = RollingUpdate/10"
check "kubectl scale" bash -c "kubectl scale deploy web --replicas=3 | grep -q 'deployment.apps/web scaled' && test \"\$(kubectl get deploy web -o jsonpath='{.spec.replicas}')\" = 3"
check "kubectl edit via KUBE_EDITOR" \
	bash -c "KUBE_EDITOR='sed -i s/replicas:.3/replicas:\\ 4/' kubectl edit deploy web | grep -q edited && test \"\$(kubectl get deploy web -o jsonpath='{.spec.replicas}')\" = 4"
check "kubectl diff shows a change and exits 1" bash -c "kubectl diff -f '$T/dep.yaml' | grep -q '^-  replicas: 4'; test \${PIPESTATUS[0]} -eq 1"
check "server-side dry run stores nothing" \
	bash -c "kubectl create configmap dry --dry-run=server -o name 2>&1 | grep -q configmap/dry; ! kubectl get cm dry 2>/dev/null"
check "kubectl explain reads the OpenAPI v3 schema" bash -c "kubectl explain deployment.spec.replicas | grep -q 'FIELD: *replicas <integer>'"
check "kubectl explain of a nested pod field" bash -c "kubectl explain pod.spec.containers.image | grep -q 'image <string>'"
kubectl get cm -w >"$T/watch.txt" 2>&1 &
wpid=$!
PIDS+=("$wpid")
sleep 1
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\n' | kubectl apply -f - >/dev/null
check "kubectl get -w sees a new object" wait_for 10 grep -q '^watched ' "$T/watch.txt"
kill "$wpid" 2>/dev/null
mkdir -p "$T/kust"
cp "$T/dep.yaml" "$T/kust/dep.yaml"
printf 'resources: [dep.yaml]\nnamePrefix: k-\ncommonLabels: {team: a}\n' >"$T/kust/kustomization.yaml"
check "kubectl apply -k" bash -c "kubectl apply -k '$T/kust' | grep -q 'deployment.apps/k-web created' && kubectl get deploy -l team=a -o name | grep -q k-web"

# server-side apply: ownership, conflicts, force
sed 's/name: web$/name: ssa/' "$T/dep.yaml" >"$T/ssa.yaml"
check "apply --server-side creates" bash -c "kubectl apply --server-side -f '$T/ssa.yaml' | grep -qx 'deployment.apps/ssa serverside-applied'"
check "managedFields name the manager and Apply" \
	bash -c "kubectl get deploy ssa -o jsonpath='{.metadata.managedFields[0].manager}/{.metadata.managedFields[0].operation}' | grep -qx kubectl/Apply"
sed 's/replicas: 2/replicas: 7/' "$T/ssa.yaml" >"$T/ssa7.yaml"
check "another manager changing an owned field gets a conflict" \
	bash -c "kubectl apply --server-side --field-manager=other -f '$T/ssa7.yaml' 2>&1 | grep -q 'Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas'"
check "--force-conflicts takes the field over" \
	bash -c "kubectl apply --server-side --field-manager=other --force-conflicts -f '$T/ssa7.yaml' >/dev/null && test \"\$(kubectl get deploy ssa -o jsonpath='{.spec.replicas}')\" = 7"

# older material: removed API versions still work, with Kubernetes' warning
cat >"$T/old.yaml" <<'YAML'
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: old
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: old}
    spec:
      containers:
      - name: c
        image: busybox
YAML
kubectl apply -f "$T/old.yaml" >"$T/old.out" 2>&1
check "an extensions/v1beta1 Deployment is accepted" grep -q 'deployment.extensions/old created' "$T/old.out"
check "with the deprecation warning" grep -q 'Warning: extensions/v1beta1 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment' "$T/old.out"
check "and is served as apps/v1 with the selector it implied" \
	bash -c "test \"\$(kubectl get deploy.v1.apps old -o jsonpath='{.spec.selector.matchLabels.app}')\" = old"

# finalizers hold a deletion until they are removed
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\n' | kubectl apply -f - >/dev/null
kubectl delete cm held --wait=false >/dev/null 2>&1
check "a finalizer keeps the object, with a deletionTimestamp" \
	bash -c "kubectl get cm held -o jsonpath='{.metadata.deletionTimestamp}' | grep -q T"
kubectl patch cm held --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null 2>&1
check "removing the finalizer deletes it" wait_for 10 bash -c "! kubectl get cm held 2>/dev/null"
check "creating in a missing namespace is NotFound" \
	bash -c "kubectl -n nope create configmap a 2>&1 | grep -q 'namespaces \"nope\" not found'"
check "the default namespace cannot be deleted" \
	bash -c "kubectl delete ns default 2>&1 | grep -q 'namespaces \"default\" is forbidden: this namespace may not be deleted'"
printf 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n  conditions:\n  - {type: Ready, status: "True"}\n  capacity: {cpu: "2", memory: 1Gi}\n' >"$T/node.yaml"
check "a Node keeps the status it is registered with" \
	bash -c "kubectl create -f '$T/node.yaml' >/dev/null && kubectl get nodes --no-headers | grep -Eq '^n1 +Ready '"
check "and its allocatable defaults to its capacity" \
	bash -c "test \"\$(kubectl get node n1 -o jsonpath='{.status.allocatable.cpu}')\" = 2"
check "get --raw /version" bash -c "kubectl get --raw /version | grep -q '\"major\": *\"1\"'"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
