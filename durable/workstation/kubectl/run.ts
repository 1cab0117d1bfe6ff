// `kubectl run NAME --image=IMAGE [-- ARGS…]`: one pod, as kubectl's run command builds it.
import { type Parsed, bool, int, str, strs } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage } from "./client";
import { stream, withStreams } from "./exec";
import { submit } from "./generators";
import type { Kube, KubectlRun, Verb } from "./types";

const flags = [
  { name: "image", kind: "string" },
  { name: "port", kind: "int" },
  { name: "labels", short: "l", kind: "string" },
  { name: "env", kind: "strings" },
  { name: "restart", kind: "string" },
  { name: "command", kind: "bool" },
  { name: "image-pull-policy", kind: "string" },
  { name: "dry-run", kind: "string" },
  { name: "output", short: "o", kind: "string" },
  { name: "rm", kind: "bool" },
  { name: "stdin", short: "i", kind: "bool" },
  { name: "tty", short: "t", kind: "bool" },
  { name: "attach", kind: "bool" },
  { name: "expose", kind: "bool" },
  { name: "overrides", kind: "string" },
  { name: "annotations", kind: "strings" },
  { name: "privileged", kind: "bool" },
  { name: "serviceaccount", kind: "string" },
  { name: "quiet", short: "q", kind: "bool" },
] as const;

function* runPod(p: Parsed, k: Kube): KubectlRun {
  // cobra checks the required --image before the command sees its arguments.
  const image = str(p, "image");
  if (!image) throw new KubectlError('error: required flag(s) "image" not set');
  const name = p.args[0];
  if (!name) throw new KubectlError("error: NAME is required for run\nSee 'kubectl run -h' for help and examples");
  const attach = bool(p, "stdin") || bool(p, "tty") || bool(p, "attach");
  if (bool(p, "rm") && !attach)
    throw new KubectlError("error: --rm should only be used for attached containers\nSee 'kubectl run -h' for help and examples");
  if (bool(p, "expose") || str(p, "overrides")) throw k.notYet("kubectl run --expose/--overrides");
  const restart = str(p, "restart") ?? "Always";
  if (!["Always", "OnFailure", "Never"].includes(restart))
    throw new KubectlError(`error: invalid restart policy: ${restart}\nSee 'kubectl run -h' for help and examples`);
  const labels = str(p, "labels")
    ? Object.fromEntries(
        str(p, "labels")!
          .split(",")
          .map((kv) => kv.split("=") as [string, string]),
      )
    : { run: name };
  const args = [...p.args.slice(1), ...(p.dash ?? [])];
  const env = strs(p, "env").map((e) => ({ name: e.slice(0, e.indexOf("=")), value: e.slice(e.indexOf("=") + 1) }));
  const port = int(p, "port");
  // In the Go structs' field order: `-o json` of a dry run prints it so.
  const container = {
    name,
    image,
    ...(args.length ? { [bool(p, "command") ? "command" : "args"]: args } : {}),
    ...(port !== undefined ? { ports: [{ containerPort: port }] } : {}),
    ...(env.length ? { env } : {}),
    resources: {},
    ...(str(p, "image-pull-policy") ? { imagePullPolicy: str(p, "image-pull-policy") } : {}),
    ...(bool(p, "stdin") ? { stdin: true, stdinOnce: true } : {}),
    ...(bool(p, "tty") ? { tty: true } : {}),
  };
  const pod = {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, creationTimestamp: null, labels },
    spec: { containers: [container], restartPolicy: restart, dnsPolicy: "ClusterFirst" },
    status: {},
  };
  if (!attach || str(p, "dry-run")) return yield* submit(p, k, findResource("pods"), pod);
  return yield* runAttached(p, k, pod, restart);
}

/** run -i/-t/--attach: create the pod, attach once it runs, then (--rm) delete it, as kubectl run does. */
function* runAttached(p: Parsed, k: Kube, pod: any, restart: string): KubectlRun {
  const pods = findResource("pods");
  const name: string = pod.metadata.name;
  const created = yield* awaitHost(
    k.api("POST", pods.path(k.namespace), { body: JSON.stringify(pod), headers: { "content-type": "application/json" } }),
  );
  if (created.status >= 400) throw new KubectlError(statusMessage(created));
  // Wait until it runs (or has already finished), as kubectl's --pod-running-timeout does.
  let live: any = JSON.parse(created.text);
  for (let i = 0; i < 240 && !["Running", "Succeeded", "Failed"].includes(live.status?.phase); i++) {
    yield { sleep: 250 };
    live = JSON.parse((yield* awaitHost(k.api("GET", pods.path(k.namespace, name)))).text);
  }
  if (!["Running", "Succeeded", "Failed"].includes(live.status?.phase))
    throw new KubectlError("error: timed out waiting for the condition");
  const stdin = bool(p, "stdin");
  let tty = bool(p, "tty");
  if (tty && (!stdin || !k.tty)) {
    if (!bool(p, "quiet")) k.io.stderr("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    tty = false;
  }
  let code = 0;
  if (live.status?.phase === "Running") {
    if (tty && !bool(p, "quiet")) k.io.stderr("If you don't see a command prompt, try pressing enter.\n");
    const query = withStreams(new URLSearchParams({ container: name }), stdin, tty);
    code = yield* stream(k, live, "attach", query, stdin, tty);
  } else {
    // Finished before it could be attached: its log is what it said.
    const log = yield* awaitHost(k.api("GET", `${pods.path(k.namespace, name)}/log?container=${encodeURIComponent(name)}`));
    if (log.status < 400) k.io.stdout(log.text);
  }
  if (restart === "Always")
    k.io.stderr(`Session ended, resume using 'kubectl attach ${name} -c ${name} -i -t' command when the pod is running\n`);
  else {
    // The container's exit code is the command's, once the pod has finished.
    for (let i = 0; i < 240; i++) {
      live = JSON.parse((yield* awaitHost(k.api("GET", pods.path(k.namespace, name)))).text);
      const terminated = live.status?.containerStatuses?.[0]?.state?.terminated;
      if (terminated) {
        code = terminated.exitCode ?? code;
        // A failed container is said so, with its reason (run.go's waitForPod result).
        if (code !== 0)
          k.io.stderr(
            `pod ${k.namespace}/${name} terminated (${terminated.reason})${terminated.message ? `\n${terminated.message}` : ""}\n`,
          );
        break;
      }
      if (restart === "OnFailure") break;
      yield { sleep: 250 };
    }
  }
  if (bool(p, "rm")) {
    const r = yield* awaitHost(
      k.api("DELETE", pods.path(k.namespace, name), {
        body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1" }),
        headers: { "content-type": "application/json" },
      }),
    );
    if (r.status < 400) k.io.stdout(`pod "${name}" deleted\n`);
  }
  return code;
}

export const run: Verb = { flags, run: runPod };
