// Pod security with the real kubectl: the docs' "Configure a Security Context for a Pod or
// Container" demo (id, ps, ls -l owners inside the container), runAsNonRoot refused by the kubelet
// (get pods, describe), a read-only root filesystem, capabilities in /proc/1/status, and Pod
// Security Admission: a restricted namespace refusing a pod, warn mode's Warning lines, and the
// warnings for existing pods when a namespace is labelled.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }] });
});

after(async () => {
  await server?.stop();
});

const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml, ns = "default") => kubectl(["apply", "-n", ns, "-f", "-"], { input: yaml });
const running = (name, ns = "default") =>
  eventually(() => {
    assert.equal(k(["get", "pod", name, "-n", ns, "-o", "jsonpath={.status.phase}"]), "Running");
    return true;
  });

const DEMO = `apiVersion: v1
kind: Pod
metadata:
  name: security-context-demo
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox:1.28
    command: [ "sh", "-c", "sleep 1h" ]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
`;

test("the docs' security-context-demo runs as uid 1000 with groups 2000 and 3000", async () => {
  assert.equal(apply(DEMO).code, 0);
  await running("security-context-demo");
  const exec = (...cmd) => k(["exec", "security-context-demo", "--", ...cmd]);
  assert.equal(exec("id"), "uid=1000 gid=3000 groups=2000,3000\n");
  const ps = exec("ps");
  assert.match(ps, /^PID {3}USER {5}TIME {2}COMMAND$/m);
  assert.match(ps, /^ {4}1 1000 {6}0:00 sh -c sleep 1h$/m);
  assert.match(ps, /^ +\d+ 1000 {6}0:00 ps$/m);
  exec("sh", "-c", "echo hello > /data/demo/testfile");
  assert.match(exec("ls", "-l", "/data"), /^drwxrwsrwx +2 root +2000 +4096 .* demo$/m);
  assert.match(exec("ls", "-l", "/data/demo"), /^-rw-r--r-- +1 1000 +2000 +6 .* testfile$/m);
  const who = kubectl(["exec", "security-context-demo", "--", "whoami"]);
  assert.equal(who.stderr.split("\n")[0], "whoami: unknown uid 1000");
  const denied = kubectl(["exec", "security-context-demo", "--", "sh", "-c", "echo x > /etc/x"]);
  assert.match(denied.stderr, /^sh: can't create \/etc\/x: Permission denied$/m);
  const status = exec("cat", "/proc/1/status");
  assert.match(status, /^Uid:\t1000\t1000\t1000\t1000$/m);
  assert.match(status, /^CapEff:\t0000000000000000$/m);
  assert.match(status, /^CapBnd:\t00000000a80425fb$/m);
  assert.match(status, /^NoNewPrivs:\t1$/m);
});

test("runAsNonRoot with an image running as root waits in CreateContainerConfigError", async () => {
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: nonroot
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: web
    image: nginx
`;
  assert.equal(apply(pod).code, 0);
  const uid = k(["get", "pod", "nonroot", "-o", "jsonpath={.metadata.uid}"]);
  await eventually(() => {
    assert.match(k(["get", "pod", "nonroot"]), /^nonroot +0\/1 +CreateContainerConfigError +0 +\S+$/m);
    return true;
  });
  const message = k(["get", "pod", "nonroot", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}"]);
  assert.equal(message, `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: web)`);
  const describe = k(["describe", "pod", "nonroot"]);
  assert.match(describe, /^ {6}Reason: +CreateContainerConfigError$/m);
  assert.match(
    describe,
    new RegExp(
      `Warning +Failed +\\S+ +kubelet +Error: container has runAsNonRoot and image will run as root \\(pod: "nonroot_default\\(${uid}\\)", container: web\\)`,
    ),
  );
});

test("a read-only root filesystem refuses writes outside volumes, and capabilities show in /proc/1/status", async () => {
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: ro
spec:
  volumes:
  - name: scratch
    emptyDir: {}
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: scratch
      mountPath: /scratch
    securityContext:
      readOnlyRootFilesystem: true
      capabilities:
        add: ["NET_ADMIN", "SYS_TIME"]
`;
  assert.equal(apply(pod).code, 0);
  await running("ro");
  const r = kubectl(["exec", "ro", "--", "sh", "-c", "echo x > /x; touch /y; echo ok > /scratch/f && cat /scratch/f"]);
  assert.equal(r.stderr, "sh: can't create /x: Read-only file system\ntouch: /y: Read-only file system\n");
  assert.equal(r.stdout, "ok\n");
  const caps = k(["exec", "ro", "--", "grep", "Cap", "/proc/1/status"]);
  assert.match(caps, /^CapPrm:\t00000000aa0435fb$/m);
  assert.match(caps, /^CapEff:\t00000000aa0435fb$/m);
});

test("a restricted namespace refuses a pod with PodSecurity's message", () => {
  k(["create", "namespace", "locked"]);
  k(["label", "namespace", "locked", "pod-security.kubernetes.io/enforce=restricted"]);
  const r = kubectl(["run", "nginx", "-n", "locked", "--image=nginx"]);
  assert.notEqual(r.code, 0);
  assert.equal(
    r.stderr.trim(),
    'Error from server (Forbidden): pods "nginx" is forbidden: violates PodSecurity "restricted:latest": ' +
      'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  // A Deployment is let in with a warning; its ReplicaSet's pods are the ones refused.
  const d = kubectl(["create", "deployment", "web", "-n", "locked", "--image=nginx"]);
  assert.equal(d.code, 0);
  assert.match(d.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/m);
});

test("warn mode prints the Warning line and admits the pod; labelling warns about existing pods", () => {
  k(["create", "namespace", "soft"]);
  k(["label", "namespace", "soft", "pod-security.kubernetes.io/warn=baseline"]);
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: priv
spec:
  hostNetwork: true
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      privileged: true
`;
  const r = apply(pod, "soft");
  assert.equal(r.code, 0);
  assert.equal(
    r.stderr,
    'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "c" must not set securityContext.privileged=true)\n',
  );
  assert.equal(r.stdout, "pod/priv created\n");
  const l = kubectl(["label", "namespace", "soft", "pod-security.kubernetes.io/enforce=baseline"]);
  assert.equal(l.code, 0);
  assert.equal(
    l.stderr,
    'Warning: existing pods in namespace "soft" violate the new PodSecurity enforce level "baseline:latest"\nWarning: priv: host namespaces, privileged\n',
  );
  const typo = kubectl(["label", "namespace", "soft", "pod-security.kubernetes.io/enforce=strict", "--overwrite"]);
  assert.notEqual(typo.code, 0);
  assert.equal(
    typo.stderr.trim(),
    'The Namespace "soft" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
  );
});
