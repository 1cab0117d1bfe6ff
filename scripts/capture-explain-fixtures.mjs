#!/usr/bin/env node
// Writes test/unit/kubectl-explain.fixtures.json: what the real kubectl 1.33 prints for `explain`,
// captured two ways.
//
// - "kubeplay": against a kubeplay cluster (its kubeconfig is the argument; `npm start`, then
//   `npx kubeplay create cluster --kubeconfig ./kc`). The unit test serves the same OpenAPI from
//   durable/api/openapi.ts in-process and runs the workstation's explain over it.
// - "widgets": against a tiny HTTP server started here, serving discovery and an OpenAPI v3
//   document written below for what kubeplay's schemas lack (enum values, a primitive $ref,
//   additionalProperties: true, a cycle, fields without descriptions, long words, paths whose GVK
//   has no schema). The document goes into the fixtures beside the captures.
//
//   node scripts/capture-explain-fixtures.mjs ./kc
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "test/unit/kubectl-explain.fixtures.json");
const kubeconfig = process.argv[2];
if (!kubeconfig) throw new Error("usage: capture-explain-fixtures.mjs <kubeconfig of a kubeplay cluster>");

const V2 = "--output=plaintext-openapiv2";
const KUBEPLAY = [
  "explain pods",
  "explain deploy",
  "explain pods.spec.containers",
  "explain pod.spec.containers.resources",
  "explain svc.spec.ports --recursive",
  "explain deployments --api-version=apps/v1",
  "explain cronjobs.spec.jobTemplate",
  "explain configmap.data",
  "explain nodes.status.conditions",
  "explain frobs",
  "explain pods.spec.nope",
  "explain",
  "explain pods nodes",
  "explain ev",
  "explain events.events.k8s.io.note",
  "explain deployments.v1.apps",
  "explain deployments.apps.spec.replicas",
  "explain po.metadata.labels",
  "explain pods.spec.containers.name.foo",
  "explain pods.",
  "explain pods[0]",
  "explain pods.spec..containers",
  "explain pods{",
  "explain pods --output=yaml",
  "explain pods --api-version=apps/v1",
  "explain pods --api-version=v2",
  "explain pods --api-version=foo/bar/baz",
  "explain ev.note --api-version=events.k8s.io/v1",
  "explain jobs --recursive",
  "explain nodes.status --recursive",
  "explain pods.spec.restartPolicy",
  "explain deploy.metadata.managedFields.fieldsV1",
  `explain pods ${V2}`,
  `explain deploy.spec ${V2}`,
  `explain pods.spec.containers ${V2}`,
  `explain svc.spec --recursive ${V2}`,
  `explain pods.spec.nope.x ${V2}`,
  `explain pods.spec.containers.name.foo ${V2}`,
  `explain cm.data ${V2}`,
  `explain deploy.metadata.managedFields.fieldsV1 ${V2}`,
  `explain pods --api-version=apps/v1 ${V2}`,
];

const WIDGETS = [
  "explain widgets",
  "explain widgets --recursive",
  "explain widgets.spec",
  "explain widgets.spec --recursive",
  "explain widgets.spec.mode",
  "explain widgets.spec.level",
  "explain widgets.spec.protocol",
  "explain widgets.spec.size",
  "explain widgets.spec.port",
  "explain widgets.spec.parts",
  "explain widgets.spec.parts.name",
  "explain widgets.spec.selector",
  "explain widgets.spec.tags",
  "explain widgets.spec.matrix",
  "explain widgets.spec.extra",
  "explain widgets.spec.extra.anything",
  "explain widgets.spec.selector.anything",
  "explain widgets.spec.child.child.mode",
  "explain widgets.spec.notes",
  "explain widgets.status",
  "explain widgets.status.conditions --recursive",
  "explain widgets.spec.nope",
  "explain gadgets",
  "explain gizmos",
];

const ref = (name) => ({ $ref: `#/components/schemas/io.example.v1.${name}` });
const wrapped = (name, description) => ({ description, allOf: [ref(name)] });
const GVK = (kind) => [{ group: "example.com", version: "v1", kind }];
const operation = (kind) => ({ "x-kubernetes-group-version-kind": GVK(kind)[0], responses: {} });

/** The OpenAPI v3 document of example.com/v1. */
const WIDGETS_DOCUMENT = {
  openapi: "3.0.0",
  info: { title: "Widgets", version: "v1" },
  paths: {
    "/apis/example.com/v1/widgets": { get: operation("WidgetList") },
    "/apis/example.com/v1/namespaces/{namespace}/widgets": { get: operation("WidgetList"), post: operation("Widget") },
    "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}": {
      get: operation("Widget"),
      put: operation("Widget"),
      delete: operation("Status"),
    },
    "/apis/example.com/v1/gadgets/{name}": { get: operation("Gadget") },
  },
  components: {
    schemas: {
      "io.example.v1.Widget": {
        description:
          "Widget is a made-up kind whose schema holds what kubeplay's own do not: enum values, references to primitive types, open maps, a cycle, and words longer than a line.",
        type: "object",
        required: ["spec"],
        properties: {
          apiVersion: { description: "APIVersion of the widget.", type: "string" },
          kind: { description: "Kind of the widget.", type: "string" },
          metadata: wrapped("Meta", "Standard object's metadata."),
          spec: wrapped("WidgetSpec", "Spec says what the widget should be.\n\nIt has two paragraphs."),
          status: ref("WidgetStatus"),
        },
        "x-kubernetes-group-version-kind": GVK("Widget"),
      },
      "io.example.v1.Meta": {
        description: "Meta names a widget.",
        type: "object",
        properties: {
          name: { description: "Name of the widget.", type: "string" },
          labels: { description: "Labels of the widget.", type: "object", additionalProperties: { type: "string", default: "" } },
        },
      },
      "io.example.v1.WidgetSpec": {
        description: "WidgetSpec is the desired state of a widget.",
        type: "object",
        required: ["replicas", "mode"],
        properties: {
          mode: {
            description:
              'How the widget runs.\n\nPossible enum values:\n - `""` runs it the default way.\n - `"Fast"` runs it fast, which takes more of everything than anyone would want to pay for in the long run.\n - `"Slow"` runs it slowly.',
            type: "string",
            enum: ["", "Fast", "Slow"],
          },
          level: { description: "Level of the widget, a number.", type: "number", enum: [1, 2.5, 1000000, 0.00001, -3] },
          protocol: {
            description: "Protocol the widget speaks.",
            type: "string",
            enum: ["HTTP", "HTTPS", "SCTP", "TCP", "UDP", "QUIC"],
          },
          size: { ...ref("Size"), description: "Size of the widget, a primitive behind a reference." },
          port: wrapped("IntOrString", "Port of the widget, by number or name."),
          parts: { description: "Parts the widget is made of.", type: "array", items: ref("Part") },
          selector: { description: "Selector of the widget's parts.", type: "object", additionalProperties: { type: "string" } },
          tags: {
            description: "Tags by name.",
            type: "object",
            additionalProperties: { type: "array", items: { type: "string" } },
          },
          matrix: { description: "Numbers in rows.", type: "array", items: { type: "array", items: { type: "number" } } },
          extra: { description: "Anything at all.", type: "object", additionalProperties: true },
          child: wrapped("WidgetSpec", "A widget inside the widget."),
          replicas: { description: "How many widgets.", type: "integer", format: "int32" },
          notes: {
            description:
              "Notes, with a word longer than any line: https://example.com/a/very/long/path/that/goes/on/and/on/without/a/single/space/in/it/at/all/really and\ttabs,\u00a0a no-break\u00a0space, trailing spaces   \nand an ünïcödé line that is long enough to need wrapping somewhere near its end here.",
            type: "string",
          },
          flag: { type: "boolean" },
        },
      },
      "io.example.v1.Size": { description: "Size is a string.", type: "string" },
      "io.example.v1.IntOrString": { description: "IntOrString holds either.", oneOf: [{ type: "integer" }, { type: "string" }] },
      "io.example.v1.Part": {
        description: "Part of a widget.",
        type: "object",
        required: ["name"],
        properties: {
          name: { description: "Name of the part.", type: "string" },
          weight: { description: "Weight of the part.", type: "number", format: "double" },
        },
      },
      "io.example.v1.WidgetStatus": {
        type: "object",
        properties: {
          conditions: { type: "array", items: ref("Condition"), "x-kubernetes-list-type": "map" },
          observedGeneration: { type: "integer", format: "int64" },
        },
      },
      "io.example.v1.Condition": {
        description: "Condition of a widget.",
        type: "object",
        required: ["type", "status"],
        properties: {
          type: { description: "Type of the condition.", type: "string" },
          status: { description: "Status of the condition.", type: "string", enum: ["True", "False", "Unknown"] },
        },
      },
    },
  },
};

/** Discovery for the real kubectl: example.com/v1 with widgets, gadgets (a path whose GVK has no
 *  schema) and gizmos (no path at all). */
function serveWidgets() {
  const resource = (name, kind) => ({ name, singularName: name.slice(0, -1), namespaced: true, kind, verbs: ["get", "list"] });
  const routes = {
    "/api": { kind: "APIVersions", versions: [] },
    "/apis": {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [
        {
          name: "example.com",
          versions: [{ groupVersion: "example.com/v1", version: "v1" }],
          preferredVersion: { groupVersion: "example.com/v1", version: "v1" },
        },
      ],
    },
    "/apis/example.com/v1": {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: "example.com/v1",
      resources: [resource("widgets", "Widget"), resource("gadgets", "Gadget"), resource("gizmos", "Gizmo")],
    },
    "/openapi/v3": { paths: { "apis/example.com/v1": { serverRelativeURL: "/openapi/v3/apis/example.com/v1?hash=0" } } },
    "/openapi/v3/apis/example.com/v1": WIDGETS_DOCUMENT,
  };
  const server = createServer((req, res) => {
    const body = routes[new URL(req.url, "http://x").pathname];
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** One command line, run without blocking: the widgets server answers from this process. */
function capture(args, env) {
  return new Promise((resolve) =>
    execFile(KUBECTL, args.split(" "), { env: { ...process.env, ...env }, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ args, stdout, stderr, exitCode: error ? error.code : 0 }),
    ),
  );
}

const inTurn = async (list, f) => {
  const results = [];
  for (const x of list) results.push(await f(x));
  return results;
};

const kubeplay = await inTurn(KUBEPLAY, (args) => capture(args, { KUBECONFIG: kubeconfig }));

const server = await serveWidgets();
const dir = mkdtempSync(join(tmpdir(), "explain-widgets-"));
const widgetsConfig = join(dir, "config");
writeFileSync(
  widgetsConfig,
  `apiVersion: v1\nkind: Config\nclusters:\n- name: w\n  cluster:\n    server: http://127.0.0.1:${server.address().port}\ncontexts:\n- name: w\n  context:\n    cluster: w\n    user: w\nusers:\n- name: w\n  user: {}\ncurrent-context: w\n`,
);
const widgets = await inTurn(WIDGETS, async (args) => ({
  ...(await capture(`${args} --cache-dir=${join(dir, "cache")}`, { KUBECONFIG: widgetsConfig })),
  args,
}));
server.close();

const byArgs = (list) => Object.fromEntries(list.map(({ args, ...rest }) => [args, rest]));
writeFileSync(
  out,
  `${JSON.stringify(
    {
      note: "Real captures: kubectl 1.33.1 `explain`, by scripts/capture-explain-fixtures.mjs. kubeplay: against a kubeplay cluster, whose OpenAPI durable/api/openapi.ts serves. widgets: against a discovery-and-OpenAPI server serving widgetsDocument (example.com/v1).",
      kubeplay: byArgs(kubeplay),
      widgets: byArgs(widgets),
      widgetsDocument: WIDGETS_DOCUMENT,
    },
    null,
    2,
  )}\n`,
);
// In the project's JSON style, so `biome check` passes as is.
await new Promise((resolve) => execFile("npx", ["biome", "format", "--write", out], { cwd: root }, resolve));
console.log(`wrote ${out}: ${kubeplay.length} kubeplay captures, ${widgets.length} widgets captures`);
