import { describe, expect, it } from "vitest";
import { indented, isStream, wantsPretty } from "../../durable/api/pretty";

const req = (ua?: string) => new Request("https://x/api", { headers: ua ? { "user-agent": ua } : {} });

describe("pretty-printed JSON (negotiation.isPrettyPrint)", () => {
  it("is for ?pretty=<true> and for curl, Wget and browsers", () => {
    const u = (q = "") => new URL(`https://x/api/v1/pods${q}`);
    expect(wantsPretty(req("curl/8.5.0"), u())).toBe(true);
    expect(wantsPretty(req("Wget/1.21"), u())).toBe(true);
    expect(wantsPretty(req("Mozilla/5.0 (X11)"), u())).toBe(true);
    expect(wantsPretty(req("kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/8adc0f0"), u())).toBe(false);
    expect(wantsPretty(req(), u())).toBe(false);
    expect(wantsPretty(req(), u("?pretty=true"))).toBe(true);
    expect(wantsPretty(req(), u("?pretty=1"))).toBe(true);
    expect(wantsPretty(req("curl/8"), u("?pretty=false"))).toBe(false);
    expect(wantsPretty(req("curl/8"), u("?pretty=yes"))).toBe(false); // ParseBool fails: false
  });

  it("never touches streams", () => {
    expect(isStream("/api/v1/pods", new URL("https://x/api/v1/pods?watch=true"))).toBe(true);
    expect(isStream("/api/v1/watch/pods", new URL("https://x/api/v1/watch/pods"))).toBe(true);
    expect(isStream("/api/v1/namespaces/d/services/web/proxy/", new URL("https://x/"))).toBe(true);
    expect(isStream("/api/v1/namespaces/d/pods/p/log", new URL("https://x/?follow=true"))).toBe(true);
    expect(isStream("/api/v1/namespaces/d/pods/p", new URL("https://x/"))).toBe(false);
  });

  it("indents JSON by two spaces, keeping status and headers; other bodies pass through", async () => {
    const res = await indented(
      new Response('{"kind":"Status","code":404,"details":{"a":[]}}', {
        status: 404,
        headers: { "content-type": "application/json", warning: "w" },
      }),
    );
    expect(res.status).toBe(404);
    expect(res.headers.get("warning")).toBe("w");
    expect(await res.text()).toBe('{\n  "kind": "Status",\n  "code": 404,\n  "details": {\n    "a": []\n  }\n}');
    const t = await indented(new Response("plain", { headers: { "content-type": "text/plain" } }));
    expect(await t.text()).toBe("plain");
  });
});
