// metav1.Status responses: every error the edge returns is one of these (kubectl decodes them).

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "Conflict"
  | "Invalid"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable";

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: StatusReason;
  code: number;
  details?: { name?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

export function status(code: number, reason: StatusReason, message: string, details?: Status["details"]): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code, ...(details ? { details } : {}) };
}

export function statusResponse(s: Status, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(s), { status: s.code, headers: h });
}

export const BODY_LIMIT = 3 * 1024 * 1024; // 3145728, the real API server's limit

export const unauthorized = () => statusResponse(status(401, "Unauthorized", "Unauthorized"));
export const tooLarge = () => statusResponse(status(413, "RequestEntityTooLarge", `Request entity too large: limit is ${BODY_LIMIT}`));
export const notFound = (message = "the server could not find the requested resource") => statusResponse(status(404, "NotFound", message));
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  statusResponse(status(429, "TooManyRequests", message, { retryAfterSeconds }), { "retry-after": String(retryAfterSeconds) });
export const badRequest = (message: string) => statusResponse(status(400, "BadRequest", message));
export const invalid = (message: string, causes: StatusCause[]) =>
  statusResponse(status(422, "Invalid", message, { kind: "Cluster", causes }));
