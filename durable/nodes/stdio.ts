// A container's stdin as the runtime keeps it. A process that reads its stdin (a shell in a container
// with `stdin: true`, see nodes/runtime/container.ts readsStdin) lives as long as its input: what attach sends
// it decides its output and its end, so neither can be computed from its command. The live process
// is kept in memory (a process is); its exit is stored, for the kubelet to report.
import type { Obj } from "../resources/types";
import { InteractiveShell, PipeShell } from "../shell";
import { containerArgv } from "./runtime/container";
import type { ShellContext, ShellIO } from "../shell/types";

/** An attached client: the process's output, and its end. */
export interface StdinWatcher {
  out(stream: "stdout" | "stderr", text: string): void;
  exit(code: number): void;
}

/**
 * The shell behind a container's stdin. With a tty (`tty: true`) it is a terminal session with
 * echo and line editing; without, it runs each line as it arrives, as `sh` reading a pipe does.
 */
export class StdinProcess {
  private readonly watchers = new Set<StdinWatcher>();
  private readonly terminal?: InteractiveShell;
  private readonly pipe?: PipeShell;
  private readonly io: ShellIO;
  exited?: number;

  constructor(
    ctx: ShellContext,
    program: string,
    readonly tty: boolean,
    private readonly onExit: (code: number) => void,
  ) {
    const shell = program.replace(/^.*\//, "");
    // With a tty, stderr is the terminal too.
    this.io = { stdout: (s) => this.emit("stdout", s), stderr: (s) => this.emit(tty ? "stdout" : "stderr", s), tty };
    // The shell runs in real time; it tells its exit whenever it comes (a sleep may come first).
    const host = { exit: (code: number) => this.end(code) };
    if (tty) this.terminal = new InteractiveShell(ctx, { shell, host });
    else this.pipe = new PipeShell(ctx, shell, host);
  }

  private emit(stream: "stdout" | "stderr", text: string): void {
    for (const w of this.watchers) w.out(stream, text);
  }

  /** Attach a client; returns the detach. */
  attach(w: StdinWatcher): () => void {
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  /** Bytes on stdin. */
  write(text: string): void {
    if (this.exited !== undefined) return;
    if (this.terminal) this.terminal.feed(text, this.io);
    else this.pipe!.feed(text, this.io);
  }

  /** EOF on stdin: the shell runs what is left and exits with its last status. */
  close(): void {
    if (this.exited !== undefined) return;
    if (this.pipe) this.pipe.close(this.io);
    else this.end(0);
  }

  private end(code: number): void {
    if (this.exited !== undefined) return;
    this.exited = code;
    this.onExit(code);
    for (const w of [...this.watchers]) w.exit(code);
    this.watchers.clear();
  }
}

/** A container instance: its pod, its name and when it started. */
const instanceKey = (pod: Obj, container: string, startedAt: number) => `${pod.metadata.uid}/${container}/${startedAt}`;

/** The stdin-driven processes of a cluster's containers, and the exits they came to. */
export class ContainerStdio {
  private readonly live = new Map<string, StdinProcess>();

  /** `exited` is told when a process ends (the kubelet must look at its pod). */
  constructor(
    private readonly sql: SqlStorage,
    private readonly exited: (pod: Obj) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS container_exits (
      pod_uid TEXT NOT NULL, container TEXT NOT NULL, started_at INTEGER NOT NULL,
      code INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (pod_uid, container, started_at))`);
  }

  /** When and how the stdin-driven process of this container instance ended, if it has. */
  exitOf(pod: Obj, c: Obj, startedAt: number): { code: number; at: number } | undefined {
    const row = this.sql
      .exec<{ code: number; at: number }>(
        "SELECT code, at FROM container_exits WHERE pod_uid = ? AND container = ? AND started_at = ?",
        pod.metadata.uid,
        c.name,
        startedAt,
      )
      .toArray()[0];
    return row ? { code: row.code, at: row.at } : undefined;
  }

  /** The running process of this container instance (started on first use), or undefined once it exited. */
  process(pod: Obj, c: Obj, startedAt: number, context: () => ShellContext): StdinProcess | undefined {
    if (this.exitOf(pod, c, startedAt)) return undefined;
    const key = instanceKey(pod, c.name, startedAt);
    let p = this.live.get(key);
    if (!p) {
      const program = containerArgv(c).argv[0];
      p = new StdinProcess(context(), program, !!c.tty, (code) => {
        this.live.delete(key);
        this.sql.exec(
          "INSERT OR IGNORE INTO container_exits (pod_uid, container, started_at, code, at) VALUES (?, ?, ?, ?, ?)",
          pod.metadata.uid,
          c.name,
          startedAt,
          code,
          this.now(),
        );
        this.exited(pod);
      });
      this.live.set(key, p);
    }
    return p;
  }

  /** A container's process ends because of a signal sent from inside it (`kill 1` from an exec'd
   *  shell): stored like a stdin process's exit, and the kubelet told. */
  recordExit(pod: Obj, c: Obj, exit: { code: number; at: number; startedAt: number }): void {
    if (Number.isNaN(exit.startedAt)) return;
    this.sql.exec(
      "INSERT OR IGNORE INTO container_exits (pod_uid, container, started_at, code, at) VALUES (?, ?, ?, ?, ?)",
      pod.metadata.uid,
      c.name,
      exit.startedAt,
      exit.code,
      exit.at,
    );
    this.exited(pod);
  }

  /** Drop a deleted pod's processes and exits. */
  forget(podUid: string): void {
    for (const key of this.live.keys()) if (key.startsWith(`${podUid}/`)) this.live.delete(key);
    this.sql.exec("DELETE FROM container_exits WHERE pod_uid = ?", podUid);
  }
}
