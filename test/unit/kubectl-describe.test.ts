// `kubectl describe` (durable/workstation/kubectl/describe) against real captures: for each fixture,
// kubectl 1.33.1 ran `describe` against a kubeplay cluster and the objects it read were saved in
// the same second (`now` is the time just before the command ran), so every Age matches as is.
import { describe, expect, it } from "vitest";
import { fieldMatches, matches, parseFieldSelector, parseLabelSelector } from "../../durable/api/selectors";
import { type DescribeReader, describeGeneric, describerFor } from "../../durable/workstation/kubectl/describe/index";
import { goSort, humanDuration, Quantity, TabWriter } from "../../durable/workstation/kubectl/describe/format";
import captured from "./kubectl-describe.fixtures.json";

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string };
  [k: string]: unknown;
}
interface Fixture {
  args: string;
  now: number;
  output: string;
  objects: number[];
}

const pool = captured.objects as unknown as Obj[];
const fixtures = captured.fixtures as unknown as Record<string, Fixture>;

/** What each resource name the describers ask for lists. */
const KINDS: Record<string, string> = {
  pods: "Pod",
  events: "Event",
  secrets: "Secret",
  "replicasets.apps": "ReplicaSet",
  "endpointslices.discovery.k8s.io": "EndpointSlice",
  "leases.coordination.k8s.io": "Lease",
};

const fieldOf = (o: unknown, path: string): string => {
  let v: unknown = o;
  for (const p of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[p];
  return v === undefined || v === null ? "" : String(v);
};

/** A DescribeReader over captured objects, in the order the API listed them; kubeplay serves no
 *  ResourceQuotas or LimitRanges, so those lists answer 404 as the server does. */
function capturedReader(objects: Obj[], calls: string[] = []): DescribeReader {
  const ofResource = (resource: string) => {
    const kind = KINDS[resource];
    if (!kind) throw Object.assign(new Error("the server could not find the requested resource"), { code: 404 });
    return objects.filter((o) => o.kind === kind);
  };
  return {
    async get(resource, namespace, name) {
      calls.push(`get ${resource} ${namespace ?? "*"} ${name}`);
      const o = ofResource(resource).find((o) => o.metadata.name === name && (o.metadata.namespace ?? "") === (namespace ?? ""));
      return o && structuredClone(o);
    },
    async list(resource, namespace, opts) {
      calls.push(`list ${resource} ${namespace ?? "*"} ${opts?.labelSelector ?? ""} ${opts?.fieldSelector ?? ""}`);
      const labels = parseLabelSelector(opts?.labelSelector ?? "");
      const fields = parseFieldSelector(opts?.fieldSelector ?? "");
      return ofResource(resource)
        .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
        .filter((o) => matches(labels, o.metadata.labels) && fieldMatches(fields, (f) => fieldOf(o, f)))
        .map((o) => structuredClone(o));
    },
  };
}

const KIND_OF: Record<string, string> = {
  pod: "Pod",
  deployment: "Deployment",
  replicaset: "ReplicaSet",
  service: "Service",
  node: "Node",
  namespace: "Namespace",
  configmap: "ConfigMap",
  secret: "Secret",
  serviceaccount: "ServiceAccount",
  job: "Job",
  cronjob: "CronJob",
  daemonset: "DaemonSet",
  endpoints: "Endpoints",
  endpointslice: "EndpointSlice",
  replicationcontroller: "ReplicationController",
  lease: "Lease",
  controllerrevision: "ControllerRevision",
  event: "Event",
  persistentvolume: "PersistentVolume",
  persistentvolumeclaim: "PersistentVolumeClaim",
  storageclass: "StorageClass",
};

async function describeFixture(fx: Fixture, calls?: string[]): Promise<string> {
  const [, resource, name, , namespace] = fx.args.split(" ");
  const objects = fx.objects.map((i) => pool[i]);
  const obj = objects.find(
    (o) => o.kind === KIND_OF[resource] && o.metadata.name === name && (o.metadata.namespace ?? "") === (namespace ?? ""),
  );
  if (!obj) throw new Error(`no ${resource} ${name} among the captured objects`);
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
  const describer = describerFor(obj.kind, group) ?? describeGeneric;
  return describer(structuredClone(obj), capturedReader(objects, calls), { showEvents: true, now: fx.now });
}

describe("kubectl describe matches kubectl 1.33 byte for byte", () => {
  for (const [id, fx] of Object.entries(fixtures)) {
    it(`${id}: kubectl ${fx.args}`, async () => {
      expect(await describeFixture(fx)).toBe(fx.output);
    });
  }
});

describe("what the describers read", () => {
  it("a pod's events by name, namespace and uid (no kind), a mirror pod's by its mirror uid", async () => {
    const calls: string[] = [];
    await describeFixture(fixtures["pod-etcd"], calls);
    const mirror = pool[fixtures["pod-etcd"].objects[0]].metadata.annotations?.["kubernetes.io/config.mirror"];
    expect(mirror).not.toBe(pool[fixtures["pod-etcd"].objects[0]].metadata.uid);
    expect(calls).toEqual([
      `list events kube-system  involvedObject.name=etcd-controlplane,involvedObject.namespace=kube-system,involvedObject.uid=${mirror}`,
    ]);
  });

  it("a node: its non-terminated pods in all namespaces, events by uid then by name, its lease", async () => {
    const calls: string[] = [];
    await describeFixture(fixtures["node-worker"], calls);
    expect(calls.map((c) => c.replace(/uid=[0-9a-f-]{36}/, "uid=<uid>"))).toEqual([
      "list pods *  spec.nodeName=node01,status.phase!=Succeeded,status.phase!=Failed",
      "list events *  involvedObject.name=node01,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=<uid>",
      "list events *  involvedObject.name=node01,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=node01",
      "get leases.coordination.k8s.io kube-node-lease node01",
    ]);
  });

  it("a claim: every pod of its namespace (for Used By), then its events by kind and uid", async () => {
    const calls: string[] = [];
    await describeFixture(fixtures["pvc-provisioned"], calls);
    expect(calls.map((c) => c.replace(/uid=[0-9a-f-]{36}/, "uid=<uid>"))).toEqual([
      "list pods default  ",
      "list events default  involvedObject.name=data,involvedObject.namespace=default,involvedObject.kind=PersistentVolumeClaim,involvedObject.uid=<uid>",
    ]);
  });

  it("no Events section without showEvents, and 'Events:  <none>' with none", async () => {
    const fx = fixtures["configmap"];
    const objects = fx.objects.map((i) => pool[i]);
    const cm = objects[0];
    const without = await describerFor("ConfigMap", "")?.(cm, capturedReader(objects), { showEvents: false, now: fx.now });
    expect(without).toBe(fx.output.replace(/Events:\s+<none>\n$/, ""));
  });

  it("a node whose pods may not be listed says so", async () => {
    const fx = fixtures["node-control-plane"];
    const objects = fx.objects.map((i) => pool[i]);
    const reader = capturedReader(objects);
    const forbidden: DescribeReader = {
      get: reader.get,
      list: (resource, ns, opts) =>
        resource === "pods" ? Promise.reject(Object.assign(new Error("forbidden"), { code: 403 })) : reader.list(resource, ns, opts),
    };
    const out = await describerFor("Node", "")?.(objects[0], forbidden, { showEvents: false, now: fx.now });
    expect(out).toContain("\nPods:                         not authorized\n");
    expect(out).not.toContain("Allocated resources");
  });
});

describe("the Go pieces", () => {
  it("text/tabwriter: a single-cell line ends the column block, the last cell is not padded", () => {
    const tw = new TabWriter();
    tw.write("a:\tb\nlonger:\tc\nbreak\nx:\ty\n");
    expect(tw.result()).toBe("a:       b\nlonger:  c\nbreak\nx:  y\n");
  });

  it("duration.HumanDuration", () => {
    const s = 1000;
    expect(
      [0, 119 * s, 120 * s, 123 * s, 600 * s, 3 * 3600 * s + 60 * s, 49 * 3600 * s, 400 * 86400 * s, -1500, -2500].map(humanDuration),
    ).toEqual(["0s", "119s", "2m", "2m3s", "10m", "3h1m", "2d1h", "400d", "0s", "<invalid>"]);
  });

  it("sort.Sort is Go's pdqsort, not a stable sort: kubectl's order of 15 events with equal times", () => {
    const fx = fixtures["pod-multi"];
    type Ev = { metadata: { name: string }; lastTimestamp: string; reason: string; message: string };
    const events = fx.objects.map((i) => pool[i]).filter((o) => o.kind === "Event") as unknown as Ev[];
    expect(events.length).toBeGreaterThan(12);
    const at = (e: Ev) => Date.parse(e.lastTimestamp);
    const printed = fx.output
      .slice(fx.output.indexOf("Events:"))
      .split("\n")
      .slice(3, -1)
      .map((line) => line.replace(/^\s+\S+\s+(\S+)\s+.*?\s{2,}\S+\s{2,}(.*)$/, "$1 $2"));
    const order = (list: Ev[]) => list.map((e) => `${e.reason} ${e.message}`);
    expect(order(goSort([...events], (a, b) => at(a) < at(b)))).toEqual(printed);
    expect(order([...events].sort((a, b) => at(a) - at(b)))).not.toEqual(printed);
  });

  it("resource.Quantity sums keep the first operand's format", () => {
    expect(Quantity.parse("70Mi").add(Quantity.parse("100Mi")).toString()).toBe("170Mi");
    expect(Quantity.parse("100m").add(Quantity.parse("250m")).add(Quantity.parse("1")).toString()).toBe("1350m");
    expect(Quantity.zero().add(Quantity.parse("1Gi")).toString()).toBe("1Gi");
    expect(Quantity.parse("1Gi").value()).toBe(1073741824);
    expect(Quantity.parse("1500m").value()).toBe(2);
  });
});
