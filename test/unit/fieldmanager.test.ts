// The field manager against upstream behaviour: FieldsV1 encoding (the example of the server-side
// apply documentation, a kubectl-create Deployment as a v1.33 server records it), the apply merge
// (associative lists by key, atomic lists replaced, pruning), conflicts and their Status, and
// ownership moving between managers.
import { describe, expect, it } from "vitest";
import { FieldSet } from "../../durable/api/fieldmanager/fieldset";
import { ApplyConflict, applyConfiguration, atomOf, updateManagedFields } from "../../durable/api/managedfields";
import { toFieldSet } from "../../durable/api/fieldmanager/typed";

const NOW = "2026-12-05T06:00:00Z";
const LATER = "2026-12-05T06:01:00Z";
const DEPLOY = { openapi: "io.k8s.api.apps.v1.Deployment", apiVersion: "apps/v1", kind: "Deployment", hasStatus: true };
const CM = { openapi: "io.k8s.api.core.v1.ConfigMap", apiVersion: "v1", kind: "ConfigMap", hasStatus: false };
const w = (manager: string, now = NOW, subresource?: string) => ({
  manager,
  apiVersion: "apps/v1",
  now,
  ...(subresource ? { subresource } : {}),
});
const entry = (obj: any, manager: string) => obj.metadata.managedFields.find((e: any) => e.manager === manager);

describe("FieldsV1", () => {
  it("encodes an applied ConfigMap as the server-side apply documentation shows it", () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "test-cm", namespace: "default", labels: { "test-label": "test" } },
      data: { key: "some value" },
    };
    const { obj } = applyConfiguration(CM, undefined, cm, { manager: "kubectl", apiVersion: "v1", now: NOW }, false);
    expect(obj.metadata.managedFields).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "v1",
        time: NOW,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:key": {} }, "f:metadata": { "f:labels": { "f:test-label": {} } } },
      },
    ]);
  });

  it("sorts members first, then fields, keys and values, and round-trips", () => {
    const v1 = {
      "f:metadata": { "f:finalizers": { ".": {}, 'v:"b"': {}, 'v:"a"': {} } },
      "f:spec": { "f:ports": { 'k:{"port":8080,"protocol":"TCP"}': {}, 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {} } } },
    };
    const out = FieldSet.fromFieldsV1(v1).toFieldsV1();
    expect(JSON.stringify(out)).toBe(
      '{"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}},"f:spec":{"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:port":{}},"k:{\\"port\\":8080,\\"protocol\\":\\"TCP\\"}":{}}}}',
    );
  });

  it("records a kubectl-create Deployment as a v1.33 server does: '.' only on fields the empty object lacks", () => {
    const d = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80, protocol: "TCP" }] }] },
        },
      },
      status: {},
    };
    const managed = updateManagedFields(DEPLOY, undefined, d, undefined, w("kubectl-create"));
    expect(managed).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: NOW,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:strategy": { "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} }, "f:type": {} },
            "f:template": {
              "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": { ".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:protocol": {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("treats a kind without a schema as deduced: maps granular, lists atomic", () => {
    const set = toFieldSet({ spec: { a: 1, list: [{ x: 1 }], m: { k: "v" } } }, atomOf(undefined));
    expect(set.toFieldsV1()).toEqual({
      "f:spec": { ".": {}, "f:a": {}, "f:list": {}, "f:m": { ".": {}, "f:k": {} } },
    });
  });
});

const base = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "a", image: "a:1", args: ["x", "y"] }] },
    },
  },
});

describe("apply", () => {
  it("merges associative lists by key, replaces atomic lists, and prunes what the manager stopped applying", () => {
    const first = applyConfiguration(DEPLOY, undefined, base(), w("mgr"), false).obj;
    first.spec.template.spec.containers.push({ name: "side", image: "s:1" }); // someone else's container
    const cfg = base();
    cfg.spec.template.spec.containers[0] = { name: "a", image: "a:2", args: ["z"] } as never;
    delete (cfg.spec as any).replicas;
    const { obj } = applyConfiguration(DEPLOY, first, cfg, w("mgr", LATER), false);
    expect(obj.spec.template.spec.containers).toEqual([
      { name: "a", image: "a:2", args: ["z"] },
      { name: "side", image: "s:1" },
    ]);
    expect("replicas" in obj.spec).toBe(false);
    expect(entry(obj, "mgr").fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();
    expect(entry(obj, "mgr").time).toBe(LATER);
  });

  it("keeps a field the manager stopped applying when another manager owns it", () => {
    const first = applyConfiguration(DEPLOY, undefined, base(), w("mgr"), false).obj;
    const shared = applyConfiguration(DEPLOY, first, { ...base(), spec: { replicas: 2 } }, w("other"), false).obj;
    const cfg = base();
    delete (cfg.spec as any).replicas;
    const { obj } = applyConfiguration(DEPLOY, shared, cfg, w("mgr", LATER), false);
    expect(obj.spec.replicas).toBe(2);
    expect(entry(obj, "other").fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("re-applying the same configuration changes nothing", () => {
    const first = applyConfiguration(DEPLOY, undefined, base(), w("mgr"), false).obj;
    const again = applyConfiguration(DEPLOY, first, base(), w("mgr", LATER), false);
    expect(again.changed).toBe(false);
    expect(again.obj).toEqual(first);
  });

  it("refuses a change to another manager's field with upstream's message and causes, and force takes it", () => {
    const created = applyConfiguration(DEPLOY, undefined, base(), w("kubectl"), false).obj;
    const scaled = structuredClone(created);
    scaled.spec.replicas = 5;
    scaled.metadata.managedFields = updateManagedFields(DEPLOY, created, scaled, undefined, w("kubectl-scale", LATER, "scale"));
    let err: unknown;
    try {
      applyConfiguration(DEPLOY, scaled, base(), w("kubectl"), false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApplyConflict);
    expect((err as ApplyConflict).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
    );
    expect((err as ApplyConflict).causes).toEqual([
      {
        reason: "FieldManagerConflict",
        message: 'conflict with "kubectl-scale" with subresource "scale" using apps/v1',
        field: ".spec.replicas",
      },
    ]);
    const forced = applyConfiguration(DEPLOY, scaled, base(), w("kubectl"), true).obj;
    expect(forced.spec.replicas).toBe(2);
    expect(entry(forced, "kubectl-scale")).toBeUndefined();
  });

  it("lists several conflicts by manager", () => {
    const created = applyConfiguration(DEPLOY, undefined, base(), w("one"), false).obj;
    const cfg = base();
    cfg.spec.replicas = 3;
    cfg.spec.template.spec.containers[0].image = "a:9";
    expect(() => applyConfiguration(DEPLOY, created, cfg, w("two"), false)).toThrow(
      'Apply failed with 2 conflicts: conflicts with "one":\n- .spec.replicas\n- .spec.template.spec.containers[name="a"].image',
    );
  });
});

describe("update", () => {
  it("moves ownership of a changed field to the writer and merges its entries", () => {
    const created = applyConfiguration(DEPLOY, undefined, base(), w("kubectl"), false).obj;
    const edited = structuredClone(created);
    edited.spec.template.spec.containers[0].image = "a:3";
    edited.metadata.managedFields = updateManagedFields(DEPLOY, created, edited, undefined, w("kubectl-edit", LATER));
    expect(entry(edited, "kubectl-edit").fieldsV1).toEqual({
      "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"a"}': { "f:image": {} } } } } },
    });
    expect(entry(edited, "kubectl").fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"a"}']).toEqual({
      ".": {},
      "f:args": {},
      "f:name": {},
    });
    // An unchanged write records nothing and keeps the entry's time.
    expect(updateManagedFields(DEPLOY, edited, structuredClone(edited), undefined, w("kubectl-edit", "2026-12-05T07:00:00Z"))).toEqual(
      edited.metadata.managedFields,
    );
  });

  it("keeps status out of the main resource's entries and records the status subresource's", () => {
    const created = applyConfiguration(DEPLOY, undefined, base(), w("kubectl"), false).obj;
    const withStatus = { ...structuredClone(created), status: { replicas: 2 } };
    const managed = updateManagedFields(DEPLOY, created, withStatus, undefined, w("kube-controller-manager", LATER, "status"));
    expect(managed!.find((e) => e.subresource === "status")).toMatchObject({
      manager: "kube-controller-manager",
      fieldsV1: { "f:status": { "f:replicas": {} } },
    });
    expect(updateManagedFields(DEPLOY, created, withStatus, undefined, w("someone", LATER))).toEqual(created.metadata.managedFields);
  });
});
