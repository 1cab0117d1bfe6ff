// The local-path provisioner (rancher/local-path-provisioner on sig-storage-lib-external-provisioner),
// as the playground runs it in local-path-storage: while its pod runs, a claim of a class it serves
// that the PV controller handed to it (the storage-provisioner annotation) gets a hostPath volume
// `pvc-<claim uid>` in a directory of the node the scheduler chose for it, with node affinity to that
// node; a released volume of its own with reclaim policy Delete has its directory removed and goes.
// The real one runs a helper pod for each directory; here the directory is the node's file store.
import type { Obj } from "../resources/types";
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimClass,
} from "../resources/storagehelpers";
import { isPodReady } from "./util";
import { NODE_SCOPE, nodeOwner } from "../nodes/runtime/files";
import { claimReference } from "./pvmatch";
import { keyOf, splitKey, type Controller, type ControllerContext, type Key } from "./types";

export const LOCAL_PATH = "rancher.io/local-path";
export const LOCAL_PATH_NAMESPACE = "local-path-storage";
export const LOCAL_PATH_APP = "local-path-provisioner";
export const LOCAL_PATH_CONFIG = "local-path-config";
/** The node the volume was made on, as the provisioner records it. */
const ANN_NODE = "local.path.provisioner/selected-node";
const DEFAULT_NODE_KEY = "DEFAULT_PATH_FOR_NON_LISTED_NODES";

/** The provisioner's running pod: nothing is provisioned while there is none. */
function provisionerPod(c: ControllerContext): Obj | undefined {
  return c.client
    .list("pods", LOCAL_PATH_NAMESPACE, (p) => p.metadata?.labels?.app === LOCAL_PATH_APP && !p.metadata?.deletionTimestamp)
    .find((p) => p.status?.phase === "Running" && isPodReady(p));
}

/** The event source of the provisioner: `<provisioner>_<pod name>_<its identity>`, as the lib names it. */
function identity(pod: Obj): string {
  let h = 0x811c9dc5;
  const hex: string[] = [];
  for (let i = 0; i < 4; i++) {
    for (const ch of `${pod.metadata.uid}/${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex.push(h.toString(16).padStart(8, "0"));
  }
  const u = hex.join("");
  return `${LOCAL_PATH}_${pod.metadata.name}_${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20, 32)}`;
}

/** getPathOnNode over config.json's nodePathMap: the node's paths, else the default ones. */
export function pathOnNode(configJson: string | undefined, node: string): { path: string } | { error: string } {
  let config: Obj;
  try {
    config = JSON.parse(configJson ?? "");
  } catch {
    return { error: "no valid config available" };
  }
  const map: Obj[] = config.nodePathMap ?? [];
  const entry = map.find((e) => e.node === node) ?? map.find((e) => e.node === DEFAULT_NODE_KEY);
  if (!entry) return { error: `config doesn't contain node ${node}, and no ${DEFAULT_NODE_KEY} available` };
  const paths: string[] = entry.paths ?? [];
  if (!paths.length) return { error: `no local path available on node ${node}` };
  return { path: paths[0] };
}

/** provisionFor: the volume for a claim on a node, or why not. */
export function volumeFor(claim: Obj, sc: Obj, node: Obj | undefined, configJson: string | undefined): { pv: Obj } | { error: string } {
  if (claim.spec?.selector != null) return { error: "claim.Spec.Selector is not supported" };
  for (const m of claim.spec?.accessModes ?? [])
    if (m !== "ReadWriteOnce" && m !== "ReadWriteOncePod")
      return { error: "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes" };
  if (!node) return { error: "configuration error, no node was specified" };
  const nodeName = node.metadata.name;
  const base = pathOnNode(configJson, nodeName);
  if ("error" in base) return base;
  const name = `pvc-${claim.metadata.uid}`;
  const affinityKey = sc.parameters?.nodeAffinityKey || "kubernetes.io/hostname";
  return {
    pv: {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name, annotations: { [ANN_NODE]: nodeName, [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH } },
      spec: {
        accessModes: claim.spec.accessModes,
        capacity: { storage: claim.spec.resources?.requests?.storage },
        claimRef: claimReference(claim),
        hostPath: {
          path: `${base.path.replace(/\/+$/, "")}/${name}_${claim.metadata.namespace}_${claim.metadata.name}`,
          type: "DirectoryOrCreate",
        },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: affinityKey, operator: "In", values: [node.metadata.labels?.[affinityKey] ?? nodeName] }] },
            ],
          },
        },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
        storageClassName: sc.metadata.name,
        volumeMode: "Filesystem",
      },
    },
  };
}

/** The events this provisioner already recorded about a claim. */
const eventsAbout = (c: ControllerContext, claim: Obj, reason: string) =>
  c.client.list("events", claim.metadata.namespace, (e) => e.involvedObject?.uid === claim.metadata.uid && e.reason === reason);

function provision(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const claim = c.client.get("persistentvolumeclaims", namespace, name);
  if (!claim || claim.metadata.deletionTimestamp || claim.spec?.volumeName) return;
  const asked = claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] ?? claim.metadata.annotations?.[ANN_BETA_STORAGE_PROVISIONER];
  if (asked !== LOCAL_PATH) return;
  const sc = c.client.get("storageclasses", undefined, claimClass(claim));
  if (sc?.provisioner !== LOCAL_PATH) return;
  const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
  // shouldProvision: a WaitForFirstConsumer claim waits for the scheduler's node.
  if (sc.volumeBindingMode === "WaitForFirstConsumer" && !selected) return;
  const volumeName = `pvc-${claim.metadata.uid}`;
  if (c.client.get("persistentvolumes", undefined, volumeName)) return;
  const pod = provisionerPod(c);
  if (!pod) return;
  const source = { component: identity(pod) };
  // One attempt per claim: a failed one is not retried (the real provisioner backs off and retries).
  if (eventsAbout(c, claim, "ProvisioningFailed").length) return;
  const started = eventsAbout(c, claim, "Provisioning")[0];
  if (!started)
    c.events.record(
      claim,
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${namespace}/${name}"`,
      source,
    );
  const node = selected ? c.client.get("nodes", undefined, selected) : undefined;
  const config = c.client.get("configmaps", LOCAL_PATH_NAMESPACE, LOCAL_PATH_CONFIG)?.data?.["config.json"];
  const made =
    selected && !node ? { error: `failed to get target node: node "${selected}" not found` } : volumeFor(claim, sc, node, config);
  if ("error" in made) {
    c.events.record(
      claim,
      "Warning",
      "ProvisioningFailed",
      `failed to provision volume with StorageClass "${sc.metadata.name}": ${made.error}`,
      source,
    );
    return;
  }
  // The helper pod makes the directory on the node before the volume is created.
  const since = started ? Date.parse(started.firstTimestamp) : c.now();
  const left = since + c.clock.seededDelay("volumeProvision", claim.metadata.uid) - c.now();
  if (left > 0) return { requeueAfter: left };
  c.client.create("persistentvolumes", made.pv);
  c.events.record(claim, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${volumeName}`, source);
}

/** The node a volume of ours lives on (its annotation, else its node affinity). */
const volumeNode = (pv: Obj): string | undefined =>
  pv.metadata?.annotations?.[ANN_NODE] || pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values?.[0];

/** shouldDelete and Delete: a released volume of ours with reclaim policy Delete loses its directory, then goes. */
function reclaim(key: Key, c: ControllerContext) {
  const pv = c.client.get("persistentvolumes", undefined, key);
  if (!pv || pv.metadata.deletionTimestamp) return;
  if (pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== LOCAL_PATH) return;
  if (pv.status?.phase !== "Released" || pv.spec?.persistentVolumeReclaimPolicy !== "Delete") return;
  if (!provisionerPod(c)) return;
  const node = volumeNode(pv);
  const dir = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
  if (node && dir) c.client.files?.forgetUnder(nodeOwner(node), NODE_SCOPE, dir);
  c.client.delete("persistentvolumes", undefined, pv.metadata.name);
}

/** The provisioner's pod coming up starts what waited for it. */
const whenProvisionerRuns =
  (plural: string) =>
  (pod: Obj, _prev: Obj | undefined, c: ControllerContext): Key[] =>
    pod.metadata?.namespace === LOCAL_PATH_NAMESPACE && pod.metadata?.labels?.app === LOCAL_PATH_APP
      ? c.client
          .list(plural, undefined, (o) => (plural === "persistentvolumes" ? o.status?.phase === "Released" : !o.spec?.volumeName))
          .map(keyOf)
      : [];

export const localPathProvisioner: Controller = {
  name: "local-path-provisioner",
  primary: "persistentvolumeclaims",
  watches: [{ plural: "persistentvolumeclaims" }, { plural: "pods", map: whenProvisionerRuns("persistentvolumeclaims") }],
  reconcile: provision,
};

export const localPathDeleter: Controller = {
  name: "local-path-provisioner-deleter",
  primary: "persistentvolumes",
  watches: [{ plural: "persistentvolumes" }, { plural: "pods", map: whenProvisionerRuns("persistentvolumes") }],
  reconcile: reclaim,
};
