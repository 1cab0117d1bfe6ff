// The OpenAPI documents of the API server, derived from the resource table and the generated
// definitions (durable/openapi/definitions.json):
//
// - GET /openapi/v3 — the index. client-go (openapi/client.go) resolves each serverRelativeURL
//   with RequestURI(), which replaces the kubeconfig server's path, unless the URL starts with
//   "/openapi/v3" (kubernetes#117463, fixed after 1.27). Our clusters live under /clusters/<id>,
//   so the URLs carry that prefix: correct for every kubectl 1.27 … 1.33.
// - GET /openapi/v3/<gv> — OpenAPI 3.0 per group-version: `kubectl explain` (1.27+) reads it, and
//   cli-runtime's QueryParamVerifierV3 looks for a `fieldValidation` parameter on the PATCH
//   operation carrying the kind's x-kubernetes-group-version-kind, to decide that the server
//   validates fields itself (then kubectl skips client-side validation and sends
//   ?fieldValidation=Strict).
// - GET /openapi/v2 — still needed: kubectl's Factory.Validator() (1.27 … 1.33) calls
//   OpenAPISchema() eagerly and fails `create`/`apply`/`replace` with "failed to download openapi"
//   when it errors, and `apply`'s strategic-merge patcher reads it. client-go asks for the gnostic
//   protobuf (application/com.github.proto-openapi.spec.v2@v1.0+protobuf), so we encode it.
//
// Everything is built once per isolate and cached (the inputs never change at run time).
import type { ResourceDef } from "../resources/types";
import { DEFINITIONS, type SchemaNode } from "../openapi/unknown-fields";
import { encodeDocument } from "../openapi/protobuf-v2";

export { unknownFields, strictDecodingMessage } from "../openapi/unknown-fields";

const K8S_VERSION = "v1.33.0";
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/** What the real server answers in Content-Type for the protobuf (Go's mime parser, used by
 *  client-go, rejects the "@" of the requested type). */
const V2_PROTOBUF_RETURNED = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

type Json = Record<string, unknown>;

/** "api/v1" or "apis/apps/v1". */
export function gvPath(def: Pick<ResourceDef, "group" | "version">): string {
  return def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
}

// ---------------------------------------------------------------------------------------------
// Operations: one table of what each resource path serves, turned into v3 or v2 syntax later.

interface Param {
  name: string;
  in: "query" | "path";
  description: string;
  type: "string" | "boolean" | "integer";
  required?: boolean;
}

interface Operation {
  method: "get" | "put" | "post" | "delete" | "patch";
  action: string; // x-kubernetes-action
  operationId: string;
  description: string;
  params: Param[];
  body?: string; // definition name of the request body
  response?: string; // definition name of the 200 response
  gvk: { group: string; version: string; kind: string };
}

interface PathItem {
  path: string;
  params: Param[];
  ops: Operation[];
}

const q = (name: string, type: Param["type"], description: string): Param => ({ name, in: "query", type, description });
const P = {
  pretty: q(
    "pretty",
    "string",
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user explicitly requested pretty printing.",
  ),
  dryRun: q(
    "dryRun",
    "string",
    "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
  ),
  fieldManager: q(
    "fieldManager",
    "string",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
  ),
  patchFieldManager: q(
    "fieldManager",
    "string",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).",
  ),
  fieldValidation: q(
    "fieldValidation",
    "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
  ),
  force: q(
    "force",
    "boolean",
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  ),
  gracePeriodSeconds: q(
    "gracePeriodSeconds",
    "integer",
    "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
  ),
  propagationPolicy: q(
    "propagationPolicy",
    "string",
    "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
  ),
  namespace: {
    name: "namespace",
    in: "path",
    type: "string",
    required: true,
    description: "object name and auth scope, such as for teams and projects",
  } as Param,
  list: [
    q(
      "allowWatchBookmarks",
      "boolean",
      'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.',
    ),
    q(
      "continue",
      "string",
      "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize.",
    ),
    q("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
    q("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
    q(
      "limit",
      "integer",
      "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.",
    ),
    q(
      "resourceVersion",
      "string",
      "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
    ),
    q(
      "resourceVersionMatch",
      "string",
      "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset",
    ),
    q(
      "sendInitialEvents",
      "boolean",
      "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection.",
    ),
    q(
      "timeoutSeconds",
      "integer",
      "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.",
    ),
    q(
      "watch",
      "boolean",
      "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.",
    ),
  ],
};

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const GROUP_IDS: Record<string, string> = { "": "Core" };

/** "coordination.k8s.io" → "Coordination", as in the real operation ids. */
function groupId(group: string): string {
  if (group in GROUP_IDS) return GROUP_IDS[group]!;
  const first = group.split(".")[0]!;
  return first.charAt(0).toUpperCase() + first.slice(1);
}

function pathItems(def: ResourceDef): PathItem[] {
  const verbs = new Set(def.verbs ?? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]);
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const id = groupId(def.group) + def.version.charAt(0).toUpperCase() + def.version.slice(1);
  const ns = def.namespaced ? "Namespaced" : "";
  const base = `/${gvPath(def)}${def.namespaced ? "/namespaces/{namespace}" : ""}/${def.plural}`;
  const scope = def.namespaced ? [P.namespace] : [];
  const listKind = def.listKind ?? `${def.kind}List`;
  const listDef = def.openapi.replace(/\.[^.]+$/, `.${listKind}`);
  const nameParam = (what: string): Param => ({
    name: "name",
    in: "path",
    type: "string",
    required: true,
    description: `name of the ${what}`,
  });
  const write = [P.dryRun, P.fieldManager, P.fieldValidation];
  const patch = [P.dryRun, P.patchFieldManager, P.fieldValidation, P.force];
  const items: PathItem[] = [];

  const collection: Operation[] = [];
  if (verbs.has("list"))
    collection.push({
      method: "get",
      action: "list",
      operationId: `list${id}${ns}${def.kind}`,
      description: `list or watch objects of kind ${def.kind}`,
      params: P.list,
      response: listDef,
      gvk,
    });
  if (verbs.has("create"))
    collection.push({
      method: "post",
      action: "post",
      operationId: `create${id}${ns}${def.kind}`,
      description: `create ${article(def.kind)}`,
      params: write,
      body: def.openapi,
      response: def.openapi,
      gvk,
    });
  if (verbs.has("deletecollection"))
    collection.push({
      method: "delete",
      action: "deletecollection",
      operationId: `delete${id}Collection${ns}${def.kind}`,
      description: `delete collection of ${def.kind}`,
      params: [...P.list, P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      body: `${META}.DeleteOptions`,
      response: `${META}.Status`,
      gvk,
    });
  if (collection.length) items.push({ path: base, params: [...scope, P.pretty], ops: collection });

  const single: Operation[] = [];
  if (verbs.has("get"))
    single.push({
      method: "get",
      action: "get",
      operationId: `read${id}${ns}${def.kind}`,
      description: `read the specified ${def.kind}`,
      params: [],
      response: def.openapi,
      gvk,
    });
  if (verbs.has("update"))
    single.push({
      method: "put",
      action: "put",
      operationId: `replace${id}${ns}${def.kind}`,
      description: `replace the specified ${def.kind}`,
      params: write,
      body: def.openapi,
      response: def.openapi,
      gvk,
    });
  if (verbs.has("patch"))
    single.push({
      method: "patch",
      action: "patch",
      operationId: `patch${id}${ns}${def.kind}`,
      description: `partially update the specified ${def.kind}`,
      params: patch,
      body: `${META}.Patch`,
      response: def.openapi,
      gvk,
    });
  if (verbs.has("delete"))
    single.push({
      method: "delete",
      action: "delete",
      operationId: `delete${id}${ns}${def.kind}`,
      description: `delete ${article(def.kind)}`,
      params: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      body: `${META}.DeleteOptions`,
      response: `${META}.Status`,
      gvk,
    });
  if (single.length) items.push({ path: `${base}/{name}`, params: [nameParam(def.kind), ...scope, P.pretty], ops: single });

  if (def.namespaced && verbs.has("list"))
    items.push({
      path: `/${gvPath(def)}/${def.plural}`,
      params: [P.pretty],
      ops: [
        {
          method: "get",
          action: "list",
          operationId: `list${id}${def.kind}ForAllNamespaces`,
          description: `list or watch objects of kind ${def.kind}`,
          params: P.list,
          response: listDef,
          gvk,
        },
      ],
    });

  const sub = (name: string, kind: string, schema: string, subGvk: Operation["gvk"], subVerbs: string[]) => {
    const ops: Operation[] = [];
    const suffix = name.charAt(0).toUpperCase() + name.slice(1);
    const has = (v: string) => subVerbs.includes(v);
    const known = schema in DEFINITIONS ? schema : undefined;
    if (has("get"))
      ops.push({
        method: "get",
        action: "get",
        operationId: `read${id}${ns}${def.kind}${suffix}`,
        description: `read ${name} of the specified ${def.kind}`,
        params: [],
        response: known,
        gvk: subGvk,
      });
    if (has("create"))
      ops.push({
        method: "post",
        action: "post",
        operationId: `create${id}${ns}${def.kind}${suffix}`,
        description: `create ${name} of ${article(def.kind)}`,
        params: write,
        body: known,
        response: known,
        gvk: subGvk,
      });
    if (has("update"))
      ops.push({
        method: "put",
        action: "put",
        operationId: `replace${id}${ns}${def.kind}${suffix}`,
        description: `replace ${name} of the specified ${def.kind}`,
        params: write,
        body: known,
        response: known,
        gvk: subGvk,
      });
    if (has("patch"))
      ops.push({
        method: "patch",
        action: "patch",
        operationId: `patch${id}${ns}${def.kind}${suffix}`,
        description: `partially update ${name} of the specified ${def.kind}`,
        params: patch,
        body: `${META}.Patch`,
        response: known,
        gvk: subGvk,
      });
    if (ops.length) items.push({ path: `${base}/{name}/${name}`, params: [nameParam(kind), ...scope, P.pretty], ops });
  };
  if (def.subresources?.status) sub("status", def.kind, def.openapi, gvk, ["get", "patch", "update"]);
  if (def.subresources?.scale)
    sub("scale", "Scale", "io.k8s.api.autoscaling.v1.Scale", { group: "autoscaling", version: "v1", kind: "Scale" }, [
      "get",
      "patch",
      "update",
    ]);
  for (const x of def.extraSubresources ?? []) {
    const group = x.group ?? def.group;
    const version = x.version ?? def.version;
    const pkg = group ? group.split(".")[0] : "core";
    sub(x.name, x.kind, `io.k8s.api.${pkg}.${version}.${x.kind}`, { group, version, kind: x.kind }, x.verbs);
  }
  return items;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** A definition by name: the built-in ones, or a custom kind's. */
type Definitions = (name: string) => SchemaNode | undefined;

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const typeMeta = () => {
  const { apiVersion, kind } = DEFINITIONS["io.k8s.api.core.v1.Pod"]!.properties!;
  return { apiVersion, kind };
};

/** The definitions of the custom kinds among `defs`, as apiextensions-apiserver's OpenAPI builder
 *  makes them (controller/openapi/builder): the schema with TypeMeta, ObjectMeta and the GVK, and
 *  its list kind. */
function customDefinitions(defs: ResourceDef[]): Record<string, SchemaNode> {
  const out: Record<string, SchemaNode> = {};
  for (const def of defs) {
    if (!def.openapiSchema) continue;
    const schema = def.openapiSchema as SchemaNode;
    const gvk = (kind: string) => [{ group: def.group, kind, version: def.version }];
    out[def.openapi] = {
      ...schema,
      type: "object",
      properties: {
        ...typeMeta(),
        ...schema.properties,
        metadata: {
          $ref: `#/definitions/${OBJECT_META}`,
          description: DEFINITIONS["io.k8s.api.core.v1.Pod"]!.properties!.metadata!.description,
        },
      },
      "x-kubernetes-group-version-kind": gvk(def.kind),
    };
    const listKind = def.listKind ?? `${def.kind}List`;
    out[def.openapi.replace(/\.[^.]+$/, `.${listKind}`)] = {
      description: `${listKind} is a list of ${def.kind}`,
      type: "object",
      required: ["items"],
      properties: {
        ...typeMeta(),
        items: {
          description: `List of ${def.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
          type: "array",
          items: { $ref: `#/definitions/${def.openapi}` },
        },
        metadata: {
          $ref: `#/definitions/${LIST_META}`,
          description:
            "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        },
      },
      "x-kubernetes-group-version-kind": gvk(listKind),
    };
  }
  return out;
}

/** Definition names reachable from `roots` (following $ref). */
function reachable(roots: Iterable<string>, definition: Definitions): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    const d = definition(name);
    if (seen.has(name) || !d) return;
    seen.add(name);
    refsOf(d, visit);
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}

function refsOf(s: SchemaNode, f: (name: string) => void): void {
  if (s.$ref) f(s.$ref.slice("#/definitions/".length));
  for (const p of Object.values(s.properties ?? {})) refsOf(p, f);
  if (s.items) refsOf(s.items, f);
  if (s.additionalProperties && typeof s.additionalProperties === "object") refsOf(s.additionalProperties, f);
}

function rootsOf(items: PathItem[]): Set<string> {
  const roots = new Set<string>([
    `${META}.Status`,
    `${META}.DeleteOptions`,
    `${META}.WatchEvent`,
    `${META}.Patch`,
    `${META}.APIResourceList`,
  ]);
  for (const it of items) for (const op of it.ops) for (const d of [op.body, op.response]) if (d) roots.add(d);
  return roots;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3

const V3_REF = "#/components/schemas/";

/** A v2 definition in v3 form: refs rewritten, a $ref with siblings wrapped in allOf (3.0 ignores
 *  siblings of $ref), and Quantity / IntOrString as the oneOf unions upstream publishes in v3. */
function toV3(s: SchemaNode, name?: string): Json {
  if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity")
    return { description: s.description, oneOf: [{ type: "string" }, { type: "number" }] };
  if (name === "io.k8s.apimachinery.pkg.util.intstr.IntOrString")
    return { description: s.description, format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] };
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "$ref") continue;
    if (k === "properties") out[k] = Object.fromEntries(Object.entries(v as Record<string, SchemaNode>).map(([p, ps]) => [p, toV3(ps)]));
    else if (k === "items" || (k === "additionalProperties" && typeof v === "object")) out[k] = toV3(v as SchemaNode);
    else out[k] = v;
  }
  if (s.$ref) {
    const ref = { $ref: V3_REF + s.$ref.slice("#/definitions/".length) };
    if (Object.keys(out).length === 0) return ref;
    out.allOf = [ref];
  }
  return out;
}

const v3Content = (schema: Json) =>
  Object.fromEntries(["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"].map((t) => [t, { schema }]));

function v3Param(p: Param): Json {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required && { required: true }),
    schema: { type: p.type, uniqueItems: true },
  };
}

function v3Operation(op: Operation, tag: string): Json {
  const ref = (d: string) => ({ $ref: V3_REF + d });
  const out: Json = { tags: [tag], description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map(v3Param);
  if (op.body) {
    const types =
      op.method === "patch"
        ? [
            "application/apply-patch+yaml",
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
          ]
        : ["*/*"];
    out.requestBody = {
      content: Object.fromEntries(types.map((t) => [t, { schema: ref(op.body!) }])),
      ...(op.method !== "delete" && { required: true }),
    };
  }
  const ok = op.response ? { description: "OK", content: v3Content(ref(op.response)) } : { description: "OK" };
  const responses: Json = { "200": ok };
  if (op.method === "post" || op.method === "put" || op.method === "patch") responses["201"] = { ...ok, description: "Created" };
  if (op.method === "post") responses["202"] = { ...ok, description: "Accepted" };
  responses["401"] = { description: "Unauthorized" };
  out.responses = responses;
  out["x-kubernetes-action"] = op.action;
  out["x-kubernetes-group-version-kind"] = op.gvk;
  return out;
}

const gvTag = (def: ResourceDef) => `${def.group ? def.group.split(".")[0] : "core"}_${def.version}`;

function buildV3Document(defs: ResourceDef[], gv: string): Json | null {
  const mine = defs.filter((d) => gvPath(d) === gv);
  if (!mine.length) return null;
  const paths: Json = {};
  const items: PathItem[] = [];
  for (const def of mine) {
    for (const it of pathItems(def)) {
      items.push(it);
      const item: Json = {};
      for (const op of it.ops) item[op.method] = v3Operation(op, gvTag(def));
      item.parameters = it.params.map(v3Param);
      paths[it.path] = item;
    }
  }
  const definition = cache(defs).definitions;
  const schemas = Object.fromEntries(reachable(rootsOf(items), definition).map((n) => [n, toV3(definition(n)!, n)]));
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: K8S_VERSION },
    paths: sortKeys(paths),
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: "apiKey", description: "Bearer Token authentication", name: "authorization", in: "header" } },
    },
    security: [{ BearerToken: [] }],
  };
}

function sortKeys(o: Json): Json {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v2

function v2Param(p: Param): Json {
  return { name: p.name, in: p.in, description: p.description, ...(p.required && { required: true }), type: p.type, uniqueItems: true };
}

function v2Operation(op: Operation, tag: string): Json {
  const params = op.params.map(v2Param);
  if (op.body) params.unshift({ name: "body", in: "body", required: op.method !== "delete", schema: { $ref: `#/definitions/${op.body}` } });
  const ok = op.response ? { description: "OK", schema: { $ref: `#/definitions/${op.response}` } } : { description: "OK" };
  const responses: Json = { "200": ok };
  if (op.method === "post" || op.method === "put" || op.method === "patch") responses["201"] = { ...ok, description: "Created" };
  responses["401"] = { description: "Unauthorized" };
  return {
    description: op.description,
    consumes:
      op.method === "patch"
        ? [
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
            "application/apply-patch+yaml",
          ]
        : ["*/*"],
    produces: ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"],
    schemes: ["https"],
    tags: [tag],
    operationId: op.operationId,
    parameters: params,
    responses,
    "x-kubernetes-action": op.action,
    "x-kubernetes-group-version-kind": op.gvk,
  };
}

function buildV2Document(defs: ResourceDef[]): Json {
  const paths: Json = {};
  const items: PathItem[] = [];
  for (const def of defs) {
    for (const it of pathItems(def)) {
      items.push(it);
      const item: Json = {};
      for (const op of it.ops) item[op.method] = v2Operation(op, gvTag(def));
      item.parameters = it.params.map(v2Param);
      paths[it.path] = item;
    }
  }
  const definition = cache(defs).definitions;
  const definitions = Object.fromEntries(reachable(rootsOf(items), definition).map((n) => [n, definition(n)]));
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: K8S_VERSION },
    paths: sortKeys(paths),
    definitions,
    securityDefinitions: {
      BearerToken: { description: "Bearer Token authentication", type: "apiKey", name: "authorization", in: "header" },
    },
    security: [{ BearerToken: [] }],
  };
}

// ---------------------------------------------------------------------------------------------
// Public functions (pure; cached per isolate, keyed by the registry array's identity).

interface Cache {
  definitions: Definitions;
  v3: Map<string, { body: string; hash: string } | null>;
  v2?: { json: string; pb: Uint8Array; etag: string };
}
const caches = new WeakMap<ResourceDef[], Cache>();
function cache(defs: ResourceDef[]): Cache {
  let c = caches.get(defs);
  if (!c) {
    const custom = customDefinitions(defs);
    caches.set(defs, (c = { v3: new Map(), definitions: (n) => DEFINITIONS[n] ?? custom[n] }));
  }
  return c;
}

/** An opaque content hash for ?hash= and ETags (upper-case hex like kube-openapi's, which is
 *  SHA-512; clients only compare it). Synchronous: four seeded 32-bit multiplicative hashes. */
function hashOf(data: string): string {
  const h = [0x811c9dc5, 0x01000193, 0xdeadbeef, 0x41c6ce57];
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    for (let j = 0; j < 4; j++) h[j] = Math.imul(h[j]! ^ c, [0x01000193, 0x85ebca6b, 0x9e3779b1, 0xc2b2ae35][j]!);
  }
  return h
    .map((x) => (x >>> 0).toString(16).padStart(8, "0"))
    .join("")
    .toUpperCase();
}

function v3Cached(defs: ResourceDef[], gv: string): { body: string; hash: string } | null {
  const c = cache(defs);
  if (!c.v3.has(gv)) {
    const doc = buildV3Document(defs, gv);
    const body = doc && JSON.stringify(doc);
    c.v3.set(gv, body ? { body, hash: hashOf(body) } : null);
  }
  return c.v3.get(gv)!;
}

/** The group-versions served, "api/v1" first then "apis/<group>/<version>" sorted. */
export function servedGroupVersions(defs: ResourceDef[]): string[] {
  return [...new Set(defs.map(gvPath))].sort((a, b) => (a.startsWith("api/") ? -1 : b.startsWith("api/") ? 1 : a < b ? -1 : 1));
}

/** GET /openapi/v3: `prefix` is where the cluster is mounted, e.g. "/clusters/abc". */
export function openapiV3Index(defs: ResourceDef[], prefix: string): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersions(defs)) {
    const doc = v3Cached(defs, gv)!;
    paths[gv] = { serverRelativeURL: `${prefix}/openapi/v3/${gv}?hash=${doc.hash}` };
  }
  return { paths };
}

/** GET /openapi/v3/<gv> (gv like "api/v1" or "apis/apps/v1"), or null if not served. */
export function openapiV3Document(defs: ResourceDef[], gv: string): Json | null {
  const doc = v3Cached(defs, gv);
  return doc && (JSON.parse(doc.body) as Json);
}

/** GET /openapi/v2 in the encoding the Accept header asks for, or null (→ 406). */
export function openapiV2(defs: ResourceDef[], accept: string): { body: string | Uint8Array; contentType: string } | null {
  const c = cache(defs);
  if (!c.v2) {
    const doc = buildV2Document(defs);
    const json = JSON.stringify(doc);
    c.v2 = { json, pb: encodeDocument(doc), etag: hashOf(json) };
  }
  for (const part of (accept || "*/*").split(",")) {
    const type = part.split(";")[0]!.trim().toLowerCase();
    if (type === OPENAPI_V2_PROTOBUF || type === V2_PROTOBUF_RETURNED) return { body: c.v2.pb, contentType: V2_PROTOBUF_RETURNED };
    if (type === "application/json" || type === "*/*" || type === "application/*")
      return { body: c.v2.json, contentType: "application/json" };
  }
  return null;
}

/**
 * Serves /openapi/v2, /openapi/v3 and /openapi/v3/<gv> with the real server's caching headers
 * (kube-openapi handler and handler3): ETag on everything, `If-None-Match` → 304; a v3 document
 * fetched with the current ?hash= is immutable for a year, a stale hash redirects to the current
 * one. `path` is relative to the cluster root (e.g. "/openapi/v3/api/v1"). Returns null for other
 * paths.
 */
export function serveOpenAPI(
  defs: ResourceDef[],
  prefix: string,
  path: string,
  search: URLSearchParams,
  headers: Headers,
): Response | null {
  const json = (code: number, body: unknown) =>
    new Response(JSON.stringify(body), { status: code, headers: { "content-type": "application/json" } });
  const etagged = (body: string | Uint8Array, contentType: string, etag: string, extra: Record<string, string> = {}) => {
    const h = { etag: `"${etag}"`, "content-type": contentType, vary: "Accept", ...extra };
    if (headers.get("if-none-match") === h.etag) return new Response(null, { status: 304, headers: h });
    return new Response(body, { status: 200, headers: h });
  };
  if (path === "/openapi/v2") {
    const r = openapiV2(defs, headers.get("accept") ?? "");
    if (!r) return notAcceptable();
    const c = cache(defs).v2!;
    return etagged(r.body, r.contentType, c.etag + (r.contentType === "application/json" ? "" : "-pb"), {
      "cache-control": "no-cache, private",
    });
  }
  if (path === "/openapi/v3" || path === "/openapi/v3/") {
    return json(200, openapiV3Index(defs, prefix));
  }
  if (path.startsWith("/openapi/v3/")) {
    const gv = path.slice("/openapi/v3/".length).replace(/\/$/, "");
    const doc = v3Cached(defs, gv);
    if (!doc) return notFound();
    const asked = search.get("hash");
    if (asked && asked !== doc.hash) {
      return new Response(null, { status: 301, headers: { location: `${prefix}/openapi/v3/${gv}?hash=${doc.hash}` } });
    }
    const cacheHeaders: Record<string, string> = asked
      ? { "cache-control": "public, immutable", expires: new Date(Date.now() + 365 * 86400_000).toUTCString() }
      : { "cache-control": "no-cache, private" };
    return etagged(doc.body, "application/json", doc.hash, cacheHeaders);
  }
  return null;
}

function notFound(): Response {
  return new Response(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server could not find the requested resource",
      reason: "NotFound",
      details: {},
      code: 404,
    }),
    { status: 404, headers: { "content-type": "application/json" } },
  );
}

function notAcceptable(): Response {
  return new Response(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
      reason: "NotAcceptable",
      code: 406,
    }),
    { status: 406, headers: { "content-type": "application/json" } },
  );
}
