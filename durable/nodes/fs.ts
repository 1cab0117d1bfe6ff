// The filesystem a container sees. VirtualFS is what the shell uses; MemoryFS an in-memory tree (of
// text or bytes); podFS the read-mostly base a pod gives a container (image files, the kubelet's /etc
// files, volumes). The whole view with its writes over time is durable/nodes/files.ts.
import type { Obj } from "../resources/types";
import type { FileStore } from "./files";
import type { ServiceAccountTokens } from "../api/tokens";
import { hostPathFiles } from "./hostfs";

export interface VirtualFS {
  /** A file as UTF-8 text (what the shell reads). */
  read(path: string): string | undefined;
  list(dir: string): string[] | undefined;
  isDir(path: string): boolean;
  /** Write a file (text); may throw FSError (EROFS, EISDIR, ENOSPC). */
  write(path: string, data: string): void;
  /** Remove a file (rm); false when there was none. */
  remove?(path: string): boolean;
  /** A file's bytes (tar, cat): binary-safe. */
  readBytes?(path: string): Uint8Array | undefined;
  writeBytes?(path: string, data: Uint8Array): void;
  /** Create a directory and its parents (mkdir -p). */
  mkdir?(path: string): void;
  /** Remove a directory and everything under it (rm -r). */
  removeTree?(path: string): boolean;
  /** Modification time (ms) and permission bits, when known. */
  stat?(path: string): { dir: boolean; size: number; mtime?: number; mode?: number } | undefined;
}

const ERRNO = { EROFS: "Read-only file system", ENOENT: "No such file or directory", EISDIR: "Is a directory", ENOTDIR: "Not a directory", ENOSPC: "No space left on device", EBUSY: "Device or resource busy" } as const;

/** A failed filesystem call, with the C library's message (strerror) as `message`. */
export class FSError extends Error {
  constructor(
    readonly code: keyof typeof ERRNO,
    readonly path: string,
  ) {
    super(ERRNO[code]);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const utf8 = (b: Uint8Array) => dec.decode(b);
export const bytesOf = (s: string) => enc.encode(s);

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

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

/** A file's content, kept in the form it was written and converted once when read the other way. */
interface Entry {
  text?: string;
  bytes?: Uint8Array;
  mtime?: number;
}

/** An in-memory tree from a map of absolute file paths to contents; directories are implied. */
export class MemoryFS implements VirtualFS {
  private files = new Map<string, Entry>();
  private dirs = new Set<string>(["/"]);

  constructor(files: Record<string, string> = {}, dirs: string[] = []) {
    for (const d of dirs) this.mkdir(d);
    for (const [p, data] of Object.entries(files)) this.write(p, data);
  }

  mkdir(path: string, _mtime?: number): void {
    const p = resolvePath(path);
    if (this.files.has(p)) throw new FSError("ENOTDIR", p);
    for (let d = p; d !== "/"; d = parentOf(d)) this.dirs.add(d);
  }

  read(path: string): string | undefined {
    const e = this.files.get(resolvePath(path));
    if (e && e.text === undefined) e.text = utf8(e.bytes!);
    return e?.text;
  }

  readBytes(path: string): Uint8Array | undefined {
    const e = this.files.get(resolvePath(path));
    if (e && !e.bytes) e.bytes = bytesOf(e.text!);
    return e?.bytes;
  }

  isDir(path: string): boolean {
    return this.dirs.has(resolvePath(path));
  }

  stat(path: string): { dir: boolean; size: number; mtime?: number } | undefined {
    const p = resolvePath(path);
    if (this.dirs.has(p)) return { dir: true, size: 4096 };
    const e = this.files.get(p);
    return e && { dir: false, size: this.readBytes(p)!.length, mtime: e.mtime };
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

  removeTree(path: string): boolean {
    const p = resolvePath(path);
    if (p === "/") return false;
    let found = this.files.delete(p) || this.dirs.delete(p);
    for (const k of [...this.files.keys(), ...this.dirs]) if (k.startsWith(`${p}/`)) found = (this.files.delete(k) || this.dirs.delete(k)) || found;
    return found;
  }

  write(path: string, data: string, mtime?: number): void {
    this.put(path, { text: data, mtime });
  }

  writeBytes(path: string, data: Uint8Array, mtime?: number): void {
    this.put(path, { bytes: data, mtime });
  }

  private put(path: string, e: Entry): void {
    const p = resolvePath(path);
    if (this.dirs.has(p)) throw new FSError("EISDIR", p);
    this.mkdir(parentOf(p));
    this.files.set(p, e);
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

const BASE_DIRS = ["/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr/bin", "/usr/local/bin", "/usr/sbin", "/var/log"];

/** The files of one volume source, relative to its mount point. */
function volumeFiles(pod: Obj, c: Obj, vol: Obj, reader?: FSReader): Record<string, Data> | undefined {
  const ns = pod.metadata?.namespace;
  const pick = (data: Record<string, Data>, items?: Obj[]) =>
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
  return undefined; // emptyDir, PVCs: an (initially) empty directory
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
    .map((m) => ({ path: resolvePath(m.mountPath), volume: m.name, subPath: m.subPath || undefined, readOnly: !!m.readOnly || ATOMIC.some((k) => volumes.get(m.name)![k]) }))
    .sort((a, b) => b.path.length - a.path.length);
}

/**
 * The filesystem of a container as it starts: base directories, the image's files, the kubelet's /etc
 * files and the container's volume mounts (ConfigMap, Secret, downward API, projected token; emptyDir
 * and others as empty directories). Writes live as long as this object (files.ts keeps them).
 */
export function podFS(pod: Obj, container: Obj, reader?: FSReader, imageFiles: Record<string, string> = {}): MemoryFS {
  const hostname = (pod.spec?.hostNetwork ? pod.spec?.nodeName : pod.spec?.hostname) ?? pod.metadata?.name ?? "localhost";
  const fs = new MemoryFS({ ...imageFiles, ...kubeletFiles(pod, hostname) }, BASE_DIRS);
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
  }
  return fs;
}
