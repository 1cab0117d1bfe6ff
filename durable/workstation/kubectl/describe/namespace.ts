// NamespaceDescriber (describeNamespace, DescribeResourceQuotas, DescribeLimitRanges).
import type { LimitRange, LimitRangeItem, Namespace, ResourceQuota } from "kubernetes-types/core/v1";
import {
  type DescribeReader,
  goSort,
  LEVEL_0,
  LEVEL_1,
  type PrefixWriter,
  printAnnotationsMultiline,
  printLabelsMultiline,
  Quantity,
  rfc1123z,
  sortStrings,
  statusCode,
  tabbedString,
} from "./format";

/** A list the server may not serve: undefined when it answers 404, as kubectl then leaves the
 *  section out. */
async function listIfServed<T>(reader: DescribeReader, resource: string, namespace: string): Promise<T[] | undefined> {
  try {
    return (await reader.list(resource, namespace)) as T[];
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}

export async function describeNamespace(ns: Namespace, reader: DescribeReader): Promise<string> {
  const name = ns.metadata?.name ?? "";
  const quotas = await listIfServed<ResourceQuota>(reader, "resourcequotas", name);
  const limitRanges = await listIfServed<LimitRange>(reader, "limitranges", name);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${name}\n`);
    printLabelsMultiline(w, "Labels", ns.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", ns.metadata?.annotations);
    w.write(LEVEL_0, `Status:\t${ns.status?.phase ?? ""}\n`);
    const conditions = ns.status?.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, "Conditions:\n");
      w.write(LEVEL_1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
      w.write(LEVEL_1, "----\t------\t------------------\t------\t-------\n");
      for (const c of conditions) {
        w.write(LEVEL_1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ""}\t${c.message ?? ""}\n`);
      }
    }
    if (quotas) {
      w.write(LEVEL_0, "\n");
      describeResourceQuotas(quotas, w);
    }
    if (limitRanges) {
      w.write(LEVEL_0, "\n");
      describeLimitRanges(limitRanges, w);
    }
  });
}

export const SCOPE_HELP: Record<string, string> = {
  Terminating:
    "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
  NotTerminating:
    "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
  BestEffort: "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
  NotBestEffort:
    "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
};

function describeResourceQuotas(quotas: ResourceQuota[], w: PrefixWriter) {
  if (quotas.length === 0) {
    w.write(LEVEL_0, "No resource quota.\n");
    return;
  }
  goSort(quotas, (a, b) => (a.metadata?.name ?? "") < (b.metadata?.name ?? ""));
  w.write(LEVEL_0, "Resource Quotas\n");
  for (const q of quotas) {
    w.write(LEVEL_1, `Name:\t${q.metadata?.name ?? ""}\n`);
    const scopes = sortStrings([...(q.spec?.scopes ?? [])]);
    if (scopes.length > 0) {
      w.write(LEVEL_1, `Scopes:\t${scopes.join(", ")}\n`);
      for (const s of scopes) if (SCOPE_HELP[s]) w.write(LEVEL_1, `* ${SCOPE_HELP[s]}\n`);
    }
    w.write(LEVEL_1, "Resource\tUsed\tHard\n");
    w.write(LEVEL_1, "--------\t---\t---\n");
    const hard = q.status?.hard ?? {};
    for (const r of sortStrings(Object.keys(hard))) {
      w.write(LEVEL_1, `${r}\t${Quantity.parse(q.status?.used?.[r])}\t${Quantity.parse(hard[r])}\n`);
    }
  }
}

export function describeLimitRangeSpec(items: LimitRangeItem[], prefix: string, w: PrefixWriter) {
  for (const item of items) {
    // kubectl walks a Go map here (no fixed order); the names are printed sorted.
    const names = sortStrings([
      ...new Set([
        ...Object.keys(item.max ?? {}),
        ...Object.keys(item.min ?? {}),
        ...Object.keys(item.default ?? {}),
        ...Object.keys(item.defaultRequest ?? {}),
        ...Object.keys(item.maxLimitRequestRatio ?? {}),
      ]),
    ]);
    const v = (l: Record<string, unknown> | undefined, k: string) => (l && k in l ? Quantity.parse(l[k]).toString() : "-");
    for (const k of names) {
      w.write(
        LEVEL_0,
        `${prefix}${item.type}\t${k}\t${v(item.min, k)}\t${v(item.max, k)}\t${v(item.defaultRequest, k)}\t${v(item.default, k)}\t${v(item.maxLimitRequestRatio, k)}\n`,
      );
    }
  }
}

function describeLimitRanges(limitRanges: LimitRange[], w: PrefixWriter) {
  if (limitRanges.length === 0) {
    w.write(LEVEL_0, "No LimitRange resource.\n");
    return;
  }
  w.write(LEVEL_0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
  w.write(LEVEL_0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
  for (const lr of limitRanges) describeLimitRangeSpec(lr.spec?.limits ?? [], " ", w);
}
