// Hostile requests against one session's cluster, shared by the hostile-input e2e suite
// (test/e2e/hostile.test.mjs) and the hostile-memory benchmark (test/bench/hostile-memory.mjs).
// Each case says what the real Kubernetes v1.33 API server answers (or, where the real server
// would fail with a 5xx or run out of memory, what issue 8 demands instead); the comments name
// the upstream code the status, reason and message come from.
import https from "node:https";

export const MiB = 1024 * 1024;
/** genericapiserver's MaxRequestBodyBytes. */
export const BODY_LIMIT = 3 * MiB;

/** The objects the suite seeds in the target session (the cases patch and compare them). */
export const SEED_CONFIGMAP = "seed";
export const SEED_DEPLOYMENT = "web";
export const CM = "/api/v1/namespaces/default/configmaps";
export const PODS = "/api/v1/namespaces/default/pods";

const JSON_CT = { "content-type": "application/json" };
const YAML_CT = { "content-type": "application/yaml" };

/** `[[[…]]]` nested `depth` deep, built without recursion. */
export const nested = (depth) => "[".repeat(depth) + "]".repeat(depth);

/** A string of `n` ASCII bytes. */
const bytes = (n, ch = "x") => ch.repeat(n);

/** A deterministic pseudo-random byte buffer (xorshift32), so runs are repeatable. */
export function garbage(n, seed = 0x9e3779b9) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const b64url = (s) => Buffer.from(s).toString("base64url");

/** One ConfigMap manifest as JSON text. */
const configMap = (name, data, extra = {}) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data, ...extra });

/**
 * The hostile requests. Each is
 *   { id, title, request(ctx) → {method, path, headers, body}, expect?: {status, reason, message}, writes? }
 * `ctx` is { rv } (the target's current resourceVersion, for the future-resourceVersion cases).
 * `expect` is the plain Status to assert; cases whose right answer is not one Status carry
 * `outcome` instead, a description the suite implements next to the case of the same id.
 * `writes` marks the cases meant to store something (the suite then does not require the seeded
 * objects to be untouched… they still must be: none of the writing cases touches them).
 */
export function hostileCases() {
  const cases = [];
  const add = (c) => cases.push(c);

  // 1. evanphx/json-patch v4 with AccumulatedCopySizeLimit = JSONPatchMaxCopyBytes (3 MiB):
  // "Unable to complete the copy, the accumulated size increase of copy is …, exceeding the
  // limit …". handlers/patch.go wraps it in NewGenericServerResponse(422, "", {}, "", err, 0,
  // false), which for 422 sets reason Invalid and REPLACES the message with the generic one (the
  // copy error is not shown: isUnexpectedResponse is false, so it is not even a cause).
  add({
    id: "json-patch-copy-bomb",
    title: "JSON patch: one add of 2 KB and 20 copies of an object into itself",
    request: () => {
      const ops = [{ op: "add", path: "/bomb", value: { v: bytes(2048) } }];
      for (let i = 0; i < 20; i++) ops.push({ op: "copy", from: "/bomb", path: `/bomb/c${i}` });
      return {
        method: "PATCH",
        path: `${CM}/${SEED_CONFIGMAP}`,
        headers: { "content-type": "application/json-patch+json" },
        body: JSON.stringify(ops),
      };
    },
    expect: { status: 422, reason: "Invalid", message: /^the server rejected our request due to an error in our request$/ },
  });

  // 2. handlers/patch.go maxJSONPatchOperations → NewRequestEntityTooLargeError.
  add({
    id: "json-patch-10001-ops",
    title: "JSON patch of 10001 operations",
    request: () => {
      const ops = Array.from({ length: 10001 }, () => ({ op: "test", path: "/metadata/name", value: SEED_CONFIGMAP }));
      return {
        method: "PATCH",
        path: `${CM}/${SEED_CONFIGMAP}`,
        headers: { "content-type": "application/json-patch+json" },
        body: JSON.stringify(ops),
      };
    },
    expect: {
      status: 413,
      reason: "RequestEntityTooLarge",
      message: /^Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001$/,
    },
  });

  // 3. go-yaml v2's decoder fails "document contains excessive aliasing"; create.go's
  // transformDecodeError makes it a BadRequest. (go-yaml's own check counts alias nodes, so it
  // would let 99 aliases of one big scalar through and expand them to ~290 MB; the issue asks for
  // bounded memory, and the server bounds the expanded size instead, with go-yaml's words.)
  add({
    id: "yaml-anchor-2.9MB-99-aliases",
    title: "YAML ConfigMap: one 2.9 MB anchor and 99 aliases",
    request: () => {
      const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: alias-bomb", "data:", `  a0: &big "${bytes(2_900_000)}"`];
      for (let i = 1; i <= 99; i++) lines.push(`  a${i}: *big`);
      return { method: "POST", path: CM, headers: YAML_CT, body: lines.join("\n") + "\n" };
    },
    expect: { status: 400, reason: "BadRequest", message: /excessive aliasing/ },
  });

  // 4. The billion laughs: 9 levels of 10 aliases each (10^9 leaves).
  add({
    id: "yaml-billion-laughs",
    title: "YAML billion laughs: 9 levels of 10 aliases",
    request: () => {
      const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: laughs", "x:", '  l0: &l0 ["lol"]'];
      for (let i = 1; i <= 9; i++)
        lines.push(
          `  l${i}: &l${i} [${Array(10)
            .fill(`*l${i - 1}`)
            .join(", ")}]`,
        );
      return { method: "POST", path: CM, headers: YAML_CT, body: lines.join("\n") + "\n" };
    },
    expect: { status: 400, reason: "BadRequest", message: /excessive aliasing/ },
  });

  // 5. The apiserver's YAML serializer (sigs.k8s.io/yaml YAMLToJSON → go-yaml Unmarshal) decodes
  // the FIRST document of the body and ignores the rest: a 201 for doc-0 and nothing else stored.
  add({
    id: "yaml-5000-documents",
    title: "YAML body of 5,000 documents",
    request: () => {
      const docs = Array.from(
        { length: 5000 },
        (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: doc-${i}\n  labels:\n    hostile: docs\ndata:\n  i: "${i}"\n`,
      );
      return { method: "POST", path: CM, headers: YAML_CT, body: docs.join("---\n") };
    },
    outcome: "201 with doc-0 only (the first document), or a 4xx; never a 5xx; doc-1 … doc-4999 never stored",
    writes: true,
  });

  // 6. encoding/json's scanner (and sigs.k8s.io/json's): pushParseState past maxNestingDepth
  // (10000) → SyntaxError "invalid character '[' exceeded max depth"; a decode error → BadRequest.
  add({
    id: "json-create-nested-100000",
    title: "JSON create nested 100,000 deep",
    request: () => ({
      method: "POST",
      path: CM,
      headers: JSON_CT,
      body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${nested(100_000)}}`,
    }),
    expect: { status: 400, reason: "BadRequest", message: /invalid character '\[' exceeded max depth/ },
  });

  // 7. The same depth in each patch type: with the default fieldValidation (Warn) the patch is
  // first decoded strictly (kjson.UnmarshalStrict) → "error decoding patch: …" (merge, JSON
  // patch) or the bare decode error (strategic merge patch), all BadRequest.
  for (const [id, ct, body] of [
    ["merge-patch-nested-100000", "application/merge-patch+json", `{"x":${nested(100_000)}}`],
    ["strategic-merge-patch-nested-100000", "application/strategic-merge-patch+json", `{"x":${nested(100_000)}}`],
    ["json-patch-value-nested-100000", "application/json-patch+json", `[{"op":"add","path":"/x","value":${nested(100_000)}}]`],
  ]) {
    add({
      id,
      title: `${ct} nested 100,000 deep`,
      request: () => ({ method: "PATCH", path: `${CM}/${SEED_CONFIGMAP}`, headers: { "content-type": ct }, body }),
      expect: { status: 400, reason: "BadRequest", message: /exceeded max depth/ },
    });
  }

  // 8a. A ConfigMap whose data is 2 MB never reaches etcd: ValidateConfigMap sums data and
  // binaryData against core.MaxSecretSize (1 MiB) → field.TooLong on the path "" → 422 Invalid.
  add({
    id: "configmap-2MB-data",
    title: "ConfigMap with 2 MB of data",
    request: () => ({ method: "POST", path: CM, headers: JSON_CT, body: configMap("big", { blob: bytes(2_000_000) }) }),
    expect: { status: 422, reason: "Invalid", message: /^ConfigMap "big" is invalid: \[\]: Too long: .*1048576/ },
  });

  // 8b. An object that passes validation but is over etcd's 1.5 MiB request limit (a Pod with
  // 2 MB of container args: nothing bounds args). etcd answers "etcdserver: request is too
  // large", which the real apiserver passes through as a 500 (kubernetes/kubernetes#112152, still
  // open); the issue wants a 4xx, refused before writing: 413 RequestEntityTooLarge.
  add({
    id: "pod-2MB-args-over-etcd-limit",
    title: "Pod with 2 MB of container args (valid, over etcd's 1.5 MiB)",
    request: () => ({
      method: "POST",
      path: PODS,
      headers: JSON_CT,
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "fat" },
        spec: { containers: [{ name: "c", image: "busybox", args: [bytes(2_000_000)] }] },
      }),
    }),
    expect: { status: 413, reason: "RequestEntityTooLarge", message: /^Request entity too large/ },
  });

  // 9. limitedReadBody past MaxRequestBodyBytes → NewRequestEntityTooLargeError("limit is 3145728").
  add({
    id: "body-over-3MiB",
    title: "a body over 3 MiB",
    request: () => ({ method: "POST", path: CM, headers: JSON_CT, body: configMap("huge", { blob: bytes(BODY_LIMIT + 1024) }) }),
    expect: { status: 413, reason: "RequestEntityTooLarge", message: /^Request entity too large: limit is 3145728$/ },
  });

  // 10. Unknown fields: dropped, with a warning (fieldValidation defaults to Warn) …
  add({
    id: "unknown-field-1MB",
    title: "ConfigMap with a 1 MB unknown top-level field",
    request: () => ({ method: "POST", path: CM, headers: JSON_CT, body: configMap("junky", { a: "1" }, { junk: bytes(1_000_000) }) }),
    outcome: '201, a Warning header `unknown field "junk"`, and no `junk` in the stored object',
    writes: true,
  });
  // … and refused with ?fieldValidation=Strict: create.go's transformDecodeError words the strict
  // decoding error as '<kind> in version "<v>" cannot be handled as a <kind>: …', a BadRequest.
  add({
    id: "unknown-field-1MB-strict",
    title: "the same with ?fieldValidation=Strict",
    request: () => ({
      method: "POST",
      path: `${CM}?fieldValidation=Strict`,
      headers: JSON_CT,
      body: configMap("junky-strict", { a: "1" }, { junk: bytes(1_000_000) }),
    }),
    expect: {
      status: 400,
      reason: "BadRequest",
      message: /^ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "junk"$/,
    },
  });

  // 12. A resourceVersion from the future: the watch cache waits (3 s) then
  // storage.NewTooLargeResourceVersionError → NewTimeoutError: 504 Timeout
  // "Timeout: Too large resource version: <rv>, current: <current>". On a watch the same Status
  // comes as the stream's ERROR event (cacher.Watch returns newErrWatcher), or as the answer.
  add({
    id: "list-rv-future",
    title: "list with resourceVersion = current + 1000",
    request: ({ rv }) => ({ method: "GET", path: `${CM}?resourceVersion=${rv + 1000}` }),
    expect: { status: 504, reason: "Timeout", message: /^Timeout: Too large resource version: \d+, current: \d+$/ },
  });
  add({
    id: "watch-rv-future",
    title: "watch with resourceVersion = current + 1000",
    request: ({ rv }) => ({ method: "GET", path: `${CM}?watch=1&resourceVersion=${rv + 1000}&timeoutSeconds=10` }),
    outcome: "504 Timeout, or a 200 stream whose only event is ERROR with that Status; never an event from before the resourceVersion",
  });
  // Unparsable resourceVersions: storage.ValidateListOptions → "invalid resource version: …".
  for (const rv of ["abc", "1e300"]) {
    add({
      id: `list-rv-${rv}`,
      title: `list with resourceVersion=${rv}`,
      request: () => ({ method: "GET", path: `${CM}?resourceVersion=${rv}` }),
      expect: { status: 400, reason: "BadRequest", message: /invalid resource version/ },
    });
    // cacher.Watch returns ParseResourceVersion's storage.InvalidError unconverted, which the
    // real server writes as a 500; the issue wants the 400 a list gets.
    add({
      id: `watch-rv-${rv}`,
      title: `watch with resourceVersion=${rv}`,
      request: () => ({ method: "GET", path: `${CM}?watch=1&resourceVersion=${rv}&timeoutSeconds=5` }),
      expect: { status: 400, reason: "BadRequest", message: /invalid resource version|resourceVersion: Invalid value/ },
    });
  }

  // 13. Paths and query parameters.
  // Go's net/http refuses a request-target that does not unescape (url.ParseRequestURI) with
  // its own plain-text "400 Bad Request"; a Status with 400 is as good for a client.
  add({
    id: "path-namespace-%zz",
    title: "/api/v1/namespaces/%zz/pods",
    request: () => ({ method: "GET", path: "/api/v1/namespaces/%zz/pods" }),
    outcome: "400 (a BadRequest Status, or Go's plain-text 400)",
  });
  // %ff unescapes (to the byte 0xff): the real server lists pods in a namespace that cannot
  // exist, an empty PodList; a 400 BadRequest is also a fair answer. Never a 5xx.
  add({
    id: "path-namespace-%ff",
    title: "/api/v1/namespaces/%ff/pods",
    request: () => ({ method: "GET", path: "/api/v1/namespaces/%ff/pods" }),
    outcome: "200 with an empty PodList, or 400 BadRequest",
  });
  // DecodeParameters: strconv.ParseInt(limit) out of range → BadRequest.
  add({
    id: "limit-overflow",
    title: "?limit=99999999999999999999",
    request: () => ({ method: "GET", path: `${CM}?limit=99999999999999999999` }),
    expect: { status: 400, reason: "BadRequest", message: /99999999999999999999/ },
  });
  // fields.ParseSelector: "==" then the value "=" → UnescapedRune
  // ("invalid field selector: unescaped character in value: …") → BadRequest.
  add({
    id: "field-selector-===",
    title: "?fieldSelector=metadata.name===",
    request: () => ({ method: "GET", path: `${CM}?fieldSelector=${encodeURIComponent("metadata.name===")}` }),
    expect: { status: 400, reason: "BadRequest", message: /invalid field selector: unescaped character in value/i },
  });

  // 14. Continue tokens: storage.ValidateListOptions → DecodeContinue fails →
  // BadRequest "invalid continue token: continue key is not valid: …".
  for (const [id, token] of [
    ["continue-abc", "abc"],
    ["continue-base64-garbage", garbage(48).toString("base64url")],
    ["continue-rv-negative", b64url(JSON.stringify({ v: "meta.k8s.io/v1", rv: -5 }))],
  ]) {
    add({
      id,
      title: `list with continue=${token.length > 24 ? token.slice(0, 24) + "…" : token}`,
      request: () => ({ method: "GET", path: `${CM}?limit=1&continue=${encodeURIComponent(token)}` }),
      expect: { status: 400, reason: "BadRequest", message: /^invalid continue token: continue key is not valid/ },
    });
  }

  // 15. Invalid UTF-8 inside a JSON string: encoding/json (and sigs.k8s.io/json) replace each
  // invalid byte with U+FFFD, so the real server stores "a\uFFFD\uFFFDb".
  add({
    id: "json-invalid-utf8",
    title: "JSON body with the bytes 0xff 0xfe inside a string",
    request: () => ({
      method: "POST",
      path: CM,
      headers: JSON_CT,
      body: Buffer.concat([
        Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"utf8"},"data":{"k":"a'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('b"}}'),
      ]),
    }),
    outcome: 'created with data.k = "a\\uFFFD\\uFFFDb" (as Go decodes), or a 4xx; never a 5xx',
    writes: true,
  });

  // 16. Malformed bodies, all BadRequest worded by create.go's transformDecodeError as "the object
  // provided is unrecognized (must be of type ConfigMap): <error> (<the body's first 30 bytes>)".
  // JSON: the serializer's meta.Interpret (encoding/json of apiVersion and kind) fails first →
  // "couldn't get version/kind; json parse error: unexpected end of JSON input"; YAML:
  // sigs.k8s.io/yaml → "error converting YAML to JSON: yaml: line …"; protobuf: the serializer
  // wants the "k8s\0" prefix → "provided data does not appear to be a protobuf message, expected
  // prefix [107 56 115 0]".
  add({
    id: "malformed-json",
    title: "truncated JSON",
    request: () => ({ method: "POST", path: CM, headers: JSON_CT, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":' }),
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: unexpected end of JSON input/,
    },
  });
  add({
    id: "malformed-yaml",
    title: "YAML with an unclosed flow sequence",
    request: () => ({ method: "POST", path: CM, headers: YAML_CT, body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken\n" }),
    expect: {
      status: 400,
      reason: "BadRequest",
      message: /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: line \d+: /,
    },
  });
  add({
    id: "malformed-protobuf",
    title: "random bytes as application/vnd.kubernetes.protobuf",
    request: () => ({ method: "POST", path: CM, headers: { "content-type": "application/vnd.kubernetes.protobuf" }, body: garbage(4096) }),
    expect: {
      status: 400,
      reason: "BadRequest",
      message:
        /^the object provided is unrecognized \(must be of type ConfigMap\): provided data does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/,
    },
  });
  add({
    id: "malformed-protobuf-prefixed",
    title: 'the "k8s\\0" prefix then random bytes as protobuf',
    request: () => ({
      method: "POST",
      path: CM,
      headers: { "content-type": "application/vnd.kubernetes.protobuf" },
      body: Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), garbage(4096, 7)]),
    }),
    // runtime.Unknown's Unmarshal fails with a protobuf wire error; its words vary.
    expect: { status: 400, reason: "BadRequest", message: /./ },
  });

  // 17. Tokens: the edge answers what the apiserver's authentication filter answers, a bare
  // 401 "Unauthorized".
  add({
    id: "token-wrong",
    title: "a wrong bearer token",
    request: () => ({ method: "GET", path: CM, headers: { authorization: "Bearer kp1.nope.1.AAAA" } }),
    expect: { status: 401, reason: "Unauthorized", message: /^Unauthorized$/ },
  });
  add({
    id: "token-other-session",
    title: "the bearer token of another session",
    request: ({ otherToken }) => ({ method: "GET", path: CM, headers: { authorization: `Bearer ${otherToken}` } }),
    expect: { status: 401, reason: "Unauthorized", message: /^Unauthorized$/ },
  });

  return cases;
}

/**
 * One HTTPS request to `url` (self-signed certificate), bounded by `timeout` ms: resolves with
 * { status, headers, text, json, ms } or, when the server does not answer in time or drops the
 * connection, { status: "timeout" | "error", error, ms }. `maxBody` bytes of the answer are kept.
 */
export function send(url, { method = "GET", headers = {}, body, timeout = 60_000, maxBody = 8 * MiB, agent } = {}) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...v, ms: Date.now() - t0 });
    };
    const req = https.request(url, { method, headers, rejectUnauthorized: false, agent }, (res) => {
      const chunks = [];
      let size = 0;
      res.on("data", (c) => {
        if (size < maxBody) chunks.push(c);
        size += c.length;
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        done({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on("error", (error) => done({ status: "error", error }));
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer in ${timeout} ms`));
      done({ status: "timeout", error: new Error(`no answer in ${timeout} ms`) });
    }, timeout);
    req.on("error", (error) => done({ status: "error", error }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Send case `c` to the session (its cluster URL and token), with `ctx` for the request. */
export function sendCase(session, c, ctx = {}, { timeout = 60_000 } = {}) {
  const r = c.request(ctx);
  return send(`${session.server}${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${session.token}`, ...(r.headers ?? {}) },
    body: r.body,
    timeout,
  });
}
