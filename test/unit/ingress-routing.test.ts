// Which location ingress-nginx picks for a request (durable/nodes/runtime/ingressrouting.ts), case by
// case after ingress-nginx's docs ("Ingress Path Matching", "Rewrite") and the Kubernetes Ingress
// docs' examples table for Prefix and Exact; then what its proxy sends on and answers (ingressproxy.ts).
import { describe, expect, it } from "vitest";
import type { Ingress, HTTPIngressPath } from "kubernetes-types/networking/v1";
import { buildServers, route, rewrite, type Location } from "../../durable/nodes/runtime/ingressrouting";
import { nginxPage, proxyIngress } from "../../durable/nodes/runtime/ingressproxy";

let seq = 0;
function ingress(
  name: string,
  rules: { host?: string; paths: [string, HTTPIngressPath["pathType"], string][] }[],
  extra: Partial<Ingress> & { annotations?: Record<string, string> } = {},
): Ingress {
  const { annotations, ...rest } = extra;
  return {
    metadata: { name, namespace: "default", creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq++)).toISOString(), annotations },
    spec: {
      rules: rules.map((r) => ({
        host: r.host,
        http: {
          paths: r.paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })),
        },
      })),
      ...(rest.spec ?? {}),
    },
  };
}

/** The Service a request reaches, "404" or "redirect <location>". */
function target(ings: Ingress[], host: string, uri: string, https = false): string {
  const r = route(buildServers(ings), host, uri, https);
  if (r.kind === "not-found") return "404";
  if (r.kind === "redirect") return `redirect ${r.location}`;
  return r.backend.service?.name ?? "";
}

describe("Prefix and Exact (the Kubernetes docs' examples)", () => {
  const cases: [string, HTTPIngressPath["pathType"], string, boolean][] = [
    ["/foo", "Exact", "/foo", true],
    ["/foo", "Exact", "/bar", false],
    ["/foo", "Exact", "/foo/", false],
    ["/foo/", "Exact", "/foo", false],
    ["/foo", "Prefix", "/foo", true],
    ["/foo", "Prefix", "/foo/", true],
    ["/foo/", "Prefix", "/foo", true],
    ["/aaa/bb", "Prefix", "/aaa/bbb", false],
    ["/aaa/bbb", "Prefix", "/aaa/bbb", true],
    ["/aaa/bbb/", "Prefix", "/aaa/bbb", true],
    ["/aaa/bbb", "Prefix", "/aaa/bbb/", true],
    ["/aaa/bbb", "Prefix", "/aaa/bbb/ccc", true],
    ["/aaa/bbb", "Prefix", "/aaa/bbbxyz", false],
    ["/", "Prefix", "/anything/at/all", true],
  ];
  for (const [path, type, request, matches] of cases)
    it(`${type} ${path} ${matches ? "matches" : "does not match"} ${request}`, () => {
      expect(target([ingress("a", [{ paths: [[path, type, "svc"]] }])], "x", request)).toBe(matches ? "svc" : "404");
    });

  it("the longest Prefix wins: /aaa and /aaa/bbb on /aaa/bbb/c", () => {
    const ing = ingress("a", [
      {
        paths: [
          ["/aaa", "Prefix", "short"],
          ["/aaa/bbb", "Prefix", "long"],
        ],
      },
    ]);
    expect(target([ing], "x", "/aaa/bbb/c")).toBe("long");
    expect(target([ing], "x", "/aaa/bb")).toBe("short");
  });

  it("Exact beats a Prefix of the same path", () => {
    const ing = ingress("a", [
      {
        paths: [
          ["/foo", "Prefix", "prefix"],
          ["/foo", "Exact", "exact"],
        ],
      },
    ]);
    expect(target([ing], "x", "/foo")).toBe("exact");
    expect(target([ing], "x", "/foo/x")).toBe("prefix");
  });

  it("ImplementationSpecific is nginx's character prefix: /foo takes /foobar", () => {
    expect(target([ingress("a", [{ paths: [["/foo", "ImplementationSpecific", "svc"]] }])], "x", "/foobar")).toBe("svc");
  });

  it("the query string does not take part in matching", () => {
    expect(target([ingress("a", [{ paths: [["/v2", "Exact", "svc"]] }])], "x", "/v2?x=1")).toBe("svc");
  });
});

describe("hosts", () => {
  const docs = ingress("example-ingress", [
    {
      host: "hello-world.example",
      paths: [
        ["/", "Prefix", "web"],
        ["/v2", "Prefix", "web2"],
      ],
    },
  ]);

  it("the docs' example-ingress: / to web, /v2 to web2", () => {
    expect(target([docs], "hello-world.example", "/")).toBe("web");
    expect(target([docs], "hello-world.example", "/v2")).toBe("web2");
    expect(target([docs], "hello-world.example:30080", "/v2/x")).toBe("web2");
  });

  it("another Host falls to the catch-all server, which has no rule: 404", () => {
    expect(target([docs], "other.example", "/")).toBe("404");
    expect(target([docs], "192.168.49.2", "/")).toBe("404");
  });

  it("a rule without host serves every Host its paths", () => {
    const ing = ingress("a", [{ paths: [["/app", "Prefix", "app"]] }]);
    expect(target([docs, ing], "anything", "/app")).toBe("app");
    expect(target([docs, ing], "hello-world.example", "/app")).toBe("web");
  });

  it("a wildcard host matches exactly one leading label", () => {
    const ing = ingress("a", [{ host: "*.foo.com", paths: [["/", "Prefix", "wild"]] }]);
    expect(target([ing], "bar.foo.com", "/")).toBe("wild");
    expect(target([ing], "baz.bar.foo.com", "/")).toBe("404");
    expect(target([ing], "foo.com", "/")).toBe("404");
  });

  it("the Host header is matched case-insensitively", () => {
    expect(target([docs], "Hello-World.Example", "/v2")).toBe("web2");
  });

  it("the oldest Ingress keeps a path two of them define", () => {
    const first = ingress("first", [{ host: "h", paths: [["/", "Prefix", "old"]] }]);
    const second = ingress("second", [{ host: "h", paths: [["/", "Prefix", "new"]] }]);
    expect(target([second, first], "h", "/")).toBe("old");
  });
});

describe("default backends", () => {
  const backend = { service: { name: "fallback", port: { number: 80 } } };

  it("an Ingress with only a defaultBackend takes every request of the catch-all server", () => {
    const ing: Ingress = { metadata: { name: "d", namespace: "default" }, spec: { defaultBackend: backend } };
    expect(target([ing], "whatever", "/x")).toBe("fallback");
  });

  it("an Ingress's defaultBackend takes what its own host's paths do not", () => {
    const ing = ingress("a", [{ host: "h", paths: [["/api", "Prefix", "api"]] }], { spec: { defaultBackend: backend } });
    expect(target([ing], "h", "/api/v1")).toBe("api");
    expect(target([ing], "h", "/other")).toBe("fallback");
    // With rules, it does not become the catch-all server's.
    expect(target([ing], "elsewhere", "/other")).toBe("404");
  });
});

describe("regex paths and rewrite-target", () => {
  const rewriting = ingress("rw", [{ host: "h", paths: [["/something(/|$)(.*)", "ImplementationSpecific", "svc"]] }], {
    annotations: { "nginx.ingress.kubernetes.io/rewrite-target": "/$2" },
  });

  it("ingress-nginx's rewrite example: /something/new → /new, /something → /", () => {
    const r = (uri: string) => {
      const out = route(buildServers([rewriting]), "h", uri, false);
      return out.kind === "backend" ? out.uri : out.kind;
    };
    expect(r("/something")).toBe("/");
    expect(r("/something/")).toBe("/");
    expect(r("/something/new")).toBe("/new");
    expect(r("/something/new?q=1")).toBe("/new?q=1");
    expect(r("/other")).toBe("not-found");
  });

  it("regex locations are case-insensitive and tried longest first", () => {
    const ing = ingress(
      "re",
      [
        {
          host: "h",
          paths: [
            ["/api/.*", "ImplementationSpecific", "generic"],
            ["/api/v[0-9]+/users", "ImplementationSpecific", "users"],
          ],
        },
      ],
      { annotations: { "nginx.ingress.kubernetes.io/use-regex": "true" } },
    );
    expect(target([ing], "h", "/API/v1/users")).toBe("users");
    expect(target([ing], "h", "/api/v1/groups")).toBe("generic");
  });

  it("rewrite replaces the whole URI, not only the matched part", () => {
    const loc = { path: "/app", rewriteTarget: "/" } as Location;
    expect(rewrite(loc, "/app/page")).toBe("/");
  });

  it("one Ingress with use-regex makes the host's other paths regexes too", () => {
    const plain = ingress("plain", [{ host: "h", paths: [["/a.c", "Prefix", "plain"]] }]);
    const re = ingress("re", [{ host: "h", paths: [["/x+", "ImplementationSpecific", "re"]] }], {
      annotations: { "nginx.ingress.kubernetes.io/use-regex": "true" },
    });
    expect(target([plain], "h", "/abc")).toBe("404");
    expect(target([plain, re], "h", "/abc")).toBe("plain");
  });
});

describe("TLS", () => {
  const tls = ingress("t", [{ host: "secure.example", paths: [["/", "Prefix", "svc"]] }], {
    spec: { tls: [{ hosts: ["secure.example"], secretName: "cert" }] },
  });

  it("plain HTTP to a TLS host is redirected with 308 to https", () => {
    expect(target([tls], "secure.example", "/a?b=1")).toBe("redirect https://secure.example/a?b=1");
    expect(target([tls], "secure.example", "/a", true)).toBe("svc");
  });

  it('ssl-redirect: "false" serves plain HTTP', () => {
    const off = { ...tls, metadata: { ...tls.metadata, annotations: { "nginx.ingress.kubernetes.io/ssl-redirect": "false" } } };
    expect(target([off], "secure.example", "/a")).toBe("svc");
  });

  it("the server keeps the secret of the Ingress naming the host", () => {
    expect(buildServers([tls]).get("secure.example")?.tls?.secret).toBe("default/cert");
  });
});

describe("the proxy (ingressproxy.ts)", () => {
  const docs = ingress("example-ingress", [
    {
      host: "hello-world.example",
      paths: [
        ["/", "Prefix", "web"],
        ["/v2", "Prefix", "web2"],
      ],
    },
  ]);
  const controller = { pod: { metadata: { uid: "u", name: "ctl" } }, container: { name: "controller" } };
  const lines: string[] = [];
  function proxy(path: string, host: string, endpoints: Record<string, { ip: string; port: number }[]>, https = false) {
    const sent: { up: string; path: string; headers: Record<string, string> }[] = [];
    const reply = proxyIngress(
      { method: "GET", path, headers: { host, "user-agent": "curl/8.5.0", accept: "*/*" } },
      {
        servers: buildServers([docs]),
        https,
        remoteAddr: "10.244.0.1",
        port: https ? 443 : 80,
        now: Date.UTC(2026, 11, 5),
        controller,
        logs: { append: (_u, _c, _r, line) => lines.push(line) },
        endpoints: (_ing, backend) => endpoints[backend.service!.name],
        send: (up, req) => {
          sent.push({ up: `${up.ip}:${up.port}`, path: req.path, headers: req.headers });
          return { kind: "http", status: 200, headers: { server: "gunicorn", "content-type": "text/plain", "x-app": "1" }, body: "ok\n" };
        },
      },
    );
    return { reply, sent };
  }

  it("forwards with ingress-nginx's headers and answers with nginx's Date and without the backend's Server", () => {
    const { reply, sent } = proxy("/v2?x=1", "hello-world.example", { web2: [{ ip: "10.244.1.3", port: 8080 }] });
    expect(sent[0].up).toBe("10.244.1.3:8080");
    expect(sent[0].path).toBe("/v2?x=1");
    expect(sent[0].headers).toMatchObject({
      host: "hello-world.example",
      "x-real-ip": "10.244.0.1",
      "x-forwarded-for": "10.244.0.1",
      "x-forwarded-host": "hello-world.example",
      "x-forwarded-port": "80",
      "x-forwarded-proto": "http",
      "x-scheme": "http",
    });
    expect(sent[0].headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.kind === "http" && Object.keys(reply.headers)).toEqual(["date", "content-type", "content-length", "connection", "x-app"]);
    expect(lines.at(-1)).toMatch(
      /^10\.244\.0\.1 - - \[05\/Dec\/2026:00:00:00 \+0000\] "GET \/v2\?x=1 HTTP\/1\.1" 200 3 "-" "curl\/8\.5\.0" \d+ 0\.002 \[default-web2-80\] \[\] 10\.244\.1\.3:8080 3 0\.002 200 [0-9a-f]{32}$/,
    );
  });

  it("round-robins over the endpoints", () => {
    const eps = {
      web: [
        { ip: "10.244.1.4", port: 8080 },
        { ip: "10.244.1.5", port: 8080 },
      ],
    };
    const ups = [1, 2, 3, 4].map(() => proxy("/", "hello-world.example", eps).sent[0].up);
    expect(new Set(ups).size).toBe(2);
    expect(ups[0]).not.toBe(ups[1]);
  });

  it("no endpoints: 503 Service Temporarily Unavailable; no server: nginx's 404", () => {
    const none = proxy("/", "hello-world.example", { web: [] }).reply;
    expect(none.kind === "http" && [none.status, none.reason]).toEqual([503, "Service Temporarily Unavailable"]);
    const lost = proxy("/", "elsewhere", {}).reply;
    expect(lost.kind === "http" && lost.body).toBe(nginxPage(404, "Not Found"));
    expect(lost.kind === "http" && lost.body).toContain("<hr><center>nginx</center>");
  });

  it("over TLS: HSTS, no Connection header, X-Forwarded-Proto https", () => {
    const { reply, sent } = proxy("/", "hello-world.example", { web: [{ ip: "10.244.1.4", port: 8080 }] }, true);
    expect(sent[0].headers["x-forwarded-proto"]).toBe("https");
    expect(reply.kind === "http" && reply.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(reply.kind === "http" && "connection" in reply.headers).toBe(false);
  });
});
