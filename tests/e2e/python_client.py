"""The official Python client (Debian's python3-kubernetes) against skiff:
create, list, watch, patch, delete, a watch resumed from a resourceVersion,
409 on a stale update, 410 on an expired revision. Prints TAP-style lines."""
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

results = []


def check(desc, cond):
    print(("ok - " if cond else "not ok - ") + desc, flush=True)


def main(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    ns = "pyclient"
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    check("create a namespace", v1.read_namespace(ns).metadata.name == ns)

    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="one", labels={"app": "py"}), data={"k": "v"})
    made = v1.create_namespaced_config_map(ns, cm)
    check("create returns uid and resourceVersion", bool(made.metadata.uid) and bool(made.metadata.resource_version))
    first_rv = made.metadata.resource_version

    lst = v1.list_namespaced_config_map(ns, label_selector="app=py")
    check("list with a label selector", [i.metadata.name for i in lst.items] == ["one"])

    # a watch resumed from the revision of the create sees the later changes only
    events = []

    def watcher():
        w = watch.Watch()
        for ev in w.stream(v1.list_namespaced_config_map, ns, resource_version=first_rv, timeout_seconds=10):
            events.append((ev["type"], ev["object"].metadata.name, ev["object"].data))
            if len(events) == 3:
                w.stop()

    t = threading.Thread(target=watcher)
    t.start()
    v1.patch_namespaced_config_map("one", ns, {"data": {"k": "v2"}})
    v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="two")))
    v1.delete_namespaced_config_map("two", ns)
    t.join(15)
    check("a watch from a resourceVersion sees MODIFIED, ADDED, DELETED in order",
          [(e[0], e[1]) for e in events] == [("MODIFIED", "one"), ("ADDED", "two"), ("DELETED", "two")])
    check("the patch reached the watcher", events and events[0][2] == {"k": "v2"})

    # a stale update is a 409 Conflict
    stale = made
    stale.data = {"k": "stale"}
    try:
        v1.replace_namespaced_config_map("one", ns, stale)
        check("a stale update is refused with 409", False)
    except ApiException as e:
        check("a stale update is refused with 409", e.status == 409 and "Conflict" in e.body)

    # a watch from a revision beyond history is 410 Expired (an ERROR event)
    # the server compacts every second: try until revision 1 is gone
    ok = False
    deadline = time.time() + 10
    while not ok and time.time() < deadline:
        expired = None
        try:
            for ev in watch.Watch().stream(v1.list_namespaced_config_map, ns, resource_version="1",
                                           timeout_seconds=1):
                expired = ev
                break
        except ApiException as e:
            expired = e
        ok = (isinstance(expired, ApiException) and expired.status == 410) or \
             (isinstance(expired, dict) and expired.get("type") == "ERROR" and
              expired["raw_object"].get("code") == 410)
        if not ok:
            time.sleep(0.2)
    check("a watch from a compacted revision gets 410 Expired", ok)

    v1.delete_namespaced_config_map("one", ns)
    try:
        v1.read_namespaced_config_map("one", ns)
        check("a deleted object is 404", False)
    except ApiException as e:
        check("a deleted object is 404", e.status == 404)


if __name__ == "__main__":
    main(sys.argv[1])
