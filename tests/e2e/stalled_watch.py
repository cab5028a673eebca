"""A watcher that stops reading while the server replays a long history to
it: the server must cut it off and carry on serving, with no subscription
left behind. Usage: stalled_watch.py URL CA CERT KEY. Prints TAP lines."""
import json
import socket
import ssl
import sys
import time
import urllib.request

url, ca, cert, key = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
host, port = url.split("//", 1)[1].rsplit(":", 1)
cms = url + "/api/v1/namespaces/default/configmaps"


def call(method, u, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(u, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=20) as resp:
        return json.load(resp)


def check(desc, cond):
    print(("ok - " if cond else "not ok - ") + desc, flush=True)


start = call("GET", cms)["metadata"]["resourceVersion"]
# about 16 MB of history: more than the kernel's socket buffers and the
# server's 4 MB per-watcher allowance together
big = "x" * (700 * 1024)
for i in range(24):
    call("POST", cms, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big%d" % i}, "data": {"k": big}})

raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
raw.connect((host, int(port)))
s = ctx.wrap_socket(raw, server_hostname=host)
s.sendall(("GET /api/v1/namespaces/default/configmaps?watch=1&resourceVersion=%s HTTP/1.1\r\n"
           "Host: %s\r\n\r\n" % (start, host)).encode())
time.sleep(2)  # read nothing while the replay runs into the limit

# a change after the cut-off goes to no stale subscriber
call("POST", cms, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after"}})
s.close()
check("the server serves on after a stalled watcher is cut off mid-replay",
      len(call("GET", cms)["items"]) == 25)
for i in range(24):
    call("DELETE", cms + "/big%d" % i)
call("DELETE", cms + "/after")
check("and goes on delivering changes", len(call("GET", cms)["items"]) == 0)
