// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
// spec.ttlSecondsAfterFinished is deleted that long after it finished, in the foreground so that
// its pods go first (the garbage collector does that). The TTL is the user's: real time.
import type { Obj } from "../resources/types";
import { isJobFinished } from "../resources/job";
import { splitKey, type Controller, type ControllerContext, type Key } from "./types";

/** jobFinishTime: when the Complete or Failed condition became True. */
export function jobFinishTime(job: Obj): number | undefined {
  const c = (job.status?.conditions ?? []).find((x: Obj) => (x.type === "Complete" || x.type === "Failed") && x.status === "True");
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined;
}

function reconcile(key: Key, c: ControllerContext) {
  const { namespace, name } = splitKey(key);
  const job = c.client.get("jobs", namespace, name);
  if (!job || job.metadata.deletionTimestamp || job.spec?.ttlSecondsAfterFinished == null || !isJobFinished(job)) return;
  const finished = jobFinishTime(job);
  if (finished === undefined) return;
  const left = finished + job.spec.ttlSecondsAfterFinished * 1000 - c.now();
  if (left > 0) return { requeueAfter: left };
  c.client.delete("jobs", namespace, name, { propagationPolicy: "Foreground", preconditions: { uid: job.metadata.uid } });
}

export const ttlAfterFinishedController: Controller = {
  name: "ttl-after-finished-controller",
  primary: "jobs",
  watches: [{ plural: "jobs" }],
  reconcile,
};
