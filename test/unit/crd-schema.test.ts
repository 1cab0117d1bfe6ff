// The structural schemas of CustomResourceDefinitions against apiextensions-apiserver: the CRD's
// own validation (ValidateCustomResourceDefinition, validateStructuralInvariants), and what a
// custom object goes through (pruning, defaulting, validation with kube-openapi's messages).
import { describe, expect, it } from "vitest";
import type { Obj } from "../../durable/resources/types";
import { applyDefaults, hasCelRules, prune, validateCustom, validateStructural, type Schema } from "../../durable/resources/crdschema";
import crds, { validateCRD } from "../../durable/resources/customresourcedefinition";

const texts = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const ROOT = "spec.versions[0].schema.openAPIV3Schema";

function crd(over: Obj = {}): Obj {
  const base: Obj = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "crontabs.stable.example.com" },
    spec: {
      group: "stable.example.com",
      scope: "Namespaced",
      names: { plural: "crontabs", singular: "crontab", kind: "CronTab", listKind: "CronTabList" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
    },
  };
  return { ...base, ...over, spec: { ...base.spec, ...(over.spec ?? {}) } };
}

describe("ValidateCustomResourceDefinition", () => {
  it("accepts the docs' CronTab CRD", () => {
    expect(texts(validateCRD(crd() as never))).toEqual([]);
  });

  it("requires the name to be plural.group", () => {
    expect(texts(validateCRD(crd({ metadata: { name: "crontab.stable.example.com" } }) as never))).toEqual([
      'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  it("requires a dot in the group", () => {
    const c = crd({ metadata: { name: "crontabs.example" }, spec: { group: "example" } });
    expect(texts(validateCRD(c as never))).toEqual(['spec.group: Invalid value: "example": should be a domain with at least one dot']);
  });

  it("requires exactly one storage version", () => {
    const v = (name: string, storage: boolean) => ({ name, served: true, storage, schema: { openAPIV3Schema: { type: "object" } } });
    const errs = texts(validateCRD(crd({ spec: { versions: [v("v1", true), v("v2", true)] } }) as never));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^spec\.versions: Invalid value: \[\]apiextensions\.CustomResourceDefinitionVersion\{.*\}: must have exactly one version marked as storage version$/,
    );
  });

  it("requires a schema per version", () => {
    const c = crd({ spec: { versions: [{ name: "v1", served: true, storage: true }] } });
    expect(texts(validateCRD(c as never))).toEqual([`${ROOT}: Required value: schemas are required`]);
  });

  it("checks the names as DNS-1035 labels", () => {
    const c = crd({ spec: { names: { plural: "cron_tabs", singular: "crontab", kind: "CronTab", listKind: "CronTabList" } } });
    expect(texts(validateCRD(c as never))).toContain(
      "spec.names.plural: Invalid value: \"cron_tabs\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  });

  it("defaults singular and listKind from the kind, served and storage to false", () => {
    const c: Obj = crd({ spec: { names: { plural: "crontabs", kind: "CronTab" }, versions: [{ name: "v1", schema: {} }] } });
    crds.defaults!(c, { now: 0, get: () => undefined, list: () => [] });
    expect(c.spec.names).toEqual({ plural: "crontabs", kind: "CronTab", singular: "crontab", listKind: "CronTabList" });
    expect(c.spec.versions[0]).toMatchObject({ served: false, storage: false });
    expect(c.spec.conversion).toEqual({ strategy: "None" });
  });
});

describe("validateStructuralInvariants", () => {
  it("requires a type for specified object fields, array items and at the root", () => {
    const s: Schema = { type: "object", properties: { spec: { properties: { list: { type: "array", items: {} } } } } };
    expect(texts(validateStructural(s, ROOT))).toEqual([
      `${ROOT}.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items`,
      `${ROOT}.properties[spec].type: Required value: must not be empty for specified object fields`,
    ]);
    expect(texts(validateStructural({}, ROOT))).toEqual([`${ROOT}.type: Required value: must not be empty at the root`]);
  });

  it("lets x-kubernetes-preserve-unknown-fields and x-kubernetes-int-or-string go without a type", () => {
    const s: Schema = {
      type: "object",
      properties: { any: { "x-kubernetes-preserve-unknown-fields": true }, port: { "x-kubernetes-int-or-string": true } },
    };
    expect(validateStructural(s, ROOT)).toEqual([]);
  });

  it("requires object at the root and items for arrays", () => {
    expect(texts(validateStructural({ type: "array" }, ROOT))).toEqual([
      `${ROOT}.items: Required value: must be specified`,
      `${ROOT}.type: Invalid value: "array": must be object at the root`,
    ]);
  });

  it("restricts metadata at the root to name and generateName", () => {
    const ok: Schema = {
      type: "object",
      properties: { metadata: { type: "object", properties: { name: { type: "string", maxLength: 10 } } } },
    };
    // Value validations inside name are fine: only the set of properties is restricted.
    expect(validateStructural(ok, ROOT)).toEqual([]);
    const bad: Schema = { type: "object", properties: { metadata: { type: "object", properties: { labels: { type: "object" } } } } };
    expect(texts(validateStructural(bad, ROOT))).toEqual([
      `${ROOT}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ]);
  });

  it("checks embedded resources and the extensions' combinations", () => {
    const s: Schema = {
      type: "object",
      properties: {
        embedded: { type: "string", "x-kubernetes-embedded-resource": true },
        both: { "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true },
      },
    };
    expect(texts(validateStructural(s, ROOT))).toEqual([
      `${ROOT}.properties[both].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
      `${ROOT}.properties[embedded].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${ROOT}.properties[embedded].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
    ]);
  });

  it("forbids types and defaults in value validations, except the int-or-string anyOf", () => {
    const s: Schema = {
      type: "object",
      properties: {
        port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
        x: { type: "string", oneOf: [{ type: "string", default: "a" }] },
      },
    };
    expect(texts(validateStructural(s, ROOT))).toEqual([
      `${ROOT}.properties[x].oneOf[0].default: Forbidden: must be undefined to be structural`,
      `${ROOT}.properties[x].oneOf[0].type: Forbidden: must be empty to be structural`,
    ]);
  });

  it("refuses uniqueItems and properties beside additionalProperties", () => {
    const s: Schema = {
      type: "object",
      properties: {
        m: { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } },
        l: { type: "array", items: { type: "string" }, uniqueItems: true },
      },
    };
    expect(texts(validateStructural(s, ROOT))).toEqual([
      `${ROOT}.properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${ROOT}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ]);
  });
});

const CRONTAB: Schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["image"],
      properties: {
        cronSpec: { type: "string", pattern: "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$" },
        image: { type: "string", minLength: 3, maxLength: 20 },
        replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
        policy: { type: "string", enum: ["Allow", "Forbid"], default: "Allow" },
        schedule: { type: "string", format: "date-time" },
        port: { "x-kubernetes-int-or-string": true },
        tags: { type: "array", maxItems: 2, minItems: 1, items: { type: "string" } },
        note: { type: "string", nullable: true },
        labels: { type: "object", additionalProperties: { type: "string" } },
        extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        template: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
      },
    },
  },
};

describe("custom objects: validation with kube-openapi's messages", () => {
  const check = (spec: Obj) =>
    texts(validateCustom({ apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "x" }, spec }, CRONTAB));

  it("accepts a valid object", () => {
    expect(check({ cronSpec: "* * * * */5", image: "my-image", replicas: 2, port: "http", tags: ["a"], note: null })).toEqual([]);
  });

  it("reports a wrong type with the value's type", () => {
    expect(check({ image: "abc", cronSpec: 5 })).toEqual([
      'spec.cronSpec: Invalid value: "integer": spec.cronSpec in body must be of type string: "integer"',
    ]);
    expect(check({ image: "abc", replicas: 1.5 })).toEqual([
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    ]);
    expect(check({ image: "abc", port: true })).toEqual([
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ]);
  });

  it("reports required fields, enums, patterns and bounds", () => {
    expect(check({ policy: "Maybe" })).toEqual([
      "spec.image: Required value",
      'spec.policy: Unsupported value: "Maybe": supported values: "Allow", "Forbid"',
    ]);
    expect(check({ image: "ab", cronSpec: "often", replicas: 0, tags: ["a", "b", "c"] })).toEqual([
      "spec.cronSpec: Invalid value: \"often\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
      'spec.image: Invalid value: "ab": spec.image in body should be at least 3 chars long',
      "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
      "spec.tags: Too many: 3: must have at most 2 items",
    ]);
    expect(check({ image: "abc", replicas: 11, tags: [] })).toEqual([
      "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
      "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items",
    ]);
  });

  it("checks formats and nullability", () => {
    expect(check({ image: "abc", schedule: "2025-01-01T10:00:00Z" })).toEqual([]);
    expect(check({ image: "abc", schedule: "tomorrow" })).toEqual([
      'spec.schedule: Invalid value: "tomorrow": spec.schedule in body must be of type date-time: "tomorrow"',
    ]);
    expect(check({ image: "abc", cronSpec: null })).toEqual([
      'spec.cronSpec: Invalid value: "null": spec.cronSpec in body must be of type string: "null"',
    ]);
  });

  it("requires apiVersion and kind of an embedded resource", () => {
    expect(check({ image: "abc", template: { metadata: {} } })).toEqual([
      "spec.template.apiVersion: Required value: must not be empty",
      "spec.template.kind: Required value: must not be empty",
    ]);
  });
});

describe("custom objects: pruning", () => {
  it("removes undeclared fields and keeps preserved ones, the root's metadata and embedded objects' type meta", () => {
    const obj: Obj = {
      apiVersion: "stable.example.com/v1",
      kind: "CronTab",
      metadata: { name: "x", whatever: 1 },
      top: 1,
      spec: {
        image: "abc",
        foo: "bar",
        labels: { a: "b" },
        extra: { anything: { deep: true } },
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { x: 1 } },
      },
    };
    expect(prune(obj, CRONTAB)).toEqual(["top", "spec.foo"]);
    expect(obj.spec).toEqual({
      image: "abc",
      labels: { a: "b" },
      extra: { anything: { deep: true } },
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { x: 1 } },
    });
    expect(obj.metadata).toEqual({ name: "x", whatever: 1 });
  });

  it("prunes inside array items", () => {
    const s: Schema = {
      type: "object",
      properties: { items: { type: "array", items: { type: "object", properties: { a: { type: "string" } } } } },
    };
    const obj: Obj = { items: [{ a: "x", b: 1 }, { c: 2 }] };
    expect(prune(obj, s)).toEqual(["items[0].b", "items[1].c"]);
    expect(obj.items).toEqual([{ a: "x" }, {}]);
  });
});

describe("custom objects: defaulting", () => {
  it("fills missing fields with their defaults, nested ones too", () => {
    const obj: Obj = { spec: { image: "abc" } };
    applyDefaults(obj, CRONTAB);
    expect(obj.spec).toEqual({ image: "abc", replicas: 1, policy: "Allow" });
  });

  it("replaces null where the schema is not nullable, and leaves set values", () => {
    const obj: Obj = { spec: { replicas: null, policy: "Forbid" } };
    applyDefaults(obj, CRONTAB);
    expect(obj.spec).toEqual({ replicas: 1, policy: "Forbid" });
  });

  it("defaults an object field, then the defaults inside it", () => {
    const s: Schema = {
      type: "object",
      properties: { spec: { type: "object", default: {}, properties: { size: { type: "string", default: "small" } } } },
    };
    const obj: Obj = {};
    applyDefaults(obj, s);
    expect(obj).toEqual({ spec: { size: "small" } });
  });
});

describe("CEL rules", () => {
  it("are found anywhere in the schema", () => {
    expect(hasCelRules(CRONTAB)).toBe(false);
    expect(
      hasCelRules({ type: "object", properties: { spec: { type: "object", "x-kubernetes-validations": [{ rule: "self.a > 0" }] } } }),
    ).toBe(true);
  });
});
