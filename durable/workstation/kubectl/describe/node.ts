// NodeDescriber (describeNode, describeNodeLease, describeNodeResource).
import type { Lease } from "kubernetes-types/coordination/v1";
import type { Event, Node, Pod } from "kubernetes-types/core/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  errorText,
  goBool,
  LEVEL_0,
  LEVEL_1,
  type PrefixWriter,
  printAnnotationsMultiline,
  printLabelsMultiline,
  printNodeTaintsMultiline,
  Quantity,
  type ResourceList,
  resourceList,
  rfc1123z,
  searchEvents,
  since,
  sortStrings,
  statusCode,
  tabbedString,
} from "./format";
import { podRequestsAndLimits } from "./pod";

const LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE = "kubernetes.io/role";

/** findNodeRoles */
function findNodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== "") {
      roles.add(v);
    }
  }
  return sortStrings([...roles]);
}

/** NodeDescriber.Describe for a node already fetched. Reads the node's non-terminated pods (all
 *  namespaces, field selector), its Lease in kube-node-lease and its events (by uid and by name). */
export async function describeNode(node: Node, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const name = node.metadata?.name ?? "";
  let pods: Pod[] | undefined;
  let canViewPods = true;
  try {
    pods = (await reader.list("pods", undefined, {
      fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed`,
    })) as Pod[];
  } catch (err) {
    if (statusCode(err) !== 403) throw err;
    canViewPods = false;
  }
  let events: Event[] | undefined;
  if (opts.showEvents) {
    const ref = { kind: "Node", namespace: "", name, uid: node.metadata?.uid };
    events = await searchEvents(reader, ref);
    events = [...events, ...(await searchEvents(reader, { ...ref, uid: name }))];
  }
  let lease: Lease | undefined;
  let leaseError: string | undefined;
  try {
    lease = await reader.get("leases.coordination.k8s.io", "kube-node-lease", name);
    if (!lease) leaseError = `leases.coordination.k8s.io "${name}" not found`;
  } catch (err) {
    leaseError = errorText(err);
  }

  const spec = node.spec ?? {};
  const status = node.status ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${name}\n`);
    const roles = findNodeRoles(node);
    w.write(LEVEL_0, `Roles:\t${roles.length > 0 ? roles.join(",") : "<none>"}\n`);
    printLabelsMultiline(w, "Labels", node.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", node.metadata?.annotations);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(node.metadata?.creationTimestamp)}\n`);
    printNodeTaintsMultiline(w, "Taints", spec.taints);
    w.write(LEVEL_0, `Unschedulable:\t${goBool(spec.unschedulable)}\n`);
    if (lease) describeNodeLease(lease, w);
    else w.write(LEVEL_0, `Lease:\tFailed to get lease: ${leaseError}\n`);

    if (status.conditions?.length) {
      w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
      w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n");
      for (const c of status.conditions) {
        w.write(
          LEVEL_1,
          `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}\n`,
        );
      }
    }

    w.write(LEVEL_0, "Addresses:\n");
    for (const a of status.addresses ?? []) w.write(LEVEL_1, `${a.type}:\t${a.address}\n`);

    const printResourceList = (list: Record<string, unknown>) => {
      for (const r of sortStrings(Object.keys(list))) w.write(LEVEL_0, `  ${r}:\t${Quantity.parse(list[r]).toString()}\n`);
    };
    if (Object.keys(status.capacity ?? {}).length > 0) {
      w.write(LEVEL_0, "Capacity:\n");
      printResourceList(status.capacity ?? {});
    }
    if (Object.keys(status.allocatable ?? {}).length > 0) {
      w.write(LEVEL_0, "Allocatable:\n");
      printResourceList(status.allocatable ?? {});
    }

    const info = status.nodeInfo;
    w.write(LEVEL_0, "System Info:\n");
    w.write(LEVEL_0, `  Machine ID:\t${info?.machineID ?? ""}\n`);
    w.write(LEVEL_0, `  System UUID:\t${info?.systemUUID ?? ""}\n`);
    w.write(LEVEL_0, `  Boot ID:\t${info?.bootID ?? ""}\n`);
    w.write(LEVEL_0, `  Kernel Version:\t${info?.kernelVersion ?? ""}\n`);
    w.write(LEVEL_0, `  OS Image:\t${info?.osImage ?? ""}\n`);
    w.write(LEVEL_0, `  Operating System:\t${info?.operatingSystem ?? ""}\n`);
    w.write(LEVEL_0, `  Architecture:\t${info?.architecture ?? ""}\n`);
    w.write(LEVEL_0, `  Container Runtime Version:\t${info?.containerRuntimeVersion ?? ""}\n`);
    w.write(LEVEL_0, `  Kubelet Version:\t${info?.kubeletVersion ?? ""}\n`);
    w.write(LEVEL_0, `  Kube-Proxy Version:\t${info?.kubeProxyVersion ?? ""}\n`);

    if (spec.podCIDR) w.write(LEVEL_0, `PodCIDR:\t${spec.podCIDR}\n`);
    if (spec.podCIDRs?.length) w.write(LEVEL_0, `PodCIDRs:\t${spec.podCIDRs.join(",")}\n`);
    if (spec.providerID) w.write(LEVEL_0, `ProviderID:\t${spec.providerID}\n`);
    if (canViewPods && pods) describeNodeResource(pods, node, w, opts.now);
    else w.write(LEVEL_0, "Pods:\tnot authorized\n");
    if (events) describeEvents(events, w, opts.now);
  });
}

function describeNodeLease(lease: Lease, w: PrefixWriter) {
  w.write(LEVEL_0, "Lease:\n");
  w.write(LEVEL_1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? "<unset>"}\n`);
  w.write(LEVEL_1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : "<unset>"}\n`);
  w.write(LEVEL_1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : "<unset>"}\n`);
}

/** int64(float64) as Go converts on amd64: NaN and ±Inf become math.MinInt64. */
function int64(f: number): string {
  if (!Number.isFinite(f)) return "-9223372036854775808";
  return String(Math.trunc(f));
}

const get = (l: ResourceList, name: string) => l.get(name) ?? Quantity.zero();

function describeNodeResource(pods: Pod[], node: Node, w: PrefixWriter, now: number) {
  w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(LEVEL_1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  w.write(LEVEL_1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  const allocatableJson = Object.keys(node.status?.allocatable ?? {}).length > 0 ? node.status?.allocatable : node.status?.capacity;
  const allocatable = resourceList(allocatableJson);
  const allocCpu = get(allocatable, "cpu").milliValue();
  const allocMemory = get(allocatable, "memory").value();

  const reqs: ResourceList = new Map();
  const limits: ResourceList = new Map();
  for (const pod of pods) {
    const rl = podRequestsAndLimits(pod);
    const cpuReq = get(rl.reqs, "cpu");
    const cpuLimit = get(rl.limits, "cpu");
    const memReq = get(rl.reqs, "memory");
    const memLimit = get(rl.limits, "memory");
    const pct = (v: number, of: number) => int64((v / of) * 100);
    w.write(
      LEVEL_1,
      `${pod.metadata?.namespace ?? ""}\t${pod.metadata?.name ?? ""}\t\t${cpuReq} (${pct(cpuReq.milliValue(), allocCpu)}%)\t${cpuLimit} (${pct(cpuLimit.milliValue(), allocCpu)}%)\t${memReq} (${pct(memReq.value(), allocMemory)}%)\t${memLimit} (${pct(memLimit.value(), allocMemory)}%)\t${since(pod.metadata?.creationTimestamp, now)}\n`,
    );
    for (const [name, q] of rl.reqs) reqs.set(name, reqs.has(name) ? get(reqs, name).add(q) : q);
    for (const [name, q] of rl.limits) limits.set(name, limits.has(name) ? get(limits, name).add(q) : q);
  }

  w.write(LEVEL_0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
  w.write(LEVEL_1, "Resource\tRequests\tLimits\n");
  w.write(LEVEL_1, "--------\t--------\t------\n");
  const fraction = (v: Quantity, of: number, milli: boolean) => (of !== 0 ? ((milli ? v.milliValue() : v.value()) / of) * 100 : 0);
  const row = (name: string, r: Quantity, l: Quantity, of: number, milli: boolean) =>
    w.write(LEVEL_1, `${name}\t${r} (${int64(fraction(r, of, milli))}%)\t${l} (${int64(fraction(l, of, milli))}%)\n`);
  row("cpu", get(reqs, "cpu"), get(limits, "cpu"), allocCpu, true);
  row("memory", get(reqs, "memory"), get(limits, "memory"), allocMemory, false);
  row(
    "ephemeral-storage",
    get(reqs, "ephemeral-storage"),
    get(limits, "ephemeral-storage"),
    get(allocatable, "ephemeral-storage").value(),
    false,
  );

  const ext: string[] = [];
  const hugePages: string[] = [];
  for (const r of allocatable.keys()) {
    if (r.startsWith("hugepages-")) hugePages.push(r);
    else if (!["cpu", "memory", "ephemeral-storage"].includes(r) && r !== "pods") ext.push(r);
  }
  sortStrings(ext);
  sortStrings(hugePages);
  for (const r of hugePages) row(r, get(reqs, r), get(limits, r), get(allocatable, r).value(), false);
  for (const r of ext) w.write(LEVEL_1, `${r}\t${get(reqs, r)}\t${get(limits, r)}\n`);
}
