// test / [ as the shells' builtins evaluate them (POSIX's rules by argument count, then -a -o ! ( )),
// with each shell's error words: bash, dash (Debian's sh) and busybox ash; and `which` over the PATH.
import { resolvePath } from "../fs";
import type { AppletCall } from "./applets";
import type { ShellState } from "./interp";
import { busyboxUsage } from "./usage";

type Dialect = "bash" | "dash" | "busybox";

/** Which shell is running the builtin: the image's program behind the shell's name. */
function dialectOf(s: ShellState): Dialect {
  const d = s.ctx.image?.program(s.name) ?? (s.name === "bash" ? "bash" : "busybox");
  return d === "bash" || d === "dash" ? d : "busybox";
}

/** A syntax error of test, worded per shell. */
class TestError {
  constructor(readonly words: Record<Dialect, string>) {}
}

const UNARY = new Set([
  "-e",
  "-f",
  "-d",
  "-s",
  "-r",
  "-w",
  "-x",
  "-L",
  "-h",
  "-p",
  "-S",
  "-b",
  "-c",
  "-t",
  "-g",
  "-u",
  "-k",
  "-O",
  "-G",
  "-N",
  "-z",
  "-n",
]);
const BINARY = new Set(["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"]);

function integer(v: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(v))
    throw new TestError({ bash: `${v}: integer expression expected`, dash: `Illegal number: ${v}`, busybox: `${v}: bad number` });
  return Number(v.trim());
}

/** Executable: directories, and files in a bin directory or starting with #! (the filesystem keeps no mode bits). */
const executable = (s: ShellState, p: string) =>
  s.ctx.fs.isDir(p) || (s.ctx.fs.read(p) !== undefined && (/\/s?bin\//.test(p) || (s.ctx.fs.read(p) ?? "").startsWith("#!")));

function unary(op: string, v: string, s: ShellState): boolean {
  const p = resolvePath(v, s.cwd);
  const fs = s.ctx.fs;
  const exists = () => fs.isDir(p) || fs.read(p) !== undefined;
  switch (op) {
    case "-z":
      return v === "";
    case "-n":
      return v !== "";
    case "-e":
      return exists();
    case "-f":
      return !fs.isDir(p) && fs.read(p) !== undefined;
    case "-d":
      return fs.isDir(p);
    case "-s":
      return fs.isDir(p) || (fs.readBytes?.(p)?.length ?? (fs.read(p) ?? "").length) > 0;
    // Everything runs as root: readable and writable whenever it exists.
    case "-r":
    case "-w":
    case "-O":
    case "-G":
      return exists();
    case "-x":
      return executable(s, p);
    case "-t":
      return false;
    default:
      return false; // no symlinks, pipes, sockets, devices, set-id bits here
  }
}

function binary(a: string, op: string, b: string, s: ShellState): boolean {
  switch (op) {
    case "=":
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "-eq":
      return integer(a) === integer(b);
    case "-ne":
      return integer(a) !== integer(b);
    case "-lt":
      return integer(a) < integer(b);
    case "-le":
      return integer(a) <= integer(b);
    case "-gt":
      return integer(a) > integer(b);
    case "-ge":
      return integer(a) >= integer(b);
    case "-ef":
      return resolvePath(a, s.cwd) === resolvePath(b, s.cwd) && unary("-e", a, s);
    // Files keep no times the shell can see: neither is newer.
    default:
      return false;
  }
}

/** Evaluate test's operands (without the closing ]). */
export function evaluate(args: string[], s: ShellState): boolean {
  // POSIX: up to four operands are decided by their count.
  switch (args.length) {
    case 0:
      return false;
    case 1:
      return args[0] !== "";
    case 2:
      if (args[0] === "!") return args[1] === "";
      if (UNARY.has(args[0])) return unary(args[0], args[1], s);
      throw new TestError({
        bash: `${args[0]}: unary operator expected`,
        dash: BINARY.has(args[1]) ? `${args[1]}: argument expected` : `${args[0]}: unexpected operator`,
        busybox: BINARY.has(args[1]) ? `${args[1]}: argument expected` : `${args[0]}: unknown operand`,
      });
    case 3:
      if (BINARY.has(args[1])) return binary(args[0], args[1], args[2], s);
      if (args[1] === "-a") return args[0] !== "" && args[2] !== "";
      if (args[1] === "-o") return args[0] !== "" || args[2] !== "";
      if (args[0] === "!") return !evaluate(args.slice(1), s);
      if (args[0] === "(" && args[2] === ")") return args[1] !== "";
      throw new TestError({
        bash: `${args[1]}: binary operator expected`,
        dash: `${args[0]}: unexpected operator`,
        busybox: `${args[1]}: unknown operand`,
      });
    case 4:
      if (args[0] === "!") return !evaluate(args.slice(1), s);
      if (args[0] === "(" && args[3] === ")") return evaluate(args.slice(1, 3), s);
  }
  let i = 0;
  const peek = () => args[i];
  const operand = () => {
    if (i >= args.length) throw new TestError({ bash: "argument expected", dash: "argument expected", busybox: "argument expected" });
    return args[i++];
  };
  const primary = (): boolean => {
    const t = operand();
    if (t === "(") {
      const v = or();
      if (args[i++] !== ")")
        throw new TestError({ bash: "`)' expected", dash: "closing paren expected", busybox: "closing paren expected" });
      return v;
    }
    if (UNARY.has(t) && i < args.length) return unary(t, operand(), s);
    if (BINARY.has(peek())) {
      const op = operand();
      return binary(t, op, operand(), s);
    }
    return t !== "";
  };
  const not = (): boolean => (peek() === "!" ? (i++, !not()) : primary());
  const and = (): boolean => {
    let v = not();
    while (peek() === "-a") {
      i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === "-o") {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const v = or();
  if (i < args.length)
    throw new TestError({ bash: "too many arguments", dash: `${args[i]}: unexpected operator`, busybox: `${args[i]}: unknown operand` });
  return v;
}

/** The prefix of a builtin's error: `bash: line 1: [: `, `sh: 1: [: `, busybox's `sh: `. */
function errorPrefix(s: ShellState, d: Dialect, cmd: string): string {
  const line = s.lineno ?? 1;
  if (d === "bash") return `${s.name}: ${s.interactive ? "" : `line ${line}: `}${cmd}: `;
  if (d === "dash") return `${s.name}: ${line}: ${cmd}: `;
  return `${s.name}: `;
}

function run(cmd: "test" | "[", args: string[], { s, io }: AppletCall): number {
  const d = dialectOf(s);
  if (cmd === "[") {
    if (args[args.length - 1] !== "]") {
      io.stderr(`${errorPrefix(s, d, cmd)}${d === "bash" ? "missing `]'" : "missing ]"}\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return evaluate(args, s) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof TestError)) throw e;
    io.stderr(`${errorPrefix(s, d, cmd)}${e.words[d]}\n`);
    return 2;
  }
}

export const test = (args: string[], call: AppletCall) => run("test", args, call);
export const bracket = (args: string[], call: AppletCall) => run("[", args, call);

// Where Alpine's busybox installs its applets outside /usr/bin (its /bin, /sbin and /usr/sbin links).
const ALPINE_DIRS: [string, string][] = [
  [
    "/bin",
    "arch ash base64 bbconfig busybox cat chattr chgrp chmod chown cp date dd df dmesg dnsdomainname dumpkmap echo egrep false fatattr fdflush fgrep fsync getopt grep gunzip gzip hostname ionice iostat ipcalc kbd_mode kill link linux32 linux64 ln login ls lsattr lzop makemime mkdir mknod mktemp more mount mountpoint mpstat mv netstat nice pidof ping ping6 pipe_progress printenv ps pwd reformime rev rm rmdir run-parts sed setpriv setserial sh sleep stat stty su sync tar touch true umount uname usleep watch zcat",
  ],
  [
    "/sbin",
    "acpid adjtimex apk arp blkid blockdev depmod fbsplash fdisk findfs fsck fstrim getty halt hwclock ifconfig ifdown ifenslave ifup init inotifyd insmod ip ipaddr iplink ipneigh iproute iprule iptunnel klogd ldconfig loadkmap logread losetup lsmod mdev mkdosfs mkfs.vfat mkswap modinfo modprobe nameif nologin pivot_root poweroff raidautorun reboot rmmod route setconsole slattach swapoff swapon switch_root sysctl syslogd tunctl udhcpc vconfig watchdog",
  ],
  [
    "/usr/sbin",
    "addgroup adduser arping brctl chpasswd chroot crond delgroup deluser ether-wake fbset killall5 loadfont nanddump nandwrite nbd-client ntpd partprobe rdate readahead remove-shell rfkill sendmail setfont setlogcons",
  ],
];

/** The directories an image's program is in: busybox's /bin, Alpine's layout, Debian's merged /usr. */
function programDirs(s: ShellState, name: string): string[] {
  const flavour = s.ctx.image?.program(name);
  if (!flavour || flavour === "own") return [];
  if (s.ctx.fs.read("/etc/alpine-release") !== undefined) {
    if (flavour !== "busybox") return ["/usr/bin"];
    return [ALPINE_DIRS.find(([, names]) => names.split(" ").includes(name))?.[0] ?? "/usr/bin"];
  }
  if (flavour === "busybox") return ["/bin"];
  // Debian and Ubuntu merge /bin into /usr/bin (and /sbin into /usr/sbin): both paths find it.
  return name === "chroot" ? ["/usr/sbin", "/sbin"] : ["/usr/bin", "/bin"];
}

/** which [-a] NAME...: the first (every, with -a) match on $PATH; exit 1 when one is not found. */
export function which(args: string[], call: AppletCall): number {
  const { s, io } = call;
  const all = args[0] === "-a";
  const names = all ? args.slice(1) : args;
  if (!names.length) {
    if (call.flavour === "busybox") io.stderr(busyboxUsage("which"));
    return 1;
  }
  const path = (s.vars.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(":");
  let status = 0;
  for (const name of names) {
    const found: string[] = [];
    if (name.includes("/")) {
      const p = resolvePath(name, s.cwd);
      if (executable(s, p) && !s.ctx.fs.isDir(p)) found.push(name);
    } else {
      const dirs = s.ctx.image ? programDirs(s, name) : ["/bin"];
      for (const dir of path) {
        if (!dir) continue;
        const p = `${dir.replace(/\/$/, "")}/${name}`;
        if ((s.ctx.fs.read(p) !== undefined && !s.ctx.fs.isDir(p)) || dirs.includes(dir.replace(/\/$/, ""))) found.push(p);
        if (found.length && !all) break;
      }
    }
    if (!found.length) status = 1;
    io.stdout(found.map((f) => `${f}\n`).join(""));
  }
  return status;
}
