// The read-mostly base a pod gives a container (image files, the kubelet's /etc files, volumes).
// The whole view with its writes over time is files.ts; the filesystem types are durable/fs.
import type { Obj } from "../../resources/types";
import { MemoryFS, resolvePath } from "../../fs";
import type { FileStore } from "./files";
import type { ServiceAccountTokens } from "../../api/tokens";
import { hostPathFiles } from "./hostfs";

/** The /etc files every container gets from the kubelet. */
export function kubeletFiles(pod: Obj | undefined, hostname: string): Record<string, string> {
  const ns = pod?.metadata?.namespace ?? "default";
  const ip = pod?.status?.podIP ?? "127.0.0.1";
  return {
    "/etc/hostname": `${hostname}\n`,
    "/etc/hosts":
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n" +
      `${ip}\t${hostname}\n`,
    "/etc/resolv.conf": `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
  };
}

/** What podFS reads of the cluster (the controllers' Client fits); `files`, the cluster's stored writes. */
export interface FSReader {
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
  readonly files?: FileStore;
  /** Signs the projected service-account tokens (durable/api/tokens.ts). */
  readonly tokens?: ServiceAccountTokens;
}

const decode = (s: string): Uint8Array => {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array(0);
  }
};

type Data = string | Uint8Array;

const BASE_DIRS = [
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/media",
  "/mnt",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/tmp",
  "/usr/bin",
  "/usr/local/bin",
  "/usr/sbin",
  "/var/log",
];

/** What containerd gives every container in /dev (character devices, the std streams, the
 *  kubelet's termination-log mount), as empty entries: reading one gives nothing, writing is lost. */
const DEV: Record<string, string> = Object.fromEntries(
  ["null", "zero", "full", "random", "urandom", "tty", "ptmx", "stdin", "stdout", "stderr", "core", "termination-log"].map((d) => [
    `/dev/${d}`,
    "",
  ]),
);
const DEV_DIRS = ["/dev/fd", "/dev/pts", "/dev/shm", "/dev/mqueue"];

/** The files of one volume source, relative to its mount point. */
function volumeFiles(pod: Obj, c: Obj, vol: Obj, reader?: FSReader): Record<string, Data> | undefined {
  const ns = pod.metadata?.namespace;
  const pick = (data: Record<string, Data>, items?: Obj[]) =>
    items?.length ? Object.fromEntries(items.filter((i) => i.key in data).map((i) => [i.path, data[i.key]])) : data;
  if (vol.configMap) {
    const cm = reader?.get("configmaps", ns, vol.configMap.name);
    return pick(
      { ...(cm?.data ?? {}), ...Object.fromEntries(Object.entries(cm?.binaryData ?? {}).map(([k, v]) => [k, decode(String(v))])) },
      vol.configMap.items,
    );
  }
  if (vol.secret) {
    const s = reader?.get("secrets", ns, vol.secret.secretName);
    return pick(Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, decode(String(v))])), vol.secret.items);
  }
  if (vol.downwardAPI) return downward(pod, c, vol.downwardAPI.items ?? []);
  if (vol.projected) {
    const out: Record<string, Data> = {};
    for (const src of (vol.projected.sources ?? []) as Obj[]) {
      // The kubelet writes the token the API server signed for this pod; without a signer, none.
      const token = src.serviceAccountToken && reader?.tokens?.projected(pod, src.serviceAccountToken);
      if (token) out[src.serviceAccountToken.path] = token;
      if (src.configMap) Object.assign(out, volumeFiles(pod, c, { configMap: src.configMap }, reader));
      if (src.secret) Object.assign(out, volumeFiles(pod, c, { secret: { ...src.secret, secretName: src.secret.name } }, reader));
      if (src.downwardAPI) Object.assign(out, downward(pod, c, src.downwardAPI.items ?? []));
    }
    return out;
  }
  if (vol.hostPath) return hostPathFiles(pod.spec?.nodeName, vol.hostPath.path ?? "/", reader);
  // A claim bound to a volume on the node shows that directory of the node.
  if (vol.persistentVolumeClaim) {
    const pvc = reader?.get("persistentvolumeclaims", pod.metadata?.namespace, vol.persistentVolumeClaim.claimName);
    const pv = pvc?.spec?.volumeName ? reader?.get("persistentvolumes", undefined, pvc.spec.volumeName) : undefined;
    const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
    if (path) return hostPathFiles(pod.spec?.nodeName, path, reader);
  }
  return undefined; // emptyDir, other claims: an (initially) empty directory (files.ts adds what was written)
}

function downward(pod: Obj, _c: Obj, items: Obj[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of items) {
    const f = i.fieldRef?.fieldPath as string | undefined;
    if (!f) continue;
    const m = /^metadata\.(labels|annotations)(?:\['(.*)'\])?$/.exec(f);
    if (m) {
      const map: Record<string, string> = pod.metadata?.[m[1]] ?? {};
      out[i.path] =
        m[2] !== undefined
          ? (map[m[2]] ?? "")
          : Object.entries(map)
              .sort()
              .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
              .join("\n");
    } else out[i.path] = String(f.split(".").reduce((o: Obj, k) => o?.[k], pod) ?? "");
  }
  return out;
}

/** Where a volume is mounted in a container; `readOnly` as the kubelet mounts it. */
export interface Mount {
  path: string;
  volume: string;
  subPath?: string;
  readOnly: boolean;
}

/** Volumes the kubelet writes atomically (ConfigMap, Secret, downward API, projected) are always read-only. */
const ATOMIC = ["configMap", "secret", "downwardAPI", "projected"];

/** A container's volume mounts of volumes the pod has, longest path first (the one that shadows). */
export function podMounts(pod: Obj, container: Obj): Mount[] {
  const volumes = new Map<string, Obj>(((pod.spec?.volumes ?? []) as Obj[]).map((v) => [v.name, v]));
  return ((container?.volumeMounts ?? []) as Obj[])
    .filter((m) => volumes.has(m.name))
    .map((m) => ({
      path: resolvePath(m.mountPath),
      volume: m.name,
      subPath: m.subPath || undefined,
      readOnly: !!m.readOnly || ATOMIC.some((k) => volumes.get(m.name)![k]) || !!volumes.get(m.name)!.persistentVolumeClaim?.readOnly,
    }))
    .sort((a, b) => b.path.length - a.path.length);
}

/**
 * The filesystem of a container as it starts: base directories, the image's files, the kubelet's /etc
 * files and the container's volume mounts (ConfigMap, Secret, downward API, projected token; emptyDir
 * and others as empty directories). Writes live as long as this object (files.ts keeps them).
 */
export function podFS(pod: Obj, container: Obj, reader?: FSReader, imageFiles: Record<string, string> = {}): MemoryFS {
  const hostname = (pod.spec?.hostNetwork ? pod.spec?.nodeName : pod.spec?.hostname) ?? pod.metadata?.name ?? "localhost";
  const fs = new MemoryFS({ ...imageFiles, ...kubeletFiles(pod, hostname), ...DEV }, [...BASE_DIRS, ...DEV_DIRS]);
  fs.chmod("/tmp", 0o1777);
  const fsGroup = pod.spec?.securityContext?.fsGroup as number | undefined;
  const put = (p: string, data: Data) => (typeof data === "string" ? fs.write(p, data) : fs.writeBytes(p, data));
  const volumes = new Map<string, Obj>(((pod.spec?.volumes ?? []) as Obj[]).map((v) => [v.name, v]));
  for (const m of [...podMounts(pod, container)].reverse()) {
    const files = volumeFiles(pod, container, volumes.get(m.volume)!, reader) ?? {};
    fs.removeTree(m.path); // a mount hides what the image has there
    if (m.subPath) {
      const data = files[m.subPath];
      if (data !== undefined) put(m.path, data);
      else fs.mkdir(m.path);
      continue;
    }
    fs.mkdir(m.path);
    for (const [p, data] of Object.entries(files)) put(`${m.path}/${p}`, data);
    // An emptyDir is made 0777; with an fsGroup the kubelet gives it that group and setgid (SetVolumeOwnership).
    if (volumes.get(m.volume)!.emptyDir) {
      fs.chmod(m.path, fsGroup === undefined ? 0o777 : 0o2777);
      if (fsGroup !== undefined) fs.chown(m.path, 0, fsGroup);
    }
  }
  return fs;
}
