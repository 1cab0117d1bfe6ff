// kubectl debug's profiles (k8s.io/kubectl/pkg/cmd/debug/profiles.go): what each one changes in the
// debugging pod for each way of debugging — an ephemeral container in the pod, a copy of the pod, or
// a pod on a node. Pure functions over the pod about to be sent.
import type { Capabilities, Container, Pod, PodSpec, SecurityContext } from "kubernetes-types/core/v1";

export const PROFILES = ["legacy", "general", "baseline", "restricted", "netadmin", "sysadmin"] as const;
export type Profile = (typeof PROFILES)[number];

export type DebugStyle = "ephemeral" | "podCopy" | "node";

/** The --keep-* flags: what a copy of the pod keeps. */
export interface KeepFlags {
  labels: boolean;
  annotations: boolean;
  liveness: boolean;
  readiness: boolean;
  startup: boolean;
  initContainers: boolean;
}

// A container as a profile sees it: ephemeral ones carry the same fields.
type AnyContainer = Container & { securityContext?: SecurityContext };

/** podutils.VisitContainers: init containers, then containers, then (all) ephemeral ones; the first named `name`. */
function containerNamed(spec: PodSpec, name: string, withEphemeral: boolean): AnyContainer | undefined {
  const visit: AnyContainer[] = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((withEphemeral ? spec.ephemeralContainers : []) ?? []),
  ];
  return visit.find((c) => c.name === name);
}

const securityContextOf = (c: AnyContainer): SecurityContext => {
  c.securityContext ??= {};
  return c.securityContext;
};
const capabilitiesOf = (c: AnyContainer): Capabilities => {
  const sc = securityContextOf(c);
  sc.capabilities ??= {};
  return sc.capabilities;
};

function withContainer(pod: Pod, name: string, change: (c: AnyContainer) => void): void {
  const c = containerNamed(pod.spec!, name, true);
  if (c) change(c);
}

/** mountRootPartition: the node's / at /host (in a container, not an ephemeral one). */
function mountRootPartition(pod: Pod, name: string): void {
  const spec = pod.spec!;
  spec.volumes = [...(spec.volumes ?? []), { name: "host-root", hostPath: { path: "/" } }];
  const c = containerNamed(spec, name, false);
  if (c) c.volumeMounts = [...(c.volumeMounts ?? []), { mountPath: "/host", name: "host-root" }];
}

function useHostNamespaces(pod: Pod): void {
  Object.assign(pod.spec!, { hostNetwork: true, hostPID: true, hostIPC: true });
}

function shareProcessNamespace(pod: Pod): void {
  pod.spec!.shareProcessNamespace ??= true;
}

const clearSecurityContext = (pod: Pod, name: string) => withContainer(pod, name, (c) => delete c.securityContext);
const setPrivileged = (pod: Pod, name: string) => withContainer(pod, name, (c) => void (securityContextOf(c).privileged = true));
const disallowRoot = (pod: Pod, name: string) => withContainer(pod, name, (c) => void (securityContextOf(c).runAsNonRoot = true));
const disallowPrivilegeEscalation = (pod: Pod, name: string) =>
  withContainer(pod, name, (c) => void (securityContextOf(c).allowPrivilegeEscalation = false));
const setSeccompProfile = (pod: Pod, name: string) =>
  withContainer(pod, name, (c) => void (securityContextOf(c).seccompProfile = { type: "RuntimeDefault" }));
const dropCapabilities = (pod: Pod, name: string) =>
  withContainer(pod, name, (c) => {
    const caps = capabilitiesOf(c);
    caps.drop = ["ALL"];
    delete caps.add;
  });
const addCapabilities = (pod: Pod, name: string, ...add: string[]) =>
  withContainer(pod, name, (c) => {
    const caps = capabilitiesOf(c);
    caps.add = [...(caps.add ?? []), ...add];
  });

/** What a copy drops unless kept (KeepFlags' Remove* methods). */
function removeUnkept(pod: Pod, keep: KeepFlags): void {
  if (!keep.labels) delete pod.metadata!.labels;
  if (!keep.annotations) delete pod.metadata!.annotations;
  for (const c of pod.spec!.containers ?? []) {
    if (!keep.liveness) delete c.livenessProbe;
    if (!keep.readiness) delete c.readinessProbe;
    if (!keep.startup) delete c.startupProbe;
  }
  if (!keep.initContainers) delete pod.spec!.initContainers;
}

/** ProfileApplier.Apply: the profile's changes to `pod` for debugging `name` in `style`. */
export function applyProfile(profile: Profile, style: DebugStyle, pod: Pod, name: string, keep: KeepFlags): void {
  switch (profile) {
    case "legacy":
      if (style === "node") {
        mountRootPartition(pod, name);
        useHostNamespaces(pod);
      } else if (style === "podCopy") delete pod.metadata!.labels; // legacy drops them even with --keep-labels
      return;
    case "general":
      if (style === "node") {
        mountRootPartition(pod, name);
        clearSecurityContext(pod, name);
        useHostNamespaces(pod);
      } else if (style === "podCopy") {
        removeUnkept(pod, keep);
        addCapabilities(pod, name, "SYS_PTRACE");
        shareProcessNamespace(pod);
      } else addCapabilities(pod, name, "SYS_PTRACE");
      return;
    case "baseline":
      clearSecurityContext(pod, name);
      if (style === "podCopy") {
        removeUnkept(pod, keep);
        shareProcessNamespace(pod);
      }
      return;
    case "restricted":
      clearSecurityContext(pod, name);
      disallowRoot(pod, name);
      dropCapabilities(pod, name);
      disallowPrivilegeEscalation(pod, name);
      setSeccompProfile(pod, name);
      if (style === "podCopy") {
        removeUnkept(pod, keep);
        shareProcessNamespace(pod);
      }
      return;
    case "netadmin":
      addCapabilities(pod, name, "NET_ADMIN", "NET_RAW");
      if (style === "node") useHostNamespaces(pod);
      else if (style === "podCopy") {
        removeUnkept(pod, keep);
        shareProcessNamespace(pod);
      }
      return;
    case "sysadmin":
      setPrivileged(pod, name);
      if (style === "node") {
        useHostNamespaces(pod);
        mountRootPartition(pod, name);
      } else if (style === "podCopy") {
        removeUnkept(pod, keep);
        shareProcessNamespace(pod);
      }
      return;
  }
}
