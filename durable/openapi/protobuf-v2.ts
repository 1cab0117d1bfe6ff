// A protobuf encoder for the subset of the gnostic openapi_v2.Document (github.com/google/gnostic
// openapiv2/OpenAPIv2.proto; field numbers below) that our swagger 2.0 document uses. client-go's
// discovery OpenAPISchema() only accepts this encoding
// (application/com.github.proto-openapi.spec.v2@v1.0+protobuf). Vendor extensions are
// `Any{yaml}`; JSON text is valid YAML, which is what kube-openapi and cli-runtime parse.

type Json = Record<string, unknown>;
type Field = Uint8Array;

const enc = new TextEncoder();

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function concat(parts: Field[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) out.set(p, off), (off += p.length);
  return out;
}

/** Length-delimited field (wire type 2): strings and sub-messages. */
function bytes(field: number, data: Uint8Array): Field {
  return concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(data.length)]), data]);
}
function str(field: number, s: unknown): Field[] {
  return typeof s === "string" && s !== "" ? [bytes(field, enc.encode(s))] : [];
}
function strs(field: number, list: unknown): Field[] {
  return Array.isArray(list) ? list.flatMap((s) => str(field, s)) : [];
}
function bool(field: number, b: unknown): Field[] {
  return b === true ? [Uint8Array.from([...varint(field << 3), 1])] : [];
}
function msg(field: number, parts: Field[]): Field {
  return bytes(field, concat(parts));
}

/** NamedAny entries for the x-* keys of an object. */
function extensions(field: number, o: Json): Field[] {
  return Object.keys(o)
    .filter((k) => k.startsWith("x-"))
    .map((k) => msg(field, [...str(1, k), msg(2, str(2, JSON.stringify(o[k])))]));
}

function schema(s: Json): Field[] {
  const parts: Field[] = [...str(1, s.$ref), ...str(2, s.format), ...str(4, s.description), ...strs(19, s.required)];
  const ap = s.additionalProperties;
  if (ap && typeof ap === "object") parts.push(msg(21, [msg(1, schema(ap as Json))]));
  else if (typeof ap === "boolean") parts.push(msg(21, [Uint8Array.from([...varint((2 << 3) | 0), ap ? 1 : 0])]));
  if (typeof s.type === "string") parts.push(msg(22, str(1, s.type)));
  if (s.items && typeof s.items === "object") parts.push(msg(23, [msg(1, schema(s.items as Json))]));
  if (s.properties) {
    const props = Object.entries(s.properties as Record<string, Json>);
    parts.push(
      msg(
        25,
        props.map(([name, p]) => msg(1, [...str(1, name), msg(2, schema(p))])),
      ),
    );
  }
  parts.push(...extensions(31, s));
  return parts;
}

/** The content of a ParametersItem: {parameter: {body_parameter | non_body_parameter}}. */
function parameter(p: Json): Field[] {
  let inner: Field;
  if (p.in === "body") {
    inner = msg(1, [
      ...str(1, p.description),
      ...str(2, p.name),
      ...str(3, p.in),
      ...bool(4, p.required),
      msg(5, schema(p.schema as Json)),
    ]);
  } else if (p.in === "path") {
    const sub = [
      ...bool(1, p.required),
      ...str(2, p.in),
      ...str(3, p.description),
      ...str(4, p.name),
      ...str(5, p.type),
      ...bool(19, p.uniqueItems),
    ];
    inner = msg(2, [msg(4, sub)]);
  } else {
    const sub = [
      ...bool(1, p.required),
      ...str(2, p.in),
      ...str(3, p.description),
      ...str(4, p.name),
      ...str(6, p.type),
      ...bool(20, p.uniqueItems),
    ];
    inner = msg(2, [msg(3, sub)]);
  }
  return [msg(1, [inner])];
}

function operation(op: Json): Field[] {
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([code, r]) =>
    msg(1, [
      ...str(1, code),
      msg(2, [msg(1, [...str(1, r.description), ...(r.schema ? [msg(2, [msg(1, schema(r.schema as Json))])] : [])])]),
    ]),
  );
  return [
    ...strs(1, op.tags),
    ...str(3, op.description),
    ...str(5, op.operationId),
    ...strs(6, op.produces),
    ...strs(7, op.consumes),
    ...((op.parameters ?? []) as Json[]).map((p) => msg(8, parameter(p))),
    msg(9, responses),
    ...strs(10, op.schemes),
    ...extensions(13, op),
  ];
}

const METHODS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json): Field[] {
  const parts: Field[] = [];
  for (const [m, n] of Object.entries(METHODS)) if (item[m]) parts.push(msg(n, operation(item[m] as Json)));
  for (const p of (item.parameters ?? []) as Json[]) parts.push(msg(9, parameter(p)));
  parts.push(...extensions(10, item));
  return parts;
}

/** Encode a swagger 2.0 document (JSON form) as a gnostic openapi_v2.Document. */
export function encodeDocument(doc: Json): Uint8Array {
  const info = (doc.info ?? {}) as Json;
  const paths = Object.entries((doc.paths ?? {}) as Record<string, Json>);
  const defs = Object.entries((doc.definitions ?? {}) as Record<string, Json>);
  const parts: Field[] = [
    ...str(1, doc.swagger),
    msg(2, [...str(1, info.title), ...str(2, info.version)]),
    msg(
      8,
      paths.map(([name, item]) => msg(2, [...str(1, name), msg(2, pathItem(item))])),
    ),
    msg(
      9,
      defs.map(([name, s]) => msg(1, [...str(1, name), msg(2, schema(s))])),
    ),
  ];
  for (const req of (doc.security ?? []) as Json[]) {
    parts.push(
      msg(
        12,
        Object.entries(req).map(([name, v]) => msg(1, [...str(1, name), msg(2, strs(1, v))])),
      ),
    );
  }
  const sec = Object.entries((doc.securityDefinitions ?? {}) as Record<string, Json>);
  if (sec.length) {
    parts.push(
      msg(
        13,
        sec.map(([name, d]) =>
          msg(1, [...str(1, name), msg(2, [msg(2, [...str(1, d.type), ...str(2, d.name), ...str(3, d.in), ...str(4, d.description)])])]),
        ),
      ),
    );
  }
  return concat(parts);
}
