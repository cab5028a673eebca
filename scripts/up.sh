#!/usr/bin/env bash
# From a fresh Debian 12 machine, as root: install what is missing, build,
# install skiff under PREFIX (default /usr/local), and start the server with
# its default plugins on DATA_DIR (default /var/lib/skiff), in the
# background, with its node agent: pods run on this machine with crun (or
# runc) and a CNI bridge. The example images (nginx, busybox) are built
# from Debian's packages and imported into the image store first
# (scripts/images.sh). Shows what it loaded, then applies the example app
# (examples/hello-app.yaml) with kubectl and waits for its pod to serve.
# Safe to run again: a server it started before is stopped first.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
DATA_DIR=${DATA_DIR:-/var/lib/skiff}
LOG=${LOG:-/var/log/skiff.log}

./scripts/install-deps.sh
scons -Q -j"$(nproc)" >/dev/null
scons -Q install PREFIX="$PREFIX" >/dev/null
echo "installed $("$PREFIX/bin/skiff" version) under $PREFIX"

pidfile="$DATA_DIR/run/skiff.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	echo "stopping the running server (pid $(cat "$pidfile"))"
	kill -TERM "$(cat "$pidfile")"
	for _ in $(seq 100); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
fi
mkdir -p "$DATA_DIR/run"
SKIFF="$PREFIX/bin/skiff" bash scripts/images.sh import "$DATA_DIR"
nohup "$PREFIX/bin/skiff" server --data-dir "$DATA_DIR" >>"$LOG" 2>&1 </dev/null &
echo $! >"$pidfile"
for _ in $(seq 100); do
	[ -f "$DATA_DIR/run/server.json" ] && break
	kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -20 "$LOG"; echo "skiff server failed to start"; exit 1; }
	sleep 0.1
done
grep "ready in" "$LOG" | tail -1
"$PREFIX/bin/skiff" plugin list --data-dir "$DATA_DIR"

# the admin kubeconfig, and the example app through plain kubectl
export KUBECONFIG="$DATA_DIR/kubeconfig.yaml"
for _ in $(seq 100); do kubectl get ns default >/dev/null 2>&1 && break; sleep 0.1; done
kubectl apply -f examples/hello-app.yaml
kubectl wait -n hello --for=condition=Ready pod/hello-web --timeout=60s
kubectl get all -n hello -o wide
ip=$(kubectl get pod -n hello hello-web -o jsonpath='{.status.podIP}')
echo "hello-web serves on its pod IP: curl http://$ip/ ->" "$(curl -s -m 5 "http://$ip/" | grep -o '<title>.*</title>')"
echo "kubectl: export KUBECONFIG=$KUBECONFIG   (or: skiff kubeconfig --data-dir $DATA_DIR > ~/.kube/config)"
echo "log: $LOG   stop: kill \$(cat $pidfile)"
