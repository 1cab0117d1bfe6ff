// Service IP / NodePort allocation, Endpoints and EndpointSlice computation, namespace deletion
// semantics and the root CA: the pure parts of issue 3's networking controllers.
import { describe, expect, it } from "vitest";
import type { Ctx, Obj } from "../../durable/resources/types";
import service, { allocate } from "../../durable/resources/service";
import namespace from "../../durable/resources/namespace";
import { endpointSubsets, findPort, selectorMatches } from "../../durable/controllers/endpoints";
import { desiredSlices } from "../../durable/controllers/endpointslice";
import { nextLoadBalancerIP } from "../../durable/controllers/service";
import { clusterCA } from "../../durable/controllers/serviceaccount";
import { ApiError } from "../../durable/api/status";

const NOW = Date.parse("2025-05-01T12:00:00Z");
const svc = (name: string, spec: Obj): Obj => ({
  metadata: { name, namespace: "default", uid: `uid-${name}` },
  spec: { ports: [{ port: 80, protocol: "TCP" }], ...spec },
});

/** What the engine does on create: defaults then prepareForCreate (which allocates). */
function create(obj: Obj, others: Obj[] = []): Obj {
  const ctx: Ctx = { now: NOW, get: () => undefined, list: (p) => (p === "services" ? others : []) };
  const o = structuredClone(obj);
  service.defaults!(o, ctx);
  service.prepareForCreate!(o, ctx);
  return o;
}

function createError(obj: Obj, others: Obj[] = []): string {
  try {
    create(obj, others);
  } catch (e) {
    if (e instanceof ApiError) return e.message;
    throw e;
  }
  return "";
}

describe("ClusterIP allocation", () => {
  it("allocates from 10.96.0.0/12 outside the static block, never twice", () => {
    const seen = new Set<string>();
    let others: Obj[] = [];
    for (let i = 0; i < 50; i++) {
      const s = create(svc(`s${i}`, {}), others);
      const ip: string = s.spec.clusterIP;
      expect(s.spec.clusterIPs).toEqual([ip]);
      const [a, b, c] = ip.split(".").map(Number);
      expect(a).toBe(10);
      expect(b >= 96 && b <= 111).toBe(true);
      expect(b === 96 && c === 0).toBe(false); // 10.96.0.x is for static requests (kubernetes, kube-dns)
      expect(seen.has(ip)).toBe(false);
      seen.add(ip);
      others = [...others, s];
    }
  });

  it("validates requested IPs with the real messages", () => {
    const kubernetes = create(svc("kubernetes", { clusterIP: "10.96.0.1" }));
    expect(kubernetes.spec.clusterIP).toBe("10.96.0.1");
    expect(createError(svc("x", { clusterIP: "10.96.0.1" }), [kubernetes])).toBe(
      'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated',
    );
    expect(createError(svc("x", { clusterIP: "1.1.1.1" }))).toBe(
      'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    expect(create(svc("dns", { clusterIP: "10.96.0.10" }), [kubernetes]).spec.clusterIP).toBe("10.96.0.10");
  });

  it("gives headless and ExternalName services none", () => {
    expect(create(svc("h", { clusterIP: "None" })).spec.clusterIPs).toEqual(["None"]);
    const ext = create({ metadata: { name: "e", namespace: "default" }, spec: { type: "ExternalName", externalName: "example.com" } });
    expect(ext.spec.clusterIP).toBeUndefined();
  });
});

describe("NodePort allocation", () => {
  it("allocates for NodePort and LoadBalancer, in range, shared by ports with the same number", () => {
    const s = create(
      svc("np", {
        type: "NodePort",
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
        ],
      }),
    );
    const [a, b] = s.spec.ports.map((p: Obj) => p.nodePort);
    expect(a).toBe(b);
    expect(a >= 30000 && a <= 32767).toBe(true);
    expect(create(svc("lb", { type: "LoadBalancer" })).spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(create(svc("c", {})).spec.ports[0].nodePort).toBeUndefined();
    expect(create(svc("lb2", { type: "LoadBalancer", allocateLoadBalancerNodePorts: false })).spec.ports[0].nodePort).toBeUndefined();
  });

  it("validates requested ports with the real messages", () => {
    const first = create(svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }));
    expect(first.spec.ports[0].nodePort).toBe(30080);
    expect(createError(svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }), [first])).toBe(
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(createError(svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 40000 }] }))).toBe(
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
  });

  it("keeps ports on update, allocates on ClusterIP → NodePort, releases on NodePort → ClusterIP", () => {
    const old = create(svc("a", { type: "NodePort" }));
    const port = old.spec.ports[0].nodePort;
    const ctx: Ctx = { now: NOW, get: () => undefined, list: () => [old] };
    const same = structuredClone(old);
    delete same.spec.ports[0].nodePort;
    service.defaults!(same, ctx);
    service.prepareForUpdate!(same, old, ctx);
    expect(same.spec.ports[0].nodePort).toBe(port);

    const toClusterIP = structuredClone(old);
    toClusterIP.spec.type = "ClusterIP";
    delete toClusterIP.spec.externalTrafficPolicy;
    service.prepareForUpdate!(toClusterIP, old, ctx);
    expect(toClusterIP.spec.ports[0].nodePort).toBeUndefined();
    expect(toClusterIP.spec.clusterIP).toBe(old.spec.clusterIP);
    // Released: another Service may now take it.
    expect(allocate(svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: port }] }), [toClusterIP])).toEqual([]);

    const plain = create(svc("c", {}));
    const toNodePort = structuredClone(plain);
    toNodePort.spec.type = "NodePort";
    service.defaults!(toNodePort, ctx);
    service.prepareForUpdate!(toNodePort, plain, ctx);
    expect(toNodePort.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
  });
});

const pod = (
  name: string,
  ip: string | undefined,
  opts: { ready?: boolean; deleting?: boolean; node?: string; labels?: Obj; ports?: Obj[] } = {},
): Obj => ({
  metadata: {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    labels: opts.labels ?? { app: "web" },
    ...(opts.deleting ? { deletionTimestamp: "2025-05-01T12:00:30Z" } : {}),
  },
  spec: {
    nodeName: opts.node ?? "node01",
    containers: [{ name: "c", ports: opts.ports ?? [{ name: "http", containerPort: 8080, protocol: "TCP" }] }],
  },
  status: {
    phase: "Running",
    ...(ip ? { podIP: ip } : {}),
    conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
  },
});

describe("Endpoints", () => {
  const web = svc("web", { selector: { app: "web" }, ports: [{ port: 80, targetPort: "http", protocol: "TCP" }] });

  it("matches selectors and resolves named target ports", () => {
    expect(selectorMatches({ app: "web" }, { app: "web", x: "y" })).toBe(true);
    expect(selectorMatches({ app: "web" }, { app: "db" })).toBe(false);
    expect(selectorMatches(undefined, { app: "web" })).toBe(false);
    expect(findPort(pod("a", "1.1.1.1"), { targetPort: "http", protocol: "TCP" })).toBe(8080);
    expect(findPort(pod("a", "1.1.1.1"), { targetPort: "http", protocol: "UDP" })).toBeUndefined();
    expect(findPort(pod("a", "1.1.1.1"), { port: 80, targetPort: 9376 })).toBe(9376);
  });

  it("puts ready pods in addresses, unready ones in notReadyAddresses, skips IP-less and deleted pods", () => {
    const subsets = endpointSubsets(web, [
      pod("b", "10.244.1.10", { node: "node01" }),
      pod("a", "10.244.1.9", { node: "node02" }),
      pod("c", "10.244.2.2", { ready: false }),
      pod("d", undefined),
      pod("e", "10.244.2.9", { deleting: true }),
    ]);
    expect(subsets).toEqual([
      {
        addresses: [
          { ip: "10.244.1.9", nodeName: "node02", targetRef: { kind: "Pod", namespace: "default", name: "a", uid: "uid-a" } },
          { ip: "10.244.1.10", nodeName: "node01", targetRef: { kind: "Pod", namespace: "default", name: "b", uid: "uid-b" } },
        ],
        notReadyAddresses: [
          { ip: "10.244.2.2", nodeName: "node01", targetRef: { kind: "Pod", namespace: "default", name: "c", uid: "uid-c" } },
        ],
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ]);
    expect(endpointSubsets(web, [])).toEqual([]);
  });

  it("splits subsets by the ports pods offer", () => {
    const subsets = endpointSubsets(web, [pod("a", "10.0.0.1"), pod("b", "10.0.0.2", { ports: [{ name: "http", containerPort: 9090 }] })]);
    expect(subsets.map((s) => [s.addresses.map((a: Obj) => a.ip), s.ports[0].port])).toEqual([
      [["10.0.0.1"], 8080],
      [["10.0.0.2"], 9090],
    ]);
  });
});

describe("EndpointSlices", () => {
  const web = svc("web", { selector: { app: "web" }, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] });

  it("has ready/serving/terminating conditions and keeps terminating pods", () => {
    const [slice] = desiredSlices(web, [
      pod("a", "10.0.0.1"),
      pod("b", "10.0.0.2", { deleting: true }),
      pod("c", "10.0.0.3", { ready: false }),
    ]);
    expect(slice.ports).toEqual([{ name: "", port: 80, protocol: "TCP" }]);
    expect(slice.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ["10.0.0.1", { ready: true, serving: true, terminating: false }],
      ["10.0.0.2", { ready: false, serving: true, terminating: true }],
      ["10.0.0.3", { ready: false, serving: false, terminating: false }],
    ]);
  });

  it("chunks by 100 and leaves a placeholder when nothing matches", () => {
    const pods = Array.from({ length: 150 }, (_, i) => pod(`p${i}`, `10.0.${Math.floor(i / 200)}.${i + 1}`));
    expect(desiredSlices(web, pods).map((s) => s.endpoints.length)).toEqual([100, 50]);
    expect(desiredSlices(web, [])).toEqual([{ endpoints: [] }]);
  });
});

describe("LoadBalancer addresses", () => {
  it("takes the lowest free pool address", () => {
    const lb = (name: string, ip?: string) => ({
      metadata: { name, uid: name },
      status: { loadBalancer: ip ? { ingress: [{ ip }] } : {} },
    });
    expect(nextLoadBalancerIP([lb("a", "172.18.255.200"), lb("b", "172.18.255.202")], lb("c"))).toBe("172.18.255.201");
  });
});

describe("Namespace deletion", () => {
  const ctx: Ctx = { now: NOW, get: () => undefined, list: () => [] };
  const ns = (name: string, extra: Obj = {}): Obj => ({
    metadata: { name, ...extra },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  });

  it("marks Terminating first, waits for spec.finalizers, then deletes", () => {
    const first = namespace.beforeDelete!(ns("x"), ctx)!;
    expect(first.status.phase).toBe("Terminating");
    expect(first.metadata.deletionTimestamp).toBe("2025-05-01T12:00:00Z");
    expect(namespace.beforeDelete!(first, ctx)).toBe(first); // still finalizing
    expect(namespace.beforeDelete!({ ...first, spec: {} }, ctx)).toBeUndefined(); // generic delete
    expect(namespace.shouldDeleteDuringUpdate!(first)).toBe(false);
    expect(namespace.shouldDeleteDuringUpdate!({ ...first, spec: {} })).toBe(true);
  });

  it("refuses the immortal namespaces", () => {
    for (const name of ["default", "kube-system", "kube-public"]) {
      expect(() => namespace.beforeDelete!(ns(name), ctx)).toThrow(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
  });

  it("finalize changes spec.finalizers only", () => {
    const old = { ...ns("x"), status: { phase: "Terminating" } };
    const out = namespace.updateSubresources!.finalize.prepare({ ...old, spec: { finalizers: [] }, status: { phase: "Active" } }, old);
    expect(out.spec).toEqual({});
    expect(out.status.phase).toBe("Terminating");
  });
});

describe("root CA", () => {
  it("is a stable PEM per cluster", () => {
    const a = clusterCA("uid-1");
    expect(a).toMatch(/^-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgII[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
    expect(clusterCA("uid-1")).toBe(a);
    expect(clusterCA("uid-2")).not.toBe(a);
  });
});
