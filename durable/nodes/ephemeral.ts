// Ephemeral containers (`kubectl debug`) in the simulated kubelet, as stages over the pod like the
// others (stages.ts): the kubelet starts each ephemeral container that has no status yet, once, in
// the running pod's sandbox (its network, and with targetContainerName the target's process
// namespace: shell/applets `ps`), and reports its end. It is never restarted, never probed, and
// counts for neither the pod's readiness nor its phase (kuberuntime startEphemeralContainer).
import type { Obj } from "../resources/types";
import { rfc3339 } from "../api/registry";
import { goDuration, imageInfo, pullFailure, seededHex } from "./runtime/images";
import { pullDuration } from "./clock";
import { isTerminating, type Exit, type Stage, type StageContext, type StageEvent } from "./stages";

const time = (t: string | undefined) => (t ? Date.parse(t) : NaN);
const specOf = (pod: Obj): Obj[] => pod.spec?.ephemeralContainers ?? [];
const statusOf = (pod: Obj, name: string): Obj | undefined =>
  ((pod.status?.ephemeralContainerStatuses ?? []) as Obj[]).find((s) => s.name === name);
export const ephemeralFieldPath = (c: Obj) => `spec.ephemeralContainers{${c.name}}`;

/** The pod's sandbox is up and it has not finished: an ephemeral container can join it. */
const sandboxUp = (pod: Obj) =>
  !isTerminating(pod) && !!pod.status?.podIP && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

/** The first ephemeral container the kubelet has not started yet (an image it cannot pull stays waiting). */
function toStart(pod: Obj): Obj | undefined {
  return specOf(pod).find(
    (c) => !statusOf(pod, c.name)?.state?.running && !statusOf(pod, c.name)?.state?.terminated && !pullFailure(c.image),
  );
}

/** The ephemeral containers still running, with when their process ends (if it does). */
function exits(pod: Obj, k: StageContext): { c: Obj; s: Obj; exit: Exit }[] {
  const out: { c: Obj; s: Obj; exit: Exit }[] = [];
  for (const c of specOf(pod)) {
    const s = statusOf(pod, c.name);
    if (!s?.state?.running) continue;
    const exit = k.exitOf?.(pod, c, time(s.state.running.startedAt));
    if (exit) out.push({ c, s, exit });
  }
  return out.sort((a, b) => a.exit.at - b.exit.at);
}

const pulls = (c: Obj, k: StageContext) => c.imagePullPolicy === "Always" || (c.imagePullPolicy !== "Never" && !k.imagePresent(c.image));

function setStatus(pod: Obj, s: Obj): void {
  const list: Obj[] = (pod.status.ephemeralContainerStatuses ??= []);
  const i = list.findIndex((x) => x.name === s.name);
  if (i >= 0) list[i] = s;
  else list.push(s);
}

export const ephemeralStages: Stage[] = [
  {
    // A new ephemeral container: image pulled, created and started in the pod's sandbox.
    name: "ephemeral-start",
    selector: (pod) => sandboxUp(pod) && !!toStart(pod),
    due: (_pod, k) => k.now,
    next: {
      events(pod, k) {
        const c = toStart(pod)!;
        const fp = ephemeralFieldPath(c);
        const ms = pullDuration(c.image, `${pod.metadata.uid}/${c.name}`);
        const pulled: StageEvent[] = pulls(c, k)
          ? [
              { type: "Normal", reason: "Pulling", message: `Pulling image ${JSON.stringify(c.image)}`, fieldPath: fp },
              {
                type: "Normal",
                reason: "Pulled",
                message: `Successfully pulled image ${JSON.stringify(c.image)} in ${goDuration(ms)} (${goDuration(ms)} including waiting). Image size: ${imageInfo(c.image).sizeBytes} bytes.`,
                fieldPath: fp,
              },
            ]
          : [
              {
                type: "Normal",
                reason: "Pulled",
                message: `Container image ${JSON.stringify(c.image)} already present on machine`,
                fieldPath: fp,
              },
            ];
        return [
          ...pulled,
          { type: "Normal", reason: "Created", message: `Created container: ${c.name}`, fieldPath: fp },
          { type: "Normal", reason: "Started", message: `Started container ${c.name}`, fieldPath: fp },
        ];
      },
      status(pod, k) {
        const c = toStart(pod)!;
        const img = imageInfo(c.image);
        setStatus(pod, {
          containerID: `containerd://${seededHex(`${pod.metadata.uid}/${c.name}`, 64)}`,
          image: img.image,
          imageID: img.imageID,
          lastState: {},
          name: c.name,
          ready: false,
          restartCount: 0,
          state: { running: { startedAt: rfc3339(k.now) } },
          ...(c.volumeMounts?.length
            ? {
                volumeMounts: (c.volumeMounts as Obj[]).map((m) => ({
                  name: m.name,
                  mountPath: m.mountPath,
                  ...(m.readOnly ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}),
                })),
              }
            : {}),
        });
      },
    },
  },
  {
    // Its process ended (the shell's `exit` through attach, or its command ran out): terminated for good.
    name: "ephemeral-exit",
    selector: (pod, k) => !isTerminating(pod) && !!k && exits(pod, k).length > 0,
    due: (pod, k) => exits(pod, k)[0]?.exit.at ?? Infinity,
    next: {
      status(pod, k) {
        const { s, exit } = exits(pod, k)[0];
        const reason = exit.reason ?? (exit.code === 0 ? "Completed" : "Error");
        // A program the image lacks never started: the runtime's zero StartedAt.
        const startedAt = exit.reason === "StartError" ? "1970-01-01T00:00:00Z" : s.state.running.startedAt;
        s.state = {
          terminated: {
            containerID: s.containerID,
            exitCode: exit.code,
            finishedAt: rfc3339(exit.at),
            ...(exit.message ? { message: exit.message } : {}),
            reason,
            startedAt,
          },
        };
      },
    },
  },
];
