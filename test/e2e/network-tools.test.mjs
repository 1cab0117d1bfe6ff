// The network tools from inside pods, through `kubectl exec` with the real kubectl: the docs'
// in-cluster API recipe with curl, curl's -w against a Service, node IPs that refuse what nothing
// serves and answer NodePorts, busybox wget's errors, and hostname -i / ip as the pod's interface.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }] });
  s.k("create deployment web --image=nginx --port=80");
  s.k("expose deployment web --port=80");
  s.k("expose deployment web --name=web-np --type=NodePort --port=80");
  // curlimages/curl's latest is curl 8.14.1 in kubeplay's catalogue.
  s.k("run client --image=curlimages/curl --command -- sleep infinity");
  s.k("run bb --image=busybox -- sleep 3600");
  await eventually(() => {
    const ready = s.k(["get", "pods", "-o", 'jsonpath={range .items[*]}{.status.containerStatuses[0].ready}{" "}{end}']).trim().split(" ");
    return ready.length === 3 && ready.every((r) => r === "true");
  });
  await eventually(
    async () => ((await s.api("/api/v1/namespaces/default/endpoints/web-np")).json?.subsets?.[0]?.addresses?.length ?? 0) === 1,
  );
});

after(async () => {
  await server?.stop();
});

const exec = (pod, script) => s.kubectl(["exec", pod, "--", "sh", "-c", script]);

const RECIPE =
  "APISERVER=https://kubernetes.default.svc; SERVICEACCOUNT=/var/run/secrets/kubernetes.io/serviceaccount; " +
  "TOKEN=$(cat ${SERVICEACCOUNT}/token); CACERT=${SERVICEACCOUNT}/ca.crt;";

test("the docs' in-cluster recipe: curl --cacert with the token prints APIVersions; without it, 403 for system:anonymous", () => {
  const ok = exec("client", `${RECIPE} curl --cacert \${CACERT} --header "Authorization: Bearer \${TOKEN}" -X GET \${APISERVER}/api`);
  assert.equal(ok.code, 0, ok.stderr);
  const versions = JSON.parse(ok.stdout);
  assert.equal(versions.kind, "APIVersions");
  assert.deepEqual(versions.versions, ["v1"]);
  // The API server's advertise address: the control-plane node's IP, port 6443.
  const cpIP = s.k([
    "get",
    "nodes",
    "-l",
    "node-role.kubernetes.io/control-plane",
    "-o",
    'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
  ]);
  assert.deepEqual(versions.serverAddressByClientCIDRs, [{ clientCIDR: "0.0.0.0/0", serverAddress: `${cpIP}:6443` }]);
  assert.match(ok.stdout, /^\{\n  "kind": "APIVersions",\n/);
  const anon = exec("client", `${RECIPE} curl -s --cacert \${CACERT} \${APISERVER}/api`);
  assert.deepEqual(JSON.parse(anon.stdout), {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: 'forbidden: User "system:anonymous" cannot get path "/api"',
    reason: "Forbidden",
    details: {},
    code: 403,
  });
  const noCA = exec("client", `${RECIPE} curl -sS \${APISERVER}/api`);
  assert.equal(noCA.code, 60);
  assert.match(
    noCA.stderr,
    /^curl: \(60\) SSL certificate problem: unable to get local issuer certificate\nMore details here: https:\/\/curl\.se\/docs\/sslcerts\.html\n/,
  );
});

test("curl -s -o /dev/null -w '%{http_code}' http://<svc> prints 200; -v shows the request curl sent; -m ends a dropped SYN", () => {
  const r = exec("client", "curl -s -o /dev/null -w '%{http_code}' http://web");
  assert.deepEqual([r.code, r.stdout], [0, "200"]);
  const svcIP = s.k("get svc web -o jsonpath={.spec.clusterIP}");
  const v = exec("client", "curl -sv -o /dev/null web");
  assert.match(
    v.stderr,
    new RegExp(
      `^\\*   Trying ${svcIP.replace(/\./g, "\\.")}:80\\.\\.\\.\\n\\* Connected to web \\(${svcIP.replace(/\./g, "\\.")}\\) port 80\\n> GET / HTTP/1\\.1\\r\\n> Host: web\\r\\n> User-Agent: curl/8\\.14\\.1\\r\\n> Accept: \\*/\\*\\r\\n`,
    ),
  );
  assert.match(v.stderr, /< HTTP\/1\.1 200 OK\r\n/);
  // A port the Service lacks has no kube-proxy rule: the SYN is dropped until -m gives up.
  const dropped = exec("client", "curl -sS -m 2 web:81");
  assert.deepEqual(
    [dropped.code, dropped.stderr],
    [28, "curl: (28) Failed to connect to web port 81 after 2000 ms: Timeout was reached\ncommand terminated with exit code 28\n"],
  );
  const bad = exec("client", "curl --nope web");
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "curl: option --nope: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\ncommand terminated with exit code 2\n",
  );
});

test("a node IP refuses port 80 where nothing listens (ingress-nginx's hostPort answers on its node); a NodePort answers on every node IP; the kubelet listens on 10250", () => {
  const ips = s.k(["get", "nodes", "-o", 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}']).trim().split(" ");
  assert.equal(ips.length, 2);
  const nodePort = s.k("get svc web-np -o jsonpath={.spec.ports[0].nodePort}");
  const ingressNode = s
    .k("get pods -n ingress-nginx -l app.kubernetes.io/component=controller -o jsonpath={.items[0].status.hostIP}")
    .trim();
  assert.ok(ips.includes(ingressNode), ingressNode);
  const ingress = exec("client", `curl -s -o /dev/null -w '%{http_code}' http://${ingressNode}/`);
  assert.deepEqual([ingress.code, ingress.stdout], [0, "404"], "ingress-nginx answers a request no Ingress routes with its 404");
  for (const ip of ips) {
    const np = exec("client", `curl -s -o /dev/null -w '%{http_code} %{remote_ip}:%{remote_port}' http://${ip}:${nodePort}/`);
    assert.deepEqual([np.code, np.stdout], [0, `200 ${ip}:${nodePort}`]);
    if (ip === ingressNode) continue;
    const refused = exec("client", `curl -sS http://${ip}/`);
    assert.equal(refused.code, 7);
    assert.equal(
      refused.stderr,
      `curl: (7) Failed to connect to ${ip} port 80 after 0 ms: Couldn't connect to server\ncommand terminated with exit code 7\n`,
    );
  }
  // The kubelet is there on every node, TLS only, and anonymous requests are refused.
  const kubelet = exec("client", `curl -sk -w ' %{http_code}' https://${ips[0]}:10250/pods`);
  assert.deepEqual([kubelet.code, kubelet.stdout], [0, "Unauthorized\n 401"]);
  // busybox wget says it its way.
  const quiet = ips.find((ip) => ip !== ingressNode);
  const bb = exec("bb", `wget -qO- http://${quiet}/`);
  assert.deepEqual(
    [bb.code, bb.stderr],
    [1, `wget: can't connect to remote host (${quiet}): Connection refused\ncommand terminated with exit code 1\n`],
  );
  const missing = exec("bb", "wget -qO- http://web/nope");
  assert.deepEqual(
    [missing.code, missing.stderr],
    [1, "wget: server returned error: HTTP/1.1 404 Not Found\ncommand terminated with exit code 1\n"],
  );
});

test("hostname -i, ip addr and ip route show the pod's own address and its gateway", () => {
  const podIP = s.k("get pod bb -o jsonpath={.status.podIP}");
  const node = s.k("get pod bb -o jsonpath={.spec.nodeName}");
  const cidr = s.k(`get node ${node} -o jsonpath={.spec.podCIDR}`);
  assert.equal(exec("bb", "hostname -i").stdout, `${podIP}\n`);
  const addr = exec("bb", "ip addr show eth0").stdout;
  assert.match(addr, /^2: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n/);
  const mac = `0a:58:${podIP
    .split(".")
    .map((b) => Number(b).toString(16).padStart(2, "0"))
    .join(":")}`;
  assert.match(
    addr,
    new RegExp(`\\n    link/ether ${mac} brd ff:ff:ff:ff:ff:ff\\n    inet ${podIP.replace(/\./g, "\\.")}/${cidr.split("/")[1]} `),
  );
  const gateway = `${cidr.split("/")[0].split(".").slice(0, 3).join(".")}.1`;
  assert.match(exec("bb", "ip route").stdout, new RegExp(`^default via ${gateway.replace(/\./g, "\\.")} dev eth0 \\n`));
  assert.match(
    exec("bb", "ifconfig eth0").stdout,
    new RegExp(`^eth0      Link encap:Ethernet  HWaddr ${mac.toUpperCase()}  \\n          inet addr:${podIP.replace(/\./g, "\\.")}  `),
  );
});
