// Storage with the real kubectl: the default local-path StorageClass, the docs' "Configure a Pod to
// Use a PersistentVolume for Storage" task (a hostPath volume, a claim, nginx serving what was written
// there, after its pod is replaced too), a claim of the default class that waits for its first pod and
// is then provisioned, in-use protection, the reclaim policies, the scheduler's verdicts on claims, and
// the API server's refusals of invalid objects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }] });
});

after(async () => {
  await server?.stop();
});

/** Ages differ from run to run; nothing else may. */
const aged = (text) => text.replace(/(?<=\s)\d+(?:s|m|h)(?:\d+s)?(?=\s*$|\s)/gm, "<age>");
const json = (out) => JSON.parse(out);
/** kubectl 1.33, the version the workstation's kubectl follows. */
const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
/** A manifest through `kubectl apply -f -`. */
const apply = (yaml) => k(["apply", "-f", "-"], { input: yaml });

const TASK_PV = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
`;
const TASK_PVC = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
`;
const TASK_POD = `apiVersion: v1
kind: Pod
metadata:
  name: task-pv-pod
spec:
  volumes:
    - name: task-pv-storage
      persistentVolumeClaim:
        claimName: task-pv-claim
  containers:
    - name: task-pv-container
      image: nginx
      ports:
        - containerPort: 80
          name: "http-server"
      volumeMounts:
        - mountPath: "/usr/share/nginx/html"
          name: task-pv-storage
`;

const WRITER = `apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "cat /data/hello 2>/dev/null; sleep 3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
`;

test("a fresh cluster has the local-path provisioner running and local-path as its default StorageClass", async () => {
  assert.equal(
    aged(k("get sc")),
    "NAME                   PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n" +
      "local-path (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  <age>\n",
  );
  assert.match(k("get pods -n local-path-storage"), /^local-path-provisioner-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s/m);
  assert.equal(k("get pv").trim(), "");
  assert.equal(kubectl("get pv").stderr, "No resources found\n");
});

test("the docs' task: a hostPath PersistentVolume, a claim bound to it, nginx serving what a pod wrote there, after the pod is replaced", async () => {
  assert.equal(apply(TASK_PV), "persistentvolume/task-pv-volume created\n");
  await eventually(() => json(k("get pv task-pv-volume -o json")).status.phase === "Available");
  assert.equal(
    aged(k("get pv task-pv-volume")),
    "NAME             CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n" +
      "task-pv-volume   10Gi       RWO            Retain           Available           manual         <unset>                          <age>\n",
  );
  assert.equal(apply(TASK_PVC), "persistentvolumeclaim/task-pv-claim created\n");
  await eventually(() => json(k("get pvc task-pv-claim -o json")).status.phase === "Bound");
  assert.equal(
    aged(k("get pv task-pv-volume")),
    "NAME             CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM                   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n" +
      "task-pv-volume   10Gi       RWO            Retain           Bound    default/task-pv-claim   manual         <unset>                          <age>\n",
  );
  assert.equal(
    aged(k("get pvc task-pv-claim")),
    "NAME            STATUS   VOLUME           CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\n" +
      "task-pv-claim   Bound    task-pv-volume   10Gi       RWO            manual         <unset>                 <age>\n",
  );
  const claim = json(k("get pvc task-pv-claim -o json"));
  assert.deepEqual(claim.metadata.annotations["pv.kubernetes.io/bind-completed"], "yes");
  assert.deepEqual(claim.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
  assert.deepEqual(claim.status, { accessModes: ["ReadWriteOnce"], capacity: { storage: "10Gi" }, phase: "Bound" });
  const volume = json(k("get pv task-pv-volume -o json"));
  assert.deepEqual(volume.spec.claimRef.uid, claim.metadata.uid);
  assert.deepEqual(volume.metadata.finalizers, ["kubernetes.io/pv-protection"]);

  assert.equal(apply(TASK_POD), "pod/task-pv-pod created\n");
  k("wait --for=condition=Ready pod/task-pv-pod --timeout=60s");
  k(["exec", "task-pv-pod", "--", "sh", "-c", "echo 'Hello from Kubernetes storage' > /usr/share/nginx/html/index.html"]);
  assert.equal(k("exec task-pv-pod -- curl -s http://localhost/"), "Hello from Kubernetes storage\n");
  k("delete pod task-pv-pod");
  apply(TASK_POD);
  k("wait --for=condition=Ready pod/task-pv-pod --timeout=60s");
  assert.equal(k("exec task-pv-pod -- curl -s http://localhost/"), "Hello from Kubernetes storage\n");
  // The volume is a directory of the pod's node: the node itself shows the file there.
  const node = json(k("get pod task-pv-pod -o json")).spec.nodeName;
  const shown = kubectl(["debug", `node/${node}`, "-i", "--image=busybox", "--", "cat", "/host/mnt/data/index.html"]);
  assert.match(shown.stdout, /Hello from Kubernetes storage/);
});

test("a claim of the default class waits for its first pod, then gets a provisioned pvc-<uid> volume on that pod's node", async () => {
  apply(`apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 128Mi
`);
  const pending = json(k("get pvc data -o json"));
  assert.equal(pending.spec.storageClassName, "local-path"); // the DefaultStorageClass admission plugin
  assert.equal(pending.spec.volumeMode, "Filesystem");
  assert.equal(
    aged(k("get pvc data")),
    "NAME   STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\n" +
      "data   Pending                                      local-path     <unset>                 <age>\n",
  );
  const waiting = await eventually(() => {
    const out = k("describe pvc data");
    return /WaitForFirstConsumer/.test(out) && out;
  });
  assert.match(
    waiting,
    /\nEvents:\n {2}Type {4}Reason {16}Age {3}From {25}Message\n {2}---- {4}------ {16}---- {2}---- {25}-------\n {2}Normal {2}WaitForFirstConsumer {2}\S+ +persistentvolume-controller {2}waiting for first consumer to be created before binding\n$/,
  );
  assert.match(waiting, /\nUsed By: +<none>\n/);

  apply(WRITER);
  k("wait --for=condition=Ready pod/writer --timeout=60s");
  const bound = json(k("get pvc data -o json"));
  const pvName = `pvc-${bound.metadata.uid}`;
  assert.equal(bound.spec.volumeName, pvName);
  const node = json(k("get pod writer -o json")).spec.nodeName;
  assert.equal(bound.metadata.annotations["volume.kubernetes.io/selected-node"], node);
  assert.equal(bound.metadata.annotations["volume.kubernetes.io/storage-provisioner"], "rancher.io/local-path");
  const pv = json(k(`get pv ${pvName} -o json`));
  assert.deepEqual(pv.spec.hostPath, { path: `/var/lib/rancher/k3s/storage/${pvName}_default_data`, type: "DirectoryOrCreate" });
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms, [
    { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
  ]);
  assert.equal(pv.metadata.annotations["pv.kubernetes.io/provisioned-by"], "rancher.io/local-path");
  assert.equal(
    aged(k(`get pv ${pvName}`)),
    "NAME                                       CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM          STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n" +
      `${pvName}   128Mi      RWO            Delete           Bound    default/data   local-path     <unset>                          <age>\n`,
  );
  const described = k("describe pvc data");
  assert.match(described, /\nStatus: +Bound\n/);
  assert.match(described, /\nUsed By: +writer\n/);
  const reasons = [...described.slice(described.indexOf("\nEvents:")).matchAll(/^ {2}Normal {2}(\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(reasons, ["WaitForFirstConsumer", "ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]);
  assert.match(
    described,
    /ExternalProvisioning .* {2}Waiting for a volume to be created either by the external provisioner 'rancher\.io\/local-path' or manually by the system administrator\. If volume creation is delayed, please verify that your external provisioner is running and correctly registered\.\n/,
  );
  assert.match(
    described,
    /Provisioning .* rancher\.io\/local-path_local-path-provisioner-\S+ {2}External provisioner is provisioning volume for claim "default\/data"\n/,
  );
  assert.match(described, new RegExp(`ProvisioningSucceeded .* {2}Successfully provisioned volume ${pvName}\\n`));

  // What a pod writes there is what the next pod using the claim starts with.
  k(["exec", "writer", "--", "sh", "-c", "echo kept > /data/hello"]);
  k("delete pod writer --grace-period=0 --force");
  apply(WRITER);
  k("wait --for=condition=Ready pod/writer --timeout=60s");
  assert.equal(k("logs writer"), "kept\n");

  // In-use protection: the claim stays Terminating while its pod exists; reclaim Delete then removes the volume.
  assert.equal(k("delete pvc data --wait=false"), 'persistentvolumeclaim "data" deleted\n');
  assert.match(k("get pvc data"), /\ndata\s+Terminating\s+pvc-/);
  assert.match(k("describe pvc data"), /\nStatus: +Terminating \(lasts \S+\)\n/);
  assert.equal(json(k(`get pv ${pvName} -o json`)).status.phase, "Bound");
  k("delete pod writer --grace-period=0 --force");
  await eventually(() => kubectl("get pvc data").code === 1);
  await eventually(() => kubectl(`get pv ${pvName}`).stderr === `Error from server (NotFound): persistentvolumes "${pvName}" not found\n`);
});

test("reclaim policy Retain: a volume whose claim is deleted stays, Released, with its claimRef", async () => {
  k("delete pod task-pv-pod --grace-period=0 --force");
  k("delete pvc task-pv-claim");
  await eventually(() => json(k("get pv task-pv-volume -o json")).status.phase === "Released");
  assert.equal(
    aged(k("get pv task-pv-volume")),
    "NAME             CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS     CLAIM                   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE\n" +
      "task-pv-volume   10Gi       RWO            Retain           Released   default/task-pv-claim   manual         <unset>                          <age>\n",
  );
  // A new claim does not get a Released volume.
  apply(TASK_PVC);
  await eventually(() => /ProvisioningFailed/.test(k("describe pvc task-pv-claim")));
  assert.match(
    k("describe pvc task-pv-claim"),
    /Warning {2}ProvisioningFailed .* persistentvolume-controller {2}storageclass\.storage\.k8s\.io "manual" not found\n/,
  );
  assert.equal(json(k("get pvc task-pv-claim -o json")).status.phase, "Pending");
  k("delete pvc task-pv-claim");
});

test("the scheduler: a pod with an unbound claim of an Immediate class, or a missing claim, stays Pending with the real message", async () => {
  apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/fast
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: fast-claim
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: uses-fast
spec:
  containers:
  - {name: app, image: nginx, volumeMounts: [{name: d, mountPath: /d}]}
  volumes:
  - {name: d, persistentVolumeClaim: {claimName: fast-claim}}
---
apiVersion: v1
kind: Pod
metadata:
  name: uses-missing
spec:
  containers:
  - {name: app, image: nginx, volumeMounts: [{name: d, mountPath: /d}]}
  volumes:
  - {name: d, persistentVolumeClaim: {claimName: x}}
`);
  const failed = (pod) =>
    eventually(() => {
      const events = json(k(`get events --field-selector involvedObject.name=${pod},reason=FailedScheduling -o json`)).items;
      return events[0]?.message;
    });
  assert.equal(
    await failed("uses-fast"),
    "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  );
  assert.equal(
    await failed("uses-missing"),
    '0/2 nodes are available: persistentvolumeclaim "x" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
  );
  assert.match(k("get pod uses-fast"), /uses-fast\s+0\/1\s+Pending/);
  assert.match(
    k("describe pvc fast-claim"),
    /Normal {2}ExternalProvisioning .* {2}Waiting for a volume to be created either by the external provisioner 'example\.com\/fast' or manually by the system administrator\./,
  );
  // A volume made by hand for the claim binds it, and the pod goes on.
  apply(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: fast-by-hand
spec:
  storageClassName: fast
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /srv/fast}
`);
  k("wait --for=condition=Ready pod/uses-fast --timeout=60s");
  assert.equal(json(k("get pvc fast-claim -o json")).spec.volumeName, "fast-by-hand");
  k("delete pod uses-fast uses-missing --grace-period=0 --force");
});

test("invalid objects get the API server's 422 messages", () => {
  const refused = (yaml) => kubectl(["apply", "-f", "-"], { input: yaml });
  const pv = refused(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: bad-pv
spec:
  accessModes: [ReadWriteSometimes]
  persistentVolumeReclaimPolicy: Keep
`);
  assert.equal(pv.code, 1);
  assert.equal(
    pv.stderr,
    'The PersistentVolume "bad-pv" is invalid: \n' +
      '* spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"\n' +
      "* spec.capacity: Required value\n" +
      '* spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"\n' +
      '* spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"\n' +
      "* spec: Required value: must specify a volume type\n",
  );
  const pvc = refused(`apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: bad-claim
spec:
  resources:
    requests:
      storage: 0Gi
`);
  assert.equal(
    pvc.stderr,
    'The PersistentVolumeClaim "bad-claim" is invalid: \n' +
      "* spec.accessModes: Required value: at least 1 access mode is required\n" +
      '* spec.resources[storage]: Invalid value: "0": must be greater than zero\n',
  );
  const sc = refused(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: bad-sc
provisioner: ""
reclaimPolicy: Recycle
volumeBindingMode: Later
`);
  assert.equal(
    sc.stderr,
    'The StorageClass "bad-sc" is invalid: \n' +
      "* provisioner: Required value\n" +
      '* reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"\n' +
      '* volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"\n',
  );
  // A claim's spec is immutable once created, but for what a bound claim may grow.
  apply(`apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: fixed
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`);
  const changed = kubectl(["patch", "pvc", "fixed", "-p", '{"spec":{"accessModes":["ReadWriteMany"]}}']);
  assert.equal(changed.code, 1);
  assert.match(
    changed.stderr,
    /^The PersistentVolumeClaim "fixed" is invalid: spec: Forbidden: spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims\n/,
  );
  const sclass = kubectl(["patch", "sc", "local-path", "-p", '{"reclaimPolicy":"Retain"}']);
  assert.equal(
    sclass.stderr,
    'The StorageClass "local-path" is invalid: reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.\n',
  );
});
