// Go's tls.X509KeyPair as `kubectl create secret tls` uses it: the certificate and key files must be
// PEM, hold a certificate and a private key, and the key must be the certificate's. The public halves
// are compared through WebCrypto (the certificate's SubjectPublicKeyInfo against the key's own), so
// RSA, ECDSA and Ed25519 pairs are checked without a big-number library.

interface PemBlock {
  type: string;
  bytes: Uint8Array;
}

/** pem.Decode, block after block: blocks whose body is not base64 are skipped as Go skips them. */
function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(/-----BEGIN ([^-\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g)) {
    // Headers ("Proc-Type: …") end at the first blank line.
    const body = m[2].includes(":") ? m[2].slice(m[2].search(/\r?\n\r?\n/) + 1) : m[2];
    try {
      out.push({ type: m[1], bytes: Uint8Array.from(atob(body.replace(/\s/g, "")), (c) => c.charCodeAt(0)) });
    } catch {
      // not base64: pem.Decode moves on
    }
  }
  return out;
}

/** One DER element: its tag, where it begins, and where its contents start and end in the buffer. */
interface Der {
  tag: number;
  at: number;
  start: number;
  end: number;
  next: number;
}

function der(buf: Uint8Array, at: number): Der {
  if (at + 2 > buf.length) throw new Error("truncated");
  const tag = buf[at];
  let len = buf[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error("bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  if (start + len > buf.length) throw new Error("truncated");
  return { tag, at, start, end: start + len, next: start + len };
}

/** The children of a constructed element. */
function children(buf: Uint8Array, el: Der): Der[] {
  const out: Der[] = [];
  for (let at = el.start; at < el.end; ) {
    const c = der(buf, at);
    out.push(c);
    at = c.next;
  }
  return out;
}

const SEQUENCE = 0x30;

/** The SubjectPublicKeyInfo of a DER certificate (tbsCertificate's seventh field, counting the optional version). */
function certificateSpki(cert: Uint8Array): Uint8Array {
  const top = der(cert, 0);
  if (top.tag !== SEQUENCE || top.end !== cert.length) throw new Error("x509: malformed certificate");
  const [tbs] = children(cert, top);
  if (tbs?.tag !== SEQUENCE) throw new Error("x509: malformed tbs certificate");
  const fields = children(cert, tbs);
  const skip = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const spki = fields[skip + 5];
  if (spki?.tag !== SEQUENCE) throw new Error("x509: malformed spki");
  return cert.slice(spki.at, spki.end);
}

const OID = {
  rsa: "2a864886f70d010101",
  ec: "2a8648ce3d0201",
  ed25519: "2b6570",
  p256: "2a8648ce3d030107",
  p384: "2b81040022",
  p521: "2b81040023",
};
const CURVES: Record<string, string> = { [OID.p256]: "P-256", [OID.p384]: "P-384", [OID.p521]: "P-521" };
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** The algorithm WebCrypto needs for an SPKI or PKCS#8 AlgorithmIdentifier. */
function algorithmOf(buf: Uint8Array, alg: Der): { name: string; hash?: string; namedCurve?: string } {
  const [oid, params] = children(buf, alg);
  const id = hex(buf.slice(oid.start, oid.end));
  if (id === OID.rsa) return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  if (id === OID.ed25519) return { name: "Ed25519" };
  const curve = id === OID.ec && params ? CURVES[hex(buf.slice(params.start, params.end))] : undefined;
  if (curve) return { name: "ECDSA", namedCurve: curve };
  throw new Error("unknown algorithm");
}

/** A DER element rebuilt from a tag and contents. */
function encode(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Uint8Array.from([tag, ...len, ...contents]);
}
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const oidElement = (id: string) =>
  encode(
    0x06,
    Uint8Array.from(id.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
  );

/** A private key block as PKCS#8, whichever of Go's three encodings (PKCS#1, PKCS#8, SEC 1) it is in. */
function pkcs8Of(block: PemBlock): Uint8Array {
  const buf = block.bytes;
  const top = der(buf, 0);
  const fields = children(buf, top);
  if (fields[1]?.tag === SEQUENCE) return buf; // PKCS#8: version, AlgorithmIdentifier, key
  const version = encode(0x02, Uint8Array.of(0));
  if (fields.length >= 9) {
    // PKCS#1 RSAPrivateKey
    const alg = encode(SEQUENCE, concat(oidElement(OID.rsa), Uint8Array.of(0x05, 0x00)));
    return encode(SEQUENCE, concat(version, alg, encode(0x04, buf)));
  }
  // SEC 1 ECPrivateKey: the curve is in its [0] parameters
  const params = fields.find((f) => f.tag === 0xa0);
  if (!params) throw new Error("no curve");
  const curve = buf.slice(params.start, params.end);
  const alg = encode(SEQUENCE, concat(oidElement(OID.ec), curve));
  return encode(SEQUENCE, concat(version, alg, encode(0x04, buf)));
}

/** The public half of a key as a JWK's defining members. */
const publicPart = (jwk: JsonWebKey) => JSON.stringify([jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.y]);

/** tls.X509KeyPair's error for these two files, in its words, or undefined when they are a pair. */
export async function x509KeyPairError(certPem: string, keyPem: string): Promise<string | undefined> {
  const certBlocks = pemBlocks(certPem);
  const certs = certBlocks.filter((b) => b.type === "CERTIFICATE");
  if (!certs.length) {
    const skipped = certBlocks.map((b) => b.type);
    if (!skipped.length) return "tls: failed to find any PEM data in certificate input";
    if (skipped.length === 1 && skipped[0].endsWith("PRIVATE KEY"))
      return "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched";
    return `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped.join(" ")}]`;
  }
  const keyBlocks = pemBlocks(keyPem);
  const key = keyBlocks.find((b) => b.type === "PRIVATE KEY" || b.type.endsWith(" PRIVATE KEY"));
  if (!key) {
    const skipped = keyBlocks.map((b) => b.type);
    if (!skipped.length) return "tls: failed to find any PEM data in key input";
    if (skipped.length === 1 && skipped[0] === "CERTIFICATE")
      return "tls: found a certificate rather than a key in the PEM for the private key";
    return `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped.join(" ")}]`;
  }
  let certPublic: JsonWebKey;
  try {
    const spki = certificateSpki(certs[0].bytes);
    const alg = algorithmOf(spki, children(spki, der(spki, 0))[0]);
    certPublic = (await crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("spki", spki, alg, true, ["verify"]))) as JsonWebKey;
  } catch (e) {
    return String((e as Error).message).startsWith("x509:") ? (e as Error).message : "x509: malformed certificate";
  }
  let keyPublic: JsonWebKey;
  try {
    const pkcs8 = pkcs8Of(key);
    const alg = algorithmOf(pkcs8, children(pkcs8, der(pkcs8, 0))[1]);
    keyPublic = (await crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("pkcs8", pkcs8, alg, true, ["sign"]))) as JsonWebKey;
  } catch {
    return "tls: failed to parse private key";
  }
  if (certPublic.kty !== keyPublic.kty || certPublic.crv !== keyPublic.crv) return "tls: private key type does not match public key type";
  if (publicPart(certPublic) !== publicPart(keyPublic)) return "tls: private key does not match public key";
  return undefined;
}
