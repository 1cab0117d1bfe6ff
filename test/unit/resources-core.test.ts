import { describe, expect, it } from "vitest";
import type { Ctx, Obj, ResourceDef } from "../../durable/resources/types";
import namespace from "../../durable/resources/namespace";
import node from "../../durable/resources/node";
import service from "../../durable/resources/service";
import endpoints from "../../durable/resources/endpoints";
import endpointslice from "../../durable/resources/endpointslice";
import configmap from "../../durable/resources/configmap";
import secret from "../../durable/resources/secret";
import serviceaccount from "../../durable/resources/serviceaccount";
import events, { toCore, toEventsV1 } from "../../durable/resources/event";
import componentstatus from "../../durable/resources/componentstatus";
import lease from "../../durable/resources/lease";

const NOW = Date.parse("2025-05-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const ctx: Ctx = { now: NOW, get: () => undefined, list: () => [] };

/** What the engine does on create: defaults, prepareForCreate, validate. */
function create(def: ResourceDef, obj: Obj): { obj: Obj; errs: string[] } {
  obj.metadata ??= {};
  def.defaults?.(obj, ctx);
  def.prepareForCreate?.(obj, ctx);
  return { obj, errs: (def.validate?.(obj, ctx) ?? []).map((e) => `${e.field}: ${e.message}`) };
}

function update(def: ResourceDef, obj: Obj, old: Obj): { obj: Obj; errs: string[] } {
  def.defaults?.(obj, ctx);
  def.prepareForUpdate?.(obj, old, ctx);
  const v = def.validateUpdate ?? ((o: Obj) => def.validate?.(o, ctx) ?? []);
  return { obj, errs: v(obj, old, ctx).map((e) => `${e.field}: ${e.message}`) };
}

const svc = (spec: Obj): Obj => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec });

describe("Service", () => {
  it("defaults a ClusterIP service like SetDefaults_Service", () => {
    const { obj, errs } = create(service, svc({ selector: { app: "web" }, ports: [{ port: 80 }] }));
    expect(errs).toEqual([]);
    expect(obj.spec).toEqual({
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: ["IPv4"],
      clusterIP: obj.spec.clusterIP, // allocated at create (controllers-services.test.ts)
      clusterIPs: [obj.spec.clusterIP],
    });
    expect(obj.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    expect(obj.status).toEqual({ loadBalancer: {} });
  });

  it("defaults NodePort and LoadBalancer traffic fields and keeps headless", () => {
    const np = create(service, svc({ type: "NodePort", ports: [{ port: 80, targetPort: 8080 }] })).obj;
    expect(np.spec.externalTrafficPolicy).toBe("Cluster");
    expect(np.spec.ports[0].targetPort).toBe(8080);
    expect(np.spec.allocateLoadBalancerNodePorts).toBeUndefined();
    const lb = create(service, svc({ type: "LoadBalancer", ports: [{ port: 80 }] })).obj;
    expect(lb.spec.allocateLoadBalancerNodePorts).toBe(true);
    const headless = create(service, svc({ clusterIP: "None", selector: { a: "b" }, ports: [{ port: 80 }] })).obj;
    expect(headless.spec.clusterIP).toBe("None");
    expect(headless.spec.clusterIPs).toEqual(["None"]);
  });

  it("validates ports with the real messages", () => {
    expect(create(service, svc({})).errs).toEqual(["spec.ports: Required value"]);
    const { errs } = create(
      service,
      svc({ type: "ClusterIP", ports: [{ port: 80, nodePort: 30080 }, { port: 80 }, { name: "x", port: 70000 }] }),
    );
    expect(errs).toContain("spec.ports[0].name: Required value");
    expect(errs).toContain("spec.ports[1].name: Required value");
    expect(errs).toContain("spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, inclusive");
    expect(errs).toContain("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    expect(errs).toContain(
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
  });

  it("rejects unknown types and ExternalName without externalName", () => {
    expect(create(service, svc({ type: "Foo", ports: [{ port: 80 }] })).errs).toContain(
      'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    );
    expect(create(service, svc({ type: "ExternalName" })).errs).toEqual(["spec.externalName: Required value"]);
    const ok = create(service, svc({ type: "ExternalName", externalName: "example.com" }));
    expect(ok.errs).toEqual([]);
    expect(ok.obj.spec.ipFamilies).toBeUndefined();
  });

  it("keeps allocated values on update and forbids changing clusterIP", () => {
    const old = create(service, svc({ selector: { app: "web" }, ports: [{ port: 80 }] })).obj;
    old.spec.clusterIP = "10.96.0.10";
    old.spec.clusterIPs = ["10.96.0.10"];
    const kept = update(service, svc({ selector: { app: "web" }, ports: [{ port: 80 }] }), old);
    expect(kept.errs).toEqual([]);
    expect(kept.obj.spec.clusterIPs).toEqual(["10.96.0.10"]);
    const changed = update(service, svc({ clusterIP: "10.96.0.11", ports: [{ port: 80 }] }), old);
    expect(changed.errs).toContain('spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set');
  });

  it("prints like printService", () => {
    const s = create(service, svc({ type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 30080 }] })).obj;
    s.metadata.creationTimestamp = ago(90);
    s.spec.clusterIP = "10.96.0.20";
    s.spec.clusterIPs = ["10.96.0.20"];
    expect(service.row(s, ctx)).toEqual(["web", "NodePort", "10.96.0.20", "<none>", "80:30080/TCP", "90s", "app=web"]);
    const lb = create(service, svc({ type: "LoadBalancer", ports: [{ port: 80 }] })).obj;
    delete lb.spec.clusterIPs;
    delete lb.spec.ports[0].nodePort;
    expect(service.row(lb, ctx).slice(1, 5)).toEqual(["LoadBalancer", "<none>", "<pending>", "80/TCP"]);
    expect(service.columns.map((c) => c.name)).toEqual(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
    expect(service.columns.at(-1)!.priority).toBe(1);
  });

  it("has the real discovery data", () => {
    expect(service.shortNames).toEqual(["svc"]);
    expect(service.categories).toEqual(["all"]);
    expect(service.nameValidator!("1abc")).not.toEqual([]);
    expect(service.fieldSelectors!["spec.type"](svc({ type: "NodePort" }))).toBe("NodePort");
  });
});

describe("Namespace", () => {
  it("defaults, creates Active with the kubernetes finalizer and the name label", () => {
    const { obj, errs } = create(namespace, { metadata: { name: "dev" } });
    expect(errs).toEqual([]);
    expect(obj.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "dev" });
    expect(obj.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(obj.status).toEqual({ phase: "Active" });
    obj.metadata.creationTimestamp = ago(3600 * 5);
    expect(namespace.row(obj, ctx)).toEqual(["dev", "Active", "5h"]);
  });

  it("validates finalizers and names", () => {
    expect(create(namespace, { metadata: { name: "x" }, spec: { finalizers: ["foo"] } }).errs).toEqual([
      'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(namespace.nameValidator!("a.b")).toHaveLength(1);
  });

  it("keeps finalizers and status on update", () => {
    const old = create(namespace, { metadata: { name: "dev" } }).obj;
    const { obj } = update(namespace, { metadata: { name: "dev" }, spec: { finalizers: [] }, status: { phase: "Terminating" } }, old);
    expect(obj.spec.finalizers).toEqual(["kubernetes"]);
    expect(obj.status.phase).toBe("Active");
    expect(namespace.verbs).not.toContain("deletecollection");
  });
});

describe("Node", () => {
  const mk = (extra: Obj = {}): Obj => ({
    metadata: { name: "worker", labels: { "node-role.kubernetes.io/control-plane": "" }, creationTimestamp: ago(600) },
    spec: {},
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      addresses: [{ type: "InternalIP", address: "172.18.0.2" }],
      nodeInfo: {
        kubeletVersion: "v1.33.1",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        kernelVersion: "6.1.0",
        containerRuntimeVersion: "containerd://2.1.1",
      },
      capacity: { cpu: "4", memory: "8Gi", pods: "110" },
    },
    ...extra,
  });

  it("prints status, roles and wide columns", () => {
    const n = create(node, mk()).obj;
    expect(n.status.allocatable).toEqual({ cpu: "4", memory: "8Gi", pods: "110" });
    expect(node.row(n, ctx)).toEqual([
      "worker",
      "Ready",
      "control-plane",
      "10m",
      "v1.33.1",
      "172.18.0.2",
      "<none>",
      "Debian GNU/Linux 12 (bookworm)",
      "6.1.0",
      "containerd://2.1.1",
    ]);
    n.spec.unschedulable = true;
    n.status.conditions[0].status = "Unknown";
    n.metadata.labels = {};
    expect(node.row(n, ctx).slice(1, 3)).toEqual(["NotReady,SchedulingDisabled", "<none>"]);
    expect(node.fieldSelectors!["spec.unschedulable"](n)).toBe("true");
  });

  it("validates taints at the real (metadata.taints) path", () => {
    const errs = create(
      node,
      mk({
        spec: {
          taints: [
            { key: "a", effect: "Bad" },
            { key: "b", effect: "NoSchedule" },
            { key: "b", effect: "NoSchedule" },
          ],
        },
      }),
    ).errs;
    expect(errs).toEqual([
      'metadata.taints[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'metadata.taints[2]: Duplicate value: core.Taint{Key:"b", Value:"", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
    ]);
  });
});

describe("Endpoints and EndpointSlice", () => {
  it("prints endpoints with + N more", () => {
    const ep: Obj = {
      metadata: { name: "web", creationTimestamp: ago(5) },
      subsets: [{ addresses: ["10.244.1.5", "10.244.2.3", "10.244.2.4", "10.244.3.9"].map((ip) => ({ ip })), ports: [{ port: 80 }] }],
    };
    const { errs } = create(endpoints, ep);
    expect(errs).toEqual([]);
    expect(ep.subsets[0].ports[0].protocol).toBe("TCP");
    expect(endpoints.row(ep, ctx)).toEqual(["web", "10.244.1.5:80,10.244.2.3:80,10.244.2.4:80 + 1 more...", "5s"]);
    expect(endpoints.row({ metadata: { name: "x" } }, ctx)[1]).toBe("<none>");
    expect(endpoints.deprecationWarning).toBe("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice");
  });

  it("validates endpoint addresses", () => {
    const errs = create(endpoints, {
      metadata: { name: "x" },
      subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ port: 80 }, { port: 81 }] }],
    }).errs;
    expect(errs).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      "subsets[0].ports[0].name: Required value",
      "subsets[0].ports[1].name: Required value",
    ]);
  });

  it("defaults, validates and prints slices", () => {
    const eps: Obj = {
      metadata: { name: "web-abc12", creationTimestamp: ago(60) },
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.244.1.5"] }, { addresses: ["10.244.2.3"] }],
      ports: [{ port: 80 }],
    };
    const { errs } = create(endpointslice, eps);
    expect(errs).toEqual([]);
    expect(eps.ports[0]).toEqual({ port: 80, name: "", protocol: "TCP" });
    expect(eps.metadata.generation).toBe(1);
    expect(endpointslice.row(eps, ctx)).toEqual(["web-abc12", "IPv4", "80", "10.244.1.5,10.244.2.3", "60s"]);
    expect(endpointslice.row({ metadata: {}, addressType: "IPv4" }, ctx).slice(2, 4)).toEqual(["<unset>", "<unset>"]);
    expect(create(endpointslice, { metadata: {}, addressType: "IP" }).errs).toEqual([
      'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"',
    ]);
    expect(endpointslice.shortNames).toBeUndefined();
  });
});

describe("ConfigMap, Secret, ServiceAccount", () => {
  it("validates configmap keys and size", () => {
    expect(create(configmap, { metadata: { name: "c" }, data: { "bad key": "v" } }).errs).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    expect(create(configmap, { metadata: { name: "c" }, data: { big: "x".repeat(1048577) } }).errs).toEqual([
      "[]: Too long: may not be more than 1048576 bytes",
    ]);
    const cm = { metadata: { name: "c", creationTimestamp: ago(1) }, data: { a: "1", b: "2" }, binaryData: { c: "AA==" } };
    expect(configmap.row(cm, ctx)).toEqual(["c", 3, "1s"]);
  });

  it("enforces immutable configmaps and secrets", () => {
    const old = { metadata: { name: "c" }, immutable: true, data: { a: "1" } };
    expect(update(configmap, { metadata: { name: "c" }, immutable: true, data: { a: "2" } }, old).errs).toEqual([
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
    const s = { metadata: { name: "s" }, type: "Opaque", immutable: true, data: { a: "MQ==" } };
    expect(update(secret, { metadata: { name: "s" }, type: "kubernetes.io/tls", data: { a: "MQ==" } }, s).errs).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data[tls.crt]: Required value",
      "data[tls.key]: Required value",
    ]);
  });

  it("defaults secrets: Opaque type and stringData merged into data", () => {
    const { obj, errs } = create(secret, {
      metadata: { name: "s", creationTimestamp: ago(30) },
      data: { a: "eA==" },
      stringData: { a: "héllo", b: "w" },
    });
    expect(errs).toEqual([]);
    expect(obj.type).toBe("Opaque");
    expect(obj.stringData).toBeUndefined();
    expect(obj.data).toEqual({ a: "aMOpbGxv", b: "dw==" });
    expect(secret.row(obj, ctx)).toEqual(["s", "Opaque", 2, "30s"]);
    expect(secret.fieldSelectors!.type(obj)).toBe("Opaque");
    expect(create(secret, { metadata: { name: "t" }, type: "kubernetes.io/service-account-token" }).errs).toEqual([
      "metadata.annotations[kubernetes.io/service-account.name]: Required value",
    ]);
  });

  it("prints service accounts", () => {
    expect(serviceaccount.row({ metadata: { name: "default", creationTimestamp: ago(120) } }, ctx)).toEqual(["default", 0, "2m"]);
    expect(serviceaccount.shortNames).toEqual(["sa"]);
  });
});

describe("Events", () => {
  const [coreEvent, v1Event] = events;
  const pulled: Obj = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "nginx.17f", namespace: "default" },
    involvedObject: { kind: "Pod", namespace: "default", name: "nginx", uid: "u1", fieldPath: "spec.containers{nginx}" },
    reason: "Pulled",
    message: 'Successfully pulled image "nginx"\n',
    source: { component: "kubelet", host: "worker" },
    firstTimestamp: ago(120),
    lastTimestamp: ago(30),
    count: 3,
    type: "Normal",
  };

  it("prints all columns in order (wide ones included)", () => {
    const ev = create(coreEvent, structuredClone(pulled)).obj;
    expect(ev.eventTime).toBeNull();
    expect(ev.reportingComponent).toBe("");
    expect(coreEvent.row(ev, ctx)).toEqual([
      "30s",
      "Normal",
      "Pulled",
      "pod/nginx",
      "spec.containers{nginx}",
      "kubelet, worker",
      'Successfully pulled image "nginx"',
      "2m",
      3,
      "nginx.17f",
    ]);
    expect(coreEvent.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      "Last Seen",
      "Type",
      "Reason",
      "Object",
      "Message",
    ]);
  });

  it("validates the involved object's namespace", () => {
    const bad = structuredClone(pulled);
    bad.involvedObject.namespace = "other";
    expect(create(coreEvent, bad).errs).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  });

  it("converts both ways between core/v1 and events.k8s.io/v1", () => {
    const v1 = toEventsV1(create(coreEvent, structuredClone(pulled)).obj);
    expect(v1).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      regarding: pulled.involvedObject,
      note: pulled.message,
      deprecatedSource: { component: "kubelet", host: "worker" },
      deprecatedFirstTimestamp: pulled.firstTimestamp,
      deprecatedLastTimestamp: pulled.lastTimestamp,
      deprecatedCount: 3,
      eventTime: null,
      reason: "Pulled",
      type: "Normal",
    });
    expect(v1.reportingController).toBeUndefined();
    const back = toCore(v1);
    expect(back).toMatchObject({ involvedObject: pulled.involvedObject, message: pulled.message, count: 3, source: pulled.source });
    expect(v1Event.row(v1, ctx)).toEqual(coreEvent.row(back, ctx));
    expect(v1Event.storage).toEqual({ plural: "events", group: "" });
    expect(v1Event.fieldSelectors!["regarding.name"](v1)).toBe("nginx");
    expect(coreEvent.fieldSelectors!["involvedObject.uid"](back)).toBe("u1");
    expect(coreEvent.fieldSelectors!.source(back)).toBe("kubelet");
  });

  it("applies the strict rules to events.k8s.io/v1 writes", () => {
    const errs = v1Event.validate!(
      { apiVersion: "events.k8s.io/v1", metadata: { name: "e", namespace: "default" }, regarding: {}, note: "x", type: "Foo" },
      ctx,
    ).map((e) => `${e.field}: ${e.message}`);
    expect(errs).toContain("eventTime: Required value");
    expect(errs).toContain('type: Invalid value: "": has invalid value: Foo');
    const ok = v1Event.validate!(
      {
        apiVersion: "events.k8s.io/v1",
        metadata: { name: "e", namespace: "default" },
        eventTime: "2025-05-01T12:00:00.000000Z",
        reportingController: "example.com/ctl",
        reportingInstance: "ctl-1",
        action: "Sync",
        reason: "Synced",
        regarding: { kind: "Pod", namespace: "default", name: "p" },
        type: "Normal",
      },
      ctx,
    );
    expect(ok).toEqual([]);
  });
});

describe("ComponentStatus and Lease", () => {
  it("serves healthy virtual component statuses", () => {
    const items = componentstatus.virtual!(ctx);
    expect(items.map((i) => i.metadata.name)).toEqual(["controller-manager", "scheduler", "etcd-0"]);
    expect(items[0].conditions).toEqual([{ type: "Healthy", status: "True", message: "ok" }]);
    expect(componentstatus.row(items[2], ctx)).toEqual(["etcd-0", "Healthy", "ok", ""]);
    expect(componentstatus.verbs).toEqual(["get", "list"]);
    expect(componentstatus.deprecationWarning).toBe("v1 ComponentStatus is deprecated in v1.19+");
  });

  it("validates and prints leases", () => {
    const l: Obj = {
      metadata: { name: "worker", creationTimestamp: ago(40) },
      spec: { holderIdentity: "worker", leaseDurationSeconds: 0, strategy: "Foo" },
    };
    const { obj, errs } = create(lease, l);
    expect(obj.spec.strategy).toBeUndefined();
    expect(errs).toEqual(["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]);
    expect(lease.row(obj, ctx)).toEqual(["worker", "worker", "40s"]);
  });
});
