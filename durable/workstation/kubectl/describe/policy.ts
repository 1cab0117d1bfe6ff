// ResourceQuotaDescriber (describeQuota) and LimitRangeDescriber (describeLimitRange).
import type { LimitRange, ResourceQuota } from "kubernetes-types/core/v1";
import { LEVEL_0, Quantity, sortStrings, tabbedString } from "./format";
import { describeLimitRangeSpec, SCOPE_HELP } from "./namespace";

export async function describeResourceQuota(rq: ResourceQuota): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${rq.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${rq.metadata?.namespace ?? ""}\n`);
    const scopes = sortStrings([...(rq.spec?.scopes ?? [])]);
    if (scopes.length > 0) {
      w.write(LEVEL_0, `Scopes:\t${scopes.join(", ")}\n`);
      for (const s of scopes) if (SCOPE_HELP[s]) w.write(LEVEL_0, ` * ${SCOPE_HELP[s]}\n`);
    }
    w.write(LEVEL_0, "Resource\tUsed\tHard\n");
    w.write(LEVEL_0, "--------\t----\t----\n");
    const hard = rq.status?.hard ?? {};
    for (const r of sortStrings(Object.keys(hard))) {
      const h = Quantity.parse(hard[r]);
      let used = Quantity.parse(rq.status?.used?.[r]);
      // A used figure in another format than the hard one is printed as a whole number in the hard one's.
      if (used.format !== h.format) used = new Quantity(BigInt(used.value()), 0, h.format);
      w.write(LEVEL_0, `${r}\t${used}\t${h}\n`);
    }
  });
}

export async function describeLimitRange(lr: LimitRange): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${lr.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${lr.metadata?.namespace ?? ""}\n`);
    w.write(LEVEL_0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
    w.write(LEVEL_0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
    describeLimitRangeSpec(lr.spec?.limits ?? [], "", w);
  });
}
