// A short rendering of what changed between two Go structs, in the shape of go-cmp's cmp.Diff, for
// the "… is immutable" messages that quote one (the real diff walks Go values; go-cmp itself varies
// its spacing from build to build so that nobody depends on it byte for byte).
import type { Obj } from "./types";
import { deepEqual } from "./podtemplate";

/** Field names Go spells with initialisms. */
const INITIALISMS: Record<string, string> = {
  nfs: "NFS",
  iscsi: "ISCSI",
  rbd: "RBD",
  fc: "FC",
  csi: "CSI",
  cephfs: "CephFS",
  gcePersistentDisk: "GCEPersistentDisk",
  awsElasticBlockStore: "AWSElasticBlockStore",
};

/** The Go name of a JSON field: `dnsPolicy` → `DNSPolicy`, `podIPs` → `PodIPs`, `nfs` → `NFS`. */
export const goFieldName = (k: string) =>
  INITIALISMS[k] ??
  k
    .replace(/^dns/, "DNS")
    .replace(/^./, (c) => c.toUpperCase())
    .replace(/Ip(s?)$/, "IP$1");

/** `  core.PodSpec{ … }` with a `-`/`+` line per changed field and the unchanged ones counted. */
export function structDiff(typeName: string, oldObj: Obj, newObj: Obj): string {
  const keys = [...new Set([...Object.keys(oldObj), ...Object.keys(newObj)])].sort();
  const lines = [`  ${typeName}{`];
  let same = 0;
  const flush = () => {
    if (same) lines.push(`  \t... // ${same} identical field${same > 1 ? "s" : ""}`);
    same = 0;
  };
  for (const k of keys) {
    if (deepEqual(oldObj[k], newObj[k])) {
      same++;
      continue;
    }
    flush();
    if (oldObj[k] !== undefined) lines.push(`- \t${goFieldName(k)}: ${JSON.stringify(oldObj[k])},`);
    if (newObj[k] !== undefined) lines.push(`+ \t${goFieldName(k)}: ${JSON.stringify(newObj[k])},`);
  }
  flush();
  lines.push("  }");
  return `${lines.join("\n")}\n`;
}
