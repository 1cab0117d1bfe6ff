// Go's text/template as kubectl's -o go-template / --template runs it (cli-runtime's
// GoTemplatePrinter): the object as unstructured JSON, missing keys printing "<no value>", and
// text/template's builtins plus kubectl's `exists` and `base64decode`.
import { KubectlError } from "./client";

type Node =
  | { t: "text"; text: string }
  | { t: "out"; pipe: Pipe }
  | { t: "if" | "with"; pipe: Pipe; body: Node[]; else: Node[] }
  | { t: "range"; pipe: Pipe; vars: string[]; body: Node[]; else: Node[] };
/** A pipeline: an optional declaration, then commands joined by `|`. */
type Pipe = { decl?: string[]; assign?: boolean; cmds: Arg[][] };
type Arg =
  | { a: "field"; base: "dot" | string; path: string[] }
  | { a: "lit"; v: unknown }
  | { a: "fn"; name: string }
  | { a: "pipe"; pipe: Pipe; path?: string[] };

const NO_VALUE = Symbol("no value");

/** A template text/template refuses to parse; `line` is where the action began. */
class ParseError extends Error {}
let line = 1;

function fail(msg: string): never {
  throw new ParseError(msg);
}

/** Split the template into text and actions, applying the {{- -}} trim markers. */
function lex(src: string): { text?: string; action?: string; line?: number }[] {
  const out: { text?: string; action?: string; line?: number }[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === "-" && /\s/.test(src[start + 1] ?? "")) {
      text = text.replace(/\s+$/, "");
      start++;
    }
    out.push({ text });
    let j = start;
    let quote = "";
    for (; j < src.length; j++) {
      const ch = src[j];
      if (quote) {
        if (ch === "\\" && quote === '"') j++;
        else if (ch === quote) quote = "";
      } else if (ch === '"' || ch === "`" || ch === "'") quote = ch;
      else if (src.startsWith("}}", j)) break;
    }
    if (j >= src.length) {
      line = src.slice(0, open).split("\n").length;
      fail("unclosed action");
    }
    let body = src.slice(start, j);
    i = j + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      const rest = src.slice(i);
      i += rest.length - rest.replace(/^\s+/, "").length;
    }
    out.push({ action: body.trim(), line: src.slice(0, open).split("\n").length });
  }
  return out;
}

/** Tokens of one action: strings, raw strings, chars, numbers, fields, variables, words, punctuation. */
function tokens(s: string): string[] {
  const re = /"(?:\\.|[^"\\])*"|`[^`]*`|'(?:\\.|[^'\\])'|:=|[()|,=]|[^\s()|,=]+/g;
  return s.match(re) ?? [];
}

function parsePipe(toks: string[], pos: { i: number }, stop: string[] = []): Pipe {
  const pipe: Pipe = { cmds: [] };
  // $x := …, $i, $e := …
  const save = pos.i;
  const vars: string[] = [];
  while (toks[pos.i]?.startsWith("$")) {
    vars.push(toks[pos.i++]);
    if (toks[pos.i] === ",") pos.i++;
    else break;
  }
  if (vars.length && (toks[pos.i] === ":=" || toks[pos.i] === "=")) {
    pipe.assign = toks[pos.i] === "=";
    pipe.decl = vars;
    pos.i++;
  } else pos.i = save;
  let cmd: Arg[] = [];
  while (pos.i < toks.length && !stop.includes(toks[pos.i])) {
    const t = toks[pos.i++];
    if (t === "|") {
      if (!cmd.length) fail(`missing command`);
      pipe.cmds.push(cmd);
      cmd = [];
    } else if (t === "(") {
      const inner = parsePipe(toks, pos, [")"]);
      if (toks[pos.i++] !== ")") fail(`unclosed left paren`);
      // (index .items 0).metadata.name: fields of the parenthesized value.
      const chained = /^\.[A-Za-z_]/.test(toks[pos.i] ?? "") ? toks[pos.i++].slice(1).split(".") : undefined;
      cmd.push({ a: "pipe", pipe: inner, path: chained });
    } else cmd.push(operand(t));
  }
  if (cmd.length) pipe.cmds.push(cmd);
  if (!pipe.cmds.length) fail(`missing value for command`);
  return pipe;
}

function unquote(t: string): string {
  if (t.startsWith("`")) return t.slice(1, -1);
  return JSON.parse(t.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1").replace(/\\'/g, "'"));
}

function operand(t: string): Arg {
  if (t.startsWith('"') || t.startsWith("`")) return { a: "lit", v: unquote(t) };
  if (t.startsWith("'")) return { a: "lit", v: unquote(`"${t.slice(1, -1)}"`).codePointAt(0) };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t) || /^0x[0-9a-fA-F]+$/.test(t)) return { a: "lit", v: Number(t) };
  if (t === "true" || t === "false") return { a: "lit", v: t === "true" };
  if (t === "nil") return { a: "lit", v: null };
  if (t === ".") return { a: "field", base: "dot", path: [] };
  if (t.startsWith(".")) return { a: "field", base: "dot", path: t.slice(1).split(".") };
  if (t.startsWith("$")) {
    const [v, ...path] = t.split(".");
    return { a: "field", base: v, path };
  }
  if (!FUNCS[t]) fail(`function ${JSON.stringify(t)} not defined`);
  return { a: "fn", name: t };
}

/** Parse the actions into a tree (if/with/range with their else branches). */
function parse(src: string): Node[] {
  const items = lex(src);
  let k = 0;
  // `one`: the else-if chain's nested if, which ends with the chain's single {{end}}.
  const block = (ends: string[], one = false): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (k < items.length) {
      const it = items[k++];
      if (it.text !== undefined) {
        if (it.text) nodes.push({ t: "text", text: it.text });
        continue;
      }
      const a = it.action!;
      line = it.line ?? line;
      if (a.startsWith("/*")) continue;
      const toks = tokens(a);
      const word = toks[0];
      if (word === "end" || word === "else") {
        if (!ends.includes(word)) fail(`unexpected {{${word}}}`);
        return { nodes, end: a };
      }
      if (word === "if" || word === "with" || word === "range") {
        const pos = { i: 1 };
        const pipe = parsePipe(toks, pos);
        const node: Node =
          word === "range" ? { t: "range", pipe, vars: pipe.decl ?? [], body: [], else: [] } : { t: word, pipe, body: [], else: [] };
        if (word === "range" && pipe.decl) pipe.decl = undefined;
        const body = block(["end", "else"]);
        node.body = body.nodes;
        if (body.end.startsWith("else")) {
          const rest = body.end.slice(4).trim();
          if (rest) {
            // {{else if …}}: the rest of the chain is a nested if in the else branch.
            items.splice(k, 0, { action: `${rest}` });
            node.else = block([], true).nodes;
          } else node.else = block(["end"]).nodes;
        }
        nodes.push(node);
        if (one) return { nodes, end: "" };
        continue;
      }
      if (word === "define" || word === "template" || word === "block") fail(`{{${word}}} is not supported here`);
      nodes.push({ t: "out", pipe: parsePipe(toks, { i: 0 }) });
    }
    if (ends.length) fail(`unexpected EOF`);
    return { nodes, end: "" };
  };
  return block([]).nodes;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function truth(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** fmt's %v of an unstructured value. */
export function goString(v: unknown): string {
  if (v === NO_VALUE) return "<no value>";
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(" ")}]`;
  if (isMap(v))
    return `map[${Object.keys(v)
      .sort()
      .map((key) => `${key}:${goString(v[key])}`)
      .join(" ")}]`;
  return String(v);
}

/** strconv 'g' formatting of a float64 (%v): exponent form from 1e21 and below 1e-4. */
function goFloat(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e21 || abs < 1e-4)) return v.toExponential().replace(/e([-+])(\d)$/, "e$10$2");
  return String(v);
}

function printf(format: string, args: unknown[]): string {
  let n = 0;
  return (
    format.replace(/%([-+ #0]*)(\d*)(?:\.(\d+))?([vsdqtfx%])/g, (_m, flags: string, width: string, prec: string, verb: string) => {
      if (verb === "%") return "%";
      if (n >= args.length) return `%!${verb}(MISSING)`;
      const a = args[n++];
      let s: string;
      if (verb === "d") s = typeof a === "number" ? String(Math.trunc(a)) : `%!d(${typeof a}=${goString(a)})`;
      else if (verb === "q") s = JSON.stringify(goString(a));
      else if (verb === "f") s = typeof a === "number" ? a.toFixed(prec ? Number(prec) : 6) : `%!f(${typeof a}=${goString(a)})`;
      else if (verb === "x")
        s =
          typeof a === "number"
            ? a.toString(16)
            : [...new TextEncoder().encode(goString(a))].map((b) => b.toString(16).padStart(2, "0")).join("");
      else s = goString(a);
      const w = Number(width || 0);
      return flags.includes("-") ? s.padEnd(w) : s.padStart(w, flags.includes("0") && verb !== "s" ? "0" : " ");
    }) +
    (n < args.length
      ? `%!(EXTRA ${args
          .slice(n)
          .map((a) => `${typeof a === "string" ? "string" : typeof a === "number" ? "int64" : "interface {}"}=${goString(a)}`)
          .join(", ")})`
      : "")
  );
}

function compare(name: string, a: unknown, b: unknown): boolean {
  const x = a === NO_VALUE ? null : a;
  const y = b === NO_VALUE ? null : b;
  if (name === "eq") return x === y;
  if (name === "ne") return x !== y;
  if (typeof x !== typeof y || (typeof x !== "number" && typeof x !== "string"))
    throw new KubectlError(`error: error executing template: ${name}: incompatible types for comparison`);
  const [p, q] = [x as number | string, y as number | string];
  return name === "lt" ? p < q : name === "le" ? p <= q : name === "gt" ? p > q : p >= q;
}

type Fn = (args: unknown[]) => unknown;
const FUNCS: Record<string, Fn> = {
  and: (a) => a.find((v) => !truth(v)) ?? a.at(-1),
  or: (a) => a.find((v) => truth(v)) ?? a.at(-1),
  not: (a) => !truth(a[0]),
  len: (a) => {
    const v = a[0];
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new KubectlError(`error: error executing template: len of type ${v === null || v === NO_VALUE ? "<nil>" : typeof v}`);
  },
  index: (a) => {
    let v = a[0];
    for (const key of a.slice(1)) {
      if (Array.isArray(v)) {
        if (typeof key !== "number" || key < 0 || key >= v.length)
          throw new KubectlError(`error: error executing template: index out of range: ${goString(key)}`);
        v = v[key];
      } else if (isMap(v)) v = Object.hasOwn(v, String(key)) ? v[String(key)] : NO_VALUE;
      else v = NO_VALUE;
    }
    return v;
  },
  print: (a) => a.map((v, i) => (i > 0 && typeof v !== "string" && typeof a[i - 1] !== "string" ? " " : "") + goString(v)).join(""),
  println: (a) => `${a.map(goString).join(" ")}\n`,
  printf: (a) => printf(String(a[0]), a.slice(1)),
  eq: (a) => a.slice(1).some((b) => compare("eq", a[0], b)),
  ne: (a) => compare("ne", a[0], a[1]),
  lt: (a) => compare("lt", a[0], a[1]),
  le: (a) => compare("le", a[0], a[1]),
  gt: (a) => compare("gt", a[0], a[1]),
  ge: (a) => compare("ge", a[0], a[1]),
  // cli-runtime's template funcs.
  exists: (a) => {
    let v = a[0];
    for (const key of a.slice(1)) {
      if (!isMap(v) || !Object.hasOwn(v, String(key))) return false;
      v = v[String(key)];
    }
    return true;
  },
  base64decode: (a) => {
    try {
      const bin = atob(String(a[0]));
      return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    } catch {
      throw new KubectlError("error: error executing template: base64decode: illegal base64 data at input byte 0");
    }
  },
};

class Exec {
  private vars: Map<string, unknown>[] = [];
  constructor(root: unknown) {
    this.vars.push(new Map([["$", root]]));
  }

  private lookup(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].has(name)) return this.vars[i].get(name);
    fail(`undefined variable "${name}"`);
  }

  private field(base: unknown, path: string[]): unknown {
    let v = base;
    for (const key of path) {
      if (v === NO_VALUE || v === null || v === undefined) return NO_VALUE;
      if (!isMap(v))
        throw new KubectlError(
          `error: error executing template: can't evaluate field ${key} in type ${Array.isArray(v) ? "[]interface {}" : typeof v}`,
        );
      v = Object.hasOwn(v, key) ? v[key] : NO_VALUE;
    }
    return v;
  }

  private arg(a: Arg, dot: unknown, final?: unknown): unknown {
    if (a.a === "lit") return a.v;
    if (a.a === "pipe") return a.path ? this.field(this.pipe(a.pipe, dot), a.path) : this.pipe(a.pipe, dot);
    if (a.a === "field") return this.field(a.base === "dot" ? dot : this.lookup(a.base), a.path);
    return FUNCS[a.name](final === undefined ? [] : [final]);
  }

  private pipe(p: Pipe, dot: unknown): unknown {
    let value: unknown;
    p.cmds.forEach((cmd, i) => {
      const piped = i > 0 ? [value] : [];
      const head = cmd[0];
      if (head.a === "fn") value = FUNCS[head.name]([...cmd.slice(1).map((a) => this.arg(a, dot)), ...piped]);
      else {
        if (cmd.length > 1 || piped.length) fail(`can't give argument to non-function`);
        value = this.arg(head, dot);
      }
    });
    if (p.decl) {
      if (p.assign) {
        for (let i = this.vars.length - 1; i >= 0; i--)
          if (this.vars[i].has(p.decl[0])) {
            this.vars[i].set(p.decl[0], value);
            return "";
          }
      }
      this.vars.at(-1)!.set(p.decl[0], value);
      return NO_OUTPUT;
    }
    return value;
  }

  run(nodes: Node[], dot: unknown): string {
    let out = "";
    for (const n of nodes) {
      if (n.t === "text") out += n.text;
      else if (n.t === "out") {
        const v = this.pipe(n.pipe, dot);
        if (v !== NO_OUTPUT && !(n.pipe.decl && n.pipe.assign)) out += goString(v);
      } else if (n.t === "if" || n.t === "with") {
        const v = this.pipe(n.pipe, dot);
        this.vars.push(new Map());
        out += truth(v) ? this.run(n.body, n.t === "with" ? v : dot) : this.run(n.else, dot);
        this.vars.pop();
      } else {
        const v = this.pipe(n.pipe, dot);
        const entries: [unknown, unknown][] = Array.isArray(v)
          ? v.map((e, i) => [i, e])
          : isMap(v)
            ? Object.keys(v)
                .sort()
                .map((key) => [key, v[key]])
            : v === NO_VALUE || v === null || v === undefined
              ? []
              : typeof v === "number"
                ? Array.from({ length: v }, (_, i) => [i, i])
                : fail(`range can't iterate over ${goString(v)}`);
        if (!entries.length) out += this.run(n.else, dot);
        const vars = (n as { vars: string[] }).vars;
        for (const [key, e] of entries) {
          const scope = new Map<string, unknown>();
          if (vars.length === 1) scope.set(vars[0], e);
          else if (vars.length === 2) {
            scope.set(vars[0], key);
            scope.set(vars[1], e);
          }
          this.vars.push(scope);
          out += this.run(n.body, e);
          this.vars.pop();
        }
      }
    }
    return out;
  }
}

const NO_OUTPUT = Symbol("declaration");

/** Execute a Go template on an unstructured object, as kubectl's go-template printer does. */
export function goTemplate(src: string, data: unknown): string {
  try {
    line = 1;
    return new Exec(data).run(parse(src), data);
  } catch (e) {
    if (e instanceof ParseError) throw new KubectlError(`error: error parsing template ${src}, template: output:${line}: ${e.message}`);
    throw e;
  }
}
