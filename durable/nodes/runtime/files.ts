// A container's filesystem over time, and the writes that outlive one exec. `containerFS(pod, c, at)`
// is the one view everyone uses (exec, kubectl cp, exec probes, the web servers): the pod's base
// (image files, the kubelet's /etc files, volumes: podFS), then — in time order — the container
// programs' own writes up to `at` (their runs are deterministic, see shell/container.ts) and the
// writes made through exec/cp, which are rows in the Durable Object's SQLite. Real lifetimes:
// the container's root filesystem lives as long as the container instance (a restart starts from
// the image again), a writable volume (emptyDir …) as long as the pod, shared by every container
// mounting it; ConfigMap/Secret/downward/projected mounts are read-only.
import type { Obj } from "../../resources/types";
import { FSError, type MemoryFS, bytesOf, resolvePath, utf8, type VirtualFS } from "../../fs";
import { podFS, podMounts, type FSReader, type Mount } from "./fs";
import { imageBehaviour } from "./images";
import type { ClusterReader } from "./network";
import { containerRun } from "./container";
import { processTable } from "./processes";
import { type Identity, type ProcessSecurity, CAPABILITIES, containerIdentity, procStatus, processSecurity } from "./security";
import type { Container, Pod } from "kubernetes-types/core/v1";

/** A stored write: a file, a directory, or a whiteout (removed, with whatever was under it). */
/** Devices whose writes vanish (the container's /dev is a tmpfs of character devices, not files). */
const DISCARDING = new Set([
  "/dev/null",
  "/dev/zero",
  "/dev/full",
  "/dev/random",
  "/dev/urandom",
  "/dev/tty",
  "/dev/stdout",
  "/dev/stderr",
]);

export interface FileRow {
  scope: string;
  path: string;
  /** f: a file's bytes, d: a directory, x: removed, m: permission bits (octal text; node files only). */
  kind: "f" | "d" | "x" | "m";
  at: number;
  data?: Uint8Array;
}

/** SQLite rows are at most 2 MB: file contents are split into parts. */
const PART = 1 << 20;
/** What one pod may store (its emptyDirs and containers' writable layers), like an ephemeral-storage limit. */
export const POD_QUOTA = 64 << 20;

/** The stored writes of every pod's containers and volumes: one row per (pod, scope, path, part). */
export class FileStore {
  /** Bumped by every change, so views built earlier can tell they are stale. */
  generation = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS container_files (
      pod_uid TEXT NOT NULL, scope TEXT NOT NULL, path TEXT NOT NULL, part INTEGER NOT NULL,
      kind TEXT NOT NULL, at INTEGER NOT NULL, data BLOB,
      PRIMARY KEY (pod_uid, scope, path, part))`);
  }

  /** A pod's rows in the given scopes, parts joined. */
  rows(podUid: string, scopes: string[]): FileRow[] {
    if (!scopes.length) return [];
    const out = new Map<string, FileRow & { parts: Uint8Array[] }>();
    const cur = this.sql.exec<{ scope: string; path: string; kind: string; at: number; data: ArrayBuffer | null }>(
      `SELECT scope, path, kind, at, data FROM container_files WHERE pod_uid = ? AND scope IN (${scopes.map(() => "?").join(",")}) ORDER BY scope, path, part`,
      podUid,
      ...scopes,
    );
    for (const r of cur) {
      const key = `${r.scope}\0${r.path}`;
      let row = out.get(key);
      if (!row) out.set(key, (row = { scope: r.scope, path: r.path, kind: r.kind as FileRow["kind"], at: r.at, parts: [] }));
      if (r.data) row.parts.push(new Uint8Array(r.data));
    }
    return [...out.values()].map(({ parts, ...row }) => (row.kind === "f" ? { ...row, data: join(parts) } : row));
  }

  /** Record a write (replacing the path's earlier one); throws ENOSPC past the pod's quota. */
  put(podUid: string, row: FileRow): void {
    this.generation++;
    const size = row.data?.length ?? 0;
    if (size) {
      const used = this.sql
        .exec<{ n: number }>(
          "SELECT coalesce(sum(length(data)), 0) AS n FROM container_files WHERE pod_uid = ? AND NOT (scope = ? AND path = ?)",
          podUid,
          row.scope,
          row.path,
        )
        .one().n;
      if (used + size > POD_QUOTA) throw new FSError("ENOSPC", row.path);
    }
    this.sql.exec("DELETE FROM container_files WHERE pod_uid = ? AND scope = ? AND path = ?", podUid, row.scope, row.path);
    for (let part = 0, off = 0; part === 0 || off < size; part++, off += PART)
      this.sql.exec(
        "INSERT INTO container_files (pod_uid, scope, path, part, kind, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
        podUid,
        row.scope,
        row.path,
        part,
        row.kind,
        row.at,
        row.data ? row.data.subarray(off, off + PART) : null,
      );
  }

  /** Drop a container's writable layers other than `keep` (older instances: a restart starts afresh). */
  dropOtherLayers(podUid: string, container: string, keep: string): void {
    this.generation++;
    this.sql.exec("DELETE FROM container_files WHERE pod_uid = ? AND scope LIKE ? AND scope != ?", podUid, `root/${container}/%`, keep);
  }

  /** Forget what an owner stored in one scope under a directory (a deleted volume's files). */
  forgetUnder(owner: string, scope: string, dir: string): void {
    this.generation++;
    this.sql.exec(
      "DELETE FROM container_files WHERE pod_uid = ? AND scope = ? AND (path = ? OR substr(path, 1, ?) = ?)",
      owner,
      scope,
      dir,
      dir.length + 1,
      `${dir}/`,
    );
  }

  /** Forget everything of a deleted pod. */
  forget(podUid: string): void {
    this.generation++;
    this.sql.exec("DELETE FROM container_files WHERE pod_uid = ?", podUid);
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) out.set(p, (off += p.length) - p.length);
  return out;
}

// The file store of each cluster, found through its registry (every Client of a cluster shares it).
const stores = new WeakMap<object, FileStore>();
export const attachFiles = (registry: object, files: FileStore) => void stores.set(registry, files);
export const filesOf = (registry: object) => stores.get(registry);

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const DAC_OVERRIDE = 1n << BigInt(CAPABILITIES.indexOf("DAC_OVERRIDE"));
const FOWNER = 1n << BigInt(CAPABILITIES.indexOf("FOWNER"));
/** Files the kubelet bind-mounts writable into every container (a read-only root leaves them writable). */
const KUBELET_MOUNTS = new Set(["/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/termination-log"]);

const under = (path: string, dir: string) => dir === "/" || path === dir || path.startsWith(`${dir}/`);

/** The status of a container (regular, init or ephemeral). */
function statusOf(pod: Obj, name: string): Obj | undefined {
  const all: Obj[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  return all.find((s) => s.name === name);
}

/** The start times of a container's current run and, for volumes, the previous one. */
function runStarts(pod: Obj, name: string): { current?: number; previous?: number } {
  const s = statusOf(pod, name);
  const t = (x: Obj | undefined) => (x?.startedAt ? Date.parse(x.startedAt) : undefined);
  return { current: t(s?.state?.running ?? s?.state?.terminated), previous: t(s?.lastState?.terminated) };
}

/** The scope a container's root filesystem is stored under: one per container instance. */
export const rootScope = (pod: Obj, c: Obj) => `root/${c.name}/${statusOf(pod, c.name)?.restartCount ?? 0}`;

/** The file store's owner for a node's own files (pods own theirs by uid). */
export const nodeOwner = (node: string) => `node/${node}`;
/** The scope a node's own files are kept under (absolute paths, as its root filesystem has them). */
export const NODE_SCOPE = "root";

/**
 * Where a volume's writes are kept: an owner and a scope of the file store, and the directory of
 * that scope the volume shows. An emptyDir is the pod's (it goes with the pod); a hostPath volume
 * is a directory of its node's own files, and so is a claim bound to a hostPath or local volume;
 * a claim bound to any other volume is that volume's. So what a pod writes to a claim outlives it,
 * and the next pod mounting the claim (or the node's path) finds it.
 */
export interface VolumeStore {
  owner: string;
  scope: string;
  base: string;
}

const storeKey = (s: VolumeStore) => `${s.owner}\u0000${s.scope}\u0000${s.base}`;

export function volumeStore(pod: Obj, volume: string, reader?: FSReader): VolumeStore {
  const podScoped = { owner: pod.metadata?.uid ?? "", scope: `vol/${volume}`, base: "/" };
  const v = ((pod.spec?.volumes ?? []) as Obj[]).find((x) => x.name === volume);
  const node = pod.spec?.nodeName as string | undefined;
  const onNode = (path: unknown) =>
    node ? { owner: nodeOwner(node), scope: NODE_SCOPE, base: resolvePath(String(path || "/")) } : podScoped;
  if (v?.hostPath) return onNode(v.hostPath.path);
  // A generic ephemeral volume is a claim too, named after the pod and the volume.
  const claimName = v?.persistentVolumeClaim?.claimName ?? (v?.ephemeral ? `${pod.metadata?.name}-${v.name}` : undefined);
  if (claimName) {
    const pvc = reader?.get("persistentvolumeclaims", pod.metadata?.namespace, claimName);
    const pv = pvc?.spec?.volumeName ? reader?.get("persistentvolumes", undefined, pvc.spec.volumeName) : undefined;
    if (pv?.spec?.hostPath) return onNode(pv.spec.hostPath.path);
    if (pv?.spec?.local) return onNode(pv.spec.local.path);
    if (pv) return { owner: `pv/${pv.metadata.name}`, scope: "vol", base: "/" };
  }
  return podScoped;
}

export interface ViewOptions {
  reader?: ClusterReader & FSReader;
  /** The store of exec/cp writes (default: the reader's); none for the program's own start view. */
  files?: FileStore;
  /** Include the container programs' writes (false: none; "inits": only the init containers' that ran
   *  before this one, into shared volumes — what a container's program finds as it starts). */
  programs?: boolean | "inits";
  /** Record writes in the store (exec, cp); false keeps them in this view only (probes). */
  persist?: boolean;
  /** The start of this container's current run, when the caller knows it before the status does (probes). */
  startedAt?: number;
  /** When a write happens (exec sessions last): defaults to `at`. */
  clock?: () => number;
}

/** The one view of a container's filesystem at time `at`. */
export function containerFS(pod: Obj, c: Obj, at: number, opts: ViewOptions = {}): VirtualFS {
  const base = podFS(pod, c, opts.reader, imageBehaviour(c.image).files);
  if (opts.programs === false && !opts.files) return base;
  return new ContainerFS(pod, c, at, base, opts);
}

/** How long a served view is reused: ConfigMap/Secret volume contents may change under it (a real
 *  kubelet takes up to a minute to refresh them anyway). */
const SERVED_TTL_MS = 5_000;
const served = new Map<string, { fs: VirtualFS; until: number }>();

/**
 * A read-only view for the web servers, which read a file or two per request: reused while nothing
 * it shows can have changed (same pod revision, no stored write since, no program writing files).
 */
export function servedFS(pod: Obj, c: Obj, at: number, reader: ClusterReader & FSReader): VirtualFS {
  const files = reader.files;
  const programsWrite = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((k: Obj) => {
    const start = runStarts(pod, k.name).current;
    return start !== undefined && !Number.isNaN(start) && !!containerRun(pod, k, start, reader).files?.length;
  });
  if (!files || programsWrite) return containerFS(pod, c, at, { reader });
  const key = `${pod.metadata?.uid}/${c.name}/${pod.metadata?.resourceVersion}/${files.generation}`;
  const hit = served.get(key);
  if (hit && hit.until > at) return hit.fs;
  if (served.size > 200) served.clear();
  const fs = containerFS(pod, c, at, { reader, persist: false });
  served.set(key, { fs, until: at + SERVED_TTL_MS });
  return fs;
}

/** Where a path lives: the container's root layer, or a volume's store (the path in that store). */
interface Place {
  owner: string;
  scope: string;
  path: string;
  mount?: Mount;
}

class ContainerFS implements VirtualFS {
  private readonly mounts: Mount[];
  private readonly root: string;
  private readonly files?: FileStore;
  private readonly uid: string;
  /** The store of each volume of the pod, by name. */
  private readonly stores = new Map<string, VolumeStore>();
  /** Who writes through this view: the container's processes. */
  private readonly sec: ProcessSecurity;

  constructor(
    private readonly pod: Obj,
    private readonly c: Obj,
    private readonly at: number,
    private readonly view: MemoryFS,
    private readonly opts: ViewOptions,
  ) {
    this.mounts = podMounts(pod, c);
    this.root = rootScope(pod, c);
    this.files = opts.files ?? opts.reader?.files;
    this.uid = pod.metadata?.uid ?? "";
    this.sec = processSecurity(pod as Pod, c as Container);
    for (const v of (pod.spec?.volumes ?? []) as Obj[]) this.stores.set(v.name, volumeStore(pod, v.name, opts.reader));
    // The kernel's view of the container's processes (procfs is not the image's, nothing is stored there).
    for (const p of processTable(pod, c))
      if (p.command !== "ps") view.write(`/proc/${p.pid}/status`, procStatus(this.sec, p.pid, p.command));
    const events: {
      at: number;
      abs: string;
      kind: FileRow["kind"];
      data?: Uint8Array | string;
      order: number;
      by?: Identity;
    }[] = [];
    if (opts.programs !== false) for (const e of this.programEvents()) events.push({ ...e, order: 0 });
    if (this.files) {
      // The scopes to read, by owner: the container's root layer and its writable volumes' stores.
      const scopes = new Map<string, Set<string>>([[this.uid, new Set([this.root])]]);
      for (const m of this.mounts) {
        if (m.readOnly) continue;
        const st = this.store(m);
        if (!scopes.has(st.owner)) scopes.set(st.owner, new Set());
        scopes.get(st.owner)!.add(st.scope);
      }
      for (const [owner, set] of scopes) {
        // Status times are whole seconds: a volume that outlives pods counts what was written in the
        // second its container started as there before it (the write came first, from another pod).
        const until = owner === this.uid ? at : at + 999;
        for (const r of this.files.rows(owner, [...set]))
          for (const abs of this.absolute(owner, r.scope, r.path))
            if (r.at <= until) events.push({ at: r.at, abs, kind: r.kind, data: r.data, order: 1 });
      }
    }
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const e of events) {
      try {
        const existed = !!view.stat(e.abs);
        if (!existed && (e.kind === "f" || e.kind === "d")) this.afterCreate(e.abs, e.by ?? this.sec, () => apply(e));
        else apply(e);
      } catch (err) {
        if (!(err instanceof FSError)) throw err; // a file where a directory is now: the later one wins elsewhere
      }
    }
    function apply(e: (typeof events)[number]) {
      if (e.kind === "x") view.removeTree(e.abs);
      else if (e.kind === "d") view.mkdir(e.abs);
      else if (e.kind === "m")
        view.chmod(e.abs, Number.parseInt(typeof e.data === "string" ? e.data : utf8(e.data ?? new Uint8Array(0)), 8));
      else if (typeof e.data === "string") view.write(e.abs, e.data, e.at);
      else view.writeBytes(e.abs, e.data ?? new Uint8Array(0), e.at);
    }
  }

  /** Create a file or directory as `by`: owned by its uid, and by its gid or a setgid parent's group. */
  private afterCreate(abs: string, by: Identity, create: () => void): void {
    const parent = this.view.stat(parentOf(abs));
    create();
    const gid = parent?.mode !== undefined && parent.mode & 0o2000 ? (parent.gid ?? 0) : by.gid;
    if (by.uid !== 0 || gid !== 0) this.view.chown(abs, by.uid, gid);
    // A directory made in a setgid one is setgid too.
    if (this.view.isDir(abs) && parent?.mode !== undefined && parent.mode & 0o2000)
      this.view.chmod(abs, (this.view.stat(abs)?.mode ?? 0o755) | 0o2000);
  }

  /** What the kernel checks before a write: a read-only mount (EROFS), then the permission bits (EACCES). */
  private check(abs: string, p: Place, kind: FileRow["kind"]): void {
    if (p.mount?.readOnly) throw new FSError("EROFS", abs);
    if (!p.mount && this.sec.readOnlyRoot && !KUBELET_MOUNTS.has(abs)) throw new FSError("EROFS", abs);
    const own = this.view.stat(abs);
    // chmod(2) is the owner's (or CAP_FOWNER's), whatever the permission bits say.
    if (kind === "m") {
      if (own && (own.uid ?? 0) !== this.sec.uid && !(this.sec.effective & FOWNER)) throw new FSError("EPERM", abs);
      return;
    }
    if (this.sec.effective & DAC_OVERRIDE) return;
    const target = kind === "f" && own && !own.dir ? own : this.view.stat(parentOf(abs));
    if (!target) return;
    const uid = target.uid ?? 0;
    const gid = target.gid ?? 0;
    const mode = target.mode ?? 0o755;
    const bit = uid === this.sec.uid ? 0o200 : this.sec.groups.includes(gid) || gid === this.sec.gid ? 0o020 : 0o002;
    if (!(mode & bit)) throw new FSError("EACCES", abs);
  }

  private store(m: Mount): VolumeStore {
    return this.stores.get(m.volume) ?? { owner: this.uid, scope: `vol/${m.volume}`, base: "/" };
  }

  /** The directory of a mount in its store (its volume's base and subPath). */
  private mountDir(m: Mount): string {
    return resolvePath(`${this.store(m).base}/${m.subPath ?? ""}`);
  }

  /** Where an absolute path of this container is stored. */
  private place(abs: string): Place {
    const m = this.mounts.find((m) => under(abs, m.path));
    if (!m) return { owner: this.uid, scope: this.root, path: abs };
    const st = this.store(m);
    return { owner: st.owner, scope: st.scope, path: resolvePath(`${this.mountDir(m)}/${abs.slice(m.path.length)}`), mount: m };
  }

  /** Where a stored (owner, scope, path) appears in this container, if it does. */
  private absolute(owner: string, scope: string, path: string): string[] {
    if (owner === this.uid && scope === this.root) return this.mounts.some((m) => under(path, m.path)) ? [] : [path];
    const out: string[] = [];
    for (const m of this.mounts) {
      const st = this.store(m);
      if (st.owner !== owner || st.scope !== scope) continue;
      const dir = this.mountDir(m);
      if (under(path, dir)) out.push(resolvePath(`${m.path}/${path.slice(dir === "/" ? 0 : dir.length)}`));
    }
    return out;
  }

  /** The programs' writes up to `at`: this container's own into its root layer, and every
   *  container's (init ones too, previous runs too) into the volumes this one mounts. */
  private programEvents(): { at: number; abs: string; kind: FileRow["kind"]; data?: string; by: Identity }[] {
    const out: { at: number; abs: string; kind: FileRow["kind"]; data?: string; by: Identity }[] = [];
    const shared = new Set(this.mounts.filter((m) => !m.readOnly).map((m) => storeKey(this.store(m))));
    const inits: Obj[] = this.pod.spec?.initContainers ?? [];
    const before = inits.findIndex((k) => k.name === this.c.name);
    // A program's start view takes only the init containers that ran before it: no run depends on its own.
    const all: Obj[] =
      this.opts.programs === "inits"
        ? inits.slice(0, before < 0 ? inits.length : before)
        : [...inits, ...(this.pod.spec?.containers ?? []), ...(this.pod.spec?.ephemeralContainers ?? [])];
    for (const k of all) {
      const own = k.name === this.c.name;
      const mounts = podMounts(this.pod, k);
      if (!own && !mounts.some((m) => shared.has(storeKey(this.store(m))) && !m.readOnly)) continue;
      const by = containerIdentity(this.pod as Pod, k as Container);
      const starts = runStarts(this.pod, k.name);
      if (own && this.opts.startedAt !== undefined) starts.current = this.opts.startedAt;
      for (const [which, start] of [
        ["current", starts.current],
        ["previous", starts.previous],
      ] as const) {
        if (start === undefined || Number.isNaN(start) || start > this.at) continue;
        for (const f of containerRun(this.pod, k, start, this.opts.reader).files ?? []) {
          if (f.at > this.at) break;
          const abs = resolvePath(f.path);
          const m = mounts.find((m) => under(abs, m.path));
          const ev = { at: f.at, kind: f.data === undefined ? ("x" as const) : ("f" as const), data: f.data, by };
          if (!m) {
            if (own && which === "current") out.push({ ...ev, abs });
          } else if (!m.readOnly && shared.has(storeKey(this.store(m)))) {
            const st = this.store(m);
            for (const a of this.absolute(st.owner, st.scope, resolvePath(`${this.mountDir(m)}/${abs.slice(m.path.length)}`)))
              out.push({ ...ev, abs: a });
          }
        }
      }
    }
    return out;
  }

  /** Check a path is writable, then record the write (if this view persists). */
  private record(abs: string, kind: FileRow["kind"], data?: Uint8Array): void {
    const p = this.place(abs);
    this.check(abs, p, kind);
    if (!this.files || this.opts.persist === false) return;
    this.files.put(p.owner, { scope: p.scope, path: p.path, kind, at: this.opts.clock?.() ?? this.at, data });
    if (p.owner === this.uid && p.scope === this.root) this.files.dropOtherLayers(this.uid, this.c.name, this.root);
  }

  read(path: string) {
    return this.view.read(path);
  }
  readBytes(path: string) {
    return this.view.readBytes(path);
  }
  list(dir: string) {
    return this.view.list(dir);
  }
  isDir(path: string) {
    return this.view.isDir(path);
  }
  stat(path: string) {
    return this.view.stat(path);
  }

  write(path: string, data: string): void {
    this.writeBytes(path, bytesOf(data), data);
  }

  writeBytes(path: string, data: Uint8Array, text?: string): void {
    const abs = resolvePath(path);
    if (this.view.isDir(abs)) throw new FSError("EISDIR", abs);
    if (DISCARDING.has(abs)) return; // character devices: what is written there is gone
    this.record(abs, "f", data);
    const write = () => (text !== undefined ? this.view.write(abs, text) : this.view.writeBytes(abs, data));
    if (this.view.stat(abs)) write();
    else this.afterCreate(abs, this.sec, write);
  }

  mkdir(path: string): void {
    const abs = resolvePath(path);
    if (this.view.isDir(abs)) return;
    this.record(abs, "d");
    this.afterCreate(abs, this.sec, () => this.view.mkdir(abs));
  }

  chmod(path: string, mode: number): void {
    const abs = resolvePath(path);
    if (!this.view.stat(abs)) throw new FSError("ENOENT", abs);
    this.record(abs, "m", bytesOf(mode.toString(8)));
    this.view.chmod(abs, mode);
  }

  remove(path: string): boolean {
    const abs = resolvePath(path);
    if (this.view.read(abs) === undefined) return false;
    this.record(abs, "x");
    return this.view.remove(abs);
  }

  removeTree(path: string): boolean {
    const abs = resolvePath(path);
    if (!this.view.isDir(abs) && this.view.read(abs) === undefined) return false;
    if (this.mounts.some((m) => m.path === abs)) throw new FSError("EBUSY", abs);
    this.record(abs, "x");
    return this.view.removeTree(abs);
  }
}
