// The workstation: the control-plane node's root shell, as a kubeadm playground hands it out
// (`controlplane $`, /root, ~/.kube/config with the admin credentials, a kubectl that reaches the
// cluster in-process). The terminal's logins and `run`'s scripts are shells of it; what carries from
// one login to the next (working directory, variables, history) is kept in the cluster's SQLite, and
// its files in the file store (fs.ts), so a restarted Durable Object resumes where the learner was.
import { InteractiveShell, type ShellSnapshot } from "../shell";
import type { Editor, HostCall, HostPause, HostProgram, Network, ShellContext, ShellIO } from "../shell/types";
import { clusterNetwork, type ClusterReader } from "../nodes/runtime/network";
import type { LogAppender } from "../nodes/runtime/servers";
import type { FileStore } from "../nodes/runtime/files";
import { NODE_PROGRAMS, programIn } from "../nodes/runtime/images";
import { WorkstationFS } from "./fs";
import { adminKubeconfig } from "./kubeconfig";
import { kubectl, kubectlCompletions, verbNames, type ApiCall } from "./kubectl";
import { RUN_LIMIT_MS, scriptRun } from "./run";
import { nodeTools } from "./nodetools";
import { kubeadm } from "./kubeadm";
import { editors } from "./editors";
import { forwarded, PortForwards } from "./portforward";
import { awaitHost } from "../shell/host";
import type { ResourceTable } from "../resources";

export interface WorkstationDeps {
  sql: SqlStorage;
  files: FileStore;
  reader: ClusterReader;
  logs?: LogAppender;
  /** The cluster's API server, called in-process as the admin. */
  api: ApiCall;
  /** The kinds the API server serves (its discovery), custom resources included. */
  table?: () => ResourceTable;
  now: () => number;
  /** Stop or start a node's kubelet (the session API's node actions). */
  kubelet(node: string, action: "stop" | "start"): Promise<void>;
  /** The session's machines that wait for `kubeadm join`. */
  machines(): { name: string }[];
  /** A waiting machine's kubelet registers its Node (`kubeadm join` succeeded). */
  join(name: string): Promise<void>;
}

const HOME = "/root";
/** Logins whose state is kept (the newest); older ones are forgotten. */
const KEPT_LOGINS = 8;

/** A login's way to the terminal. */
export interface LoginIO {
  out(text: string): void;
  exit(code: number): void;
  /** The page's editor pane. */
  edit?: Editor;
}

export class Workstation {
  /** What `kubectl port-forward` listens on, on each node. */
  private readonly forwards = new PortForwards();
  /** Each node's files, made when first used. */
  private readonly filesystems = new Map<string, WorkstationFS>();

  constructor(private readonly deps: WorkstationDeps) {
    deps.sql.exec(`CREATE TABLE IF NOT EXISTS workstation_logins (
      id TEXT PRIMARY KEY, snapshot TEXT NOT NULL, at INTEGER NOT NULL)`);
  }

  private fsOf(node: string): WorkstationFS {
    let fs = this.filesystems.get(node);
    if (!fs)
      this.filesystems.set(
        node,
        (fs = new WorkstationFS(node, this.deps.files, () => this.baseFiles(node), this.deps.reader, this.deps.now)),
      );
    return fs;
  }

  /** The control-plane node's name (the first node is the control plane). */
  get node(): string {
    const nodes = this.deps.reader.list("nodes");
    const cp = nodes.find((n) => n.metadata?.labels?.["node-role.kubernetes.io/control-plane"] !== undefined) ?? nodes[0];
    return cp?.metadata?.name ?? "controlplane";
  }

  /** The files kubeadm and the playground put on a node: the admin kubeconfig on the control plane only. */
  private baseFiles(node: string): Record<string, string> {
    const home = { [`${HOME}/.bashrc`]: BASHRC, [`${HOME}/.profile`]: PROFILE };
    if (node !== this.node) return home;
    const config = adminKubeconfig(this.deps.reader.get("nodes", undefined, node), this.deps.reader);
    return { "/etc/kubernetes/admin.conf": config, [`${HOME}/.kube/config`]: config, ...home };
  }

  /** What a shell on `node` (the control plane by default) sees. */
  context(node = this.node): ShellContext {
    const { reader, logs, now } = this.deps;
    const began = now();
    const fs = this.fsOf(node);
    const programs: Record<string, HostProgram> = {
      kubectl: kubectl(this.deps.api, { listen: (port, forward) => this.forwards.listen(node, port, forward), table: this.deps.table }),
      ssh: (args, call) => this.ssh(args, call),
      ...nodeTools(node, this.deps),
      kubeadm: kubeadm(node, this.deps),
      ...editors,
    };
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
      hostname: node,
      fs,
      net: forwarded(liveNetwork(reader, logs, now, node), node, this.forwards, reader),
      // The moment the shell begins: the shell adds the time that passes in it.
      now: () => began,
      image: { program: (name) => programIn(NODE_PROGRAMS, name) },
      hostPrograms: programs,
      complete: (argv, word) =>
        argv[0] === "kubectl"
          ? kubectlCompletions(
              this.deps.api,
              verbNames(),
              fs,
              { HOME, KUBECONFIG: `${HOME}/.kube/config` },
              argv,
              word,
              this.deps.table?.(),
            )
          : undefined,
    };
  }

  /**
   * `ssh NODE [COMMAND…]`: the node's root shell, interactive at a terminal (the terminal in raw mode
   * feeds it; `exit` comes back), or the command run there. The nodes trust each other's root, as the
   * playgrounds' VMs do.
   */
  private *ssh(args: string[], call: HostCall): Generator<HostPause, number, void> {
    // ssh's options come before the destination; everything after it is the remote command.
    let at = 0;
    while (at < args.length && args[at].startsWith("-")) at += ["-p", "-l", "-i", "-o"].includes(args[at]) ? 2 : 1;
    const [target, ...command] = args.slice(at);
    if (!target) {
      call.io.stderr("usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address] destination [command [argument ...]]\n");
      return 255;
    }
    const host = target.replace(/^[^@]*@/, "");
    const hosts = [...this.deps.reader.list("nodes").map((n) => n.metadata?.name as string), ...this.deps.machines().map((m) => m.name)];
    if (!hosts.includes(host)) {
      call.io.stderr(`ssh: Could not resolve hostname ${host}: Name or service not known\n`);
      return 255;
    }
    const ctx = this.context(host);
    if (command.length) {
      const r = yield* awaitHost(scriptRun(ctx, command.join(" "), RUN_LIMIT_MS, call.io));
      return r.exitCode;
    }
    if (!call.tty) {
      call.io.stderr("Pseudo-terminal will not be allocated because stdin is not a terminal.\n");
      const r = yield* awaitHost(scriptRun(ctx, call.stdin, RUN_LIMIT_MS, call.io));
      return r.exitCode;
    }
    let ended!: (code: number) => void;
    const done = new Promise<number>((resolve) => (ended = resolve));
    const io: ShellIO = { stdout: (t) => call.io.stdout(t), stderr: (t) => call.io.stdout(t), tty: true, editor: call.tty.edit };
    const shell = new InteractiveShell(ctx, { shell: "bash", login: true, prompt: `${host} $ `, host: { exit: (code) => ended(code) } });
    shell.source(`${HOME}/.bashrc`);
    io.stdout(shell.prompt());
    call.tty.raw((bytes) => shell.feed(bytes, io));
    let code: number;
    try {
      code = yield* awaitHost(done);
    } finally {
      shell.hangup();
    }
    call.io.stdout(`Connection to ${host} closed.\n`);
    return code;
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
    this.io = { stdout: (t) => out.out(t), stderr: (t) => out.out(t), tty: true, editor: out.edit };
    this.shell = new InteractiveShell(ws.context(), {
      shell: "bash",
      login: true,
      prompt: `${ws.node} $ `,
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

/** The cluster's network as it is at each call: a login lives long, and a network built once keeps
 *  the Services and pods it first saw. */
function liveNetwork(reader: ClusterReader, logs: LogAppender | undefined, now: () => number, node: string): Network {
  const net = () => clusterNetwork(reader, logs, now(), undefined, node);
  return {
    resolve: (name, ns) => net().resolve(name, ns),
    reverse: (ip) => net().reverse?.(ip),
    http: (req, from) => net().http(req, from),
    connect: (host, port, from) => net().connect(host, port, from),
    iface: (pod) => net().iface?.(pod),
  };
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
