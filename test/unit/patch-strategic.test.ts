// Strategic merge patch: the patches kubectl sends (apply, set image, label, scale, edit) against
// the generated definitions (patch metadata from durable/openapi/patch-meta.json), plus the
// directives and the upstream error texts.
import { describe, expect, it } from "vitest";
import definitions from "../../durable/openapi/definitions.json";
import { PatchError, applyStrategicMergePatch, fieldPatchMeta, schemaFor, type Definitions } from "../../durable/api/patch/strategic";

const defs = definitions as unknown as Definitions;
const deploymentSchema = schemaFor(defs, "io.k8s.api.apps.v1.Deployment");
const podSchema = schemaFor(defs, "io.k8s.api.core.v1.Pod");

function deployment() {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      labels: { app: "web", tier: "frontend" },
      annotations: { "deployment.kubernetes.io/revision": "1" },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "app",
              image: "nginx:1.14",
              ports: [{ containerPort: 80, protocol: "TCP" }],
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
              ],
              terminationMessagePath: "/dev/termination-log",
              imagePullPolicy: "IfNotPresent",
            },
            { name: "sidecar", image: "busybox", command: ["sleep", "3600"] },
          ],
          restartPolicy: "Always",
          dnsPolicy: "ClusterFirst",
        },
      },
    },
    status: { replicas: 2 },
  };
}

type Dep = ReturnType<typeof deployment>;
const smp = (doc: unknown, patch: unknown) => applyStrategicMergePatch(doc, patch, deploymentSchema) as unknown as Dep;

function thrown(f: () => unknown): PatchError {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
}

describe("strategic merge patch: kubectl commands", () => {
  it("kubectl set image merges the container by name", () => {
    const doc = deployment();
    const out = smp(doc, { spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1.16" }] } } } });
    const [app, sidecar] = out.spec.template.spec.containers;
    expect(app.image).toBe("nginx:1.16");
    expect(app.ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
    expect(app.env).toHaveLength(2);
    expect(sidecar).toEqual(deployment().spec.template.spec.containers[1]);
    // the input is not modified
    expect(doc).toEqual(deployment());
  });

  it("kubectl apply: three-way patch with $setElementOrder, $retainKeys and $patch: delete", () => {
    const patch = {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}\n" } },
      spec: {
        replicas: 3,
        strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" },
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "app" }, { name: "sidecar" }],
            containers: [
              {
                "$setElementOrder/env": [{ name: "B" }, { name: "C" }],
                env: [
                  { name: "B", value: "3" },
                  { name: "C", value: "4" },
                  { $patch: "delete", name: "A" },
                ],
                image: "nginx:1.16",
                name: "app",
              },
            ],
          },
        },
      },
    };
    const out = smp(deployment(), patch);
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.strategy).toEqual({ type: "Recreate" });
    expect(out.metadata.annotations).toEqual({
      "deployment.kubernetes.io/revision": "1",
      "kubectl.kubernetes.io/last-applied-configuration": "{}\n",
    });
    const app = out.spec.template.spec.containers[0];
    expect(app.image).toBe("nginx:1.16");
    expect(app.env).toEqual([
      { name: "B", value: "3" },
      { name: "C", value: "4" },
    ]);
    expect(app.terminationMessagePath).toBe("/dev/termination-log");
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(["app", "sidecar"]);
    expect(JSON.stringify(out)).not.toMatch(/\$setElementOrder|\$retainKeys|\$patch/);
  });

  it("kubectl apply adding a container and reordering with $setElementOrder", () => {
    const patch = {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "log" }, { name: "app" }],
            containers: [{ name: "log", image: "fluentd" }],
          },
        },
      },
    };
    const out = smp(deployment(), patch);
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(["sidecar", "log", "app"]);
  });

  it("kubectl label / annotate: map merge and null deletes a key", () => {
    const out = smp(deployment(), {
      metadata: { labels: { env: "prod", tier: null }, annotations: { note: "hi", missing: null } },
    });
    expect(out.metadata.labels).toEqual({ app: "web", env: "prod" });
    expect(out.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1", note: "hi" });
  });

  it("kubectl scale / patch of a scalar", () => {
    const out = smp(deployment(), { spec: { replicas: 5 } });
    expect(out.spec.replicas).toBe(5);
    expect(out.spec.template).toEqual(deployment().spec.template);
  });

  it("removes an env var with $patch: delete", () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "A", $patch: "delete" }] }] } } },
    });
    expect(out.spec.template.spec.containers[0].env).toEqual([{ name: "B", value: "2" }]);
  });

  it("adds to merge lists keyed by containerPort", () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: "app", ports: [{ containerPort: 443 }, { containerPort: 80, name: "http" }] }] } } },
    });
    expect(out.spec.template.spec.containers[0].ports).toEqual([
      { containerPort: 443 },
      { containerPort: 80, protocol: "TCP", name: "http" },
    ]);
  });

  it("replaces lists without a merge strategy (command, tolerations)", () => {
    const out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: "sidecar", command: ["sh"] }] } } },
    });
    expect(out.spec.template.spec.containers[1].command).toEqual(["sh"]);
  });

  it("$patch: replace on a list and on a map, $patch: delete on a map", () => {
    let out = smp(deployment(), {
      spec: { template: { spec: { containers: [{ name: "only", image: "x" }, { $patch: "replace" }] } } },
    });
    expect(out.spec.template.spec.containers).toEqual([{ name: "only", image: "x" }]);

    out = smp(deployment(), { metadata: { labels: { $patch: "replace", fresh: "1" } } });
    expect(out.metadata.labels).toEqual({ fresh: "1" });

    out = smp(deployment(), { spec: { strategy: { $patch: "delete" } } });
    expect(out.spec.strategy).toEqual({});

    // a directive on a key absent from the live object is dropped
    out = smp(deployment(), { spec: { paused: { $patch: "delete" } } });
    expect("paused" in out.spec).toBe(false);
  });

  it("$retainKeys on volumes (merge,retainKeys)", () => {
    const pod = {
      metadata: { name: "p" },
      spec: {
        containers: [{ name: "c", image: "i" }],
        volumes: [
          { name: "data", emptyDir: {} },
          { name: "cfg", configMap: { name: "c1" } },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      pod,
      { spec: { volumes: [{ name: "data", $retainKeys: ["configMap", "name"], configMap: { name: "c2" } }] } },
      podSchema,
    );
    expect((out.spec as { volumes: unknown[] }).volumes).toEqual([
      { name: "data", configMap: { name: "c2" } },
      { name: "cfg", configMap: { name: "c1" } },
    ]);
  });

  it("primitive merge lists: finalizers merge, $deleteFromPrimitiveList removes", () => {
    const doc = { metadata: { name: "p", finalizers: ["a", "b"] } };
    let out = applyStrategicMergePatch(doc, { metadata: { finalizers: ["c", "a"] } }, podSchema);
    // without $setElementOrder, patch items come first, then server-only items (upstream order)
    expect((out.metadata as { finalizers: string[] }).finalizers).toEqual(["c", "a", "b"]);

    out = applyStrategicMergePatch(doc, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, podSchema);
    expect((out.metadata as { finalizers: string[] }).finalizers).toEqual(["b"]);

    out = applyStrategicMergePatch(
      doc,
      { metadata: { "$setElementOrder/finalizers": ["b", "c"], "$deleteFromPrimitiveList/finalizers": ["a"], finalizers: ["c"] } },
      podSchema,
    );
    expect((out.metadata as { finalizers: string[] }).finalizers).toEqual(["b", "c"]);

    // deleting from a list that does not exist does not create it
    out = applyStrategicMergePatch({ metadata: {} }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, podSchema);
    expect(out.metadata).toEqual({});
  });

  it("ownerReferences merge by uid; conditions by type", () => {
    const doc = {
      metadata: { ownerReferences: [{ uid: "1", kind: "ReplicaSet", name: "rs" }] },
      status: {
        conditions: [
          { type: "Ready", status: "False" },
          { type: "PodScheduled", status: "True" },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      doc,
      {
        metadata: { ownerReferences: [{ uid: "2", kind: "X", name: "x" }] },
        status: { conditions: [{ type: "Ready", status: "True" }] },
      },
      podSchema,
    ) as typeof doc;
    expect(out.metadata.ownerReferences.map((o) => o.uid)).toEqual(["2", "1"]);
    expect(out.status.conditions).toEqual([
      { type: "Ready", status: "True" },
      { type: "PodScheduled", status: "True" },
    ]);
  });

  it("nulls inside added values are dropped", () => {
    const out = smp(deployment(), { spec: { paused: true, revisionHistoryLimit: null, minReadySeconds: 0, newMap: { a: null, b: 1 } } });
    expect(out.spec).toMatchObject({ paused: true, minReadySeconds: 0, newMap: { b: 1 } });
  });
});

describe("strategic merge patch: list order (as kubectl patch --local computes it)", () => {
  const names = (d: Dep) => d.spec.template.spec.containers.map((c) => c.name);
  const containers = (list: unknown[]) => ({ spec: { template: { spec: { containers: list } } } });
  it("new items without $setElementOrder go before server-only items", () => {
    expect(names(smp(deployment(), containers([{ name: "new", image: "x" }])))).toEqual(["new", "app", "sidecar"]);
    expect(names(smp(deployment(), containers([{ name: "sidecar" }, { name: "new", image: "x" }])))).toEqual(["app", "sidecar", "new"]);
  });
  it("a patch list that contradicts $setElementOrder is refused", () => {
    const e = thrown(() =>
      smp(deployment(), {
        spec: { template: { spec: { "$setElementOrder/containers": [{ name: "app" }], containers: [{ name: "sidecar", image: "q" }] } } },
      }),
    );
    expect(e.message).toBe(
      "The order in patch list:\n[map[image:q name:sidecar]]\n doesn't match $setElementOrder list:\n[map[name:app]]\n",
    );
  });
});

describe("strategic merge patch: errors", () => {
  it("a merge list item without its merge key → 500 with the upstream text", () => {
    const e = thrown(() => smp(deployment(), { spec: { template: { spec: { containers: [{ image: "x" }] } } } }));
    expect(e.code).toBe(500);
    expect(e.message).toBe("map: map[image:x] does not contain declared merge key: name");
    expect(e.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "map: map[image:x] does not contain declared merge key: name",
      code: 500,
    });
  });

  it("an unknown field of a struct, when both sides are objects", () => {
    const doc = { spec: { template: { spec: { bogus: { a: 1 } } } } };
    const e = thrown(() => smp(doc, { spec: { template: { spec: { bogus: { a: 2 } } } } }));
    expect(e.message).toBe('unable to find api field in struct PodSpec for the json field "bogus"');
    expect(e.code).toBe(500);
    // a scalar or a new key is simply taken
    expect(smp(doc, { spec: { template: { spec: { other: { a: 2 } } } } }).spec.template.spec).toHaveProperty("other");
  });

  it("bad directives", () => {
    let e = thrown(() => smp(deployment(), { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: { maxSurge: 1 } } } }));
    expect([e.code, e.message]).toEqual([400, "invalid patch format of retainKeys"]);
    expect(e.toStatus()).toMatchObject({ reason: "BadRequest", code: 400 });

    e = thrown(() => smp(deployment(), { spec: { template: { spec: { containers: [{ $patch: "merge" }] } } } }));
    expect(e.message).toBe("merging lists cannot yet be specified in the patch");

    e = thrown(() => smp(deployment(), { spec: { strategy: { $patch: "bogus" } } }));
    expect(e.message).toBe("unknown patch type: bogus in map: map[$patch:bogus]");

    e = thrown(() => smp(deployment(), { metadata: { $deleteFromPrimitiveListfinalizers: ["a"] } }));
    expect([e.code, e.message]).toEqual([400, "invalid patch format of primitive list"]);

    e = thrown(() => smp(deployment(), [{ op: "add" }]));
    expect([e.code, e.message]).toEqual([400, "json: cannot unmarshal array into Go value of type map[string]interface {}"]);
  });
});

describe("patch metadata lookups", () => {
  it("finds merge keys and strategies along a path", () => {
    const D = "io.k8s.api.apps.v1.Deployment";
    expect(fieldPatchMeta(defs, D, ["spec", "template", "spec", "containers"])).toEqual({ strategy: "merge", mergeKey: "name" });
    expect(fieldPatchMeta(defs, D, ["spec", "template", "spec", "containers", "0", "env"])).toEqual({
      strategy: "merge",
      mergeKey: "name",
    });
    expect(fieldPatchMeta(defs, D, ["spec", "template", "spec", "volumes"])).toEqual({ strategy: "merge,retainKeys", mergeKey: "name" });
    expect(fieldPatchMeta(defs, D, ["spec", "strategy"])).toEqual({ strategy: "retainKeys" });
    expect(fieldPatchMeta(defs, D, ["spec", "template", "spec", "tolerations"])).toEqual({});
    expect(fieldPatchMeta(defs, D, ["spec", "nope"])).toBeUndefined();
  });

  it("reads x-kubernetes-patch-* from hand-written definitions", () => {
    const fixture: Definitions = {
      "example.v1.Thing": {
        type: "object",
        properties: {
          items: {
            type: "array",
            items: { $ref: "#/definitions/example.v1.Item" },
            "x-kubernetes-patch-strategy": "merge",
            "x-kubernetes-patch-merge-key": "id",
          },
        },
      },
      "example.v1.Item": { type: "object", properties: { id: { type: "string" }, v: { type: "integer" } } },
    };
    const out = applyStrategicMergePatch(
      { items: [{ id: "a", v: 1 }] },
      {
        items: [
          { id: "b", v: 2 },
          { id: "a", v: 3 },
        ],
      },
      schemaFor(fixture, "example.v1.Thing"),
    );
    expect(out.items).toEqual([
      { id: "b", v: 2 },
      { id: "a", v: 3 },
    ]);
  });
});

describe("strategic merge patch: depth", () => {
  it("copies a patch value 10000 deep, with its directives and nulls, without overflowing the stack", () => {
    let deep: Record<string, unknown> = { keep: 1, gone: null, $retainKeys: ["keep"] };
    for (let i = 0; i < 9997; i++) deep = { x: deep };
    const out = applyStrategicMergePatch(
      { metadata: { name: "d" } },
      { metadata: { annotations: { a: "b" } }, spec: { template: deep } },
      deploymentSchema,
    ) as Record<string, any>;
    let v = out.spec.template;
    for (let i = 0; i < 9997; i++) v = v.x;
    expect(v).toEqual({ keep: 1 });
  });

  it("quotes a deep map in an error message", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10000; i++) deep = { x: deep };
    const e = thrown(() => smp(deployment(), { spec: { template: { spec: { containers: [{ image: "x", deep }] } } } }));
    expect(e.message.startsWith("map: map[deep:map[x:map[x:")).toBe(true);
    expect(e.message.endsWith("]]]]] image:x] does not contain declared merge key: name")).toBe(true);
  });
});
