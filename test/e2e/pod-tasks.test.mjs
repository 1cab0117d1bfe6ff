// The official task pages under "Configure Pods and Containers" and "Inject Data Into Applications",
// run as written with the real kubectl 1.33: each test applies the page's manifest and asserts on
// what the page shows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml) => k(["apply", "-f", "-"], { input: yaml });
/** Waits until `fn` stops throwing (an assertion holds). */
const holds = (fn, opts) =>
  eventually(() => {
    fn();
    return true;
  }, opts);

// content/en/examples/pods/termination.yaml
const TERMINATION = `apiVersion: v1
kind: Pod
metadata:
  name: termination-demo
spec:
  containers:
  - name: termination-demo-container
    image: debian
    command: ["/bin/sh"]
    args: ["-c", "sleep 10 && echo Sleep expired > /dev/termination-log"]
`;

test("Determine the Reason for Pod Failure: the termination message in lastState and describe", async () => {
  apply(TERMINATION);
  const template = "{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}";
  await holds(() => assert.equal(k(["get", "pod", "termination-demo", "-o", `go-template=${template}`]), "Sleep expired\n"), {
    timeout: 40_000,
    interval: 1000,
  });
  const described = k(["describe", "pod", "termination-demo"]);
  assert.match(described, /Last State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Message:\s+Sleep expired\n/);

  // FallbackToLogsOnError: a failed container without a message file reports its log's last 80 lines.
  apply(`apiVersion: v1
kind: Pod
metadata:
  name: fallback-demo
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "for i in $(seq 1 100); do echo line $i; done; echo failing >&2; exit 3"]
`);
  await holds(() => assert.equal(k(["get", "pod", "fallback-demo", "-o", "jsonpath={.status.phase}"]), "Failed"));
  const message = k(["get", "pod", "fallback-demo", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.message}"]);
  assert.ok(message.endsWith("\n"));
  const lines = message.slice(0, -1).split("\n");
  assert.equal(lines.length, 80);
  assert.equal(lines[0], "line 22");
  assert.equal(lines.at(-1), "failing");
});
