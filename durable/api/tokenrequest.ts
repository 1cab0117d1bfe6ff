// serviceaccounts/token (`kubectl create token`): the TokenRequest subresource
// (pkg/registry/core/serviceaccount/storage TokenREST). It answers a TokenRequest with a bound
// service-account token of the real shape; kubeplay signs nothing, so the signature is a placeholder.
import { decodeBody, type SubresourceHandler } from "./server";
import { rfc3339, type Registry } from "./registry";
import { invalid as invalidObject, methodNotAllowed } from "./status";
import { invalid } from "../resources/validation";
import type { FieldError, Obj } from "../resources/types";
import { byPlural } from "../resources";

const GROUP = "authentication.k8s.io";
/** The API server's --service-account-issuer and default audience on kubeadm. */
const ISSUER = "https://kubernetes.default.svc.cluster.local";
/** SetDefaults_TokenRequestSpec: one hour. */
const DEFAULT_EXPIRATION = 3600;

const b64url = (o: Obj) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/** ValidateTokenRequest (pkg/apis/authentication/validation). */
function validate(seconds: number): FieldError[] {
  const errs: FieldError[] = [];
  if (seconds < 600) errs.push(invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"));
  if (seconds > 2 ** 32) errs.push(invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds"));
  return errs;
}

/** The JWT of a token bound to the service account only (no pod or secret in boundObjectRef). */
export function serviceAccountJWT(sa: Obj, audiences: string[], iat: number, exp: number): string {
  const ns = sa.metadata.namespace;
  const name = sa.metadata.name;
  const claims = {
    aud: audiences,
    exp,
    iat,
    iss: ISSUER,
    jti: crypto.randomUUID(),
    "kubernetes.io": { namespace: ns, serviceaccount: { name, uid: sa.metadata.uid } },
    nbf: iat,
    sub: `system:serviceaccount:${ns}:${name}`,
  };
  return `${b64url({ alg: "RS256", kid: "kubeplay" })}.${b64url(claims)}.unsigned`;
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
    if (m.name && m.name !== name) throw invalidObject("TokenRequest", GROUP, name, [invalid("metadata.name", m.name, "must match the service account name if specified")]);
    if (m.namespace && m.namespace !== ns)
      throw invalidObject("TokenRequest", GROUP, name, [invalid("metadata.namespace", m.namespace, "must match the service account namespace if specified")]);
    const sa = registry.get(byPlural("serviceaccounts")!, ns, name); // 404 `serviceaccounts "x" not found`
    if (!spec.audiences?.length) spec.audiences = [ISSUER];
    const now = registry.ctx().now;
    const iat = Math.floor(now / 1000);
    const exp = iat + Number(spec.expirationSeconds);
    const body = {
      kind: "TokenRequest",
      apiVersion: `${GROUP}/v1`,
      metadata: { ...m, name, namespace: ns, creationTimestamp: m.creationTimestamp ?? null },
      spec,
      status: { token: serviceAccountJWT(sa, spec.audiences, iat, exp), expirationTimestamp: rfc3339(exp * 1000) },
    };
    return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json" } });
  };
  return { "serviceaccounts/token": token };
}
