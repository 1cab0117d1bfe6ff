// What `kubectl explain pods.spec.containers` asks for: the resource and the field path, read as
// k8s.io/kubectl/pkg/explain/explain.go reads them — the argument is a JSONPath (`{.pods.spec}`)
// whose first field names the resource (through kubectl's RESTMapper, findResource here), the
// rest being fields. Without --api-version a resource written with its group
// (`deployments.apps.spec`) has the group taken off first; with it, every later node is a field.
import { findResource, KubectlError, type Resource, shortNameWarnings } from "./client";
import { GoError, type JsonPathNode, parseJsonPath } from "./jsonpath";

export interface ResourceRequest {
  resource: Resource;
  gvr: { group: string; version: string; resource: string };
  fieldPath: string[];
  /** What the RESTMapper's shortcut expander warned of on the way ("short name … could also match"). */
  warnings: string[];
}

/** A refusal kubectl prints as CheckErr does: its text as is (no "error: " for a resource the
 *  server does not have, which the RESTMapper's NoResourceMatchError words). */
export class RequestError extends Error {}

const fieldNodes = (nodes: JsonPathNode[], message: string): string[] =>
  nodes.map((n) => {
    if (n.type !== "field") throw new RequestError(`error: ${message}`);
    return n.value;
  });

/** jsonPathParse: the nodes of `{.<in>}`, a trailing dot taken off. */
function jsonPathParse(input: string): JsonPathNode[] {
  const trimmed = input.endsWith(".") ? input.slice(0, -1) : input;
  let outer: JsonPathNode[];
  try {
    outer = parseJsonPath("user", `{.${trimmed}}`);
  } catch (e) {
    if (e instanceof GoError) throw new RequestError(`error: ${e.message}`);
    throw e;
  }
  if (outer.length !== 1 || outer[0].type !== "list") throw new RequestError("error: must pass in 1 jsonpath string");
  return outer[0].nodes;
}

/** The resource named by the first node, as the RESTMapper finds it. */
function resourceOf(nodes: JsonPathNode[]): { resource: Resource; warnings: string[] } {
  const head = nodes[0];
  if (head?.type !== "field") throw new RequestError("error: invalid jsonpath syntax, first node must be field node");
  try {
    return { resource: findResource(head.value), warnings: shortNameWarnings(head.value) };
  } catch (e) {
    if (e instanceof KubectlError) throw new RequestError(`the server doesn't have a resource type "${head.value}"`);
    throw e;
  }
}

const gvrOf = (r: Resource) => ({ group: r.def.group, version: r.def.version, resource: r.def.plural });

/** SplitAndParseResourceRequest (with --api-version). */
export function splitAndParseResourceRequest(input: string): ResourceRequest {
  const nodes = jsonPathParse(input);
  const { resource, warnings } = resourceOf(nodes);
  return {
    resource,
    warnings,
    gvr: gvrOf(resource),
    fieldPath: fieldNodes(nodes.slice(1), "invalid jsonpath syntax, all nodes must be field nodes"),
  };
}

/** SplitAndParseResourceRequestWithMatchingPrefix (without): when the argument starts with the
 *  resource's group-resource ("deployments.apps"), the fields are what follows it. */
export function splitAndParseResourceRequestWithMatchingPrefix(input: string): ResourceRequest {
  const nodes = jsonPathParse(input);
  const { resource, warnings } = resourceOf(nodes);
  const groupResource = `${resource.def.plural}${resource.def.group ? `.${resource.def.group}` : ""}`;
  const notField = "invalid jsonpath syntax, first node must be field node";
  let fieldPath: string[];
  if (input.startsWith(groupResource)) {
    const suffix = input.slice(groupResource.length);
    // The suffix starts with its dot, so `{..spec}` parses to a recursive descent before the fields.
    fieldPath = suffix ? fieldNodes(jsonPathParse(suffix).slice(1), notField) : [];
  } else fieldPath = fieldNodes(jsonPathParse(input).slice(1), notField);
  return { resource, warnings, gvr: gvrOf(resource), fieldPath };
}

/** schema.ParseGroupVersion: "" and "/" are the empty group-version, "v1" the core group's. */
export function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === "" || gv === "/") return { group: "", version: "" };
  const parts = gv.split("/");
  if (parts.length === 1) return { group: "", version: gv };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  throw new RequestError(`error: unexpected GroupVersion string: ${gv}`);
}
