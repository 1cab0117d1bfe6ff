// The commands a container has (busybox-style applets), over the virtual filesystem and network.
import { FSError, resolvePath } from "../fs";
import type { Flavour, ShellIO, ShellUser } from "./types";
import { environ, nowOf, type Run, type ShellState } from "./interp";
import { JOB_APPLETS } from "./jobs";
import { tar } from "./tar";
import { FILE_APPLETS, defaultMode } from "./fileapplets";
import { grep, grepAs } from "./grep";
import { sed } from "./sed";
import { awk } from "./awk";
import { jq } from "./jq";
import { bracket, test, which } from "./testcmd";
import { base64, cut, head, nl, rev, sort, tac, tail, tee, tr, uniq, wc } from "./text";
import { hostname, ifconfig, ip, nc, ping } from "./netapplets";
import { curl } from "./curl";
import { wget } from "./wget";
import { df, kill, top } from "./procapplets";

export interface AppletCall {
  s: ShellState;
  io: ShellIO;
  stdin: string;
  /** stdin as bytes, when it came from outside the shell (exec's stdin): binary-safe. */
  stdinBytes?: Uint8Array;
  /** Which implementation the image ships (busybox, iputils …): the output follows it. */
  flavour?: Flavour;
}
/**
 * An applet: `(args, call)` returns its exit status. One that lets time pass (sleep, watch) or runs
 * other commands is a generator instead — a Run that yields Pauses (`yield* pause(ms)`) and returns
 * its status; the interpreter drives either kind. Plain sync applets need nothing more.
 */
export type Applet = (args: string[], call: AppletCall) => number | Run;

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w = 2, c = "0") => String(n).padStart(w, c);

/** strftime over UTC (containers run in UTC). */
export function strftime(fmt: string, ms: number): string {
  const d = new Date(ms);
  return fmt.replace(/%([a-zA-Z%])/g, (_, f: string) => {
    switch (f) {
      case "Y":
        return String(d.getUTCFullYear());
      case "m":
        return pad(d.getUTCMonth() + 1);
      case "d":
        return pad(d.getUTCDate());
      case "e":
        return pad(d.getUTCDate(), 2, " ");
      case "H":
        return pad(d.getUTCHours());
      case "M":
        return pad(d.getUTCMinutes());
      case "S":
        return pad(d.getUTCSeconds());
      case "s":
        return String(Math.floor(ms / 1000));
      case "N":
        return pad(d.getUTCMilliseconds() * 1_000_000, 9);
      case "a":
        return DAYS[d.getUTCDay()];
      case "b":
        return MONTHS[d.getUTCMonth()];
      case "Z":
        return "UTC";
      case "z":
        return "+0000";
      case "T":
        return strftime("%H:%M:%S", ms);
      case "F":
        return strftime("%Y-%m-%d", ms);
      case "D":
        return strftime("%m/%d/%y", ms);
      case "c":
        return strftime("%a %b %e %H:%M:%S %Y", ms);
      case "%":
        return "%";
      default:
        return `%${f}`;
    }
  });
}

/** Backslash escapes of echo -e and printf. */
function escapes(s: string): string {
  return s.replace(/\\(0[0-7]{0,3}|[nrtabfv\\e]|c)/g, (_, e: string) => {
    if (e[0] === "0") return String.fromCharCode(parseInt(e.slice(1) || "0", 8));
    return ({ n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", f: "\f", v: "\v", "\\": "\\", e: "\x1b", c: "" } as Record<string, string>)[e];
  });
}

function printf(fmt: string, args: string[]): string {
  let out = "";
  let i = 0;
  do {
    out += escapes(fmt).replace(
      /%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdiouxXfcb%])/g,
      (_, flags: string, width: string, prec: string, conv: string) => {
        if (conv === "%") return "%";
        const a = args[i++] ?? "";
        let v: string;
        switch (conv) {
          case "d":
          case "i":
          case "u":
            v = String(Math.trunc(Number(a) || 0));
            break;
          case "o":
            v = (Math.trunc(Number(a)) || 0).toString(8);
            break;
          case "x":
            v = (Math.trunc(Number(a)) || 0).toString(16);
            break;
          case "X":
            v = (Math.trunc(Number(a)) || 0).toString(16).toUpperCase();
            break;
          case "f":
            v = (Number(a) || 0).toFixed(prec ? Number(prec) : 6);
            break;
          case "c":
            v = a.slice(0, 1);
            break;
          case "b":
            v = escapes(a);
            break;
          default:
            v = prec ? a.slice(0, Number(prec)) : a;
        }
        const w = Number(width) || 0;
        return flags.includes("-") ? v.padEnd(w) : v.padStart(w, flags.includes("0") && conv !== "s" ? "0" : " ");
      },
    );
  } while (i > 0 && i < args.length);
  return out;
}

/** Split leading single-letter flags ("-la" → l, a) from operands; "--" ends them. */
function flags(args: string[], withValue = ""): { f: Record<string, string | true>; rest: string[] } {
  const f: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (/^-[A-Za-z0-9]/.test(a) && !rest.length) {
      for (let j = 1; j < a.length; j++) {
        if (withValue.includes(a[j])) {
          f[a[j]] = a.slice(j + 1) || args[++i] || "";
          break;
        }
        f[a[j]] = true;
      }
    } else rest.push(a);
  }
  return { f, rest };
}

/** Read operands (or stdin): [name, content] pairs; reports missing files. */
function inputs(files: string[], { s, io, stdin }: AppletCall, cmd: string): { data: [string, string][]; status: number } {
  if (!files.length || (files.length === 1 && files[0] === "-")) return { data: [["-", stdin]], status: 0 };
  const data: [string, string][] = [];
  let status = 0;
  for (const f of files) {
    const p = resolvePath(f, s.cwd);
    if (s.ctx.fs.isDir(p)) {
      io.stderr(`${cmd}: read error: Is a directory\n`);
      status = 1;
      continue;
    }
    const c = s.ctx.fs.read(p);
    if (c === undefined) {
      io.stderr(`${cmd}: can't open '${f}': No such file or directory\n`);
      status = 1;
      continue;
    }
    data.push([f, c]);
  }
  return { data, status };
}

/** The shell's credentials: its context's, else a root shell's. */
const ROOT: ShellUser = {
  uid: 0,
  gid: 0,
  groups: [0],
  userName: (u) => (u === 0 ? "root" : undefined),
  groupName: (g) => (g === 0 ? "root" : undefined),
};
export const userOf = (s: ShellState): ShellUser => s.ctx.user ?? ROOT;

/** ls -l's mode column: "-rwxr-xr-x". */
function permissions(dir: boolean, mode: number): string {
  let out = dir ? "d" : "-";
  // setuid, setgid and sticky show in the x column of their triple (s/t, capital without x).
  for (const [shift, special, letter] of [
    [6, 0o4000, "s"],
    [3, 0o2000, "s"],
    [0, 0o1000, "t"],
  ] as const) {
    const b = (mode >> shift) & 7;
    const x = mode & special ? (b & 1 ? letter : letter.toUpperCase()) : b & 1 ? "x" : "-";
    out += `${b & 4 ? "r" : "-"}${b & 2 ? "w" : "-"}${x}`;
  }
  return out;
}

function ls(args: string[], { s, io }: AppletCall): number {
  const { f, rest } = flags(args);
  const all = !!f.a;
  const long = !!f.l;
  let status = 0;
  const targets = rest.length ? rest : ["."];
  const entry = (name: string, path: string) => {
    if (!long) return name;
    const dir = s.ctx.fs.isDir(path);
    const size = dir ? 4096 : (s.ctx.fs.read(path) ?? "").length;
    const date = strftime("%b %e %H:%M", nowOf(s));
    const st = s.ctx.fs.stat?.(path);
    const u = userOf(s);
    const owner = (u.userName(st?.uid ?? 0) ?? String(st?.uid)).padEnd(8);
    const group = (u.groupName(st?.gid ?? 0) ?? String(st?.gid)).padEnd(8);
    return `${permissions(dir, st?.mode ?? defaultMode(dir))}    ${dir ? 2 : 1} ${owner} ${group} ${String(size).padStart(8)} ${date} ${name}`;
  };
  targets.forEach((t, i) => {
    const p = resolvePath(t, s.cwd);
    if (!s.ctx.fs.isDir(p)) {
      if (s.ctx.fs.read(p) === undefined) {
        io.stderr(`ls: ${t}: No such file or directory\n`);
        status = 1;
      } else io.stdout(`${entry(t, p)}\n`);
      return;
    }
    let names = s.ctx.fs.list(p) ?? [];
    if (!all) names = names.filter((n) => !n.startsWith("."));
    else names = [".", "..", ...names];
    if (targets.length > 1) io.stdout(`${i ? "\n" : ""}${t}:\n`);
    if (long) io.stdout(`total ${names.length * 4}\n`);
    // Columns are for a terminal; into a pipe or a file ls writes one name per line.
    const perLine = long || f["1"] || !io.tty;
    if (names.length) io.stdout(perLine ? names.map((n) => `${entry(n, resolvePath(n, p))}\n`).join("") : `${names.join("  ")}\n`);
  });
  return status;
}

/** busybox before 1.29 (the docs' busybox:1.28): nslookup still asked the C library's resolver. */
function oldBusybox(image: string | undefined): boolean {
  const m = /(?:^|\/)busybox:(\d+)\.(\d+)/.exec(image ?? "");
  return !!m && (Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 29));
}

/**
 * busybox 1.28's nslookup: getaddrinfo (resolv.conf's search list and ndots apply, so `web-0.nginx`
 * resolves), `%-10s %s` headers, each address numbered with its reverse name when there is one.
 */
function nslookupLibc(name: string, server: string, { s, io }: AppletCall): number {
  const ns = s.ctx.pod?.metadata?.namespace ?? "default";
  const block = (header: string, host: string, ips: string[]) =>
    `${header.padEnd(10)} ${host}\n${ips
      .map((ip, i) => {
        const rev = s.ctx.net.reverse?.(ip);
        return `Address ${i + 1}: ${ip}${rev ? ` ${rev}` : ""}\n`;
      })
      .join("")}`;
  io.stdout(`${block("Server:", server, [server])}\n`);
  const ips = s.ctx.net.resolve(name, ns);
  if (!ips.length) {
    io.stderr(`nslookup: can't resolve '${name}'\n`);
    return 1;
  }
  io.stdout(block("Name:", name, ips));
  return 0;
}

/**
 * busybox nslookup (1.36, its own resolver): a name without a dot is tried in every search domain of
 * /etc/resolv.conf, one with a dot only as given (so `svc.ns` is NXDOMAIN, unlike getaddrinfo); an A
 * then an AAAA query each, every answer printed followed by a blank line; any NXDOMAIN → exit 1.
 * CoreDNS answers cluster.local authoritatively, other names come back "Non-authoritative".
 */
function nslookup(args: string[], { s, io }: AppletCall): number {
  const name = args.find((a) => !a.startsWith("-"));
  if (!name) {
    io.stderr(
      "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n",
    );
    return 1;
  }
  if (s.ctx.net.dnsReachable?.() === false) {
    // Every query went unanswered (dropped by a NetworkPolicy): busybox gives up on the server.
    io.stdout(";; connection timed out; no servers could be reached\n\n");
    return 1;
  }
  const resolv = s.ctx.fs.read("/etc/resolv.conf") ?? "";
  const server = /^nameserver\s+(\S+)/m.exec(resolv)?.[1] ?? "127.0.0.1";
  if (oldBusybox(s.ctx.container?.image)) return nslookupLibc(name, server, { s, io } as AppletCall);
  const search = (/^search\s+(.+)$/m.exec(resolv)?.[1] ?? "").split(/\s+/).filter(Boolean);
  io.stdout(`Server:\t\t${server}\nAddress:\t${server}:53\n\n`);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    // A PTR query: CoreDNS answers for pod and Service IPs in the cluster's reverse zones.
    const ptr = `${name.split(".").reverse().join(".")}.in-addr.arpa`;
    const hit = s.ctx.net.reverse?.(name);
    if (!hit) {
      io.stdout(`** server can't find ${ptr}: NXDOMAIN\n\n`);
      return 1;
    }
    io.stdout(`${ptr}\tname = ${hit}\n\n`);
    return 0;
  }
  const queries = name.includes(".") || !search.length ? [name] : search.map((d) => `${name}.${d}`);
  let status = 0;
  for (const type of ["A", "AAAA"]) {
    for (const q of queries) {
      // An absolute name (FQDN) resolves as itself: ask the network with a trailing dot.
      const ips = s.ctx.net.resolve(`${q.replace(/\.$/, "")}.`, "");
      if (!ips.length) {
        io.stdout(`** server can't find ${q}: NXDOMAIN\n\n`);
        status = 1;
        continue;
      }
      const fqdn = q.replace(/\.$/, "");
      const authoritative = fqdn === "cluster.local" || fqdn.endsWith(".cluster.local");
      const v4 = type === "A" ? ips : [];
      io.stdout(`${authoritative ? "" : "Non-authoritative answer:\n"}${v4.map((ip) => `Name:\t${fqdn}\nAddress: ${ip}\n`).join("")}\n`);
    }
  }
  return status;
}

export const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const APPLETS: Record<string, Applet> = {
  true: () => 0,
  false: () => 1,
  ":": () => 0,
  echo(args, { io }) {
    let newline = true;
    let esc = false;
    while (args.length && /^-[neE]+$/.test(args[0])) {
      if (args[0].includes("n")) newline = false;
      if (args[0].includes("e")) esc = true;
      args = args.slice(1);
    }
    const text = args.join(" ");
    io.stdout((esc ? escapes(text) : text) + (newline ? "\n" : ""));
    return 0;
  },
  printf(args, { io }) {
    if (!args.length) {
      io.stderr("printf: usage: printf format [arguments]\n");
      return 2;
    }
    io.stdout(printf(args[0], args.slice(1)));
    return 0;
  },
  ...JOB_APPLETS,
  env(args, call) {
    const env = environ(call.s);
    const assigns = args.filter((a) => a.includes("=") && !a.startsWith("-"));
    for (const a of assigns) env[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
    const cmd = args.slice(args.findIndex((a) => !a.includes("=") && !a.startsWith("-")));
    if (cmd.length && !cmd[0].includes("=") && args.some((a) => !a.includes("=") && !a.startsWith("-")))
      return APPLETS[cmd[0]] && (!call.s.ctx.image || call.s.ctx.image.program(cmd[0]) !== undefined)
        ? APPLETS[cmd[0]](cmd.slice(1), call)
        : (call.io.stderr(`env: can't execute '${cmd[0]}': No such file or directory\n`), 127);
    call.io.stdout(
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    );
    return 0;
  },
  printenv(args, { s, io }) {
    const env = environ(s);
    if (!args.length) {
      io.stdout(
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(""),
      );
      return 0;
    }
    let ok = true;
    for (const a of args) {
      if (env[a] === undefined) ok = false;
      else io.stdout(`${env[a]}\n`);
    }
    return ok ? 0 : 1;
  },
  date(args, { s, io }) {
    const fmt = args.find((a) => a.startsWith("+"));
    io.stdout(`${strftime(fmt ? fmt.slice(1) : "%a %b %e %H:%M:%S %Z %Y", nowOf(s))}\n`);
    return 0;
  },
  hostname,
  pwd(_args, { s, io }) {
    io.stdout(`${s.cwd}\n`);
    return 0;
  },
  whoami(_args, { s, io, flavour }) {
    const u = userOf(s);
    const name = u.userName(u.uid);
    if (name !== undefined) {
      io.stdout(`${name}\n`);
      return 0;
    }
    io.stderr(flavour === "gnu" ? `whoami: cannot find name for user ID ${u.uid}\n` : `whoami: unknown uid ${u.uid}\n`);
    return 1;
  },
  id(_args, { s, io, flavour }) {
    const u = userOf(s);
    const named = (id: number, name: string | undefined) => (name === undefined ? `${id}` : `${id}(${name})`);
    // GNU id lists the primary group first; busybox prints getgroups(2) as the kernel sorts it.
    const groups = flavour === "gnu" ? [u.gid, ...u.groups.filter((g) => g !== u.gid)] : u.groups;
    io.stdout(
      `uid=${named(u.uid, u.userName(u.uid))} gid=${named(u.gid, u.groupName(u.gid))} groups=${groups.map((g) => named(g, u.groupName(g))).join(",")}\n`,
    );
    return 0;
  },
  uname(args, { s, io }) {
    io.stdout(args.some((a) => a.includes("a")) ? `Linux ${s.ctx.hostname} 6.8.0-1015-gcp #17-Ubuntu SMP x86_64 GNU/Linux\n` : "Linux\n");
    return 0;
  },
  cat(args, call) {
    const files = args.filter((a) => a !== "-n" && a !== "-A");
    const { s, io, stdinBytes } = call;
    // Bytes straight through where both ends take them (kubectl exec … cat of a binary file).
    if (io.stdoutBytes && s.ctx.fs.readBytes) {
      let status = 0;
      for (const f of files.length ? files : ["-"]) {
        if (f === "-") {
          if (stdinBytes) io.stdoutBytes(stdinBytes);
          else io.stdout(call.stdin);
          continue;
        }
        const p = resolvePath(f, s.cwd);
        const bytes = s.ctx.fs.isDir(p) ? undefined : s.ctx.fs.readBytes(p);
        if (bytes) io.stdoutBytes(bytes);
        else status = inputs([f], call, "cat").status || status;
      }
      return status;
    }
    const { data, status } = inputs(files, call, "cat");
    for (const [, c] of data) call.io.stdout(c);
    return status;
  },
  ls,
  grep,
  egrep: grepAs("egrep"),
  fgrep: grepAs("fgrep"),
  sed,
  awk,
  // Debian's awk is mawk by another name.
  mawk: awk,
  jq,
  head,
  tail,
  wc,
  tee,
  base64,
  tac,
  rev,
  nl,
  test,
  "[": bracket,
  which,
  mkdir(args, { s, io }) {
    const { f, rest } = flags(args);
    let status = 0;
    for (const a of rest) {
      const p = resolvePath(a, s.cwd);
      const parent = p.slice(0, p.lastIndexOf("/")) || "/";
      const why =
        s.ctx.fs.isDir(p) || s.ctx.fs.read(p) !== undefined
          ? f.p
            ? ""
            : "File exists"
          : !f.p && !s.ctx.fs.isDir(parent)
            ? "No such file or directory"
            : "";
      try {
        if (why) throw why;
        if (s.ctx.fs.mkdir) s.ctx.fs.mkdir(p);
        else if (!s.ctx.fs.isDir(p)) s.ctx.fs.write(`${p}/.keep`, "");
      } catch (e) {
        if (e === "") continue;
        io.stderr(`mkdir: can't create directory '${a}': ${typeof e === "string" ? e : (e as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
  sort,
  uniq,
  seq(args, { io }) {
    const n = args.map(Number);
    const [first, step, last] = n.length === 1 ? [1, 1, n[0]] : n.length === 2 ? [n[0], 1, n[1]] : [n[0], n[1], n[2]];
    const out: number[] = [];
    for (let i = first; step > 0 ? i <= last : i >= last; i += step) if (out.push(i) > 100_000) break;
    io.stdout(out.map((x) => `${x}\n`).join(""));
    return 0;
  },
  cut,
  tr,
  basename(args, { io }) {
    io.stdout(`${(args[0] ?? "").replace(/\/+$/, "").split("/").pop()}\n`);
    return 0;
  },
  dirname(args, { io }) {
    const p = (args[0] ?? "").replace(/\/+$/, "");
    io.stdout(`${p.includes("/") ? p.slice(0, p.lastIndexOf("/")) || "/" : "."}\n`);
    return 0;
  },
  rm(args, { s, io }) {
    const { f, rest } = flags(args);
    let status = 0;
    for (const a of rest) {
      const p = resolvePath(a, s.cwd);
      if (s.ctx.fs.isDir(p) && !f.r && !f.R) {
        io.stderr(`rm: '${a}' is a directory\n`);
        status = 1;
        continue;
      }
      try {
        const gone = s.ctx.fs.isDir(p) ? (s.ctx.fs.removeTree?.(p) ?? false) : (s.ctx.fs.remove?.(p) ?? false);
        if (!gone && !f.f && !s.ctx.fs.isDir(p)) {
          io.stderr(`rm: can't remove '${a}': No such file or directory\n`);
          status = 1;
        }
      } catch (e) {
        if (!(e instanceof FSError)) throw e;
        io.stderr(`rm: can't remove '${a}': ${e.message}\n`);
        status = 1;
      }
    }
    return status;
  },
  ...FILE_APPLETS,
  touch(args, { s, io, flavour }) {
    let status = 0;
    for (const a of args) {
      const p = resolvePath(a, s.cwd);
      try {
        if (s.ctx.fs.read(p) === undefined) s.ctx.fs.write(p, "");
      } catch (e) {
        if (!(e instanceof FSError)) throw e;
        io.stderr(flavour === "gnu" ? `touch: cannot touch '${a}': ${e.message}\n` : `touch: ${a}: ${e.message}\n`);
        status = 1;
      }
    }
    return status;
  },
  ps(args, { s, io }) {
    const rows = (
      s.ctx.processes?.(s.interactive === undefined ? undefined : s.name) ?? [
        { pid: 1, user: "root", command: "sh" },
        { pid: 7, user: "root", command: "ps" },
      ]
    )
      // busybox shows each process's whole command line, its own too (`ps ax`).
      .map((p, i, all) => (i === all.length - 1 && p.command === "ps" ? { ...p, command: ["ps", ...args].join(" ") } : p))
      .map((p) => `${String(p.pid).padStart(5)} ${p.user.padEnd(8)}  0:00 ${p.command}\n`);
    io.stdout(`PID   USER     TIME  COMMAND\n${rows.join("")}`);
    return 0;
  },
  curl,
  wget,
  nslookup,
  tar,
  ping,
  nc,
  ip,
  ifconfig,
  kill,
  df,
  top,
};
