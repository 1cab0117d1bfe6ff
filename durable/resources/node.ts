// core/v1 Node: defaults (SetDefaults_NodeStatus), strategy (pkg/registry/core/node/strategy.go),
// validation (ValidateNode, ValidateNodeUpdate, validateNodeTaints) and printNode.
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, forbidden, invalid, isQualifiedName, isValidLabelValue, notSupported, required } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";
import { presentNode } from "./heartbeat";

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** %#v of a core.Taint, as the duplicate-taint error prints it. */
const goTaint = (t: Obj) =>
  `core.Taint{Key:${JSON.stringify(t.key ?? "")}, Value:${JSON.stringify(t.value ?? "")}, Effect:${JSON.stringify(t.effect ?? "")}, TimeAdded:<nil>}`;

/** validateNodeTaints. `field` is "metadata.taints" in the real code (sic). */
export function validateTaints(taints: Obj[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  taints.forEach((t, i) => {
    const f = `${field}[${i}]`;
    errs.push(...each(`${f}.key`, t.key ?? "", isQualifiedName(t.key ?? "")));
    const valueErrs = isValidLabelValue(t.value ?? "");
    if (valueErrs.length) errs.push(invalid(`${f}.value`, t.value ?? "", valueErrs.join(";")));
    if (!t.effect) errs.push(required(`${f}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
    const keys = seen.get(t.effect ?? "") ?? new Set<string>();
    if (keys.has(t.key ?? "")) {
      errs.push({
        type: "FieldValueDuplicate",
        field: f,
        message: `Duplicate value: ${goTaint(t)}: taints must be unique by key and effect pair`,
      });
      return;
    }
    keys.add(t.key ?? "");
    seen.set(t.effect ?? "", keys);
  });
  return errs;
}

function validateNode(node: Obj): FieldError[] {
  const errs = validateTaints(node.spec?.taints ?? [], "metadata.taints");
  const cidrs: string[] = node.spec?.podCIDRs ?? [];
  cidrs.forEach((c, i) => {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c))
      errs.push(invalid(`spec.podCIDRs[${i}]`, c, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  });
  return errs;
}

/** ValidateNodeUpdate (also used for status updates). */
function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs = validateTaints(node.spec?.taints ?? [], "metadata.taints");
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a: Obj, i: number) => {
    const key = `${a.type}/${a.address}`;
    if (seen.has(key))
      errs.push({
        type: "FieldValueDuplicate",
        field: `status.addresses[${i}]`,
        message: `Duplicate value: core.NodeAddress{Type:${JSON.stringify(a.type ?? "")}, Address:${JSON.stringify(a.address ?? "")}}`,
      });
    seen.add(key);
  });
  const before: string[] = old.spec?.podCIDRs ?? [];
  const after: string[] = node.spec?.podCIDRs ?? [];
  if (before.length && (before.length !== after.length || before.some((c, i) => c !== after[i])))
    errs.push(forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid'));
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID)
    errs.push(forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'));
  if ((old.spec?.externalID ?? "") !== (node.spec?.externalID ?? "")) errs.push(forbidden("spec.externalID", "may not be updated"));
  return errs;
}

/** findNodeRoles: node-role.kubernetes.io/<role> labels and the kubernetes.io/role label. */
export function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const role = k.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return [...roles].sort().join(",") || "<none>";
}

/** The STATUS column: Ready / NotReady / Unknown, plus SchedulingDisabled. */
export function nodeStatus(node: Obj): string {
  const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
  const status = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

const address = (node: Obj, type: string) => (node.status?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? "<none>";

const addressesDoc =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

const node: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  singular: "node",
  namespaced: false,
  shortNames: ["no"],
  subresources: { status: true },
  extraSubresources: [{ name: "proxy", kind: "NodeProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] }],
  openapi: "io.k8s.api.core.v1.Node",
  columns: [
    nameColumn,
    { name: "Status", type: "string", description: "The status of the node", priority: 0 },
    { name: "Roles", type: "string", description: "The roles of the node", priority: 0 },
    ageColumn,
    { name: "Version", type: "string", description: "Kubelet Version reported by the node.", priority: 0 },
    { name: "Internal-IP", type: "string", description: addressesDoc, priority: 1 },
    { name: "External-IP", type: "string", description: addressesDoc, priority: 1 },
    {
      name: "OS-Image",
      type: "string",
      description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
      priority: 1,
    },
    {
      name: "Kernel-Version",
      type: "string",
      description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      priority: 1,
    },
    {
      name: "Container-Runtime",
      type: "string",
      description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
      priority: 1,
    },
  ],
  row(node, ctx) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata?.name,
      nodeStatus(node),
      nodeRoles(node),
      age(node.metadata?.creationTimestamp, ctx.now),
      info.kubeletVersion ?? "",
      address(node, "InternalIP"),
      address(node, "ExternalIP"),
      info.osImage || "<unknown>",
      info.kernelVersion || "<unknown>",
      info.containerRuntimeVersion || "<unknown>",
    ];
  },
  defaults(node) {
    const status = node.status;
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },
  // Create keeps status (the kubelet registers with it); a main-resource update keeps the old status.
  prepareForUpdate(node, old) {
    node.status = structuredClone(old.status ?? {});
  },
  validate: (node) => validateNode(node),
  validateUpdate: validateNodeUpdate,
  validateStatusUpdate: validateNodeUpdate,
  // Lazy heartbeats: a running kubelet's lastHeartbeatTime is computed on read.
  present: (node, ctx) => presentNode(node, ctx.now),
  fieldSelectors: {
    "spec.unschedulable": (node) => String(!!node.spec?.unschedulable),
  },
};

export default node;
