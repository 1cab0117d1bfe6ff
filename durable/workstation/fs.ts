// The workstation's filesystem: the control-plane node's own files (durable/nodes/runtime/hostfs.ts),
// the admin kubeconfig and a root home, with what the learner writes kept in the cluster's file store
// for the session's life, so every login, tab and run sees the same files.
import { FSError, MemoryFS, resolvePath, bytesOf, utf8, type VirtualFS } from "../fs";
import { type FileRow, type FileStore, NODE_SCOPE, nodeOwner } from "../nodes/runtime/files";
import { hostPathFiles, type HostReader } from "../nodes/runtime/hostfs";

export { nodeOwner };
const SCOPE = NODE_SCOPE;

export class WorkstationFS implements VirtualFS {
  private view?: MemoryFS;
  private generation = -1;

  constructor(
    private readonly node: string,
    private readonly files: FileStore,
    private readonly base: () => Record<string, string>,
    private readonly reader: HostReader,
    private readonly now: () => number,
  ) {}

  /** The files as stored: rebuilt when another login wrote since. */
  private current(): MemoryFS {
    if (this.view && this.generation === this.files.generation) return this.view;
    const view = new MemoryFS({ ...prefixed(hostPathFiles(this.node, "/", this.reader)), ...this.base() }, ["/root", "/tmp", "/home"]);
    for (const r of this.files.rows(nodeOwner(this.node), [SCOPE])) {
      try {
        if (r.kind === "x") view.removeTree(r.path);
        else if (r.kind === "m") view.chmod(r.path, Number.parseInt(utf8(r.data ?? new Uint8Array(0)), 8));
        else if (r.kind === "d") view.mkdir(r.path, r.at);
        else view.writeBytes(r.path, r.data ?? new Uint8Array(0), r.at);
      } catch (e) {
        if (!(e instanceof FSError)) throw e;
      }
    }
    this.view = view;
    this.generation = this.files.generation;
    return view;
  }

  private record(path: string, kind: FileRow["kind"], data?: Uint8Array): void {
    this.files.put(nodeOwner(this.node), { scope: SCOPE, path: resolvePath(path), kind, at: this.now(), data });
    this.generation = this.files.generation; // our own write is in the view already
  }

  read(path: string) {
    return this.current().read(path);
  }
  readBytes(path: string) {
    return this.current().readBytes(path);
  }
  list(dir: string) {
    return this.current().list(dir);
  }
  isDir(path: string) {
    return this.current().isDir(path);
  }
  stat(path: string) {
    return this.current().stat(path);
  }
  write(path: string, data: string): void {
    this.writeBytes(path, bytesOf(data));
  }
  writeBytes(path: string, data: Uint8Array): void {
    const view = this.current();
    view.writeBytes(path, data, this.now());
    this.record(path, "f", data);
  }
  chmod(path: string, mode: number): void {
    this.current().chmod(path, mode);
    this.record(path, "m", bytesOf(mode.toString(8)));
  }
  mkdir(path: string): void {
    const view = this.current();
    view.mkdir(path, this.now());
    this.record(path, "d");
  }
  remove(path: string): boolean {
    const view = this.current();
    if (!view.remove(path)) return false;
    this.record(path, "x");
    return true;
  }
  removeTree(path: string): boolean {
    const view = this.current();
    if (!view.removeTree(path)) return false;
    this.record(path, "x");
    return true;
  }
}

const prefixed = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).map(([p, d]) => [`/${p}`, d]));
