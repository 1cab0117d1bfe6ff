// PersistentVolumeDescriber, PersistentVolumeClaimDescriber and StorageClassDescriber.
import type { PersistentVolume, PersistentVolumeClaim, Pod, VolumeNodeAffinity } from "kubernetes-types/core/v1";
import type { StorageClass } from "kubernetes-types/storage/v1";
import { accessModesString, claimClass, isDefaultClassText, volumeClass } from "../../../resources/storagehelpers";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  formatLabels,
  goBool,
  goSort,
  LEVEL_0,
  LEVEL_1,
  LEVEL_2,
  type PrefixWriter,
  printAnnotationsMultiline,
  printBoolPtr,
  printLabelsMultiline,
  Quantity,
  refOf,
  rfc1123z,
  since,
  sortStrings,
  tabbedString,
} from "./format";

/** fmt's %v of a []string: `[a b]`. */
const goStrings = (list: string[] | undefined) => `[${(list ?? []).join(" ")}]`;

/** The Quantity of a ResourceList entry as String() prints it ("0" when absent). */
const quantityOf = (v: unknown) => (v === undefined ? "0" : Quantity.parse(v).toString());

const MAX_ANNOTATION_LEN = 140;

/** printNodeSelectorTermsMultilineWithIndent. */
function printNodeSelectorTerms(
  w: PrefixWriter,
  level: number,
  title: string,
  reqs: { key: string; operator: string; values?: string[] }[],
) {
  w.write(level, `${title}:\t`);
  if (!reqs.length) {
    w.writeLine("<none>");
    return;
  }
  reqs.forEach((r, i) => {
    if (i !== 0) w.write(level, "\t");
    let expr = `${r.key} ${r.operator.toLowerCase()}`;
    if (r.values?.length) expr = `${expr} [${r.values.join(", ")}]`;
    w.write(LEVEL_0, `${expr}\n`);
  });
}

/** printVolumeNodeAffinity. */
function printVolumeNodeAffinity(w: PrefixWriter, affinity: VolumeNodeAffinity | undefined) {
  w.write(LEVEL_0, "Node Affinity:\t");
  if (!affinity?.required) {
    w.writeLine("<none>");
    return;
  }
  w.writeLine("");
  w.write(LEVEL_1, "Required Terms:\t");
  const terms = affinity.required.nodeSelectorTerms ?? [];
  if (!terms.length) {
    w.writeLine("<none>");
    return;
  }
  w.writeLine("");
  terms.forEach((t, i) => printNodeSelectorTerms(w, LEVEL_2, `Term ${i}`, t.matchExpressions ?? []));
}

/** printCSIPersistentVolumeAttributesMultilineIndent (every line written at LEVEL_2, as kubectl does). */
function printCSIAttributes(w: PrefixWriter, attributes: Record<string, string> | undefined) {
  w.write(LEVEL_2, "VolumeAttributes:\t");
  const keys = sortStrings(Object.keys(attributes ?? {}));
  if (!keys.length) {
    w.writeLine("<none>");
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, "");
      w.write(LEVEL_2, "\t");
    }
    const line = `${k}=${attributes?.[k]}`;
    w.write(LEVEL_2, line.length > MAX_ANNOTATION_LEN ? `${line.slice(0, MAX_ANNOTATION_LEN)}...\n` : `${line}\n`);
  });
}

/** The Source section: the volume types a playground's volumes use; the others are not printed yet. */
function printSource(w: PrefixWriter, spec: NonNullable<PersistentVolume["spec"]>) {
  if (spec.hostPath)
    w.write(
      LEVEL_2,
      `Type:\tHostPath (bare host directory volume)\n    Path:\t${spec.hostPath.path}\n    HostPathType:\t${spec.hostPath.type ?? "<none>"}\n`,
    );
  else if (spec.local)
    w.write(LEVEL_2, `Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t${spec.local.path}\n`);
  else if (spec.nfs)
    w.write(
      LEVEL_2,
      `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${spec.nfs.server}\n    Path:\t${spec.nfs.path}\n    ReadOnly:\t${goBool(spec.nfs.readOnly)}\n`,
    );
  else if (spec.csi) {
    w.write(
      LEVEL_2,
      `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${spec.csi.driver}\n    FSType:\t${spec.csi.fsType ?? ""}\n    VolumeHandle:\t${spec.csi.volumeHandle}\n    ReadOnly:\t${goBool(spec.csi.readOnly)}\n`,
    );
    printCSIAttributes(w, spec.csi.volumeAttributes);
  } else {
    const kind = Object.keys(spec).find(
      (k) =>
        ![
          "accessModes",
          "capacity",
          "claimRef",
          "mountOptions",
          "nodeAffinity",
          "persistentVolumeReclaimPolicy",
          "storageClassName",
          "volumeMode",
          "volumeAttributesClassName",
        ].includes(k),
    );
    if (kind)
      w.write(LEVEL_2, `Type:\t${kind} (not described by the workstation's kubectl yet: use your own kubectl for this volume type)\n`);
    else w.write(LEVEL_1, "<unknown>\n");
  }
}

export async function describePersistentVolume(pv: PersistentVolume, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...pv, kind: "PersistentVolume" }), opts);
  const spec = pv.spec ?? {};
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${pv.metadata?.name ?? ""}\n`);
    printLabelsMultiline(w, "Labels", pv.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", pv.metadata?.annotations);
    w.write(LEVEL_0, `Finalizers:\t${goStrings(pv.metadata?.finalizers)}\n`);
    w.write(LEVEL_0, `StorageClass:\t${volumeClass(pv)}\n`);
    if (pv.metadata?.deletionTimestamp)
      w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(pv.metadata.deletionTimestamp, opts.now)})\n`);
    else w.write(LEVEL_0, `Status:\t${pv.status?.phase ?? ""}\n`);
    w.write(LEVEL_0, `Claim:\t${spec.claimRef ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name ?? ""}` : ""}\n`);
    w.write(LEVEL_0, `Reclaim Policy:\t${spec.persistentVolumeReclaimPolicy ?? ""}\n`);
    w.write(LEVEL_0, `Access Modes:\t${accessModesString(spec.accessModes)}\n`);
    if (spec.volumeMode) w.write(LEVEL_0, `VolumeMode:\t${spec.volumeMode}\n`);
    w.write(LEVEL_0, `Capacity:\t${quantityOf(spec.capacity?.storage)}\n`);
    printVolumeNodeAffinity(w, spec.nodeAffinity);
    w.write(LEVEL_0, `Message:\t${pv.status?.message ?? ""}\n`);
    w.write(LEVEL_0, "Source:\n");
    printSource(w, spec);
    if (events) describeEvents(events, w, opts.now);
  });
}

/** printPersistentVolumeClaim: a whole claim, or (isFull false) an ephemeral volume's template. */
export function printPersistentVolumeClaim(w: PrefixWriter, pvc: PersistentVolumeClaim, isFull: boolean, now: number): void {
  const spec = pvc.spec ?? {};
  if (isFull) {
    w.write(LEVEL_0, `Name:\t${pvc.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${pvc.metadata?.namespace ?? ""}\n`);
  }
  w.write(LEVEL_0, `StorageClass:\t${claimClass(pvc)}\n`);
  if (isFull) {
    if (pvc.metadata?.deletionTimestamp) w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(pvc.metadata.deletionTimestamp, now)})\n`);
    else w.write(LEVEL_0, `Status:\t${pvc.status?.phase ?? ""}\n`);
  }
  w.write(LEVEL_0, `Volume:\t${spec.volumeName ?? ""}\n`);
  printLabelsMultiline(w, "Labels", pvc.metadata?.labels);
  printAnnotationsMultiline(w, "Annotations", pvc.metadata?.annotations);
  if (isFull) w.write(LEVEL_0, `Finalizers:\t${goStrings(pvc.metadata?.finalizers)}\n`);
  const bound = !!spec.volumeName;
  w.write(LEVEL_0, `Capacity:\t${bound ? quantityOf(pvc.status?.capacity?.storage) : ""}\n`);
  w.write(LEVEL_0, `Access Modes:\t${bound ? accessModesString(pvc.status?.accessModes) : ""}\n`);
  if (spec.volumeMode) w.write(LEVEL_0, `VolumeMode:\t${spec.volumeMode}\n`);
  if (spec.dataSource) {
    w.write(LEVEL_0, "DataSource:\n");
    if (spec.dataSource.apiGroup) w.write(LEVEL_1, `APIGroup:\t${spec.dataSource.apiGroup}\n`);
    w.write(LEVEL_1, `Kind:\t${spec.dataSource.kind}\n`);
    w.write(LEVEL_1, `Name:\t${spec.dataSource.name}\n`);
  }
}

/** getPodsForPVC: the namespace's pods that mount the claim, then the pods that own it. */
function podsForClaim(pvc: PersistentVolumeClaim, pods: Pod[]): Pod[] {
  // A pod appears once per volume that names the claim, as kubectl appends it.
  const users: Pod[] = [];
  for (const p of pods) for (const v of p.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName === pvc.metadata?.name) users.push(p);
  for (const ref of pvc.metadata?.ownerReferences ?? []) {
    if (ref.kind !== "Pod") continue;
    const owner = pods.find((p) => p.metadata?.uid === ref.uid);
    if (owner && !users.some((p) => p.metadata?.uid === owner.metadata?.uid)) users.push(owner);
  }
  return users;
}

/** printPodsMultiline (sorted by name with sort.Slice). */
function printPodsMultiline(w: PrefixWriter, title: string, pods: Pod[]): void {
  w.write(LEVEL_0, `${title}:\t`);
  if (!pods.length) {
    w.writeLine("<none>");
    return;
  }
  goSort(pods, (a, b) => (a.metadata?.name ?? "") < (b.metadata?.name ?? ""));
  pods.forEach((p, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, "");
      w.write(LEVEL_0, "\t");
    }
    w.write(LEVEL_0, `${p.metadata?.name ?? ""}\n`);
  });
}

export async function describePersistentVolumeClaim(
  pvc: PersistentVolumeClaim,
  reader: DescribeReader,
  opts: DescribeOptions,
): Promise<string> {
  const pods = podsForClaim(pvc, (await reader.list("pods", pvc.metadata?.namespace)) as Pod[]);
  const events = await eventsFor(reader, refOf({ ...pvc, kind: "PersistentVolumeClaim" }), opts);
  return tabbedString((w) => {
    printPersistentVolumeClaim(w, pvc, true, opts.now);
    printPodsMultiline(w, "Used By", pods);
    const conditions = pvc.status?.conditions ?? [];
    if (conditions.length) {
      w.write(LEVEL_0, "Conditions:\n");
      w.write(LEVEL_1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
      w.write(LEVEL_1, "----\t------\t-----------------\t------------------\t------\t-------\n");
      for (const c of conditions)
        w.write(
          LEVEL_1,
          `${c.type} \t${c.status} \t${rfc1123z(c.lastProbeTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}\n`,
        );
    }
    if (events) describeEvents(events, w, opts.now);
  });
}

export async function describeStorageClass(sc: StorageClass, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const events = await eventsFor(reader, refOf({ ...sc, kind: "StorageClass" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${sc.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `IsDefaultClass:\t${isDefaultClassText(sc)}\n`);
    w.write(LEVEL_0, `Annotations:\t${formatLabels(sc.metadata?.annotations)}\n`);
    w.write(LEVEL_0, `Provisioner:\t${sc.provisioner}\n`);
    w.write(LEVEL_0, `Parameters:\t${formatLabels(sc.parameters)}\n`);
    w.write(LEVEL_0, `AllowVolumeExpansion:\t${printBoolPtr(sc.allowVolumeExpansion)}\n`);
    if (!sc.mountOptions?.length) w.write(LEVEL_0, "MountOptions:\t<none>\n");
    else {
      w.write(LEVEL_0, "MountOptions:\n");
      for (const o of sc.mountOptions) w.write(LEVEL_1, `${o}\n`);
    }
    if (sc.reclaimPolicy) w.write(LEVEL_0, `ReclaimPolicy:\t${sc.reclaimPolicy}\n`);
    if (sc.volumeBindingMode) w.write(LEVEL_0, `VolumeBindingMode:\t${sc.volumeBindingMode}\n`);
    if (sc.allowedTopologies) {
      w.write(LEVEL_0, "AllowedTopologies:\t");
      if (!sc.allowedTopologies.length) w.writeLine("<none>");
      else {
        w.writeLine("");
        sc.allowedTopologies.forEach((t, i) => {
          const reqs = t.matchLabelExpressions ?? [];
          w.write(LEVEL_1, `Term ${i}:\t`);
          if (!reqs.length) {
            w.writeLine("<none>");
            return;
          }
          reqs.forEach((r, j) => {
            if (j !== 0) w.write(LEVEL_1, "\t");
            w.write(LEVEL_0, `${r.key} in${r.values?.length ? ` [${r.values.join(", ")}]` : ""}\n`);
          });
        });
      }
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
