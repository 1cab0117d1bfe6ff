// Services, endpoints, namespaces and service accounts with the real kubectl and the instant clock:
// ClusterIP/NodePort allocation and errors, LoadBalancer addresses, Endpoints/EndpointSlices that
// follow the pods, the tutorial's nginx RC + ClusterIP Service, namespace lifecycle, default SA and
// kube-root-ca.crt.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";
import { NGINX_RC, NGINX_SVC } from "./lib/manifests.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

const podIPs = (selector) => s.k(`get pods -l ${selector} -o jsonpath={.items[*].status.podIP}`).split(/\s+/).filter(Boolean).sort();

test("bootstrap: kubernetes Service, Endpoints and EndpointSlice", () => {
  assert.match(s.k("get svc kubernetes"), /kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
  assert.match(s.k("get endpoints kubernetes"), /kubernetes\s+172\.30\.1\.2:6443/);
  const slice = JSON.parse(s.k("get endpointslice kubernetes -o json"));
  assert.deepEqual(slice.metadata.labels, { "kubernetes.io/service-name": "kubernetes" });
  assert.deepEqual(slice.ports, [{ name: "https", port: 6443, protocol: "TCP" }]);
  assert.deepEqual(slice.endpoints[0].addresses, ["172.30.1.2"]);
});

test("hello-node: expose --type=LoadBalancer gets a cluster IP at once, then an external IP and endpoints", async () => {
  s.k("create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.39 -- /agnhost netexec --http-port=8080");
  const created = s.k("expose deployment hello-node --type=LoadBalancer --port=8080 -o json");
  const svc = JSON.parse(created);
  assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  assert.ok(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767);
  assert.match(s.k("get services hello-node"), /hello-node\s+LoadBalancer\s+10\.\S+\s+(<pending>|172\.18\.255\.\d+)\s+8080:3\d{4}\/TCP/);
  await eventually(() => /hello-node\s+LoadBalancer\s+\S+\s+172\.18\.255\.200\s/.test(s.k("get services")));
  const ips = await eventually(() => {
    const ips = podIPs("app=hello-node");
    return ips.length === 1 && ips;
  });
  const describe = await eventually(() => {
    const out = s.k("describe service hello-node");
    return out.includes(`Endpoints:                ${ips[0]}:8080`) && out;
  });
  assert.match(describe, /LoadBalancer Ingress:\s+172\.18\.255\.200/);
  assert.match(describe, /Normal\s+EnsuringLoadBalancer\s+\S+\s+service-controller\s+Ensuring load balancer/);
  assert.match(describe, /Normal\s+EnsuredLoadBalancer\s+\S+\s+service-controller\s+Ensured load balancer/);
  const slices = JSON.parse(s.k("get endpointslices -l kubernetes.io/service-name=hello-node -o json")).items;
  assert.equal(slices.length, 1);
  assert.match(slices[0].metadata.name, /^hello-node-[a-z0-9]{5}$/);
  assert.equal(slices[0].metadata.labels["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io");
  assert.equal(slices[0].metadata.ownerReferences[0].kind, "Service");
  assert.deepEqual(slices[0].endpoints[0].conditions, { ready: true, serving: true, terminating: false });
});

test("tutorial: nginx RC + ClusterIP Service port 8001 → targetPort 80, endpoints follow the pods", async () => {
  s.file("nginx-rc.yaml", NGINX_RC);
  s.file("nginx-service-clusterip.yaml", NGINX_SVC);
  assert.match(s.k("create -f nginx-rc.yaml"), /replicationcontroller\/nginx-controller created/);
  assert.match(s.k("create -f ./nginx-service-clusterip.yaml"), /service\/nginx-service-clusterip created/);
  assert.match(s.k("get svc nginx-service-clusterip"), /nginx-service-clusterip\s+ClusterIP\s+10\.\S+\s+<none>\s+8001\/TCP/);
  const ips = await eventually(() => {
    const ips = podIPs("name=nginx");
    return ips.length === 2 && ips;
  });
  await eventually(() =>
    s.k("get endpoints nginx-service-clusterip").includes(
      ips
        .map((ip) => `${ip}:80`)
        .sort()
        .join(","),
    ),
  );
  const ep = JSON.parse(s.k("get endpoints nginx-service-clusterip -o json"));
  assert.deepEqual(ep.subsets[0].ports, [{ port: 80, protocol: "TCP" }]);
  assert.equal(ep.subsets[0].addresses[0].targetRef.kind, "Pod");
  assert.ok(ep.metadata.annotations["endpoints.kubernetes.io/last-change-trigger-time"]);
  // Scaling down removes the deleted pod's address.
  s.k("scale rc nginx-controller --replicas=1");
  await eventually(() => {
    const e = JSON.parse(s.k("get endpoints nginx-service-clusterip -o json"));
    return (e.subsets?.[0]?.addresses ?? []).length === 1 && !e.subsets[0].notReadyAddresses;
  });
});

test("NodePort and ClusterIP allocation errors, release on delete, type changes", () => {
  assert.match(s.k("create service nodeport np1 --tcp=80:8080 --node-port=30080"), /service\/np1 created/);
  const taken = s.kubectl("create service nodeport np2 --tcp=80:8080 --node-port=30080");
  assert.notEqual(taken.code, 0);
  assert.match(
    taken.stderr,
    /Service "np2" is invalid: spec.ports\[0\].nodePort: Invalid value: 30080: provided port is already allocated/,
  );
  const range = s.kubectl("create service nodeport np3 --tcp=80:8080 --node-port=40000");
  assert.match(
    range.stderr,
    /spec.ports\[0\].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767/,
  );
  const ipTaken = s.kubectl("create service clusterip c1 --tcp=80 --clusterip=10.96.0.1");
  assert.match(
    ipTaken.stderr,
    /spec.clusterIPs: Invalid value: \[\]string\{"10.96.0.1"\}: failed to allocate IP 10.96.0.1: provided IP is already allocated/,
  );
  const ipRange = s.kubectl("create service clusterip c2 --tcp=80 --clusterip=1.1.1.1");
  assert.match(
    ipRange.stderr,
    /failed to allocate IP 1.1.1.1: the provided IP \(1.1.1.1\) is not in the valid range. The range of valid IPs is 10.96.0.0\/12/,
  );
  assert.match(s.k("create service clusterip c3 --tcp=80 --clusterip=10.96.5.5"), /created/);
  assert.match(s.k("get svc c3"), /c3\s+ClusterIP\s+10\.96\.5\.5\s/);
  assert.match(s.k("create service clusterip hl --clusterip=None"), /created/);
  assert.match(s.k("get svc hl"), /hl\s+ClusterIP\s+None\s/);
  // Released on delete.
  s.k("delete svc np1");
  assert.match(s.k("create service nodeport np4 --tcp=80:8080 --node-port=30080"), /created/);
  // NodePort → ClusterIP releases, ClusterIP → NodePort allocates, the cluster IP stays.
  const before = s.k("get svc np4 -o jsonpath={.spec.clusterIP}");
  s.k(["patch", "svc", "np4", "-p", '{"spec":{"type":"ClusterIP"}}']);
  assert.match(s.k("get svc np4"), new RegExp(`np4\\s+ClusterIP\\s+${before.replace(/\./g, "\\.")}\\s+<none>\\s+80/TCP`));
  s.k(["patch", "svc", "c3", "-p", '{"spec":{"type":"NodePort"}}']);
  assert.match(s.k("get svc c3"), /c3\s+NodePort\s+10\.96\.5\.5\s+<none>\s+80:3\d{4}\/TCP/);
});

test("namespaces: default SA and kube-root-ca.crt, Terminating then gone, immortal ones", async () => {
  assert.match(s.k("create ns x"), /namespace\/x created/);
  const sacm = await eventually(() => {
    const out = s.k("get sa,cm -n x");
    return /serviceaccount\/default/.test(out) && /configmap\/kube-root-ca.crt\s+1\s/.test(out) && out;
  });
  assert.ok(sacm);
  const cm = JSON.parse(s.k("get cm kube-root-ca.crt -n x -o json"));
  assert.match(cm.data["ca.crt"], /^-----BEGIN CERTIFICATE-----\n/);
  assert.equal(cm.data["ca.crt"], JSON.parse(s.k("get cm kube-root-ca.crt -n default -o json")).data["ca.crt"]);
  assert.match(cm.metadata.annotations["kubernetes.io/description"], /^Contains a CA bundle that can be used to verify the kube-apiserver/);
  // Recreated when deleted.
  s.k("delete sa default -n x");
  s.k("delete cm kube-root-ca.crt -n x");
  await eventually(() => /serviceaccount\/default/.test(s.k("get sa,cm -n x")) && /kube-root-ca.crt/.test(s.k("get cm -n x")));

  s.k("create deployment web --image=nginx --replicas=2 -n x");
  s.k("expose deployment web --port=80 -n x");
  // A PID 1 that ignores SIGTERM holds the namespace in Terminating for its 5 s grace period
  // (nginx alone stops in a moment).
  s.k("apply -n x -f -", {
    input:
      "apiVersion: v1\nkind: Pod\nmetadata: {name: slow}\nspec:\n  terminationGracePeriodSeconds: 5\n  containers:\n  - {name: c, image: busybox, command: [sleep, '3600']}\n",
  });
  await eventually(() => podIPs("app=web -n x").length === 2 && /Running/.test(s.k("get pod slow -n x --no-headers")));
  assert.match(s.k("delete ns x --wait=false"), /namespace "x" deleted/);
  const ns = JSON.parse(s.k("get ns x -o json"));
  assert.equal(ns.status.phase, "Terminating");
  assert.ok(ns.metadata.deletionTimestamp);
  const refused = s.kubectl("create configmap late -n x");
  assert.match(refused.stderr, /unable to create new content in namespace x because it is being terminated/);
  await eventually(() => /NotFound/.test(s.kubectl("get ns x").stderr), { timeout: 30_000 });
  assert.match(s.k("get all -n x", {}) + s.kubectl("get all -n x").stderr, /No resources found in x namespace/);

  for (const name of ["default", "kube-system", "kube-public"]) {
    const r = s.kubectl(`delete ns ${name}`);
    assert.match(r.stderr, new RegExp(`namespaces "${name}" is forbidden: this namespace may not be deleted`));
  }
});
