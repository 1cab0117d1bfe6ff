// Word expansion: quotes, parameters (${…} in all its forms, arrays), command substitution, IFS
// splitting, bash brace expansion, pathname expansion, patterns (case, [[ == ]], ${v#p}), and `[[ ]]`.
import { resolvePath } from "../fs";
import { skipBrace, skipParens, type CondWord } from "./parse";
import type { ShellIO } from "./types";
import { arith } from "./arith";
import {
  dialectOf,
  errPrefix,
  escapeClass,
  ExitSignal,
  ExpansionError,
  script,
  setVar,
  ShellSignal,
  subshell,
  type Run,
  type ShellState,
} from "./interp";

// ---- [[ ]] ---------------------------------------------------------------------------------

export function* cond(words: CondWord[], s: ShellState, io: ShellIO): Run {
  let p = 0;
  const isOp = (v: string) => words[p]?.op === v;
  const value = function* (w: CondWord | undefined): Run<string> {
    if (!w) return "";
    return w.word === undefined ? w.op! : (yield* expandWord(w.word, s, false)).join("");
  };
  function* or(): Run<boolean> {
    let v = yield* and();
    while (isOp("||")) {
      p++;
      const r = yield* and();
      v = v || r;
    }
    return v;
  }
  function* and(): Run<boolean> {
    let v = yield* not();
    while (isOp("&&")) {
      p++;
      const r = yield* not();
      v = v && r;
    }
    return v;
  }
  function* not(): Run<boolean> {
    if (isOp("!")) {
      p++;
      return !(yield* not());
    }
    if (isOp("(")) {
      p++;
      const v = yield* or();
      p++;
      return v;
    }
    return yield* primary();
  }
  function* primary(): Run<boolean> {
    const a = words[p++];
    const op = words[p];
    const opText = op?.word ?? op?.op;
    if (a?.word && /^-[a-zA-Z]$/.test(a.word) && !(opText && BINARY.has(opText))) {
      const v = yield* value(words[p++]);
      return unaryTest(a.word, v, s);
    }
    if ((opText && BINARY.has(opText) && op.word !== undefined) || op?.op === "<" || op?.op === ">") {
      p++;
      const left = yield* value(a);
      const b = words[p++];
      switch (opText) {
        case "==":
        case "=":
        case "!=": {
          // busybox ash's [[ is test with globbing: quoting does not make the pattern literal.
          const pattern =
            dialectOf(s) === "busybox"
              ? globToRegex((yield* expandWord(b?.word ?? "", s, false)).join(""))
              : yield* patternOf(b?.word ?? "", s);
          const re = new RegExp(`^(?:${pattern})$`, "s");
          return re.test(left) === (opText !== "!=");
        }
        case "=~": {
          const src = (yield* expandWord(b?.word ?? "", s, false)).join("");
          let re: RegExp;
          try {
            re = new RegExp(src);
          } catch {
            return false;
          }
          const m = re.exec(left);
          s.arrays.BASH_REMATCH = m ? [...m].map((x) => x ?? "") : [];
          return !!m;
        }
        case "<":
          return left < (yield* value(b));
        case ">":
          return left > (yield* value(b));
      }
      const right = yield* value(b);
      const x = arith(left || "0", s),
        y = arith(right || "0", s);
      switch (opText) {
        case "-eq":
          return x === y;
        case "-ne":
          return x !== y;
        case "-lt":
          return x < y;
        case "-le":
          return x <= y;
        case "-gt":
          return x > y;
        case "-ge":
          return x >= y;
      }
      return false;
    }
    return (yield* value(a)) !== "";
  }
  try {
    return (yield* or()) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof ExpansionError)) throw e;
    io.stderr(`${errPrefix(s)}${e.message}\n`);
    return 1;
  }
}

const BINARY = new Set(["==", "=", "!=", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">", "-nt", "-ot"]);

function unaryTest(op: string, v: string, s: ShellState): boolean {
  const p = resolvePath(v, s.cwd);
  const exists = () => s.ctx.fs.isDir(p) || s.ctx.fs.read(p) !== undefined;
  switch (op) {
    case "-z":
      return v === "";
    case "-n":
      return v !== "";
    case "-e":
    case "-a":
      return exists();
    case "-f":
      return s.ctx.fs.read(p) !== undefined && !s.ctx.fs.isDir(p);
    case "-d":
      return s.ctx.fs.isDir(p);
    case "-s":
      return !!s.ctx.fs.read(p) || s.ctx.fs.isDir(p);
    case "-r":
    case "-w":
    case "-x":
      return exists();
    case "-v":
      return s.vars[v] !== undefined;
    case "-h":
    case "-L":
      return false;
  }
  return false;
}

// ---- expansion ----------------------------------------------------------------------------

/** A word's parts as the expander meets them: literal text (quoted or not), or an expansion's fields. */
interface Parts {
  text(t: string, quoted: boolean): void;
  /** Unquoted expansion: split into fields. Quoted: joined into the current field, except "$@". */
  expanded(v: string | string[], quoted: boolean): void;
  /** Entered quotes: an empty "" still makes a field. */
  quote(): void;
}

function* walk(raw: string, s: ShellState, parts: Parts, assignment = false): Run<void> {
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      parts.quote();
      parts.text(raw.slice(i + 1, end), true);
      i = end + 1;
    } else if (c === '"') {
      parts.quote();
      for (i++; i < raw.length && raw[i] !== '"'; ) {
        if (raw[i] === "\\" && '$`"\\\n'.includes(raw[i + 1])) {
          if (raw[i + 1] !== "\n") parts.text(raw[i + 1], true);
          i += 2;
        } else if (raw[i] === "$" || raw[i] === "`") {
          const [v, n] = yield* dollar(raw, i, s, true);
          parts.expanded(v, true);
          i = n;
        } else parts.text(raw[i++], true);
      }
      i++;
    } else if (c === "\\") {
      parts.quote();
      parts.text(raw[i + 1] ?? "", true);
      i += 2;
    } else if (c === "$" && raw[i + 1] === "'") {
      // bash's $'…' (ANSI-C quoting)
      const end = raw.indexOf("'", i + 2);
      parts.quote();
      parts.text(ansiC(raw.slice(i + 2, end < 0 ? raw.length : end)), true);
      i = end < 0 ? raw.length : end + 1;
    } else if (c === "$" || c === "`") {
      const [v, n] = yield* dollar(raw, i, s, false);
      parts.expanded(v, false);
      i = n;
    } else if (
      c === "~" &&
      (i === 0 || (assignment && raw[i - 1] === ":")) &&
      (i + 1 === raw.length || raw[i + 1] === "/" || raw[i + 1] === ":")
    ) {
      parts.text(s.vars.HOME ?? "/root", true);
      i++;
    } else {
      parts.text(c, false);
      i++;
    }
  }
}

function ansiC(t: string): string {
  return t.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|[nrtabfve\\'"])/g, (_, e: string) => {
    if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return (
      { n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", f: "\f", v: "\v", e: "\x1b", "\\": "\\", "'": "'", '"': '"' } as Record<
        string,
        string
      >
    )[e];
  });
}

/** Expand one raw word into fields (unquoted expansions split on IFS unless `split` is false). */
export function* expandWord(raw: string, s: ShellState, split = true, assignment = false): Run<string[]> {
  // bash's brace expansion comes first: {a,b} and {1..5} make several words.
  if (split && raw.includes("{") && dialectOf(s) === "bash") {
    const words = braceExpand(raw);
    if (words.length > 1 || words[0] !== raw) {
      const out: string[] = [];
      for (const w of words) out.push(...(yield* expandWord(w, s, split, assignment)));
      return out;
    }
  }
  // Most words have nothing to expand.
  if (/^[A-Za-z0-9_.,:/=+%@-]+$/.test(raw)) return [raw];
  const fields: string[] = [];
  const patterns: (string | undefined)[] = [];
  let cur = "";
  // The field as a glob: quoted characters escaped; set once an unquoted * ? [ appears.
  let pat = "";
  let glob = false;
  let has = false; // a quoted (possibly empty) part makes a field
  const ifs = s.vars.IFS ?? " \t\n";
  const sep = new RegExp(`[${escapeClass(ifs)}]+`);
  const add = (t: string, quoted: boolean) => {
    cur += t;
    if (cur.length > HOLD_LIMIT) throw tooLong("a word");
    pat += quoted ? t.replace(/[*?[\]\\]/g, "\\$&") : t;
    if (!quoted && /[*?[]/.test(t)) glob = true;
  };
  const push = () => {
    fields.push(cur);
    patterns.push(glob ? pat : undefined);
    cur = "";
    pat = "";
    glob = false;
    has = false;
  };
  yield* walk(
    raw,
    s,
    {
      text: add,
      quote() {
        has = true;
      },
      expanded(v, quoted) {
        if (Array.isArray(v)) {
          if (!split) {
            add(v.join(" "), true);
            return;
          }
          if (!v.length && quoted) {
            if (!cur) has = false;
            return;
          }
          v.forEach((item, k) => {
            if (k > 0) push();
            if (quoted) {
              add(item, true);
              has = true;
            } else this.expanded(item, false);
          });
          return;
        }
        if (quoted || !split || !ifs) {
          add(v, quoted || !split);
          return;
        }
        const pieces = v.split(sep);
        pieces.forEach((piece, k) => {
          if (k > 0 && (cur || has)) push();
          add(piece, false);
        });
      },
    },
    assignment,
  );
  if (cur || has) push();
  if (!split) return fields;
  // Pathname expansion: a pattern that matches nothing stays as it is.
  return fields.flatMap((f, k) => {
    const p = patterns[k];
    if (p === undefined) return [f];
    const found = globPaths(p, s);
    return found.length ? found : [f];
  });
}

/** bash brace expansion of a raw word: the first unquoted {x,y} or {a..b[..step]}, recursively. */
export function braceExpand(raw: string): string[] {
  let quote = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      continue;
    }
    if (c === "$" && raw[i + 1] === "{") {
      i = skipBrace(raw, i + 1) - 1;
      continue;
    }
    if (c === "$" && raw[i + 1] === "(") {
      i = skipParens(raw, i + 1) - 1;
      continue;
    }
    if (c !== "{") continue;
    // Find the matching close and the top-level commas.
    let depth = 0;
    const commas: number[] = [];
    let end = -1;
    for (let j = i; j < raw.length; j++) {
      const d = raw[j];
      if (d === "\\") {
        j++;
        continue;
      }
      if (d === "'" || d === '"') {
        const q = raw.indexOf(d, j + 1);
        if (q < 0) break;
        j = q;
        continue;
      }
      if (d === "{") depth++;
      else if (d === "}" && --depth === 0) {
        end = j;
        break;
      } else if (d === "," && depth === 1) commas.push(j);
    }
    if (end < 0) return [raw];
    const pre = raw.slice(0, i),
      body = raw.slice(i + 1, end),
      post = raw.slice(end + 1);
    let items: string[] | undefined;
    if (commas.length) {
      items = [];
      let from = i + 1;
      for (const k of [...commas, end]) {
        items.push(raw.slice(from, k));
        from = k + 1;
      }
    } else items = braceSequence(body);
    if (!items) {
      // Not an expansion ({x}, {}): look further along.
      const rest = braceExpand(post);
      return rest.map((r) => `${pre}{${body}}${r}`);
    }
    return items.flatMap((it) => braceExpand(pre + it + post));
  }
  return [raw];
}

/** {1..5}, {05..10..5}, {a..e}: the items, or undefined when the body is not a sequence. */
function braceSequence(body: string): string[] | undefined {
  const n = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  if (n) {
    const [a, b] = [Number(n[1]), Number(n[2])];
    const step = Math.abs(Number(n[3] ?? 1)) || 1;
    const width = /^-?0\d/.test(n[1]) || /^-?0\d/.test(n[2]) ? Math.max(n[1].length, n[2].length) : 0;
    const out: string[] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step)
      out.push(width ? (v < 0 ? "-" + String(-v).padStart(width - 1, "0") : String(v).padStart(width, "0")) : String(v));
    return out;
  }
  const c = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/.exec(body);
  if (c) {
    const [a, b] = [c[1].charCodeAt(0), c[2].charCodeAt(0)];
    const step = Math.abs(Number(c[3] ?? 1)) || 1;
    const out: string[] = [];
    for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) out.push(String.fromCharCode(v));
    return out;
  }
  return undefined;
}

/** One path component of a glob (with \-escapes) as a regex. */
function componentRegex(c: string): RegExp {
  let out = "";
  for (let i = 0; i < c.length; i++) {
    const ch = c[i];
    if (ch === "\\") out += escapeRe(c[++i] ?? "");
    else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const end = c.indexOf("]", i + 2);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let cls = c.slice(i + 1, end);
      if (cls[0] === "!" || cls[0] === "^") cls = "^" + cls.slice(1);
      out += `[${cls.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else out += escapeRe(ch);
  }
  return new RegExp(`^${out}$`, "s");
}

/** The paths a glob matches, sorted as in the C locale; dot files only for a pattern starting with a dot. */
function globPaths(pattern: string, s: ShellState): string[] {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/").filter((x, k) => x !== "" || k === 0);
  let paths: string[] = [absolute ? "/" : ""];
  for (const [k, part] of parts.entries()) {
    if (part === "" && k === 0) continue;
    const last = k === parts.length - 1;
    const next: string[] = [];
    for (const base of paths) {
      const dir = resolvePath(base || ".", s.cwd);
      if (/(^|[^\\])[*?[]/.test(part)) {
        const re = componentRegex(part);
        // `.*` matches . and .. too, except in bash 5.2 (globskipdots).
        const dots = part.startsWith(".") && dialectOf(s) !== "bash" ? [".", ".."] : [];
        const names = [...dots, ...(s.ctx.fs.list(dir) ?? [])].filter((n) => re.test(n) && (!n.startsWith(".") || part.startsWith(".")));
        for (const n of names.sort()) {
          const path = base === "/" ? `/${n}` : base ? `${base}/${n}` : n;
          if (last || s.ctx.fs.isDir(resolvePath(path, s.cwd))) next.push(path);
        }
      } else {
        const name = part.replace(/\\(.)/g, "$1");
        const path = base === "/" ? `/${name}` : base ? `${base}/${name}` : name;
        const full = resolvePath(path, s.cwd);
        if (last ? s.ctx.fs.isDir(full) || s.ctx.fs.read(full) !== undefined : s.ctx.fs.isDir(full)) next.push(path);
      }
    }
    paths = next;
    if (!paths.length) return [];
  }
  return paths;
}

export const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A glob pattern's text → regex source. Quoted text and quoted expansions are literal. */
function globToRegex(t: string): string {
  let out = "";
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = t.indexOf("]", i + 2);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let cls = t.slice(i + 1, end);
      if (cls[0] === "!") cls = "^" + cls.slice(1);
      out += `[${cls.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else out += escapeRe(c);
  }
  return out;
}

/** A pattern word (case, [[ == ]], ${v#p}) as a regex source. */
export function* patternOf(raw: string, s: ShellState): Run<string> {
  let out = "";
  let pending = ""; // unquoted text collects so brackets can span characters
  const flush = () => {
    out += globToRegex(pending);
    pending = "";
  };
  yield* walk(raw, s, {
    text(t, quoted) {
      if (quoted) {
        flush();
        out += escapeRe(t);
      } else pending += t;
    },
    quote() {},
    expanded(v, quoted) {
      const t = Array.isArray(v) ? v.join(" ") : v;
      if (quoted) {
        flush();
        out += escapeRe(t);
      } else pending += t;
    },
  });
  flush();
  return out;
}

/** Expand the `$…` (or backquote) at raw[i]; returns the value (fields for $@, ${a[@]}) and the index after it. */
export function* dollar(raw: string, i: number, s: ShellState, quoted: boolean): Run<[string | string[], number]> {
  if (raw[i] === "`") {
    let end = i + 1;
    while (end < raw.length && raw[end] !== "`") end += raw[end] === "\\" ? 2 : 1;
    return [yield* substitute(raw.slice(i + 1, end).replace(/\\([$`\\])/g, "$1"), s), end + 1];
  }
  const next = raw[i + 1];
  if (next === "(") {
    const end = skipParens(raw, i + 1);
    if (raw[i + 2] === "(" && raw[end - 2] === ")") {
      const inner = raw.slice(i + 3, end - 2);
      const text = /[$`"'\\]/.test(inner)
        ? (yield* expandWord(`"${inner.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`, s, false)).join("")
        : inner;
      return [String(arith(text, s)), end];
    }
    return [yield* substitute(raw.slice(i + 2, end - 1), s), end];
  }
  if (next === "{") {
    const end = skipBrace(raw, i + 1);
    return [yield* braced(raw.slice(i + 2, end - 1), s, quoted), end];
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$@*!-])/.exec(raw.slice(i + 1));
  if (!m) return ["$", i + 1];
  // $@ (and $* unquoted) are one field per parameter.
  if (m[1] === "@" || (m[1] === "*" && !quoted)) return [[...s.args], i + 2];
  const v = special(m[1], s);
  if (v === undefined) unset(m[1], s);
  return [v ?? "", i + 1 + m[1].length];
}

/** set -u: an unset variable is an error. */
export function unset(name: string, s: ShellState): void {
  if (!s.opts.nounset || name === "@" || name === "*") return;
  const d = dialectOf(s);
  throw new ExpansionError(d === "bash" ? `${name}: unbound variable` : `${name}: parameter not set`, d === "bash" ? 127 : 2);
}

/** ${…}: lengths, defaults, pattern removal, replacement, substrings, array elements. */
function* braced(body: string, s: ShellState, quoted: boolean): Run<string | string[]> {
  // bash: ${!a[@]} the indices of an array, ${!name} the variable named by name.
  const bang = /^!([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?$/.exec(body);
  if (bang && dialectOf(s) === "bash") {
    if (bang[2]) return Object.keys(s.arrays[bang[1]] ?? (s.vars[bang[1]] !== undefined ? [s.vars[bang[1]]] : []));
    const target = s.vars[bang[1]];
    return target === undefined ? "" : yield* braced(target, s, quoted);
  }
  const m = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#$@*!-])(?:\[([^\]]*)\])?([\s\S]*)$/.exec(body);
  if (!m || (m[1] && m[4]) || body === "#") {
    if (body === "#") return String(s.args.length);
    throw badSubstitution(body, s);
  }
  const [, length, name, index, op] = m;
  // The value: a scalar, one element, or all elements ([@] / [*]).
  let value: string | string[] | undefined;
  if (index === "@" || index === "*")
    value = s.arrays[name] ? s.arrays[name].filter((x) => x !== undefined) : s.vars[name] !== undefined ? [s.vars[name]] : [];
  else if (index !== undefined) {
    // The subscript is expanded before its arithmetic, as in $((…)): ${items[$JOB_COMPLETION_INDEX]}.
    const sub = /[$`]/.test(index)
      ? (yield* expandWord(`"${index.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`, s, false)).join("")
      : index;
    value = s.arrays[name]?.[arith(sub, s)] ?? (arith(sub, s) === 0 ? s.vars[name] : undefined);
  } else if (name === "@" || name === "*") value = [...s.args];
  else value = special(name, s);
  if (length) return String(Array.isArray(value) ? value.length : (value ?? "").length);
  const all = index === "*" || name === "*";
  if (!op) {
    if (value === undefined) unset(name, s);
    return Array.isArray(value) && all && quoted ? value.join((s.vars.IFS ?? " ")[0] ?? "") : (value ?? "");
  }
  const word = function* (w: string) {
    return (yield* expandWord(w, s, false)).join("");
  };
  const d = /^(:?)([-=+?])([\s\S]*)$/.exec(op);
  if (d) {
    const scalar = Array.isArray(value) ? (value.length ? value.join(" ") : undefined) : value;
    const empty = d[1] ? !scalar : scalar === undefined;
    switch (d[2]) {
      case "-":
        return empty ? yield* word(d[3]) : value!;
      case "=": {
        if (!empty) return value!;
        const w = yield* word(d[3]);
        setVar(s, name, w);
        return w;
      }
      case "+":
        return empty ? "" : yield* word(d[3]);
      default: {
        if (!empty) return value!;
        const msg = d[3] ? yield* word(d[3]) : d[1] ? "parameter null or not set" : "parameter not set";
        throw new ExpansionError(`${name}: ${msg}`, dialectOf(s) === "bash" ? 127 : 2);
      }
    }
  }
  const each = function* (f: (v: string) => Run<string>): Run<string | string[]> {
    if (Array.isArray(value)) {
      const out: string[] = [];
      for (const v of value) out.push(yield* f(v));
      return out;
    }
    return yield* f(value ?? "");
  };
  const strip = /^(##?|%%?)([\s\S]*)$/.exec(op);
  if (strip) {
    const re = yield* patternOf(strip[2], s);
    const greedy = strip[1].length === 2;
    // biome-ignore lint/correctness/useYield: each() takes a generator; stripping a pattern never pauses
    return yield* each(function* (v) {
      if (strip[1][0] === "#") {
        // Shortest / longest prefix matching the pattern.
        for (let k = greedy ? v.length : 0; greedy ? k >= 0 : k <= v.length; k += greedy ? -1 : 1)
          if (new RegExp(`^(?:${re})$`, "s").test(v.slice(0, k))) return v.slice(k);
        return v;
      }
      for (let k = greedy ? 0 : v.length; greedy ? k <= v.length : k >= 0; k += greedy ? 1 : -1)
        if (new RegExp(`^(?:${re})$`, "s").test(v.slice(k))) return v.slice(0, k);
      return v;
    });
  }
  const repl = /^\/([/#%]?)((?:\\.|[^/])*)(?:\/([\s\S]*))?$/.exec(op);
  if (repl && dialectOf(s) !== "dash") {
    const re = yield* patternOf(repl[2], s);
    const to = yield* word(repl[3] ?? "");
    const anchor = repl[1] === "#" ? "^" : "";
    const tail = repl[1] === "%" ? "$" : "";
    return yield* each(function* (v) {
      const rx = new RegExp(`${anchor}(?:${re})${tail}`, repl[1] === "/" ? "gs" : "s");
      return v.replace(rx, () => to);
    });
  }
  const sub = /^:([^:]*)(?::([\s\S]*))?$/.exec(op);
  if (sub && dialectOf(s) !== "dash") {
    const off = arith(sub[1], s);
    const len = sub[2] === undefined ? undefined : arith(sub[2], s);
    if (Array.isArray(value)) {
      const start = off < 0 ? Math.max(0, value.length + off) : off;
      return value.slice(start, len === undefined ? undefined : len < 0 ? value.length + len : start + len);
    }
    const v = value ?? "";
    const start = off < 0 ? Math.max(0, v.length + off) : off;
    return v.slice(start, len === undefined ? undefined : len < 0 ? v.length + len : start + len);
  }
  const kase = /^(\^\^?|,,?)$/.exec(op);
  if (kase && dialectOf(s) === "bash") {
    return yield* each(function* (v) {
      const up = kase[1][0] === "^";
      const f = (x: string) => (up ? x.toUpperCase() : x.toLowerCase());
      return kase[1].length === 2 ? f(v) : f(v.slice(0, 1)) + v.slice(1);
    });
  }
  throw badSubstitution(body, s);
}

/** ${…} the shell cannot parse (bash names it; busybox ash calls it a syntax error). */
function badSubstitution(body: string, s: ShellState): ExpansionError {
  const d = dialectOf(s);
  return new ExpansionError(
    d === "bash" ? `\${${body}}: bad substitution` : d === "dash" ? "Bad substitution" : "syntax error: bad substitution",
    d === "bash" ? 1 : 2,
  );
}

function special(name: string, s: ShellState): string | undefined {
  switch (name) {
    case "?":
      return String(s.status);
    case "$":
      return "1";
    case "!":
      return s.vars["!"] ?? "";
    case "-":
      return (s.opts.errexit ? "e" : "") + (s.opts.nounset ? "u" : "") + (s.opts.xtrace ? "x" : "") + (s.interactive ? "i" : "");
    case "#":
      return String(s.args.length);
    case "@":
    case "*":
      return s.args.join((s.vars.IFS ?? " ")[0] ?? "");
    case "0":
      return s.vars["0"] ?? s.name;
  }
  if (/^\d+$/.test(name)) return s.args[Number(name) - 1];
  if (s.vars[name] === undefined) {
    // The dynamic variables of bash (and ash's RANDOM): computed when read, unless assigned.
    const d = dialectOf(s);
    if (name === "RANDOM" && d !== "dash") return String(Math.floor(Math.random() * 32768));
    if (name === "LINENO" && d === "bash") return String(s.lineno ?? 1);
    if (name === "SECONDS" && d === "bash") return String(Math.floor(s.t.elapsed / 1000));
  }
  return s.vars[name];
}

/**
 * The most the shell holds of one value or stream: a word, a variable, a command substitution's
 * output, what a pipe's reader has not read. A real shell would grow until the machine's memory ran
 * out; here that memory is the cluster's, and its neighbours'.
 */
export const HOLD_LIMIT = 8 << 20;

/** The error of a value past HOLD_LIMIT. */
export const tooLong = (what: string) => new ExpansionError(`kubeplay: ${what} may hold at most ${HOLD_LIMIT >> 20} MiB`, 1);

/** $(…): run in a subshell, capture stdout, strip trailing newlines. Its status becomes $?. A
 *  command that writes past HOLD_LIMIT is stopped as a writer to a full pipe would be: SIGPIPE. */
function* substitute(src: string, s: ShellState): Run<string> {
  let out = "";
  let full = false;
  const sub = subshell(s, { linesRead: (s.lineno ?? 1) - 1, tested: 0 });
  sub.opts.errexit = false;
  const stdout = (x: string) => {
    if (out.length + x.length > HOLD_LIMIT) {
      full = true;
      s.stderr?.(`kubeplay: a command substitution holds at most ${HOLD_LIMIT >> 20} MiB: the command is stopped (SIGPIPE)\n`);
      throw new ShellSignal("PIPE");
    }
    out += x;
  };
  try {
    s.status = yield* script(src, sub, { stdout, stderr: (x) => s.stderr?.(x) });
  } catch (e) {
    if (e instanceof ExitSignal || (full && e instanceof ShellSignal)) s.status = e.code;
    else throw e;
  }
  return out.replace(/\n+$/, "");
}
