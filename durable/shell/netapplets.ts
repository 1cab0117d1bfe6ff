// ping and nc, the classic lessons' probes, over the simulated network: busybox's and iputils'
// ping, busybox's nc (nc 1.10 compatible: -z, -v, -w, stdin to the peer and its answer to stdout).
import type { AppletCall } from "./applets";
import { STATUS_TEXT } from "./applets";
import { HaltSignal, type ShellState } from "./interp";
import type { Network } from "./types";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const namespaceOf = (s: ShellState) => s.ctx.pod?.metadata?.namespace ?? "default";

/** Virtual time passes as a packet interval or a wait does (a container's program stops at its window). */
function wait(s: ShellState, ms: number): void {
  s.t.elapsed += ms;
  if (s.t.elapsed > s.until) {
    s.t.elapsed = s.until;
    throw new HaltSignal();
  }
}

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
function rtt(ip: string, seq: number, sameNode: boolean): number {
  let h = 0x811c9dc5;
  for (const c of `${ip}#${seq}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return (sameNode ? 45 : 380) + (h % (sameNode ? 60 : 240));
}
const ms3 = (us: number) => `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;

/** ping [-c COUNT] [-W SEC] [-i SEC] [-q] HOST, in the image's implementation (busybox or iputils). */
export function ping(args: string[], call: AppletCall): number {
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
    io.stderr(iputils ? "ping: usage error: Destination address required\n" : "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n");
    return iputils ? 2 : 1;
  }
  if (count !== undefined && !(count > 0)) {
    io.stderr(iputils ? `ping: invalid argument: '${count}': out of range: 1 <= value <= 9223372036854775807\n` : `ping: invalid number '${count}'\n`);
    return 1;
  }
  const ip = s.ctx.net.resolve(host, namespaceOf(s))[0];
  if (!ip) {
    io.stderr(iputils ? `ping: ${host}: Name does not resolve\n` : `ping: bad address '${host}'\n`);
    return iputils ? 2 : 1;
  }
  // An exec has nobody to press ^C: without -c, four packets and a word about it.
  const bounded = count ?? (Number.isFinite(s.until) ? Infinity : 4);
  const up = answers(s.ctx.net, ip, s);
  const own: string = s.ctx.pod?.status?.podIP ?? "";
  const sameNode = ip === "127.0.0.1" || ip.split(".").slice(0, 3).join(".") === own.split(".").slice(0, 3).join(".");
  const ttl = sameNode ? 64 : 62;
  io.stdout(iputils ? `PING ${host} (${ip}) 56(84) bytes of data.\n` : `PING ${host} (${ip}): 56 data bytes\n`);
  const times: number[] = [];
  let sent = 0;
  const stats = () => {
    const loss = Math.round((100 * (sent - times.length)) / Math.max(sent, 1));
    const min = Math.min(...times), max = Math.max(...times), avg = Math.round(times.reduce((a, b) => a + b, 0) / Math.max(times.length, 1));
    io.stdout(`\n--- ${host} ping statistics ---\n`);
    if (iputils) {
      const mdev = Math.round(Math.sqrt(times.reduce((a, t) => a + (t - avg) ** 2, 0) / Math.max(times.length, 1)));
      io.stdout(`${sent} packets transmitted, ${times.length} received, ${loss}% packet loss, time ${Math.max(0, sent - 1) * interval + (times.length ? 1 : 40)}ms\n`);
      if (times.length) io.stdout(`rtt min/avg/max/mdev = ${ms3(min)}/${ms3(avg)}/${ms3(max)}/${ms3(mdev)} ms\n`);
    } else {
      io.stdout(`${sent} packets transmitted, ${times.length} packets received, ${loss}% packet loss\n`);
      if (times.length) io.stdout(`round-trip min/avg/max = ${ms3(min)}/${ms3(avg)}/${ms3(max)} ms\n`);
    }
  };
  try {
    for (let seq = 0; seq < bounded; seq++) {
      if (seq) wait(s, interval);
      sent++;
      if (!up) continue;
      const t = rtt(ip, seq, sameNode);
      times.push(t);
      if (!quiet) io.stdout(iputils ? `64 bytes from ${ip}: icmp_seq=${seq + 1} ttl=${ttl} time=${ms3(t).replace(/0+$/, "").replace(/\.$/, "")} ms\n` : `64 bytes from ${ip}: seq=${seq} ttl=${ttl} time=${ms3(t)} ms\n`);
    }
    if (!up) wait(s, 10_000); // the last request's reply is awaited for 10 s
  } catch (e) {
    if (e instanceof HaltSignal) stats();
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
const wireName = (k: string) => (k === "etag" ? "ETag" : k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase()));

/** busybox nc: `nc [-v] [-z] [-w SEC] HOST PORT`; stdin goes to the peer, its answer to stdout. */
export function nc(args: string[], call: AppletCall): number {
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
    io.stderr("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n");
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
    ? s.ctx.net.http({ method: req.method, url: `http://${host}:${port}${req.path}`, headers: { ...req.headers }, body: req.body || undefined }, s.ctx.pod)
    : s.ctx.net.connect(host, port, s.ctx.pod);
  if ("error" in res && (res.code === 7 || res.code === 28 || res.code === 6)) {
    if (res.code === 28) wait(s, waitSec ? waitSec * 1000 : 134_012);
    // A single -v keeps quiet about refusals (nc 1.10's port-scan habit); -vv says it.
    if (res.code === 28 ? verbose > 0 : verbose > 1) io.stderr(`nc: ${host} (${dotted}): ${res.code === 28 ? "Connection timed out" : "Connection refused"}\n`);
    return 1;
  }
  if (verbose) io.stderr(`${host} (${dotted}) open\n`);
  if (zero || !("status" in res)) return 0; // nothing asked, or a server that answers no HTTP: it closes on EOF
  const chunked = /chunked/i.test(res.headers["transfer-encoding"] ?? "");
  const body = chunked ? `${new TextEncoder().encode(res.body).length.toString(16)}\r\n${res.body}\r\n0\r\n\r\n` : res.body;
  const head = `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ""}\r\n${Object.entries(res.headers).map(([k, v]) => `${wireName(k)}: ${v}\r\n`).join("")}\r\n`;
  io.stdout(head + (req!.method === "HEAD" ? "" : body));
  return 0;
}
