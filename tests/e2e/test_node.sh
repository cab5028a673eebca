#!/usr/bin/env bash
# The node role for real: skiff server with its agent, the oci runtime
# (crun, or runc) and real CNI plugins on a bridge of the test's own, and
# images built from Debian's packages (scripts/images.sh). Pods from the
# course material run and serve; containers share localhost; crashes back
# off; OOM kills, start errors and exit codes are reported as kubectl users
# read them; configuration reaches the environment; deletion leaves no
# process, IP, mount or cgroup behind. The host is restored afterwards:
# the bridge removed, ip_forward and the CNI firewall chains as they were.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

D="$T/data"
BRIDGE=skiffe2e0
SUBNET=10.231.0.0/24
FORWARD_BEFORE=$(sysctl -n net.ipv4.ip_forward)
NAT_BEFORE=$(iptables -t nat -S 2>/dev/null | sort)
FILTER_BEFORE=$(iptables -S 2>/dev/null | sort)

restore_host() {
	[ -n "${SERVER_PID:-}" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	ip link del "$BRIDGE" 2>/dev/null
	sysctl -qw net.ipv4.ip_forward="$FORWARD_BEFORE"
	# chains and rules the CNI plugins added and did not remove themselves
	for table in nat filter; do
		before=$([ $table = nat ] && echo "$NAT_BEFORE" || echo "$FILTER_BEFORE")
		iptables -t $table -S 2>/dev/null | sort | comm -13 <(echo "$before") - | grep '^-A' |
			sed 's/^-A/-D/' | while read -r rule; do eval iptables -t $table "$rule" 2>/dev/null; done
		iptables -t $table -S 2>/dev/null | sort | comm -13 <(echo "$before") - | grep '^-N' |
			awk '{print $2}' | while read -r chain; do iptables -t $table -X "$chain" 2>/dev/null; done
	done
	findmnt -rn -o TARGET | grep "^$T" | sort -r | xargs -r -n1 umount -l 2>/dev/null
	cleanup
}
trap restore_host EXIT

mkdir -p "$D"
CG=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
CG_BEFORE=$(ls -d /sys/fs/cgroup/memory${CG%/}/skiff-* 2>/dev/null)
check "test images are built and imported" env SKIFF="$SKIFF" bash "$ROOT/scripts/images.sh" import "$D"
cat >"$T/config.yaml" <<EOF
plugins:
  list:
    - name: agent
      settings: {nodeName: e2e-node, runtime: oci, network: cni, restartBackoffSeconds: 1, maxRestartBackoffSeconds: 4}
    - name: cni
      settings: {bridge: $BRIDGE, subnet: $SUBNET}
EOF
SKIFF_AGENT=1 start_server "$T/server.log" --config "$T/config.yaml" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
use_kubectl "$D"

# ---- the node ----
node_ready() { [ "$(kubectl get node e2e-node -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
check "the agent registers its node, Ready" wait_for 10 node_ready
check "with capacity read from the machine" test "$(kubectl get node e2e-node -o jsonpath='{.status.capacity.cpu}')" = "$(nproc)"
check "and the well-known labels" test "$(kubectl get node e2e-node -o jsonpath='{.metadata.labels.kubernetes\.io/os}')" = linux
check "and pressure conditions" test "$(kubectl get node e2e-node -o jsonpath='{.status.conditions[?(@.type=="MemoryPressure")].reason}')" = KubeletHasSufficientMemory
check "its Lease is renewed in kube-node-lease" bash -c "kubectl -n kube-node-lease get lease e2e-node -o name >/dev/null"

phase() { kubectl get pod "$1" -o jsonpath='{.status.phase}'; }
running() { [ "$(phase "$1")" = Running ] && [ "$(kubectl get pod "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
podlog() { cat "$D"/plugins/agent/pods/default_"$1"_*/"$2"/*.log 2>/dev/null; }

# ---- a seed pod serving for real ----
check "the course's nginx pod applies" bash -c "kubectl apply -f $ROOT/tests/e2e/seeds/000-01-pod-nginx.yaml >/dev/null"
check "and reaches Running and Ready" wait_for 30 running nginx
IP=$(kubectl get pod nginx -o jsonpath='{.status.podIP}')
check "it has an IP of the pod network ($IP)" bash -c "[[ '$IP' == 10.231.0.* ]]"
check "curl to the pod IP gets nginx's page" bash -c "curl -s -m 5 http://$IP/ | grep -q 'Welcome to nginx!'"
check "nginx's access log is the container's stdout" wait_for 5 bash -c "cat '$D'/plugins/agent/pods/default_nginx_*/mycon123/0.log | grep -q '\"GET / HTTP/1.1\" 200'"
check "events tell the story" bash -c "kubectl get events --field-selector involvedObject.name=nginx | grep -q 'Started container mycon123'"

# ---- two containers over localhost, and pod to pod ----
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  containers:
  - name: server
    image: busybox
    command: [sh, -c, 'echo duo-page > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']
  - name: client
    image: busybox
    command: [sh, -c, 'until wget -qO- http://localhost:8080/index.html; do sleep 0.2; done; wget -qO- http://$IP/ | grep title; exec sleep 3600']
EOF
check "a two-container pod runs" wait_for 30 running duo
check "its containers talk over localhost" wait_for 10 bash -c "cat '$D'/plugins/agent/pods/default_duo_*/client/0.log | grep -q duo-page"
check "and reach another pod by its IP" wait_for 10 bash -c "cat '$D'/plugins/agent/pods/default_duo_*/client/0.log | grep -q 'Welcome to nginx'"

# ---- configuration into the environment ----
kubectl create configmap greet --from-literal=greeting=hello-from-cm >/dev/null
kubectl create secret generic pass --from-literal=password=s3cr3t >/dev/null
kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: envy, labels: {tier: demo}}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'echo "G=$GREETING P=$PASSWORD N=$MY_NAME L=$TIER X=$(EXPANDED)" ; env | grep ^CM_']
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: greet, key: greeting}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: pass, key: password}}}
    - {name: MY_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
    - {name: EXPANDED, value: "$(GREETING)-x"}
    envFrom:
    - {prefix: CM_, configMapRef: {name: greet}}
EOF
check "a pod that finishes reaches Succeeded" wait_for 30 bash -c "[ \"\$(kubectl get pod envy -o jsonpath='{.status.phase}')\" = Succeeded ]"
check "configMap, secret and downward API values arrive as env, \$(VAR) expanded" \
	bash -c "podlog() { cat '$D'/plugins/agent/pods/default_envy_*/c/*.log; }; podlog | grep -q 'G=hello-from-cm P=s3cr3t N=envy L=demo X=hello-from-cm-x'"
check "envFrom with a prefix too" bash -c "cat '$D'/plugins/agent/pods/default_envy_*/c/*.log | grep -q CM_greeting=hello-from-cm"
check "its IP is released once it is done" wait_for 10 bash -c "! kubectl get pod envy -o jsonpath='{.status.podIP}' | grep -q . || ! ls '$D'/plugins/cni/ipam/*/ | grep -qx \"\$(kubectl get pod envy -o jsonpath='{.status.podIP}')\""

kubectl run missing-cm --image=busybox --restart=Never --overrides='{"spec":{"containers":[{"name":"missing-cm","image":"busybox","command":["true"],"env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"nope","key":"k"}}}]}]}}' >/dev/null
check "a missing configMap waits in CreateContainerConfigError" wait_for 20 bash -c "kubectl get pod missing-cm -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' | grep -q CreateContainerConfigError"

# ---- failures as kubectl users read them ----
kubectl run crash --image=busybox -- sh -c 'echo crashing; exit 3' >/dev/null
check "a crashing container goes to CrashLoopBackOff" wait_for 30 bash -c "kubectl get pod crash | grep -q CrashLoopBackOff"
check "with its exit code as last state" test "$(kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')" = 3
r1=$(kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].restartCount}')
check "restarts with a growing back-off (restartCount $r1, then more)" wait_for 20 bash -c "[ \$(kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].restartCount}') -gt $r1 ]"
check "BackOff events are recorded" bash -c "kubectl get events --field-selector involvedObject.name=crash,reason=BackOff | grep -q 'Back-off restarting failed container'"

kubectl run nocmd --image=busybox --restart=Never -- nosuchcommand >/dev/null
check "a command that does not exist fails with StartError" wait_for 20 bash -c "kubectl get pod nocmd -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}' | grep -q StartError"
check "and the runtime's message" bash -c "kubectl get pod nocmd -o jsonpath='{.status.containerStatuses[0].state.terminated.message}' | grep -q nosuchcommand"
check "the pod is Failed under restartPolicy Never" wait_for 10 bash -c "[ \"\$(kubectl get pod nocmd -o jsonpath='{.status.phase}')\" = Failed ]"

kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - name: hog
    image: busybox
    command: [sh, -c, 'x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while :; do x=$x$x; done']
    resources: {limits: {memory: 32Mi}}
EOF
check "a container over its memory limit is OOMKilled" wait_for 30 bash -c "kubectl get pod hog -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}' | grep -q OOMKilled"
check "with exit code 137" test "$(kubectl get pod hog -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')" = 137

kubectl run missing-image --image=no-such-image:1 --restart=Never >/dev/null
check "an image that is not there waits in ErrImagePull or ImagePullBackOff" wait_for 20 bash -c "kubectl get pod missing-image -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' | grep -Eq 'ErrImagePull|ImagePullBackOff'"

# ---- deletion leaves nothing behind ----
UID_NGINX=$(kubectl get pod nginx -o jsonpath='{.metadata.uid}')
check "deleting a pod stops it within its grace period" bash -c "kubectl delete pod nginx duo --grace-period=3 --timeout=30s >/dev/null"
check "its processes are gone" bash -c "! pgrep -f '^nginx: master' >/dev/null"
check "its IP is free again" bash -c "! ls '$D'/plugins/cni/ipam/*/ | grep -qx '$IP'"
check "no mount of it is left" bash -c "! findmnt -rn -o TARGET | grep -q '$D/plugins/oci/containers/${UID_NGINX:0:8}'"
cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/$SERVER_PID/cgroup)
check "its containers' cgroups are gone (under the agent's own cgroup $cg)" \
	bash -c "! ls /sys/fs/cgroup/memory${cg%/}/skiff-*/ 2>/dev/null | grep -q '^${UID_NGINX:0:8}'"
kubectl delete pod --all --grace-period=1 --timeout=60s >/dev/null 2>&1

# ---- shutdown ----
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
SERVER_PID=
check "no container of it is left running" bash -c "! pgrep -f '^(crun|runc) .*$D/plugins/oci' >/dev/null"
check "no mount under its data dir is left" bash -c "! findmnt -rn -o TARGET | grep -q '^$D'"
check "no cgroup of its containers is left" test "$(ls -d /sys/fs/cgroup/memory${CG%/}/skiff-* 2>/dev/null)" = "$CG_BEFORE"
