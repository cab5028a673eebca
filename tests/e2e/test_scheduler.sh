#!/usr/bin/env bash
# The scheduler with real kubectl against Node objects made through the API
# (placing pods needs no running agent): placement, the binding, the
# Scheduled and FailedScheduling events, parked pods placed when a node
# arrives, and pods of another scheduler left alone.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
use_kubectl "$D"

# node NAME CPU [LABELS]: a Node with its allocatable, as a kubelet registers it
node() {
	cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {kubernetes.io/hostname: $1${3:+, $3}}
status:
  capacity: {cpu: "$2", memory: 4Gi, pods: "110"}
  allocatable: {cpu: "$2", memory: 4Gi, pods: "110"}
---
YAML
}
node_of() { kubectl get pod "$1" -o jsonpath='{.spec.nodeName}'; }

kubectl run lonely --image=nginx >/dev/null
check "with no nodes a pod stays pending with FailedScheduling" \
	wait_for 10 bash -c "kubectl get events --field-selector involvedObject.name=lonely,reason=FailedScheduling -o jsonpath='{.items[0].message}' | grep -qx 'no nodes available to schedule pods'"
check "and PodScheduled=False, reason Unschedulable" \
	bash -c "test \"\$(kubectl get pod lonely -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].reason}')\" = Unschedulable"

{ node node1 2 "zone: a"; node node2 2 "zone: b"; } >"$T/nodes.yaml"
check "nodes are created with kubectl" bash -c "kubectl apply -f '$T/nodes.yaml' >/dev/null"
check "the parked pod is placed once nodes exist" wait_for 15 bash -c "test -n \"\$(kubectl get pod lonely -o jsonpath='{.spec.nodeName}')\""
check "its PodScheduled condition turns True" \
	bash -c "test \"\$(kubectl get pod lonely -o jsonpath='{.status.conditions[?(@.type==\"PodScheduled\")].status}')\" = True"

for i in 1 2 3 4 5 6; do kubectl run "p$i" --image=nginx >/dev/null; done
check "every new pod is bound to a node" wait_for 10 bash -c \
	"test \$(kubectl get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | grep -c node) -eq 7"
check "kubectl get -o wide shows the node" bash -c "kubectl get pod p1 -o wide | grep -Eq 'p1 .* node[12] '"
check "describe shows the Scheduled event" \
	bash -c "kubectl describe pod p1 | grep -Eq 'Normal +Scheduled .* default-scheduler +Successfully assigned default/p1 to node[12]'"

kubectl cordon node1 >/dev/null
kubectl run after-cordon --image=nginx >/dev/null
check "a cordoned node takes no new pod" wait_for 10 bash -c "test \"\$(kubectl get pod after-cordon -o jsonpath='{.spec.nodeName}')\" = node2"
kubectl cordon node2 >/dev/null
kubectl run nowhere --image=nginx >/dev/null
check "with every node cordoned: '0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..'" \
	wait_for 10 bash -c "test \"\$(kubectl get events --field-selector involvedObject.name=nowhere,reason=FailedScheduling -o jsonpath='{.items[0].message}')\" = '0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..'"
kubectl uncordon node1 node2 >/dev/null
check "uncordoned, the waiting pod is placed" wait_for 15 bash -c "test -n \"\$(kubectl get pod nowhere -o jsonpath='{.spec.nodeName}')\""

kubectl run big --image=nginx --overrides='{"apiVersion":"v1","spec":{"containers":[{"name":"big","image":"nginx","resources":{"requests":{"cpu":"3"}}}]}}' >/dev/null
check "a pod asking more cpu than any node has: '0/2 nodes are available: 2 Insufficient cpu.'" \
	wait_for 10 bash -c "kubectl get events --field-selector involvedObject.name=big,reason=FailedScheduling -o jsonpath='{.items[0].message}' | grep -qxF '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..'"
kubectl run half --image=nginx --overrides='{"apiVersion":"v1","spec":{"containers":[{"name":"half","image":"nginx","resources":{"requests":{"cpu":"1500m"}}}]}}' >/dev/null
check "a pod that fits one node goes there" wait_for 10 bash -c "test -n \"\$(kubectl get pod half -o jsonpath='{.spec.nodeName}')\""
kubectl run half2 --image=nginx --overrides='{"apiVersion":"v1","spec":{"containers":[{"name":"half2","image":"nginx","resources":{"requests":{"cpu":"1500m"}}}]}}' >/dev/null
check "the next one goes to the other node" wait_for 10 bash -c \
	"h1=\$(kubectl get pod half -o jsonpath='{.spec.nodeName}'); h2=\$(kubectl get pod half2 -o jsonpath='{.spec.nodeName}'); test -n \"\$h2\" && test \"\$h1\" != \"\$h2\""

# pod NAME SPEC-JSON: a pod with extra spec fields, through kubectl run
pod() { kubectl run "$1" --image=nginx --overrides="{\"apiVersion\":\"v1\",\"spec\":$2}" >/dev/null; }
# placed NAME NODE: the pod is bound to that node within 10 s
placed() { wait_for 10 bash -c "test \"\$(kubectl get pod '$1' -o jsonpath='{.spec.nodeName}')\" = '$2'"; }
# refused NAME MESSAGE: the pod's FailedScheduling event says exactly that
refused() {
	WANT=$2 wait_for 10 bash -c "kubectl get events --field-selector involvedObject.name='$1',reason=FailedScheduling -o jsonpath='{.items[0].message}' | grep -qxF \"\$WANT\"" ||
		{ echo "# got: $(kubectl get events --field-selector "involvedObject.name=$1,reason=FailedScheduling" -o jsonpath='{.items[*].message}')"; return 1; }
}

pod sel '{"nodeSelector":{"zone":"b"}}'
check "nodeSelector: the pod goes to the node with the label" placed sel node2
pod sel-none '{"nodeSelector":{"zone":"c"}}'
check "nodeSelector matching no node: '2 node(s) didn't match Pod's node affinity/selector'" \
	refused sel-none "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
pod aff '{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a","x"]}]}]}}}}'
check "required node affinity In: placed in the zone" placed aff node1
pod aff-not '{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}]}}}}'
check "required node affinity NotIn: placed outside the zone" placed aff-not node2
pod pref '{"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]}}]}}}'
check "preferred node affinity: the preferred zone wins" placed pref node2

kubectl taint nodes node1 app=myapp:NoSchedule >/dev/null
pod t1 '{}'
check "a tainted node takes no pod without a toleration" placed t1 node2
pod tol '{"tolerations":[{"key":"app","operator":"Equal","value":"myapp","effect":"NoSchedule"}],"nodeSelector":{"zone":"a"}}'
check "a pod tolerating the taint may go there" placed tol node1
kubectl cordon node2 >/dev/null
pod t2 '{}'
check "'1 node(s) had untolerated taint {app: myapp}, 1 node(s) were unschedulable.'" \
	refused t2 "0/2 nodes are available: 1 node(s) had untolerated taint {app: myapp}, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
kubectl uncordon node2 >/dev/null
kubectl taint nodes node1 app- >/dev/null
check "untainted and uncordoned, the waiting pod is placed" wait_for 15 bash -c "test -n \"\$(kubectl get pod t2 -o jsonpath='{.spec.nodeName}')\""

# pod anti-affinity spreads replicas, one per node; pod affinity follows a pod
ANTI='"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"run":"rep"}},"topologyKey":"kubernetes.io/hostname"}]}}'
for i in 1 2; do
	kubectl run "rep$i" --image=nginx -l run=rep --overrides="{\"apiVersion\":\"v1\",\"spec\":{$ANTI}}" >/dev/null
	wait_for 10 bash -c "test -n \"\$(kubectl get pod rep$i -o jsonpath='{.spec.nodeName}')\""
done
check "required pod anti-affinity: two replicas on two nodes" \
	test "$(kubectl get pod rep1 -o jsonpath='{.spec.nodeName}')" != "$(kubectl get pod rep2 -o jsonpath='{.spec.nodeName}')"
kubectl run rep3 --image=nginx -l run=rep --overrides="{\"apiVersion\":\"v1\",\"spec\":{$ANTI}}" >/dev/null
check "a third replica has nowhere to go: 'didn't match pod anti-affinity rules'" \
	refused rep3 "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."
kubectl delete pod rep3 --wait=false >/dev/null
pod near '{"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"run":"sel"}},"topologyKey":"zone"}]}}}'
check "required pod affinity: placed in the zone of the pod it follows" placed near node2
pod lost '{"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"run":"nobody"}},"topologyKey":"zone"}]}}}'
check "affinity to no pod: 'didn't match pod affinity rules'" \
	refused lost "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."
kubectl delete pod lost --wait=false >/dev/null

# topology spread over the zones (node1 in a, node2 in b)
SPREAD='"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","nodeAffinityPolicy":"Ignore","labelSelector":{"matchLabels":{"run":"spread"}}}]'
for i in 1 2 3 4; do
	kubectl run "sp$i" --image=nginx -l run=spread --overrides="{\"apiVersion\":\"v1\",\"spec\":{$SPREAD}}" >/dev/null
	wait_for 10 bash -c "test -n \"\$(kubectl get pod sp$i -o jsonpath='{.spec.nodeName}')\""
done
check "topology spread: four pods with maxSkew 1 land two per zone" bash -c \
	"test \"\$(kubectl get pods -l run=spread -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort | uniq -c | awk '{print \$1}' | tr '\\n' ' ')\" = '2 2 '"
kubectl run sp5 --image=nginx -l run=spread --overrides="{\"apiVersion\":\"v1\",\"spec\":{\"nodeSelector\":{\"zone\":\"a\"},$SPREAD}}" >/dev/null
check "a fifth pod forced into zone a may go (skew 1)" placed sp5 node1
kubectl run sp6 --image=nginx -l run=spread --overrides="{\"apiVersion\":\"v1\",\"spec\":{\"nodeSelector\":{\"zone\":\"a\"},$SPREAD}}" >/dev/null
check "a sixth may not: 'didn't match pod topology spread constraints'" \
	refused sp6 "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't match pod topology spread constraints. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.."

# priority and preemption: node1 and node2 each run a 1500m pod of priority 0
kubectl create priorityclass high --value=1000 >/dev/null
pod vip '{"priorityClassName":"high","containers":[{"name":"vip","image":"nginx","resources":{"requests":{"cpu":"1500m"}}}]}'
check "the Priority admission gives the pod its class's value" \
	test "$(kubectl get pod vip -o jsonpath='{.spec.priority}')" = 1000
check "a higher-priority pod preempts a lower one: one of the 1500m pods is evicted" \
	wait_for 15 bash -c "test \$(kubectl get pods half half2 --ignore-not-found -o name | wc -l) -eq 1"
check "the victim gets a Preempted event naming the preemptor" \
	bash -c "kubectl get events --field-selector reason=Preempted -o jsonpath='{.items[*].message}' | grep -q \"Preempted by pod \$(kubectl get pod vip -o jsonpath='{.metadata.uid}') on node node\""
check "and the preemptor is placed where the victim was" wait_for 15 bash -c "test -n \"\$(kubectl get pod vip -o jsonpath='{.spec.nodeName}')\""
pod low '{"containers":[{"name":"low","image":"nginx","resources":{"requests":{"cpu":"1500m"}}}]}'
check "a pod of lower priority preempts nobody: 'No preemption victims found'" \
	refused low "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."
kubectl create priorityclass polite --value=2000 --preemption-policy=Never >/dev/null
pod never '{"priorityClassName":"polite","containers":[{"name":"n","image":"nginx","resources":{"requests":{"cpu":"1500m"}}}]}'
check "preemptionPolicy Never: 'not eligible due to preemptionPolicy=Never'" \
	refused never "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.."

cat >"$T/other.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: other}
spec:
  schedulerName: my-scheduler
  containers: [{name: c, image: nginx}]
YAML
kubectl apply -f "$T/other.yaml" >/dev/null
sleep 1
check "a pod for another scheduler is left alone" test -z "$(node_of other)"

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "the server stops cleanly" test $? -eq 0
