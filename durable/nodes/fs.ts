// The filesystem a container sees: a read-mostly tree computed from the pod (its image's files,
// /etc files the kubelet writes, volumes) with writes kept in memory for the life of the shell.
import type { Obj } from "../resources/types";

export interface VirtualFS {
  read(path: string): string | undefined;
  list(dir: string): string[] | undefined;
  isDir(path: string): boolean;
  write(path: string, data: string): void;
  /** Remove a file (rm); false when there was none. */
  remove?(path: string): boolean;
}

/** "/a/./b/../c/" → "/a/c" (relative paths against `cwd`). */
export function resolvePath(path: string, cwd = "/"): string {
  const parts: string[] = [];
  for (const p of (path.startsWith("/") ? path : `${cwd}/${path}`).split("/")) {
    if (!p || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}

/** An in-memory tree from a map of absolute file paths to contents; directories are implied. */
export class MemoryFS implements VirtualFS {
  private files = new Map<string, string>();
  private dirs = new Set<string>(["/"]);

  constructor(files: Record<string, string> = {}, dirs: string[] = []) {
    for (const d of dirs) this.mkdir(d);
    for (const [p, data] of Object.entries(files)) this.write(p, data);
  }

  mkdir(path: string): void {
    for (let p = resolvePath(path); p !== "/"; p = p.slice(0, p.lastIndexOf("/")) || "/") this.dirs.add(p);
  }

  read(path: string): string | undefined {
    return this.files.get(resolvePath(path));
  }

  isDir(path: string): boolean {
    return this.dirs.has(resolvePath(path));
  }

  list(dir: string): string[] | undefined {
    const d = resolvePath(dir);
    if (!this.dirs.has(d)) return undefined;
    const prefix = d === "/" ? "/" : `${d}/`;
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs])
      if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split("/")[0]);
    return [...names].sort();
  }

  remove(path: string): boolean {
    return this.files.delete(resolvePath(path));
  }

  write(path: string, data: string): void {
    const p = resolvePath(path);
    this.mkdir(p.slice(0, p.lastIndexOf("/")) || "/");
    this.files.set(p, data);
  }
}

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

/** What podFS reads of the cluster (the controllers' Client fits). */
export interface FSReader {
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
}

const decode = (s: string) => {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
};

const BASE_DIRS = ["/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr/bin", "/usr/local/bin", "/usr/sbin", "/var/log"];

/** The files of one volume source, relative to its mount point. */
function volumeFiles(pod: Obj, c: Obj, vol: Obj, reader?: FSReader): Record<string, string> | undefined {
  const ns = pod.metadata?.namespace;
  const pick = (data: Record<string, string>, items?: Obj[]) =>
    items?.length ? Object.fromEntries(items.filter((i) => i.key in data).map((i) => [i.path, data[i.key]])) : data;
  if (vol.configMap) {
    const cm = reader?.get("configmaps", ns, vol.configMap.name);
    return pick({ ...(cm?.data ?? {}), ...Object.fromEntries(Object.entries(cm?.binaryData ?? {}).map(([k, v]) => [k, decode(String(v))])) }, vol.configMap.items);
  }
  if (vol.secret) {
    const s = reader?.get("secrets", ns, vol.secret.secretName);
    return pick(Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, decode(String(v))])), vol.secret.items);
  }
  if (vol.downwardAPI) return downward(pod, c, vol.downwardAPI.items ?? []);
  if (vol.projected) {
    const out: Record<string, string> = {};
    for (const src of (vol.projected.sources ?? []) as Obj[]) {
      if (src.serviceAccountToken) out[src.serviceAccountToken.path] = serviceAccountToken(pod);
      if (src.configMap) Object.assign(out, volumeFiles(pod, c, { configMap: src.configMap }, reader));
      if (src.secret) Object.assign(out, volumeFiles(pod, c, { secret: { ...src.secret, secretName: src.secret.name } }, reader));
      if (src.downwardAPI) Object.assign(out, downward(pod, c, src.downwardAPI.items ?? []));
    }
    return out;
  }
  return undefined; // emptyDir, hostPath, PVCs: an (initially) empty directory
}

function downward(pod: Obj, _c: Obj, items: Obj[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of items) {
    const f = i.fieldRef?.fieldPath as string | undefined;
    if (!f) continue;
    const m = /^metadata\.(labels|annotations)(?:\['(.*)'\])?$/.exec(f);
    if (m) {
      const map: Record<string, string> = pod.metadata?.[m[1]] ?? {};
      out[i.path] = m[2] !== undefined ? map[m[2]] ?? "" : Object.entries(map).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n");
    } else out[i.path] = String(f.split(".").reduce((o: Obj, k) => o?.[k], pod) ?? "");
  }
  return out;
}

/** A bound service-account token's shape (header.claims.signature); it is not signed by the API server. */
function serviceAccountToken(pod: Obj): string {
  const enc = (o: Obj) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const ns = pod.metadata?.namespace;
  const sa = pod.spec?.serviceAccountName ?? "default";
  return `${enc({ alg: "RS256", kid: "kubeplay" })}.${enc({ aud: ["https://kubernetes.default.svc.cluster.local"], iss: "https://kubernetes.default.svc.cluster.local", sub: `system:serviceaccount:${ns}:${sa}`, kubernetes_io: { namespace: ns, pod: { name: pod.metadata?.name, uid: pod.metadata?.uid }, serviceaccount: { name: sa } } })}.unsigned`;
}

/**
 * The filesystem of a container: base directories, the image's files, the kubelet's /etc files and
 * the container's volume mounts (ConfigMap, Secret, downward API, projected token; emptyDir and
 * others as empty writable directories). Writes live as long as this object.
 */
export function podFS(pod: Obj, container: Obj, reader?: FSReader, imageFiles: Record<string, string> = {}): VirtualFS {
  const hostname = pod.spec?.hostname ?? pod.metadata?.name ?? "localhost";
  const fs = new MemoryFS({ ...imageFiles, ...kubeletFiles(pod, hostname) }, BASE_DIRS);
  const volumes = new Map<string, Obj>(((pod.spec?.volumes ?? []) as Obj[]).map((v) => [v.name, v]));
  for (const m of (container?.volumeMounts ?? []) as Obj[]) {
    const vol = volumes.get(m.name);
    if (!vol) continue;
    const files = volumeFiles(pod, container, vol, reader) ?? {};
    if (!m.subPath) fs.mkdir(m.mountPath);
    else {
      const data = files[m.subPath];
      if (data !== undefined) fs.write(m.mountPath, data);
      else fs.mkdir(m.mountPath);
      continue;
    }
    for (const [p, data] of Object.entries(files)) fs.write(`${m.mountPath}/${p}`, data);
  }
  return fs;
}
