import { describe, expect, it } from "vitest";
import type { Ctx, Obj } from "../../durable/resources/types";
import pods, { podPhaseStatus, podQOSClass, printPodSummary } from "../../durable/resources/pod";
import rcs from "../../durable/resources/replicationcontroller";
import replicasets from "../../durable/resources/replicaset";
import deployments from "../../durable/resources/deployment";
import controllerrevisions from "../../durable/resources/controllerrevision";
import { computeHash, labelSelectorString, safeEncodeString, selectorMatches } from "../../durable/resources/podtemplate";

const NOW = Date.parse("2025-05-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

function ctx(objects: Record<string, Obj[]> = {}): Ctx {
  return {
    now: NOW,
    get: (plural, ns, name) =>
      (objects[plural] ?? []).find((o) => o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns)),
    list: (plural) => objects[plural] ?? [],
  };
}

/** What the engine does on create: defaults, prepareForCreate. */
function create(def: typeof pods, obj: Obj, c = ctx()): Obj {
  obj.metadata ??= {};
  def.defaults?.(obj, c);
  def.prepareForCreate?.(obj, c);
  return obj;
}

const myapp = (): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "myapp", namespace: "default" },
  spec: { containers: [{ name: "myapp", image: "username/myapp:0.0.1", ports: [{ containerPort: 80, protocol: "TCP" }] }] },
});

const template = (labels: Record<string, string> = { app: "nginx" }) => ({
  metadata: { labels },
  spec: { containers: [{ name: "nginx", image: "nginx" }] },
});

describe("pod defaulting and admission", () => {
  it("fills the v1 defaults and what a kubeadm cluster's admission adds", () => {
    const pod = create(pods, myapp());
    const spec = pod.spec;
    expect(spec.restartPolicy).toBe("Always");
    expect(spec.dnsPolicy).toBe("ClusterFirst");
    expect(spec.schedulerName).toBe("default-scheduler");
    expect(spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.securityContext).toEqual({});
    expect(spec.enableServiceLinks).toBe(true);
    expect(spec.serviceAccountName).toBe("default");
    expect(spec.serviceAccount).toBe("default");
    expect(spec.priority).toBe(0);
    expect(spec.preemptionPolicy).toBe("PreemptLowerPriority");
    const c = spec.containers[0];
    expect(c).toMatchObject({
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      resources: {},
    });
    expect(spec.volumes).toHaveLength(1);
    const vol = spec.volumes[0];
    expect(vol.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(vol.projected.defaultMode).toBe(420);
    expect(vol.projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: "token" } });
    expect(c.volumeMounts).toEqual([{ name: vol.name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }]);
    expect(spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    expect(pod.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
    expect(pod.metadata.generation).toBe(1);
    expect(pods.validate!(pod, ctx())).toEqual([]);
  });

  it("pulls :latest and untagged images always", () => {
    const pod = myapp();
    pod.spec.containers.push({ name: "b", image: "nginx" }, { name: "c", image: "nginx:latest" }, { name: "d", image: "localhost:5000/x" });
    pods.defaults!(pod, ctx());
    expect(pod.spec.containers.map((c: Obj) => c.imagePullPolicy)).toEqual(["IfNotPresent", "Always", "Always", "Always"]);
  });

  it("respects automountServiceAccountToken: false and existing NoExecute tolerations", () => {
    const pod = myapp();
    pod.spec.automountServiceAccountToken = false;
    pod.spec.tolerations = [{ operator: "Exists" }];
    create(pods, pod);
    expect(pod.spec.volumes).toBeUndefined();
    expect(pod.spec.tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("computes the QoS class", () => {
    const pod = myapp();
    pod.spec.containers[0].resources = { limits: { cpu: "500m", memory: "128Mi" } };
    create(pods, pod);
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: "500m", memory: "128Mi" });
    expect(pod.status.qosClass).toBe("Guaranteed");
    const b = myapp();
    b.spec.containers[0].resources = { requests: { cpu: "100m" } };
    expect(podQOSClass(b)).toBe("Burstable");
  });

  it("bumps generation only on spec changes and keeps status", () => {
    const old = create(pods, myapp());
    old.status = { phase: "Running" };
    const upd = structuredClone(old);
    upd.status = {};
    pods.prepareForUpdate!(upd, old, ctx());
    expect(upd.metadata.generation).toBe(1);
    expect(upd.status).toEqual({ phase: "Running" });
    upd.spec.containers[0].image = "username/myapp:0.0.2";
    pods.prepareForUpdate!(upd, old, ctx());
    expect(upd.metadata.generation).toBe(2);
  });
});

describe("pod validation", () => {
  const errs = (pod: Obj) => pods.validate!(create(pods, pod), ctx());

  it("requires containers, names and images", () => {
    const pod = myapp();
    pod.spec.containers = [];
    expect(errs(pod)).toContainEqual({ type: "FieldValueRequired", field: "spec.containers", message: "Required value" });
    const p2 = myapp();
    p2.spec.containers.push({ name: "Bad_Name" }, { name: "myapp", image: "x" });
    const e = errs(p2);
    expect(e).toContainEqual(expect.objectContaining({ field: "spec.containers[1].name", type: "FieldValueInvalid" }));
    expect(e.find((x) => x.field === "spec.containers[1].name")!.message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 label/);
    expect(e).toContainEqual({ type: "FieldValueRequired", field: "spec.containers[1].image", message: "Required value" });
    expect(e).toContainEqual({ type: "FieldValueDuplicate", field: "spec.containers[2].name", message: 'Duplicate value: "myapp"' });
  });

  it("checks ports and restartPolicy", () => {
    const pod = myapp();
    pod.spec.restartPolicy = "Sometimes";
    pod.spec.containers[0].ports = [{ containerPort: 70000 }, { protocol: "TCP" }];
    const e = errs(pod);
    expect(e).toContainEqual({
      type: "FieldValueNotSupported",
      field: "spec.restartPolicy",
      message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    });
    expect(e).toContainEqual({
      type: "FieldValueInvalid",
      field: "spec.containers[0].ports[0].containerPort",
      message: "Invalid value: 70000: must be between 1 and 65535, inclusive",
    });
    expect(e).toContainEqual({ type: "FieldValueRequired", field: "spec.containers[0].ports[1].containerPort", message: "Required value" });
  });

  it("reports unknown volume mounts", () => {
    const pod = myapp();
    pod.spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/data" }];
    expect(errs(pod)).toContainEqual({
      type: "FieldValueNotFound",
      field: "spec.containers[0].volumeMounts[0].name",
      message: 'Not found: "data"',
    });
  });

  it("allows image updates and forbids other spec changes", () => {
    const old = create(pods, myapp());
    const img = structuredClone(old);
    img.spec.containers[0].image = "username/myapp:0.0.2";
    expect(pods.validateUpdate!(img, old, ctx())).toEqual([]);
    const port = structuredClone(old);
    port.spec.containers[0].ports[0].containerPort = 8080;
    const e = pods.validateUpdate!(port, old, ctx());
    expect(e).toHaveLength(1);
    expect(e[0].field).toBe("spec");
    expect(e[0].type).toBe("FieldValueForbidden");
    expect(e[0].message).toContain(
      "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{",
    );
    const added = structuredClone(old);
    added.spec.tolerations.push({ key: "k", operator: "Exists", effect: "NoSchedule" });
    expect(pods.validateUpdate!(added, old, ctx())).toEqual([]);
    const removed = structuredClone(old);
    removed.spec.tolerations.pop();
    expect(pods.validateUpdate!(removed, old, ctx())[0].message).toBe(
      "Forbidden: existing toleration can not be modified except its tolerationSeconds",
    );
    const more = structuredClone(old);
    more.spec.containers.push({ name: "x", image: "x" });
    expect(pods.validateUpdate!(more, old, ctx())).toContainEqual({
      type: "FieldValueForbidden",
      field: "spec.containers",
      message: "Forbidden: pod updates may not add or remove containers",
    });
  });

  it("grace period follows CheckGracefulDelete", () => {
    const pod = create(pods, myapp());
    expect(pods.gracePeriod!(pod, undefined)).toBe(0); // not scheduled
    pod.spec.nodeName = "node-1";
    expect(pods.gracePeriod!(pod, undefined)).toBe(30);
    expect(pods.gracePeriod!(pod, 5)).toBe(5);
    pod.status.phase = "Succeeded";
    expect(pods.gracePeriod!(pod, undefined)).toBe(0);
  });
});

describe("pod printing", () => {
  const base = (): Obj => {
    const p = create(pods, myapp());
    p.metadata.creationTimestamp = ago(7);
    return p;
  };

  it("prints a pending pod with <none> placeholders", () => {
    expect(pods.row(base(), ctx())).toEqual(["myapp", "0/1", "Pending", "0", "7s", "<none>", "<none>", "<none>", "<none>"]);
    expect(pods.columns.map((c) => c.name)).toEqual([
      "Name",
      "Ready",
      "Status",
      "Restarts",
      "Age",
      "IP",
      "Node",
      "Nominated Node",
      "Readiness Gates",
    ]);
    expect(pods.columns.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(["IP", "Node", "Nominated Node", "Readiness Gates"]);
  });

  it("prints running, creating, crash looping and completed pods", () => {
    const p = base();
    p.spec.nodeName = "kind-worker";
    p.status = {
      phase: "Running",
      podIP: "10.244.1.12",
      podIPs: [{ ip: "10.244.1.12" }],
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [{ name: "myapp", ready: true, restartCount: 0, state: { running: { startedAt: ago(5) } } }],
    };
    expect(pods.row(p, ctx()).slice(0, 7)).toEqual(["myapp", "1/1", "Running", "0", "7s", "10.244.1.12", "kind-worker"]);

    p.status.containerStatuses[0] = { name: "myapp", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } };
    p.status.phase = "Pending";
    expect(podPhaseStatus(p, NOW)).toBe("ContainerCreating");

    p.status.containerStatuses[0] = {
      name: "myapp",
      ready: false,
      restartCount: 3,
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(300) } },
    };
    expect(printPodSummary(p, NOW)).toEqual({ ready: "0/1", status: "CrashLoopBackOff", restarts: "3 (5m ago)" });

    p.status.phase = "Succeeded";
    p.status.containerStatuses[0] = {
      name: "myapp",
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: "Completed" } },
    };
    expect(podPhaseStatus(p, NOW)).toBe("Completed");
    p.status.containerStatuses[0].state = { terminated: { exitCode: 2 } };
    expect(podPhaseStatus(p, NOW)).toBe("ExitCode:2");
  });

  it("prints init containers, Terminating and readiness gates", () => {
    const p = base();
    p.spec.initContainers = [
      { name: "init", image: "busybox" },
      { name: "init2", image: "busybox" },
    ];
    p.status.initContainerStatuses = [
      { name: "init", state: { terminated: { exitCode: 0, reason: "Completed" } } },
      { name: "init2", state: { running: {} } },
    ];
    expect(podPhaseStatus(p, NOW)).toBe("Init:1/2");
    p.status.initContainerStatuses[1] = { name: "init2", state: { waiting: { reason: "ImagePullBackOff" } } };
    expect(podPhaseStatus(p, NOW)).toBe("Init:ImagePullBackOff");

    const t = base();
    t.metadata.deletionTimestamp = ago(0);
    expect(podPhaseStatus(t, NOW)).toBe("Terminating");
    t.status.reason = "NodeLost";
    expect(podPhaseStatus(t, NOW)).toBe("Unknown");

    const g = base();
    g.spec.readinessGates = [{ conditionType: "www.example.com/feature-1" }];
    g.status.conditions = [{ type: "www.example.com/feature-1", status: "True" }];
    expect(pods.row(g, ctx())[8]).toBe("1/1");
  });

  it("exposes the real field selectors", () => {
    const p = base();
    expect(pods.fieldSelectors!["status.phase"](p)).toBe("Pending");
    expect(pods.fieldSelectors!["spec.hostNetwork"](p)).toBe("false");
    expect(pods.fieldSelectors!["spec.nodeName"](p)).toBe("");
  });
});

describe("ReplicationController", () => {
  const nginxRc = (): Obj => ({
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name: "nginx-controller", namespace: "default" },
    spec: { replicas: 2, selector: { name: "nginx" }, template: template({ name: "nginx" }) },
  });

  it("defaults selector and labels from the template", () => {
    const rc = nginxRc();
    delete rc.spec.selector;
    delete rc.spec.replicas;
    create(rcs, rc);
    expect(rc.spec.selector).toEqual({ name: "nginx" });
    expect(rc.metadata.labels).toEqual({ name: "nginx" });
    expect(rc.spec.replicas).toBe(1);
    expect(rc.spec.template.metadata.creationTimestamp).toBeNull();
    expect(rc.spec.template.spec.containers[0].imagePullPolicy).toBe("Always");
    expect(rc.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(rc.status).toEqual({ replicas: 0 });
    expect(rc.metadata.generation).toBe(1);
    expect(rcs.validate!(rc, ctx())).toEqual([]);
  });

  it("validates selector vs template and restartPolicy", () => {
    const rc = create(rcs, nginxRc());
    rc.spec.selector = { name: "other" };
    rc.spec.template.spec.restartPolicy = "Never";
    rc.spec.replicas = -1;
    expect(rcs.validate!(rc, ctx())).toEqual([
      { type: "FieldValueInvalid", field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" },
      {
        type: "FieldValueInvalid",
        field: "spec.template.metadata.labels",
        message: 'Invalid value: map[string]string{"name":"nginx"}: `selector` does not match template `labels`',
      },
      {
        type: "FieldValueNotSupported",
        field: "spec.template.spec.restartPolicy",
        message: 'Unsupported value: "Never": supported values: "Always"',
      },
    ]);
  });

  it("prints DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR", () => {
    const rc = create(rcs, nginxRc());
    rc.metadata.creationTimestamp = ago(60);
    rc.status = { replicas: 2, readyReplicas: 1 };
    expect(rcs.row(rc, ctx())).toEqual(["nginx-controller", 2, 2, 1, "60s", "nginx", "nginx", "name=nginx"]);
    expect(rcs.shortNames).toEqual(["rc"]);
    expect(rcs.fieldSelectors!["status.replicas"](rc)).toBe("2");
  });
});

describe("ReplicaSet and Deployment", () => {
  const deploy = (): Obj => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "hello-node", namespace: "default", labels: { app: "hello-node" } },
    spec: { selector: { matchLabels: { app: "hello-node" } }, template: template({ app: "hello-node" }) },
  });

  it("defaults a Deployment", () => {
    const d = create(deployments, deploy());
    expect(d.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: "Always", dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler" });
    expect(d.spec.template.spec.enableServiceLinks).toBeUndefined();
    expect(d.status).toEqual({});
    expect(deployments.validate!(d, ctx())).toEqual([]);
  });

  it("rejects a selector that does not match the template", () => {
    const d = create(deployments, deploy());
    d.spec.selector = { matchLabels: { app: "other" } };
    expect(deployments.validate!(d, ctx())).toEqual([
      {
        type: "FieldValueInvalid",
        field: "spec.template.metadata.labels",
        message: 'Invalid value: map[string]string{"app":"hello-node"}: `selector` does not match template `labels`',
      },
    ]);
    const noSel = create(deployments, deploy());
    delete noSel.spec.selector;
    const e = deployments.validate!(noSel, ctx());
    expect(e[0]).toEqual({ type: "FieldValueRequired", field: "spec.selector", message: "Required value" });
    expect(e[1].field).toBe("spec.template.metadata.labels");
  });

  it("forbids changing the selector and bumps generation on spec change", () => {
    const old = create(deployments, deploy());
    const upd = structuredClone(old);
    upd.spec.selector = { matchLabels: { app: "hello-node", v: "2" } };
    upd.spec.template.metadata.labels.v = "2";
    expect(deployments.validateUpdate!(upd, old, ctx())).toEqual([
      {
        type: "FieldValueInvalid",
        field: "spec.selector",
        message:
          'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"hello-node", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      },
    ]);
    const scaled = structuredClone(old);
    scaled.spec.replicas = 4;
    deployments.prepareForUpdate!(scaled, old, ctx());
    expect(scaled.metadata.generation).toBe(2);
  });

  it("validates the rolling update parameters", () => {
    const d = create(deployments, deploy());
    d.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 };
    expect(deployments.validate!(d, ctx())).toEqual([
      {
        type: "FieldValueInvalid",
        field: "spec.strategy.rollingUpdate.maxUnavailable",
        message: 'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
      },
    ]);
  });

  it("prints Deployments and ReplicaSets", () => {
    const d = create(deployments, deploy());
    d.metadata.creationTimestamp = ago(120);
    d.status = { replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
    expect(deployments.row(d, ctx())).toEqual(["hello-node", "1/1", 1, 1, "2m", "nginx", "nginx", "app=hello-node"]);
    expect(deployments.columns.map((c) => c.name)).toEqual([
      "Name",
      "Ready",
      "Up-to-date",
      "Available",
      "Age",
      "Containers",
      "Images",
      "Selector",
    ]);

    const rs: Obj = {
      metadata: { name: "hello-node-6ddb5576c9", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "hello-node", "pod-template-hash": "6ddb5576c9" } },
        template: template({ app: "hello-node", "pod-template-hash": "6ddb5576c9" }),
      },
    };
    create(replicasets, rs);
    rs.metadata.creationTimestamp = ago(30);
    expect(replicasets.validate!(rs, ctx())).toEqual([]);
    expect(replicasets.row(rs, ctx())).toEqual([
      "hello-node-6ddb5576c9",
      1,
      0,
      0,
      "30s",
      "nginx",
      "nginx",
      "app=hello-node,pod-template-hash=6ddb5576c9",
    ]);
    expect(replicasets.shortNames).toEqual(["rs"]);
    expect(deployments.shortNames).toEqual(["deploy"]);
  });
});

describe("ControllerRevision", () => {
  it("prints the controller as kind.group/name", () => {
    const cr = {
      metadata: {
        name: "fluentd-7b4c5d9f8",
        creationTimestamp: ago(10),
        ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "fluentd", controller: true, uid: "u" }],
      },
      data: {},
      revision: 1,
    };
    expect(controllerrevisions.row(cr, ctx())).toEqual(["fluentd-7b4c5d9f8", "daemonset.apps/fluentd", 1, "10s"]);
    expect(controllerrevisions.validate!({ metadata: {}, revision: -1 }, ctx())).toEqual([
      { type: "FieldValueRequired", field: "data", message: "Required value: data is mandatory" },
      { type: "FieldValueInvalid", field: "revision", message: "Invalid value: -1: must be greater than or equal to 0" },
    ]);
  });
});

describe("helpers", () => {
  it("SafeEncodeString maps digits like the real one", () => {
    // "0".."9" are bytes 48..57 → alphanums[48 % 27 = 21] = "4", …
    expect(safeEncodeString("0123456789")).toBe("456789bcdf");
  });

  it("computes a stable 10-or-fewer character pod-template-hash that depends on the collision count", () => {
    const t = template();
    const h = computeHash(t);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash(structuredClone(t))).toBe(h);
    expect(computeHash(t, 1)).not.toBe(h);
  });

  it("matches and prints label selectors", () => {
    const sel = { matchLabels: { app: "a" }, matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] };
    expect(selectorMatches(sel, { app: "a", tier: "web" })).toBe(true);
    expect(selectorMatches(sel, { app: "a" })).toBe(false);
    expect(selectorMatches(null, { app: "a" })).toBe(false);
    expect(labelSelectorString(sel)).toBe("app=a,tier in (api,web)");
  });
});
