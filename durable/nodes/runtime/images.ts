// Images as containerd reports them (normalized references, digests, sizes) and the image
// catalogue: what a container of each image family does when it starts (its default command, the
// ports it listens on, its start-up log lines, its files), and which references cannot be pulled.
import type { Flavour, ImageView } from "../../shell/types";
import type { AppName } from "./apps";
import { agnhostPorts, agnhostStartup, bootcampStartup } from "./programs";

/** Stable pseudo-random hex of any length from a seed (FNV-1a chained). */
export function seededHex(seed: string, len: number): string {
  let out = "";
  let h = 0x811c9dc5;
  let i = 0;
  while (out.length < len) {
    for (const c of `${seed}#${i++}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, len);
}

/** docker.io normalization: "nginx" → "docker.io/library/nginx:latest", "user/app:1" → "docker.io/user/app:1". */
export function normalizeImage(image: string): string {
  let [name, digest] = image.split("@");
  const first = name.split("/")[0];
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) name = `docker.io/${name.includes("/") ? "" : "library/"}${name}`;
  // Docker Hub's official images live under library/, also when the registry is named (docker.io/redis).
  else if (/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\/[^/]+$/.test(name))
    name = `docker.io/library/${name.slice(name.indexOf("/") + 1)}`;
  else if (/^(index\.docker\.io|registry-1\.docker\.io)\//.test(name)) name = `docker.io/${name.slice(name.indexOf("/") + 1)}`;
  if (digest) return `${name}@${digest}`;
  const lastSlash = name.lastIndexOf("/");
  return name.lastIndexOf(":") > lastSlash ? name : `${name}:latest`;
}

/** The repository of a normalized reference (no tag or digest). */
export function imageRepository(normalized: string): string {
  const noDigest = normalized.split("@")[0];
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** Known image sizes (bytes, as `Image size:` reports them); others get a stable made-up size. */
const SIZES: Record<string, number> = {
  "docker.io/library/nginx:latest": 72195292,
  "docker.io/library/busybox:latest": 2166802,
  "docker.io/library/alpine:latest": 3653068,
  "docker.io/library/redis:latest": 52467331,
  "docker.io/library/httpd:latest": 45319467,
  "docker.io/library/ubuntu:latest": 29754422,
  "docker.io/library/debian:latest": 48493590,
  "docker.io/library/postgres:latest": 158421374,
  "docker.io/library/mysql:latest": 236112842,
  "registry.k8s.io/echoserver:1.4": 46240452,
  "registry.k8s.io/pause:3.10": 320368,
};

export interface ImageInfo {
  /** As containerStatuses[].image shows it. */
  image: string;
  /** repo@sha256:… (containerStatuses[].imageID). */
  imageID: string;
  sizeBytes: number;
}

export function imageInfo(image: string): ImageInfo {
  const normalized = normalizeImage(image);
  const digest = normalized.includes("@") ? normalized.split("@")[1] : `sha256:${seededHex(`digest:${normalized}`, 64)}`;
  return {
    image: normalized,
    imageID: `${imageRepository(normalized)}@${digest}`,
    sizeBytes: SIZES[normalized] ?? 5_000_000 + (parseInt(seededHex(`size:${normalized}`, 7), 16) % 120_000_000),
  };
}

/** Go's time.Duration.String() of a millisecond-truncated duration: "812ms", "1.201s", "1m2.5s". */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.floor(ms));
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${String(Number(s.toFixed(3)))}s`;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}`;
}

// ---- the catalogue -----------------------------------------------------------------------------

export type ImageKind = "nginx" | "httpd" | "hello" | "echo" | "redis" | "postgres" | "mysql" | "busybox" | "generic" | "pause";

/** The built-in servers (servers.ts) an image's main program can be. */
export type ServerName =
  | "nginx"
  | "httpd"
  | "hello"
  | "hello-app"
  | "echoserver"
  | "whoami"
  | "http-echo"
  | "coredns"
  | "apiserver"
  | "component"
  | "kube-proxy"
  | "redis"
  | "postgres"
  | "mysql"
  | "mongo"
  | "none"
  | "generic";

/** The server each kind runs unless its entry names another. */
const KIND_SERVERS: Record<ImageKind, ServerName> = {
  nginx: "nginx",
  httpd: "httpd",
  hello: "echoserver",
  echo: "whoami",
  redis: "redis",
  postgres: "postgres",
  mysql: "mysql",
  busybox: "none",
  pause: "none",
  generic: "generic",
};

/** An image's idle footprint (metrics), and the CPU one request it serves costs (seconds of one core). */
export interface IdleCost {
  cpu: number;
  memory: number;
  perRequest: number;
}

const Mi = 1024 * 1024;

/** An image's /etc/passwd and /etc/group as (name, id) pairs; the images' own, abridged. */
export interface Accounts {
  users: Record<number, string>;
  groups: Record<number, string>;
  /** The supplementary groups /etc/group gives each user (containerd adds them). */
  memberOf: Record<number, number[]>;
}

const BUSYBOX_ACCOUNTS: Accounts = {
  users: { 0: "root", 1: "daemon", 2: "bin", 3: "sys", 4: "sync", 8: "mail", 33: "www-data", 37: "operator", 65534: "nobody" },
  groups: {
    0: "root",
    1: "daemon",
    2: "bin",
    3: "sys",
    4: "adm",
    5: "tty",
    6: "disk",
    7: "lp",
    8: "mail",
    9: "kmem",
    10: "wheel",
    33: "www-data",
    65534: "nogroup",
  },
  memberOf: { 0: [10] },
};
export const DEBIAN_ACCOUNTS: Accounts = {
  users: { 0: "root", 1: "daemon", 2: "bin", 3: "sys", 33: "www-data", 65534: "nobody" },
  groups: { 0: "root", 1: "daemon", 2: "bin", 3: "sys", 4: "adm", 5: "tty", 33: "www-data", 65534: "nogroup" },
  memberOf: {},
};
const NGINX_ACCOUNTS: Accounts = {
  users: { ...DEBIAN_ACCOUNTS.users, 101: "nginx" },
  groups: { ...DEBIAN_ACCOUNTS.groups, 101: "nginx" },
  memberOf: {},
};

/** What a container's main process writes when it starts: lines at offsets (ms) from its start. */
export interface StartupContext {
  start: number;
  /** The process's argv (a program with subcommands starts according to them). */
  argv?: string[];
  env: Record<string, string>;
  hostname: string;
  podIP: string;
}
export type StartupLine = { after: number; text: string };

export interface ImageBehaviour {
  kind: ImageKind;
  /** Ports the default process listens on. */
  ports: number[];
  /** The image's ENTRYPOINT and CMD (Docker semantics: command replaces ENTRYPOINT, args replaces CMD). */
  entrypoint: string[];
  cmd: string[];
  /** The shell `kubectl exec -it … -- <shell>` finds ("bash" images also have sh). */
  shell: "bash" | "sh" | undefined;
  /** The server's start-up output, or an exit (a misconfigured database exits 1). */
  startup?(k: StartupContext): { lines: StartupLine[]; exit?: { code: number; after: number } };
  /** The image's ENV (after PATH and HOSTNAME). */
  env?: Record<string, string>;
  /** Files the image ships (beyond the /etc files the kubelet writes). */
  files?: Record<string, string>;
  /** The programs on the image's PATH (what `exec` and its shells can run); default: GENERIC's. */
  programs?: Programs;
  /** Programs of the image's own, by name, that the shell does not have (stress). */
  binaries?: Record<string, (args: string[], k: StartupContext) => BinaryRun>;
  /** How its main program ends on SIGTERM: after `after` ms with `code`. None: as PID 1 without a
   *  handler it ignores SIGTERM (a shell, sleep, Node.js) and is SIGKILLed when the grace period ends. */
  sigterm?: { after: number; code: number };
  /** The names its main program goes by (default: its CMD's, else its ENTRYPOINT's program); "*":
   *  any program of its own (an image that is one server binary). A command naming one runs it. */
  main?: string[];
  /** Its own HTTP server, by name (apps.ts): what it answers; servers.ts asks it before the built-in ones. */
  http?: AppName;
  /** The processes its main program shows in `ps` (servers retitle themselves); default: its argv. */
  titles?: { user: string; command: string }[];
  /** The ports its program listens on for its argv (default: `ports`). */
  listens?(argv: string[]): number[];
  /** The built-in server its main program is (default: its kind's). */
  server?: ServerName;
  /** The USER its Dockerfile sets (none: root). */
  user?: string;
  /** Its /etc/passwd and /etc/group (default: Debian's). */
  accounts?: Accounts;
  /** What it costs idle and per request (default: a small server of the learner's). */
  idle?: IdleCost;
}

/** What an image's own program does: its lines, its exit, and the memory it comes to hold. */
export interface BinaryRun {
  lines: StartupLine[];
  exit?: { code: number; after: number };
  memory?: { bytes: number; after: number };
}

// ---- programs: what is on each image's PATH ----------------------------------------------------
// As in the real images (a shell finding none of them says `not found`, exec the runtime's error).
// The flavour names the implementation, whose output format a simulated program follows.

export type { Flavour } from "../../shell/types";
export type Programs = Readonly<Record<string, Flavour>>;
const ship = (flavour: Flavour, names: string): Programs =>
  Object.fromEntries(
    names
      .trim()
      .split(/\s+/)
      .map((n) => [n, flavour]),
  );
const without = (p: Programs, names: string): Programs =>
  Object.fromEntries(Object.entries(p).filter(([n]) => !names.split(" ").includes(n)));

/** busybox 1.36 (the busybox image's defconfig build): no bash, no curl. */
export const BUSYBOX_APPLETS = ship(
  "busybox",
  `[ [[ addgroup adduser ar arch arp arping ash awk base32 base64 basename bc blkid bunzip2 bzcat bzip2 cal cat chgrp chmod chown
  chroot cksum clear cmp comm cp cpio crond crontab cut date dc dd deluser df diff dirname dmesg dnsdomainname dos2unix du echo
  egrep env expand expr factor fallocate false fgrep find flock fold free fsync ftpget ftpput fuser getopt grep groups gunzip
  gzip hd head hexdump hostid hostname httpd hush id ifconfig install ip ipcalc kill killall less link ln logger login logname
  ls lsof lzcat md5sum mkdir mkfifo mknod mktemp more mount mountpoint mv nc netstat nice nl nohup nproc nslookup od passwd
  paste patch pgrep pidof ping ping6 pkill pmap printenv printf ps pstree pwd readlink realpath renice reset rev rm rmdir
  route run-parts sed seq setsid sh sha1sum sha256sum sha3sum sha512sum shred shuf sleep sort split stat strings stty su sum
  sync sysctl tac tail tar tee telnet test tftp time timeout top touch tr traceroute true truncate tsort tty udhcpc umount
  uname uniq unix2dos unlink unxz unzip uptime usleep uudecode uuencode vi watch wc wget which who whoami whois xargs xxd xz
  xzcat yes zcat`,
);

/** Alpine 3.21: its busybox (without the -extras applets) and the musl/apk tools. */
export const ALPINE_BASE: Programs = {
  ...without(BUSYBOX_APPLETS, "httpd telnet ftpget ftpput tftp hush"),
  ...ship("own", "apk getconf getent iconv ldd scanelf ssl_client"),
};

/** debian:bookworm and ubuntu:24.04 (and the Debian-based official images): bash, dash as sh,
 *  coreutils, grep, sed, tar — but no curl, wget, ps (procps), ping, nslookup, ip or vi. */
export const DEBIAN_BASE: Programs = {
  ...ship("bash", "bash rbash"),
  ...ship("dash", "sh dash kill"), // kill: the shells' builtin (procps is not in the slim images)
  ...ship(
    "gnu",
    `[ arch awk b2sum base32 base64 basename cat chgrp chmod chown chroot cksum cmp comm cp csplit cut date dd df diff dir
    dircolors dirname du echo egrep env expand expr factor false fgrep find fmt fold getopt grep groups gunzip gzip head hostid
    hostname id install join link ln logname ls mawk md5sum mkdir mkfifo mknod mktemp more mount mv nice nl nohup nproc numfmt
    od paste pathchk pr printenv printf ptx pwd readlink realpath rm rmdir run-parts sed seq sha1sum sha256sum sha512sum shred
    shuf sleep sort split stat stdbuf stty su sum sync tac tail tar tee test timeout touch tr true truncate tsort tty umount
    uname unexpand uniq unlink users vdir wc which who whoami xargs yes zcat`,
  ),
  ...ship("own", "apt apt-get apt-cache dpkg dpkg-query perl login passwd"),
};

/** A kubeadm node (Ubuntu 22.04 server, as the playgrounds' VMs): the Debian base with the tools a
 *  server install has (curl, wget, ping, ps, ip, ss, nslookup, vim, nano, jq) and the node's own
 *  (kubectl, kubeadm, kubelet, crictl, systemctl, journalctl). */
export const NODE_PROGRAMS: Programs = {
  ...DEBIAN_BASE,
  ...ship("curl", "curl"),
  ...ship("gnu", "wget ps top free watch uptime kill pkill pgrep clear less file tree"),
  ...ship("iputils", "ping tracepath"),
  ...ship("bind", "nslookup dig host"),
  ...ship("openbsd", "nc"),
  ...ship("own", "ip ss jq vi vim nano ssh systemctl journalctl kubectl kubeadm kubelet crictl ctr containerd iptables openssl git"),
};

/** Oracle Linux 9 slim (mysql): bash is sh, coreutils, microdnf. */
const RHEL_BASE: Programs = {
  ...without(DEBIAN_BASE, "dash mawk apt apt-get apt-cache dpkg dpkg-query"),
  ...ship("bash", "sh bash"),
  ...ship("own", "gawk microdnf rpm"),
};

/** curl as Debian packages it (the nginx image installs it; most application images have it). */
const CURL = ship("curl", "curl");

/** nicolaka/netshoot: Alpine plus the network toolbox (iputils ping, OpenBSD nc, bind's nslookup/dig). */
const NETSHOOT: Programs = {
  ...ALPINE_BASE,
  ...CURL,
  ...ship("bash", "bash"),
  ...ship("iputils", "ping ping6 tracepath arping"),
  ...ship("openbsd", "nc"),
  ...ship("bind", "nslookup dig host"),
  ...ship(
    "own",
    "ip zsh tcpdump tshark ss iperf iperf3 nmap socat jq mtr iftop ethtool conntrack iptables ipvsadm strace openssl git vim http drill fping netstat traceroute",
  ),
};

/** nginx's /usr/share/nginx/html/index.html (615 bytes): the image's file and its server's answer. */
export const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const NGINX_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const pad2 = (n: number) => String(n).padStart(2, "0");
const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** nginx error-log time: 2025/01/01 00:00:00 */
const nginxTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/-/g, "/").replace("T", " ");
/** redis log time: 01 Jan 2025 00:00:00.123 */
const redisTime = (ms: number) => {
  const d = new Date(ms);
  return `${pad2(d.getUTCDate())} ${MON[d.getUTCMonth()]} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 23)}`;
};
/** httpd log time: Wed Jan 01 00:00:00.123456 2025 */
const httpdTime = (ms: number) => {
  const d = new Date(ms);
  return `${DAY[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${pad2(d.getUTCDate())} ${d.toISOString().slice(11, 23)}${String(ms % 7).repeat(3)} ${d.getUTCFullYear()}`;
};
const at = (after: number, text: string): StartupLine => ({ after, text });

const nginxStartup = ({ start }: StartupContext) => {
  const t = nginxTime(start + 20);
  return {
    lines: [
      at(0, "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"),
      at(0, "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/"),
      at(0, "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh"),
      at(5, "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf"),
      at(8, "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf"),
      at(8, "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh"),
      at(9, "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh"),
      at(11, "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh"),
      at(12, "/docker-entrypoint.sh: Configuration complete; ready for start up"),
      at(20, `${t} [notice] 1#1: using the "epoll" event method`),
      at(20, `${t} [notice] 1#1: nginx/1.27.5`),
      at(20, `${t} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) `),
      at(20, `${t} [notice] 1#1: OS: Linux 6.8.0-1015-gcp`),
      at(20, `${t} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576`),
      at(20, `${t} [notice] 1#1: start worker processes`),
      ...[29, 30].map((pid) => at(20, `${t} [notice] 1#1: start worker process ${pid}`)),
    ],
  };
};

const redisStartup = ({ start }: StartupContext) => ({
  lines: [
    at(0, `1:C ${redisTime(start)} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`),
    at(0, `1:C ${redisTime(start)} * Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started`),
    at(
      0,
      `1:C ${redisTime(start)} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
    ),
    at(1, `1:M ${redisTime(start + 1)} * monotonic clock: POSIX clock_gettime`),
    at(1, `1:M ${redisTime(start + 1)} * Running mode=standalone, port=6379.`),
    at(2, `1:M ${redisTime(start + 2)} * Server initialized`),
    at(2, `1:M ${redisTime(start + 2)} * Ready to accept connections tcp`),
  ],
});

/** apache2-foreground of the php:apache images (Debian's Apache 2.4.10 with mod_php 5.6). */
const apacheStartup = ({ start, podIP }: StartupContext) => {
  const fqdn = `AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using ${podIP}. Set the 'ServerName' directive globally to suppress this message`;
  return {
    lines: [
      at(0, fqdn),
      at(5, fqdn),
      at(
        6,
        `[${httpdTime(start + 6)}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.10 (Debian) PHP/5.6.40 configured -- resuming normal operations`,
      ),
      at(6, `[${httpdTime(start + 6)}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D FOREGROUND'`),
    ],
  };
};

const httpdStartup = ({ start, podIP }: StartupContext) => {
  const fqdn = `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${podIP}. Set the 'ServerName' directive globally to suppress this message`;
  return {
    lines: [
      at(0, fqdn),
      at(5, fqdn),
      at(
        6,
        `[${httpdTime(start + 6)}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.63 (Unix) configured -- resuming normal operations`,
      ),
      at(6, `[${httpdTime(start + 6)}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'`),
    ],
  };
};

const postgresStartup = ({ start, env }: StartupContext) => {
  if (!env.POSTGRES_PASSWORD && env.POSTGRES_HOST_AUTH_METHOD !== "trust")
    return {
      lines: [
        "Error: Database is uninitialized and superuser password is not specified.",
        "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
        '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
        "",
        '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all',
        "       connections without a password. This is *not* recommended.",
        "",
        '       See PostgreSQL documentation about "trust":',
        "       https://www.postgresql.org/docs/current/auth-trust.html",
      ].map((l) => at(30, l)),
      exit: { code: 1, after: 40 },
    };
  const ts = (ms: number) => `${new Date(ms).toISOString().replace("T", " ").slice(0, 23)} UTC`;
  const t = start + 2400;
  return {
    lines: [
      at(0, 'The files belonging to this database system will be owned by user "postgres".'),
      at(0, "This user must also own the server process."),
      at(0, ""),
      at(0, 'The database cluster will be initialized with locale "en_US.utf8".'),
      at(0, 'The default database encoding has accordingly been set to "UTF8".'),
      at(0, 'The default text search configuration will be set to "english".'),
      at(0, ""),
      at(1500, "Success. You can now start the database server using:"),
      at(1500, ""),
      at(1500, "    pg_ctl -D /var/lib/postgresql/data -l logfile start"),
      at(1500, ""),
      at(2300, "PostgreSQL init process complete; ready for start up."),
      at(2300, ""),
      at(
        2400,
        `${ts(t)} [1] LOG:  starting PostgreSQL 17.4 (Debian 17.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit`,
      ),
      at(2400, `${ts(t)} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432`),
      at(2400, `${ts(t)} [1] LOG:  listening on IPv6 address "::", port 5432`),
      at(2401, `${ts(t + 1)} [1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"`),
      at(2410, `${ts(t + 10)} [1] LOG:  database system is ready to accept connections`),
    ],
  };
};

const mysqlStartup = ({ start, env }: StartupContext) => {
  const ts = (ms: number) => `${new Date(ms).toISOString().replace("T", " ").slice(0, 19)}+00:00`;
  const head = [
    at(0, `${ts(start)} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.2.0-1.el9 started.`),
    at(100, `${ts(start + 100)} [Note] [Entrypoint]: Switching to dedicated user 'mysql'`),
    at(120, `${ts(start + 120)} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.2.0-1.el9 started.`),
  ];
  if (!env.MYSQL_ROOT_PASSWORD && !env.MYSQL_ALLOW_EMPTY_PASSWORD && !env.MYSQL_RANDOM_ROOT_PASSWORD)
    return {
      lines: [
        ...head,
        at(150, `${ts(start + 150)} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified`),
        ...[
          "    You need to specify one of the following as an environment variable:",
          "    - MYSQL_ROOT_PASSWORD",
          "    - MYSQL_ALLOW_EMPTY_PASSWORD",
          "    - MYSQL_RANDOM_ROOT_PASSWORD",
        ].map((l) => at(150, l)),
      ],
      exit: { code: 1, after: 160 },
    };
  const t = start + 9000;
  const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z");
  return {
    lines: [
      ...head,
      at(200, `${ts(start + 200)} [Note] [Entrypoint]: Initializing database files`),
      at(8000, `${ts(start + 8000)} [Note] [Entrypoint]: Database files initialized`),
      at(9000, `${ts(t)} [Note] [Entrypoint]: MySQL init process done. Ready for start up.`),
      at(9500, `${iso(t + 500)} 0 [System] [MY-015015] [Server] MySQL Server - start.`),
      at(
        9900,
        `${iso(t + 900)} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.2.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.`,
      ),
    ],
  };
};

const goLog = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/-/g, "/").replace("T", " ");

/** One entry per image family: the repositories (normalized, no tag) it covers, and its behaviour. */
interface Family {
  repos: string[];
  behaviour: ImageBehaviour;
  /** Tags that exist (others are "not found"); undefined: any tag. */
  tags?: RegExp;
  /** The newest release: a version tag past it (nginx:1.99.99) is "not found". */
  newest?: number[];
  /** How some of its repositories differ from the family's behaviour (another publisher's build). */
  variants?: Record<string, Partial<ImageBehaviour>>;
}

// A version (1, 1.27, 1.27.5) or channel, optionally with a variant (-alpine, -bookworm, -perl…), or a variant alone.
const VERSION_TAGS =
  /^((latest|stable|mainline|\d+(\.\d+){0,2})([-.][a-z0-9.-]+)?|alpine[\d.]*(-[a-z]+)?|slim|bookworm|bullseye|trixie|[a-z]+-\d[\d.]*)$/;

/** Is the version a tag begins with (if any) released by `newest`? Only the parts the tag gives count. */
export function released(tag: string, newest: number[] | undefined): boolean {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?![\d])/.exec(tag);
  if (!m || !newest) return true;
  const parts = m
    .slice(1)
    .filter((p) => p !== undefined)
    .map(Number);
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== (newest[i] ?? 0)) return parts[i] < (newest[i] ?? 0);
  }
  return true;
}

const ALPINE_FILES = {
  "/etc/alpine-release": "3.21.3\n",
  "/etc/os-release": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME="Alpine Linux v3.21"\n',
};

// Unknown images are most often built FROM a Debian-based image (node, python, nginx…), which has
// bash: the tutorials' own `username/myapp` is entered with `kubectl exec -it myapp bash`.
// Any program no known base decides ("*": node, python, the learner's binary) is taken to be theirs.
const GENERIC: ImageBehaviour = {
  kind: "generic",
  ports: [],
  entrypoint: [],
  cmd: [],
  shell: "bash",
  programs: { ...DEBIAN_BASE, ...CURL, "*": "own" },
};

const FAMILIES: Family[] = [
  {
    // ingress-nginx's admission Jobs: `create` makes the webhook's certificate Secret, `patch` puts
    // its CA into the webhook configuration; each logs its step as JSON and exits.
    repos: ["registry.k8s.io/ingress-nginx/kube-webhook-certgen"],
    behaviour: {
      kind: "generic",
      ports: [],
      entrypoint: ["/kube-webhook-certgen"],
      cmd: [],
      main: ["kube-webhook-certgen"],
      shell: undefined,
      programs: ship("own", "kube-webhook-certgen"),
      startup: (k) => {
        const time = (ms: number) => new Date(k.start + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
        const line = (ms: number, msg: string, source: string) =>
          at(ms, `{"level":"info","msg":"${msg}","source":"${source}","time":"${time(ms)}"}`);
        const patch = k.argv?.[0] === "patch" || k.argv?.[1] === "patch";
        return {
          lines: patch
            ? [
                line(
                  0,
                  "patching webhook configurations 'ingress-nginx-admission' mutating=false, validating=true, failurePolicy=Fail",
                  "k8s/k8s.go:118",
                ),
                line(0, "Patched hook(s)", "k8s/k8s.go:138"),
              ]
            : [line(0, "creating new secret", "cmd/create.go:28")],
          // Both finish within their first second (the status's times have whole seconds only).
          exit: { code: 0, after: 1 },
        };
      },
    },
  },
  {
    // ingress-nginx's controller: nginx run by /nginx-ingress-controller, which renders nginx.conf
    // from the Ingresses (the routing itself is the network's: network.ts asks ingressproxy.ts).
    repos: ["registry.k8s.io/ingress-nginx/controller"],
    behaviour: {
      kind: "generic",
      ports: [80, 443, 8443, 10254],
      entrypoint: ["/usr/bin/dumb-init", "--"],
      cmd: ["/nginx-ingress-controller"],
      main: ["dumb-init", "nginx-ingress-controller"],
      user: "www-data",
      accounts: NGINX_ACCOUNTS,
      // nginx plus its Go controller watching the API.
      idle: { cpu: 0.002, memory: 44 * Mi, perRequest: 5e-5 },
      titles: [
        { user: "www-data", command: "/usr/bin/dumb-init -- /nginx-ingress-controller" },
        { user: "www-data", command: "/nginx-ingress-controller --publish-service=$(POD_NAMESPACE)/ingress-nginx-controller" },
        { user: "www-data", command: "nginx: master process /usr/bin/nginx -c /etc/nginx/nginx.conf" },
        { user: "www-data", command: "nginx: worker process" },
      ],
      shell: "sh",
      programs: { ...ALPINE_BASE, ...CURL, ...ship("own", "nginx nginx-ingress-controller dumb-init") },
      startup: (k) => {
        // klog's header: severity, MMDD hh:mm:ss.uuuuuu, the thread id, file:line.
        const klog = (ms: number, sev: string, src: string, text: string) => {
          const d = new Date(k.start + ms);
          const p = (n: number, w = 2) => String(n).padStart(w, "0");
          return at(
            ms,
            `${sev}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}${p((k.start * 7) % 1000, 3)}       7 ${src}] ${text}`,
          );
        };
        return {
          lines: [
            at(0, "-------------------------------------------------------------------------------"),
            at(0, "NGINX Ingress controller"),
            at(0, "  Release:       v1.12.1"),
            at(0, "  Build:         51724dddf9f60e3e8f1a5bd9c4f6e2f0d9d3a5c2"),
            at(0, "  Repository:    https://github.com/kubernetes/ingress-nginx"),
            at(0, "  nginx version: nginx/1.25.5"),
            at(0, ""),
            at(0, "-------------------------------------------------------------------------------"),
            at(0, ""),
            klog(
              2,
              "W",
              "client_config.go:667",
              "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.",
            ),
            klog(3, "I", "main.go:205", '"Creating API client" host="https://10.96.0.1:443"'),
            klog(
              9,
              "I",
              "main.go:248",
              '"Running in Kubernetes cluster" major="1" minor="33" git="v1.33.1" state="clean" platform="linux/amd64"',
            ),
            klog(120, "I", "main.go:101", '"SSL fake certificate created" file="/etc/ingress-controller/ssl/default-fake-certificate.pem"'),
            klog(140, "I", "nginx.go:271", '"Starting NGINX Ingress controller"'),
            klog(160, "I", "leaderelection.go:257", "attempting to acquire leader lease ingress-nginx/ingress-nginx-leader..."),
            klog(170, "I", "nginx.go:317", '"Starting NGINX process"'),
            klog(180, "I", "leaderelection.go:271", "successfully acquired lease ingress-nginx/ingress-nginx-leader"),
            klog(181, "I", "status.go:85", `"New leader elected" identity="${k.hostname}"`),
            klog(260, "I", "controller.go:214", '"Backend successfully reloaded"'),
          ],
        };
      },
      sigterm: { after: 300, code: 0 },
    },
  },
  {
    repos: ["docker.io/library/nginx", "docker.io/nginxinc/nginx-unprivileged", "docker.io/bitnami/nginx"],
    tags: VERSION_TAGS,
    newest: [1, 29, 3],
    variants: { "docker.io/nginxinc/nginx-unprivileged": { user: "101" } },
    behaviour: {
      kind: "nginx",
      ports: [80],
      entrypoint: ["/docker-entrypoint.sh"],
      cmd: ["nginx", "-g", "daemon off;"],
      main: ["nginx", "nginx-debug"],
      accounts: NGINX_ACCOUNTS,
      idle: { cpu: 0.0005, memory: 3.2 * Mi, perRequest: 5e-5 },
      titles: [
        { user: "root", command: "nginx: master process nginx -g daemon off;" },
        { user: "101", command: "nginx: worker process" },
        { user: "101", command: "nginx: worker process" },
      ],
      shell: "bash",
      programs: { ...DEBIAN_BASE, ...CURL, ...ship("own", "nginx nginx-debug envsubst") },
      startup: nginxStartup,
      sigterm: { after: 300, code: 0 }, // fast shutdown: the master stops its workers and exits
      env: {
        NGINX_VERSION: "1.27.5",
        NJS_VERSION: "0.8.10",
        NJS_RELEASE: "1~bookworm",
        PKG_RELEASE: "1~bookworm",
        DYNPKG_RELEASE: "1~bookworm",
      },
      files: {
        "/usr/share/nginx/html/index.html": NGINX_INDEX,
        "/usr/share/nginx/html/50x.html":
          "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n",
        "/etc/nginx/conf.d/default.conf": NGINX_CONF,
        "/etc/nginx/nginx.conf":
          "\nuser  nginx;\nworker_processes  auto;\n\nerror_log  /var/log/nginx/error.log notice;\npid        /run/nginx.pid;\n\n\nevents {\n    worker_connections  1024;\n}\n\n\nhttp {\n    include       /etc/nginx/mime.types;\n    default_type  application/octet-stream;\n\n    access_log  /var/log/nginx/access.log  main;\n\n    sendfile        on;\n\n    keepalive_timeout  65;\n\n    include /etc/nginx/conf.d/*.conf;\n}\n",
        "/etc/os-release":
          'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
      },
    },
  },
  {
    repos: ["docker.io/library/httpd"],
    tags: VERSION_TAGS,
    newest: [2, 4, 65],
    behaviour: {
      kind: "httpd",
      ports: [80],
      entrypoint: [],
      cmd: ["httpd-foreground"],
      main: ["httpd-foreground", "httpd"],
      idle: { cpu: 0.001, memory: 6.5 * Mi, perRequest: 0.0001 },
      shell: "bash",
      programs: { ...DEBIAN_BASE, ...ship("own", "httpd httpd-foreground apachectl htpasswd ab") },
      startup: httpdStartup,
      sigterm: { after: 1000, code: 0 }, // httpd -k stop: children are given a second
      files: { "/usr/local/apache2/htdocs/index.html": "<html><body><h1>It works!</h1></body></html>\n" },
    },
  },
  {
    // The "Learn Kubernetes Basics" app: server.js on 8080 (CMD's shell form: SIGTERM is ignored).
    repos: ["gcr.io/google-samples/kubernetes-bootcamp", "docker.io/jocatalin/kubernetes-bootcamp"],
    behaviour: {
      kind: "generic",
      ports: [8080],
      entrypoint: [],
      cmd: ["/bin/sh", "-c", "node server.js"],
      main: ["node"],
      shell: "bash",
      programs: { ...DEBIAN_BASE, ...CURL, ...ship("own", "node npm") },
      env: { NODE_VERSION: "6.3.0", NPM_CONFIG_LOGLEVEL: "info" },
      startup: bootcampStartup,
      http: "bootcamp",
      idle: { cpu: 0.001, memory: 12 * Mi, perRequest: 0.0002 },
    },
  },
  {
    // The e2e test image the docs use everywhere: one binary, its subcommand decides what it serves.
    repos: ["registry.k8s.io/e2e-test-images/agnhost", "k8s.gcr.io/e2e-test-images/agnhost", "gcr.io/kubernetes-e2e-test-images/agnhost"],
    behaviour: {
      kind: "generic",
      ports: [],
      entrypoint: ["/agnhost"],
      cmd: ["pause"],
      main: ["agnhost"],
      shell: "bash",
      programs: { ...ALPINE_BASE, ...CURL, ...ship("bash", "bash"), ...ship("own", "agnhost") },
      startup: (k) => agnhostStartup(k.argv ?? [], k),
      listens: agnhostPorts,
      http: "agnhost",
      idle: { cpu: 0.001, memory: 6 * Mi, perRequest: 5e-5 },
      sigterm: { after: 200, code: 2 },
    },
  },
  ...(
    [
      [
        ["registry.k8s.io/hpa-example", "k8s.gcr.io/hpa-example", "gcr.io/google_containers/hpa-example"],
        "phpApache",
        // index.php runs a million-iteration sqrt loop for every request.
        { cpu: 0.001, memory: 9.5 * Mi, perRequest: 0.007 },
      ],
      [
        [
          "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend",
          "gcr.io/google-samples/gb-frontend",
          "gcr.io/google_samples/gb-frontend",
        ],
        "guestbookFrontend",
        { cpu: 0.001, memory: 11 * Mi, perRequest: 0.0004 },
      ],
    ] as const
  ).map(
    ([repos, http, idle]): Family => ({
      // php:5-apache images: Apache with mod_php on 80; STOPSIGNAL SIGWINCH is a graceful stop.
      repos: [...repos],
      behaviour: {
        kind: "generic",
        ports: [80],
        entrypoint: ["docker-php-entrypoint"],
        cmd: ["apache2-foreground"],
        shell: "bash",
        programs: { ...DEBIAN_BASE, ...CURL, ...ship("own", "apache2 apache2-foreground apache2ctl php docker-php-entrypoint") },
        startup: apacheStartup,
        http,
        idle,
        sigterm: { after: 1000, code: 0 },
      },
    }),
  ),
  // Tutorial 001's own image (FROM node:8.10.0, EXPOSE 3000, CMD node server.js) and the old minikube
  // hello-node: server.js listens on its port and logs nothing until a request comes. The shell form
  // of CMD leaves /bin/sh as PID 1, which has no SIGTERM handler: deletion waits out the grace period.
  ...(
    [
      [["docker.io/library/hello-node"], 3000],
      [["gcr.io/hello-minikube-zero-install/hello-node"], 8080],
    ] as const
  ).map(
    ([repos, port]): Family => ({
      repos: [...repos],
      behaviour: {
        kind: "hello",
        ports: [port],
        entrypoint: [],
        cmd: ["/bin/sh", "-c", "node server.js"],
        main: ["node"],
        shell: "bash",
        programs: { ...DEBIAN_BASE, ...CURL, ...ship("own", "node npm npx yarn") },
        server: "hello",
        startup: () => ({ lines: [] }),
        env: { NODE_VERSION: "8.10.0", YARN_VERSION: "1.5.1" },
        files: {
          "/server.js": `var http = require('http');\n\nvar handleRequest = function(request, response) {\n  console.log('Received request for URL: ' + request.url);\n  response.writeHead(200);\n  response.end('Hello World!');\n};\nvar www = http.createServer(handleRequest);\nwww.listen(${port});\n`,
          "/etc/os-release":
            'PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nNAME="Debian GNU/Linux"\nVERSION_ID="9"\nVERSION="9 (stretch)"\nID=debian\n',
        },
      },
    }),
  ),
  {
    repos: [
      "registry.k8s.io/echoserver",
      "k8s.gcr.io/echoserver",
      "gcr.io/google_containers/echoserver",
      "gcr.io/google-samples/hello-app",
      "us-docker.pkg.dev/google-samples/containers/gke/hello-app",
      "docker.io/kicbase/echo-server",
    ],
    variants: {
      "gcr.io/google-samples/hello-app": { server: "hello-app" },
      "us-docker.pkg.dev/google-samples/containers/gke/hello-app": { server: "hello-app" },
    },
    behaviour: {
      kind: "hello",
      ports: [8080],
      entrypoint: [],
      cmd: ["/hello"],
      shell: "sh",
      // Each of these ships its own server binary (/agnhost, /hello-app, /echo-server…): whatever no
      // known base has is taken to be it.
      programs: { ...ALPINE_BASE, "*": "own" },
      main: ["*"],
      startup: ({ start }) => ({ lines: [at(3, `${goLog(start + 3)} Server listening on port 8080`)] }),
      sigterm: { after: 200, code: 2 }, // Go: SIGTERM without a handler ends the program (exit status 2 as PID 1)
    },
  },
  {
    repos: [
      "docker.io/traefik/whoami",
      "docker.io/containous/whoami",
      "docker.io/hashicorp/http-echo",
      "docker.io/ealen/echo-server",
      "docker.io/mendhak/http-https-echo",
    ],
    variants: {
      // http-echo listens where `-listen=:PORT` says, else on 5678.
      "docker.io/hashicorp/http-echo": {
        server: "http-echo",
        ports: [5678],
        listens: (argv) => [Number(/-listen[= ]\S*:(\d+)/.exec(argv.join(" "))?.[1] ?? 5678)],
      },
    },
    behaviour: {
      kind: "echo",
      ports: [80],
      entrypoint: ["/whoami"],
      cmd: [],
      shell: undefined,
      programs: ship("own", "whoami"), // FROM scratch: its binary and nothing else
      startup: ({ start }) => ({ lines: [at(2, `${goLog(start + 2)} Starting up on port 80`)] }),
      sigterm: { after: 200, code: 2 },
    },
  },
  {
    repos: ["docker.io/library/redis", "docker.io/bitnami/redis"],
    tags: VERSION_TAGS,
    newest: [8, 2, 3],
    behaviour: {
      kind: "redis",
      ports: [6379],
      entrypoint: ["docker-entrypoint.sh"],
      cmd: ["redis-server"],
      idle: { cpu: 0.002, memory: 2.8 * Mi, perRequest: 3e-5 },
      shell: "bash",
      programs: {
        ...DEBIAN_BASE,
        ...ship("own", "redis-server redis-cli redis-benchmark redis-check-aof redis-check-rdb redis-sentinel gosu docker-entrypoint.sh"),
      },
      startup: redisStartup,
      sigterm: { after: 500, code: 0 },
    }, // saves the RDB snapshot, "bye bye"
  },
  {
    repos: ["docker.io/library/postgres", "docker.io/bitnami/postgresql"],
    tags: VERSION_TAGS,
    newest: [18, 1],
    behaviour: {
      kind: "postgres",
      ports: [5432],
      entrypoint: ["docker-entrypoint.sh"],
      cmd: ["postgres"],
      idle: { cpu: 0.003, memory: 21 * Mi, perRequest: 0.0002 },
      shell: "bash",
      programs: {
        ...DEBIAN_BASE,
        ...ship(
          "own",
          "postgres psql pg_ctl initdb pg_isready pg_dump pg_dumpall pg_restore createdb dropdb gosu locale docker-entrypoint.sh",
        ),
      },
      startup: postgresStartup,
      sigterm: { after: 800, code: 0 },
    }, // smart shutdown with no clients
  },
  {
    repos: ["docker.io/library/mysql", "docker.io/library/mariadb", "docker.io/bitnami/mysql"],
    tags: VERSION_TAGS,
    behaviour: {
      kind: "mysql",
      ports: [3306],
      entrypoint: ["docker-entrypoint.sh"],
      cmd: ["mysqld"],
      idle: { cpu: 0.006, memory: 360 * Mi, perRequest: 0.0003 },
      shell: "bash",
      programs: {
        ...RHEL_BASE,
        ...ship("own", "mysqld mysql mysqladmin mysqldump mysqlsh mariadb mariadbd mariadb-admin gosu docker-entrypoint.sh"),
      },
      startup: mysqlStartup,
      sigterm: { after: 2000, code: 0 },
    },
  },
  {
    repos: [
      "docker.io/library/busybox",
      "registry.k8s.io/busybox",
      "gcr.io/google-containers/busybox",
      "docker.io/radial/busyboxplus",
      "registry.k8s.io/e2e-test-images/busybox",
    ],
    tags: /^(latest|musl|glibc|uclibc|stable|unstable|\d+(\.\d+){0,2}(-[a-z0-9.-]+)?|curl|git)$/,
    behaviour: {
      kind: "busybox",
      ports: [],
      entrypoint: [],
      cmd: ["sh"],
      shell: "sh",
      programs: BUSYBOX_APPLETS,
      accounts: BUSYBOX_ACCOUNTS,
      idle: { cpu: 0, memory: 0.45 * Mi, perRequest: 2e-5 },
      files: { "/etc/os-release": 'NAME="BusyBox"\n' },
    },
  },
  ...(
    [
      [["docker.io/library/alpine"], ALPINE_BASE, { accounts: BUSYBOX_ACCOUNTS, idle: { cpu: 0, memory: 0.5 * Mi, perRequest: 0.00002 } }],
      [["docker.io/curlimages/curl"], { ...ALPINE_BASE, ...CURL }, {}],
      [["docker.io/nicolaka/netshoot"], NETSHOOT, {}],
    ] as const
  ).map(
    ([repos, programs, own]): Family => ({
      repos: [...repos],
      tags: VERSION_TAGS,
      behaviour: { kind: "busybox", ports: [], entrypoint: [], cmd: ["/bin/sh"], shell: "sh", programs, files: ALPINE_FILES, ...own },
    }),
  ),
  {
    repos: ["docker.io/library/ubuntu"],
    tags: /^(latest|rolling|devel|jammy|noble|focal|bionic|oracular|plucky|\d{2}\.\d{2})$/,
    behaviour: {
      kind: "busybox",
      ports: [],
      entrypoint: [],
      cmd: ["/bin/bash"],
      shell: "bash",
      programs: DEBIAN_BASE,
      files: { "/etc/os-release": 'PRETTY_NAME="Ubuntu 24.04.2 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n' },
    },
  },
  {
    repos: [
      "docker.io/library/debian",
      "docker.io/library/centos",
      "docker.io/library/fedora",
      "docker.io/library/rockylinux",
      "docker.io/library/amazonlinux",
    ],
    behaviour: {
      kind: "busybox",
      ports: [],
      entrypoint: [],
      cmd: ["bash"],
      shell: "bash",
      programs: DEBIAN_BASE,
      files: { "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' },
    },
  },
  {
    // The Kubernetes docs' "Assign Memory Resources" task: stress allocates --vm-bytes per --vm worker.
    repos: ["docker.io/polinux/stress", "docker.io/progrium/stress"],
    behaviour: {
      kind: "busybox",
      ports: [],
      entrypoint: [],
      cmd: ["stress"],
      shell: "sh",
      programs: { ...ALPINE_BASE, ...ship("own", "stress") },
      binaries: { stress: stressRun },
    },
  },
  {
    // The docs' "Assign CPU Resources" task: one Go binary FROM scratch taking flags (`-cpus N`).
    repos: ["docker.io/vish/stress"],
    behaviour: {
      kind: "generic",
      ports: [],
      entrypoint: ["/stress", "-logtostderr"],
      cmd: [],
      main: ["stress"],
      shell: undefined,
      programs: ship("own", "stress"),
      server: "none",
      sigterm: { after: 200, code: 2 },
    },
  },
  {
    repos: ["registry.k8s.io/pause", "k8s.gcr.io/pause", "gcr.io/google_containers/pause"],
    behaviour: {
      kind: "pause",
      ports: [],
      entrypoint: ["/pause"],
      cmd: [],
      shell: undefined,
      programs: ship("own", "pause"),
      idle: { cpu: 0, memory: 0.25 * Mi, perRequest: 0 },
    },
  },
  // The cluster's own images and the databases without a simulated shell of their own: what they
  // serve on their ports and what they cost (measured on kind/kubeadm clusters' own pods).
  ...(
    [
      [
        ["registry.k8s.io/coredns/coredns", "docker.io/coredns/coredns", "k8s.gcr.io/coredns/coredns", "k8s.gcr.io/coredns"],
        "coredns",
        [53, 8080, 8181, 9153],
        [0.002, 13, 0.00005],
      ],
      [["registry.k8s.io/kube-apiserver", "k8s.gcr.io/kube-apiserver"], "apiserver", [6443], [0.045, 240, 0]],
      // etcd's client and peer ports and the secure ports of the scheduler and controller manager, as
      // kubeadm configures them: they listen there and nowhere else, so a node IP refuses other ports.
      [["registry.k8s.io/etcd", "k8s.gcr.io/etcd"], "component", [2379, 2380, 2381], [0.022, 42, 0]],
      [["registry.k8s.io/kube-scheduler", "k8s.gcr.io/kube-scheduler"], "component", [10259], [0.003, 21, 0]],
      [["registry.k8s.io/kube-controller-manager", "k8s.gcr.io/kube-controller-manager"], "component", [10257], [0.014, 48, 0]],
      [["registry.k8s.io/kube-proxy", "k8s.gcr.io/kube-proxy"], "kube-proxy", [10249, 10256], [0.001, 14, 0]],
      [["registry.k8s.io/metrics-server/metrics-server", "k8s.gcr.io/metrics-server/metrics-server"], "generic", [], [0.004, 17, 0]],
      [["docker.io/rancher/local-path-provisioner"], "generic", [], [0.001, 8, 0]],
      [["docker.io/library/mongo", "docker.io/bitnami/mongodb"], "mongo", [27017], [0.008, 75, 0.0002]],
    ] as const
  ).map(
    ([repos, server, ports, [cpu, memory, perRequest]]): Family => ({
      repos: [...repos],
      behaviour: { ...GENERIC, server, ports: [...ports], idle: { cpu, memory: memory * Mi, perRequest } },
    }),
  ),
];

// The guestbook's Redis leader and followers: redis under other names and tags.
FAMILIES.push({
  repos: [
    "registry.k8s.io/redis",
    "k8s.gcr.io/redis",
    "gcr.io/google_samples/gb-redis-follower",
    "us-docker.pkg.dev/google-samples/containers/gke/gb-redis-follower",
  ],
  behaviour: FAMILIES.find((f) => f.repos.includes("docker.io/library/redis"))!.behaviour,
});

// The StatefulSet tutorial's web server: nginx under the e2e image's name (0.8 … 0.27).
FAMILIES.push({
  repos: ["registry.k8s.io/nginx-slim", "k8s.gcr.io/nginx-slim", "gcr.io/google_containers/nginx-slim"],
  tags: /^0\.([89]|1\d|2[0-7])$/,
  behaviour: FAMILIES.find((f) => f.repos.includes("docker.io/library/nginx"))!.behaviour,
});

/** stress 1.0.4: `--vm N --vm-bytes B` holds N×B (default 256M; suffixes b k m g, powers of 1024),
 *  touching it over and over; `--timeout` ends a successful run. */
function stressRun(args: string[]): BinaryRun {
  const opt = (short: string, long: string) => {
    const i = args.findIndex((a) => a === short || a === long);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const bytes = (s: string) => {
    const m = /^(\d+)([bkmg]?)$/i.exec(s);
    return m ? Number(m[1]) * 1024 ** "bkmg".indexOf((m[2] || "b").toLowerCase()) : NaN;
  };
  const [cpu, io, vm, hdd] = [opt("-c", "--cpu"), opt("-i", "--io"), opt("-m", "--vm"), opt("-d", "--hdd")].map((v) => Number(v ?? 0) || 0);
  if (!cpu && !io && !vm && !hdd)
    return {
      lines: [
        at(0, "`stress' imposes certain types of compute stress on your system"),
        at(0, ""),
        at(0, "Usage: stress [OPTION [ARG]] ..."),
      ],
      exit: { code: 1, after: 1 },
    };
  const lines = [at(0, `stress: info: [1] dispatching hogs: ${cpu} cpu, ${io} io, ${vm} vm, ${hdd} hdd`)];
  const t = /^(\d+)([smhdy]?)$/.exec(opt("-t", "--timeout") ?? "");
  const secs = t ? Number(t[1]) * ({ "": 1, s: 1, m: 60, h: 3600, d: 86400, y: 31_536_000 } as Record<string, number>)[t[2]] : undefined;
  const exit = secs !== undefined ? { code: 0, after: secs * 1000 } : undefined;
  if (exit) lines.push(at(exit.after, `stress: info: [1] successful run completed in ${secs}s`));
  const each = bytes(opt("--vm-bytes", "--vm-bytes") ?? "256M");
  return { lines, exit, memory: vm ? { bytes: vm * each, after: 120 } : undefined };
}

/**
 * Official (docker.io/library) repositories that exist besides the catalogue's: any other
 * single-name image ("nginxx") is a repository that does not exist.
 */
const OFFICIAL = new Set(
  "node python golang openjdk eclipse-temurin amazoncorretto tomcat php ruby perl rust gcc mongo memcached rabbitmq traefik haproxy caddy registry elasticsearch kibana logstash influxdb telegraf consul vault nats wordpress ghost drupal joomla jenkins sonarqube bash hello-world docker almalinux archlinux oraclelinux opensuse photon clearlinux cassandra couchdb neo4j zookeeper solr flink spark maven gradle python2 pypy julia erlang elixir haskell swift dart clojure groovy mono composer nextcloud owncloud matomo redmine rocket.chat mediawiki odoo postfixadmin adminer phpmyadmin eclipse-mosquitto httpd nginx redis postgres mysql mariadb busybox alpine ubuntu debian centos fedora rockylinux amazonlinux".split(
    " ",
  ),
);

/**
 * References that cannot be pulled, for labs to extend: tags that look like mistakes on purpose.
 * Matched against the tag of any image.
 */
export const KNOWN_MISSING_TAGS: RegExp[] = [
  /^(does-?not-?exist|non-?exist(ent|ing)?|not-?exist(s|ing)?|invalid|bad|broken|missing|typo|wrong|fake|nope|xxx+)([-_.].*)?$/i,
  /^(latest2|lastest|lates)$/,
];

export function familyOf(normalized: string): Family | undefined {
  const repo = imageRepository(normalized);
  return FAMILIES.find((f) => f.repos.includes(repo));
}

/** The programs on the PATH of a container of `image`. */
export const imagePrograms = (image: string): Programs => imageBehaviour(image).programs ?? GENERIC.programs!;

/** Every program a known base ships or lacks: an open set ("*") leaves only the others to the image. */
const KNOWN = new Set([...Object.keys(BUSYBOX_APPLETS), ...Object.keys(DEBIAN_BASE), ...Object.keys(NETSHOOT)]);

/** Is `program` (a name or a path) on the image's PATH, and which implementation is it? */
export function programIn(programs: Programs, program: string): Flavour | undefined {
  const name = program.replace(/^.*\//, "");
  return Object.hasOwn(programs, name) ? programs[name] : programs["*"] && !KNOWN.has(name) ? "own" : undefined;
}

/** Is `program` on the PATH of `image` (what the runtime finds for exec and a container's command)? */
export const inImage = (image: string, program: string) => programIn(imagePrograms(image), program) !== undefined;

/** The image as a shell running in it sees it (durable/shell/types.ts). */
export const imageView = (image: string): ImageView => {
  const programs = imagePrograms(image);
  return { program: (program) => programIn(programs, program) };
};

/** Publishers' conventions, over every image of theirs: the USER (bitnami's bare uid 1001 has no
 *  /etc/passwd entry on its Debian base). A family's variant still has the last word. */
const PUBLISHERS: [RegExp, Partial<ImageBehaviour>][] = [
  [/^docker\.io\/bitnami\//, { user: "1001", accounts: DEBIAN_ACCOUNTS }],
  [/^gcr\.io\/distroless\/.*:.*nonroot/, { user: "65532" }],
];

const resolved = new Map<string, ImageBehaviour>();

/** What a container of `image` does. Unknown images behave as a generic server on their containerPorts. */
export function imageBehaviour(image: string): ImageBehaviour {
  const key = image ?? "";
  let b = resolved.get(key);
  if (!b) {
    const normalized = normalizeImage(key);
    const family = familyOf(normalized);
    const publisher = PUBLISHERS.find(([re]) => re.test(normalized))?.[1];
    const variant = family?.variants?.[imageRepository(normalized)];
    const base = family?.behaviour ?? GENERIC;
    b = publisher || variant ? { ...base, ...publisher, ...variant } : base;
    if (resolved.size >= 1024) resolved.clear();
    resolved.set(key, b);
  }
  return b;
}

/** The built-in server (servers.ts) a container of `image` runs. */
export function imageServer(image: string): ServerName {
  const b = imageBehaviour(image);
  return b.server ?? KIND_SERVERS[b.kind];
}

const tagOf = (normalized: string) => {
  const noDigest = normalized.split("@")[0];
  return noDigest.slice(noDigest.lastIndexOf(":") + 1);
};

/**
 * Why an image reference cannot be used: InvalidImageName (the reference does not parse) or
 * ErrImagePull (the registry says no), with containerd's messages as the kubelet reports them.
 */
export function pullFailure(image: string): { reason: "InvalidImageName" | "ErrImagePull"; message: string } | undefined {
  const ref = image ?? "";
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/.test(ref)) {
    const lower = ref.split(/[:@]/)[0] !== ref.split(/[:@]/)[0].toLowerCase();
    const repo = normalizeImage(ref)
      .replace(/^docker\.io\//, "")
      .split(/[:@]/)[0];
    return {
      reason: "InvalidImageName",
      message: `Failed to apply default image tag ${JSON.stringify(ref)}: couldn't parse image name ${JSON.stringify(ref)}: invalid reference format${lower ? `: repository name (${repo}) must be lowercase` : ""}`,
    };
  }
  const normalized = normalizeImage(ref);
  if (normalized.includes("@")) return undefined;
  const tag = tagOf(normalized);
  const repo = imageRepository(normalized);
  const family = familyOf(normalized);
  const notFound = () => ({
    reason: "ErrImagePull" as const,
    message: `rpc error: code = NotFound desc = failed to pull and unpack image ${JSON.stringify(normalized)}: failed to resolve reference ${JSON.stringify(normalized)}: ${normalized}: not found`,
  });
  if (KNOWN_MISSING_TAGS.some((re) => re.test(tag))) return notFound();
  if (family?.tags && (!family.tags.test(tag) || !released(tag, family.newest))) return notFound();
  if (!family && repo.startsWith("docker.io/library/") && !OFFICIAL.has(repo.slice("docker.io/library/".length)))
    return {
      reason: "ErrImagePull",
      message: `rpc error: code = Unknown desc = failed to pull and unpack image ${JSON.stringify(normalized)}: failed to resolve reference ${JSON.stringify(normalized)}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
    };
  return undefined;
}
