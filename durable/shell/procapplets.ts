// kill: signals to the processes the shell can see (ShellContext.processes / kill), with busybox's
// and the GNU/bash builtin's option forms and messages.
import type { AppletCall } from "./applets";

/** Linux signal numbers by name (x86-64). */
export const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15,
  STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
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
    io.stdout(busybox ? `${Object.keys(SIGNALS).map((n, i) => `${i + 1}) ${n}`).join("\n")}\n` : `${Object.entries(SIGNALS).map(([n, v]) => `${String(v).padStart(2)}) SIG${n}`).join("\t")}\n`);
    return 0;
  }
  if (rest[0] === "-s" || rest[0] === "-n") {
    const v = rest[1] !== undefined ? signalOf(rest[1]) : undefined;
    if (v === undefined) return (io.stderr(busybox ? `kill: bad signal name '${rest[1] ?? ""}'\n` : `${me}: ${rest[1] ?? ""}: invalid signal specification\n`), 1);
    sig = v;
    rest.splice(0, 2);
  } else if (rest[0]?.startsWith("-") && rest[0] !== "--") {
    const v = signalOf(rest[0].slice(1));
    if (v === undefined) return (io.stderr(busybox ? `kill: bad signal name '${rest[0].slice(1)}'\n` : `${me}: ${rest[0].slice(1)}: invalid signal specification\n`), 1);
    sig = v;
    rest.shift();
  }
  if (rest[0] === "--") rest.shift();
  if (!rest.length) return (io.stderr(busybox ? "kill: usage: kill [-s SIG | -SIG] PID...\n" : `${me}: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n`), busybox ? 1 : 2);
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
