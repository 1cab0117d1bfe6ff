#!/usr/bin/env node
// Generates durable/api/protobuf/schema.json: the protobuf field layout of the Kubernetes kinds we serve, plus
// the Go facts protobuf alone does not carry (pointer fields, `omitempty`, inline embedding), which decide what
// Go's json.Marshal writes. Both come from a kubectl binary, which is built from the same k8s.io/api and
// k8s.io/apimachinery: the gzipped FileDescriptorProtos that gogo-protobuf registers (field numbers, types,
// gogoproto options) and the reflect data of the Go structs (field names, struct tags, field kinds).
//
//   node scripts/gen-proto-schema.mjs [/path/to/kubectl-v1.33]
import fs from "node:fs";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";

const KUBECTL = process.argv[2] ?? "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";
const OUT = new URL("../durable/api/protobuf/schema.json", import.meta.url);
const bin = fs.readFileSync(KUBECTL);

// Kinds whose request bodies we decode: "apiVersion/Kind" -> proto message (".k8s.io." prefix dropped).
const ROOTS = {
  v1: [
    "Namespace",
    "Node",
    "Pod",
    "Service",
    "Endpoints",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Event",
    "ReplicationController",
    "Binding",
    "PodTemplate",
    "ResourceQuota",
    "LimitRange",
    "PersistentVolume",
    "PersistentVolumeClaim",
  ],
  "apps/v1": ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"],
  "autoscaling/v1": ["Scale", "HorizontalPodAutoscaler"],
  "autoscaling/v2": ["HorizontalPodAutoscaler"],
  "policy/v1": ["Eviction", "PodDisruptionBudget"],
  "batch/v1": ["Job", "CronJob"],
  "coordination.k8s.io/v1": ["Lease"],
  "discovery.k8s.io/v1": ["EndpointSlice"],
  "events.k8s.io/v1": ["Event"],
  "rbac.authorization.k8s.io/v1": ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
  "networking.k8s.io/v1": ["Ingress", "NetworkPolicy"],
  "scheduling.k8s.io/v1": ["PriorityClass"],
  "authentication.k8s.io/v1": ["TokenRequest", "SelfSubjectReview"],
  "authorization.k8s.io/v1": ["SelfSubjectAccessReview", "SelfSubjectRulesReview"],
  "meta.k8s.io/v1": ["DeleteOptions"],
};
const pkgOf = (gv) => {
  if (gv === "meta.k8s.io/v1") return "apimachinery.pkg.apis.meta.v1";
  const [group, version] = gv.includes("/") ? gv.split("/") : ["core", gv];
  return `api.${group.replace(/\.k8s\.io$/, "").replace(/\.authorization$/, "")}.${version}`;
};
// Types with their own JSON form, decoded by code rather than by schema.
const SPECIAL = new Set([
  "apimachinery.pkg.api.resource.Quantity",
  "apimachinery.pkg.util.intstr.IntOrString",
  "apimachinery.pkg.apis.meta.v1.Time",
  "apimachinery.pkg.apis.meta.v1.MicroTime",
  "apimachinery.pkg.apis.meta.v1.Duration",
  "apimachinery.pkg.runtime.RawExtension",
  "apimachinery.pkg.apis.meta.v1.FieldsV1",
]);

// --- protobuf reading ---
function reader(buf) {
  let pos = 0;
  const varint = () => {
    let x = 0n,
      s = 0n;
    for (;;) {
      const b = buf[pos++];
      x |= BigInt(b & 0x7f) << s;
      s += 7n;
      if (!(b & 0x80)) return x;
    }
  };
  return {
    eof: () => pos >= buf.length,
    field() {
      const key = Number(varint()),
        wt = key & 7;
      let v;
      if (wt === 0) v = Number(varint());
      else if (wt === 2) {
        const l = Number(varint());
        v = buf.subarray(pos, pos + l);
        pos += l;
      } else if (wt === 1) {
        v = buf.subarray(pos, pos + 8);
        pos += 8;
      } else if (wt === 5) {
        v = buf.subarray(pos, pos + 4);
        pos += 4;
      } else throw new Error("wire type " + wt);
      return [key >>> 3, v];
    },
  };
}
const str = (b) => Buffer.from(b).toString("utf8");
function each(b, fn) {
  const r = reader(b);
  while (!r.eof()) fn(...r.field());
}

// --- descriptors (FileDescriptorProto / DescriptorProto / FieldDescriptorProto) ---
const messages = {}; // full name -> {fields:[{name,number,label,type,typeName,nullable,goName}], mapEntry}
function parseMessage(b, prefix) {
  const m = { fields: [], mapEntry: false };
  const nested = [];
  each(b, (f, v) => {
    if (f === 1) m.name = str(v);
    else if (f === 2) {
      const fd = { nullable: true };
      each(v, (g, w) => {
        if (g === 1) fd.name = str(w);
        else if (g === 3) fd.number = w;
        else if (g === 4) fd.label = w;
        else if (g === 5) fd.type = w;
        else if (g === 6) fd.typeName = str(w).replace(/^\.k8s\.io\./, "");
        else if (g === 8)
          each(w, (o, x) => {
            if (o === 65001) fd.nullable = !!x;
            if (o === 65004) fd.goName = str(x);
          });
      });
      m.fields.push(fd);
    } else if (f === 3) nested.push(v);
    else if (f === 7)
      each(v, (o, x) => {
        if (o === 7 && x) m.mapEntry = true;
      });
  });
  const full = prefix + "." + m.name;
  messages[full] = m;
  for (const n of nested) parseMessage(n, full);
}
const MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);
for (let i = bin.indexOf(MAGIC); i >= 0; i = bin.indexOf(MAGIC, i + 1)) {
  let out;
  try {
    out = zlib.gunzipSync(bin.subarray(i, i + 500000), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    continue;
  }
  let name = "",
    pkg = "";
  const msgs = [];
  try {
    each(out, (f, v) => {
      if (f === 1) name = str(v);
      if (f === 2) pkg = str(v);
      if (f === 4) msgs.push(v);
    });
  } catch {
    continue;
  }
  if (!/^k8s\.io\/.*generated\.proto$/.test(name)) continue;
  for (const m of msgs) parseMessage(m, pkg.replace(/^k8s\.io\./, ""));
}

// --- Go reflect data: struct fields {name *byte, typ *abi.Type, offset uintptr} pointing at tagged names ---
const phoff = Number(bin.readBigUInt64LE(0x20)),
  phentsize = bin.readUInt16LE(0x36),
  phnum = bin.readUInt16LE(0x38);
const segs = [];
for (let i = 0; i < phnum; i++) {
  const o = phoff + i * phentsize;
  if (bin.readUInt32LE(o) !== 1) continue; // PT_LOAD
  segs.push({
    off: Number(bin.readBigUInt64LE(o + 8)),
    va: Number(bin.readBigUInt64LE(o + 16)),
    size: Number(bin.readBigUInt64LE(o + 32)),
  });
}
const toVa = (off) => {
  for (const g of segs) if (off >= g.off && off < g.off + g.size) return off - g.off + g.va;
  return -1;
};
const toOff = (va) => {
  for (const g of segs) if (va >= g.va && va < g.va + g.size) return va - g.va + g.off;
  return -1;
};
const names = new Map(); // vaddr of encoded name -> {goName, tag}
const latin = bin.toString("latin1");
const ident = /[A-Za-z0-9_]/;
for (const m of latin.matchAll(/json:"/g)) {
  const T = m.index;
  for (const vl of [1, 2]) {
    // the tag's varint length precedes it; then name = flags, len, bytes
    let L;
    if (vl === 1) {
      if (bin[T - 1] >= 128) continue;
      L = bin[T - 1];
    } else {
      if (!(bin[T - 2] & 0x80) || bin[T - 1] >= 128) continue;
      L = (bin[T - 2] & 0x7f) | (bin[T - 1] << 7);
    }
    const end = T - vl;
    let st = end;
    while (st > 0 && ident.test(latin[st - 1]) && end - st < 100) st--;
    let p = st;
    while (p < end && !(bin[p - 1] === end - p && bin[p - 2] & 2)) p++;
    if (p < end) {
      names.set(toVa(p - 2), { goName: latin.slice(p, end), tag: latin.slice(T, T + L) });
      break;
    }
  }
}
const KIND = { 21: "map", 22: "ptr", 23: "slice", 25: "struct" };
const structs = []; // {fields, va}
for (let o = 0; o + 24 <= bin.length; o += 8) {
  if (!names.has(Number(bin.readBigUInt64LE(o)))) continue;
  if (o >= 24 && names.has(Number(bin.readBigUInt64LE(o - 24)))) continue; // not the first field
  const fields = [];
  for (let p = o; p + 24 <= bin.length && names.has(Number(bin.readBigUInt64LE(p))); p += 24) {
    const t = toOff(Number(bin.readBigUInt64LE(p + 8)));
    fields.push({ ...names.get(Number(bin.readBigUInt64LE(p))), kind: t >= 0 ? (KIND[bin[t + 23] & 0x1f] ?? "scalar") : "?" });
  }
  structs.push({ fields, va: toVa(o) });
}
// Each field array's owner is an abi.StructType: abi.Type (48 bytes: Str nameOff at 40, TFlag at 20, Kind at 23),
// PkgPath, Fields slice; then, for named types, abi.UncommonType whose first word is the package path's nameOff.
// nameOffs count from the module's types base, the start of .rodata.
const shoff = Number(bin.readBigUInt64LE(0x28)),
  shentsize = bin.readUInt16LE(0x3a),
  shstr = shoff + bin.readUInt16LE(0x3e) * shentsize;
let typesBase = -1;
for (let i = 0; i < bin.readUInt16LE(0x3c); i++) {
  const o = shoff + i * shentsize;
  let n = "";
  for (let p = Number(bin.readBigUInt64LE(shstr + 24)) + bin.readUInt32LE(o); bin[p]; p++) n += String.fromCharCode(bin[p]);
  if (n === ".rodata") typesBase = Number(bin.readBigUInt64LE(o + 24));
}
const readName = (off) => {
  let l = 0,
    sh = 0,
    p = off + 1;
  for (;;) {
    const b = bin[p++];
    l |= (b & 0x7f) << sh;
    sh += 7;
    if (!(b & 0x80)) break;
  }
  return latin.slice(p, p + l);
};
const byVa = new Map(structs.map((s) => [s.va, s]));
for (let o = 56; o + 24 <= bin.length; o += 8) {
  const s = byVa.get(Number(bin.readBigUInt64LE(o)));
  if (!s) continue;
  const len = Number(bin.readBigUInt64LE(o + 8)),
    t = o - 56;
  if (len !== s.fields.length || Number(bin.readBigUInt64LE(o + 16)) !== len || (bin[t + 23] & 0x1f) !== 25) continue;
  const tflag = bin[t + 20];
  if (!(tflag & 1)) continue; // unnamed struct
  s.typeName = readName(typesBase + bin.readUInt32LE(t + 40))
    .slice(tflag & 2 ? 1 : 0)
    .replace(/^.*\./, "");
  s.pkg = readName(typesBase + bin.readUInt32LE(t + 80));
}
const parseTag = (tag, key) => tag.match(new RegExp(`(?:^| )${key}:"([^"]*)"`))?.[1];
const structByKey = new Map(); // "1,2,3" (protobuf numbers) -> [struct]
for (const s of structs) {
  s.proto = s.fields.flatMap((f) => {
    const t = parseTag(f.tag, "protobuf");
    if (!t || !/^\w+,\d+/.test(t)) return [];
    return [{ number: Number(t.split(",")[1]), name: t.match(/name=([^,]*)/)?.[1], f }];
  });
  if (!s.proto.length) continue;
  const key = s.proto
    .map((p) => p.number)
    .sort((a, b) => a - b)
    .join(",");
  if (!structByKey.has(key)) structByKey.set(key, []);
  structByKey.get(key).push(s);
}

// --- walk from the roots ---
const SCALAR = {
  1: "double",
  2: "float",
  3: "int64",
  4: "uint64",
  5: "int32",
  8: "bool",
  9: "string",
  12: "bytes",
  13: "uint32",
  17: "sint32",
  18: "sint64",
};
const kinds = {},
  schema = {},
  warnings = [];
const typeOf = (fd) => {
  if (fd.type !== 11) {
    if (!SCALAR[fd.type]) throw new Error("unsupported proto type " + fd.type);
    return SCALAR[fd.type];
  }
  const m = messages[fd.typeName];
  if (m?.mapEntry) return `map<${typeOf(m.fields[0])},${typeOf(m.fields[1])}>`;
  return fd.typeName;
};
const queue = [];
for (const [gv, ks] of Object.entries(ROOTS))
  for (const k of ks) {
    const full = `${pkgOf(gv)}.${k}`;
    if (!messages[full]) throw new Error("no message " + full);
    kinds[`${gv}/${k}`] = full;
    queue.push(full);
  }
while (queue.length) {
  const full = queue.shift();
  if (schema[full] || SPECIAL.has(full)) continue;
  const msg = messages[full];
  const key = msg.fields
    .map((f) => f.number)
    .sort((a, b) => a - b)
    .join(",");
  const goPkg = "k8s.io/" + full.split(".").slice(0, -1).join("/");
  const byNum = new Map(msg.fields.map((f) => [f.number, f]));
  const cands = (structByKey.get(key) ?? []).filter(
    (s) =>
      s.pkg === goPkg &&
      s.typeName === msg.name &&
      s.proto.every(
        (p) =>
          (!p.name || p.name === byNum.get(p.number).name) && (!byNum.get(p.number).goName || byNum.get(p.number).goName === p.f.goName),
      ),
  );
  // Go struct facts per protobuf field number; identical-shaped structs must agree or we say so.
  const facts = (s) =>
    new Map(
      s.proto.map(({ number, f }) => {
        const [jn, ...opts] = (parseTag(f.tag, "json") ?? "").split(",");
        return [
          number,
          {
            json: jn,
            omitempty: opts.includes("omitempty"),
            omitzero: opts.includes("omitzero"),
            ptr: f.kind === "ptr",
            order: s.fields.indexOf(f),
          },
        ];
      }),
    );
  const sigs = [...new Set(cands.map((s) => JSON.stringify([...facts(s)])))];
  const chosen = cands.length ? facts(cands[0]) : null;
  if (!cands.length) warnings.push(`${full}: no Go struct found; assuming omitempty, pointer = gogoproto nullable`);
  else if (sigs.length > 1) warnings.push(`${full}: ${cands.length} Go structs disagree`);
  const fields = msg.fields.map((fd) => {
    const t = typeOf(fd),
      g = chosen?.get(fd.number);
    const repeated = fd.label === 3 && !t.startsWith("map<");
    const ptr = g ? g.ptr : fd.nullable && !repeated && !t.startsWith("map<") && t !== "bytes";
    const flags =
      (repeated ? "r" : "") +
      (ptr ? "p" : "") +
      ((g ? g.omitempty : true) ? "o" : "") +
      (g?.omitzero ? "z" : "") +
      (g && g.json === "" ? "i" : "");
    for (const m of t.match(/[a-z]+\.[\w.]+/g) ?? []) if (messages[m]) queue.push(m);
    return { order: g?.order ?? 1000 + fd.number, row: [fd.number, g?.json || fd.name, t, flags] };
  });
  schema[full] = fields.sort((a, b) => a.order - b.order).map((f) => f.row);
}

const version = execFileSync(KUBECTL, ["version", "--client"], { encoding: "utf8" }).split("\n")[0];
const sorted = Object.fromEntries(
  Object.keys(schema)
    .sort()
    .map((k) => [k, schema[k]]),
);
fs.writeFileSync(
  OUT,
  JSON.stringify(
    {
      $comment: `Generated by scripts/gen-proto-schema.mjs from the protobuf descriptors and Go struct tags in kubectl (${version}; k8s.io/api and apimachinery of the same release). Message names drop the "k8s.io." prefix. Field rows: [number, jsonName, type, flags] with flags r=repeated p=Go pointer o=omitempty z=omitzero i=inline (embedded, JSON-flattened).`,
      kinds,
      messages: sorted,
    },
    null,
    0,
  )
    .replace(/\],\[/g, "],\n[")
    .replace(/\]\],"/g, ']],\n"') + "\n",
);
for (const w of warnings) console.warn("warning:", w);
console.log(`${Object.keys(sorted).length} messages, ${Object.keys(kinds).length} kinds -> ${OUT.pathname}`);
