// ping and nc, the classic lessons' probes, over the simulated network: busybox's and iputils'
// ping, busybox's nc (nc 1.10 compatible: -z, -v, -w, stdin to the peer and its answer to stdout).
import type { AppletCall } from "./applets";
import { STATUS_TEXT } from "./applets";
import { HaltSignal, pause, runsUntilStopped, ShellSignal, type Run, type ShellState } from "./interp";
import type { Network } from "./types";
import type { PodInterface } from "./types";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const namespaceOf = (s: ShellState) => s.ctx.pod?.metadata?.namespace ?? "default";

/**
 * Does an address answer ICMP echo? Something must hold it: a pod's or a node's interface, or
 * loopback. A ClusterIP is only iptables rules (no interface), so it never answers. A TCP dial to a
 * closed port tells them apart: a holder resets it (refused), an address nobody holds drops it.
 */
function answers(net: Network, ip: string, from: ShellState): boolean {
  const r = net.connect(ip, 9, from.ctx.pod);
  return "ok" in r || r.code === 7;
}

/** A stable sub-millisecond round-trip time per target and sequence number (µs). */
export function rtt(ip: string, seq: number, sameNode: boolean): number {
  let h = 0x811c9dc5;
  for (const c of `${ip}#${seq}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return (sameNode ? 45 : 380) + (h % (sameNode ? 60 : 240));
}
const ms3 = (us: number) => `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;

/** ping [-c COUNT] [-W SEC] [-i SEC] [-q] HOST, in the image's implementation (busybox or iputils):
 *  a packet an interval, in real time in a shell someone types into. */
export function* ping(args: string[], call: AppletCall): Run {
  const { s, io } = call;
  const iputils = call.flavour === "iputils";
  let count: number | undefined;
  let quiet = false;
  let interval = 1000;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-c") count = Number(args[++i]);
    else if (/^-c\d+$/.test(a)) count = Number(a.slice(2));
    else if (a === "-i") interval = Number(args[++i]) * 1000;
    else if (a === "-W" || a === "-w" || a === "-s" || a === "-t") i++;
    else if (a === "-q") quiet = true;
    else if (!a.startsWith("-")) host = a;
  }
  if (!host) {
    io.stderr(
      iputils
        ? "ping: usage error: Destination address required\n"
        : "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n",
    );
    return iputils ? 2 : 1;
  }
  if (count !== undefined && !(count > 0)) {
    io.stderr(
      iputils
        ? `ping: invalid argument: '${count}': out of range: 1 <= value <= 9223372036854775807\n`
        : `ping: invalid number '${count}'\n`,
    );
    return 1;
  }
  const ip = s.ctx.net.resolve(host, namespaceOf(s))[0];
  if (!ip) {
    io.stderr(iputils ? `ping: ${host}: Name does not resolve\n` : `ping: bad address '${host}'\n`);
    return iputils ? 2 : 1;
  }
  // Without -c it runs until interrupted (a human's Ctrl-C, the end of a program's window); a
  // synchronous run (a probe) has nobody to stop it: four packets and a word about it.
  const bounded = count ?? (runsUntilStopped(s) ? Infinity : 4);
  const up = answers(s.ctx.net, ip, s);
  const own: string = s.ctx.pod?.status?.podIP ?? "";
  const sameNode = ip === "127.0.0.1" || ip.split(".").slice(0, 3).join(".") === own.split(".").slice(0, 3).join(".");
  const ttl = sameNode ? 64 : 62;
  io.stdout(iputils ? `PING ${host} (${ip}) 56(84) bytes of data.\n` : `PING ${host} (${ip}): 56 data bytes\n`);
  const times: number[] = [];
  let sent = 0;
  const stats = () => {
    const loss = Math.round((100 * (sent - times.length)) / Math.max(sent, 1));
    const min = Math.min(...times),
      max = Math.max(...times),
      avg = Math.round(times.reduce((a, b) => a + b, 0) / Math.max(times.length, 1));
    io.stdout(`\n--- ${host} ping statistics ---\n`);
    if (iputils) {
      const mdev = Math.round(Math.sqrt(times.reduce((a, t) => a + (t - avg) ** 2, 0) / Math.max(times.length, 1)));
      io.stdout(
        `${sent} packets transmitted, ${times.length} received, ${loss}% packet loss, time ${Math.max(0, sent - 1) * interval + (times.length ? 1 : 40)}ms\n`,
      );
      if (times.length) io.stdout(`rtt min/avg/max/mdev = ${ms3(min)}/${ms3(avg)}/${ms3(max)}/${ms3(mdev)} ms\n`);
    } else {
      io.stdout(`${sent} packets transmitted, ${times.length} packets received, ${loss}% packet loss\n`);
      if (times.length) io.stdout(`round-trip min/avg/max = ${ms3(min)}/${ms3(avg)}/${ms3(max)} ms\n`);
    }
  };
  try {
    for (let seq = 0; seq < bounded; seq++) {
      if (seq) yield* pause(interval);
      sent++;
      if (!up) continue;
      const t = rtt(ip, seq, sameNode);
      times.push(t);
      if (!quiet)
        io.stdout(
          iputils
            ? `64 bytes from ${ip}: icmp_seq=${seq + 1} ttl=${ttl} time=${ms3(t).replace(/0+$/, "").replace(/\.$/, "")} ms\n`
            : `64 bytes from ${ip}: seq=${seq} ttl=${ttl} time=${ms3(t)} ms\n`,
        );
    }
    if (!up) yield* pause(10_000); // the last request's reply is awaited for 10 s
  } catch (e) {
    // ping handles SIGINT (Ctrl-C): the statistics, and it exits as if it had ended.
    if (e instanceof ShellSignal && e.name === "INT") {
      stats();
      return times.length ? 0 : 1;
    }
    if (e instanceof HaltSignal) stats(); // out of its program's window
    throw e;
  }
  stats();
  if (count === undefined) io.stderr(`kubeplay: ping stopped after ${bounded} packets (without -c a real ping runs until interrupted)\n`);
  return times.length ? 0 : 1;
}

/** An HTTP request in nc's stdin: request line and headers (CRLF or bare LF), then a body. */
function parseHTTP(data: string): { method: string; path: string; headers: Record<string, string>; body: string } | undefined {
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r?\n/.exec(data);
  if (!m) return undefined;
  const end = data.search(/\r?\n\r?\n/);
  const head = (end < 0 ? data : data.slice(0, end)).split(/\r?\n/).slice(1);
  const headers: Record<string, string> = {};
  for (const h of head) {
    const i = h.indexOf(":");
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return { method: m[1], path: m[2], headers, body: end < 0 ? "" : data.slice(end).replace(/^\r?\n\r?\n/, "") };
}

/** Header names as servers send them on the wire. */
export const wireName = (k: string) =>
  k === "etag" ? "ETag" : k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());

/** busybox nc: `nc [-v] [-z] [-w SEC] HOST PORT`; stdin goes to the peer, its answer to stdout. */
export function* nc(args: string[], call: AppletCall): Run {
  const { s, io } = call;
  let verbose = 0;
  let zero = false;
  let waitSec: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (/^-[vzlkun]+$/.test(a)) {
      for (const f of a.slice(1)) {
        if (f === "v") verbose++;
        else if (f === "z") zero = true;
        else if (f === "l" || f === "k") {
          io.stderr("kubeplay: nc -l: listening is not simulated (a container's own server is its image's)\n");
          return 1;
        } else if (f === "u") {
          io.stderr("kubeplay: nc -u: UDP is not simulated\n");
          return 1;
        }
      }
    } else if (a === "-w") waitSec = Number(args[++i]);
    else if (/^-w\d+$/.test(a)) waitSec = Number(a.slice(2));
    else rest.push(a);
  }
  const [host, portArg] = rest;
  if (!host || !portArg) {
    io.stderr(
      "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n",
    );
    return 1;
  }
  const port = Number(portArg);
  if (!/^\d+$/.test(portArg) || port < 1 || port > 65535) {
    io.stderr(`nc: bad port '${portArg}'\n`);
    return 1;
  }
  const ip = s.ctx.net.resolve(host, namespaceOf(s))[0];
  if (!ip) {
    io.stderr(`nc: bad address '${host}'\n`);
    return 1;
  }
  const dotted = `${ip}:${port}`;
  const req = zero ? undefined : parseHTTP(call.stdin);
  // An HTTP request goes through the HTTP path (one connection, as the server logs it); else a dial.
  const res = req
    ? s.ctx.net.http(
        { method: req.method, url: `http://${host}:${port}${req.path}`, headers: { ...req.headers }, body: req.body || undefined },
        s.ctx.pod,
      )
    : s.ctx.net.connect(host, port, s.ctx.pod);
  if ("error" in res && (res.code === 7 || res.code === 28 || res.code === 6)) {
    if (res.code === 28) yield* pause(waitSec ? waitSec * 1000 : 134_012);
    // A single -v keeps quiet about refusals (nc 1.10's port-scan habit); -vv says it.
    if (res.code === 28 ? verbose > 0 : verbose > 1)
      io.stderr(`nc: ${host} (${dotted}): ${res.code === 28 ? "Connection timed out" : "Connection refused"}\n`);
    return 1;
  }
  if (verbose) io.stderr(`${host} (${dotted}) open\n`);
  if (zero || !("status" in res)) return 0; // nothing asked, or a server that answers no HTTP: it closes on EOF
  const chunked = /chunked/i.test(res.headers["transfer-encoding"] ?? "");
  const body = chunked ? `${new TextEncoder().encode(res.body).length.toString(16)}\r\n${res.body}\r\n0\r\n\r\n` : res.body;
  const head = `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ""}\r\n${Object.entries(res.headers)
    .map(([k, v]) => `${wireName(k)}: ${v}\r\n`)
    .join("")}\r\n`;
  io.stdout(head + (req!.method === "HEAD" ? "" : body));
  return 0;
}

// ---- the pod's own addresses: hostname -i, ip, ifconfig -----------------------------------------

/** The pod's interface, or the loopback-only view of a shell outside a pod. */
function podInterface(s: ShellState): PodInterface | undefined {
  return s.ctx.pod ? s.ctx.net.iface?.(s.ctx.pod) : undefined;
}

const maskOf = (prefix: number) =>
  [0, 1, 2, 3]
    .map((i) => Math.max(0, Math.min(8, prefix - 8 * i)))
    .map((b) => 256 - 2 ** (8 - b))
    .join(".");
const broadcastOf = (ip: string, prefix: number) => {
  const n = ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);
  const host = 2 ** (32 - prefix) - 1;
  const b = n - (n % (host + 1)) + host;
  return [24, 16, 8, 0].map((sh) => Math.floor(b / 2 ** sh) % 256).join(".");
};
const networkOf = (ip: string, prefix: number) => {
  const [a, b] = [broadcastOf(ip, prefix).split(".").map(Number), maskOf(prefix).split(".").map(Number)];
  return `${a.map((x, i) => x & b[i]).join(".")}/${prefix}`;
};
/** The EUI-64 link-local address the kernel gives a MAC (fe80::…, universal/local bit flipped). */
function linkLocal(mac: string): string {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  b[0] ^= 2;
  const words = [(b[0] << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]];
  return `fe80::${words.map((w) => w.toString(16)).join(":")}`;
}

const GNU_HOSTNAME_USAGE =
  "Usage: hostname [-b] {hostname|-F file}         set host name (from file)\n       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name\n       hostname                                 display host name\n\n       {yp,nis,}domainname {nisdomain|-F file}  set NIS domain name (from file)\n       {yp,nis,}domainname                      display NIS domain name\n\n       dnsdomainname                            display dns domain name\n\n       hostname -V|--version|-h|--help          print info and exit\n\nProgram name:\n       {yp,nis,}domainname=hostname -y\n       dnsdomainname=hostname -d\n\nProgram options:\n    -a, --alias            alias names\n    -A, --all-fqdns        all long host names (FQDNs)\n    -b, --boot             set default hostname if none available\n    -d, --domain           DNS domain name\n    -f, --fqdn, --long     long host name (FQDN)\n    -F, --file             read host name or NIS domain name from given file\n    -i, --ip-address       addresses for the host name\n    -I, --all-ip-addresses all addresses for the host\n    -s, --short            short host name\n    -y, --yp, --nis        NIS/YP domain name\n\nDescription:\n   This command can get or set the host name or the NIS domain name. You can\n   also get the DNS domain or the FQDN (fully qualified domain name).\n   Unless you are using bind or NIS for host lookups you can change the\n   FQDN (Fully Qualified Domain Name) and the DNS domain name (which is\n   part of the FQDN) in the /etc/hosts file.\n";

/** hostname [-s|-f|-d|-i|-I]: busybox's or GNU's (Debian's hostname package). */
export function hostname(args: string[], call: AppletCall): number {
  const { s, io } = call;
  const gnu = call.flavour === "gnu";
  const name = s.ctx.hostname;
  const hosts = s.ctx.fs.read("/etc/hosts") ?? "";
  const entry = hosts
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim().split(/\s+/))
    .find((f) => f.length > 1 && IPV4.test(f[0]) && f.slice(1).includes(name));
  const fqdn = entry?.[1] ?? name;
  const opts = args
    .filter((a) => a.startsWith("-") && a.length > 1)
    .flatMap((a) => (a.startsWith("--") ? [a] : [...a.slice(1)].map((c) => `-${c}`)));
  const operand = args.find((a) => !a.startsWith("-"));
  const allowed = gnu
    ? ["-s", "-f", "-d", "-i", "-I", "-A", "--short", "--fqdn", "--long", "--domain", "--ip-address", "--all-ip-addresses"]
    : ["-s", "-f", "-d", "-i", "-F"];
  const bad = opts.find((o) => !allowed.includes(o));
  if (bad) {
    if (gnu) {
      // net-tools' hostname: the complaint on stderr, its whole usage on stdout, exit 255.
      io.stderr(bad.startsWith("--") ? `hostname: unrecognized option '${bad}'\n` : `hostname: invalid option -- '${bad.slice(1)}'\n`);
      io.stdout(GNU_HOSTNAME_USAGE);
      return 255;
    }
    io.stderr(
      `hostname: invalid option -- '${bad.slice(1)}'\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: hostname [-sidf] [HOSTNAME | -F FILE]\n\nGet or set hostname or DNS domain name\n\n\t-s\tShort\n\t-i\tAddresses for the hostname\n\t-d\tDNS domain name\n\t-f\tFully qualified domain name\n\t-F FILE\tUse FILE's content as hostname\n`,
    );
    return 1;
  }
  if (operand && !opts.length) {
    io.stderr(gnu ? "hostname: you must be root to change the host name\n" : "hostname: sethostname: Operation not permitted\n");
    return 1;
  }
  const own = podInterface(s)?.ip ?? s.ctx.pod?.status?.podIP;
  const v = opts[0];
  if (v === "-i" || v === "--ip-address") {
    const ips = entry ? [entry[0]] : own ? [own] : [];
    if (!ips.length) {
      io.stderr(`hostname: ${name}: Name does not resolve\n`);
      return 1;
    }
    io.stdout(`${ips.join(" ")}\n`);
  } else if (v === "-I" || v === "--all-ip-addresses") io.stdout(`${own ? `${own} ` : ""}\n`);
  else if (v === "-s" || v === "--short") io.stdout(`${name.split(".")[0]}\n`);
  else if (v === "-f" || v === "--fqdn" || v === "--long" || v === "-A") io.stdout(`${fqdn}\n`);
  else if (v === "-d" || v === "--domain") io.stdout(`${fqdn.includes(".") ? fqdn.slice(fqdn.indexOf(".") + 1) : ""}\n`);
  else io.stdout(`${name}\n`);
  return 0;
}

interface Link {
  index: number;
  name: string;
  flags: string;
  mtu: number;
  mac: string;
  ip: string;
  prefix: number;
  qlen?: number;
}

function links(s: ShellState): Link[] {
  const lo: Link = {
    index: 1,
    name: "lo",
    flags: "LOOPBACK,UP,LOWER_UP",
    mtu: 65536,
    mac: "00:00:00:00:00:00",
    ip: "127.0.0.1",
    prefix: 8,
    qlen: 1000,
  };
  const i = podInterface(s);
  if (!i) return [lo];
  return [
    lo,
    {
      index: 2,
      name: i.hostNetwork ? "eth0" : `eth0@if${i.peerIndex}`,
      flags: "BROADCAST,MULTICAST,UP,LOWER_UP",
      mtu: 1500,
      mac: i.mac,
      ip: i.ip,
      prefix: i.prefix,
      qlen: i.hostNetwork ? 1000 : undefined,
    },
  ];
}

/** iproute2's `ip addr` and busybox's (no state or group, M-DOWN on a veth, spaces where each puts them). */
function ipAddr(s: ShellState, busybox: boolean, only: string | undefined, family: "4" | "6" | undefined): string {
  let out = "";
  for (const l of links(s)) {
    const dev = l.name.split("@")[0];
    if (only && only !== dev) continue;
    const loop = l.name === "lo";
    const flags = busybox && !loop && l.name.includes("@") ? `${l.flags},M-DOWN` : l.flags;
    const head = busybox
      ? `${l.index}: ${l.name}: <${flags}> mtu ${l.mtu} qdisc noqueue ${l.qlen ? `qlen ${l.qlen}` : ""}`
      : `${l.index}: ${l.name}: <${flags}> mtu ${l.mtu} qdisc noqueue state ${loop ? "UNKNOWN" : "UP"} group default ${l.qlen ? `qlen ${l.qlen}` : ""}`;
    out += `${head}\n    link/${loop ? "loopback" : "ether"} ${l.mac} brd ${loop ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff"}${!busybox && l.name.includes("@") ? " link-netnsid 0" : ""}\n`;
    if (family !== "6")
      out += `    inet ${l.ip}/${l.prefix} ${loop ? "" : `brd ${broadcastOf(l.ip, l.prefix)} `}scope ${loop ? "host" : "global"} ${dev}\n       valid_lft forever preferred_lft forever\n`;
    if (family !== "4")
      out += `    inet6 ${loop ? "::1/128 scope host" : `${linkLocal(l.mac)}/64 scope link`} \n       valid_lft forever preferred_lft forever\n`;
  }
  return out;
}

function ipRoute(s: ShellState, busybox: boolean): string {
  const i = podInterface(s);
  if (!i) return "";
  const net = networkOf(i.ip, i.prefix);
  const end = busybox ? " " : "";
  const lines = [`default via ${i.gateway} dev eth0${end}`];
  if (!i.hostNetwork) lines.push(`${i.clusterCIDR} via ${i.gateway} dev eth0${end}`);
  lines.push(busybox ? `${net} dev eth0 scope link  src ${i.ip} ` : `${net} dev eth0 proto kernel scope link src ${i.ip}`);
  return lines.map((l) => `${l}\n`).join("");
}

/** iproute2's -brief: one line per link, name and state in columns, then addresses (or MAC and flags). */
function ipBrief(s: ShellState, only: string | undefined, family: "4" | "6" | undefined, addresses: boolean): string {
  return links(s)
    .filter((l) => !only || l.name.split("@")[0] === only)
    .map((l) => {
      const loop = l.name === "lo";
      const head = `${l.name.padEnd(16)} ${(loop ? "UNKNOWN" : "UP").padEnd(14)} `;
      if (!addresses) return `${head}${l.mac} <${l.flags}> \n`;
      const v4 = family === "6" ? [] : [`${l.ip}/${l.prefix}`];
      const v6 = family === "4" ? [] : [loop ? "::1/128" : `${linkLocal(l.mac)}/64`];
      return `${head}${[...v4, ...v6].map((a) => `${a} `).join("")}\n`;
    })
    .join("");
}

/** ip [-4|-6] [-br] addr|a|address [show [dev] IF] | route|r|ro [show] | link|l [show]: iproute2 or busybox. */
export function ip(args: string[], call: AppletCall): number {
  const { s, io } = call;
  const busybox = call.flavour === "busybox";
  let family: "4" | "6" | undefined;
  let brief = false;
  const rest: string[] = [];
  for (const a of args) {
    if (a === "-4" || a === "-6") family = a[1] as "4" | "6";
    else if (!busybox && ["-br", "-brief", "--brief"].includes(a)) brief = true;
    else if (a.startsWith("-")) {
      io.stderr(busybox ? `ip: invalid option -- '${a.slice(1, 2)}'\n` : `Option "${a}" is unknown, try "ip -help".\n`);
      return busybox ? 1 : 255;
    } else rest.push(a);
  }
  const [object, verb = "show", ...more] = rest;
  const is = (word: string | undefined, full: string) => !!word && full.startsWith(word);
  if (!object) {
    io.stderr(
      busybox
        ? "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n\nOPTIONS := -f[amily] inet|inet6|link | -o[neline]\n"
        : "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { address | link | route | neigh | rule | ... }\n",
    );
    return busybox ? 1 : 255;
  }
  if (!["show", "list", "ls", "lst", "sh"].some((v) => v.startsWith(verb) || verb === v)) {
    // A container has no CAP_NET_ADMIN: the kernel refuses every change (rtnl_talk fails, exit 2).
    io.stderr(busybox ? "ip: RTNETLINK answers: Operation not permitted\n" : "RTNETLINK answers: Operation not permitted\n");
    return 2;
  }
  const dev = more[0] === "dev" ? more[1] : more[0];
  if (is(object, "address") || object === "a") {
    if (dev && !links(s).some((l) => l.name.split("@")[0] === dev)) {
      io.stderr(busybox ? `ip: can't find device '${dev}'\n` : `Device "${dev}" does not exist.\n`);
      return 1;
    }
    io.stdout(brief ? ipBrief(s, dev, family, true) : ipAddr(s, busybox, dev, family));
    return 0;
  }
  if (is(object, "route") || object === "r") {
    io.stdout(ipRoute(s, busybox));
    return 0;
  }
  if (is(object, "link") || object === "l") {
    if (brief) {
      io.stdout(ipBrief(s, dev, family, false));
      return 0;
    }
    io.stdout(
      ipAddr(s, busybox, dev, family)
        .split("\n")
        .filter((l) => /^\d+:|^ {4}link\//.test(l))
        .map((l) => `${l}\n`)
        .join(""),
    );
    return 0;
  }
  io.stderr(busybox ? `ip: unknown command '${object}'\n` : `Object "${object}" is unknown, try "ip help".\n`);
  return busybox ? 1 : 255;
}

/** busybox ifconfig [-a] [IF]: eth0 then lo, net-tools' classic layout. */
export function ifconfig(args: string[], call: AppletCall): number {
  const { s, io } = call;
  const only = args.find((a) => !a.startsWith("-"));
  const all = links(s).map((l) => ({ ...l, name: l.name.split("@")[0] }));
  const shown = only ? all.filter((l) => l.name === only) : [...all.filter((l) => l.name !== "lo"), ...all.filter((l) => l.name === "lo")];
  if (only && !shown.length) {
    io.stderr(`ifconfig: ${only}: error fetching interface information: Device not found\n`);
    return 1;
  }
  if (only && args.length > 1) {
    io.stderr("ifconfig: SIOCSIFADDR: Operation not permitted\n");
    return 1;
  }
  io.stdout(
    shown
      .map((l) => {
        const loop = l.name === "lo";
        return [
          `${l.name.padEnd(10)}Link encap:${loop ? "Local Loopback  " : `Ethernet  HWaddr ${l.mac.toUpperCase()}  `}`,
          `          inet addr:${l.ip}  ${loop ? "" : `Bcast:${broadcastOf(l.ip, l.prefix)}  `}Mask:${maskOf(l.prefix)}`,
          `          inet6 addr: ${loop ? "::1/128 Scope:Host" : `${linkLocal(l.mac)}/64 Scope:Link`}`,
          `          UP ${loop ? "LOOPBACK" : "BROADCAST"} RUNNING ${loop ? " " : "MULTICAST  "}MTU:${l.mtu}  Metric:1`,
          "          RX packets:0 errors:0 dropped:0 overruns:0 frame:0",
          "          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0",
          `          collisions:0 txqueuelen:${l.qlen ?? 0} `,
          "          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)",
          "",
        ].join("\n");
      })
      .join("\n") + "\n",
  );
  return 0;
}
