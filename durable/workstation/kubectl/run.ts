// `kubectl run NAME --image=IMAGE [-- ARGS…]`: one pod, as kubectl's run command builds it.
import { type Parsed, bool, int, str, strs } from "./args";
import { findResource, KubectlError } from "./client";
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
  if (bool(p, "stdin") || bool(p, "tty") || bool(p, "attach") || bool(p, "rm")) throw k.notYet("kubectl run -i/-t/--rm (attaching)");
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
  };
  const pod = {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, creationTimestamp: null, labels },
    spec: { containers: [container], restartPolicy: restart, dnsPolicy: "ClusterFirst" },
    status: {},
  };
  return yield* submit(p, k, findResource("pods"), pod);
}

export const run: Verb = { flags, run: runPod };
