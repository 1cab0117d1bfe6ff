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
import customresourcedefinition from "./customresourcedefinition";
import resourcequota from "./resourcequota";
import limitrange from "./limitrange";
import poddisruptionbudget from "./poddisruptionbudget";
import priorityclass from "./priorityclass";
import { unservedDefs } from "./unserved";
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
  customresourcedefinition,
  resourcequota,
  limitrange,
  poddisruptionbudget,
  priorityclass,
  lease,
  selfsubjectreview,
  authorization,
  rbac,
  metrics,
  horizontalpodautoscalers,
].flat();

/** A resource table: lookups over a list of served defs, grouped by group version as discovery
 *  lists them together with the unserved kinds (unserved.ts). */
export class ResourceTable {
  private readonly byGroupVersion = new Map<string, ResourceDef[]>();
  private readonly byPath = new Map<string, ResourceDef>();
  /** Group versions in discovery order (core first, then groups as registered, then unserved ones). */
  readonly groupVersions: string[];

  constructor(
    /** The served kinds. */
    readonly all: ResourceDef[],
    /** The kinds discovery lists with no verbs, which every request is refused for. */
    readonly unserved: ResourceDef[] = [],
  ) {
    for (const def of [...all, ...unserved]) {
      const gv = def.group ? `${def.group}/${def.version}` : def.version;
      if (!this.byGroupVersion.has(gv)) this.byGroupVersion.set(gv, []);
      this.byGroupVersion.get(gv)!.push(def);
    }
    for (const def of all) this.byPath.set(`${def.group}/${def.version}/${def.plural}`, def);
    // Within a group version, the real server lists resources alphabetically (kubectl's `all` follows it).
    for (const defs of this.byGroupVersion.values()) defs.sort((a, b) => a.plural.localeCompare(b.plural));
    this.groupVersions = [...this.byGroupVersion.keys()];
  }

  /** Every kind discovery lists in a group version, unserved ones included. */
  inGroupVersion(gv: string): ResourceDef[] {
    return this.byGroupVersion.get(gv) ?? [];
  }

  /** Find a served kind by group, version and plural (the REST path). */
  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The unserved kind at a REST path, if it names one. */
  lookupUnserved(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.unserved.find((d) => d.group === group && d.version === version && d.plural === plural);
  }

  /** The preferred definition of a plural across groups (for internal readers: "pods", "nodes"…). */
  byPlural(plural: string): ResourceDef | undefined {
    return this.all.find((d) => d.plural === plural && !d.convert);
  }

  /** This table and `extra` defs (a cluster's custom resources) after it; a def whose group,
   *  version and plural this table already serves is left out (built-in kinds win), and an
   *  unserved kind a custom one now serves drops out. */
  with(extra: ResourceDef[]): ResourceTable {
    const fresh = extra.filter((d) => !this.lookup(d.group, d.version, d.plural));
    if (!fresh.length) return this;
    const served = new Set(fresh.map((d) => `${d.group}/${d.plural}`));
    return new ResourceTable(
      [...this.all, ...fresh],
      this.unserved.filter((u) => !served.has(`${u.group}/${u.plural}`)),
    );
  }
}

/** The kinds of a real cluster that are listed in discovery but not served (see unserved.ts). */
export const unserved = unservedDefs(resources);

/** The built-in kinds, the same in every cluster. */
export const builtins = new ResourceTable(resources, unserved);

/** Group versions of the built-in kinds in discovery order (core first, then groups as registered,
 *  then unserved ones). */
export const groupVersions = builtins.groupVersions;

/** Every built-in kind discovery lists in a group version, unserved ones included. */
export function inGroupVersion(gv: string): ResourceDef[] {
  return builtins.inGroupVersion(gv);
}

/** Find a served built-in kind by group, version and plural (the REST path). */
export function lookup(group: string, version: string, plural: string): ResourceDef | undefined {
  return builtins.lookup(group, version, plural);
}

/** The unserved kind at a REST path, if it names one. */
export function lookupUnserved(group: string, version: string, plural: string): ResourceDef | undefined {
  return builtins.lookupUnserved(group, version, plural);
}

/** The preferred built-in definition of a plural across groups (for internal readers: "pods", "nodes"…). */
export function byPlural(plural: string): ResourceDef | undefined {
  return builtins.byPlural(plural);
}

/** How internal readers name a kind: its plural, or `<plural>.<group>` for a custom kind. */
export const resourceName = (d: ResourceDef): string => (byPlural(d.plural) === d ? d.plural : `${d.plural}.${d.group}`);
