// metav1.Status errors with the real reasons, codes and messages (k8s.io/apimachinery/pkg/api/errors).
import type { FieldError, Obj, ResourceDef } from "../resources/types";

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** An API error; thrown anywhere in the API server and turned into a Status response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toStatus(): Obj {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods "x"` or `deployments.apps "x"`: the qualified resource as errors print it. */
export function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const notFound = (resource: string, group: string, name: string) =>
  new ApiError(404, "NotFound", `${qualified(resource, group)} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

export const alreadyExists = (resource: string, group: string, name: string) =>
  new ApiError(409, "AlreadyExists", `${qualified(resource, group)} "${name}" already exists`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

export const conflict = (resource: string, group: string, name: string, why: string) =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

export const modifiedConflict = (resource: string, group: string, name: string) =>
  conflict(resource, group, name, "the object has been modified; please apply your changes to the latest version and try again");

/** 422 Invalid: `Pod "x" is invalid: spec.containers: Required value` (the kind qualified by its group: `Deployment.apps "x"`). */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const parts = errs.map((e) => `${e.field}: ${e.message}`);
  const aggregate = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new ApiError(422, "Invalid", `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${aggregate}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export const forbidden = (resource: string, group: string, name: string, why: string) =>
  new ApiError(403, "Forbidden", `${qualified(resource, group)} "${name}" is forbidden: ${why}`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

export const methodNotAllowed = (verb: string, resource: string, group = "") =>
  new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`, {
    ...(group ? { group } : {}),
    kind: resource,
  });

/** go-restful's answer to a method no route of the path serves, through the apiserver's
 *  serviceErrorHandler (apierrors.NewGenericServerResponse of its ServiceError). */
export const routeMethodNotAllowed = () =>
  new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {
    causes: [{ reason: "UnexpectedServerResponse", message: "405: Method Not Allowed" }],
  });

/** A kind discovery lists but kubeplay does not simulate: reads find nothing (so `kubectl apply` goes
 *  on to create and prints the reason), writes are not allowed; both say why. */
export const notServed = (def: Pick<ResourceDef, "plural" | "group" | "unserved">, name: string | undefined, method: string) => {
  const details = { ...(name ? { name } : {}), ...(def.group ? { group: def.group } : {}), kind: def.plural };
  return method === "GET" || method === "HEAD"
    ? new ApiError(404, "NotFound", def.unserved!, details)
    : new ApiError(405, "MethodNotAllowed", def.unserved!, details);
};

export const notFoundPath = () => new ApiError(404, "NotFound", "the server could not find the requested resource", {});

export const gone = (message: string) => new ApiError(410, "Expired", message);

export const unsupportedMediaType = (contentType: string) =>
  new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    {
      causes: [{ reason: "UnexpectedServerResponse", message: contentType }],
    },
  );

export const notAcceptable = () =>
  new ApiError(
    406,
    "NotAcceptable",
    "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
  );

export const internal = (message: string) =>
  new ApiError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });

export function statusResponse(err: ApiError): Response {
  return new Response(JSON.stringify(err.toStatus()), {
    status: err.code,
    headers: { "content-type": "application/json", ...(err.headers ?? {}) },
  });
}

/** A successful Status (e.g. a deletion that returns no object). */
export function successStatus(details: StatusDetails): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}
