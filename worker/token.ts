// Session bearer tokens: kp1.<id>.<expUnix>.<base64url HMAC-SHA256("kp1.<id>.<expUnix>")>.
// Stateless: the edge verifies them without touching storage or waking the cluster.

const VERSION = "kp1";
const enc = new TextEncoder();

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

function base64url(bytes: ArrayBuffer): string {
  let bin = "";
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Signs a token for session `id` that expires at `expiresAt` (whole seconds). */
export async function signToken(secret: string, id: string, expiresAt: Date): Promise<string> {
  const payload = `${VERSION}.${id}.${Math.floor(expiresAt.getTime() / 1000)}`;
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(payload));
  return `${payload}.${base64url(sig)}`;
}

export interface TokenClaims {
  id: string;
  expiresAt: Date;
}

/**
 * Verifies a token's signature (crypto.subtle.verify compares in constant time) and returns its claims,
 * or null if it is malformed or forged. Expiry is NOT checked here: callers tell "expired" apart from "bad".
 */
export async function verifyToken(secret: string, token: string): Promise<TokenClaims | null> {
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  const [, id, exp, sig] = parts as [string, string, string, string];
  if (!/^[a-z0-9]{1,64}$/.test(id) || !/^\d{1,12}$/.test(exp)) return null;
  const sigBytes = fromBase64url(sig);
  if (!sigBytes || sigBytes.length !== 32) return null;
  const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret), sigBytes, enc.encode(`${VERSION}.${id}.${exp}`));
  return ok ? { id, expiresAt: new Date(Number(exp) * 1000) } : null;
}

const WS_PROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io.";

/**
 * The bearer token of a request: `Authorization: Bearer <token>` (kubectl, also on WebSocket upgrades), or,
 * for browsers that cannot set headers on a WebSocket, the kube-apiserver's subprotocol form
 * `Sec-WebSocket-Protocol: base64url.bearer.authorization.k8s.io.<base64url(token)>`.
 */
export function bearerToken(headers: Headers): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (m) return m[1]!;
  for (const p of (headers.get("sec-websocket-protocol") ?? "").split(",")) {
    const proto = p.trim();
    if (proto.startsWith(WS_PROTOCOL_PREFIX)) {
      const bytes = fromBase64url(proto.slice(WS_PROTOCOL_PREFIX.length));
      return bytes ? new TextDecoder().decode(bytes) : null;
    }
  }
  return null;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"; // RFC 4648 base32, lowercased

/** A new session id: 16 base32 characters = 80 random bits; URL- and DNS-label-safe. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = "";
  for (const b of bytes) id += ID_ALPHABET[b & 31];
  return id;
}

/** SHA-256 hex of the creator's address keyed with the secret, so the registry never stores addresses. */
export async function clientHash(secret: string, address: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", enc.encode(`${secret}\u0000${address}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
