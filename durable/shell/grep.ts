// grep: BRE by default, -E ERE, -F fixed strings; selection (-v -i -w -x -m), output (-c -l -L -o -q
// -n -h -H, -A/-B/-C context), -r over directories; exit 0 when a line is selected, 1 when none, 2 on
// an error (a selected line under -q still wins).
import { resolvePath } from "../fs";
import type { AppletCall } from "./applets";
import { literal, posixToJs, RegexError } from "./regex";
import { parseOr, splitLines, usageError, variantOf, type OptSpec } from "./textio";

const SPEC: OptSpec = {
  flags: "EFGHhnlLoqvsrRiwxcyzZaIUb",
  values: "efmABCd",
  long: {
    "extended-regexp": "E",
    "fixed-strings": "F",
    "basic-regexp": "G",
    "with-filename": "H",
    "no-filename": "h",
    "line-number": "n",
    "files-with-matches": "l",
    "files-without-match": "L",
    "only-matching": "o",
    quiet: "q",
    silent: "q",
    "invert-match": "v",
    "no-messages": "s",
    recursive: "r",
    "dereference-recursive": "R",
    "ignore-case": "i",
    "word-regexp": "w",
    "line-regexp": "x",
    count: "c",
    regexp: "e",
    file: "f",
    "max-count": "m",
    "after-context": "A",
    "before-context": "B",
    context: "C",
    // Accepted and without effect: output here never goes to a colour terminal.
    color: "\0",
    colour: "\0",
    text: "a",
    "null-data": "z",
  },
};

/** busybox grep's own flags (its usage line), fewer than GNU's. */
const BUSYBOX_FLAGS = "HhnlLoqvsrRiwFExzc";

const GNU_USAGE = "grep [OPTION]... PATTERNS [FILE]...";

/** Every file under a directory operand, as grep -r names them. */
function walk(call: AppletCall, name: string, path: string, out: { name: string; path: string }[]): void {
  const fs = call.s.ctx.fs;
  for (const entry of fs.list(path) ?? []) {
    const childPath = path === "/" ? `/${entry}` : `${path}/${entry}`;
    const childName = name === "" ? entry : name.endsWith("/") ? `${name}${entry}` : `${name}/${entry}`;
    if (fs.isDir(childPath)) walk(call, childName, childPath, out);
    else out.push({ name: childName, path: childPath });
  }
}

/** grep, or egrep/fgrep (grep -E/-F: Debian's are scripts running grep, busybox's say their own name). */
export function grepAs(invoked: "grep" | "egrep" | "fgrep") {
  return (args: string[], call: AppletCall): number =>
    search(invoked === "grep" ? args : [invoked === "egrep" ? "-E" : "-F", ...args], call, variantOf(call) === "gnu" ? "grep" : invoked);
}

export const grep = grepAs("grep");

function search(args: string[], call: AppletCall, me: string): number {
  const { io } = call;
  const gnu = variantOf(call) === "gnu";
  // -P (Perl regexes) is GNU's; JavaScript's regexes are close to PCRE's.
  const o = parseOr(
    call,
    me,
    args,
    gnu ? { ...SPEC, flags: `${SPEC.flags}P`, long: { ...SPEC.long, "perl-regexp": "P" } } : { ...SPEC, flags: BUSYBOX_FLAGS },
    2,
    GNU_USAGE,
  );
  if (!o) return 2;
  const { f, rest } = o;
  const patterns: string[] = [];
  for (const e of o.all.e ?? []) patterns.push(...e.split("\n"));
  for (const file of o.all.f ?? []) {
    const text = call.s.ctx.fs.read(resolvePath(file, call.s.cwd));
    if (text === undefined) {
      io.stderr(`${me}: ${file}: No such file or directory\n`);
      return 2;
    }
    patterns.push(...splitLines(text));
  }
  if (!o.all.e && !o.all.f) {
    const p = rest.shift();
    if (p === undefined) return usageError(call, me, undefined, 2, GNU_USAGE);
    patterns.push(...p.split("\n"));
  }
  const num = (k: string) => {
    const v = f[k];
    if (typeof v !== "string") return undefined;
    if (!/^\d+$/.test(v)) throw new RegexError(k === "m" ? `invalid max count` : `${v}: invalid context length argument`);
    return Number(v);
  };
  let re: RegExp;
  let maxCount: number | undefined;
  let after = 0;
  let before = 0;
  try {
    maxCount = num("m");
    after = num("A") ?? num("C") ?? 0;
    before = num("B") ?? num("C") ?? 0;
    const alts = patterns.map((p) => (f.F ? literal(p) : f.P ? p : posixToJs(p, !!f.E && !f.G)));
    let src = alts.length === 1 ? alts[0] : alts.map((a) => `(?:${a})`).join("|");
    if (f.x) src = `^(?:${src})$`;
    else if (f.w) src = `(?<![0-9A-Za-z_])(?:${src})(?![0-9A-Za-z_])`;
    re = new RegExp(src, `g${f.i || f.y ? "i" : ""}`);
  } catch (e) {
    if (!(e instanceof RegexError) && !(e instanceof globalThis.SyntaxError)) throw e;
    const why = e instanceof RegexError ? e.message : "Invalid regular expression";
    io.stderr(gnu || why.includes("context") || why.includes("max") ? `${me}: ${why}\n` : `${me}: bad regex '${patterns.join("\n")}'\n`);
    return 2;
  }
  const recursive = !!(f.r || f.R);
  // Operands, with directories expanded under -r (GNU searches "." when -r has none); a file that
  // cannot be read is reported when grep comes to it (-q may have stopped before).
  const files: { name: string; path?: string }[] = [];
  let errors = false;
  const operands = rest.length ? rest : recursive && gnu ? [""] : ["-"];
  for (const name of operands) {
    if (name === "-") {
      files.push({ name: "(standard input)" });
      continue;
    }
    const path = resolvePath(name || ".", call.s.cwd);
    if (call.s.ctx.fs.isDir(path) && recursive) walk(call, name, path, files as { name: string; path: string }[]);
    else files.push({ name, path });
  }
  const prefixNames = f.H ? true : f.h ? false : recursive || operands.length > 1;
  let selectedAny = false;
  const out: string[] = [];
  for (const file of files) {
    const text = file.path === undefined ? call.stdin : call.s.ctx.fs.isDir(file.path) ? undefined : call.s.ctx.fs.read(file.path);
    if (text === undefined) {
      // busybox skips a directory operand without a word.
      const dir = call.s.ctx.fs.isDir(file.path!);
      if (!f.s && (gnu || !dir)) io.stderr(`${me}: ${file.name}: ${dir ? "Is a directory" : "No such file or directory"}\n`);
      if (gnu || !dir) errors = true;
      continue;
    }
    const ls = splitLines(text);
    const prefix = (n: number, sep: string) => `${prefixNames ? `${file.name}${sep}` : ""}${f.n ? `${n + 1}${sep}` : ""}`;
    let count = 0;
    let lastPrinted = -1;
    let afterLeft = 0;
    for (let i = 0; i < ls.length; i++) {
      if (maxCount !== undefined && count >= maxCount) {
        // GNU still prints the trailing context of the last match.
        if (gnu && afterLeft > 0 && !f.q && !f.c && !f.l && !f.L) {
          out.push(`${prefix(i, "-")}${ls[i]}\n`);
          lastPrinted = i;
          afterLeft--;
          continue;
        }
        break;
      }
      re.lastIndex = 0;
      const hit = re.test(ls[i]) !== !!f.v;
      if (!hit) {
        if (afterLeft > 0 && !f.q && !f.c && !f.l && !f.L && !f.o) {
          out.push(`${prefix(i, "-")}${ls[i]}\n`);
          lastPrinted = i;
          afterLeft--;
        }
        continue;
      }
      count++;
      selectedAny = true;
      if (f.q) break;
      if (f.c || f.l || f.L) continue;
      if ((before || after) && lastPrinted >= 0 && i - before > lastPrinted + 1) out.push("--\n");
      if (!f.o) for (let j = Math.max(lastPrinted + 1, i - before); j < i; j++) out.push(`${prefix(j, "-")}${ls[j]}\n`);
      if (f.o) {
        re.lastIndex = 0;
        if (!f.v) for (const m of ls[i].matchAll(re)) if (m[0]) out.push(`${prefix(i, ":")}${m[0]}\n`);
      } else out.push(`${prefix(i, ":")}${ls[i]}\n`);
      lastPrinted = i;
      afterLeft = after;
    }
    if (f.q) {
      if (selectedAny) break;
      continue;
    }
    if (f.l) {
      if (count) out.push(`${file.name}\n`);
      continue;
    }
    if (f.L) {
      if (!count) out.push(`${file.name}\n`);
      continue;
    }
    if (f.c) out.push(`${prefixNames ? `${file.name}:` : ""}${count}\n`);
  }
  if (out.length) io.stdout(out.join(""));
  if (f.q && selectedAny) return 0;
  if (errors) return 2;
  // -L succeeds when it names a file (GNU 3.5+ and busybox).
  if (f.L) return out.length ? 0 : 1;
  return selectedAny ? 0 : 1;
}
