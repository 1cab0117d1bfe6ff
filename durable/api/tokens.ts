// Service-account tokens signed as kube-apiserver signs them: RS256 JWTs under a per-cluster RSA
// key (its --service-account-signing-key-file), generated once with WebCrypto and kept in the
// cluster's storage. Signing and checking are synchronous (node:crypto over the same key), because
// a container's curl and its projected token file are computed synchronously. A token is accepted
// only when its signature verifies under this cluster's key, it is within its validity, and the
// objects it is bound to still exist with the same uid (the authenticator's validator).
// @ts-ignore -- node:crypto comes with nodejs_compat; the project does not install @types/node
import * as nodeCrypto from "node:crypto";
import type { Obj } from "../resources/types";

interface KeyObject {
  export(o: { format: "der"; type: "spki" }): Uint8Array;
}
interface NodeCrypto {
  createPrivateKey(o: { key: JsonWebKey; format: "jwk" }): KeyObject;
  createPublicKey(k: KeyObject): KeyObject;
  createHash(alg: "sha256"): { update(d: Uint8Array): { digest(): Uint8Array } };
  sign(alg: "sha256", data: Uint8Array, key: KeyObject): Uint8Array;
  verify(alg: "sha256", data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean;
}
const { createPrivateKey, createPublicKey, createHash, sign, verify } = nodeCrypto as unknown as NodeCrypto;

/** The API server's --service-account-issuer and default audience on kubeadm. */
export const ISSUER = "https://kubernetes.default.svc.cluster.local";
/** Where the cluster keeps its signing key (the store's meta table). */
export const SIGNING_KEY_META = "service-account-signing-key";

const utf8 = new TextEncoder();
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
const fromB64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const encodeJSON = (o: unknown) => b64url(utf8.encode(JSON.stringify(o)));

/** A new RSA-2048 signing key, as a private JWK. */
export async function generateSigningKey(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
}

/** What the authenticator needs to look up the objects a token is bound to. */
export interface BoundObjects {
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
}

export interface ServiceAccountClaims {
  sub: string;
  namespace: string;
  serviceAccount: string;
}

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** serviceaccount.keyIDFromPublicKey: the base64url SHA-256 of the public key's PKIX DER. */
  readonly kid: string;

  constructor(
    jwk: JsonWebKey,
    private readonly objects: BoundObjects,
    private readonly now: () => number,
  ) {
    this.privateKey = createPrivateKey({ key: jwk, format: "jwk" });
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = b64url(
      createHash("sha256")
        .update(this.publicKey.export({ format: "der", type: "spki" }))
        .digest(),
    );
  }

  /** A signed JWT with these claims. */
  sign(claims: Obj): string {
    const input = `${encodeJSON({ alg: "RS256", kid: this.kid })}.${encodeJSON(claims)}`;
    return `${input}.${b64url(sign("sha256", utf8.encode(input), this.privateKey))}`;
  }

  /** The claims of a bound service-account token (TokenRequest or a projected volume). */
  claims(sa: Obj, audiences: string[], iat: number, exp: number, pod?: Obj, jti: string = crypto.randomUUID()): Obj {
    const ns = sa.metadata.namespace;
    const name = sa.metadata.name;
    const k8s: Obj = { namespace: ns };
    if (pod?.spec?.nodeName) {
      const node = this.objects.get("nodes", undefined, pod.spec.nodeName);
      k8s.node = { name: pod.spec.nodeName, ...(node?.metadata?.uid ? { uid: node.metadata.uid } : {}) };
    }
    if (pod) k8s.pod = { name: pod.metadata.name, uid: pod.metadata.uid };
    k8s.serviceaccount = { name, uid: sa.metadata.uid };
    // A projected token asked for 3607 s is a legacy-extended one: clients are told to refresh after an hour.
    if (pod && exp - iat === 3607) k8s.warnafter = iat + 3600;
    return { aud: audiences, exp, iat, iss: ISSUER, jti, "kubernetes.io": k8s, nbf: iat, sub: `system:serviceaccount:${ns}:${name}` };
  }

  /** The token a pod's projected serviceAccountToken volume holds now: the same text on every
   *  read until the kubelet would renew it. */
  projected(pod: Obj, source: Obj): string {
    const ns = pod.metadata?.namespace;
    const saName = pod.spec?.serviceAccountName ?? "default";
    const sa = this.objects.get("serviceaccounts", ns, saName) ?? { metadata: { name: saName, namespace: ns } };
    const expiration = Number(source.expirationSeconds ?? 3600);
    const nowMs = this.now();
    const start = Math.floor(Date.parse(pod.status?.startTime ?? pod.metadata?.creationTimestamp ?? new Date(nowMs).toISOString()) / 1000);
    const iat = projectedIssueTime(start, Math.floor(nowMs / 1000), expiration);
    const audiences = source.audience ? [source.audience] : [ISSUER];
    // A stable jti per pod and issue time keeps the file's text the same between reads.
    const jti = stableUUID(`${pod.metadata?.uid}/${iat}/${source.path}`);
    return this.sign(this.claims(sa, audiences, iat, iat + expiration, pod, jti));
  }

  /** The service account a token speaks for, or undefined when the authenticator would refuse it:
   *  not a JWT of this cluster's key, another issuer, outside its validity, or bound to an object
   *  that is gone or was recreated. */
  verify(token: string, nowMs: number): ServiceAccountClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    let header: Obj, c: Obj, signature: Uint8Array;
    try {
      header = JSON.parse(new TextDecoder().decode(fromB64url(parts[0])));
      c = JSON.parse(new TextDecoder().decode(fromB64url(parts[1])));
      signature = fromB64url(parts[2]);
    } catch {
      return undefined;
    }
    if (header?.alg !== "RS256") return undefined;
    if (!verify("sha256", utf8.encode(`${parts[0]}.${parts[1]}`), this.publicKey, signature)) return undefined;
    const now = Math.floor(nowMs / 1000);
    if (c.iss !== ISSUER || typeof c.exp !== "number" || c.exp < now || (typeof c.nbf === "number" && c.nbf > now)) return undefined;
    // The API server's own audience must be among the token's (a token minted for another audience is not for it).
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(ISSUER)) return undefined;
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(c.sub ?? ""));
    const k8s = c["kubernetes.io"];
    if (!m || k8s?.namespace !== m[1] || k8s?.serviceaccount?.name !== m[2]) return undefined;
    const sa = this.objects.get("serviceaccounts", m[1], m[2]);
    if (!sa || (k8s.serviceaccount.uid && sa.metadata?.uid !== k8s.serviceaccount.uid)) return undefined;
    if (k8s.pod) {
      const pod = this.objects.get("pods", m[1], k8s.pod.name);
      if (!pod || pod.metadata?.uid !== k8s.pod.uid || pod.metadata?.deletionTimestamp) return undefined;
    }
    return { sub: c.sub, namespace: m[1], serviceAccount: m[2] };
  }
}

const signers = new WeakMap<object, ServiceAccountTokens>();
export const attachTokens = (registry: object, tokens: ServiceAccountTokens) => void signers.set(registry, tokens);
export const tokensOf = (registry: object) => signers.get(registry);

/** The kubelet's token rotation: a projected token is renewed once 80% of its lifetime has passed
 *  (or after 24 h), so the one in the file was issued at the last renewal point since the pod started. */
export function projectedIssueTime(startSeconds: number, nowSeconds: number, expirationSeconds: number): number {
  const renewEvery = Math.max(1, Math.min(Math.floor(expirationSeconds * 0.8), 24 * 3600));
  const elapsed = Math.max(0, nowSeconds - startSeconds);
  return startSeconds + Math.floor(elapsed / renewEvery) * renewEvery;
}

function stableUUID(seed: string): string {
  const h = createHash("sha256").update(utf8.encode(seed)).digest();
  const hex = Array.from(h.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
