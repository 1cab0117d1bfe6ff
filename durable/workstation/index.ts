// The workstation: the control-plane node's root shell, as a kubeadm playground hands it out
// (`controlplane $`, /root, ~/.kube/config with the admin credentials, a kubectl that reaches the
// cluster in-process). The terminal's logins and `run`'s scripts are shells of it; what carries from
// one login to the next (working directory, variables, history) is kept in the cluster's SQLite, and
// its files in the file store (fs.ts), so a restarted Durable Object resumes where the learner was.
import { InteractiveShell, type ShellSnapshot } from "../shell";
import type { HostProgram, ShellContext, ShellIO } from "../shell/types";
import type { Obj } from "../resources/types";
import { clusterNetwork, type ClusterReader } from "../nodes/runtime/network";
import type { LogAppender } from "../nodes/runtime/servers";
import type { FileStore } from "../nodes/runtime/files";
import { NODE_PROGRAMS, programIn } from "../nodes/runtime/images";
import { WorkstationFS } from "./fs";
import { adminKubeconfig } from "./kubeconfig";
import { kubectl, kubectlCompletions, verbNames, type ApiCall } from "./kubectl";
import { scriptRun } from "./run";

export interface WorkstationDeps {
  sql: SqlStorage;
  files: FileStore;
  reader: ClusterReader;
  logs?: LogAppender;
  /** The cluster's API server, called in-process as the admin. */
  api: ApiCall;
  now: () => number;
}

export const PROMPT = "controlplane $ ";
const HOME = "/root";
/** Logins whose state is kept (the newest); older ones are forgotten. */
const KEPT_LOGINS = 8;

/** A login's way to the terminal. */
export interface LoginIO {
  out(text: string): void;
  exit(code: number): void;
}

export class Workstation {
  private readonly fs: WorkstationFS;

  constructor(private readonly deps: WorkstationDeps) {
    deps.sql.exec(`CREATE TABLE IF NOT EXISTS workstation_logins (
      id TEXT PRIMARY KEY, snapshot TEXT NOT NULL, at INTEGER NOT NULL)`);
    this.fs = new WorkstationFS(this.node, deps.files, () => this.baseFiles(), deps.reader, deps.now);
  }

  /** The control-plane node's name (the first node is the control plane). */
  get node(): string {
    const nodes = this.deps.reader.list("nodes");
    const cp = nodes.find((n) => n.metadata?.labels?.["node-role.kubernetes.io/control-plane"] !== undefined) ?? nodes[0];
    return cp?.metadata?.name ?? "controlplane";
  }

  private nodeObject(): Obj | undefined {
    return this.deps.reader.get("nodes", undefined, this.node);
  }

  /** The files kubeadm and the playground put on the node. */
  private baseFiles(): Record<string, string> {
    const config = adminKubeconfig(this.nodeObject(), this.deps.reader);
    return {
      "/etc/kubernetes/admin.conf": config,
      [`${HOME}/.kube/config`]: config,
      [`${HOME}/.bashrc`]: BASHRC,
      [`${HOME}/.profile`]: PROFILE,
    };
  }

  /** What a shell of the workstation sees. */
  context(): ShellContext {
    const { reader, logs, now } = this.deps;
    const programs: Record<string, HostProgram> = { kubectl: kubectl(this.deps.api) };
    return {
      env: {
        HOME,
        USER: "root",
        LOGNAME: "root",
        SHELL: "/bin/bash",
        TERM: "xterm-256color",
        LANG: "C.UTF-8",
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      },
      cwd: HOME,
      hostname: this.node,
      fs: this.fs,
      net: clusterNetwork(reader, logs, now()),
      now,
      image: { program: (name) => programIn(NODE_PROGRAMS, name) },
      hostPrograms: programs,
      complete: (argv, word) =>
        argv[0] === "kubectl"
          ? kubectlCompletions(this.deps.api, verbNames(), this.fs, { HOME, KUBECONFIG: `${HOME}/.kube/config` }, argv, word)
          : undefined,
    };
  }

  /** A new login shell, resuming the newest login's state; `io` gets its output and its end. */
  login(id: string, io: LoginIO): Login {
    const resume = this.latest();
    const login = new Login(id, this, io, resume);
    login.start(!resume);
    return login;
  }

  /** A login taken up again (its socket outlived the object's memory): its own last state. */
  resume(id: string, io: LoginIO): Login {
    return new Login(id, this, io, this.latest(id) ?? this.latest());
  }

  /** The newest login's state, if there was one. */
  latest(id?: string): ShellSnapshot | undefined {
    const row = (
      id
        ? this.deps.sql.exec<{ snapshot: string }>("SELECT snapshot FROM workstation_logins WHERE id = ?", id)
        : this.deps.sql.exec<{ snapshot: string }>("SELECT snapshot FROM workstation_logins ORDER BY at DESC LIMIT 1")
    ).toArray()[0];
    return row ? (JSON.parse(row.snapshot) as ShellSnapshot) : undefined;
  }

  save(id: string, snapshot: ShellSnapshot): void {
    const { sql, now } = this.deps;
    sql.exec("INSERT OR REPLACE INTO workstation_logins (id, snapshot, at) VALUES (?, ?, ?)", id, JSON.stringify(snapshot), now());
    sql.exec("DELETE FROM workstation_logins WHERE id NOT IN (SELECT id FROM workstation_logins ORDER BY at DESC LIMIT ?)", KEPT_LOGINS);
  }

  /** Run a script non-interactively (POST /api/sessions/:id/run): a fresh shell in /root. */
  run(script: string, limitMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return scriptRun(this.context(), script, limitMs);
  }
}

/** One login: the interactive shell behind a terminal socket. */
export class Login {
  private readonly shell: InteractiveShell;
  private readonly io: ShellIO;

  constructor(
    readonly id: string,
    private readonly ws: Workstation,
    out: LoginIO,
    resume: ShellSnapshot | undefined,
  ) {
    this.io = { stdout: (t) => out.out(t), stderr: (t) => out.out(t), tty: true };
    this.shell = new InteractiveShell(ws.context(), {
      shell: "bash",
      prompt: PROMPT,
      resume,
      host: { exit: (code) => out.exit(code), prompted: () => ws.save(id, this.shell.snapshot()) },
    });
  }

  /** The first prompt, after ~/.bashrc for a first login (a later one carries its aliases over). */
  start(fresh: boolean): void {
    if (fresh) this.shell.source(`${HOME}/.bashrc`);
    this.io.stdout(this.shell.prompt());
  }

  /** Typed bytes. */
  feed(text: string): void {
    this.shell.feed(text, this.io);
  }

  /** The terminal's size: $COLUMNS and $LINES, as bash sets them. */
  resize(columns: number, lines: number): void {
    if (columns > 0 && lines > 0) this.shell.setSize(columns, lines);
  }

  /** The terminal went away: what runs ends, the state stays for the next login. */
  hangup(): void {
    this.ws.save(this.id, this.shell.snapshot());
    this.shell.hangup();
  }
}

const BASHRC = `# ~/.bashrc: executed by bash(1) for non-login shells.
alias k=kubectl
export KUBECONFIG=/root/.kube/config
`;

const PROFILE = `# ~/.profile: executed by the command interpreter for login shells.
if [ -f ~/.bashrc ]; then
  . ~/.bashrc
fi
`;
