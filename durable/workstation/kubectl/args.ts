// Command lines as kubectl's cobra and pflag read them: flags anywhere among the arguments, `--`
// ending them, `--flag=value` or `--flag value`, bundled shorthand booleans (`-it`), and pflag's
// messages for what it does not know.

export type FlagKind = "bool" | "string" | "strings" | "int";

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  default?: string | boolean | number;
}

export interface Parsed {
  args: string[];
  /** Arguments after `--` (a pod's command), when there was one. */
  dash?: string[];
  flags: Map<string, string | boolean | number | string[]>;
}

/** A refusal in pflag's words; `usage` is the "See 'kubectl … --help'" line's command. */
export class UsageError extends Error {}

/** pflag StringArray flags: each value whole, commas included (the rest are StringSlices). */
const STRING_ARRAYS = new Set(["env", "filename", "user", "group", "serviceaccount", "resource-name", "rule", "annotation"]);

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "namespace", short: "n", kind: "string" },
  { name: "kubeconfig", kind: "string" },
  { name: "context", kind: "string" },
  { name: "cluster", kind: "string" },
  { name: "user", kind: "string" },
  { name: "server", short: "s", kind: "string" },
  { name: "token", kind: "string" },
  { name: "as", kind: "string" },
  { name: "as-group", kind: "strings" },
  { name: "request-timeout", kind: "string" },
  { name: "insecure-skip-tls-verify", kind: "bool" },
  { name: "v", short: "v", kind: "int" },
  { name: "match-server-version", kind: "bool" },
  { name: "warnings-as-errors", kind: "bool" },
];

export function parse(argv: string[], specs: FlagSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: Parsed["flags"] = new Map();
  const args: string[] = [];
  const set = (spec: FlagSpec, value: string | undefined, shown: string) => {
    if (spec.kind === "bool") {
      if (value === undefined) return void flags.set(spec.name, true);
      if (!/^(true|false|1|0|t|f|T|F|TRUE|FALSE|True|False)$/.test(value))
        throw new UsageError(`invalid argument "${value}" for "${shown}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
      return void flags.set(spec.name, /^(true|1|t|T|TRUE|True)$/.test(value));
    }
    if (value === undefined) throw new UsageError(`flag needs an argument: ${shown}`);
    if (spec.kind === "int") {
      if (!/^-?\d+$/.test(value))
        throw new UsageError(`invalid argument "${value}" for "${shown}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
      return void flags.set(spec.name, Number(value));
    }
    if (spec.kind === "strings") {
      const prev = (flags.get(spec.name) as string[] | undefined) ?? [];
      return void flags.set(spec.name, [
        ...prev,
        ...(spec.name.startsWith("from-") || STRING_ARRAYS.has(spec.name) ? [value] : value.split(",")),
      ]);
    }
    flags.set(spec.name, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") return { args, dash: argv.slice(i + 1), flags };
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (value === undefined && spec.kind !== "bool") {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        value = argv[++i];
      }
      set(spec, value, `--${name}`);
    } else if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const spec = byShort.get(c);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
        const shown = `'${c}' in ${a}`;
        if (spec.kind === "bool") {
          if (a[j + 1] === "=") {
            set(spec, a.slice(j + 2), shown);
            break;
          }
          set(spec, undefined, shown);
          continue;
        }
        let value = a.slice(j + 1).replace(/^=/, "");
        if (!value) {
          if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: ${shown}`);
          value = argv[++i];
        }
        set(spec, value, shown);
        break;
      }
    } else args.push(a);
  }
  return { args, flags };
}

export const str = (p: Parsed, name: string): string | undefined => p.flags.get(name) as string | undefined;
export const bool = (p: Parsed, name: string): boolean => p.flags.get(name) === true;
export const int = (p: Parsed, name: string): number | undefined => p.flags.get(name) as number | undefined;
export const strs = (p: Parsed, name: string): string[] => (p.flags.get(name) as string[] | undefined) ?? [];
