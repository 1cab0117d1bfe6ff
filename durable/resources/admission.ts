// The validating admission plugins of a kubeadm v1.33 API server that look at other objects than
// the one written (plugin/pkg/admission/limitranger's Validate, plugin/pkg/admission/resourcequota),
// in the order the server runs them. They run inside the write's transaction, after the kind's own
// validation and before the object is stored; a refusal is an ApiError.
import type { ResourceQuota } from "kubernetes-types/core/v1";
import type { Ctx, Obj, ResourceDef } from "./types";
import { resources } from "./index";
import { calculateUsage, checkQuota, type ResourceList } from "./quota";
import { limitRangeRefusal } from "./limitrange";
import { forbidden } from "../api/status";

/** The kinds a quota can count (`count/<resource>.<group>`): every stored namespaced kind. */
export function countableKinds(): { plural: string; group: string }[] {
  return resources.filter((d) => d.namespaced && !d.virtual && !d.review && !d.convert).map((d) => ({ plural: d.plural, group: d.group }));
}

/** What a quota's status.used is now (the quota controller's CalculateUsage). */
export const quotaUsage = (q: ResourceQuota, ctx: Ctx): ResourceList => calculateUsage(q, ctx, countableKinds());

/** Validating admission of a create (`old` undefined) or an update of the main resource. */
export function validatingAdmission(def: ResourceDef, obj: Obj, old: Obj | undefined, ctx: Ctx): void {
  if (!def.namespaced || def.virtual || def.review || def.convert) return;
  if (!def.group) {
    const why = limitRangeRefusal(def.plural, obj, old, ctx);
    if (why) throw forbidden(def.plural, def.group, obj.metadata?.name ?? "", why);
  }
  const quotas = ctx.list("resourcequotas", obj.metadata?.namespace) as ResourceQuota[];
  if (quotas.length) checkQuota({ plural: def.plural, group: def.group, obj, old }, quotas, (q) => quotaUsage(q, ctx), ctx.now);
}
