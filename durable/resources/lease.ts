// coordination.k8s.io/v1 Lease: strategy (CoordinatedLeaderElection is off by default in v1.33,
// so strategy/preferredHolder are dropped), validation (ValidateLease*) and printLease.
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, forbidden, invalid, isQualifiedName, notSupported } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";
import { presentLease } from "./heartbeat";

const LEASE_STRATEGIES = ["OldestEmulationVersion"];

export function validateLeaseSpec(spec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return errs;
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0)
    errs.push(invalid("spec.leaseDurationSeconds", spec.leaseDurationSeconds, "must be greater than 0"));
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0)
    errs.push(invalid("spec.leaseTransitions", spec.leaseTransitions, "must be greater than or equal to 0"));
  if (spec.strategy != null) {
    // The real code appends "strategy" twice to the path (sic).
    const f = "spec.strategy.strategy";
    if (!String(spec.strategy).includes("/")) {
      if (!LEASE_STRATEGIES.includes(spec.strategy)) errs.push(notSupported(f, spec.strategy, LEASE_STRATEGIES));
    } else errs.push(...each(f, spec.strategy, isQualifiedName(spec.strategy)));
  }
  if (spec.preferredHolder && !spec.strategy)
    errs.push(forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
  return errs;
}

/** dropDisabledFields for the CoordinatedLeaderElection gate (off): keep only what was already there. */
function dropDisabled(lease: Obj, old?: Obj): void {
  if (!lease.spec) return;
  if (!old?.spec?.strategy) delete lease.spec.strategy;
  if (!old?.spec?.preferredHolder) delete lease.spec.preferredHolder;
}

const lease: ResourceDef = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  openapi: "io.k8s.api.coordination.v1.Lease",
  allowUpdateCreate: true,
  columns: [
    nameColumn,
    {
      name: "Holder",
      type: "string",
      description:
        "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
      priority: 0,
    },
    ageColumn,
  ],
  row: (l, ctx) => [l.metadata?.name, l.spec?.holderIdentity ?? "", age(l.metadata?.creationTimestamp, ctx.now)],
  prepareForCreate: (l) => dropDisabled(l),
  prepareForUpdate: (l, old) => dropDisabled(l, old),
  validate: (l) => validateLeaseSpec(l.spec),
  validateUpdate: (l) => validateLeaseSpec(l.spec),
  // Lazy renewals: a node Lease's renewTime follows its kubelet, computed on read.
  present: (l, ctx) =>
    l.metadata?.namespace === "kube-node-lease" && l.spec?.holderIdentity === l.metadata?.name
      ? presentLease(l, ctx.get("nodes", undefined, l.metadata.name), ctx.now)
      : l,
};

export default lease;
