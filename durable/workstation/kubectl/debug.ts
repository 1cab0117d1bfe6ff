// `kubectl debug` (k8s.io/kubectl/pkg/cmd/debug): an ephemeral container added to a running pod
// through its ephemeralcontainers subresource, a copy of a pod with a debugging container (or other
// images), or a pod in a node's host namespaces with its filesystem at /host — then, with -i, waited
// for and attached to as `kubectl attach` does (or its log shown if it has already finished).
import type { Container, ContainerStatus, EnvVar, EphemeralContainer, Node, Pod } from "kubernetes-types/core/v1";
import { parse as parseYaml } from "yaml";
import { applyStrategicMergePatch, PatchError, schemaFor } from "../../api/patch/strategic";
import { resolvePath } from "../../fs";
import type { HostPause } from "../../shell/types";
import { DEFINITIONS } from "../../openapi/unknown-fields";
import { randomString } from "../../resources/podtemplate";
import { type Parsed, bool, str, strs } from "./args";
import { awaitHost, findResource, KubectlError, statusMessage, watchEvents } from "./client";
import { applyProfile, type KeepFlags, PROFILES, type Profile } from "./debug-profiles";
import { stream, withStreams } from "./exec";
import { readManifests } from "./manifests";
import type { Kube, KubectlRun, Verb } from "./types";

const LEGACY_WARNING =
  '--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".';

/** distribution/reference's ReferenceRegexp, anchored: what kubectl accepts as an image name. */
const IMAGE_REFERENCE = (() => {
  const alnum = "[a-z0-9]+";
  const component = `${alnum}(?:(?:[._]|__|[-]+)${alnum})*`;
  const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
  const name = `(?:${host}(?::[0-9]+)?/)?${component}(?:/${component})*`;
  const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  return new RegExp(`^${name}(?::[\\w][\\w.-]{0,127})?(?:@${digest})?$`);
})();

export const isImageReference = (image: string) => IMAGE_REFERENCE.test(image);

/** The options as Complete leaves them. */
interface Options {
  targets: string[];
  files: string[];
  args: string[];
  argsOnly: boolean;
  attach: boolean;
  attachGiven: boolean;
  container: string;
  copyTo: string;
  replace: boolean;
  env: EnvVar[];
  image: string;
  interactive: boolean;
  tty: boolean;
  quiet: boolean;
  pullPolicy: string;
  sameNode: boolean;
  setImages: [string, string][];
  /** --share-processes, when it was given (a copy changes shareProcessNamespace only then). */
  shareProcesses?: boolean;
  target: string;
  profile: Profile;
  keep: KeepFlags;
  custom?: Record<string, unknown>;
}

/** A StringToString flag's pairs (`--env a=b,c=d`, repeatable), in the order given. */
function pairs(values: string[], flag: string): [string, string][] {
  return values
    .flatMap((v) => v.split(","))
    .map((kv) => {
      const eq = kv.indexOf("=");
      if (eq < 0)
        throw new KubectlError(
          `error: invalid argument "${kv}" for "--${flag}" flag: ${kv} must be formatted as key=value\nSee 'kubectl debug --help' for usage.`,
        );
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    });
}

/** Complete: the flags read, the profile found, the custom profile's file loaded. */
function complete(p: Parsed, k: Kube): Options {
  const interactive = bool(p, "stdin");
  const profile = str(p, "profile") ?? "legacy";
  const o: Options = {
    targets: p.args,
    files: strs(p, "filename"),
    args: p.dash ?? [],
    argsOnly: bool(p, "arguments-only"),
    attach: p.flags.has("attach") ? bool(p, "attach") : interactive,
    attachGiven: p.flags.has("attach"),
    container: str(p, "container") ?? "",
    copyTo: str(p, "copy-to") ?? "",
    replace: bool(p, "replace"),
    env: pairs(strs(p, "env"), "env").map(([name, value]) => ({ name, value })),
    image: str(p, "image") ?? "",
    interactive,
    tty: bool(p, "tty"),
    quiet: bool(p, "quiet"),
    pullPolicy: str(p, "image-pull-policy") ?? "",
    sameNode: bool(p, "same-node"),
    setImages: pairs(strs(p, "set-image"), "set-image"),
    shareProcesses: p.flags.has("share-processes") ? bool(p, "share-processes") : undefined,
    target: str(p, "target") ?? "",
    profile: profile as Profile,
    keep: {
      labels: bool(p, "keep-labels"),
      annotations: bool(p, "keep-annotations"),
      liveness: bool(p, "keep-liveness"),
      readiness: bool(p, "keep-readiness"),
      startup: bool(p, "keep-startup"),
      initContainers: p.flags.has("keep-init-containers") ? bool(p, "keep-init-containers") : true,
    },
  };
  if (!(PROFILES as readonly string[]).includes(profile)) throw new KubectlError(`error: unknown profile: ${profile}`);
  const custom = str(p, "custom");
  if (custom) o.custom = customProfile(k, custom);
  return o;
}

/** --custom: a partial container spec, JSON or else YAML. */
function customProfile(k: Kube, file: string): Record<string, unknown> {
  const text = k.fs.read(resolvePath(file, k.cwd));
  if (text === undefined)
    throw new KubectlError(`error: must pass a container spec json file for custom profile: open ${file}: no such file or directory`);
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch {
    try {
      spec = parseYaml(text);
    } catch (e) {
      throw new KubectlError(`error: ${file} does not contain a valid container spec: ${(e as Error).message}`);
    }
  }
  if (spec !== null && (typeof spec !== "object" || Array.isArray(spec)))
    throw new KubectlError(`error: ${file} does not contain a valid container spec: cannot unmarshal into a Container`);
  return (spec ?? {}) as Record<string, unknown>;
}

/** Validate, in its order: it also says which container it targets, and warns of the legacy profile. */
function validate(o: Options, k: Kube): void {
  const fail = (message: string): never => {
    throw new KubectlError(`error: ${message}`);
  };
  if (o.attach && o.attachGiven && !o.image && !o.container)
    fail("you must specify --container or create a new container using --image in order to attach.");
  if (o.copyTo) {
    if (!o.image && !o.setImages.length && !o.args.length) fail("you must specify --image, --set-image or command arguments.");
    if (o.args.length && !o.container && !o.image) fail("you must specify an existing container or a new image when specifying args.");
  } else if (o.replace) fail("--replace may only be used with --copy-to.");
  else if (o.sameNode) fail("--same-node may only be used with --copy-to.");
  else if (o.setImages.length) fail("--set-image may only be used with --copy-to.");
  else if (!o.image) fail("you must specify --image when not using --copy-to.");
  if (o.image && !isImageReference(o.image)) fail(`invalid image name "${o.image}": invalid reference format`);
  if (!o.targets.length && !o.files.length) fail("NAME or filename is required for debug");
  if (!["Always", "IfNotPresent", "Never", ""].includes(o.pullPolicy)) fail(`invalid image pull policy: ${o.pullPolicy}`);
  for (const [name, image] of o.setImages)
    if (!isImageReference(image)) fail(`invalid image name "${image}" for container "${name}": invalid reference format`);
  if (o.target) {
    if (o.copyTo) fail("--target is incompatible with --copy-to. Use --share-processes instead.");
    if (!o.quiet)
      k.io.stdout(
        `Targeting container "${o.target}". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n`,
      );
  }
  if (o.tty && !o.interactive) fail("-i/--stdin is required for containers with -t/--tty=true");
  const c = o.custom;
  if (
    c &&
    (c.name ||
      (Array.isArray(c.command) && c.command.length) ||
      c.image ||
      c.lifecycle ||
      (Array.isArray(c.volumeDevices) && c.volumeDevices.length))
  )
    fail("name, command, image, lifecycle and volume devices are not modifiable via custom profile");
  if (o.profile === "legacy") k.io.stderr(`${LEGACY_WARNING}\n`);
}

// ---- what is debugged: the builder's objects, pods by default ----

interface Visited {
  kind: string;
  group: string;
  version: string;
  obj: Pod | Node;
}

type Step<T> = Generator<HostPause, T, void>;

/** The targets in the builder's order: -f's objects, then each NAME (a pod) or TYPE/NAME, read when visited. */
function targetsOf(o: Options, k: Kube): (() => Step<Visited>)[] {
  const fromFiles = o.files.length ? readManifests(k, o.files) : [];
  // Every type is mapped before any object is read, as the builder does.
  const named = o.targets.map((t) => {
    const slash = t.indexOf("/");
    return slash < 0
      ? { resource: findResource("pods"), name: t }
      : { resource: findResource(t.slice(0, slash)), name: t.slice(slash + 1) };
  });
  return [
    ...fromFiles.map(
      (m) =>
        // biome-ignore lint/correctness/useYield: a file's object is there already
        function* (): Step<Visited> {
          const { kind, group, version } = m.resource.def;
          return { kind, group, version, obj: m.obj };
        },
    ),
    ...named.map(
      ({ resource, name }) =>
        function* (): Step<Visited> {
          const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
          if (r.status >= 400) throw new KubectlError(statusMessage(r));
          const { kind, group, version } = resource.def;
          return { kind, group, version, obj: JSON.parse(r.text) };
        },
    ),
  ];
}

// ---- the debugging container and pods (generateDebugContainer, generateNodeDebugPod, generatePodCopyWithDebugContainer) ----

/** containerNameToRef: every name the pod's containers, init and ephemeral ones included, use. */
const namesIn = (pod: Pod) =>
  new Set(
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name),
  );

/** computeDebugContainerName: -c, else debugger-<5 random> not yet taken, said unless -q. */
function debugContainerName(o: Options, k: Kube, pod: Pod): string {
  if (o.container) return o.container;
  const taken = namesIn(pod);
  let name = "";
  while (!name || taken.has(name)) name = `debugger-${randomString(5)}`;
  if (!o.quiet) k.io.stdout(`Defaulting debug container name to ${name}.\n`);
  return name;
}

/** The command (or with --arguments-only, the args) after `--`. */
const commandOf = (o: Options) => (o.args.length ? (o.argsOnly ? { args: o.args } : { command: o.args }) : {});

/** A --custom profile merged into the debugging container, as a strategic merge patch of a Container. */
function applyCustom(o: Options, container: Container | EphemeralContainer, name: string): Container {
  if (!o.custom) return container as Container;
  try {
    return applyStrategicMergePatch(
      container,
      { ...o.custom, name },
      schemaFor(DEFINITIONS as never, "io.k8s.api.core.v1.Container"),
    ) as unknown as Container;
  } catch (e) {
    if (e instanceof PatchError) throw new KubectlError(`error: error creating three way patch to add debug container: ${e.message}`);
    throw e;
  }
}

export function ephemeralDebugPod(o: Options, pod: Pod, name: string): { pod: Pod; container: EphemeralContainer } {
  const ec: EphemeralContainer = {
    name,
    image: o.image,
    ...commandOf(o),
    ...(o.env.length ? { env: o.env } : {}),
    resources: {},
    terminationMessagePolicy: "File",
    ...(o.pullPolicy ? { imagePullPolicy: o.pullPolicy } : {}),
    ...(o.interactive ? { stdin: true } : {}),
    ...(o.tty ? { tty: true } : {}),
    ...(o.target ? { targetContainerName: o.target } : {}),
  };
  const copied: Pod = structuredClone(pod);
  copied.spec!.ephemeralContainers = [...(copied.spec!.ephemeralContainers ?? []), ec];
  applyProfile(o.profile, "ephemeral", copied, name, o.keep);
  const list = copied.spec!.ephemeralContainers;
  list[list.length - 1] = applyCustom(o, list[list.length - 1], name) as EphemeralContainer;
  return { pod: copied, container: list[list.length - 1] };
}

export function nodeDebugPod(o: Options, k: Kube, node: Node): Pod {
  const container = o.container || "debugger";
  const name = `node-debugger-${node.metadata?.name}-${randomString(5)}`;
  if (!o.quiet) k.io.stdout(`Creating debugging pod ${name} with container ${container} on node ${node.metadata?.name}.\n`);
  const pod: Pod = {
    metadata: { name },
    spec: {
      containers: [
        {
          name: container,
          ...commandOf(o),
          ...(o.env.length ? { env: o.env } : {}),
          image: o.image,
          ...(o.pullPolicy ? { imagePullPolicy: o.pullPolicy } : {}),
          ...(o.interactive ? { stdin: true } : {}),
          terminationMessagePolicy: "File",
          ...(o.tty ? { tty: true } : {}),
        },
      ],
      nodeName: node.metadata?.name,
      restartPolicy: "Never",
      tolerations: [{ operator: "Exists" }],
    },
  };
  applyProfile(o.profile, "node", pod, container, o.keep);
  pod.spec!.containers[0] = applyCustom(o, pod.spec!.containers[0], container);
  return pod;
}

/** The copy and its debugging container's name ("" for a --set-image only copy, which has none). */
export function podCopy(o: Options, k: Kube, pod: Pod): { pod: Pod; container: string } {
  const copied: Pod = {
    metadata: {
      name: o.copyTo,
      namespace: pod.metadata?.namespace,
      ...(pod.metadata?.labels ? { labels: pod.metadata.labels } : {}),
      ...(pod.metadata?.annotations ? { annotations: pod.metadata.annotations } : {}),
    },
    spec: structuredClone(pod.spec!),
  };
  const spec = copied.spec!;
  delete spec.ephemeralContainers;
  if (o.shareProcesses !== undefined) spec.shareProcessNamespace = o.shareProcesses;
  if (!o.sameNode) delete spec.nodeName;
  const images = new Map(o.setImages);
  for (const c of spec.containers) {
    const image = images.get(c.name) || images.get("*");
    if (image) c.image = image;
  }
  let name = o.container;
  let c = [...spec.containers, ...(spec.initContainers ?? [])].find((x) => x.name === name);
  if (!c) {
    if (!o.image) {
      if (o.setImages.length) return { pod: copied, container: "" };
      throw new KubectlError("error: you must specify image when creating new container");
    }
    if (!name) name = debugContainerName(o, k, copied);
    c = { name, terminationMessagePolicy: "File" };
    spec.containers.push(c);
  }
  if (o.args.length) {
    if (o.argsOnly) c.args = o.args;
    else {
      c.command = o.args;
      delete c.args;
    }
  }
  if (o.env.length) c.env = o.env;
  if (o.image) c.image = o.image;
  if (o.pullPolicy) c.imagePullPolicy = o.pullPolicy;
  c.stdin = o.interactive || undefined;
  c.tty = o.tty || undefined;
  applyProfile(o.profile, "podCopy", copied, c.name, o.keep);
  const at = spec.containers.findIndex((x) => x.name === c.name);
  if (o.custom) {
    if (at < 0) throw new KubectlError(`error: unable to find the ${name} container in the pod ${o.copyTo}`);
    spec.containers[at] = applyCustom(o, spec.containers[at], name);
  }
  return { pod: copied, container: name };
}

/** displayWarning: a non-root pod may not grant what the profile gives its debugging container. */
function warnNonRoot(k: Kube, container: Container | undefined, pod: Pod): void {
  const podUser = pod.spec?.securityContext?.runAsUser;
  const sc = container?.securityContext;
  if (!container || !podUser || !sc || sc.runAsUser === 0) return;
  if (!sc.privileged && !sc.capabilities?.add?.length) return;
  k.io.stderr(
    'Warning: Non-root user is configured for the entire target Pod, and some capabilities granted by debug profile may not work. Please consider using "--custom" with a custom profile that specifies "securityContext.runAsUser: 0".\n',
  );
}

const json = { "content-type": "application/json" };

function* debugByEphemeralContainer(o: Options, k: Kube, pod: Pod): Step<{ pod: Pod; container: string }> {
  const name = debugContainerName(o, k, pod);
  const { container } = ephemeralDebugPod(o, pod, name);
  warnNonRoot(k, container as Container, pod);
  // CreateTwoWayMergePatch of the pod and its debugging copy: the new container, merged by name.
  const existing = pod.spec?.ephemeralContainers ?? [];
  const patch = {
    spec: {
      ...(existing.length ? { "$setElementOrder/ephemeralContainers": [...existing, container].map((c) => ({ name: c.name })) } : {}),
      ephemeralContainers: [container],
    },
  };
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? "")}/pods/${encodeURIComponent(pod.metadata?.name ?? "")}/ephemeralcontainers`;
  const r = yield* awaitHost(
    k.api("PATCH", path, { body: JSON.stringify(patch), headers: { "content-type": "application/strategic-merge-patch+json" } }),
  );
  if (r.status >= 400) {
    // A 404 without a name is the subresource missing, not the pod.
    const st = safeJson(r.text);
    if (st?.reason === "NotFound" && !st.details?.name)
      throw new KubectlError(
        `error: ephemeral containers are disabled for this cluster (error from server: ${JSON.stringify(st.message ?? "")})`,
      );
    throw new KubectlError(statusMessage(r));
  }
  return { pod: JSON.parse(r.text), container: name };
}

function safeJson(text: string): { reason?: string; message?: string; details?: { name?: string } } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function* create(k: Kube, namespace: string, pod: Pod): Step<Pod> {
  const r = yield* awaitHost(
    k.api("POST", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { body: JSON.stringify(pod), headers: json }),
  );
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  return JSON.parse(r.text);
}

function* debugByCopy(o: Options, k: Kube, pod: Pod): Step<{ pod: Pod; container: string }> {
  const { pod: copied, container } = podCopy(o, k, pod);
  warnNonRoot(
    k,
    copied.spec?.containers.find((c) => c.name === container),
    copied,
  );
  const created = yield* create(k, copied.metadata?.namespace ?? k.namespace, copied);
  if (o.replace) {
    const r = yield* awaitHost(
      k.api("DELETE", `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, {
        body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 }),
        headers: json,
      }),
    );
    if (r.status >= 400) throw new KubectlError(statusMessage(r));
  }
  return { pod: created, container };
}

// ---- -i: wait for the container, then attach (handleAttachPod) ----

/** The status of `name` among the pod's init, app and ephemeral containers. */
function statusOf(pod: Pod, name: string): ContainerStatus | undefined {
  const st = pod.status;
  return [...(st?.initContainerStatuses ?? []), ...(st?.containerStatuses ?? []), ...(st?.ephemeralContainerStatuses ?? [])].find(
    (s) => s.name === name,
  );
}

/** The container spec as FindContainerByName finds it, and whether it is an ephemeral one. */
function containerSpec(pod: Pod, name: string): { spec?: Container; ephemeral: boolean } {
  const s = pod.spec;
  const plain = [...(s?.containers ?? []), ...(s?.initContainers ?? [])].find((c) => c.name === name);
  if (plain) return { spec: plain, ephemeral: false };
  const eph = (s?.ephemeralContainers ?? []).find((c) => c.name === name);
  return { spec: eph as Container | undefined, ephemeral: !!eph };
}

/** A warning as kubectl's WarningPrinter prints it: its label yellow on a colour terminal. */
function warn(k: Kube, message: string): void {
  const color = !!k.tty && k.env.TERM !== "dumb" && !("NO_COLOR" in k.env);
  k.io.stderr(color ? `\x1b[33;1mWarning:\x1b[0m ${message}\n` : `Warning: ${message}\n`);
}

/** waitForContainer: list and watch the pod until the container runs or has ended, saying why it waits. */
function* waitForContainer(o: Options, k: Kube, namespace: string, podName: string, container: string): Step<Pod> {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  const selector = new URLSearchParams({ fieldSelector: `metadata.name=${podName}` });
  const done = (pod: Pod) => {
    const s = statusOf(pod, container);
    if (!s) return false;
    if (s.state?.running || s.state?.terminated) return true;
    if (!o.quiet && s.state?.waiting?.message) warn(k, `container ${container}: ${s.state.waiting.message}`);
    return false;
  };
  for (;;) {
    const list = yield* awaitHost(k.api("GET", `${base}?${selector}`));
    if (list.status >= 400) throw new KubectlError(statusMessage(list));
    const listed = JSON.parse(list.text);
    for (const pod of listed.items ?? []) if (done(pod)) return pod;
    const q = new URLSearchParams(selector);
    q.set("watch", "true");
    q.set("resourceVersion", listed.metadata?.resourceVersion ?? "0");
    const abort = new AbortController();
    let found: Pod | undefined;
    let gone = false;
    try {
      yield* awaitHost(
        k.api("GET", `${base}?${q}`, {
          signal: abort.signal,
          stream: watchEvents((event) => {
            if (found || gone) return;
            if (event.type === "DELETED") gone = true;
            else if (event.type !== "ERROR" && event.type !== "BOOKMARK" && done(event.object)) found = event.object;
            if (found || gone) abort.abort();
          }),
        }),
      );
    } finally {
      abort.abort();
    }
    if (gone) throw new KubectlError('Error from server (NotFound): pods "" not found');
    if (found) return found;
    // The watch ended (the server's timeout): list again, as an informer does.
  }
}

/** logOpts: the container's log, when it cannot (or can no longer) be attached to. */
function* showLog(k: Kube, pod: Pod, container: string): KubectlRun {
  const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/log?${new URLSearchParams({ container })}`;
  const r = yield* awaitHost(k.api("GET", path));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  k.io.stdout(r.text);
  return 0;
}

function* attachTo(o: Options, k: Kube, namespace: string, podName: string, container: string): KubectlRun {
  const pod = yield* waitForContainer(o, k, namespace, podName, container);
  if (statusOf(pod, container)?.state?.terminated) return yield* showLog(k, pod, container);
  const { spec, ephemeral } = containerSpec(pod, container);
  // AttachOptions.Run: the container's own tty decides, then SetupTTY whether this terminal can be raw.
  let tty = o.tty;
  if (tty && !spec?.tty) {
    tty = false;
    if (!o.quiet) k.io.stderr(`error: Unable to use a TTY - container ${container} did not allocate one\n`);
  } else if (!tty && spec?.tty) tty = true;
  if (!o.interactive) tty = false;
  else if (tty && !k.tty) {
    tty = false;
    if (!o.quiet) k.io.stderr("Unable to use a TTY - input is not a terminal or the right kind of file\n");
  }
  if (!o.quiet) k.io.stderr("If you don't see a command prompt, try pressing enter.\n");
  const query = withStreams(new URLSearchParams({ container }), o.interactive, tty);
  let failure: string | undefined;
  try {
    const code = yield* stream(k, pod, "attach", query, o.interactive, tty);
    if (code !== 0) failure = `command terminated with exit code ${code}`;
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
    failure = e.text.replace(/^error: /, "");
  }
  if (failure) {
    k.io.stderr(`warning: couldn't attach to pod/${podName}, falling back to streaming logs: ${failure}\n`);
    return yield* showLog(k, pod, container);
  }
  // reattachMessage: only after a raw terminal session of a pod that restarts its containers.
  if (!o.quiet && o.interactive && tty && pod.spec?.restartPolicy === "Always")
    k.io.stdout(
      ephemeral
        ? `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach ${podName} -c ${container} -i -t' if it is still running\n`
        : `Session ended, resume using 'kubectl attach ${podName} -c ${container} -i -t' command when the pod is running\n`,
    );
  return 0;
}

// ---- the command ----

function* debugRun(p: Parsed, k: Kube): KubectlRun {
  const o = complete(p, k);
  validate(o, k);
  for (const fetch of targetsOf(o, k)) {
    const { kind, group, version, obj } = yield* fetch();
    let made: { pod: Pod; container: string };
    if (kind === "Node") made = { pod: yield* create(k, k.namespace, nodeDebugPod(o, k, obj as Node)), container: "" };
    else if (kind === "Pod") made = o.copyTo ? yield* debugByCopy(o, k, obj as Pod) : yield* debugByEphemeralContainer(o, k, obj as Pod);
    else throw new KubectlError(`error: "${group}/${version}, Kind=${kind}" not supported by debug`);
    const container = kind === "Node" ? (made.pod.spec?.containers[0]?.name ?? "") : made.container;
    if (o.attach && container) yield* attachTo(o, k, made.pod.metadata?.namespace ?? k.namespace, made.pod.metadata?.name ?? "", container);
  }
  return 0;
}

export const debug: Verb = {
  flags: [
    { name: "filename", short: "f", kind: "strings" },
    { name: "arguments-only", kind: "bool" },
    { name: "attach", kind: "bool" },
    { name: "container", short: "c", kind: "string" },
    { name: "copy-to", kind: "string" },
    { name: "replace", kind: "bool" },
    { name: "env", kind: "strings" },
    { name: "image", kind: "string" },
    { name: "keep-labels", kind: "bool" },
    { name: "keep-annotations", kind: "bool" },
    { name: "keep-liveness", kind: "bool" },
    { name: "keep-readiness", kind: "bool" },
    { name: "keep-startup", kind: "bool" },
    { name: "keep-init-containers", kind: "bool" },
    { name: "set-image", kind: "strings" },
    { name: "image-pull-policy", kind: "string" },
    { name: "stdin", short: "i", kind: "bool" },
    { name: "quiet", short: "q", kind: "bool" },
    { name: "same-node", kind: "bool" },
    { name: "share-processes", kind: "bool" },
    { name: "target", kind: "string" },
    { name: "tty", short: "t", kind: "bool" },
    { name: "profile", kind: "string" },
    { name: "custom", kind: "string" },
  ],
  run: debugRun,
};
