// The resource table: every kind the API server serves. Adding a kind is adding a module here.
import type { ResourceDef } from "./types";
import namespace from "./namespace";
import node from "./node";
import pod from "./pod";
import service from "./service";
import endpoints from "./endpoints";
import endpointslice from "./endpointslice";
import configmap from "./configmap";
import secret from "./secret";
import serviceaccount from "./serviceaccount";
import event from "./event";
import componentstatus from "./componentstatus";
import replicationcontroller from "./replicationcontroller";
import replicaset from "./replicaset";
import deployment from "./deployment";
import daemonset from "./daemonset";
import statefulset from "./statefulset";
import controllerrevision from "./controllerrevision";
import lease from "./lease";
import selfsubjectreview from "./selfsubjectreview";
import authorization from "./authorization";
import rbac from "./rbac";
import job from "./job";
import cronjob from "./cronjob";
import persistentvolume from "./persistentvolume";
import persistentvolumeclaim from "./persistentvolumeclaim";
import storageclass from "./storageclass";
import ingress from "./ingress";
import ingressclass from "./ingressclass";
import networkpolicy from "./networkpolicy";
import metrics from "./metrics";
import horizontalpodautoscalers from "./horizontalpodautoscaler";

export const resources: ResourceDef[] = [
  namespace,
  node,
  pod,
  service,
  endpoints,
  endpointslice,
  configmap,
  secret,
  serviceaccount,
  event,
  componentstatus,
  replicationcontroller,
  persistentvolume,
  persistentvolumeclaim,
  replicaset,
  deployment,
  daemonset,
  statefulset,
  controllerrevision,
  job,
  cronjob,
  storageclass,
  ingressclass,
  ingress,
  networkpolicy,
  lease,
  selfsubjectreview,
  authorization,
  rbac,
  metrics,
  horizontalpodautoscalers,
].flat();

const byGroupVersion = new Map<string, ResourceDef[]>();
for (const def of resources) {
  const gv = def.group ? `${def.group}/${def.version}` : def.version;
  if (!byGroupVersion.has(gv)) byGroupVersion.set(gv, []);
  byGroupVersion.get(gv)!.push(def);
}

// Within a group version, the real server lists resources alphabetically (kubectl's `all` follows it).
for (const defs of byGroupVersion.values()) defs.sort((a, b) => a.plural.localeCompare(b.plural));

/** Group versions in discovery order (core first, then groups as registered). */
export const groupVersions = [...byGroupVersion.keys()];

export function inGroupVersion(gv: string): ResourceDef[] {
  return byGroupVersion.get(gv) ?? [];
}

/** Find a kind by group, version and plural (the REST path). */
export function lookup(group: string, version: string, plural: string): ResourceDef | undefined {
  return resources.find((d) => d.group === group && d.version === version && d.plural === plural);
}

/** The preferred definition of a plural across groups (for internal readers: "pods", "nodes"…). */
export function byPlural(plural: string): ResourceDef | undefined {
  return resources.find((d) => d.plural === plural && !d.convert);
}
