// `kubectl rollout status|history|undo|restart|pause|resume` (k8s.io/kubectl/pkg/cmd/rollout and
// polymorphichelpers): what a rollout is, read from the workload and its ReplicaSets.
import type { ControllerRevision, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1";
import { type Parsed, int } from "./args";
import { awaitHost, KubectlError, statusMessage, type Resource } from "./client";
import { requested } from "./get";
import { labelSelectorString } from "./describe/format";
import { groupHelp } from "./help";
import type { Kube, KubectlRun, Verb } from "./types";

const REVISION = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE = "kubernetes.io/change-cause";
const HASH = "pod-template-hash";
const JSON_PATCH = { "content-type": "application/json-patch+json" };
const MERGE = { "content-type": "application/strategic-merge-patch+json" };

/** The objects named (TYPE NAME or TYPE/NAME), each with its resource. */
function* named(k: Kube, args: string[]): Generator<any, { resource: Resource; obj: any }[], void> {
  const wanted = requested(args);
  if (!wanted.length) throw new KubectlError("error: required resource not specified");
  const out: { resource: Resource; obj: any }[] = [];
  for (const { resource, names } of wanted)
    for (const name of names) {
      const r = yield* awaitHost(k.api("GET", resource.path(k.namespace, name)));
      if (r.status >= 400) throw new KubectlError(statusMessage(r));
      out.push({ resource, obj: JSON.parse(r.text) });
    }
  return out;
}

/** A workload's status line and whether the rollout is done (rollout_status.go's viewers). */
export function rolloutStatus(kind: string, o: any): { text: string; done: boolean } {
  const name = o.metadata?.name;
  const st = o.status ?? {};
  if (kind === "Deployment") {
    if ((o.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0)) {
      const progressing = (st.conditions ?? []).find((c: any) => c.type === "Progressing");
      if (progressing?.reason === "ProgressDeadlineExceeded")
        throw new KubectlError(`error: deployment "${name}" exceeded its progress deadline`);
      const want = o.spec?.replicas ?? 1;
      const updated = st.updatedReplicas ?? 0;
      if (updated < want)
        return {
          text: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...\n`,
          done: false,
        };
      if ((st.replicas ?? 0) > updated)
        return {
          text: `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - updated} old replicas are pending termination...\n`,
          done: false,
        };
      if ((st.availableReplicas ?? 0) < updated)
        return {
          text: `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${updated} updated replicas are available...\n`,
          done: false,
        };
      return { text: `deployment "${name}" successfully rolled out\n`, done: true };
    }
    return { text: "Waiting for deployment spec update to be observed...\n", done: false };
  }
  if (kind === "DaemonSet") {
    if (o.spec?.updateStrategy?.type !== "RollingUpdate")
      throw new KubectlError("error: rollout status is only available for RollingUpdate strategy type");
    if ((o.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0)) {
      if ((st.updatedNumberScheduled ?? 0) < (st.desiredNumberScheduled ?? 0))
        return {
          text: `Waiting for daemon set "${name}" rollout to finish: ${st.updatedNumberScheduled ?? 0} out of ${st.desiredNumberScheduled ?? 0} new pods have been updated...\n`,
          done: false,
        };
      if ((st.numberAvailable ?? 0) < (st.desiredNumberScheduled ?? 0))
        return {
          text: `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable ?? 0} of ${st.desiredNumberScheduled ?? 0} updated pods are available...\n`,
          done: false,
        };
      return { text: `daemon set "${name}" successfully rolled out\n`, done: true };
    }
    return { text: "Waiting for daemon set spec update to be observed...\n", done: false };
  }
  if (kind === "StatefulSet") {
    if (o.spec?.updateStrategy?.type !== "RollingUpdate")
      throw new KubectlError("error: rollout status is only available for RollingUpdate strategy type");
    if (!st.observedGeneration || (o.metadata?.generation ?? 0) > st.observedGeneration)
      return { text: "Waiting for statefulset spec update to be observed...\n", done: false };
    const replicas = o.spec?.replicas;
    if (replicas != null && (st.readyReplicas ?? 0) < replicas)
      return { text: `Waiting for ${replicas - (st.readyReplicas ?? 0)} pods to be ready...\n`, done: false };
    const ru = o.spec.updateStrategy.rollingUpdate;
    if (ru) {
      if (replicas != null && ru.partition != null && (st.updatedReplicas ?? 0) < replicas - ru.partition)
        return {
          text: `Waiting for partitioned roll out to finish: ${st.updatedReplicas ?? 0} out of ${replicas - ru.partition} new pods have been updated...\n`,
          done: false,
        };
      return { text: `partitioned roll out complete: ${st.updatedReplicas ?? 0} new pods have been updated...\n`, done: true };
    }
    if (st.updateRevision !== st.currentRevision)
      return {
        text: `waiting for statefulset rolling update to complete ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}...\n`,
        done: false,
      };
    return {
      text: `statefulset rolling update complete ${st.currentReplicas ?? 0} pods at revision ${st.currentRevision}...\n`,
      done: true,
    };
  }
  throw new KubectlError(`error: no status viewer has been implemented for ${kind}`);
}

/** The Deployment's ReplicaSets: those it controls. */
function* replicaSets(k: Kube, d: Deployment): Generator<any, ReplicaSet[], void> {
  const r = yield* awaitHost(k.api("GET", `/apis/apps/v1/namespaces/${d.metadata?.namespace}/replicasets`));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  return (JSON.parse(r.text).items as ReplicaSet[]).filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === d.metadata?.uid),
  );
}

/** controlledHistory: the ControllerRevisions a StatefulSet's selector matches and it controls. */
function* revisions(k: Kube, o: StatefulSet): Generator<any, ControllerRevision[], void> {
  const sel = encodeURIComponent(labelSelectorString(o.spec?.selector) ?? "");
  const r = yield* awaitHost(k.api("GET", `/apis/apps/v1/namespaces/${o.metadata?.namespace}/controllerrevisions?labelSelector=${sel}`));
  if (r.status >= 400) throw new KubectlError(statusMessage(r));
  return (JSON.parse(r.text).items as ControllerRevision[]).filter((cr) =>
    cr.metadata?.ownerReferences?.some((x) => x.controller && x.uid === o.metadata?.uid),
  );
}

/** getStatefulSetPatch: what a revision stores for the set's current template. */
const statefulSetPatch = (o: StatefulSet) => ({ spec: { template: { ...(o.spec?.template ?? {}), $patch: "replace" } } });

const revisionOf = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION] ?? Number.NaN);

/** tabwriter(0, 8, 2, ' '): the history table. */
function historyTable(rows: [string, string][]): string {
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([a, b]) => `${a.padEnd(w)}${b}\n`).join("");
}

function* rolloutRun(p: Parsed, k: Kube): KubectlRun {
  const [sub, ...args] = p.args;
  const subs = ["history", "pause", "restart", "resume", "status", "undo"];
  if (!sub) return groupHelp("rollout", k);
  if (!subs.includes(sub))
    throw new KubectlError(`error: unknown command "${p.args.join(" ")}"\nSee 'kubectl rollout -h' for help and examples`);
  const targets = yield* named(k, args);
  let status = 0;
  for (const { resource, obj } of targets) {
    const kind = resource.def.kind;
    const name = `${resource.kindName}/${obj.metadata.name}`;
    const path = resource.path(obj.metadata.namespace, obj.metadata.name);
    switch (sub) {
      case "status": {
        let last = "";
        for (let o = obj; ; ) {
          const { text, done } = rolloutStatus(kind, o);
          if (text !== last) k.io.stdout(text);
          last = text;
          if (done) break;
          yield { sleep: 500 };
          const r = yield* awaitHost(k.api("GET", path));
          if (r.status === 404) throw new KubectlError("error: object has been deleted");
          o = JSON.parse(r.text);
        }
        break;
      }
      case "history": {
        if (kind === "StatefulSet") {
          if (int(p, "revision")) throw k.notYet("kubectl rollout history --revision");
          const byRevision = new Map((yield* revisions(k, obj)).map((cr) => [cr.revision, cr]));
          if (!byRevision.size) {
            k.io.stdout(`${name} \nNo rollout history found.\n`);
            break;
          }
          const rows: [string, string][] = [["REVISION", "CHANGE-CAUSE"]];
          for (const rev of [...byRevision.keys()].sort((a, b) => a - b))
            rows.push([String(rev), byRevision.get(rev)!.metadata?.annotations?.[CHANGE_CAUSE] || "<none>"]);
          k.io.stdout(`${name} \n${historyTable(rows)}\n`);
          break;
        }
        if (kind !== "Deployment") throw k.notYet(`kubectl rollout history of a ${kind}`);
        if (int(p, "revision")) throw k.notYet("kubectl rollout history --revision");
        const rss = (yield* replicaSets(k, obj)).filter((rs) => !Number.isNaN(revisionOf(rs)));
        if (!rss.length) {
          k.io.stdout(`${name} \nNo rollout history found.\n`);
          break;
        }
        const byRevision = new Map(rss.map((rs) => [revisionOf(rs), rs]));
        const rows: [string, string][] = [["REVISION", "CHANGE-CAUSE"]];
        for (const rev of [...byRevision.keys()].sort((a, b) => a - b))
          rows.push([String(rev), byRevision.get(rev)!.metadata?.annotations?.[CHANGE_CAUSE] || "<none>"]);
        k.io.stdout(`${name} \n${historyTable(rows)}\n`);
        break;
      }
      case "undo": {
        if (kind === "StatefulSet") {
          const to = int(p, "to-revision") ?? 0;
          if (to < 0) throw new KubectlError(`error: unable to find specified revision ${to} in history`);
          const history = (yield* revisions(k, obj)).sort((a, b) => a.revision - b.revision);
          if (to === 0 && history.length <= 1) throw new KubectlError("error: no last revision to roll back to");
          const target = to === 0 ? history[history.length - 2] : history.find((cr) => cr.revision === to);
          if (!target) throw new KubectlError(`error: unable to find specified revision ${to} in history`);
          if (JSON.stringify(sorted(statefulSetPatch(obj))) === JSON.stringify(sorted(target.data))) {
            k.io.stdout(`${name} skipped rollback (current template already matches revision ${to})\n`);
            break;
          }
          const r = yield* awaitHost(k.api("PATCH", path, { body: JSON.stringify(target.data), headers: MERGE }));
          if (r.status >= 400) throw new KubectlError(`error: failed restoring revision ${to}: ${JSON.parse(r.text).message}`);
          k.io.stdout(`${name} rolled back\n`);
          break;
        }
        if (kind !== "Deployment") throw k.notYet(`kubectl rollout undo of a ${kind}`);
        const to = int(p, "to-revision") ?? 0;
        if (to < 0) throw new KubectlError(`error: unable to find specified revision ${to} in history`);
        const rss = yield* replicaSets(k, obj);
        let target: ReplicaSet | undefined;
        if (to > 0) {
          target = rss.find((rs) => revisionOf(rs) === to);
          if (!target) throw new KubectlError(`error: unable to find specified revision ${to} in history`);
        } else {
          const sorted = rss.filter((rs) => !Number.isNaN(revisionOf(rs))).sort((a, b) => revisionOf(b) - revisionOf(a));
          target = sorted[1];
          if (!target) throw new KubectlError(`error: no rollout history found for deployment "${obj.metadata.name}"`);
        }
        if (obj.spec?.paused)
          throw new KubectlError(
            "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
          );
        const template = structuredClone(target.spec?.template ?? {});
        if (template.metadata?.labels) delete template.metadata.labels[HASH];
        if (JSON.stringify(sorted(template)) === JSON.stringify(sorted(obj.spec?.template))) {
          k.io.stdout(`${name} skipped rollback (current template already matches revision ${to || revisionOf(target)})\n`);
          break;
        }
        const skip = [
          "kubectl.kubernetes.io/last-applied-configuration",
          REVISION,
          "deployment.kubernetes.io/revision-history",
          "deployment.kubernetes.io/desired-replicas",
          "deployment.kubernetes.io/max-replicas",
          "deprecated.deployment.rollback.to",
        ];
        const annotations: Record<string, string> = {};
        for (const key of skip) if (obj.metadata?.annotations?.[key] !== undefined) annotations[key] = obj.metadata.annotations[key];
        for (const [key, v] of Object.entries(target.metadata?.annotations ?? {})) if (!skip.includes(key)) annotations[key] = v;
        const patch = [
          { op: "replace", path: "/spec/template", value: template },
          { op: "replace", path: "/metadata/annotations", value: annotations },
        ];
        const r = yield* awaitHost(k.api("PATCH", path, { body: JSON.stringify(patch), headers: JSON_PATCH }));
        if (r.status >= 400) throw new KubectlError(`error: failed restoring revision ${to}: ${JSON.parse(r.text).message}`);
        k.io.stdout(`${name} rolled back\n`);
        break;
      }
      case "restart": {
        if (obj.spec?.paused)
          throw new KubectlError(
            `error: ${resource.def.plural}${resource.def.group ? `.${resource.def.group}` : ""} "${obj.metadata.name}" can't restart paused deployment (run rollout resume first)`,
          );
        const at = new Date(k.now()).toISOString().replace(/\.\d+Z$/, "Z");
        const patch = { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": at } } } } };
        const r = yield* awaitHost(k.api("PATCH", path, { body: JSON.stringify(patch), headers: MERGE }));
        if (r.status >= 400) throw new KubectlError(`error: failed to patch: ${JSON.parse(r.text).message}`);
        k.io.stdout(`${name} restarted\n`);
        break;
      }
      case "pause":
      case "resume": {
        const paused = sub === "pause";
        if (kind !== "Deployment") throw new KubectlError(`error: ${sub === "pause" ? "pausing" : "resuming"} is not supported`);
        if (!!obj.spec?.paused === paused) {
          k.io.stderr(`error: ${resource.def.plural}.apps "${obj.metadata.name}" ${paused ? "is already paused" : "is not paused"}\n`);
          status = 1;
          break;
        }
        const r = yield* awaitHost(k.api("PATCH", path, { body: JSON.stringify({ spec: { paused: paused || null } }), headers: MERGE }));
        if (r.status >= 400) throw new KubectlError(statusMessage(r));
        k.io.stdout(`${name} ${paused ? "paused" : "resumed"}\n`);
        break;
      }
    }
  }
  return status;
}

function sorted(v: any): any {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((key) => [key, sorted(v[key])]),
    );
  return v;
}

export const rollout: Verb = {
  flags: [
    { name: "revision", kind: "int" },
    { name: "to-revision", kind: "int" },
    { name: "watch", short: "w", kind: "bool" },
    { name: "timeout", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "dry-run", kind: "string" },
    { name: "selector", short: "l", kind: "string" },
    { name: "filename", short: "f", kind: "strings" },
  ],
  run: rolloutRun,
};
