// A CRD's served versions as ResourceDefs of the resource table: printer columns evaluated with
// client-go's jsonpath as apiextensions-apiserver's tableconvertor does, version priority, shared
// storage, discovery and OpenAPI of the table with them, and the naming controller's conflicts.
import { describe, expect, it } from "vitest";
import type { Obj } from "../../durable/resources/types";
import { compareKubeAwareVersions, customResourceDefs, openapiName } from "../../durable/resources/customresource";
import { builtins } from "../../durable/resources";
import { findResults, JSONPath } from "../../durable/workstation/kubectl/jsonpath";
import { aggregated, apiResourceList } from "../../durable/api/discovery";
import { openapiV3Document } from "../../durable/api/openapi";
import { acceptNames } from "../../durable/controllers/customresourcedefinition";
import { findResource, withTable } from "../../durable/workstation/kubectl/client";
import type { HostPause } from "../../durable/shell/types";

const NOW = Date.parse("2025-05-01T12:00:00Z");
const ctx = { now: NOW, get: () => undefined, list: () => [] };
const jp = { find: findResults, print: (v: unknown) => new JSONPath("column", "").printResults([v]) };

const ESTABLISHED = { conditions: [{ type: "Established", status: "True" }] };

function crontabs(over: Obj = {}): Obj {
  return {
    metadata: { name: "crontabs.stable.example.com" },
    spec: {
      group: "stable.example.com",
      scope: "Namespaced",
      names: { plural: "crontabs", singular: "crontab", kind: "CronTab", listKind: "CronTabList", shortNames: ["ct"], categories: ["all"] },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { cronSpec: { type: "string" } } } } },
          },
          additionalPrinterColumns: [
            {
              name: "Spec",
              type: "string",
              jsonPath: ".spec.cronSpec",
              description: "The cron spec defining the interval a CronJob is run",
            },
            { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
            { name: "Suspended", type: "boolean", jsonPath: ".spec.suspend" },
            { name: "Tags", type: "string", jsonPath: ".spec.tags", priority: 1 },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
        },
      ],
    },
    status: {
      ...ESTABLISHED,
      acceptedNames: {
        plural: "crontabs",
        singular: "crontab",
        kind: "CronTab",
        listKind: "CronTabList",
        shortNames: ["ct"],
        categories: ["all"],
      },
    },
    ...over,
  };
}

describe("printer columns", () => {
  const [def] = customResourceDefs(crontabs() as never, jp);

  it("are NAME and the additionalPrinterColumns, with their descriptions and priorities", () => {
    expect(def.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ["Name", "string", 0],
      ["Spec", "string", 0],
      ["Replicas", "integer", 0],
      ["Suspended", "boolean", 0],
      ["Tags", "string", 1],
      ["Age", "date", 0],
    ]);
    expect(def.columns[1].description).toBe("The cron spec defining the interval a CronJob is run");
    expect(def.columns[2].description).toBe("Custom resource definition column (in JSONPath format): .spec.replicas");
  });

  it("evaluate their JSONPath: strings printed as Go prints them, typed cells, missing values null", () => {
    const obj = {
      metadata: { name: "my-new-cron-object", creationTimestamp: "2025-05-01T11:58:00Z" },
      spec: { cronSpec: "* * * * */5", replicas: 3, tags: ["a", "b"] },
    };
    expect(def.row(obj, ctx)).toEqual(["my-new-cron-object", "* * * * */5", 3, null, '["a","b"]', "2m"]);
    expect(def.row({ metadata: { name: "x", creationTimestamp: "soon" }, spec: { replicas: "three", suspend: true } }, ctx)).toEqual([
      "x",
      null,
      null,
      true,
      null,
      "<invalid>",
    ]);
  });

  it("default to Age when a version has none", () => {
    const c = crontabs();
    delete c.spec.versions[0].additionalPrinterColumns;
    const [d] = customResourceDefs(c as never, jp);
    expect(d.columns.map((x) => x.name)).toEqual(["Name", "Age"]);
  });
});

describe("served versions", () => {
  it("are nothing until the CRD is Established", () => {
    expect(customResourceDefs(crontabs({ status: {} }) as never, jp)).toEqual([]);
  });

  it("go in kube-aware priority order; the others convert to the storage version", () => {
    const c = crontabs();
    const v = c.spec.versions[0];
    c.spec.versions = [
      { ...v, name: "v1alpha1", storage: false },
      { ...v, name: "v1beta1", storage: false },
      { ...v, name: "v2", served: false, storage: false },
      { ...v, name: "v1" },
    ];
    const defs = customResourceDefs(c as never, jp);
    expect(defs.map((d) => d.version)).toEqual(["v1", "v1beta1", "v1alpha1"]);
    expect(defs[0].convert).toBeUndefined();
    expect(defs[1].convert!.toStorage({ apiVersion: "stable.example.com/v1beta1" }).apiVersion).toBe("stable.example.com/v1");
    expect(defs[1].convert!.fromStorage({ apiVersion: "stable.example.com/v1" }).apiVersion).toBe("stable.example.com/v1beta1");
    expect(defs.every((d) => d.storage?.plural === "crontabs" && d.storage.group === "stable.example.com")).toBe(true);
  });

  it("are still served while the CRD is deleted, but refuse new objects", () => {
    const [d] = customResourceDefs(
      crontabs({ metadata: { name: "crontabs.stable.example.com", deletionTimestamp: "2025-05-01T12:00:00Z" } }) as never,
      jp,
    );
    expect(() => d.prepareForCreate!({ metadata: {} }, ctx)).toThrow(
      expect.objectContaining({
        code: 405,
        reason: "MethodNotAllowed",
        message: "create not allowed while custom resource definition is terminating",
      }),
    );
  });

  it("compareKubeAwareVersions sorts as upstream's example", () => {
    const list = ["foo10", "v1", "v11alpha2", "v12alpha1", "v3beta1", "v10beta3", "v11beta2", "v2", "foo1"];
    expect(list.sort(compareKubeAwareVersions)).toEqual([
      "v2",
      "v1",
      "v11beta2",
      "v10beta3",
      "v3beta1",
      "v12alpha1",
      "v11alpha2",
      "foo1",
      "foo10",
    ]);
  });

  it("publish their OpenAPI name with the group reversed", () => {
    expect(openapiName("stable.example.com", "v1", "CronTab")).toBe("com.example.stable.v1.CronTab");
  });
});

describe("the table with a CRD", () => {
  const table = builtins.with(customResourceDefs(crontabs() as never, jp));

  it("serves the kind by its path, keeps the built-ins and is served in discovery", () => {
    expect(table.lookup("stable.example.com", "v1", "crontabs")?.kind).toBe("CronTab");
    expect(table.lookup("", "v1", "pods")?.kind).toBe("Pod");
    expect(builtins.lookup("stable.example.com", "v1", "crontabs")).toBeUndefined();
    const list = apiResourceList("stable.example.com/v1", table)!;
    expect(list.resources).toEqual([
      {
        name: "crontabs",
        singularName: "crontab",
        namespaced: true,
        kind: "CronTab",
        verbs: expect.any(Array),
        shortNames: ["ct"],
        categories: ["all"],
      },
    ]);
    const groups = aggregated(false, "v2", table).items.map((g: Obj) => g.metadata.name);
    // After the built-in groups it serves (the unserved kinds' groups come last).
    expect(groups.indexOf("stable.example.com")).toBeGreaterThan(groups.indexOf("apiextensions.k8s.io"));
    expect(groups.indexOf("stable.example.com")).toBeLessThan(groups.indexOf("certificates.k8s.io"));
  });

  it("takes an unserved kind's place when it serves the same group and plural", () => {
    expect(builtins.lookupUnserved("storage.k8s.io", "v1", "csidrivers")).toBeDefined();
    const csi = customResourceDefs(crontabs() as never, jp).map((d) => ({ ...d, group: "storage.k8s.io", plural: "csidrivers" }));
    const t = builtins.with(csi);
    expect(t.lookupUnserved("storage.k8s.io", "v1", "csidrivers")).toBeUndefined();
    expect(t.inGroupVersion("storage.k8s.io/v1").filter((d) => d.plural === "csidrivers")).toEqual([
      t.lookup("storage.k8s.io", "v1", "csidrivers"),
    ]);
  });

  it("leaves out a custom kind that a built-in one already serves", () => {
    const clash = customResourceDefs(crontabs() as never, jp).map((d) => ({ ...d, group: "apps", version: "v1", plural: "deployments" }));
    expect(builtins.with(clash)).toBe(builtins);
  });

  it("publishes the schema in OpenAPI v3 with the GVK kubectl explain looks for", () => {
    const doc = openapiV3Document(table.all, "apis/stable.example.com/v1") as Obj;
    const schema = doc.components.schemas["com.example.stable.v1.CronTab"];
    expect(schema["x-kubernetes-group-version-kind"]).toEqual([{ group: "stable.example.com", kind: "CronTab", version: "v1" }]);
    expect(Object.keys(schema.properties)).toEqual(["apiVersion", "kind", "spec", "metadata"]);
    expect(schema.properties.metadata.allOf).toEqual([{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }]);
    expect(doc.components.schemas["com.example.stable.v1.CronTabList"].description).toBe("CronTabList is a list of CronTab");
    expect(doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]).toBeDefined();
  });
});

describe("the naming controller", () => {
  const other = (names: Obj) => ({
    metadata: { name: "other.stable.example.com" },
    spec: { group: "stable.example.com", names },
    status: { acceptedNames: names },
  });

  it("accepts names nobody in the group holds", () => {
    const { names, cond } = acceptNames(crontabs() as never, [other({ plural: "others", kind: "Other", shortNames: ["o"] })] as never);
    expect(cond).toEqual({ type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" });
    expect(names.plural).toBe("crontabs");
  });

  it("refuses a plural, short name or kind in use, keeping the names it had", () => {
    const c = crontabs({ status: { acceptedNames: { plural: "", kind: "" } } });
    expect(acceptNames(c as never, [other({ plural: "crontabs", kind: "Other" })] as never)).toEqual({
      names: { plural: "", kind: "" },
      cond: { type: "NamesAccepted", status: "False", reason: "PluralConflict", message: '"crontabs" is already in use' },
    });
    expect(acceptNames(c as never, [other({ plural: "others", kind: "Other", shortNames: ["ct"] })] as never).cond.reason).toBe(
      "ShortNamesConflict",
    );
    expect(acceptNames(c as never, [other({ plural: "others", kind: "CronTab" })] as never).cond.reason).toBe("KindConflict");
  });
});

describe("the workstation kubectl's discovery", () => {
  const mine = builtins.with(customResourceDefs(crontabs() as never, jp));

  it("finds a custom kind by short name only in the cluster whose table has it, across interleaved waits", () => {
    const seen: string[] = [];
    function* program(): Generator<HostPause, number, void> {
      for (let i = 0; i < 2; i++) {
        try {
          seen.push(findResource("ct").kindName);
        } catch (e) {
          seen.push((e as { text: string }).text);
        }
        yield { until: Promise.resolve() } as HostPause;
      }
      return 0;
    }
    const a = withTable(program(), () => mine);
    const b = withTable(program(), () => builtins);
    // Resumed in turn, as two clusters' terminals in one isolate would be.
    a.next();
    b.next();
    a.next();
    b.next();
    expect(a.next().done).toBe(true);
    expect(b.next().done).toBe(true);
    const refused = 'error: the server doesn\'t have a resource type "ct"';
    expect(seen).toEqual(["crontab.stable.example.com", refused, "crontab.stable.example.com", refused]);
  });

  it("passes a signal thrown into it on to the program", () => {
    function* program(): Generator<HostPause, number, void> {
      try {
        yield { until: Promise.resolve() } as HostPause;
        return 0;
      } catch {
        return 130;
      }
    }
    const run = withTable(program(), () => mine);
    run.next();
    expect(run.throw(new Error("SIGINT"))).toEqual({ done: true, value: 130 });
  });
});
