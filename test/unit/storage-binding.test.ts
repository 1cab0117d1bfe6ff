// Which volume a claim gets (durable/controllers/pvmatch.ts, after component-helpers' FindMatchingVolume
// and the PV controller's access-mode index) and what the scheduler's VolumeBinding plugin says
// (durable/scheduler/volumebinding.ts): pure functions over objects, checked case by case.
import { describe, expect, it } from "vitest";
import type { Obj } from "../../durable/resources/types";
import {
  checkNodeAffinity,
  findBestMatchForClaim,
  findMatchingVolume,
  isVolumeBoundToClaim,
  volumeBoundTo,
} from "../../durable/controllers/pvmatch";
import { filterNode, preFilter, type VolumeReader } from "../../durable/scheduler/volumebinding";
import { accessModesString, defaultClass } from "../../durable/resources/storagehelpers";

function pv(name: string, storage: string, extra: Obj = {}): Obj {
  const { labels, phase, ...spec } = extra;
  return {
    metadata: { name, labels },
    spec: { capacity: { storage }, accessModes: ["ReadWriteOnce"], storageClassName: "", volumeMode: "Filesystem", ...spec },
    status: { phase: phase ?? "Available" },
  };
}

function claim(storage: string, extra: Obj = {}): Obj {
  return {
    metadata: { name: "data", namespace: "default", uid: "claim-uid", resourceVersion: "7" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage } },
      storageClassName: "",
      volumeMode: "Filesystem",
      ...extra,
    },
  };
}

const names = (v: Obj | undefined) => v?.metadata.name;

describe("findMatchingVolume", () => {
  it("takes the smallest volume that fits, comparing quantities exactly across units", () => {
    const volumes = [pv("big", "10Gi"), pv("small", "1Gi"), pv("exact", "3Gi"), pv("tiny", "500Mi"), pv("decimal", "3G")];
    expect(names(findMatchingVolume(claim("3Gi"), volumes))).toBe("exact");
    // 3G (3·10^9) is less than 3Gi (3·2^30): it does not fit a 3Gi claim, but it is the smallest for 2G.
    expect(names(findMatchingVolume(claim("2G"), volumes))).toBe("decimal");
    expect(findMatchingVolume(claim("20Gi"), volumes)).toBeUndefined();
  });

  it("matches only Available volumes of the claim's class and volume mode", () => {
    const volumes = [
      pv("manual", "5Gi", { storageClassName: "manual" }),
      pv("released", "1Gi", { phase: "Released" }),
      pv("block", "1Gi", { volumeMode: "Block" }),
      pv("plain", "8Gi"),
    ];
    expect(names(findMatchingVolume(claim("1Gi", { storageClassName: "manual" }), volumes))).toBe("manual");
    expect(names(findMatchingVolume(claim("1Gi"), volumes))).toBe("plain");
    expect(names(findMatchingVolume(claim("1Gi", { volumeMode: "Block" }), volumes))).toBe("block");
  });

  it("honours the claim's label selector", () => {
    const volumes = [pv("fast", "2Gi", { labels: { tier: "fast" } }), pv("slow", "1Gi", { labels: { tier: "slow" } })];
    const c = claim("1Gi", { selector: { matchLabels: { tier: "fast" } } });
    expect(names(findMatchingVolume(c, volumes))).toBe("fast");
    const none = claim("1Gi", { selector: { matchExpressions: [{ key: "tier", operator: "In", values: ["gold"] }] } });
    expect(findMatchingVolume(none, volumes)).toBeUndefined();
  });

  it("a volume pre-bound to the claim wins over a smaller one, unless it is too small; one bound elsewhere never matches", () => {
    const mine = pv("mine", "5Gi", { claimRef: { name: "data", namespace: "default" }, phase: "Available" });
    const other = pv("other", "1Gi", { claimRef: { name: "x", namespace: "default", uid: "x-uid" } });
    const small = pv("small", "1Gi");
    expect(names(findMatchingVolume(claim("1Gi"), [small, other, mine]))).toBe("mine");
    expect(names(findMatchingVolume(claim("8Gi"), [small, mine]))).toBeUndefined();
    // A claimRef with another claim's uid is not ours, even with the same name.
    const stale = pv("stale", "5Gi", { claimRef: { name: "data", namespace: "default", uid: "old-uid" } });
    expect(isVolumeBoundToClaim(stale, claim("1Gi"))).toBe(false);
    expect(names(findMatchingVolume(claim("1Gi"), [stale, small]))).toBe("small");
  });

  it("the PV controller's delayed binding matches pre-bound volumes only; the scheduler's checks node and access modes", () => {
    const node01 = { metadata: { name: "node01", labels: { "kubernetes.io/hostname": "node01" } } };
    const node02 = { metadata: { name: "node02", labels: { "kubernetes.io/hostname": "node02" } } };
    const affinity = {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node01"] }] }] },
    };
    const local = pv("local", "5Gi", { nodeAffinity: affinity });
    const rwx = pv("rwx", "5Gi", { accessModes: ["ReadWriteMany"] });
    expect(findMatchingVolume(claim("1Gi"), [local], { delayBinding: true })).toBeUndefined();
    expect(names(findMatchingVolume(claim("1Gi"), [local], { node: node01, delayBinding: true }))).toBe("local");
    expect(findMatchingVolume(claim("1Gi"), [local], { node: node02, delayBinding: true })).toBeUndefined();
    expect(findMatchingVolume(claim("1Gi"), [rwx], { node: node01 })).toBeUndefined();
    expect(checkNodeAffinity(local, node01)).toBe(true);
    expect(checkNodeAffinity(local, node02)).toBe(false);
  });
});

describe("findBestMatchForClaim: the access-mode index", () => {
  it("searches the sets of modes holding every requested mode, fewest modes first", () => {
    // The RWO+ROX volume is bigger, but its set is the closest to what the claim asked for.
    const volumes = [
      pv("many", "1Gi", { accessModes: ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"] }),
      pv("two", "5Gi", { accessModes: ["ReadWriteOnce", "ReadOnlyMany"] }),
      pv("rox", "1Gi", { accessModes: ["ReadOnlyMany"] }),
    ];
    expect(names(findBestMatchForClaim(claim("1Gi"), volumes))).toBe("two");
    expect(names(findBestMatchForClaim(claim("1Gi", { accessModes: ["ReadWriteMany"] }), volumes))).toBe("many");
    expect(findBestMatchForClaim(claim("1Gi", { accessModes: ["ReadWriteOncePod"] }), volumes)).toBeUndefined();
    expect(accessModesString(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce", "ReadOnlyMany"])).toBe("RWO,ROX,RWX");
  });
});

describe("binding a volume to a claim (GetBindVolumeToClaim)", () => {
  it("sets the claimRef with the claim's uid and marks the binding as the controller's", () => {
    const bound = volumeBoundTo(pv("v", "1Gi"), claim("1Gi"));
    expect(bound?.spec.claimRef).toEqual({
      kind: "PersistentVolumeClaim",
      namespace: "default",
      name: "data",
      uid: "claim-uid",
      apiVersion: "v1",
      resourceVersion: "7",
    });
    expect(bound?.metadata.annotations).toEqual({ "pv.kubernetes.io/bound-by-controller": "yes" });
    // A user's pre-binding gets the uid, not the annotation; a finished binding is left alone.
    const prebound = volumeBoundTo(pv("v", "1Gi", { claimRef: { name: "data", namespace: "default" } }), claim("1Gi"));
    expect(prebound?.metadata.annotations).toBeUndefined();
    expect(prebound?.spec.claimRef.uid).toBe("claim-uid");
    expect(volumeBoundTo(bound!, claim("1Gi"))).toBeUndefined();
  });
});

describe("the default StorageClass", () => {
  it("is the newest class marked default, then the first by name", () => {
    const sc = (name: string, at: string, def = true) => ({
      metadata: { name, creationTimestamp: at, annotations: def ? { "storageclass.kubernetes.io/is-default-class": "true" } : {} },
    });
    expect(
      defaultClass([sc("old", "2025-01-01T00:00:00Z"), sc("new", "2025-02-01T00:00:00Z"), sc("newest", "2025-03-01T00:00:00Z", false)])
        ?.metadata.name,
    ).toBe("new");
    expect(defaultClass([sc("b", "2025-01-01T00:00:00Z"), sc("a", "2025-01-01T00:00:00Z")])?.metadata.name).toBe("a");
    expect(defaultClass([sc("x", "2025-01-01T00:00:00Z", false)])).toBeUndefined();
  });
});

describe("the scheduler's VolumeBinding plugin", () => {
  const classes: Record<string, Obj> = {
    fast: { metadata: { name: "fast" }, provisioner: "example.com/fast", volumeBindingMode: "Immediate" },
    "local-path": { metadata: { name: "local-path" }, provisioner: "rancher.io/local-path", volumeBindingMode: "WaitForFirstConsumer" },
    "local-storage": {
      metadata: { name: "local-storage" },
      provisioner: "kubernetes.io/no-provisioner",
      volumeBindingMode: "WaitForFirstConsumer",
    },
  };
  const reader = (claims: Obj[], volumes: Obj[] = []): VolumeReader => ({
    claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    storageClass: (name) => classes[name],
    volumes: () => volumes,
  });
  const pod = (...claimNames: string[]): Obj => ({
    metadata: { name: "p", namespace: "default" },
    spec: { volumes: claimNames.map((n, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: n } })) },
  });
  const named = (name: string, extra: Obj = {}, meta: Obj = {}) => {
    const c = claim("1Gi", extra);
    c.metadata = { ...c.metadata, name, uid: `${name}-uid`, ...meta };
    return c;
  };
  const node01 = { metadata: { name: "node01", labels: { "kubernetes.io/hostname": "node01" } } };

  it("PreFilter: a pod without claims is skipped; a missing, deleting or unbound immediate claim rejects it", () => {
    expect(preFilter({ metadata: { name: "p" }, spec: { volumes: [{ name: "e", emptyDir: {} }] } }, reader([]))).toBeUndefined();
    expect(preFilter(pod("x"), reader([]))).toEqual({ reject: 'persistentvolumeclaim "x" not found' });
    const deleting = named("gone", {}, { deletionTimestamp: "2025-01-01T00:00:00Z" });
    expect(preFilter(pod("gone"), reader([deleting]))).toEqual({ reject: 'persistentvolumeclaim "gone" is being deleted' });
    expect(preFilter(pod("f"), reader([named("f", { storageClassName: "fast" })]))).toEqual({
      reject: "pod has unbound immediate PersistentVolumeClaims",
    });
  });

  it("Filter: a WaitForFirstConsumer claim provisions where its class can, or binds a matching local volume, or conflicts", () => {
    const wffc = named("w", { storageClassName: "local-path" });
    const plan = filterNode((preFilter(pod("w"), reader([wffc])) as { claims: never }).claims, node01, reader([wffc]));
    expect(plan.reasons).toEqual([]);
    expect(plan.provisions.map((c) => c.metadata.name)).toEqual(["w"]);
    const manual = named("m", { storageClassName: "local-storage" });
    const none = filterNode((preFilter(pod("m"), reader([manual])) as { claims: never }).claims, node01, reader([manual]));
    expect(none.reasons).toEqual(["node(s) didn't find available persistent volumes to bind"]);
    const disk = pv("disk", "2Gi", { storageClassName: "local-storage" });
    const matched = filterNode(
      (preFilter(pod("m"), reader([manual], [disk])) as { claims: never }).claims,
      node01,
      reader([manual], [disk]),
    );
    expect(matched.bindings.map((b) => b.volume.metadata.name)).toEqual(["disk"]);
  });

  it("Filter: a bound claim's volume must fit the node", () => {
    const affinity = {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node02"] }] }] },
    };
    const volume = pv("there", "1Gi", { nodeAffinity: affinity });
    const bound = named("b", { volumeName: "there" }, { annotations: { "pv.kubernetes.io/bind-completed": "yes" } });
    const r = reader([bound], [volume]);
    const claims = (preFilter(pod("b"), r) as { claims: never }).claims;
    expect(filterNode(claims, node01, r).reasons).toEqual(["node(s) had volume node affinity conflict"]);
    expect(filterNode(claims, node01, reader([bound], [])).reasons).toEqual([
      "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)",
    ]);
  });
});
