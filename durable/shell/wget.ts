// wget over the simulated network in the image's implementation: busybox 1.36's applet (getopt32
// with its long options, one terse line per failure, exit 1) or GNU Wget 1.21.3 as Debian ships
// it (its log on stderr, exit codes 4 network, 5 TLS, 8 server error).
import type { AppletCall } from "./applets";
import { STATUS_TEXT } from "./applets";
import { resolvePath } from "../fs";
import { nowOf, pause, type Run } from "./interp";
import { wireName } from "./netapplets";
import type { HttpResult, NetError, ServerCertificate } from "./types";

const BUSYBOX_USAGE =
  "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n\n\t--spider\tOnly check URL existence: $? is 0 if exists\n\t--header STR\tAdd STR (of form 'header: value') to headers\n\t--post-data STR\tSend STR using POST method\n\t--post-file FILE\tSend FILE using POST method\n\t--no-check-certificate\tDon't validate the server's certificate\n\t-c\t\tContinue retrieval of aborted transfer\n\t-q\t\tQuiet\n\t-P DIR\t\tSave to DIR (default .)\n\t-S    \t\tShow server response\n\t-T SEC\t\tNetwork read timeout is SEC seconds\n\t-O FILE\t\tSave to FILE ('-' for stdout)\n\t-o LOGFILE\tLog messages to FILE\n\t-U STR\t\tUse STR for User-Agent header\n\t-Y on/off\tUse proxy\n";
const GNU_VERSION = "1.21.3";
/** The kernel's SYN retransmissions give up after about this long (tcp_syn_retries=6). */
const KERNEL_CONNECT_TIMEOUT = 134_012;

interface WgetOptions {
  urls: string[];
  quiet: boolean;
  output?: string;
  dir?: string;
  serverResponse: boolean;
  spider: boolean;
  timeout?: number;
  tries: number;
  agent?: string;
  headers: string[];
  postData?: string;
  postFile?: string;
  noCheckCertificate: boolean;
  caCertificate?: string;
}

/** [long name, short letter, takes a value, GNU only]. */
const OPTIONS: [string, string, boolean, boolean][] = [
  ["quiet", "q", false, false],
  ["output-document", "O", true, false],
  ["output-file", "o", true, false],
  ["directory-prefix", "P", true, false],
  ["server-response", "S", false, false],
  ["spider", "s", false, false],
  ["timeout", "T", true, false],
  ["user-agent", "U", true, false],
  ["header", "", true, false],
  ["post-data", "", true, false],
  ["post-file", "", true, false],
  ["no-check-certificate", "", false, false],
  ["continue", "c", false, false],
  ["proxy", "Y", true, false],
  ["tries", "t", true, true],
  ["ca-certificate", "", true, true],
  ["no-verbose", "", false, true],
  ["verbose", "v", false, true],
  ["version", "V", false, true],
  ["help", "h", false, true],
];

/** getopt_long over both flavours' options: bundles, attached values, --name=value and unique prefixes (GNU). */
function parseWgetArgs(args: string[], gnu: boolean): WgetOptions | { error: string } {
  const o: WgetOptions = {
    urls: [],
    quiet: false,
    serverResponse: false,
    spider: false,
    tries: 20,
    headers: [],
    noCheckCertificate: false,
  };
  const known = OPTIONS.filter((x) => gnu || !x[3]);
  const apply = (name: string, v?: string) => {
    switch (name) {
      case "quiet":
        o.quiet = true;
        break;
      case "output-document":
        o.output = v;
        break;
      case "directory-prefix":
        o.dir = v;
        break;
      case "server-response":
        o.serverResponse = true;
        break;
      case "spider":
        o.spider = true;
        break;
      case "timeout":
        o.timeout = Number(v);
        break;
      case "tries":
        o.tries = Number(v) || 20;
        break;
      case "user-agent":
        o.agent = v;
        break;
      case "header":
        o.headers.push(v!);
        break;
      case "post-data":
        o.postData = v;
        break;
      case "post-file":
        o.postFile = v;
        break;
      case "no-check-certificate":
        o.noCheckCertificate = true;
        break;
      case "ca-certificate":
        o.caCertificate = v;
        break;
    }
  };
  const unknown = (what: string) => ({
    error: gnu
      ? `wget: ${what}\nUsage: wget [OPTION]... [URL]...\n\nTry \`wget --help' for more options.\n`
      : `wget: ${what}\n${BUSYBOX_USAGE}`,
  });
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      o.urls.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const exact = known.find((x) => x[0] === name);
      const prefixed = known.filter((x) => x[0].startsWith(name));
      const opt = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (!opt) return unknown(prefixed.length > 1 ? `option '${a}' is ambiguous` : `unrecognized option '${a}'`);
      if (!opt[2]) apply(opt[0]);
      else if (eq > 0) apply(opt[0], a.slice(eq + 1));
      else if (i + 1 < args.length) apply(opt[0], args[++i]);
      else return unknown(`option '--${opt[0]}' requires an argument`);
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      o.urls.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const opt = known.find((x) => x[1] === a[j]);
      if (!opt) return unknown(`invalid option -- '${a[j]}'`);
      if (!opt[2]) {
        apply(opt[0]);
        continue;
      }
      const v = a.slice(j + 1) || args[++i];
      if (v === undefined) return unknown(`option requires an argument -- '${a[j]}'`);
      apply(opt[0], v);
      break;
    }
  }
  return o;
}

/** The URL as wget takes it (http:// by default), with host, port and the file name it saves to. */
function target(raw: string): { url: URL; hostPort: string; host: string; port: number; file: string } | undefined {
  const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    return undefined;
  }
  const hostPort = full.replace(/^[a-z]+:\/\//i, "").split(/[/?#]/)[0];
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return { url, hostPort, host: url.hostname, port, file: decodeURIComponent(url.pathname.split("/").pop() ?? "") || "index.html" };
}

function requestBody(o: WgetOptions, call: AppletCall): string | undefined {
  if (o.postData !== undefined) return o.postData;
  if (o.postFile !== undefined) return call.s.ctx.fs.read(resolvePath(o.postFile, call.s.cwd)) ?? "";
  return undefined;
}

/** Request headers: the flavour's own, then --header ones (a --header of the same name replaces it). */
function requestHeaders(o: WgetOptions, gnu: boolean, hostPort: string, body: string | undefined): Record<string, string> {
  const base: [string, string][] = gnu
    ? [
        ["user-agent", o.agent ?? `Wget/${GNU_VERSION}`],
        ["accept", "*/*"],
        ["accept-encoding", "identity"],
        ["host", hostPort],
        ["connection", "Keep-Alive"],
      ]
    : [
        ["host", hostPort],
        ["user-agent", o.agent ?? "Wget"],
        ["connection", "close"],
      ];
  const h = Object.fromEntries(base);
  for (const line of o.headers) {
    const i = line.indexOf(":");
    if (i > 0) h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  if (body !== undefined) {
    h["content-type"] ??= "application/x-www-form-urlencoded";
    h["content-length"] = String(new TextEncoder().encode(body).length);
  }
  return h;
}

export function* wget(args: string[], call: AppletCall): Run {
  const gnu = call.flavour === "gnu";
  const parsed = parseWgetArgs(args, gnu);
  if ("error" in parsed) {
    call.io.stderr(parsed.error);
    return gnu ? 2 : 1;
  }
  if (!parsed.urls.length) {
    call.io.stderr(gnu ? "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n" : BUSYBOX_USAGE);
    return 1;
  }
  return yield* gnu ? gnuWget(parsed, call) : busyboxWget(parsed, call);
}

function save(o: WgetOptions, call: AppletCall, file: string, body: string): void {
  const path = resolvePath(o.dir ? `${o.dir}/${file}` : file, call.s.cwd);
  call.s.ctx.fs.write(path, body);
}

/** A dropped SYN waits for the -T alarm or for the kernel to give up, whichever is first. */
const connectWait = (o: WgetOptions) => Math.min(o.timeout ? o.timeout * 1000 : Infinity, KERNEL_CONNECT_TIMEOUT);

function* busyboxWget(o: WgetOptions, call: AppletCall): Run {
  const { s, io } = call;
  const die = (msg: string) => (io.stderr(`wget: ${msg}\n`), 1);
  let status = 0;
  for (const raw of o.urls) {
    const t = target(raw);
    if (!t) {
      status = die(`bad address '${raw}'`);
      continue;
    }
    if (t.url.protocol !== "http:" && t.url.protocol !== "https:") {
      status = die(`not an http or ftp url: ${raw}`);
      continue;
    }
    const ip = s.ctx.net.resolve(t.host, s.ctx.pod?.metadata?.namespace ?? "default")[0];
    if (!ip) return die(`bad address '${t.host}'`);
    if (!o.quiet) io.stderr(`Connecting to ${t.hostPort} (${ip}:${t.port})\n`);
    const body = requestBody(o, call);
    const https = t.url.protocol === "https:";
    // busybox's TLS (or ssl_client) checks no certificate: it says so and goes on.
    const verify = () =>
      o.noCheckCertificate ? undefined : (io.stderr("wget: note: TLS certificate validation not implemented\n"), undefined);
    const res = s.ctx.net.http(
      {
        method: body !== undefined ? "POST" : "GET",
        url: t.url.href,
        headers: requestHeaders(o, false, t.hostPort, body),
        body,
        verify: https ? verify : undefined,
      },
      s.ctx.pod,
    );
    if ("error" in res) {
      if (res.code === 7) return die(`can't connect to remote host (${res.ip ?? ip}): Connection refused`);
      if (res.code === 28) {
        const ms = connectWait(o);
        yield* pause(ms);
        return die(
          ms < KERNEL_CONNECT_TIMEOUT ? "download timed out" : `can't connect to remote host (${res.ip ?? ip}): Connection timed out`,
        );
      }
      if (res.after) {
        // -T is busybox's read timeout too: a silent server ends the transfer there.
        const ms = Math.min(o.timeout ? o.timeout * 1000 : 900_000, res.after);
        yield* pause(ms);
        if (ms < res.after) return die("download timed out");
      }
      return die("error getting response");
    }
    if (o.serverResponse && !o.quiet) io.stderr(responseLines(res, "  "));
    if (res.status >= 400) return die(`server returned error: HTTP/1.1 ${res.status} ${res.reason ?? STATUS_TEXT[res.status] ?? ""}`);
    if (o.spider) {
      if (!o.quiet) io.stderr("remote file exists\n");
      continue;
    }
    const size = new TextEncoder().encode(res.body).length;
    const meter = (name: string) => `${name.slice(0, 20).padEnd(20)} 100% |${"*".repeat(32)}| ${String(size).padStart(5)}  0:00:00 ETA\n`;
    const file = o.output ?? t.file;
    if (file === "-") {
      if (!o.quiet) io.stderr("writing to stdout\n");
      io.stdout(res.body);
      if (!o.quiet) io.stderr(`${meter("-")}written to stdout\n`);
    } else {
      save(o, call, file, res.body);
      if (!o.quiet) io.stderr(`saving to '${file}'\n${meter(file)}'${file}' saved\n`);
    }
  }
  return status;
}

/** The status line and headers as an HTTP/1.1 server sent them, each line prefixed. */
function responseLines(res: Extract<HttpResult, { status: number }>, prefix: string): string {
  return [
    `HTTP/1.1 ${res.status} ${res.reason ?? STATUS_TEXT[res.status] ?? ""}`,
    ...Object.entries(res.headers).map(([k, v]) => `${wireName(k)}: ${v}`),
  ]
    .map((l) => `${prefix}${l}\n`)
    .join("");
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

/** GNU's dot-style progress for a log that is not a terminal: one line of 50 dots per 50K. */
function dots(size: number, seconds: number): string {
  const rate = size / Math.max(seconds, 1e-6);
  const speed =
    rate >= 1024 * 1024
      ? `${(rate / 1024 / 1024).toFixed(rate >= 10 * 1024 * 1024 ? 1 : 2)}M`
      : `${(rate / 1024).toFixed(rate >= 10 * 1024 ? 1 : 2)}K`;
  return `\n     0K ${"."
    .repeat(Math.ceil(size / 1024))
    .padEnd(50)
    .replace(/(.{10})(?=.)/g, "$1 ")} 100% ${speed}=0s\n\n`;
}

function* gnuWget(o: WgetOptions, call: AppletCall): Run {
  const { s, io } = call;
  const log = (text: string) => void (!o.quiet && io.stderr(text));
  let status = 0;
  if (o.spider) log("Spider mode enabled. Check if remote file exists.\n");
  for (const raw of o.urls) {
    const t = target(raw);
    if (!t) {
      io.stderr(`${raw}: Invalid URL ${raw}: Unsupported scheme\n`);
      status = 1;
      continue;
    }
    log(`--${stamp(nowOf(s))}--  ${t.url.href}\n`);
    const ip = /^\d+(\.\d+){3}$/.test(t.host) ? t.host : s.ctx.net.resolve(t.host, s.ctx.pod?.metadata?.namespace ?? "default")[0];
    if (t.host !== ip) log(`Resolving ${t.host} (${t.host})... ${ip ? ip : "failed: Name or service not known."}\n`);
    if (!ip) {
      log(`wget: unable to resolve host address '${t.host}'\n`);
      status = 4;
      continue;
    }
    const where = t.host === ip ? `${ip}:${t.port}` : `${t.host} (${t.host})|${ip}|:${t.port}`;
    const body = requestBody(o, call);
    const https = t.url.protocol === "https:";
    let tlsError: string | undefined;
    const verify = (cert: ServerCertificate): NetError | undefined => {
      if (o.noCheckCertificate) return undefined;
      const trusted = o.caCertificate === undefined ? "" : (s.ctx.fs.read(resolvePath(o.caCertificate, s.cwd)) ?? "");
      if (cert.issuerPEM && trusted.includes(cert.issuerPEM.trim()) && cert.names.includes(t.host.toLowerCase())) return undefined;
      const why = cert.untrusted.startsWith("self")
        ? "Self-signed certificate encountered."
        : "Unable to locally verify the issuer's authority.";
      tlsError = `ERROR: cannot verify ${t.host}'s certificate, issued by '${cert.issuer}':\n  ${why}\nTo connect to ${t.host} insecurely, use \`--no-check-certificate'.\n`;
      return { error: "certificate", code: 60 };
    };
    let res: HttpResult | undefined;
    for (let attempt = 1; attempt <= o.tries; attempt++) {
      log(`Connecting to ${where}... `);
      res = s.ctx.net.http(
        {
          method: body !== undefined ? "POST" : "GET",
          url: t.url.href,
          headers: requestHeaders(o, true, t.hostPort, body),
          body,
          verify: https ? verify : undefined,
        },
        s.ctx.pod,
      );
      if (!("error" in res) || (res.code !== 28 && res.code !== 52)) break;
      if (res.code === 28) {
        yield* pause(connectWait(o));
        log("failed: Connection timed out.\n");
      } else {
        // Connected, then nothing: the server's close, or -T's read timeout first.
        const read = Math.min(o.timeout ? o.timeout * 1000 : 900_000, res.after ?? 0);
        yield* pause(read);
        log(
          `connected.\nHTTP request sent, awaiting response... ${read < (res.after ?? 0) ? "Read error (Connection timed out) in headers." : "No data received."}\n`,
        );
      }
      log(attempt < o.tries ? "Retrying.\n\n" : "Giving up.\n\n");
      // --waitretry's default: 1 s more before each retry, up to 10 s.
      if (attempt < o.tries) yield* pause(Math.min(attempt, 10) * 1000);
      if (attempt < o.tries) log(`--${stamp(nowOf(s))}--  (try:${String(attempt + 1).padStart(2)})  ${t.url.href}\n`);
    }
    if (!res || "error" in res) {
      if (res?.code === 28 || res?.code === 52) status = 4;
      else if (res?.code === 60) {
        log(`connected.\n`);
        log(tlsError ?? "");
        status = 5;
      } else if (res?.code === 7) {
        log("failed: Connection refused.\n");
        status = 4;
      } else {
        log("connected.\nHTTP request sent, awaiting response... \n");
        status = 4;
      }
      continue;
    }
    log("connected.\n");
    const reason = res.reason ?? STATUS_TEXT[res.status] ?? "";
    log(`HTTP request sent, awaiting response... ${o.serverResponse ? `\n${responseLines(res, "  ")}` : `${res.status} ${reason}\n`}`);
    if (res.status >= 400) {
      log(o.spider ? "Remote file does not exist -- broken link!!!\n" : `${stamp(nowOf(s))} ERROR ${res.status}: ${reason}.\n\n`);
      status = 8;
      continue;
    }
    const size = new TextEncoder().encode(res.body).length;
    const type = res.headers["content-type"];
    const length =
      res.headers["content-length"] !== undefined
        ? `Length: ${size}${type ? ` [${type}]` : ""}\n`
        : `Length: unspecified${type ? ` [${type}]` : ""}\n`;
    log(length);
    if (o.spider) {
      log("Remote file exists and could contain further links,\nbut recursion is disabled -- not retrieving.\n\n");
      continue;
    }
    const file = o.output ?? t.file;
    const secs = 0.0001 + size / 60e6;
    const rate = size / secs;
    const mbs = rate >= 1024 * 1024 ? `${(rate / 1024 / 1024).toFixed(1)} MB/s` : `${(rate / 1024).toFixed(1)} KB/s`;
    log(`Saving to: '${file === "-" ? "STDOUT" : file}'\n${dots(size, secs)}`);
    if (file === "-") io.stdout(res.body);
    else save(o, call, file, res.body);
    log(
      `${stamp(nowOf(s))} (${mbs}) - ${file === "-" ? "written to stdout" : `'${file}' saved`} [${size}${res.headers["content-length"] !== undefined ? `/${size}` : ""}]\n\n`,
    );
  }
  return status;
}
