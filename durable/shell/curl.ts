// curl 8.5 (Ubuntu 24.04's build) over the simulated network: its option parser (tool_getparam.c:
// long names and their unique prefixes, --no-<flag>, bundled short flags, values attached or next),
// its request as it puts it on the wire, -v's trace lines, -w's variables, and its error messages
// and exit codes. TLS is simulated against the one HTTPS server in the cluster, the API server.
import type { AppletCall } from "./applets";
import { STATUS_TEXT } from "./applets";
import { resolvePath } from "../fs";
import { pause, type Run } from "./interp";
import { rtt, wireName } from "./netapplets";
import type { NetError, ServerCertificate } from "./types";

/** The curl outside any image (unit tests, a bare shell): Ubuntu 24.04's. */
export const CURL_VERSION = "8.5.0";

/** Which curl an image ships: its version, TLS library, `--version` text; 7.x words a few things differently. */
export interface CurlBuild {
  version: string;
  legacy: boolean;
  ssl: string;
  versionText: string;
}

const PROTOCOLS =
  "Protocols: dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp sftp smb smbs smtp smtps telnet tftp\n";

/**
 * Debian bookworm's curl 7.88.1 in the Debian-based images (nginx, and the learner's own images built
 * FROM node/python); Alpine's in curlimages/curl (whose tag is curl's version) and netshoot.
 */
export function curlBuild(image: string | undefined): CurlBuild {
  const repo = (image ?? "").split("@")[0];
  const tag = /:([^/:]+)$/.exec(repo)?.[1];
  const alpine = (version: string, ssl: string): CurlBuild => ({
    version,
    legacy: false,
    ssl,
    versionText: `curl ${version} (x86_64-alpine-linux-musl) libcurl/${version} ${ssl} zlib/1.3.1 brotli/1.1.0 zstd/1.5.6 c-ares/1.34.5 libidn2/2.3.7 libpsl/0.21.5 nghttp2/1.64.0\n${PROTOCOLS}Features: alt-svc AsynchDNS brotli HSTS HTTP2 HTTPS-proxy IDN IPv6 Largefile libz NTLM PSL SSL threadsafe TLS-SRP UnixSockets zstd\n`,
  });
  if (!image) {
    return {
      version: CURL_VERSION,
      legacy: false,
      ssl: "OpenSSL/3.0.13",
      versionText: `curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13 zlib/1.3 brotli/1.1.0 zstd/1.5.5 libidn2/2.3.7 libpsl/0.21.2 (+libidn2/2.3.7) libssh/0.10.6/openssl/zlib nghttp2/1.59.0 librtmp/2.3 OpenLDAP/2.6.7\nRelease-Date: 2023-12-06, security patched: 8.5.0-2ubuntu10.6\n${PROTOCOLS}Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd\n`,
    };
  }
  if (/(^|\/)curlimages\/curl(:|$)/.test(repo)) return alpine(tag && /^\d+\.\d+\.\d+$/.test(tag) ? tag : "8.14.1", "OpenSSL/3.5.0");
  if (/(^|\/)nicolaka\/netshoot(:|$)/.test(repo)) return alpine("8.12.1", "OpenSSL/3.3.3");
  return {
    version: "7.88.1",
    legacy: true,
    ssl: "OpenSSL/3.0.15",
    versionText: `curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.15 zlib/1.2.13 brotli/1.0.9 zstd/1.5.4 libidn2/2.3.3 libpsl/0.21.2 (+libidn2/2.3.3) libssh2/1.10.0 nghttp2/1.52.0 librtmp/2.3 OpenLDAP/2.5.13\nRelease-Date: 2023-02-20, security patched: 7.88.1-10+deb12u8\n${PROTOCOLS}Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM NTLM_WB PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd\n`,
  };
}
const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";
const CA_ERROR =
  "More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\n" +
  "establish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n";
/** The kernel's SYN retransmissions give up after about this long (tcp_syn_retries=6). */
const KERNEL_CONNECT_TIMEOUT = 134_012;
/** transfer()'s answer when --retry takes another turn. */
const RETRY = -1;

/** [long name, short letter, takes a value]: the options kubeplay's curl knows, as tool_getparam.c names them. */
const OPTIONS: [string, string, boolean][] = [
  ["request", "X", true],
  ["header", "H", true],
  ["data", "d", true],
  ["data-ascii", "", true],
  ["data-raw", "", true],
  ["data-binary", "", true],
  ["data-urlencode", "", true],
  ["output", "o", true],
  ["remote-name", "O", false],
  ["head", "I", false],
  ["include", "i", false],
  ["location", "L", false],
  ["location-trusted", "", false],
  ["max-redirs", "", true],
  ["insecure", "k", false],
  ["cacert", "", true],
  ["capath", "", true],
  ["user", "u", true],
  ["user-agent", "A", true],
  ["referer", "e", true],
  ["verbose", "v", false],
  ["silent", "s", false],
  ["show-error", "S", false],
  ["fail", "f", false],
  ["fail-with-body", "", false],
  ["max-time", "m", true],
  ["connect-timeout", "", true],
  ["write-out", "w", true],
  ["retry", "", true],
  ["retry-delay", "", true],
  ["retry-max-time", "", true],
  ["retry-connrefused", "", false],
  ["retry-all-errors", "", false],
  ["get", "G", false],
  ["compressed", "", false],
  ["http1.1", "", false],
  ["http1.0", "0", false],
  ["http2", "", false],
  ["globoff", "g", false],
  ["no-progress-meter", "", false],
  ["progress-bar", "#", false],
  ["no-buffer", "N", false],
  ["ipv4", "4", false],
  ["ipv6", "6", false],
  ["oauth2-bearer", "", true],
  ["cookie", "b", true],
  ["create-dirs", "", false],
  ["path-as-is", "", false],
  ["keepalive", "", false],
  ["tcp-nodelay", "", false],
  ["raw", "", false],
  ["stderr", "", true],
  ["dump-header", "D", true],
  ["resolve", "", true],
  ["url", "", true],
  ["noproxy", "", true],
  ["proxy", "x", true],
  ["version", "V", false],
  ["help", "h", false],
  ["disable", "q", false],
];
const BY_SHORT = new Map(OPTIONS.filter(([, s]) => s).map((o) => [o[1], o]));

export interface CurlOptions {
  urls: string[];
  flags: Set<string>;
  /** Each option with a value, in order of appearance (repeatable ones keep every value). */
  values: [string, string][];
}

/** Parse curl's command line; an error is what curl prints before its exit 2. */
export function parseCurlArgs(args: string[]): CurlOptions | { error: string } {
  const opts: CurlOptions = { urls: [], flags: new Set(), values: [] };
  const set = (name: string, on: boolean) => (on ? opts.flags.add(name) : opts.flags.delete(name));
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!options || !a.startsWith("-") || a === "-") {
      opts.urls.push(a);
      continue;
    }
    if (a === "--") {
      options = false;
      continue;
    }
    if (a.startsWith("--")) {
      let name = a.slice(2);
      let on = true;
      let opt = OPTIONS.find((o) => o[0] === name);
      if (!opt && name.startsWith("no-")) {
        const flag = OPTIONS.find((o) => o[0] === name.slice(3) && !o[2]);
        if (flag) [opt, on] = [flag, false];
      }
      if (!opt) {
        const prefixed = OPTIONS.filter((o) => o[0].startsWith(name));
        if (prefixed.length > 1) return { error: `curl: option ${a}: is ambiguous\n${TRY}` };
        opt = prefixed[0];
      }
      if (!opt) return { error: `curl: option ${a}: is unknown\n${TRY}` };
      name = opt[0];
      if (!opt[2]) set(name, on);
      else if (i + 1 >= args.length) return { error: `curl: option ${a}: requires parameter\n${TRY}` };
      else opts.values.push([name, args[++i]]);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const opt = BY_SHORT.get(a[j]);
      if (!opt) return { error: `curl: option -${a.slice(j)}: is unknown\n${TRY}` };
      if (!opt[2]) {
        set(opt[0], true);
        continue;
      }
      const attached = a.slice(j + 1);
      if (!attached && i + 1 >= args.length) return { error: `curl: option -${a[j]}: requires parameter\n${TRY}` };
      opts.values.push([opt[0], attached || args[++i]]);
      break;
    }
  }
  return opts;
}

const NUMERIC = new Set(["max-time", "connect-timeout", "max-redirs", "retry", "retry-delay", "retry-max-time"]);

/** tool_getparam's str2udouble/str2num: decimal seconds (or a count); anything else is refused. */
function numericError(opts: CurlOptions, args: string[]): string | undefined {
  for (const [name, v] of opts.values) {
    if (!NUMERIC.has(name)) continue;
    const ok = name === "max-time" || name === "connect-timeout" ? /^\d+(\.\d*)?$|^\.\d+$/.test(v) : /^-?\d+$/.test(v);
    if (!ok) {
      const typed =
        args.find(
          (x) =>
            x === `--${name}` || (OPTIONS.find((o) => o[0] === name)?.[1] && x.startsWith(`-${OPTIONS.find((o) => o[0] === name)![1]}`)),
        ) ?? `--${name}`;
      return `curl: option ${typed.length > 2 && !typed.startsWith("--") ? typed.slice(0, 2) : typed}: expected a proper numerical parameter\n${TRY}`;
    }
  }
  return undefined;
}

const last = (o: CurlOptions, name: string) => o.values.filter(([n]) => n === name).pop()?.[1];
const all = (o: CurlOptions, name: string) => o.values.filter(([n]) => n === name).map(([, v]) => v);

/** curl_easy_escape: everything but unreserved characters, percent-encoded. */
const escape = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");

/** The request body of -d/--data-*: each part as its option reads it, joined with '&'. */
function requestBody(opts: CurlOptions, call: AppletCall): string | undefined {
  const parts: string[] = [];
  const read = (file: string) => (file === "-" ? call.stdin : call.s.ctx.fs.read(resolvePath(file, call.s.cwd)));
  for (const [name, v] of opts.values) {
    if (!name.startsWith("data")) continue;
    if (name === "data-raw") parts.push(v);
    else if (name === "data-urlencode") {
      const m = /^([^=@]*)([=@])(.*)$/s.exec(v);
      if (!m) parts.push(escape(v));
      else if (m[2] === "=") parts.push(m[1] ? `${m[1]}=${escape(m[3])}` : escape(m[3]));
      else parts.push(`${m[1] ? `${m[1]}=` : ""}${escape(read(m[3]) ?? "")}`);
    } else if (v.startsWith("@")) {
      const content = read(v.slice(1));
      if (content === undefined) call.io.stderr(`Warning: Couldn't read data from file "${v.slice(1)}", this makes an empty POST.\n`);
      // -d @file drops carriage returns and newlines; --data-binary keeps the bytes.
      parts.push(name === "data-binary" ? (content ?? "") : (content ?? "").replace(/[\r\n]/g, ""));
    } else parts.push(v);
  }
  return parts.length ? parts.join("&") : undefined;
}

/** What one transfer left for -w. */
interface Transfer {
  code: number;
  status: number;
  url: URL;
  headers: Record<string, string>;
  size: number;
  headerSize: number;
  uploadSize: number;
  ip: string;
  port: number;
  redirects: number;
  redirectURL: string;
  method: string;
  error: string;
  timing: { lookup: number; connect: number; appconnect: number; start: number; total: number };
  httpVersion: string;
}

const secs = (us: number) => (us / 1e6).toFixed(6);

/** -w's format: %{var}, %header{name}, %{stdout}/%{stderr} switching, \n \r \t, %%. */
export function writeOut(format: string, t: Transfer, io: { stdout(s: string): void; stderr(s: string): void }): void {
  const vars: Record<string, string> = {
    http_code: String(t.status).padStart(3, "0"),
    response_code: String(t.status).padStart(3, "0"),
    time_total: secs(t.timing.total),
    time_namelookup: secs(t.timing.lookup),
    time_connect: secs(t.timing.connect),
    time_appconnect: secs(t.timing.appconnect),
    time_pretransfer: secs(Math.max(t.timing.connect, t.timing.appconnect)),
    time_starttransfer: secs(t.timing.start),
    time_redirect: secs(0),
    size_download: String(t.size),
    size_header: String(t.headerSize),
    size_upload: String(t.uploadSize),
    size_request: "0",
    speed_download: String(t.timing.total ? Math.round((t.size * 1e6) / t.timing.total) : 0),
    speed_upload: String(t.timing.total ? Math.round((t.uploadSize * 1e6) / t.timing.total) : 0),
    content_type: t.headers["content-type"] ?? "",
    url_effective: t.url.href,
    url: t.url.href,
    remote_ip: t.ip,
    remote_port: t.ip ? String(t.port) : "0",
    local_port: t.ip ? String(40000 + (t.port % 20000)) : "0",
    redirect_url: t.redirectURL,
    num_redirects: String(t.redirects),
    num_connects: t.ip ? "1" : "0",
    exitcode: String(t.code),
    errormsg: t.error,
    http_version: t.status ? t.httpVersion : "0",
    method: t.method,
    scheme: t.url.protocol.slice(0, -1).toUpperCase(),
  };
  let out = io.stdout.bind(io);
  let text = "";
  const flush = () => (text && out(text), (text = ""));
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === "\\" && "nrt\\".includes(format[i + 1] ?? "")) {
      text += { n: "\n", r: "\r", t: "\t", "\\": "\\" }[format[++i]]!;
      continue;
    }
    if (c !== "%") {
      text += c;
      continue;
    }
    if (format[i + 1] === "%") {
      text += "%";
      i++;
      continue;
    }
    const header = /^%header\{([^}]*)\}/.exec(format.slice(i));
    if (header) {
      text += t.headers[header[1].toLowerCase()] ?? "";
      i += header[0].length - 1;
      continue;
    }
    const v = /^%\{([^}]*)\}/.exec(format.slice(i));
    if (!v) {
      text += c;
      continue;
    }
    i += v[0].length - 1;
    if (v[1] === "stdout" || v[1] === "stderr") {
      flush();
      out = v[1] === "stdout" ? io.stdout.bind(io) : io.stderr.bind(io);
    } else if (v[1] === "json") text += JSON.stringify(Object.fromEntries(Object.entries(vars).sort()));
    else if (v[1] in vars) text += vars[v[1]];
    else {
      flush();
      io.stderr(`curl: unknown --write-out variable: '${v[1]}'\n`);
    }
  }
  flush();
}

const PROGRESS_HEAD =
  "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n";

/** curl's max5data: a byte count or rate in five columns ("  615", " 600k", " 1.2M"). */
function max5(n: number): string {
  if (n < 100_000) return String(n).padStart(5);
  if (n < 10_000 * 1024) return `${String(Math.floor(n / 1024)).padStart(4)}k`;
  if (n < 100 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).padStart(4)}M`;
  return `${String(Math.floor(n / 1024 / 1024)).padStart(4)}M`;
}

/** One refresh of curl's progress meter ("\r%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s" in progress.c) (a finished transfer of `size` bytes at `rate` bytes/s). */
function progressLine(size: number, rate: number): string {
  const pct = size ? 100 : 0;
  return `\r${String(pct).padStart(3)} ${max5(size)}  ${String(pct).padStart(3)} ${max5(size)}    0     0  ${max5(rate)}      0 --:--:-- --:--:-- --:--:-- ${max5(rate)}`;
}

/** url.c's checks before any connection: (1) for a scheme curl lacks, (3) for a URL it rejects. */
function parseURL(raw: string, build: CurlBuild): URL | { code: number; error: string } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw)?.[1];
  if (scheme && !["http", "https"].includes(scheme.toLowerCase()))
    return { code: 1, error: `Protocol "${scheme}" not supported${build.legacy ? " or disabled in libcurl" : ""}` };
  const full = scheme ? raw : `http://${raw}`;
  if (/\s/.test(raw)) return { code: 3, error: "URL rejected: Malformed input to a URL function" };
  const port = /^[a-z]+:\/\/[^/?#]*:([^/?#@\]]*)(?:[/?#]|$)/i.exec(full)?.[1];
  if (port !== undefined && port !== "" && !(/^\d+$/.test(port) && Number(port) <= 65535))
    return { code: 3, error: "URL rejected: Port number was not a decimal number between 0 and 65535" };
  if (/^[a-z]+:\/\/([/?#]|$)/i.test(full)) return { code: 3, error: "URL rejected: No host part in the URL" };
  try {
    return new URL(full);
  } catch {
    return { code: 3, error: "URL rejected: Malformed input to a URL function" };
  }
}

/** The request headers in curl's order: Host, Authorization, User-Agent, Referer, Accept, -H ones, then the body's. */
function requestHeaders(url: URL, opts: CurlOptions, body: string | undefined, custom: string[], build: CurlBuild): [string, string][] {
  const user = last(opts, "user");
  const bearer = last(opts, "oauth2-bearer");
  const defaults: [string, string][] = [["Host", url.host]];
  if (user !== undefined) defaults.push(["Authorization", `Basic ${btoa(user.includes(":") ? user : `${user}:`)}`]);
  else if (bearer !== undefined) defaults.push(["Authorization", `Bearer ${bearer}`]);
  defaults.push(["User-Agent", last(opts, "user-agent") ?? `curl/${build.version}`]);
  if (last(opts, "referer") !== undefined) defaults.push(["Referer", last(opts, "referer")!]);
  defaults.push(["Accept", "*/*"]);
  if (opts.flags.has("compressed")) defaults.push(["Accept-Encoding", "deflate, gzip, br, zstd"]);
  if (last(opts, "cookie")?.includes("=")) defaults.push(["Cookie", last(opts, "cookie")!]);
  const extra: [string, string][] = [];
  const named = new Set<string>();
  for (const h of custom) {
    // "Name:" removes a header, "Name;" sends it empty, anything without either is ignored.
    const colon = h.indexOf(":");
    const semi = h.indexOf(";");
    if (colon > 0) {
      const [k, v] = [h.slice(0, colon).trim(), h.slice(colon + 1).trim()];
      named.add(k.toLowerCase());
      if (v) extra.push([k, v]);
    } else if (semi > 0 && !h.slice(semi + 1).trim()) {
      named.add(h.slice(0, semi).trim().toLowerCase());
      extra.push([h.slice(0, semi).trim(), ""]);
    }
  }
  const out = [...defaults.filter(([k]) => !named.has(k.toLowerCase())), ...extra];
  if (body !== undefined) {
    if (!named.has("content-length")) out.push(["Content-Length", String(new TextEncoder().encode(body).length)]);
    if (!named.has("content-type")) out.push(["Content-Type", "application/x-www-form-urlencoded"]);
  }
  return out;
}

/** The remote file name -O saves to: the URL path's last part. */
const remoteName = (url: URL) => decodeURIComponent(url.pathname.split("/").pop() ?? "");

/** curl [options] URL...: every URL fetched in turn; the exit status is the last failure's. */
export function* curl(args: string[], call: AppletCall): Run {
  const { s } = call;
  let io = call.io;
  const parsed = parseCurlArgs(args);
  if ("error" in parsed) {
    io.stderr(parsed.error);
    return 2;
  }
  const opts = parsed;
  const build = curlBuild(s.ctx.container?.image);
  // --stderr: curl's own messages to a file (truncated first) or, with "-", to stdout.
  const stderrTo = last(opts, "stderr");
  if (stderrTo !== undefined) {
    const path = resolvePath(stderrTo, s.cwd);
    if (stderrTo !== "-") s.ctx.fs.write(path, "");
    const out = call.io;
    io = { ...out, stderr: stderrTo === "-" ? (x) => out.stdout(x) : (x) => s.ctx.fs.write(path, (s.ctx.fs.read(path) ?? "") + x) };
  }
  const bad = numericError(opts, args);
  if (bad) {
    io.stderr(bad);
    return 2;
  }
  if (opts.flags.has("version")) {
    io.stdout(build.versionText);
    return 0;
  }
  if (opts.flags.has("help")) {
    io.stdout(
      'Usage: curl [options...] <url>\n -d, --data <data>          HTTP POST data\n -f, --fail                 Fail fast with no output on HTTP errors\n -h, --help <category>      Get help for commands\n -i, --include              Include protocol response headers in the output\n -o, --output <file>        Write to file instead of stdout\n -O, --remote-name          Write output to a file named as the remote file\n -s, --silent               Silent mode\n -T, --upload-file <file>   Transfer local FILE to destination\n -u, --user <user:password> Server user and password\n -A, --user-agent <name>    Send User-Agent <name> to server\n -v, --verbose              Make the operation more talkative\n -V, --version              Show version number and quit\n\nThis is not the full help, this menu is stripped into categories.\nUse "--help category" to get an overview of all categories.\nFor all options use the manual or "--help all".\n',
    );
    return 0;
  }
  const urls = [...opts.urls, ...all(opts, "url")];
  if (!urls.length) {
    // Nothing at all on the command line: only the hint.
    io.stderr(args.length ? `curl: no URL specified${build.legacy ? "!" : ""}\n${TRY}` : TRY);
    return 2;
  }
  const silent = opts.flags.has("silent");
  const showError = !silent || opts.flags.has("show-error");
  const verbose = opts.flags.has("verbose");
  const dataBody = requestBody(opts, call);
  const asGet = opts.flags.has("get");
  const body = asGet ? undefined : dataBody;
  const head = opts.flags.has("head");
  const include = opts.flags.has("include");
  const outputs = opts.values.filter(([n]) => n === "output").map(([, v]) => v);
  const maxTime = last(opts, "max-time") !== undefined ? Number(last(opts, "max-time")) * 1000 : undefined;
  const connectTimeout = last(opts, "connect-timeout") !== undefined ? Number(last(opts, "connect-timeout")) * 1000 : undefined;
  const maxRedirs = Number(last(opts, "max-redirs") ?? 50);
  const format = last(opts, "write-out");
  const writeFormat = format?.startsWith("@")
    ? format === "@-"
      ? call.stdin
      : (s.ctx.fs.read(resolvePath(format.slice(1), s.cwd)) ?? "")
    : format;
  const ns = s.ctx.pod?.metadata?.namespace ?? "default";
  let status = 0;

  // -D: every response's headers, in order, to a file (truncated once per run) or stdout.
  const dumpTo = last(opts, "dump-header");
  let dumped = false;
  const dumpHeaders = (lines: string[]) => {
    if (dumpTo === undefined) return;
    const text = `${lines.join("\r\n")}\r\n\r\n`;
    if (dumpTo === "-") io.stdout(text);
    else {
      const path = resolvePath(dumpTo, s.cwd);
      s.ctx.fs.write(path, `${dumped ? (s.ctx.fs.read(path) ?? "") : ""}${text}`);
    }
    dumped = true;
  };
  const retries = Number(last(opts, "retry") ?? 0);
  const retryDelay = last(opts, "retry-delay") !== undefined ? Number(last(opts, "retry-delay")) * 1000 : 0;
  for (const [n, raw] of urls.entries()) {
    const target = asGet && dataBody !== undefined ? `${raw}${raw.includes("?") ? "&" : "?"}${dataBody}` : raw;
    const output = opts.flags.has("remote-name") && outputs[n] === undefined ? "\0remote" : outputs[n];
    // --retry: a transient failure waits (--retry-delay, else 1 s doubling) and tries again.
    let left = retries;
    let backoff = 1000;
    let code: number;
    while ((code = yield* transfer(target, output, left)) === RETRY) {
      yield* pause(retryDelay || backoff);
      backoff = Math.min(backoff * 2, 600_000);
      left--;
    }
    if (code) status = code;
  }
  return status;

  /** The proxy for a host: -x (default port 1080), unless --noproxy lists the host (or is "*"). */
  function proxyFor(host: string): { host: string; port: number } | undefined {
    const raw = last(opts, "proxy");
    if (!raw) return undefined;
    const skip = (last(opts, "noproxy") ?? "")
      .split(",")
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
    if (
      skip.some((n) => n === "*" || host.toLowerCase() === n.replace(/^\./, "") || host.toLowerCase().endsWith(`.${n.replace(/^\./, "")}`))
    )
      return undefined;
    const m = /^(?:[a-z]+:\/\/)?([^:/]+)(?::(\d+))?/i.exec(raw);
    return m ? { host: m[1], port: Number(m[2] ?? 1080) } : undefined;
  }

  /** Whether a failure is worth another try, and how curl names it in its warning. */
  function transient(code: number, httpStatus: number): string | undefined {
    if (opts.flags.has("retry-all-errors") && code) return "(retrying all errors)";
    if (code === 28) return ": timeout";
    if (code === 7 && opts.flags.has("retry-connrefused")) return ": connection refused";
    if ([408, 429, 500, 502, 503, 504].includes(httpStatus)) return ": HTTP error";
    return undefined;
  }

  function* transfer(raw: string, output: string | undefined, retriesLeft: number): Run {
    const retry = (code: number): boolean => {
      const why = retriesLeft > 0 ? transient(code, t.status) : undefined;
      if (why && !silent)
        io.stderr(
          `Warning: Problem ${why}. Will retry in ${Math.floor((retryDelay || 1000 * 2 ** (retries - retriesLeft)) / 1000)} seconds. ${retriesLeft} retries left.\n`,
        );
      return !!why;
    };
    // The meter hides when the body goes to a terminal; -# draws its bar regardless.
    const bar = opts.flags.has("progress-bar");
    const meter = !silent && !opts.flags.has("no-progress-meter") && (bar || !(io.tty && (output === undefined || output === "-")));
    let url = parseURL(raw, build);
    let method = last(opts, "request") ?? (head ? "HEAD" : body !== undefined ? "POST" : "GET");
    let sendBody = body;
    let redirects = 0;
    const t: Transfer = {
      code: 0,
      status: 0,
      url: "code" in url ? new URL("http://invalid/") : url,
      headers: {},
      size: 0,
      headerSize: 0,
      uploadSize: 0,
      ip: "",
      port: 0,
      redirects: 0,
      redirectURL: "",
      method,
      error: "",
      timing: { lookup: 0, connect: 0, appconnect: 0, start: 0, total: 0 },
      httpVersion: "1.1",
    };
    // 7.x numbers its connections in -v; 8.x leaves the number to "left intact".
    const closing = `* Closing connection${build.legacy ? " 0" : ""}\n`;
    /** A failed transfer: -v repeats the error (failf) and the close, then curl's (N) line and -w. */
    const fail = (code: number, error: string, extra = "", connection = true) => {
      t.code = code;
      t.error = error;
      if (verbose && connection) io.stderr(`* ${error}\n${closing}`);
      if (meter && !bar) io.stderr("\n");
      if (retry(code)) return RETRY;
      if (showError) io.stderr(`curl: (${code}) ${error}\n${extra}`);
      if (writeFormat !== undefined) writeOut(writeFormat, t, io);
      return code;
    };
    if (meter && !bar) io.stderr(`${PROGRESS_HEAD}${progressLine(0, 0)}`);
    if ("code" in url) return fail(url.code, url.error, "", false);
    for (;;) {
      t.url = url;
      t.method = method;
      const https = url.protocol === "https:";
      const host = url.hostname.replace(/^\[|\]$/g, "");
      const port = Number(url.port || (https ? 443 : 80));
      // --resolve HOST:PORT:ADDR pins a name (or '*') to an address before any lookup.
      const pin = all(opts, "resolve")
        .map((r) => /^\+?([^:]+):(\d+):\[?([^,\]]+)/.exec(r))
        .find((m) => m && (m[1] === "*" || m[1].toLowerCase() === host.toLowerCase()) && Number(m[2]) === port);
      const pinned = pin?.[3];
      if (verbose && pin) io.stderr(`* Added ${pin[1]}:${pin[2]}:${pinned} to DNS cache\n* Hostname ${host} was found in DNS cache\n`);
      // The cluster network is IPv4 only: -6 finds no address for any name.
      if (opts.flags.has("ipv6") && !pinned) return fail(6, `Could not resolve host: ${host}`);
      // -x: an HTTP request goes to the proxy, which gets the whole URL in its request line.
      const proxy = proxyFor(host);
      if (proxy && https) {
        io.stderr("kubeplay: curl: HTTPS through a proxy (CONNECT) is not simulated\n");
        return 1;
      }
      if (proxy && !s.ctx.net.resolve(proxy.host, ns)[0]) return fail(5, `Could not resolve proxy: ${proxy.host}`);
      const ip = proxy ? s.ctx.net.resolve(proxy.host, ns)[0] : (pinned ?? s.ctx.net.resolve(host, ns)[0]);
      const sameNode =
        !!ip &&
        (ip === "127.0.0.1" ||
          ip.split(".").slice(0, 3).join(".") ===
            String(s.ctx.pod?.status?.podIP ?? "")
              .split(".")
              .slice(0, 3)
              .join("."));
      const lookup = /^\d+(\.\d+){3}$/.test(host) ? 12 : 900 + (rtt(host, 1, true) % 400);
      const connectAt = lookup + rtt(ip ?? host, 2, sameNode);
      t.timing = { lookup, connect: connectAt, appconnect: 0, start: connectAt, total: connectAt };
      const headers = requestHeaders(url, opts, sendBody, all(opts, "header"), build);
      if (proxy) headers.splice(headers.findIndex(([k]) => k === "Accept") + 1, 0, ["Proxy-Connection", "Keep-Alive"]);
      if (verbose && ip) io.stderr(`*   Trying ${ip}:${proxy?.port ?? port}...\n`);
      let tlsTrace = "";
      const connected = `* Connected to ${proxy?.host ?? host} (${ip}) port ${proxy?.port ?? port}${build.legacy ? " (#0)" : ""}\n`;
      const verify = (cert: ServerCertificate): NetError | undefined => {
        const caFile = last(opts, "cacert");
        const trusted = caFile === undefined ? "" : s.ctx.fs.read(resolvePath(caFile, s.cwd));
        if (trusted === undefined) return { code: 77, error: `error setting certificate file: ${caFile}` };
        const problem: NetError | undefined =
          !cert.issuerPEM || !trusted.includes(cert.issuerPEM.trim())
            ? { code: 60, error: `SSL certificate problem: ${cert.untrusted}` }
            : !cert.names.includes(host.toLowerCase())
              ? { code: 60, error: `SSL: no alternative certificate subject name matches target host name '${host}'` }
              : undefined;
        const insecure = opts.flags.has("insecure");
        if (verbose)
          tlsTrace = tlsLines(
            cert,
            host,
            !problem
              ? "SSL certificate verify ok."
              : insecure
                ? `SSL certificate verify result: ${cert.untrusted} (${cert.untrusted === "self-signed certificate" ? 18 : cert.untrusted.startsWith("self") ? 19 : 20}), continuing anyway.`
                : undefined,
          );
        return insecure ? undefined : problem;
      };
      const dial = proxy
        ? `http://${proxy.host}:${proxy.port}${url.pathname}${url.search}`
        : pinned
          ? Object.assign(new URL(url.href), { hostname: pinned }).href
          : url.href;
      const answer = s.ctx.net.http(
        {
          method,
          url: dial,
          headers: Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v])),
          body: sendBody,
          verify: https ? verify : undefined,
        },
        s.ctx.pod,
      );
      // Errors name the host as the URL has it, not the pinned address.
      const res = pinned && "error" in answer ? { ...answer, error: answer.error.replace(`to ${pinned} port`, `to ${host} port`) } : answer;
      if ("error" in res) {
        const code = res.code ?? (/resolve/i.test(res.error) ? 6 : 7);
        t.ip = code === 6 ? "" : (res.ip ?? ip ?? "");
        t.port = port;
        if (verbose && code === 7) {
          const source = s.ctx.pod?.status?.podIP;
          io.stderr(
            `* connect to ${t.ip} port ${port}${build.legacy || !source ? "" : ` from ${source} port ${32768 + (rtt(host, port, true) % 28232)}`} failed: Connection refused\n`,
          );
        }
        if (code === 28) {
          // A dropped SYN: curl's own timer (-m, --connect-timeout) ends it before the kernel does.
          const budget = Math.min(maxTime ?? Infinity, connectTimeout ?? Infinity, KERNEL_CONNECT_TIMEOUT);
          yield* pause(budget);
          t.timing.total = budget * 1000;
          return fail(
            28,
            budget < KERNEL_CONNECT_TIMEOUT
              ? `Failed to connect to ${host} port ${port} after ${budget} ms: Timeout was reached`
              : res.error,
          );
        }
        if (res.after) {
          // Connected, request sent, nothing back: -m ends the wait before the server closes.
          if (verbose)
            io.stderr(
              `${connected}${[`${method} ${url.pathname}${url.search} HTTP/1.1`, ...headers.map(([k, v]) => `${k}: ${v}`), ""].map((l) => `> ${l}\r\n`).join("")}`,
            );
          if (maxTime !== undefined && maxTime < res.after) {
            yield* pause(maxTime);
            return fail(28, `Operation timed out after ${maxTime} milliseconds with 0 bytes received`);
          }
          yield* pause(res.after);
        }
        if (code === 60 || code === 77 || code === 35) {
          if (verbose) io.stderr(`${connected}${tlsTrace}${code === 60 ? "* TLSv1.3 (OUT), TLS alert, unknown CA (560):\n" : ""}`);
          return fail(code, code === 35 ? `${build.ssl}: ${res.error}` : res.error, code === 60 && showError ? CA_ERROR : "");
        }
        return fail(code, res.error);
      }
      t.ip = ip ?? "";
      t.port = port;
      t.status = res.status;
      t.headers = res.headers;
      t.httpVersion = https ? "2" : "1.1";
      const size = method === "HEAD" ? 0 : new TextEncoder().encode(res.body).length;
      t.size = size;
      t.uploadSize = sendBody === undefined ? 0 : new TextEncoder().encode(sendBody).length;
      const proto = https ? "HTTP/2" : "HTTP/1.1";
      // HTTP/2 (ALPN h2 with the API server) sends lower-case names and no reason phrase.
      const statusLine = https ? `${proto} ${res.status} ` : `${proto} ${res.status} ${res.reason ?? STATUS_TEXT[res.status] ?? ""}`;
      const respHead = [statusLine, ...Object.entries(res.headers).map(([k, v]) => `${https ? k : wireName(k)}: ${v}`)];
      t.headerSize = respHead.reduce((a, l) => a + l.length + 2, 2);
      t.timing.appconnect = https ? connectAt + 2100 + (rtt(host, 3, sameNode) % 900) : 0;
      t.timing.start = Math.max(connectAt, t.timing.appconnect) + 300 + (rtt(url.pathname, 4, sameNode) % 700);
      t.timing.total = t.timing.start + Math.ceil(size / 500) + 40;
      if (verbose) {
        io.stderr(`${connected}${tlsTrace}`);
        const reqLine = `${method} ${proxy ? url.href : `${url.pathname}${url.search}`} ${https ? "HTTP/2" : opts.flags.has("http1.0") ? "HTTP/1.0" : "HTTP/1.1"}`;
        // HTTP/2 sends pseudo-headers; curl logs them, then the request in its HTTP/1 form.
        if (https) {
          const pseudo = [
            [":method", method],
            [":scheme", "https"],
            [":authority", url.host],
            [":path", `${url.pathname}${url.search}`],
            ...headers.filter(([k]) => k !== "Host").map(([k, v]) => [k.toLowerCase(), v]),
          ];
          io.stderr(
            `* using HTTP/2\n* [HTTP/2] [1] OPENED stream for ${url.href}\n${pseudo.map(([k, v]) => `* [HTTP/2] [1] [${k}: ${v}]\n`).join("")}`,
          );
        }
        io.stderr([reqLine, ...headers.map(([k, v]) => `${k}: ${v}`), ""].map((l) => `> ${l}\r\n`).join(""));
        if (t.uploadSize && !io.tty) io.stderr(`} [${t.uploadSize} bytes data]\n`);
        io.stderr([...respHead, ""].map((l) => `< ${l}\r\n`).join(""));
      }
      dumpHeaders(respHead);
      const location = res.headers["location"];
      if (location && [301, 302, 303, 307, 308].includes(res.status)) t.redirectURL = new URL(location, url).href;
      if (opts.flags.has("location") && t.redirectURL) {
        if (include) emit(`${respHead.join("\r\n")}\r\n\r\n`, output);
        if (redirects >= maxRedirs) return fail(47, `Maximum (${maxRedirs}) redirects followed`);
        redirects++;
        t.redirects = redirects;
        if (verbose) io.stderr(`* Connection #0 to host ${host} left intact\n* Issue another request to this URL: '${t.redirectURL}'\n`);
        // 301/302/303 turn a POST into a GET (unless -X says otherwise), as browsers do.
        if ([301, 302, 303].includes(res.status) && !last(opts, "request") && method === "POST") [method, sendBody] = ["GET", undefined];
        const next = parseURL(t.redirectURL, build);
        if ("code" in next) return fail(next.code, next.error, "", false);
        url = next;
        t.redirectURL = "";
        continue;
      }
      if (res.status >= 400 && (opts.flags.has("fail") || opts.flags.has("fail-with-body"))) {
        if (opts.flags.has("fail-with-body")) emit(`${include || head ? `${respHead.join("\r\n")}\r\n\r\n` : ""}${res.body}`, output);
        return fail(22, `The requested URL returned error: ${res.status}`);
      }
      if (verbose && size && !io.tty) io.stderr(`{ [${size} bytes data]\n`);
      if (meter)
        io.stderr(bar ? `\r${"#".repeat(72)} 100.0%\n` : `${progressLine(size, Math.round((size * 1e6) / Math.max(t.timing.total, 1)))}\n`);
      if (verbose) io.stderr(/close/i.test(res.headers["connection"] ?? "") ? closing : `* Connection #0 to host ${host} left intact\n`);
      const written = emit(`${include || head ? `${respHead.join("\r\n")}\r\n\r\n` : ""}${method === "HEAD" ? "" : res.body}`, output);
      if (written) return fail(written.code ?? 23, written.error);
      if (retry(0)) return RETRY;
      if (writeFormat !== undefined) writeOut(writeFormat, t, io);
      return 0;
    }

    function emit(text: string, to: string | undefined): NetError | undefined {
      if (to === undefined || to === "-") {
        io.stdout(text);
        return undefined;
      }
      const file = to === "\0remote" ? remoteName(t.url) : to;
      if (!file) {
        if (showError) io.stderr("curl: Remote file name has no length!\n");
        return { code: 23, error: "Failed writing received data to disk/application" };
      }
      const path = resolvePath(file, s.cwd);
      if (path === "/dev/null") return undefined;
      const parent = path.slice(0, path.lastIndexOf("/")) || "/";
      if (!s.ctx.fs.isDir(parent)) {
        if (opts.flags.has("create-dirs")) s.ctx.fs.mkdir?.(parent);
        else {
          if (!silent) io.stderr(`Warning: Failed to open the file ${file}: No such file or directory\n`);
          return { code: 23, error: "Failure writing output to destination" };
        }
      }
      const prev = to === "\0remote" ? undefined : s.ctx.fs.read(path);
      s.ctx.fs.write(path, prev !== undefined && t.redirects && include ? prev + text : text);
      return undefined;
    }
  }
}

/** -v's lines for a TLS handshake with the API server (OpenSSL 3, TLS 1.3, ALPN h2). */
function tlsLines(cert: ServerCertificate, host: string, verdict: string | undefined): string {
  const matched = cert.names.find((n) => n === host.toLowerCase());
  return [
    "ALPN: curl offers h2,http/1.1",
    "TLSv1.3 (OUT), TLS handshake, Client hello (1):",
    "TLSv1.3 (IN), TLS handshake, Server hello (2):",
    "TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):",
    "TLSv1.3 (IN), TLS handshake, Request CERT (13):",
    "TLSv1.3 (IN), TLS handshake, Certificate (11):",
    "TLSv1.3 (IN), TLS handshake, CERT verify (15):",
    "TLSv1.3 (IN), TLS handshake, Finished (20):",
    "TLSv1.3 (OUT), TLS handshake, Certificate (11):",
    "TLSv1.3 (OUT), TLS handshake, Finished (20):",
    "SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256 / X25519 / RSASSA-PSS",
    "ALPN: server accepted h2",
    "Server certificate:",
    ` subject: ${cert.subject}`,
    ` start date: ${cert.notBefore}`,
    ` expire date: ${cert.notAfter}`,
    matched ? ` subjectAltName: host "${host}" matched cert's "${matched}"` : ` subjectAltName does not match ${host}`,
    ` issuer: ${cert.issuer}`,
    ...(verdict ? [` ${verdict}`] : []),
  ]
    .map((l) => `* ${l}\n`)
    .join("");
}
