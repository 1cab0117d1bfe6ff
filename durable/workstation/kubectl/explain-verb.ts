// `kubectl explain`: k8s.io/kubectl/pkg/cmd/explain/explain.go over the server's OpenAPI v3 — the
// index at /openapi/v3, then the document of the resource's group-version — rendered by the
// plaintext template (explain-plaintext.ts).
import { bool, type Parsed, str } from "./args";
import { type ApiCall, type ApiReply, awaitHost, KubectlError, statusMessage } from "./client";
import type { Json } from "./explain-funcs";
import { gvkString, lookupResource, parseDefinitions, printModelDescriptionV2, SchemaError } from "./explain-openapiv2";
import { gvrString, type Rendered, renderPlaintext } from "./explain-plaintext";
import {
  parseGroupVersion,
  RequestError,
  type ResourceRequest,
  splitAndParseResourceRequest,
  splitAndParseResourceRequestWithMatchingPrefix,
} from "./explain-request";
import type { Kube, KubectlRun, Verb } from "./types";

const PLAINTEXT = "plaintext";
const PLAINTEXT_OPENAPIV2 = "plaintext-openapiv2";

export interface ExplainOptions {
  /** The one argument: `pods`, `deploy.spec.replicas`, `deployments.apps.spec`. */
  resource: string;
  apiVersion: string;
  recursive: boolean;
  output: string;
}

/** The group-versions of the OpenAPI v3 index, each with the URL of its document. */
type Paths = Record<string, { serverRelativeURL?: string }>;

/** CheckErr's wording of an error that is not one of the API's: "error: " unless it has it. */
const refuse = (message: string) => new RequestError(message.startsWith("error: ") ? message : `error: ${message}`);

/** A failed GET as client-go's rest client words it. */
const failure = (r: ApiReply) => statusMessage(r).replace(/^Error from server \([^)]*\): /, "");

/** A JSON document; `failed` words a failure to get it, `unparsable` one to read it. */
async function getJson(api: ApiCall, path: string, failed: string, unparsable = failed): Promise<Json> {
  const r = await api("GET", path, { headers: { accept: "application/json" } });
  if (r.status >= 400) throw refuse(`${failed}: ${failure(r)}`);
  try {
    return JSON.parse(r.text);
  } catch (e) {
    throw refuse(`${unparsable}: ${(e as Error).message}`);
  }
}

const fetchPaths = async (api: ApiCall) =>
  ((await getJson(api, "/openapi/v3", "failed to fetch list of groupVersions")).paths ?? {}) as Paths;

/** A document's serverRelativeURL carries the cluster's mount (/clusters/<id>/openapi/v3/…); the
 *  in-process API is rooted at the cluster itself. */
const clusterPath = (url: string) => {
  const at = url.indexOf("/openapi/v3/");
  return at < 0 ? url : url.slice(at);
};

/** openapiv3explain.PrintModelDescription: the document of the GVR's group-version, rendered. The
 *  index is fetched once (kubectl's OpenAPI v3 client keeps it in memory). */
async function printModelDescription(api: ApiCall, req: ResourceRequest, o: ExplainOptions, known?: Paths): Promise<Rendered> {
  const paths = known ?? (await fetchPaths(api));
  const { gvr } = req;
  const resourcePath = gvr.group ? `apis/${gvr.group}/${gvr.version}` : `api/${gvr.version}`;
  const gv = Object.hasOwn(paths, resourcePath) ? paths[resourcePath] : undefined;
  if (!gv) throw refuse(`couldn't find resource for "${gvrString(gvr)}"`);
  const document = await getJson(
    api,
    clusterPath(gv.serverRelativeURL ?? ""),
    `failed to fetch openapi schema for ${resourcePath}`,
    `failed to parse openapi schema for ${resourcePath}`,
  );
  // The generator has one template, plaintext.tmpl.
  if (o.output !== PLAINTEXT) throw refuse(`unrecognized format: ${o.output}`);
  return renderPlaintext({ gvr, document, fieldPath: req.fieldPath, recursive: o.recursive });
}

/** renderOpenAPIV2: the explain of kubectl before v3, over /openapi/v2 (JSON here; the real
 *  kubectl asks for the same document as protobuf). */
async function renderOpenAPIV2(api: ApiCall, req: ResourceRequest, o: ExplainOptions): Promise<Rendered> {
  const kind = req.resource.def.kind;
  const gvk = o.apiVersion ? { ...parseGroupVersion(o.apiVersion), kind } : { group: req.gvr.group, version: req.gvr.version, kind };
  const r = await api("GET", "/openapi/v2", { headers: { accept: "application/json" } });
  if (r.status >= 400) throw refuse(failure(r));
  try {
    const models = parseDefinitions(JSON.parse(r.text));
    const schema = lookupResource(models, gvk);
    if (!schema) throw refuse(`couldn't find resource for "${gvkString(gvk)}"`);
    return { stdout: printModelDescriptionV2(models, schema, gvk, req.fieldPath, o.recursive) };
  } catch (e) {
    if (e instanceof SchemaError) throw refuse(e.message);
    throw e;
  }
}

/** What explain prints: the warnings (stderr, first), the explanation, and the error it ends with. */
export interface Explained extends Rendered {
  warnings: string[];
}

/** ExplainOptions.Run. */
export async function explainResource(api: ApiCall, o: ExplainOptions): Promise<Explained> {
  let req: ResourceRequest;
  try {
    req = o.apiVersion ? splitAndParseResourceRequest(o.resource) : splitAndParseResourceRequestWithMatchingPrefix(o.resource);
  } catch (e) {
    if (e instanceof RequestError) return { warnings: [], stdout: "", error: e.message };
    throw e;
  }
  try {
    return { warnings: req.warnings, ...(await explainRequest(api, req, o)) };
  } catch (e) {
    if (e instanceof RequestError) return { warnings: req.warnings, stdout: "", error: e.message };
    throw e;
  }
}

async function explainRequest(api: ApiCall, req: ResourceRequest, o: ExplainOptions): Promise<Rendered> {
  if (o.output === PLAINTEXT_OPENAPIV2) return renderOpenAPIV2(api, req, o);
  let paths: Paths | undefined;
  if (o.output === PLAINTEXT) {
    // plaintext falls back to the v2 renderer when the server serves no OpenAPI v3.
    paths = await fetchPaths(api).catch(() => undefined);
    if (!paths) return renderOpenAPIV2(api, req, o);
  }
  if (o.apiVersion) req = { ...req, gvr: { ...req.gvr, ...parseGroupVersion(o.apiVersion) } };
  return printModelDescription(api, req, o, paths);
}

function* explainRun(p: Parsed, k: Kube): KubectlRun {
  // Validate, before anything is asked of the server.
  if (!p.args.length)
    throw new KubectlError(
      `error: You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.`,
    );
  if (p.args.length > 1) throw new KubectlError("error: We accept only this format: explain RESOURCE");
  const out = yield* awaitHost(
    explainResource(k.api, {
      resource: p.args[0],
      apiVersion: str(p, "api-version") ?? "",
      recursive: bool(p, "recursive"),
      output: str(p, "output") ?? PLAINTEXT,
    }),
  );
  for (const w of out.warnings) k.io.stderr(`Warning: ${w}\n`);
  k.io.stdout(out.stdout);
  if (out.error !== undefined) throw new KubectlError(out.error);
  return 0;
}

export const explain: Verb = {
  flags: [
    { name: "recursive", kind: "bool" },
    { name: "api-version", kind: "string" },
    { name: "output", kind: "string" },
  ],
  run: explainRun,
};
