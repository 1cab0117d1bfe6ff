// The StatefulSet sync against a fake pod control, as upstream's stateful_set_control_test.go drives
// it: OrderedReady waits for each pod, Parallel does not, scale-down goes from the highest ordinal,
// RollingUpdate replaces from the top down to the partition, OnDelete never deletes, and the claims'
// owners follow the retention policy.
import { describe, expect, it } from "vitest";
import type { Obj } from "../../durable/resources/types";
import statefulsets from "../../durable/resources/statefulset";
import { rolloutStatus } from "../../durable/workstation/kubectl/rollout";
import {
  applyRevision,
  completeRollingUpdate,
  isClaimOwnerUpToDate,
  newRevision,
  parentAndOrdinal,
  REVISION_LABEL,
  type StatefulPodControl,
  syncReplicas,
  updateClaimOwnerRefs,
} from "../../durable/controllers/statefulset";

const NOW = Date.parse("2026-01-01T00:00:00Z");

function makeSet(over: Obj = {}): Obj {
  const set: Obj = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "set-uid", generation: 1 },
    spec: {
      serviceName: "nginx",
      replicas: 3,
      selector: { matchLabels: { app: "nginx" } },
      template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx:1" }] } },
      volumeClaimTemplates: [
        { metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
      ],
      ...over,
    },
    status: {},
  };
  statefulsets.defaults!(set, { now: NOW, get: () => undefined, list: () => [] });
  return set;
}

/** A fake cluster: pods by name, what the sync asked for, in order. */
class FakeControl implements StatefulPodControl {
  pods = new Map<string, Obj>();
  actions: string[] = [];
  createPod(_set: Obj, pod: Obj) {
    this.actions.push(`create ${pod.metadata.name}`);
    this.pods.set(pod.metadata.name, {
      ...pod,
      metadata: { ...pod.metadata, uid: `uid-${pod.metadata.name}` },
      status: { phase: "Pending" },
    });
  }
  deletePod(_set: Obj, pod: Obj) {
    this.actions.push(`delete ${pod.metadata.name}`);
    this.pods.get(pod.metadata.name)!.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  }
  updatePod(_set: Obj, pod: Obj) {
    this.actions.push(`update ${pod.metadata.name}`);
  }
  claimsMatchRetention = () => true;
  updateClaimsForRetention() {}
  podClaimIsStale = () => false;
  createMissingClaims() {}
  /** The kubelet: pods become Running and Ready; deleted ones go away. */
  settle(names = [...this.pods.keys()]) {
    for (const n of names) {
      const p = this.pods.get(n);
      if (!p) continue;
      if (p.metadata.deletionTimestamp) this.pods.delete(n);
      else
        p.status = {
          phase: "Running",
          conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2025-12-31T00:00:00Z" }],
        };
    }
  }
  list = () => [...this.pods.values()];
}

function step(set: Obj, ctl: FakeControl, cur?: Obj, upd?: Obj) {
  const update = upd ?? newRevision(set, 1, 0);
  const current = cur ?? update;
  const r = syncReplicas(set, current, update, 0, ctl.list(), ctl, NOW);
  completeRollingUpdate(set, r.status);
  set.status = r.status;
  return r;
}

describe("ordinals", () => {
  it("parses the set name and ordinal from a pod name", () => {
    expect(parentAndOrdinal("web-12")).toEqual({ parent: "web", ordinal: 12 });
    expect(parentAndOrdinal("my-web-0")).toEqual({ parent: "my-web", ordinal: 0 });
    expect(parentAndOrdinal("web").ordinal).toBe(-1);
    expect(parentAndOrdinal("web-x").ordinal).toBe(-1);
  });
});

describe("OrderedReady", () => {
  it("creates one pod per sync and waits for it to be Running and Ready", () => {
    const set = makeSet();
    const ctl = new FakeControl();
    step(set, ctl);
    expect(ctl.actions).toEqual(["create web-0"]);
    step(set, ctl); // web-0 Pending: nothing more
    expect(ctl.actions).toEqual(["create web-0"]);
    ctl.settle();
    step(set, ctl);
    expect(ctl.actions).toEqual(["create web-0", "create web-1"]);
    ctl.settle();
    step(set, ctl);
    ctl.settle();
    const r = step(set, ctl);
    expect(ctl.actions).toEqual(["create web-0", "create web-1", "create web-2"]);
    expect(r.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, currentReplicas: 3 });
  });

  it("gives each pod its identity, claim volume and revision label", () => {
    const set = makeSet();
    const ctl = new FakeControl();
    step(set, ctl);
    const pod = ctl.pods.get("web-0")!;
    expect(pod.spec.hostname).toBe("web-0");
    expect(pod.spec.subdomain).toBe("nginx");
    expect(pod.metadata.labels).toMatchObject({
      app: "nginx",
      "statefulset.kubernetes.io/pod-name": "web-0",
      "apps.kubernetes.io/pod-index": "0",
      [REVISION_LABEL]: newRevision(set, 1, 0).metadata.name,
    });
    expect(pod.spec.volumes).toEqual([{ name: "www", persistentVolumeClaim: { claimName: "www-web-0" } }]);
  });

  it("scales down from the highest ordinal, one at a time", () => {
    const set = makeSet();
    const ctl = new FakeControl();
    for (let i = 0; i < 6; i++) {
      step(set, ctl);
      ctl.settle();
    }
    set.spec.replicas = 1;
    ctl.actions = [];
    step(set, ctl);
    expect(ctl.actions).toEqual(["delete web-2"]);
    step(set, ctl); // web-2 terminating: wait
    expect(ctl.actions).toEqual(["delete web-2"]);
    ctl.settle();
    step(set, ctl);
    expect(ctl.actions).toEqual(["delete web-2", "delete web-1"]);
  });

  it("does not scale down while a remaining replica is unhealthy", () => {
    const set = makeSet();
    const ctl = new FakeControl();
    for (let i = 0; i < 6; i++) {
      step(set, ctl);
      ctl.settle();
    }
    ctl.pods.get("web-0")!.status.conditions[0].status = "False";
    set.spec.replicas = 2;
    ctl.actions = [];
    step(set, ctl);
    expect(ctl.actions).toEqual([]);
  });
});

describe("Parallel", () => {
  it("creates and deletes every pod in one sync", () => {
    const set = makeSet({ podManagementPolicy: "Parallel" });
    const ctl = new FakeControl();
    step(set, ctl);
    expect(ctl.actions).toEqual(["create web-0", "create web-1", "create web-2"]);
    set.spec.replicas = 0;
    step(set, ctl);
    expect(ctl.actions.slice(3)).toEqual(["delete web-2", "delete web-1", "delete web-0"]);
  });
});

describe("updates", () => {
  function running(over: Obj = {}) {
    const set = makeSet(over);
    const ctl = new FakeControl();
    const rev1 = newRevision(set, 1, 0);
    for (let i = 0; i < 6; i++) {
      step(set, ctl, rev1, rev1);
      ctl.settle();
    }
    const next = structuredClone(set);
    next.spec.template.spec.containers[0].image = "nginx:2";
    const rev2 = newRevision(next, 2, 0);
    ctl.actions = [];
    return { set: next, ctl, rev1, rev2 };
  }

  it("RollingUpdate replaces from the highest ordinal down to the partition, waiting for each", () => {
    const { set, ctl, rev1, rev2 } = running();
    set.spec.updateStrategy.rollingUpdate.partition = 1;
    step(set, ctl, rev1, rev2);
    expect(ctl.actions).toEqual(["delete web-2"]);
    ctl.settle();
    step(set, ctl, rev1, rev2); // recreated at the update revision
    expect(ctl.actions).toEqual(["delete web-2", "create web-2"]);
    expect(ctl.pods.get("web-2")!.spec.containers[0].image).toBe("nginx:2");
    step(set, ctl, rev1, rev2); // web-2 not ready yet: web-1 waits
    expect(ctl.actions.length).toBe(2);
    ctl.settle();
    step(set, ctl, rev1, rev2);
    expect(ctl.actions).toEqual(["delete web-2", "create web-2", "delete web-1"]);
    ctl.settle();
    step(set, ctl, rev1, rev2);
    ctl.settle();
    const r = step(set, ctl, rev1, rev2);
    // web-0 is below the partition and stays at the current revision.
    expect(ctl.actions).not.toContain("delete web-0");
    expect(ctl.pods.get("web-0")!.metadata.labels[REVISION_LABEL]).toBe(rev1.metadata.name);
    expect(r.status).toMatchObject({ updatedReplicas: 2, currentReplicas: 1, currentRevision: rev1.metadata.name });
  });

  it("a pod below the partition is recreated at the current revision", () => {
    const { set, ctl, rev1, rev2 } = running();
    set.spec.updateStrategy.rollingUpdate.partition = 3;
    ctl.pods.delete("web-0");
    step(set, ctl, rev1, rev2);
    expect(ctl.pods.get("web-0")!.spec.containers[0].image).toBe("nginx:1");
  });

  it("completes the rollout: the update revision becomes current", () => {
    const { set, ctl, rev1, rev2 } = running();
    for (let i = 0; i < 12; i++) {
      step(set, ctl, rev1, rev2);
      ctl.settle();
    }
    const r = step(set, ctl, rev1, rev2);
    expect(r.status).toMatchObject({ currentRevision: rev2.metadata.name, updatedReplicas: 3, currentReplicas: 3 });
  });

  it("OnDelete never deletes, but recreates a deleted pod at the update revision", () => {
    const { set, ctl, rev1, rev2 } = running({ updateStrategy: { type: "OnDelete" } });
    step(set, ctl, rev1, rev2);
    expect(ctl.actions).toEqual([]);
    ctl.pods.delete("web-1");
    step(set, ctl, rev1, rev2);
    expect(ctl.actions).toEqual(["create web-1"]);
    expect(ctl.pods.get("web-1")!.spec.containers[0].image).toBe("nginx:2");
  });

  it("applyRevision restores the revision's template", () => {
    const { set, rev1 } = running();
    expect(applyRevision(set, rev1).spec.template.spec.containers[0].image).toBe("nginx:1");
  });
});

describe("claim retention", () => {
  const pod = (ordinal: number) => ({ metadata: { name: `web-${ordinal}`, namespace: "default", uid: `pod-${ordinal}` } });
  const claim = () => ({ metadata: { name: "www-web-0", namespace: "default" } as Obj });
  const owners = (c: Obj) => (c.metadata.ownerReferences ?? []).map((r: Obj) => `${r.kind}/${r.name}/${r.controller}`);

  const cases: [string, string, number, string[]][] = [
    ["Retain", "Retain", 0, []],
    ["Retain", "Delete", 0, ["StatefulSet/web/true"]],
    ["Delete", "Retain", 0, []],
    ["Delete", "Retain", 5, ["Pod/web-5/true"]],
    ["Delete", "Delete", 0, ["StatefulSet/web/true"]],
    ["Delete", "Delete", 5, ["Pod/web-5/true"]],
  ];
  for (const [whenScaled, whenDeleted, ordinal, want] of cases)
    it(`whenScaled ${whenScaled}, whenDeleted ${whenDeleted}, ${ordinal ? "scaled down" : "in range"}: ${want.join(", ") || "no owners"}`, () => {
      const set = makeSet({ persistentVolumeClaimRetentionPolicy: { whenScaled, whenDeleted } });
      const c = claim();
      expect(isClaimOwnerUpToDate(c, set, pod(ordinal))).toBe(want.length === 0);
      updateClaimOwnerRefs(c, set, pod(ordinal));
      expect(owners(c)).toEqual(want);
      expect(isClaimOwnerUpToDate(c, set, pod(ordinal))).toBe(true);
    });

  it("leaves a claim another controller owns alone", () => {
    const set = makeSet({ persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete", whenDeleted: "Delete" } });
    const c = claim();
    c.metadata.ownerReferences = [{ apiVersion: "v1", kind: "Other", name: "x", uid: "o", controller: true }];
    expect(isClaimOwnerUpToDate(c, set, pod(0))).toBe(true);
    updateClaimOwnerRefs(c, set, pod(0));
    expect(owners(c)).toEqual(["Other/x/true"]);
  });
});

describe("defaults and validation", () => {
  const ctx = { now: NOW, get: () => undefined, list: () => [] };
  it("SetDefaults_StatefulSet", () => {
    const set = makeSet();
    expect(set.spec).toMatchObject({
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      revisionHistoryLimit: 10,
    });
    expect(set.spec.volumeClaimTemplates[0]).toMatchObject({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      spec: { volumeMode: "Filesystem" },
    });
    const onDelete = makeSet({ updateStrategy: { type: "OnDelete" } });
    expect(onDelete.spec.updateStrategy).toEqual({ type: "OnDelete" });
  });

  it("forbids updates to fields other than the mutable ones", () => {
    const old = makeSet();
    const next = structuredClone(old);
    next.spec.serviceName = "other";
    expect(statefulsets.validateUpdate!(next, old, ctx).map((e) => e.message)).toEqual([
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    next.spec.serviceName = "nginx";
    next.spec.replicas = 7;
    next.spec.updateStrategy = { type: "OnDelete" };
    expect(statefulsets.validateUpdate!(next, old, ctx)).toEqual([]);
  });

  it("checks the policy names, the retention values and the partition", () => {
    const set = makeSet({
      podManagementPolicy: "Sometimes",
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Keep", whenScaled: "Retain" },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: -1 } },
    });
    expect(statefulsets.validate!(set, ctx).map((e) => `${e.field}: ${e.message}`)).toEqual([
      `spec.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'`,
      "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
      `spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"`,
    ]);
  });
});

describe("the workstation's rollout status of a StatefulSet (statefulSetStatusViewer)", () => {
  const sts = (spec: Obj, status: Obj, generation = 2) => ({
    metadata: { name: "web", generation },
    spec: { replicas: 3, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } }, ...spec },
    status: { observedGeneration: 2, ...status },
  });
  it("waits for the spec, then for readiness, then for the partitioned pods", () => {
    expect(rolloutStatus("StatefulSet", sts({}, { observedGeneration: 1 }))).toEqual({
      text: "Waiting for statefulset spec update to be observed...\n",
      done: false,
    });
    expect(rolloutStatus("StatefulSet", sts({}, { readyReplicas: 1 })).text).toBe("Waiting for 2 pods to be ready...\n");
    const partitioned = { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } };
    expect(rolloutStatus("StatefulSet", sts(partitioned, { readyReplicas: 3, updatedReplicas: 1 }))).toEqual({
      text: "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n",
      done: false,
    });
    expect(rolloutStatus("StatefulSet", sts(partitioned, { readyReplicas: 3, updatedReplicas: 2 }))).toEqual({
      text: "partitioned roll out complete: 2 new pods have been updated...\n",
      done: true,
    });
  });
  it("without rollingUpdate compares the revisions; OnDelete has no status", () => {
    const plain = { updateStrategy: { type: "RollingUpdate" } };
    expect(
      rolloutStatus("StatefulSet", sts(plain, { readyReplicas: 3, updatedReplicas: 1, currentRevision: "web-a", updateRevision: "web-b" }))
        .text,
    ).toBe("waiting for statefulset rolling update to complete 1 pods at revision web-b...\n");
    expect(
      rolloutStatus("StatefulSet", sts(plain, { readyReplicas: 3, currentReplicas: 3, currentRevision: "web-b", updateRevision: "web-b" })),
    ).toEqual({ text: "statefulset rolling update complete 3 pods at revision web-b...\n", done: true });
    expect(() => rolloutStatus("StatefulSet", sts({ updateStrategy: { type: "OnDelete" } }, {}))).toThrow(
      "error: rollout status is only available for RollingUpdate strategy type",
    );
  });
});
