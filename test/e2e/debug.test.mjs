// kubectl debug with the real kubectl 1.33: ephemeral containers next to a shell-less container
// (--target shares its process namespace), the ephemeralcontainers subresource's validation, copies
// of a pod, and node debugging.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { Server, KUBECTL, eventually } from "./lib/harness.mjs";

const K = KUBECTL["1.33"];
let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("run who --image=traefik/whoami", { version: "1.33" });
  await eventually(() => s.k("get pod who -o jsonpath={.status.phase}") === "Running");
});

after(async () => {
  await server?.stop();
});

const ephemeral = (pod) => JSON.parse(s.k(`get pod ${pod} -o json`)).status.ephemeralContainerStatuses ?? [];

test("debug -it --target: a shell next to a container that has none", async () => {
  const exec = s.kubectl("exec who -- sh", { version: "1.33" });
  assert.notEqual(exec.code, 0);
  const { out, code } = await s.terminal(
    `${K} debug -it who --image=busybox --target=who`,
    ["\r", "wget -qO- localhost:80 | head -1\r", "ps\r", "exit\r"],
    { firstAfter: 3000 },
  );
  assert.equal(code, 0, out);
  const name = /Defaulting debug container name to (debugger-[a-z0-9]{5})\.\r\n/.exec(out)?.[1];
  assert.ok(name, out);
  assert.match(
    out,
    /Targeting container "who"\. If you don't see processes from this container it may be because the container runtime doesn't support this feature\.\r\n/,
  );
  assert.match(out, /If you don't see a command prompt, try pressing enter\.\r\n/);
  assert.match(out, /\/ # wget -qO- localhost:80 \| head -1\r\nHostname: who\r\n/);
  assert.match(out, /PID {3}USER {5}TIME {2}COMMAND\r\n {4}1 root {6}0:00 \/whoami\r\n/);
  assert.match(out, / root {6}0:00 sh\r\n/);
  await eventually(() => ephemeral("who").find((c) => c.name === name)?.state?.terminated?.reason === "Completed");
  const st = JSON.parse(s.k("get pod who -o jsonpath={.status.ephemeralContainerStatuses}"));
  assert.equal(st[0].name, name);
  assert.equal(st[0].restartCount, 0);
  assert.equal(st[0].state.terminated.exitCode, 0);
  const describe = s.k("describe pod who");
  assert.match(describe, new RegExp(`Ephemeral Containers:\\n  ${name}:\\n`));
  assert.match(describe, /    State:          Terminated\n      Reason:       Completed\n      Exit Code:    0\n/);
  assert.match(describe, new RegExp(`Normal  Started .* kubelet +Started container ${name}`));
  // The app container is untouched and the pod still Running and ready.
  assert.match(s.k("get pod who"), /who +1\/1 +Running +0 /);
});

test("a second debug adds a second container; exec, logs and attach reach it", async () => {
  const r = s.kubectl(["debug", "who", "--image=busybox", "-c", "probe", "--", "sh", "-c", "echo hello from probe; sleep 3600"], {
    version: "1.33",
  });
  assert.equal(r.code, 0, r.out);
  await eventually(() => ephemeral("who").find((c) => c.name === "probe")?.state?.running);
  const names = JSON.parse(s.k("get pod who -o json")).spec.ephemeralContainers.map((c) => c.name);
  assert.equal(names.length, 2);
  assert.equal(names[1], "probe");
  assert.equal(s.k("logs who -c probe"), "hello from probe\n");
  assert.equal(s.k("exec who -c probe -- hostname"), "who\n");
  // No --target: its own process namespace.
  assert.match(
    s.k("exec who -c probe -- ps"),
    /^PID {3}USER {5}TIME {2}COMMAND\n {4}1 root {6}0:00 sh -c echo hello from probe; sleep 3600\n/,
  );
  // The whoami filesystem is not the debugger's (no /whoami in busybox).
  const ls = s.kubectl("exec who -c probe -- ls /whoami", { version: "1.33" });
  assert.notEqual(ls.code, 0);
  assert.match(ls.stderr, /ls: \/whoami: No such file or directory/);
  const events = s.k([
    "get",
    "events",
    "--field-selector",
    "involvedObject.name=who",
    "-o",
    'jsonpath={range .items[*]}{.reason} {.involvedObject.fieldPath}{"\\n"}{end}',
  ]);
  assert.match(events, /^Started spec\.ephemeralContainers\{probe\}$/m);
});

test("the ephemeralcontainers subresource only adds; a pod update may not touch them", () => {
  const pod = JSON.parse(s.k("get pod who -o json"));
  const put = (p) => {
    const file = `${s.dir}/ec.json`;
    writeFileSync(file, JSON.stringify(p));
    return s.kubectl(["replace", "--raw", "/api/v1/namespaces/default/pods/who/ephemeralcontainers", "-f", file], { version: "1.33" });
  };
  const removed = structuredClone(pod);
  removed.spec.ephemeralContainers = removed.spec.ephemeralContainers.slice(1);
  const r1 = put(removed);
  assert.notEqual(r1.code, 0);
  assert.match(
    r1.stderr,
    /Pod "who" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-[a-z0-9]{5}" may not be removed/,
  );
  const changed = structuredClone(pod);
  changed.spec.ephemeralContainers[1].image = "alpine";
  assert.match(put(changed).stderr, /Forbidden: existing ephemeral containers "probe" may not be changed/);
  const ported = structuredClone(pod);
  ported.spec.ephemeralContainers.push({ name: "web", image: "nginx", ports: [{ containerPort: 80 }] });
  assert.match(put(ported).stderr, /spec\.ephemeralContainers\[2\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
  const dup = structuredClone(pod);
  dup.spec.ephemeralContainers.push({ name: "who", image: "busybox" });
  assert.match(put(dup).stderr, /spec\.ephemeralContainers\[2\]\.name: Duplicate value: "who"/);
  // The pod itself: ephemeral containers are not part of what a pod update may change.
  const patch = s.kubectl(
    ["patch", "pod", "who", "--type=json", "-p", '[{"op":"replace","path":"/spec/ephemeralContainers/1/image","value":"alpine"}]'],
    { version: "1.33" },
  );
  assert.notEqual(patch.code, 0);
  assert.match(patch.stderr, /Forbidden: pod updates may not change fields other than/);
  assert.equal(JSON.parse(s.k("get pod who -o json")).spec.ephemeralContainers.length, 2);
  // Discovery lists the subresource.
  assert.match(s.k("api-resources --no-headers"), /^pods +po +v1 +true +Pod$/m);
  assert.ok(JSON.parse(s.k("get --raw /api/v1")).resources.some((r) => r.name === "pods/ephemeralcontainers"));
});

test("debug --copy-to: a copy of the pod with a debugging container, sharing processes", async () => {
  const r = s.kubectl(["debug", "who", "--copy-to=who-copy", "--image=busybox", "--share-processes", "-c", "dbg", "--", "sleep", "3600"], {
    version: "1.33",
  });
  assert.equal(r.code, 0, r.out);
  await eventually(() => s.k("get pod who-copy -o jsonpath={.status.phase}") === "Running");
  const copy = JSON.parse(s.k("get pod who-copy -o json"));
  assert.deepEqual(
    copy.spec.containers.map((c) => c.name),
    ["who", "dbg"],
  );
  assert.equal(copy.spec.shareProcessNamespace, true);
  assert.equal(copy.spec.ephemeralContainers, undefined);
  assert.match(s.k("exec who-copy -c dbg -- ps"), /\n {4}1 65535 {5}0:00 \/pause\n.* root {6}0:00 \/whoami\n.* root {6}0:00 sleep 3600\n/s);
});

test("debug node/: a host-namespace pod on the node with its filesystem at /host", async () => {
  const node = s.k("get nodes -o jsonpath={.items[0].metadata.name}");
  const { out, code } = await s.terminal(
    `${K} debug node/${node} -it --image=busybox`,
    ["\r", "cat /host/etc/os-release | head -1\r", "ls /host/etc/kubernetes/manifests\r", "hostname\r", "exit\r"],
    { firstAfter: 3000 },
  );
  assert.equal(code, 0, out);
  const pod = new RegExp(`Creating debugging pod (node-debugger-${node}-[a-z0-9]{5}) with container debugger on node ${node}\\.`).exec(
    out,
  )?.[1];
  assert.ok(pod, out);
  assert.match(out, /PRETTY_NAME="Ubuntu 22\.04\.5 LTS"\r\n/);
  assert.match(out, /etcd\.yaml +kube-apiserver\.yaml +kube-controller-manager\.yaml +kube-scheduler\.yaml/);
  assert.match(out, new RegExp(`/ # hostname\\r\\n${node}\\r\\n`));
  const spec = JSON.parse(s.k(`get pod ${pod} -o json`)).spec;
  assert.equal(spec.hostNetwork, true);
  assert.equal(spec.hostPID, true);
  assert.equal(spec.nodeName, node);
  assert.deepEqual(spec.volumes.find((v) => v.name === "host-root")?.hostPath, { path: "/", type: "" });
});
