import { describe, expect, it } from "vitest";
import { formatDuration, isLoopback, parseDuration, signingSecret, type Env } from "../../worker/env";
import { bearerToken, clientHash, newSessionId, signToken, verifyToken } from "../../worker/token";

const SECRET = "test-secret-0123456789";
const expiry = new Date("2030-01-02T03:04:05Z");

describe("session tokens", () => {
  it("signs kp1.<id>.<exp>.<sig> and verifies it back", async () => {
    const token = await signToken(SECRET, "abcdefghijklmnop", expiry);
    expect(token).toMatch(/^kp1\.abcdefghijklmnop\.1893553445\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyToken(SECRET, token)).toEqual({ id: "abcdefghijklmnop", expiresAt: expiry });
  });

  it("is deterministic for the same id and expiry", async () => {
    expect(await signToken(SECRET, "abc", expiry)).toBe(await signToken(SECRET, "abc", expiry));
  });

  it("refuses another secret, a changed id or expiry, and a tampered signature", async () => {
    const token = await signToken(SECRET, "abc", expiry);
    const [v, id, exp, sig] = token.split(".") as [string, string, string, string];
    expect(await verifyToken("other-secret", token)).toBeNull();
    expect(await verifyToken(SECRET, `${v}.abd.${exp}.${sig}`)).toBeNull();
    expect(await verifyToken(SECRET, `${v}.${id}.${Number(exp) + 3600}.${sig}`)).toBeNull();
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    expect(await verifyToken(SECRET, `${v}.${id}.${exp}.${flipped}`)).toBeNull();
  });

  it("refuses malformed tokens without throwing", async () => {
    for (const t of ["", "kp1", "kp1.a.b.c", "kp2.abc.1.AAAA", "kp1.ABC.1.AAAA", "kp1.abc.1.!!!!", "kp1.abc.1.AAAA.extra", "a.b.c.d"]) {
      expect(await verifyToken(SECRET, t)).toBeNull();
    }
  });

  it("reads the bearer token from Authorization or the WebSocket subprotocol", () => {
    expect(bearerToken(new Headers({ authorization: "Bearer kp1.a.1.x" }))).toBe("kp1.a.1.x");
    expect(bearerToken(new Headers({ authorization: "Basic Zm9vOmJhcg==" }))).toBeNull();
    expect(bearerToken(new Headers())).toBeNull();
    const encoded = btoa("kp1.a.1.x").replace(/=+$/, "");
    const h = new Headers({ "sec-websocket-protocol": `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${encoded}` });
    expect(bearerToken(h)).toBe("kp1.a.1.x");
  });
});

describe("session ids and client hashes", () => {
  it("makes short, lowercase, URL-safe, distinct ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, newSessionId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{16}$/);
  });

  it("hashes addresses with the secret", async () => {
    const a = await clientHash(SECRET, "203.0.113.7");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await clientHash(SECRET, "203.0.113.7")).toBe(a);
    expect(await clientHash("other", "203.0.113.7")).not.toBe(a);
  });
});

describe("configuration", () => {
  it("parses and formats Go-style durations", () => {
    expect(parseDuration("4h")).toBe(4 * 3600_000);
    expect(parseDuration("90m")).toBe(90 * 60_000);
    expect(parseDuration("1h30m")).toBe(90 * 60_000);
    expect(parseDuration("1.5h")).toBe(90 * 60_000);
    expect(parseDuration("45s")).toBe(45_000);
    for (const bad of ["", "4", "h", "4d", "-1h", "1h 30m", "abc"]) expect(parseDuration(bad)).toBeNull();
    expect(formatDuration(4 * 3600_000)).toBe("4h");
    expect(formatDuration(90 * 60_000)).toBe("1h30m");
    expect(formatDuration(30_000)).toBe("30s");
  });

  it("uses a dev secret only for loopback origins when KUBEPLAY_SECRET is unset", () => {
    const env = {} as Env;
    expect(signingSecret(env, new URL("https://127.0.0.1:8787/"))).toBeTruthy();
    expect(signingSecret(env, new URL("https://localhost:8787/"))).toBeTruthy();
    expect(signingSecret(env, new URL("https://[::1]:8787/"))).toBeTruthy();
    expect(signingSecret(env, new URL("https://play.example.com/"))).toBeNull();
    expect(signingSecret({ KUBEPLAY_SECRET: "s" } as Env, new URL("https://play.example.com/"))).toBe("s");
    expect(isLoopback("127.1.2.3")).toBe(true);
    expect(isLoopback("127.0.0.1.example.com")).toBe(false);
  });
});
