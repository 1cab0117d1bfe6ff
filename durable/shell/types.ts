// The contract of the simulated shells: what a command sees (its context) and where it writes. The
// interpreter reaches the world only through what is declared here; the container runtime
// (durable/nodes/runtime) and the workstation implement it, so shell/ imports none of them.
import type { Obj } from "../resources/types";
import type { VirtualFS } from "../fs";

export interface ShellIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Output goes to a terminal (`exec -it`): programs such as curl then skip their progress meter. */
  tty?: boolean;
  /** Raw bytes to stdout, where the sink takes them (exec's stdout): tar, cat of a binary file. */
  stdoutBytes?(b: Uint8Array): void;
  /** The terminal's editor pane (the web terminal has one): the text saved, or undefined if quit unsaved. */
  editor?: Editor;
}

/** A file opened in the terminal's editor, with the keys of the editor the user asked for. */
export type Editor = (file: { path: string; content: string; keys: "vi" | "nano" }) => Promise<string | undefined>;

// ---- the cluster network as a container sees it (implemented by durable/nodes/runtime/network.ts) ----

/** A failed connection: curl's message and exit code (6 unresolved, 7 refused, 28 timed out), and the address dialled. */
export type NetError = {
  error: string;
  code?: number;
  ip?: string /** ms the connection stayed open and silent before this (the client's timer may end it first) */;
  after?: number;
};
/** A response; `reason` is the server's own reason phrase when it is not the standard one (nginx's "Service Temporarily Unavailable"). */
export type HttpResult = { status: number; headers: Record<string, string>; body: string; reason?: string } | NetError;
export type Connected = {
  ok: true;
  ip: string;
  pod?: Obj /** the backend's port (a Service's targetPort) */;
  port?: number;
  container?: Obj /** a node's own daemon, not a pod */;
  kubelet?: Obj;
};
export type ConnectResult = Connected | NetError;

/** What a TLS server presents: the client decides whether it trusts it (curl's --cacert, -k). */
export interface ServerCertificate {
  subject: string;
  issuer: string;
  /** The issuing CA as PEM, undefined when the cluster published none (then nothing can trust it). */
  issuerPEM: string | undefined;
  /** subjectAltNames, DNS names and IPs, lower-case. */
  names: string[];
  notBefore: string;
  notAfter: string;
  /** What OpenSSL says when nothing trusted issued it (the chain's root is sent, or it is not). */
  untrusted: "unable to get local issuer certificate" | "self-signed certificate in certificate chain" | "self-signed certificate";
}

export interface HttpClientRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For https: the client's verdict on the certificate; an error ends the handshake, nothing is sent. */
  verify?: (cert: ServerCertificate) => NetError | undefined;
}

/** A pod's eth0 as its CNI set it up (or the node's, for hostNetwork). */
export interface PodInterface {
  ip: string;
  prefix: number;
  gateway: string;
  /** The whole pod network, routed via the gateway. */
  clusterCIDR: string;
  hostNetwork: boolean;
  /** The host-side veth's ifindex (eth0@ifN). */
  peerIndex: number;
  mac: string;
}

export interface Network {
  /** Addresses of a name as a pod's resolver finds them (search path, ndots:5; a trailing dot is absolute). */
  resolve(name: string, fromNamespace: string): string[];
  /** The PTR name CoreDNS gives an address, if any. */
  reverse?(ip: string): string | undefined;
  http(req: HttpClientRequest, from?: Obj): HttpResult;
  connect(host: string, port: number, from?: Obj): ConnectResult;
  /** The pod's eth0 as its CNI set it up (a veth in the node's podCIDR), or the node's for hostNetwork. */
  iface?(pod: Obj): PodInterface | undefined;
  /** False when the cluster DNS cannot be reached at all (a NetworkPolicy dropping the queries). */
  dnsReachable?(): boolean;
}

// ---- the image a shell runs in (implemented by the image catalogue, durable/nodes/runtime/images.ts) ----

/** Which implementation of a program an image ships: its messages and options follow it. */
export type Flavour = "busybox" | "gnu" | "bash" | "dash" | "curl" | "iputils" | "openbsd" | "bind" | "own";

export interface ImageView {
  /** The implementation of `program` (a name or a path) on the image's PATH; undefined if it has none. */
  program(program: string): Flavour | undefined;
}

/** A mounted filesystem as `df` shows it (sizes in 1 KiB blocks). */
export interface Mounted {
  source: string;
  blocks: number;
  used: number;
  /** Free to unprivileged users (a disk keeps some blocks for root). */
  available: number;
  mountpoint: string;
}

/** A process's credentials: uid, primary gid, the supplementary groups (sorted, as getgroups(2) gives them). */
export interface ShellUser {
  uid: number;
  gid: number;
  groups: number[];
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
}

/** One row of the process table `ps` and `top` show. */
export interface Process {
  pid: number;
  user: string;
  command: string;
}

/** Where a host program waits: for its host (an API call of the workstation's kubectl; the shell's
 *  real-time driver resumes it when the promise settles), or for a while. A Ctrl-C is thrown into it. */
export type HostPause = { until: Promise<unknown> } | { sleep: number };

/** What a host program is given: its shell's working directory, environment and input. */
export interface HostCall {
  cwd: string;
  env: Record<string, string>;
  stdin: string;
  io: ShellIO;
  fs: VirtualFS;
  /** When the program runs in the foreground of a terminal: raw mode (every byte typed goes to
   *  `take`, until it is given undefined or the program ends) and the terminal's size. */
  tty?: { raw(take: ((bytes: string) => void) | undefined): void; size(): { columns: number; lines: number }; edit?: Editor };
}

/** A program the host puts on the shell's PATH (the workstation's kubectl): it returns its exit
 *  status, and may wait for the host on the way. */
export type HostProgram = (args: string[], call: HostCall) => Generator<HostPause, number, void>;

export interface ShellContext {
  env: Record<string, string>;
  cwd: string;
  hostname: string;
  fs: VirtualFS;
  net: Network;
  /** Wall-clock ms; the interpreter adds its own virtual time (sleep) on top. */
  now(): number;
  pod?: Obj;
  container?: Obj;
  /** The image the shell runs in; without one (a bare shell) every applet is there. */
  image?: ImageView;
  /** The processes visible from here; `self`, the shell asking (sh, bash), when one runs the command
   *  (`sh -c`, an interactive shell) rather than the command being exec'd alone. Without it, the shell alone. */
  processes?(self?: string): Process[];
  /** Send `signal` to process `pid` (what the process then does is the runtime's); false: no such process. */
  kill?(pid: number, signal: number): boolean;
  /** The filesystems mounted in the container (df); without it, none known. */
  mounts?(): Mounted[];
  /** Programs the host adds, by name (found before the image's). */
  hostPrograms?: Record<string, HostProgram>;
  /** The host's Tab completion of its programs' arguments: candidates for `word` after `argv`
   *  (undefined: not a program it completes; file names are offered then). */
  complete?(argv: string[], word: string): string[] | Promise<string[]> | undefined;
  /** Who the shell runs as, and the names the image's /etc/passwd and /etc/group give ids; without it, root. */
  user?: ShellUser;
  /** The node's memory as `top`/`free` see it, in KiB. */
  memory?(): { total: number; used: number; free: number; shared: number; buffers: number; cached: number };
}
