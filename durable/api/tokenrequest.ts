// serviceaccounts/token (`kubectl create token`): the TokenRequest subresource
// (pkg/registry/core/serviceaccount/storage TokenREST). It answers a TokenRequest with a bound
// service-account token signed by the cluster's key (tokens.ts).
import { decodeBody, type SubresourceHandler } from "./server";
import { rfc3339, type Registry } from "./registry";
import { ApiError, invalid as invalidObject, methodNotAllowed, notFound } from "./status";
import { invalid } from "../resources/validation";
import type { FieldError, Obj } from "../resources/types";
import { byPlural } from "../resources";
import { ISSUER, tokensOf } from "./tokens";

const GROUP = "authentication.k8s.io";
/** SetDefaults_TokenRequestSpec: one hour. */
const DEFAULT_EXPIRATION = 3600;

/** ValidateTokenRequest (pkg/apis/authentication/validation). */
function validate(seconds: number): FieldError[] {
  const errs: FieldError[] = [];
  if (seconds < 600) errs.push(invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"));
  if (seconds > 2 ** 32) errs.push(invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds"));
  return errs;
}

export function serviceAccountSubresources(registry: Registry): Record<string, SubresourceHandler> {
  const token: SubresourceHandler = async (req, _def, ns, name) => {
    if (req.method !== "POST") throw methodNotAllowed(req.method, "serviceaccounts/token");
    const tr = (await decodeBody(req, "TokenRequest")) ?? {};
    const spec: Obj = { ...(tr.spec ?? {}) };
    spec.expirationSeconds ??= DEFAULT_EXPIRATION;
    spec.boundObjectRef ??= null;
    // The create validation runs before TokenREST.Create fills in the name, hence `""`.
    const errs = validate(Number(spec.expirationSeconds));
    if (errs.length) throw invalidObject("TokenRequest", GROUP, tr.metadata?.name ?? "", errs);
    const m = tr.metadata ?? {};
    if (m.name && m.name !== name)
      throw invalidObject("TokenRequest", GROUP, name, [
        invalid("metadata.name", m.name, "must match the service account name if specified"),
      ]);
    if (m.namespace && m.namespace !== ns)
      throw invalidObject("TokenRequest", GROUP, name, [
        invalid("metadata.namespace", m.namespace, "must match the service account namespace if specified"),
      ]);
    const sa = registry.get(byPlural("serviceaccounts")!, ns, name); // 404 `serviceaccounts "x" not found`
    if (!spec.audiences?.length) spec.audiences = [ISSUER];
    const tokens = tokensOf(registry);
    if (!tokens) throw new ApiError(500, "InternalError", "Internal error occurred: the service account signing key is not loaded");
    // A token bound to a pod names it (and its node) in its claims, and dies with it.
    const ref = spec.boundObjectRef as Obj | null;
    let pod: Obj | undefined;
    if (ref?.kind === "Pod") {
      pod = registry.read(byPlural("pods")!, ns, ref.name);
      if (!pod) throw notFound("pods", "", ref.name);
      if (ref.uid && ref.uid !== pod.metadata.uid)
        throw new ApiError(
          409,
          "Conflict",
          `Operation cannot be fulfilled on pods "${ref.name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
    }
    const now = registry.ctx().now;
    const iat = Math.floor(now / 1000);
    const exp = iat + Number(spec.expirationSeconds);
    const body = {
      kind: "TokenRequest",
      apiVersion: `${GROUP}/v1`,
      metadata: { ...m, name, namespace: ns, creationTimestamp: m.creationTimestamp ?? null },
      spec,
      status: { token: tokens.sign(tokens.claims(sa, spec.audiences, iat, exp, pod)), expirationTimestamp: rfc3339(exp * 1000) },
    };
    return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json" } });
  };
  return { "serviceaccounts/token": token };
}
