// The container filesystem with the real kubectl: writes that last across exec sessions, kubectl cp
// both ways (tar over exec, byte-exact), nginx serving what a learner wrote, restarts resetting the
// root filesystem but not an emptyDir, and the liveness tutorial's /tmp/healthy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Server, KUBECTL_VERSIONS, eventually } from "./lib/harness.mjs";

let server;
let s;

const RESTARTER = `apiVersion: v1
kind: Pod
metadata:
  name: restarter
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "sleep 12; exit 1"]
    volumeMounts:
    - name: cache
      mountPath: /cache
  volumes:
  - name: cache
    emptyDir: {}
`;

const LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox
    args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]
    livenessProbe:
      exec:
        command: ["cat", "/tmp/healthy"]
      initialDelaySeconds: 5
      periodSeconds: 5
`;

const SIDECAR = `apiVersion: v1
kind: Pod
metadata:
  name: sidecar
spec:
  containers:
  - name: web
    image: nginx
    volumeMounts:
    - name: html
      mountPath: /usr/share/nginx/html
  - name: writer
    image: busybox
    command: ["sh", "-c", "echo from-the-sidecar > /html/index.html; sleep 3600"]
    volumeMounts:
    - name: html
      mountPath: /html
  volumes:
  - name: html
    emptyDir: {}
`;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("run web --image=nginx");
  s.k("run bb --image=busybox -- sleep 3600");
  s.k("run nopause --image=registry.k8s.io/pause:3.10");
  s.k(["apply", "-f", s.file("sidecar.yaml", SIDECAR)]);
  await eventually(() => {
    assert.equal(s.k("get pods -o jsonpath={.items[*].status.phase}"), "Running Running Running Running");
    return true;
  });
});

after(async () => {
  await server?.stop();
});

test("a file written in one exec is there in the next", () => {
  s.k(["exec", "bb", "--", "sh", "-c", "echo hi > /tmp/x && mkdir -p /work/d && echo deep > /work/d/f"]);
  assert.equal(s.k("exec bb -- cat /tmp/x"), "hi\n");
  assert.equal(s.k("exec bb -- cat /work/d/f"), "deep\n");
  s.k("exec bb -- rm /tmp/x");
  const r = s.kubectl("exec bb -- cat /tmp/x");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cat: can't open '\/tmp\/x': No such file or directory/);
});

test("kubectl cp copies files and directories both ways, byte for byte", () => {
  const bin = randomBytes(200_000);
  const local = join(s.dir, "blob.bin");
  writeFileSync(local, bin);
  s.k(["cp", local, "bb:/tmp/blob.bin"]);
  assert.equal(s.k("exec bb -- wc -c /tmp/blob.bin").trim(), "200000 /tmp/blob.bin");
  const back = join(s.dir, "blob.back");
  const r = s.kubectl(["cp", "bb:/tmp/blob.bin", back]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /tar: removing leading '\/' from member names/); // cp.go hands tar's stderr to kubectl's stdout
  assert.ok(readFileSync(back).equals(bin), "the copy back is byte-identical");

  // A text file into an existing directory, then cat in the container.
  writeFileSync(join(s.dir, "note.txt"), "hello from my laptop\n");
  s.k(["cp", join(s.dir, "note.txt"), "bb:/tmp"]);
  assert.equal(s.k("exec bb -- cat /tmp/note.txt"), "hello from my laptop\n");

  // A directory tree, there and back.
  const tree = join(s.dir, "site");
  mkdirSync(join(tree, "css"), { recursive: true });
  writeFileSync(join(tree, "index.html"), "<h1>site</h1>\n");
  writeFileSync(join(tree, "css", "a.css"), "body{}\n");
  s.k(["cp", tree, "bb:/srv/site"]);
  assert.equal(s.k("exec bb -- cat /srv/site/css/a.css"), "body{}\n");
  const out = join(s.dir, "site.back");
  s.k(["cp", "bb:/srv/site", out]);
  assert.equal(readFileSync(join(out, "index.html"), "utf8"), "<h1>site</h1>\n");
  assert.equal(readFileSync(join(out, "css", "a.css"), "utf8"), "body{}\n");
});

test("kubectl cp into a read-only ConfigMap mount fails as tar does", async () => {
  s.k("create configmap cfg --from-literal=app.conf=x=1");
  s.k([
    "apply",
    "-f",
    s.file(
      "cfgpod.yaml",
      `apiVersion: v1
kind: Pod
metadata:
  name: cfgpod
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: cfg
      mountPath: /etc/config
  volumes:
  - name: cfg
    configMap:
      name: cfg
`,
    ),
  ]);
  await eventually(() => s.k("get pod cfgpod -o jsonpath={.status.phase}") === "Running");
  assert.equal(s.k("exec cfgpod -- cat /etc/config/app.conf"), "x=1");
  writeFileSync(join(s.dir, "app.conf"), "x=2\n");
  const r = s.kubectl(["cp", join(s.dir, "app.conf"), "cfgpod:/etc/config/app.conf"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /tar: can't open 'app.conf': Read-only file system/);
  const w = s.kubectl(["exec", "cfgpod", "--", "sh", "-c", "echo y > /etc/config/app.conf"]);
  assert.match(w.stderr, /sh: can't create \/etc\/config\/app.conf: Read-only file system/);
});

test("an image without tar cannot be copied from or to", () => {
  const r = s.kubectl(["cp", "nopause:/etc/hostname", join(s.dir, "h")]);
  assert.match(r.out, /exec: "tar": executable file not found in \$PATH/);
});

test("nginx serves what a learner echoes into its index.html", () => {
  const proxy = "/api/v1/namespaces/default/pods/web:80/proxy/";
  assert.match(s.k(["get", "--raw", proxy]), /Welcome to nginx!/);
  s.k(["exec", "web", "--", "sh", "-c", "echo hello > /usr/share/nginx/html/index.html"]);
  assert.equal(s.k(["get", "--raw", proxy]), "hello\n");
  s.k(["exec", "web", "--", "rm", "/usr/share/nginx/html/index.html"]);
  const r = s.kubectl(["get", "--raw", `${proxy}index.html`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /NotFound|404/);
});

test("a sidecar's writes into a shared emptyDir are served by nginx", () => {
  assert.equal(s.k(["get", "--raw", "/api/v1/namespaces/default/pods/sidecar:80/proxy/"]), "from-the-sidecar\n");
  assert.equal(s.k("exec sidecar -c web -- cat /usr/share/nginx/html/index.html"), "from-the-sidecar\n");
});

test("a restart resets the container's own files but keeps its emptyDir", async () => {
  s.k(["apply", "-f", s.file("restarter.yaml", RESTARTER)]);
  await eventually(() => s.k("get pod restarter -o jsonpath={.status.phase}") === "Running");
  s.k(["exec", "restarter", "--", "sh", "-c", "echo root > /tmp/own; echo vol > /cache/shared"]);
  assert.equal(s.k("exec restarter -- cat /tmp/own"), "root\n");
  await eventually(
    () => {
      const st = JSON.parse(s.k("get pod restarter -o json")).status.containerStatuses[0];
      assert.ok(st.restartCount >= 1 && st.state.running, JSON.stringify(st));
      return true;
    },
    { timeout: 60_000 },
  );
  assert.equal(s.k("exec restarter -- cat /cache/shared"), "vol\n");
  const r = s.kubectl("exec restarter -- cat /tmp/own");
  assert.equal(r.code, 1);
});

test("the liveness tutorial's /tmp/healthy is visible through exec while it exists", async () => {
  s.k(["apply", "-f", s.file("liveness.yaml", LIVENESS)]);
  await eventually(() => s.k("get pod liveness-exec -o jsonpath={.status.phase}") === "Running");
  assert.equal(s.kubectl("exec liveness-exec -- cat /tmp/healthy").code, 0);
  assert.match(s.k("exec liveness-exec -- ls /tmp"), /healthy/);
});

test("kubectl 1.30 copies too", { skip: !KUBECTL_VERSIONS.includes("1.30") }, () => {
  writeFileSync(join(s.dir, "v130.txt"), "one thirty\n");
  s.k(["cp", join(s.dir, "v130.txt"), "bb:/tmp/v130.txt"], { version: "1.30" });
  assert.equal(s.k("exec bb -- cat /tmp/v130.txt", { version: "1.30" }), "one thirty\n");
  const back = join(s.dir, "v130.back");
  s.k(["cp", "bb:/tmp/v130.txt", back], { version: "1.30" });
  assert.ok(existsSync(back));
  assert.equal(readFileSync(back, "utf8"), "one thirty\n");
});
