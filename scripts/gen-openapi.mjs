#!/usr/bin/env node
// Generates durable/openapi/definitions.json: the OpenAPI (swagger 2.0 style) definitions of the
// kinds kubeplay serves, keyed by their real names (io.k8s.api.core.v1.Pod, ...).
//
// Why this way: the real swagger.json cannot be downloaded here, and descriptions written by hand
// would drift from upstream. The `kubernetes-types` package (1.30.0) is generated from that very
// swagger.json and keeps every field's upstream description as JSDoc, its required fields as
// non-optional properties and its kinds as literal `apiVersion`/`kind` types. So we read its .d.ts
// files with the TypeScript compiler API and turn them back into swagger definitions. What the
// .d.ts loses is restored from small tables below: integer formats (int32/int64), byte strings,
// the IntOrString/Quantity/Time leaf types, and (from durable/openapi/patch-meta.json, written by
// hand elsewhere) the x-kubernetes-patch-strategy / merge-key / list-type extensions.
//
// Only definitions reachable from ROOTS are written, keeping the file small. Output is
// deterministic (sorted keys), so `npm run build:openapi` twice gives the same bytes.
import ts from "typescript";
import { readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const typesDir = join(root, "node_modules/kubernetes-types");
const outFile = join(root, "durable/openapi/definitions.json");
const patchMetaFile = join(root, "durable/openapi/patch-meta.json");

/** .d.ts module (relative to kubernetes-types, no extension) → upstream definition prefix. */
const PACKAGES = {
  "core/v1": "io.k8s.api.core.v1",
  "apps/v1": "io.k8s.api.apps.v1",
  "batch/v1": "io.k8s.api.batch.v1",
  "discovery/v1": "io.k8s.api.discovery.v1",
  "events/v1": "io.k8s.api.events.v1",
  "coordination/v1": "io.k8s.api.coordination.v1",
  "autoscaling/v1": "io.k8s.api.autoscaling.v1",
  "autoscaling/v2": "io.k8s.api.autoscaling.v2",
  "policy/v1": "io.k8s.api.policy.v1",
  "scheduling/v1": "io.k8s.api.scheduling.v1",
  "authentication/v1": "io.k8s.api.authentication.v1",
  "authorization/v1": "io.k8s.api.authorization.v1",
  "storage/v1": "io.k8s.api.storage.v1",
  "rbac/v1": "io.k8s.api.rbac.v1",
  "networking/v1": "io.k8s.api.networking.v1",
  "apiextensions/v1": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
  "meta/v1": "io.k8s.apimachinery.pkg.apis.meta.v1",
  "api/resource": "io.k8s.apimachinery.pkg.api.resource",
  runtime: "io.k8s.apimachinery.pkg.runtime",
};

/** The kinds we serve (with their lists) and the meta types the API server speaks. */
const ROOTS = {
  "core/v1": [
    "Namespace",
    "Node",
    "Pod",
    "Service",
    "Endpoints",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Event",
    "ComponentStatus",
    "ReplicationController",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ResourceQuota",
    "LimitRange",
  ]
    .flatMap((k) => [k, `${k}List`])
    .concat(["Binding"]),
  "apps/v1": ["ReplicaSet", "Deployment", "DaemonSet", "StatefulSet", "ControllerRevision"].flatMap((k) => [k, `${k}List`]),
  "batch/v1": ["Job", "CronJob"].flatMap((k) => [k, `${k}List`]),
  "discovery/v1": ["EndpointSlice", "EndpointSliceList"],
  "storage/v1": ["StorageClass", "StorageClassList"],
  "networking/v1": ["Ingress", "IngressClass", "NetworkPolicy"].flatMap((k) => [k, `${k}List`]),
  "apiextensions/v1": ["CustomResourceDefinition", "CustomResourceDefinitionList", "ValidationRule"],
  "events/v1": ["Event", "EventList"],
  "coordination/v1": ["Lease", "LeaseList"],
  "autoscaling/v1": ["Scale", "HorizontalPodAutoscaler", "HorizontalPodAutoscalerList"],
  "autoscaling/v2": ["HorizontalPodAutoscaler", "HorizontalPodAutoscalerList"],
  "policy/v1": ["Eviction", "PodDisruptionBudget", "PodDisruptionBudgetList"],
  "scheduling/v1": ["PriorityClass", "PriorityClassList"],
  "authentication/v1": ["SelfSubjectReview", "TokenRequest"],
  "authorization/v1": ["SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview", "LocalSubjectAccessReview"],
  "rbac/v1": ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].flatMap((k) => [k, `${k}List`]),
  "meta/v1": ["Status", "DeleteOptions", "WatchEvent", "APIResourceList", "APIGroupList", "APIGroup", "APIVersions", "Patch"],
};

const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

/** Leaf types: hand-written as upstream has them (the .d.ts only has `string` / `number | string`). */
const LEAVES = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": { type: "object" },
  "io.k8s.apimachinery.pkg.runtime.RawExtension": { type: "object" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": { type: "object" },
  // apiextensions' any-JSON values: upstream publishes them untyped, described only.
  ...Object.fromEntries(
    ["JSON", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrArray", "JSONSchemaPropsOrStringArray"].map((n) => [
      `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.${n}`,
      {},
    ]),
  ),
  [INT_OR_STRING]: {
    description:
      "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
    type: "string",
    format: "int-or-string",
  },
};

/** Integer fields that are int64 upstream (everything else in these kinds is int32). */
const INT64 = new Set([
  "generation",
  "observedGeneration",
  "deletionGracePeriodSeconds",
  "activeDeadlineSeconds",
  "terminationGracePeriodSeconds",
  "runAsUser",
  "runAsGroup",
  "fsGroup",
  "supplementalGroups",
  "revision",
  "gracePeriodSeconds",
  "expirationSeconds",
  "remainingItemCount",
  "sizeBytes",
  "tolerationSeconds",
  "startingDeadlineSeconds",
]);
/** Base64 string maps: definition.property → values are `format: byte`. */
const BYTES = new Set(["io.k8s.api.core.v1.Secret.data", "io.k8s.api.core.v1.ConfigMap.binaryData"]);
/** x-kubernetes-group-version-kind for meta kinds whose apiVersion is not a literal in the .d.ts. */
const EXTRA_GVK = {
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status": [{ group: "", kind: "Status", version: "v1" }],
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": [
    "",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "policy",
  ].map((group) => ({ group, kind: "DeleteOptions", version: "v1" })),
  "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent": [
    "",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "policy",
  ].map((group) => ({ group, kind: "WatchEvent", version: "v1" })),
};

const files = Object.keys(PACKAGES).map((m) => join(typesDir, `${m}.d.ts`));
const program = ts.createProgram(files, { noResolve: false, types: [] });
const checker = program.getTypeChecker();

/** The upstream name of an interface or type alias declaration. */
function defName(decl) {
  const mod = relative(typesDir, decl.getSourceFile().fileName).replace(/\.d\.ts$/, "");
  const pkg = PACKAGES[mod];
  if (!pkg) throw new Error(`no package mapping for ${mod} (${decl.name.text})`);
  return `${pkg}.${decl.name.text}`;
}

/** The JSDoc text exactly as written (upstream newlines and indentation kept). */
function docOf(node) {
  const text = node.getSourceFile().getFullText();
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const doc = ranges.filter((r) => text.slice(r.pos, r.pos + 3) === "/**").pop();
  if (!doc) return undefined;
  const body = text.slice(doc.pos + 3, doc.end - 2);
  if (!body.includes("\n")) return body.trim();
  return body
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

function declOf(typeNode) {
  let sym = checker.getSymbolAtLocation(typeNode.typeName);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const decl = sym?.declarations?.[0];
  if (!decl) throw new Error(`unresolved type ${typeNode.getText()}`);
  return decl;
}

const defs = {};
const queue = [];

function ref(decl) {
  const name = defName(decl);
  if (!(name in defs) && !queue.includes(decl)) queue.push(decl);
  return { $ref: `#/definitions/${name}` };
}

/** Schema of a property type. `where` is "Definition.property" for the tables. */
function schemaOf(node, where, prop) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return BYTES.has(where) ? { type: "string", format: "byte" } : { type: "string" };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: "boolean" };
    case ts.SyntaxKind.NumberKeyword:
      return { type: "integer", format: INT64.has(prop) ? "int64" : "int32" };
    case ts.SyntaxKind.LiteralType:
      return { type: "string" };
    case ts.SyntaxKind.ArrayType:
      return { type: "array", items: schemaOf(node.elementType, where, prop) };
    case ts.SyntaxKind.UnionType: {
      const kinds = node.types.map((t) => t.kind).sort();
      if (kinds.join() === [ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.StringKeyword].sort().join())
        return { $ref: `#/definitions/${INT_OR_STRING}` };
      throw new Error(`unsupported union at ${where}: ${node.getText()}`);
    }
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find((m) => m.kind === ts.SyntaxKind.IndexSignature);
      if (!index || node.members.length !== 1) throw new Error(`unsupported literal at ${where}`);
      return { type: "object", additionalProperties: schemaOf(index.type, where, prop) };
    }
    case ts.SyntaxKind.TypeReference: {
      if (node.typeName.getText() === "Array") return { type: "array", items: schemaOf(node.typeArguments[0], where, prop) };
      return ref(declOf(node));
    }
    default:
      throw new Error(`unsupported type at ${where}: ${node.getText()}`);
  }
}

function literal(members, name) {
  const m = members.find((p) => p.name?.getText() === name);
  return m?.type?.kind === ts.SyntaxKind.LiteralType ? m.type.literal.text : undefined;
}

function definition(decl) {
  const name = defName(decl);
  const description = docOf(decl);
  if (LEAVES[name]) return { ...(description && { description }), ...LEAVES[name] };
  if (!ts.isInterfaceDeclaration(decl)) throw new Error(`unexpected declaration ${name}`);
  const def = { ...(description && { description }), type: "object", properties: {} };
  const required = [];
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m)) continue;
    const prop = m.name.getText();
    const s = schemaOf(m.type, `${name}.${prop}`, prop);
    const d = docOf(m);
    def.properties[prop] = d ? { ...s, description: d } : s;
    if (!m.questionToken) required.push(prop);
  }
  if (required.length) def.required = required.sort();
  if (!Object.keys(def.properties).length) delete def.properties;
  const apiVersion = literal(decl.members, "apiVersion");
  const kind = literal(decl.members, "kind");
  if (apiVersion && kind) {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    def["x-kubernetes-group-version-kind"] = [{ group, kind, version }];
  }
  if (EXTRA_GVK[name]) def["x-kubernetes-group-version-kind"] = EXTRA_GVK[name];
  return def;
}

for (const [mod, names] of Object.entries(ROOTS)) {
  const sf = program.getSourceFile(join(typesDir, `${mod}.d.ts`));
  for (const n of names) {
    const decl = sf.statements.find((s) => s.name?.text === n);
    if (!decl) throw new Error(`${n} not found in ${mod}`);
    queue.push(decl);
  }
}
while (queue.length) {
  const decl = queue.shift();
  const name = defName(decl);
  if (!(name in defs)) defs[name] = definition(decl);
}
defs[INT_OR_STRING] = LEAVES[INT_OR_STRING];

// Fields newer than kubernetes-types 1.30 that a v1.33 cluster writes (upstream swagger text), so
// that status the simulated kubelet reports is not "unknown field" on the next patch or update.
const NEWER = {
  "io.k8s.api.core.v1.ContainerStatus": {
    user: {
      $ref: "#/definitions/io.k8s.api.core.v1.ContainerUser",
      description: "User represents user identity information initially attached to the first process of the container",
    },
  },
};
const NEWER_DEFS = {
  "io.k8s.api.core.v1.ContainerUser": {
    description: "ContainerUser represents user identity information",
    properties: {
      linux: {
        $ref: "#/definitions/io.k8s.api.core.v1.LinuxContainerUser",
        description:
          "Linux holds user identity information initially attached to the first process of the containers in Linux. Note that the actual running identity can be changed if the process has enough privilege to do so.",
      },
    },
    type: "object",
  },
  "io.k8s.api.core.v1.LinuxContainerUser": {
    description: "LinuxContainerUser represents user identity information in Linux containers",
    properties: {
      gid: {
        description: "GID is the primary gid initially attached to the first process in the container",
        format: "int64",
        type: "integer",
      },
      supplementalGroups: {
        description: "SupplementalGroups are the supplemental groups initially attached to the first process in the container",
        items: { format: "int64", type: "integer" },
        type: "array",
        "x-kubernetes-list-type": "atomic",
      },
      uid: {
        description: "UID is the primary uid initially attached to the first process in the container",
        format: "int64",
        type: "integer",
      },
    },
    required: ["gid", "uid"],
    type: "object",
  },
};
// The x-kubernetes-* fields of a CRD schema, which the .d.ts leaves out (upstream swagger text).
const JSON_SCHEMA_PROPS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps";
NEWER[JSON_SCHEMA_PROPS] = {
  "x-kubernetes-embedded-resource": {
    description:
      "x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta. The type must be object. It is allowed to further restrict the embedded object. kind, apiVersion and metadata are validated automatically. x-kubernetes-preserve-unknown-fields is allowed to be true, but does not have to be if the object is fully specified (up to kind, apiVersion, metadata).",
    type: "boolean",
  },
  "x-kubernetes-int-or-string": {
    description:
      "x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns:\n\n1) anyOf:\n   - type: integer\n   - type: string\n2) allOf:\n   - anyOf:\n     - type: integer\n     - type: string\n   - ... zero or more",
    type: "boolean",
  },
  "x-kubernetes-list-map-keys": {
    description:
      'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.\n\nThis tag MUST only be used on lists that have the "x-kubernetes-list-type" extension set to "map". Also, the values specified for this attribute must be a scalar typed field of the child structure (no nesting is supported).\n\nThe properties specified must either be required or have a default value, to ensure those properties are present for all list items.',
    items: { type: "string", default: "" },
    type: "array",
    "x-kubernetes-list-type": "atomic",
  },
  "x-kubernetes-list-type": {
    description:
      "x-kubernetes-list-type annotates an array to further describe its topology. This extension must only be used on lists and may have 3 possible values:\n\n1) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic lists will be entirely replaced when updated. This extension\n     may be used on any type of list (struct, scalar, ...).\n2) `set`:\n     Sets are lists that must not have multiple items with the same value. Each\n     value must be a scalar, an object with x-kubernetes-map-type `atomic` or an\n     array with x-kubernetes-list-type `atomic`.\n3) `map`:\n     These lists are like maps in that their elements have a non-index key\n     used to identify them. Order is preserved upon merge. The map tag\n     must only be used on a list with elements of type object.\nDefaults to atomic for arrays.",
    type: "string",
  },
  "x-kubernetes-map-type": {
    description:
      "x-kubernetes-map-type annotates an object to further describe its topology. This extension must only be used when type is object and may have 2 possible values:\n\n1) `granular`:\n     These maps are actual maps (key-value pairs) and each fields are independent\n     from each other (they can each be manipulated by separate actors). This is\n     the default behaviour for all maps.\n2) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic maps will be entirely replaced when updated.",
    type: "string",
  },
  "x-kubernetes-preserve-unknown-fields": {
    description:
      "x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema. This affects fields recursively, but switches back to normal pruning behaviour if nested properties or additionalProperties are specified in the schema. This can either be true or undefined. False is forbidden.",
    type: "boolean",
  },
  "x-kubernetes-validations": {
    description: "x-kubernetes-validations describes a list of validation rules written in the CEL expression language.",
    items: { $ref: "#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule", default: {} },
    type: "array",
    "x-kubernetes-list-map-keys": ["rule"],
    "x-kubernetes-list-type": "map",
    "x-kubernetes-patch-merge-key": "rule",
    "x-kubernetes-patch-strategy": "merge",
  },
};
for (const [name, props] of Object.entries(NEWER)) Object.assign(defs[name].properties, props);
Object.assign(defs, NEWER_DEFS);

// Patch metadata (strategic merge patch keys, list types), maintained by hand in patch-meta.json:
// { "<definition name>": { "<property>": { "strategy": "merge", "mergeKey": "name", … } } }.
const PATCH_KEYS = {
  strategy: "x-kubernetes-patch-strategy",
  mergeKey: "x-kubernetes-patch-merge-key",
  listType: "x-kubernetes-list-type",
  listMapKeys: "x-kubernetes-list-map-keys",
  mapType: "x-kubernetes-map-type",
};
if (existsSync(patchMetaFile)) {
  const meta = JSON.parse(readFileSync(patchMetaFile, "utf8"));
  let applied = 0;
  for (const [name, props] of Object.entries(meta)) {
    if (!defs[name] || typeof props !== "object" || !props) continue;
    for (const [prop, ext] of Object.entries(props)) {
      const p = defs[name].properties?.[prop];
      if (!p || typeof ext !== "object" || !ext) continue;
      for (const [k, v] of Object.entries(ext)) {
        const key = PATCH_KEYS[k] ?? (k.startsWith("x-kubernetes-") ? k : undefined);
        if (key) (p[key] = v), applied++;
      }
    }
  }
  console.log(`patch-meta.json: ${applied} extensions applied`);
}

/** Stable key order (alphabetical), so the output only changes when the inputs do. */
function sorted(v) {
  if (Array.isArray(v)) return v.map(sorted);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted(v[k])]),
  );
}

mkdirSync(dirname(outFile), { recursive: true });
// One definition per line: small, and diffs stay readable.
const out = sorted(defs);
const lines = Object.keys(out).map((k) => `${JSON.stringify(k)}: ${JSON.stringify(out[k])}`);
writeFileSync(outFile, `{\n${lines.join(",\n")}\n}\n`);
console.log(`${relative(root, outFile)}: ${Object.keys(defs).length} definitions`);
