import { describe, expect, it } from "vitest";
import type { ResourceDef } from "../../durable/resources/types";
import {
  OPENAPI_V2_PROTOBUF,
  openapiV2,
  openapiV3Document,
  openapiV3Index,
  serveOpenAPI,
  strictDecodingMessage,
  unknownFields,
} from "../../durable/api/openapi";
import { DEFINITIONS } from "../../durable/openapi/unknown-fields";

const base = { columns: [], row: () => [] };
const scale = { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas" };
const defs: ResourceDef[] = [
  {
    ...base,
    group: "",
    version: "v1",
    kind: "Pod",
    plural: "pods",
    singular: "pod",
    namespaced: true,
    openapi: "io.k8s.api.core.v1.Pod",
    subresources: { status: true },
    extraSubresources: [{ name: "binding", kind: "Binding", verbs: ["create"] }],
  },
  {
    ...base,
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    openapi: "io.k8s.api.core.v1.Namespace",
  },
  {
    ...base,
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    singular: "deployment",
    namespaced: true,
    openapi: "io.k8s.api.apps.v1.Deployment",
    subresources: { status: true, scale },
  },
  {
    ...base,
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    plural: "leases",
    singular: "lease",
    namespaced: true,
    openapi: "io.k8s.api.coordination.v1.Lease",
  },
];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("generated definitions", () => {
  it("carry the upstream descriptions, types and kinds", () => {
    const pod = DEFINITIONS["io.k8s.api.core.v1.Pod"]!;
    expect(pod.description).toMatch(/^Pod is a collection of containers that can run on a host/);
    expect(pod["x-kubernetes-group-version-kind"]).toEqual([{ group: "", kind: "Pod", version: "v1" }]);
    const spec = DEFINITIONS["io.k8s.api.core.v1.PodSpec"]!;
    expect(spec.required).toEqual(["containers"]);
    expect(spec.properties!.containers).toMatchObject({
      type: "array",
      items: { $ref: "#/definitions/io.k8s.api.core.v1.Container" },
      description: expect.stringMatching(/^List of containers belonging to the pod/),
    });
    expect(spec.properties!.nodeSelector).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(spec.properties!.terminationGracePeriodSeconds).toMatchObject({ type: "integer", format: "int64" });
    expect(DEFINITIONS["io.k8s.api.apps.v1.RollingUpdateDeployment"]!.properties!.maxSurge!.$ref).toBe(
      "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    );
    expect(DEFINITIONS["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).toMatchObject({ type: "string", format: "int-or-string" });
    expect(DEFINITIONS["io.k8s.apimachinery.pkg.api.resource.Quantity"]!.type).toBe("string");
    expect(DEFINITIONS["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]).toMatchObject({ type: "string", format: "date-time" });
    expect(DEFINITIONS["io.k8s.api.discovery.v1.EndpointSlice"]!["x-kubernetes-group-version-kind"]).toEqual([
      { group: "discovery.k8s.io", kind: "EndpointSlice", version: "v1" },
    ]);
  });

  it("only holds definitions whose references resolve", () => {
    const refs = JSON.stringify(DEFINITIONS).match(/#\/definitions\/[\w.-]+/g)!;
    for (const r of refs) expect(DEFINITIONS[r.slice("#/definitions/".length)], r).toBeDefined();
  });
});

describe("OpenAPI v3", () => {
  it("index points at prefixed, hashed URLs", () => {
    const index = openapiV3Index(defs, "/clusters/abc");
    expect(Object.keys(index.paths)).toEqual(["api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1"]);
    expect(index.paths["api/v1"]!.serverRelativeURL).toMatch(/^\/clusters\/abc\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
  });

  it("api/v1 is well-formed with fieldValidation on PATCH/POST/PUT", () => {
    const doc = openapiV3Document(defs, "api/v1") as Json;
    expect(doc.openapi).toBe("3.0.0");
    const item = doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"];
    expect(item.patch["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
    for (const op of [item.patch, item.put, doc.paths["/api/v1/namespaces/{namespace}/pods"].post])
      expect(op.parameters.map((p: Json) => p.name)).toContain("fieldValidation");
    expect(doc.paths["/api/v1/pods"].get["x-kubernetes-action"]).toBe("list");
    expect(doc.paths["/api/v1/namespaces/{name}"].get.operationId).toBe("readCoreV1Namespace");
    expect(doc.paths["/api/v1/namespaces/{namespace}/pods/{name}/binding"].post["x-kubernetes-group-version-kind"].kind).toBe("Binding");
    // Every $ref resolves inside the document, and refs with siblings are wrapped in allOf.
    const schemas = doc.components.schemas as Json;
    for (const r of JSON.stringify(doc).match(/#\/components\/schemas\/[\w.-]+/g)!)
      expect(schemas[r.slice("#/components/schemas/".length)], r).toBeDefined();
    expect(schemas["io.k8s.api.core.v1.Pod"].properties.spec).toEqual({
      allOf: [{ $ref: "#/components/schemas/io.k8s.api.core.v1.PodSpec" }],
      description: expect.any(String),
    });
    expect(schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"].oneOf).toEqual([{ type: "string" }, { type: "number" }]);
    expect(schemas["io.k8s.api.apps.v1.Deployment"]).toBeUndefined();
  });

  it("apis/apps/v1 holds deployments with scale and only apps kinds", () => {
    const doc = openapiV3Document(defs, "apis/apps/v1") as Json;
    const scalePath = doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
    expect(scalePath.patch["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(scalePath.patch.parameters.map((p: Json) => p.name)).toContain("fieldValidation");
    expect(doc.components.schemas["io.k8s.api.apps.v1.DeploymentStrategy"].properties.rollingUpdate.description).toMatch(/^Rolling update/);
    expect(doc.components.schemas["io.k8s.api.core.v1.Pod"]).toBeUndefined();
    expect(openapiV3Document(defs, "apis/batch/v1")).toBeNull();
  });

  it("serves with ETag, immutable caching for the current hash and a redirect for a stale one", async () => {
    const url = new URL(openapiV3Index(defs, "/clusters/abc").paths["apis/apps/v1"]!.serverRelativeURL, "https://x");
    const res = serveOpenAPI(defs, "/clusters/abc", "/openapi/v3/apis/apps/v1", url.searchParams, new Headers())!;
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, immutable");
    const etag = res.headers.get("etag")!;
    expect(etag).toBe(`"${url.searchParams.get("hash")}"`);
    expect(((await res.json()) as Json).openapi).toBe("3.0.0");
    const again = serveOpenAPI(
      defs,
      "/clusters/abc",
      "/openapi/v3/apis/apps/v1",
      new URLSearchParams(),
      new Headers({ "if-none-match": etag }),
    )!;
    expect(again.status).toBe(304);
    const stale = serveOpenAPI(defs, "/clusters/abc", "/openapi/v3/apis/apps/v1", new URLSearchParams("hash=0"), new Headers())!;
    expect(stale.status).toBe(301);
    expect(stale.headers.get("location")).toBe(url.pathname + url.search);
    expect(serveOpenAPI(defs, "/clusters/abc", "/openapi/v3/apis/nope/v1", new URLSearchParams(), new Headers())!.status).toBe(404);
  });
});

describe("OpenAPI v2", () => {
  it("answers JSON and the gnostic protobuf, 406 otherwise", () => {
    const json = openapiV2(defs, "application/json")!;
    expect(json.contentType).toBe("application/json");
    const doc = JSON.parse(json.body as string) as Json;
    expect(doc.swagger).toBe("2.0");
    const patch = doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"].patch;
    expect(patch.parameters.map((p: Json) => p.name)).toContain("fieldValidation");
    expect(doc.definitions["io.k8s.api.core.v1.PodSpec"].properties.containers["x-kubernetes-patch-merge-key"]).toBe("name");

    const pb = openapiV2(defs, OPENAPI_V2_PROTOBUF)!;
    expect(pb.contentType).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const bytes = pb.body as Uint8Array;
    // Document.swagger = "2.0": field 1, wire type 2, length 3.
    expect([...bytes.subarray(0, 5)]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30]);
    expect(new TextDecoder().decode(bytes)).toContain("io.k8s.api.core.v1.Pod");
    expect(openapiV2(defs, "text/html")).toBeNull();
    expect(serveOpenAPI(defs, "", "/openapi/v2", new URLSearchParams(), new Headers({ accept: "text/html" }))!.status).toBe(406);
  });
});

describe("unknownFields", () => {
  it("reports unknown fields with the strict decoder's paths", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", labels: { app: "x" }, annotations: { a: "b" }, bogus: 1 },
      spec: {
        foo: 1,
        containers: [
          { name: "a", image: "nginx", ports: [{ containerPort: 80, hostPot: 1 }] },
          {
            name: "b",
            image: "busybox",
            resources: { limits: { cpu: "1" } },
            env: [{ name: "X", valueFrom: { fieldRef: { fieldPath: "a", nope: true } } }],
          },
        ],
        nodeSelector: { disk: "ssd" },
      },
    };
    expect(unknownFields(pod, "io.k8s.api.core.v1.Pod")).toEqual([
      'unknown field "metadata.bogus"',
      'unknown field "spec.foo"',
      'unknown field "spec.containers[0].ports[0].hostPot"',
      'unknown field "spec.containers[1].env[0].valueFrom.fieldRef.nope"',
    ]);
  });

  it("knows the v1.31+ status fields the kubelet writes (containerStatuses[].user)", () => {
    const status = {
      containerStatuses: [
        {
          name: "c",
          image: "nginx",
          imageID: "",
          ready: true,
          restartCount: 0,
          user: { linux: { gid: 0, supplementalGroups: [0], uid: 0 } },
        },
      ],
    };
    expect(unknownFields({ status }, "io.k8s.api.core.v1.Pod")).toEqual([]);
    expect(unknownFields({ status: { containerStatuses: [{ user: { linux: { uid: 0, x: 1 } } }] } }, "io.k8s.api.core.v1.Pod")).toEqual([
      'unknown field "status.containerStatuses[0].user.linux.x"',
    ]);
  });

  it("accepts known fields, IntOrString, Quantity and free-form objects", () => {
    const deploy = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", managedFields: [{ manager: "x", fieldsV1: { "f:spec": {} } }] },
      spec: {
        selector: { matchLabels: { app: "d" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
        template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    };
    expect(unknownFields(deploy, "io.k8s.api.apps.v1.Deployment")).toEqual([]);
    expect(unknownFields({ data: { a: "b" }, extra: {} }, "io.k8s.api.core.v1.ConfigMap")).toEqual(['unknown field "extra"']);
    expect(strictDecodingMessage(['unknown field "spec.a"', 'unknown field "spec.b"'], "Deployment", "v1")).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.a", unknown field "spec.b"',
    );
  });
});
