// The cluster-level steps of the tutorials in shared/seeds (002, 003, 004): what a fresh kubeadm
// cluster shows to `kubectl version`, `cluster-info`, `get componentstatuses`, `get events`,
// `get pods --all-namespaces`, `get services --all-namespaces`, and `kubectl -s <server>`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server } from "./lib/harness.mjs";
import { MYAPP_POD } from "./lib/manifests.mjs";

let server;
let s;
before(async () => {
  server = await Server.start();
  // The tutorial's kind config: 1 control-plane and 2 workers, realistic clock.
  s = await server.createSession(
    "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n- role: worker\n",
    "application/yaml",
  );
});
after(async () => {
  await server?.stop();
});

test("a fresh cluster's kube-system is up at the first request", () => {
  const pods = s.k("get pods --all-namespaces");
  assert.match(pods, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  for (const name of [
    "etcd-controlplane",
    "kube-apiserver-controlplane",
    "kube-controller-manager-controlplane",
    "kube-scheduler-controlplane",
  ]) {
    assert.match(pods, new RegExp(`kube-system\\s+${name}\\s+1/1\\s+Running\\s+0`));
  }
  assert.equal((pods.match(/kube-system\s+coredns-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running/g) ?? []).length, 2);
  assert.equal((pods.match(/kube-system\s+kube-proxy-[a-z0-9]{5}\s+1\/1\s+Running/g) ?? []).length, 3);
  const svcs = s.k("get services --all-namespaces");
  assert.match(svcs, /default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
  assert.match(svcs, /kube-system\s+kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/);
  assert.match(s.k("get nodes"), /controlplane\s+Ready\s+control-plane[\s\S]*node01\s+Ready\s+<none>[\s\S]*node02\s+Ready\s+<none>/);
});

test("cluster-info lists the control plane and CoreDNS", () => {
  const out = s.k("cluster-info");
  assert.match(out, new RegExp(`Kubernetes control plane is running at ${s.server.replace(/[.]/g, "\\.")}`));
  assert.match(out, /CoreDNS is running at .*\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy/);
});

test("componentstatuses are healthy, with the deprecation warning", () => {
  const r = s.kubectl("get componentstatuses");
  assert.equal(r.code, 0, r.out);
  assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
  assert.match(r.stdout, /^NAME\s+STATUS\s+MESSAGE\s+ERROR\n/);
  for (const c of ["controller-manager", "scheduler", "etcd-0"]) assert.match(r.stdout, new RegExp(`${c}\\s+Healthy\\s+ok`));
});

test("get events reads like a real cluster's", () => {
  const ev = s.k("get events");
  assert.match(ev, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
  assert.match(ev, /Normal\s+Starting\s+node\/node01\s+Starting kubelet\./);
  assert.match(ev, /Normal\s+NodeHasSufficientMemory\s+node\/node01\s+Node node01 status is now: NodeHasSufficientMemory/);
  assert.match(ev, /Normal\s+RegisteredNode\s+node\/controlplane\s+Node controlplane event: Registered Node controlplane in Controller/);
  const sys = s.k("get events -n kube-system");
  assert.match(sys, /Normal\s+Scheduled\s+pod\/coredns-/);
});

test("kubectl -s <server> with a token, as in the tutorial's master address", () => {
  const r = s.kubectl(["-s", s.server, "--token", s.token, "--insecure-skip-tls-verify", "get", "nodes"], {
    env: { KUBECONFIG: "/dev/null" },
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /controlplane\s+Ready/);
});

test("version shows a v1.33 server", () => {
  assert.match(s.k("version"), /Server Version: v1\.33\.\d+/);
});

test("tutorial 000: the myapp pod, exec bash + curl localhost:80, port-forward 8081:80", async () => {
  const myapp = s.file("myapp-pod.yaml", MYAPP_POD);
  assert.equal(s.k(`create -f ${myapp}`).trim(), "pod/myapp created");
  s.k("wait --for=condition=Ready pod/myapp --timeout=60s");
  const inside = s.kubectl(["exec", "-i", "myapp", "--", "bash"], { input: "curl localhost:80\nhostname\nexit\n" });
  assert.equal(inside.code, 0, inside.out);
  assert.match(inside.stdout, /myapp:0\.0\.1/);
  assert.match(inside.stdout, /^myapp$/m);
  const { spawn } = await import("node:child_process");
  const { KUBECTL } = await import("./lib/harness.mjs");
  // ":80" lets kubectl pick a free local port (the tutorial's 8081 may be taken on a test machine).
  const pf = spawn(KUBECTL.default, ["port-forward", "pod/myapp", ":80"], { env: { ...process.env, KUBECONFIG: s.kubeconfigPath } });
  try {
    const port = await new Promise((resolve, reject) => {
      pf.stdout.on("data", (d) => {
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(String(d));
        if (m) resolve(m[1]);
      });
      pf.on("exit", () => reject(new Error("port-forward exited")));
    });
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.match(body, /myapp:0\.0\.1/);
  } finally {
    pf.kill();
  }
});
