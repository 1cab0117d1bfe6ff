// What the docs' images' programs do by themselves (no traffic): how agnhost reads its argv, the
// ports it listens on, the start-up lines. Pure, so the catalogue (images.ts) can hold them.
import type { StartupContext, StartupLine } from "./images";

const at = (after: number, text: string): StartupLine => ({ after, text });
/** klog's header: I1203 06:00:00.123456       1 file.go:123] */
export const klog = (ms: number, where: string) => {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `I${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000       1 ${where}]`;
};

/** server.js: `console.log("Kubernetes Bootcamp App Started At:", startTime, "| Running On: ", host, "\n")`. */
export const bootcampStartup = (k: StartupContext) => ({
  lines: [at(40, `Kubernetes Bootcamp App Started At: ${new Date(k.start + 40).toISOString()} | Running On:  ${k.hostname} `), at(40, "")],
});

/** agnhost's subcommand and its flags (`--http-port=8080` or `--http-port 8080`). */
export function agnhostCommand(argv: string[]): { sub: string; flag(name: string): string | undefined } {
  const args = /(^|\/)agnhost$/.test(argv[0] ?? "") ? argv.slice(1) : argv;
  const flag = (name: string) => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i].replace(/^--?/, "");
      if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
      if (a === name) return args[i + 1];
    }
    return undefined;
  };
  return { sub: args.find((a) => !a.startsWith("-")) ?? "pause", flag };
}

/** The ports agnhost listens on for its subcommand. */
export function agnhostPorts(argv: string[]): number[] {
  const { sub, flag } = agnhostCommand(argv);
  if (sub === "netexec") return [Number(flag("http-port") ?? 8080)];
  if (sub === "serve-hostname") return flag("http") === "false" ? [] : [Number(flag("port") ?? 9376)];
  if (sub === "liveness") return [8080];
  if (sub === "test-webserver") return [Number(flag("port") ?? 80)];
  return [];
}

export function agnhostStartup(argv: string[], k: StartupContext): { lines: StartupLine[] } {
  const { sub, flag } = agnhostCommand(argv);
  if (sub === "netexec")
    return {
      lines: [
        at(5, `${klog(k.start + 5, "log.go:245")} Started HTTP server on port ${flag("http-port") ?? 8080}`),
        at(5, `${klog(k.start + 5, "log.go:245")} Started UDP server on port  ${flag("udp-port") ?? 8081}`),
      ],
    };
  if (sub === "serve-hostname")
    return { lines: [at(5, `${klog(k.start + 5, "servehostname.go:76")} Serving on port ${flag("port") ?? 9376}.`)] };
  return { lines: [] };
}
