// kill, df and top: the processes and filesystems the shell can see (ShellContext.processes, kill,
// mounts, memory), with busybox's and GNU's option forms, messages and columns.
import type { AppletCall } from "./applets";
import type { Mounted } from "./types";

/** Linux signal numbers by name (x86-64). */
export const SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
};

const signalOf = (name: string): number | undefined => {
  if (/^\d+$/.test(name)) return Number(name) <= 64 ? Number(name) : undefined;
  return SIGNALS[name.toUpperCase().replace(/^SIG/, "")];
};

export function kill(args: string[], { s, io, flavour }: AppletCall): number {
  const busybox = flavour === "busybox" || flavour === undefined;
  const me = busybox ? "kill" : `${s.name}: kill`;
  let sig = 15;
  const rest = [...args];
  if (rest[0] === "-l") {
    io.stdout(
      busybox
        ? `${Object.keys(SIGNALS)
            .map((n, i) => `${i + 1}) ${n}`)
            .join("\n")}\n`
        : `${Object.entries(SIGNALS)
            .map(([n, v]) => `${String(v).padStart(2)}) SIG${n}`)
            .join("\t")}\n`,
    );
    return 0;
  }
  if (rest[0] === "-s" || rest[0] === "-n") {
    const v = rest[1] !== undefined ? signalOf(rest[1]) : undefined;
    if (v === undefined)
      return (
        io.stderr(busybox ? `kill: bad signal name '${rest[1] ?? ""}'\n` : `${me}: ${rest[1] ?? ""}: invalid signal specification\n`), 1
      );
    sig = v;
    rest.splice(0, 2);
  } else if (rest[0]?.startsWith("-") && rest[0] !== "--") {
    const v = signalOf(rest[0].slice(1));
    if (v === undefined)
      return (
        io.stderr(busybox ? `kill: bad signal name '${rest[0].slice(1)}'\n` : `${me}: ${rest[0].slice(1)}: invalid signal specification\n`),
        1
      );
    sig = v;
    rest.shift();
  }
  if (rest[0] === "--") rest.shift();
  if (!rest.length)
    return (
      io.stderr(
        busybox
          ? "kill: usage: kill [-s SIG | -SIG] PID...\n"
          : `${me}: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n`,
      ),
      busybox ? 1 : 2
    );
  let status = 0;
  for (const a of rest) {
    if (!/^-?\d+$/.test(a)) {
      io.stderr(busybox ? `kill: invalid number '${a}'\n` : `${me}: ${a}: arguments must be process or job IDs\n`);
      status = 1;
      continue;
    }
    const pid = Number(a);
    const known = s.ctx.kill ? s.ctx.kill(pid, sig) : (s.ctx.processes?.() ?? []).some((p) => p.pid === pid);
    if (!known) {
      io.stderr(busybox ? `kill: can't kill pid ${pid}: No such process\n` : `${me}: (${pid}) - No such process\n`);
      status = 1;
    }
  }
  return status;
}

/** df [-h] [-k]: busybox's columns in busybox images, coreutils' elsewhere (Use% rounded up, as both do). */
export function df(args: string[], { s, io, flavour }: AppletCall): number {
  const human = args.some((a) => /^-\w*h/.test(a));
  const rows = s.ctx.mounts?.() ?? [];
  const size = (kib: number) => {
    if (!human) return String(kib);
    const units = ["K", "M", "G", "T"];
    let v = kib;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
    return u === 0 ? `${v}.0K` : v < 10 ? `${Math.ceil(v * 10) / 10}${units[u]}` : `${Math.ceil(v)}${units[u]}`;
  };
  const busybox = flavour === "busybox" || flavour === undefined;
  // Of what users can have (used + available): busybox rounds to the nearest, coreutils up.
  const pct = (r: Mounted) => {
    const of = r.used + r.available;
    if (!of) return busybox ? "0%" : "-";
    return `${busybox ? Math.floor((r.used * 100 + of / 2) / of) : Math.ceil((r.used * 100) / of)}%`;
  };
  const table = rows.map((r) => [r.source, size(r.blocks), size(r.used), size(r.available), pct(r), r.mountpoint]);
  if (busybox) {
    io.stdout(
      `${"Filesystem".padEnd(20)} ${(human ? "Size" : "1K-blocks").padStart(9)} ${"Used".padStart(9)} ${"Available".padStart(9)} ${"Use%".padStart(4)} Mounted on\n`,
    );
    for (const t of table)
      io.stdout(`${t[0].padEnd(20)} ${t[1].padStart(9)} ${t[2].padStart(9)} ${t[3].padStart(9)} ${t[4].padStart(4)} ${t[5]}\n`);
    return 0;
  }
  const head = ["Filesystem", human ? "Size" : "1K-blocks", "Used", human ? "Avail" : "Available", "Use%", "Mounted on"];
  const least = [14, 5, 5, 5, 4, 0]; // coreutils' minimum field widths
  const widths = head.map((h, i) => Math.max(least[i], h.length, ...table.map((t) => t[i].length)));
  for (const t of [head, ...table])
    io.stdout(`${t.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : i === 5 ? c : c.padStart(widths[i]))).join(" ")}\n`);
  return 0;
}

/** busybox top -b -n1: one batch snapshot of the memory and the processes. */
export function top(args: string[], { s, io }: AppletCall): number {
  const m = s.ctx.memory?.() ?? { total: 0, used: 0, free: 0, shared: 0, buffers: 0, cached: 0 };
  const procs = s.ctx.processes?.(s.interactive === undefined ? undefined : s.name) ?? [];
  const self = args.length ? `top ${args.join(" ")}` : "top";
  io.stdout(`Mem: ${m.used}K used, ${m.free}K free, ${m.shared}K shrd, ${m.buffers}K buff, ${m.cached}K cached\n`);
  io.stdout("CPU:   0% usr   0% sys   0% nic 100% idle   0% io   0% irq   0% sirq\n");
  const last = procs.at(-1)?.pid ?? 1;
  io.stdout(`Load average: 0.08 0.12 0.09 1/${procs.length + 300} ${last}\n`);
  io.stdout("  PID  PPID USER     STAT   VSZ %VSZ CPU %CPU COMMAND\n");
  const shell = procs.length > 2 ? procs[procs.length - 2].pid : 0;
  for (const p of procs) {
    const isTop = p.command === "ps";
    const vsz = isTop || p.command === "sh" ? 4372 : 4504;
    const ppid = p.pid === 1 ? 0 : isTop ? shell : 0;
    io.stdout(
      `${String(p.pid).padStart(5)} ${String(ppid).padStart(5)} ${p.user.padEnd(8)} ${isTop ? "R" : "S"}    ${String(vsz).padStart(5)}   0%   ${p.pid % 2}   0% ${isTop ? self : p.command}\n`,
    );
  }
  return 0;
}
