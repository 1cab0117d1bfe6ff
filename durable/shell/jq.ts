// jq: the filters scripts and lab checks use — paths (.a.b, .[0], .[], .[2:4], ..), pipes, commas,
// object and array construction, string interpolation, arithmetic, comparisons, and/or/not, //,
// if/elif/else, try/?, reduce, `as` bindings, def, assignment (= |= += …, del), the common builtins
// and formats (@csv @tsv @sh @base64 @json @text @uri @html); -r -j -c -n -e -s -S -R --arg
// --argjson --tab --indent. Output and errors are jq 1.7's (netshoot's jq); objects keep their key order.

import type { AppletCall } from "./applets";
import { HaltSignal } from "./interp";
import { readInput } from "./textio";

type J = null | boolean | number | string | J[] | JObj;
type JObj = Map<string, J>;
const isObj = (v: J): v is JObj => v instanceof Map;

class JqError {
  constructor(readonly value: J) {}
}
class CompileError {
  constructor(readonly message: string) {}
}
class JsonError {
  constructor(readonly message: string) {}
}
class BreakOut {
  constructor(readonly label: string) {}
}

// ---- JSON in and out ---------------------------------------------------------------------------

/** Parse a stream of JSON texts (objects as ordered maps); errors in jq's words with line and column. */
export function parseJsonStream(text: string): J[] {
  let i = 0;
  const out: J[] = [];
  const where = () => {
    const before = text.slice(0, i);
    const line = (before.match(/\n/g) ?? []).length + 1;
    return `at line ${line}, column ${i - before.lastIndexOf("\n") - 1}`;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new JsonError(`${what} ${where()}`);
  };
  const value = (): J => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const m: JObj = new Map();
      ws();
      if (text[i] === "}") {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Object keys must be strings");
        const k = str();
        ws();
        if (text[i] !== ":") fail("Objects must consist of key:value pairs");
        i++;
        m.set(k, value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return m;
        }
        fail("Expected separator between values");
      }
    }
    if (c === "[") {
      i++;
      const a: J[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return a;
        }
        fail("Expected separator between values");
      }
    }
    if (c === '"') return str();
    const lit = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?|true|false|null|nan)/.exec(text.slice(i));
    const word = /^[^\s[\]{},:"]+/.exec(text.slice(i))?.[0] ?? "";
    if (!lit || lit[0].length !== word.length) {
      // jq reports the position after the character that ended the bad token.
      i += (word.length || 1) + (i + word.length < text.length && word.length ? 1 : 0);
      fail(c === undefined ? "Unfinished JSON term" : "Invalid numeric literal");
    }
    i += lit![0].length;
    const w = lit![0];
    return w === "true" ? true : w === "false" ? false : w === "null" ? null : Number(w);
  };
  const str = (): string => {
    const m = /^"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"/.exec(text.slice(i));
    if (!m) {
      i = text.length;
      fail("Unfinished string");
    }
    i += m![0].length;
    return JSON.parse(m![0]) as string;
  };
  for (;;) {
    ws();
    if (i >= text.length) break;
    out.push(value());
  }
  return out;
}

function num(n: number): string {
  if (Number.isNaN(n)) return "null";
  if (!Number.isFinite(n)) return n > 0 ? "1.7976931348623157e+308" : "-1.7976931348623157e+308";
  // jq prints 17 significant digits at most: large integers in exponent form.
  if (Math.abs(n) >= 1e17)
    return n
      .toExponential()
      .replace(/e\+?(-?)(\d)$/, "e+$1$2")
      .replace("e+-", "e-");
  return String(n);
}

const escapeString = (s: string, ascii = false) =>
  `"${s.replace(/[\\"\x00-\x1f\x7f]/g, (c) => (({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f" }) as Record<string, string>)[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).replace(ascii ? /[^\x00-\x7f]/g : /$^/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;

/** jq's output: pretty with `indent` spaces (or a tab), or compact when indent is 0. */
export function dump(v: J, indent: number | "tab" = 2, sortKeys = false, ascii = false, depth = 0): string {
  const pad = (d: number) => (indent === "tab" ? "\t".repeat(d) : " ".repeat(indent * d));
  const compact = indent === 0;
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return num(v);
  if (typeof v === "string") return escapeString(v, ascii);
  if (Array.isArray(v)) {
    if (!v.length) return "[]";
    if (compact) return `[${v.map((x) => dump(x, 0, sortKeys, ascii)).join(",")}]`;
    return `[\n${v.map((x) => pad(depth + 1) + dump(x, indent, sortKeys, ascii, depth + 1)).join(",\n")}\n${pad(depth)}]`;
  }
  const keys = sortKeys ? [...v.keys()].sort() : [...v.keys()];
  if (!keys.length) return "{}";
  if (compact) return `{${keys.map((k) => `${escapeString(k, ascii)}:${dump(v.get(k)!, 0, sortKeys, ascii)}`).join(",")}}`;
  return `{\n${keys.map((k) => `${pad(depth + 1)}${escapeString(k, ascii)}: ${dump(v.get(k)!, indent, sortKeys, ascii, depth + 1)}`).join(",\n")}\n${pad(depth)}}`;
}

const typeOf = (v: J): string =>
  v === null
    ? "null"
    : typeof v === "boolean"
      ? "boolean"
      : typeof v === "number"
        ? "number"
        : typeof v === "string"
          ? "string"
          : Array.isArray(v)
            ? "array"
            : "object";

/** A value in an error message: its type and (cut) compact JSON, as jq shows it. */
const describe = (v: J) => {
  const t = dump(v, 0);
  // jq dumps into 15 bytes: longer texts keep 11 characters and "...".
  return `${typeOf(v)} (${t.length > 14 ? `${t.slice(0, 11)}...` : t})`;
};

const ORDER = ["null", "boolean", "number", "string", "array", "object"];
/** jq's total order: null < false < true < numbers < strings < arrays < objects. */
function compare(a: J, b: J): number {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) return ORDER.indexOf(ta) - ORDER.indexOf(tb);
  if (typeof a === "boolean") return Number(a) - Number(b as boolean);
  if (typeof a === "number") return a - (b as number);
  if (typeof a === "string") return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (Array.isArray(a)) {
    const bb = b as J[];
    for (let i = 0; i < Math.min(a.length, bb.length); i++) {
      const r = compare(a[i], bb[i]);
      if (r) return r;
    }
    return a.length - bb.length;
  }
  if (a === null) return 0;
  const ka = [...(a as JObj).keys()].sort();
  const kb = [...(b as JObj).keys()].sort();
  const r = compare(ka, kb);
  if (r) return r;
  for (const k of ka) {
    const x = compare((a as JObj).get(k)!, (b as JObj).get(k)!);
    if (x) return x;
  }
  return 0;
}
const equal = (a: J, b: J) => compare(a, b) === 0;

// ---- the filter language -----------------------------------------------------------------------

type Node =
  | { k: "identity" }
  | { k: "recurse" }
  | { k: "literal"; v: J }
  | { k: "str"; parts: (string | Node)[]; format?: string }
  | { k: "field"; target: Node; name: Node; opt: boolean }
  | { k: "iterate"; target: Node; opt: boolean }
  | { k: "slice"; target: Node; from?: Node; to?: Node; opt: boolean }
  | { k: "pipe"; a: Node; b: Node }
  | { k: "comma"; a: Node; b: Node }
  | { k: "bin"; op: string; a: Node; b: Node }
  | { k: "neg"; e: Node }
  | { k: "and"; a: Node; b: Node }
  | { k: "or"; a: Node; b: Node }
  | { k: "alt"; a: Node; b: Node }
  | { k: "array"; e?: Node }
  | { k: "object"; entries: { key: Node; value?: Node }[] }
  | { k: "if"; cond: Node; then: Node; else?: Node }
  | { k: "try"; body: Node; catch?: Node }
  | { k: "reduce"; source: Node; pattern: string; init: Node; update: Node }
  | { k: "foreach"; source: Node; pattern: string; init: Node; update: Node; extract?: Node }
  | { k: "as"; source: Node; pattern: Pattern; body: Node }
  | { k: "var"; name: string }
  | { k: "call"; name: string; args: Node[] }
  | { k: "def"; name: string; params: string[]; body: Node; rest: Node }
  | { k: "assign"; op: string; lhs: Node; rhs: Node }
  | { k: "format"; name: string }
  | { k: "label"; name: string; body: Node }
  | { k: "break"; name: string };

type Pattern =
  | { k: "var"; name: string }
  | { k: "array"; items: Pattern[] }
  | { k: "object"; entries: { key: string; pattern: Pattern }[] };

type Tok = { t: string; v?: string | number };

function lexJq(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      // A string with \( … ) interpolations: the raw text is split by the parser.
      let j = i + 1;
      let depth = 0;
      while (j < src.length) {
        if (src[j] === "\\" && src[j + 1] === "(") {
          depth++;
          j += 2;
          continue;
        }
        if (depth > 0) {
          if (src[j] === "(") depth++;
          else if (src[j] === ")") depth--;
          else if (src[j] === '"') {
            // a string inside an interpolation
            j++;
            while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
          }
          j++;
          continue;
        }
        if (src[j] === "\\") {
          j += 2;
          continue;
        }
        if (src[j] === '"') break;
        j++;
      }
      if (j >= src.length)
        throw new CompileError(
          `syntax error, unexpected end of file, expecting QQSTRING_TEXT or QQSTRING_INTERP_START or QQSTRING_END (Unix shell quoting issues?)`,
        );
      toks.push({ t: "STR", v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const n = /^(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(src.slice(i));
    if (n && !(c === "." && !/\d/.test(src[i + 1] ?? ""))) {
      toks.push({ t: "NUM", v: Number(n[0]) });
      i += n[0].length;
      continue;
    }
    const id = /^(\$__loc__|\$?[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*)/.exec(src.slice(i));
    if (id) {
      if (id[0] === "and" || id[0] === "or") toks.push({ t: id[0] });
      else toks.push({ t: id[0].startsWith("$") ? "VAR" : "IDENT", v: id[0].replace(/^\$/, "") });
      i += id[0].length;
      continue;
    }
    if (c === "@") {
      const f = /^@[A-Za-z0-9_]+/.exec(src.slice(i))!;
      toks.push({ t: "FORMAT", v: f[0] });
      i += f[0].length;
      continue;
    }
    if (c === "." && /[A-Za-z_]/.test(src[i + 1] ?? "")) {
      const f = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      toks.push({ t: "FIELD", v: f[0].slice(1) });
      i += f[0].length;
      continue;
    }
    const op = /^(\?\/\/=|\?\/\/|\|=|\+=|-=|\*=|\/=|%=|\/\/=|==|!=|<=|>=|\/\/|\.\.|and\b|or\b|[.[\]{}()|,:;=<>+\-*/%?])/.exec(src.slice(i));
    if (!op) throw new CompileError(`syntax error, unexpected INVALID_CHARACTER (Unix shell quoting issues?)`);
    toks.push({ t: op[0] });
    i += op[0].length;
  }
  toks.push({ t: "EOF" });
  return toks;
}

const KEYWORDS = new Set([
  "if",
  "then",
  "elif",
  "else",
  "end",
  "as",
  "def",
  "reduce",
  "foreach",
  "try",
  "catch",
  "label",
  "import",
  "include",
  "and",
  "or",
  "not_kw",
  "__loc__",
]);

function parseJq(src: string): Node {
  const toks = lexJq(src);
  let p = 0;
  const at = (t: string, v?: string) => toks[p].t === t && (v === undefined || toks[p].v === v);
  const kw = (w: string) => at("IDENT", w);
  const unexpected = (): never => {
    const t = toks[p];
    const shown =
      t.t === "EOF"
        ? "end of file"
        : t.t === "IDENT"
          ? KEYWORDS.has(String(t.v))
            ? String(t.v)
            : "IDENT"
          : t.t === "NUM"
            ? "LITERAL"
            : t.t === "STR"
              ? "QQSTRING_START"
              : t.t === "FIELD"
                ? "FIELD"
                : t.t === "VAR"
                  ? "'$'"
                  : `'${t.t}'`;
    throw new CompileError(`syntax error, unexpected ${shown} (Unix shell quoting issues?)`);
  };
  const eat = (t: string) => {
    if (!at(t)) unexpected();
    return toks[p++];
  };
  const eatKw = (w: string) => {
    if (!kw(w)) unexpected();
    p++;
  };

  // pipe: def … ; | as | lowest
  const pipe = (): Node => {
    if (kw("def")) {
      p++;
      const name = String(eat("IDENT").v);
      const params: string[] = [];
      if (at("(")) {
        p++;
        for (;;) {
          const t = toks[p++];
          params.push(t.t === "VAR" ? `$${t.v}` : String(t.v));
          if (at(";")) {
            p++;
            continue;
          }
          break;
        }
        eat(")");
      }
      eat(":");
      const body = pipe();
      eat(";");
      return { k: "def", name, params, body, rest: pipe() };
    }
    const a = comma();
    if (kw("as")) {
      p++;
      const pattern = patternOf();
      eat("|");
      return { k: "as", source: a, pattern, body: pipe() };
    }
    if (at("|")) {
      p++;
      return { k: "pipe", a, b: pipe() };
    }
    return a;
  };
  const patternOf = (): Pattern => {
    if (at("VAR")) return { k: "var", name: String(toks[p++].v) };
    if (at("[")) {
      p++;
      const items: Pattern[] = [];
      while (!at("]")) {
        items.push(patternOf());
        if (at(",")) p++;
      }
      p++;
      return { k: "array", items };
    }
    if (at("{")) {
      p++;
      const entries: { key: string; pattern: Pattern }[] = [];
      while (!at("}")) {
        if (at("VAR")) {
          const name = String(toks[p++].v);
          entries.push({ key: name, pattern: { k: "var", name } });
        } else {
          const key = at("STR") ? String(toks[p++].v) : String(eat("IDENT").v);
          eat(":");
          entries.push({ key, pattern: patternOf() });
        }
        if (at(",")) p++;
      }
      p++;
      return { k: "object", entries };
    }
    return unexpected();
  };
  const comma = (): Node => {
    let a = alt();
    while (at(",")) {
      p++;
      a = { k: "comma", a, b: alt() };
    }
    return a;
  };
  // Assignment operators bind looser than //, tighter than ,
  const alt = (): Node => {
    const a = orExpr();
    if (at("//")) {
      p++;
      return { k: "alt", a, b: alt() };
    }
    for (const op of ["=", "|=", "+=", "-=", "*=", "/=", "%=", "//="])
      if (at(op)) {
        p++;
        return { k: "assign", op, lhs: a, rhs: alt() };
      }
    return a;
  };
  const orExpr = (): Node => {
    let a = andExpr();
    while (at("or")) {
      p++;
      a = { k: "or", a, b: andExpr() };
    }
    return a;
  };
  const andExpr = (): Node => {
    let a = compareExpr();
    while (at("and")) {
      p++;
      a = { k: "and", a, b: compareExpr() };
    }
    return a;
  };
  const compareExpr = (): Node => {
    const a = additive();
    for (const op of ["==", "!=", "<=", ">=", "<", ">"])
      if (at(op)) {
        p++;
        return { k: "bin", op, a, b: additive() };
      }
    return a;
  };
  const additive = (): Node => {
    let a = multiplicative();
    while (at("+") || at("-")) {
      const op = toks[p++].t;
      a = { k: "bin", op, a, b: multiplicative() };
    }
    return a;
  };
  const multiplicative = (): Node => {
    let a = unaryExpr();
    while (at("*") || at("/") || at("%")) {
      const op = toks[p++].t;
      a = { k: "bin", op, a, b: unaryExpr() };
    }
    return a;
  };
  const unaryExpr = (): Node => (at("-") ? (p++, { k: "neg", e: postfix() }) : postfix());
  const postfix = (): Node => {
    let e = term();
    for (;;) {
      if (at("FIELD")) {
        e = { k: "field", target: e, name: { k: "literal", v: String(toks[p++].v) }, opt: false };
      } else if (at(".") && toks[p + 1].t === "STR") {
        p++;
        e = { k: "field", target: e, name: strNode(String(toks[p++].v)), opt: false };
      } else if (at(".") && toks[p + 1].t === "[") {
        p++;
      } else if (at("[")) {
        p++;
        if (at("]")) {
          p++;
          e = { k: "iterate", target: e, opt: false };
        } else if (at(":")) {
          p++;
          const to = pipe();
          eat("]");
          e = { k: "slice", target: e, to, opt: false };
        } else {
          const idx = pipe();
          if (at(":")) {
            p++;
            const to = at("]") ? undefined : pipe();
            eat("]");
            e = { k: "slice", target: e, from: idx, to, opt: false };
          } else {
            eat("]");
            e = { k: "field", target: e, name: idx, opt: false };
          }
        }
      } else if (at("?")) {
        p++;
        if (e.k === "field" || e.k === "iterate" || e.k === "slice") e = { ...e, opt: true };
        else e = { k: "try", body: e };
      } else if (kw("as") || !at("EOF")) break;
      else break;
    }
    return e;
  };
  /** A string literal's text with \( ) interpolations and escapes. */
  const strNode = (raw: string, format?: string): Node => {
    const parts: (string | Node)[] = [];
    let cur = "";
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i];
      if (c !== "\\") {
        cur += c;
        continue;
      }
      const n = raw[++i];
      if (n === "(") {
        let depth = 1;
        let j = i + 1;
        for (; j < raw.length && depth; j++) {
          if (raw[j] === '"') {
            j++;
            while (j < raw.length && raw[j] !== '"') j += raw[j] === "\\" ? 2 : 1;
            continue;
          }
          if (raw[j] === "(") depth++;
          else if (raw[j] === ")") depth--;
        }
        if (cur) parts.push(cur);
        cur = "";
        parts.push(parseJq(raw.slice(i + 1, j - 1)));
        i = j - 1;
        continue;
      }
      if (n === "u") {
        cur += String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16));
        i += 4;
        continue;
      }
      const esc = ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "\\": "\\", '"': '"', "/": "/" } as Record<string, string>)[n];
      if (esc === undefined) throw new CompileError(`invalid escape at line 1, column ${i}`);
      cur += esc;
    }
    if (cur || !parts.length) parts.push(cur);
    return parts.length === 1 && typeof parts[0] === "string" && !format ? { k: "literal", v: parts[0] } : { k: "str", parts, format };
  };
  const term = (): Node => {
    const t = toks[p];
    switch (t.t) {
      case ".": {
        p++;
        if (at("STR")) return { k: "field", target: { k: "identity" }, name: strNode(String(toks[p++].v)), opt: false };
        return { k: "identity" };
      }
      case "..":
        p++;
        return { k: "recurse" };
      case "FIELD":
        p++;
        return { k: "field", target: { k: "identity" }, name: { k: "literal", v: String(t.v) }, opt: false };
      case "NUM":
        p++;
        return { k: "literal", v: t.v as number };
      case "STR":
        p++;
        return strNode(String(t.v));
      case "FORMAT": {
        p++;
        if (at("STR")) return strNode(String(toks[p++].v), String(t.v));
        return { k: "format", name: String(t.v) };
      }
      case "VAR":
        p++;
        return { k: "var", name: String(t.v) };
      case "(": {
        p++;
        const e = pipe();
        eat(")");
        return e;
      }
      case "[": {
        p++;
        if (at("]")) {
          p++;
          return { k: "array" };
        }
        const e = pipe();
        eat("]");
        return { k: "array", e };
      }
      case "{": {
        p++;
        const entries: { key: Node; value?: Node }[] = [];
        while (!at("}")) {
          let key: Node;
          if (at("VAR")) {
            const name = String(toks[p++].v);
            entries.push({ key: { k: "literal", v: name }, value: { k: "var", name } });
            if (at(",")) p++;
            continue;
          }
          if (at("IDENT")) key = { k: "literal", v: String(toks[p++].v) };
          else if (at("STR")) key = strNode(String(toks[p++].v));
          else if (at("FORMAT")) {
            const f = String(toks[p++].v);
            key = at("STR") ? strNode(String(toks[p++].v), f) : { k: "format", name: f };
          } else if (at("NUM")) key = { k: "literal", v: String(toks[p++].v) };
          else if (at("(")) {
            p++;
            key = pipe();
            eat(")");
          } else return unexpected();
          let value: Node | undefined;
          if (at(":")) {
            p++;
            value = objectValue();
          }
          entries.push({ key, value });
          if (at(",")) p++;
          else if (!at("}")) unexpected();
        }
        p++;
        return { k: "object", entries };
      }
      case "IDENT": {
        const name = String(t.v);
        if (name === "if") {
          p++;
          const cond = pipe();
          eatKw("then");
          const then = pipe();
          let els: Node | undefined;
          if (kw("elif")) {
            toks[p] = { t: "IDENT", v: "if" };
            els = term();
            return { k: "if", cond, then, else: els };
          }
          if (kw("else")) {
            p++;
            els = pipe();
          }
          eatKw("end");
          return { k: "if", cond, then, else: els };
        }
        if (name === "try") {
          p++;
          const body = postfix();
          if (kw("catch")) {
            p++;
            return { k: "try", body, catch: postfix() };
          }
          return { k: "try", body };
        }
        if (name === "reduce" || name === "foreach") {
          p++;
          const source = postfix();
          eatKw("as");
          const v = String(eat("VAR").v);
          eat("(");
          const init = pipe();
          eat(";");
          const update = pipe();
          let extract: Node | undefined;
          if (name === "foreach" && at(";")) {
            p++;
            extract = pipe();
          }
          eat(")");
          return name === "reduce"
            ? { k: "reduce", source, pattern: v, init, update }
            : { k: "foreach", source, pattern: v, init, update, extract };
        }
        if (name === "true" || name === "false" || name === "null") {
          p++;
          return { k: "literal", v: name === "null" ? null : name === "true" };
        }
        if (name === "label") {
          p++;
          const v = String(eat("VAR").v);
          eat("|");
          return { k: "label", name: v, body: pipe() };
        }
        if (name === "break") {
          p++;
          return { k: "break", name: String(eat("VAR").v) };
        }
        if (KEYWORDS.has(name) && name !== "not_kw") unexpected();
        p++;
        const args: Node[] = [];
        if (at("(")) {
          p++;
          for (;;) {
            args.push(pipe());
            if (at(";")) {
              p++;
              continue;
            }
            break;
          }
          eat(")");
        }
        return { k: "call", name, args };
      }
    }
    return unexpected();
  };
  // An object value: no commas (they separate entries), pipes allowed only in parentheses.
  const objectValue = (): Node => {
    let a = orExprNoComma();
    while (at("|")) {
      p++;
      a = { k: "pipe", a, b: orExprNoComma() };
    }
    return a;
  };
  const orExprNoComma = (): Node => {
    const a = orExpr();
    if (at("//")) {
      p++;
      return { k: "alt", a, b: orExprNoComma() };
    }
    return a;
  };
  const root = pipe();
  if (!at("EOF")) unexpected();
  return root;
}

// ---- evaluation --------------------------------------------------------------------------------

type Env = { vars: Map<string, J>; funcs: Map<string, { params: string[]; body: Node; env: Env }>; parent?: Env };

const lookupVar = (env: Env, name: string): J | undefined =>
  env.vars.has(name) ? env.vars.get(name) : env.parent ? lookupVar(env.parent, name) : undefined;
const lookupFunc = (env: Env, key: string): { params: string[]; body: Node; env: Env } | undefined =>
  env.funcs.get(key) ?? (env.parent ? lookupFunc(env.parent, key) : undefined);

type Path = (string | number | { start?: number; end?: number })[];

class Jq {
  steps = 0;
  constructor(
    readonly env0: Env,
    readonly ctx: { now: number; env: Record<string, string> },
  ) {}

  index(v: J, k: J, opt: boolean): J[] {
    if (v === null && (typeof k === "string" || typeof k === "number" || isObj(k))) return [null];
    if (typeof k === "string" && isObj(v)) return [v.has(k) ? v.get(k)! : null];
    if (typeof k === "number" && Array.isArray(v)) {
      const i = Math.floor(k);
      return [v[i < 0 ? v.length + i : i] ?? null];
    }
    if (Array.isArray(k) && Array.isArray(v)) return [this.indices(v, k)];
    if (opt) return [];
    throw new JqError(`Cannot index ${typeOf(v)} with ${typeof k === "string" ? `string "${k}"` : typeOf(k)}`);
  }

  indices(v: J[] | string, k: J[] | string): J {
    const out: number[] = [];
    if (!k.length) return null;
    for (let i = 0; i + k.length <= v.length; i++) {
      let ok = true;
      for (let j = 0; j < k.length; j++)
        if (typeof v === "string" ? v[i + j] !== k[j] : !equal((v as J[])[i + j], (k as J[])[j])) {
          ok = false;
          break;
        }
      if (ok) out.push(i);
    }
    return out;
  }

  iterate(v: J, opt: boolean): J[] {
    if (Array.isArray(v)) return v;
    if (isObj(v)) return [...v.values()];
    if (opt) return [];
    throw new JqError(`Cannot iterate over ${typeOf(v)}${v === null ? "" : ` (${dump(v, 0)})`}`);
  }

  slice(v: J, from: J, to: J): J {
    if (v === null) return null;
    if (typeof v !== "string" && !Array.isArray(v)) throw new JqError(`Cannot index ${typeOf(v)} with object`);
    const len = v.length;
    const clamp = (x: J, d: number) => {
      if (x === null) return d;
      let n = Math.floor(x as number);
      if (n < 0) n += len;
      return Math.max(0, Math.min(len, n));
    };
    const a = clamp(from, 0);
    const b = clamp(to, len);
    return v.slice(a, Math.max(a, b)) as J;
  }

  eval(n: Node, input: J, env: Env): J[] {
    if (++this.steps > 2_000_000) throw new HaltSignal();
    switch (n.k) {
      case "identity":
        return [input];
      case "recurse":
        return this.recurse(input);
      case "literal":
        return [n.v];
      case "str":
        return this.interpolate(n, input, env);
      case "format":
        return [this.format(n.name, input)];
      case "field": {
        const out: J[] = [];
        for (const t of this.eval(n.target, input, env))
          for (const k of this.eval(n.name, input, env)) {
            try {
              out.push(...this.index(t, k, n.opt));
            } catch (e) {
              if (!n.opt) throw e;
            }
          }
        return out;
      }
      case "iterate":
        return this.eval(n.target, input, env).flatMap((t) => this.iterate(t, n.opt));
      case "slice": {
        const out: J[] = [];
        for (const t of this.eval(n.target, input, env))
          for (const to of n.to ? this.eval(n.to, input, env) : [null])
            for (const from of n.from ? this.eval(n.from, input, env) : [null]) {
              try {
                out.push(this.slice(t, from, to));
              } catch (e) {
                if (!n.opt) throw e;
              }
            }
        return out;
      }
      case "pipe":
        return this.eval(n.a, input, env).flatMap((v) => this.eval(n.b, v, env));
      case "comma":
        return [...this.eval(n.a, input, env), ...this.eval(n.b, input, env)];
      case "neg":
        return this.eval(n.e, input, env).map((v) => {
          if (typeof v !== "number") throw new JqError(`${describe(v)} cannot be negated`);
          return -v;
        });
      case "bin": {
        const out: J[] = [];
        for (const b of this.eval(n.b, input, env)) for (const a of this.eval(n.a, input, env)) out.push(this.binop(n.op, a, b));
        return out;
      }
      case "and":
        return this.eval(n.a, input, env).flatMap((a) => (truthy(a) ? this.eval(n.b, input, env).map(truthy) : [false]));
      case "or":
        return this.eval(n.a, input, env).flatMap((a) => (truthy(a) ? [true] : this.eval(n.b, input, env).map(truthy)));
      case "alt": {
        let vals: J[] = [];
        try {
          vals = this.eval(n.a, input, env).filter(truthy);
        } catch (e) {
          if (!(e instanceof JqError)) throw e;
        }
        return vals.length ? vals : this.eval(n.b, input, env);
      }
      case "array":
        return [n.e ? this.eval(n.e, input, env) : []];
      case "object": {
        let objs: JObj[] = [new Map()];
        for (const entry of n.entries) {
          const keys = this.eval(entry.key, input, env);
          const next: JObj[] = [];
          for (const o of objs)
            for (const k of keys) {
              if (typeof k !== "string") throw new JqError(`Object keys must be strings`);
              const values = entry.value ? this.eval(entry.value, input, env) : this.index(input, k, false);
              for (const v of values) next.push(new Map([...o, [k, v]]));
            }
          objs = next;
        }
        return objs;
      }
      case "if":
        return this.eval(n.cond, input, env).flatMap((c) =>
          truthy(c) ? this.eval(n.then, input, env) : n.else ? this.eval(n.else, input, env) : [input],
        );
      case "try": {
        try {
          return this.eval(n.body, input, env);
        } catch (e) {
          if (!(e instanceof JqError)) throw e;
          return n.catch ? this.eval(n.catch, e.value, env) : [];
        }
      }
      case "reduce": {
        let accs = this.eval(n.init, input, env);
        for (const v of this.eval(n.source, input, env)) {
          const scope: Env = { vars: new Map([[n.pattern, v]]), funcs: new Map(), parent: env };
          accs = accs.flatMap((acc) => this.eval(n.update, acc, scope)).slice(-1);
        }
        return accs;
      }
      case "foreach": {
        const out: J[] = [];
        for (let acc of this.eval(n.init, input, env)) {
          for (const v of this.eval(n.source, input, env)) {
            const scope: Env = { vars: new Map([[n.pattern, v]]), funcs: new Map(), parent: env };
            for (const next of this.eval(n.update, acc, scope)) {
              acc = next;
              out.push(...(n.extract ? this.eval(n.extract, acc, scope) : [acc]));
            }
          }
        }
        return out;
      }
      case "as":
        return this.eval(n.source, input, env).flatMap((v) => {
          const scope: Env = { vars: new Map(), funcs: new Map(), parent: env };
          this.bind(n.pattern, v, scope, input, env);
          return this.eval(n.body, input, scope);
        });
      case "var": {
        if (n.name === "ENV") return [new Map(Object.entries(this.ctx.env))];
        const v = lookupVar(env, n.name);
        if (v === undefined) throw new CompileError(`$${n.name} is not defined`);
        return [v];
      }
      case "def": {
        const scope: Env = { vars: new Map(), funcs: new Map(), parent: env };
        scope.funcs.set(`${n.name}/${n.params.length}`, { params: n.params, body: n.body, env: scope });
        return this.eval(n.rest, input, scope);
      }
      case "assign":
        return this.assign(n, input, env);
      case "label": {
        try {
          return this.eval(n.body, input, env);
        } catch (e) {
          if (e instanceof BreakOut && e.label === n.name) return [];
          throw e;
        }
      }
      case "break":
        throw new BreakOut(n.name);
      case "call":
        return this.call(n, input, env);
    }
  }

  /**
   * Emit outputs one by one through pipes, commas, `as` and `def`, so the outputs before an error
   * are written as jq writes them; other filters are evaluated whole.
   */
  stream(n: Node, input: J, env: Env, emit: (v: J) => void): void {
    switch (n.k) {
      case "comma":
        this.stream(n.a, input, env, emit);
        this.stream(n.b, input, env, emit);
        return;
      case "pipe":
        this.stream(n.a, input, env, (v) => this.stream(n.b, v, env, emit));
        return;
      case "as":
        this.stream(n.source, input, env, (v) => {
          const scope: Env = { vars: new Map(), funcs: new Map(), parent: env };
          this.bind(n.pattern, v, scope, input, env);
          this.stream(n.body, input, scope, emit);
        });
        return;
      case "def": {
        const scope: Env = { vars: new Map(), funcs: new Map(), parent: env };
        scope.funcs.set(`${n.name}/${n.params.length}`, { params: n.params, body: n.body, env: scope });
        this.stream(n.rest, input, scope, emit);
        return;
      }
      case "iterate":
        for (const t of this.eval(n.target, input, env)) for (const v of this.iterate(t, n.opt)) emit(v);
        return;
    }
    for (const v of this.eval(n, input, env)) emit(v);
  }

  bind(p: Pattern, v: J, scope: Env, input: J, env: Env): void {
    if (p.k === "var") {
      scope.vars.set(p.name, v);
      return;
    }
    if (p.k === "array") {
      p.items.forEach((item, i) =>
        this.bind(item, Array.isArray(v) ? (v[i] ?? null) : v === null ? null : this.index(v, i, false)[0], scope, input, env),
      );
      return;
    }
    for (const e of p.entries) this.bind(e.pattern, v === null ? null : this.index(v, e.key, false)[0], scope, input, env);
  }

  recurse(v: J): J[] {
    const out: J[] = [v];
    if (Array.isArray(v)) for (const x of v) out.push(...this.recurse(x));
    else if (isObj(v)) for (const x of v.values()) out.push(...this.recurse(x));
    return out;
  }

  interpolate(n: Extract<Node, { k: "str" }>, input: J, env: Env): J[] {
    let results = [""];
    for (const part of n.parts) {
      if (typeof part === "string") {
        results = results.map((r) => r + part);
        continue;
      }
      const vals = this.eval(part, input, env);
      results = results.flatMap((r) => vals.map((v) => r + (n.format ? this.format(n.format, v) : typeof v === "string" ? v : dump(v, 0))));
    }
    return results;
  }

  format(name: string, v: J): string {
    const text = (x: J) => (typeof x === "string" ? x : dump(x, 0));
    switch (name) {
      case "@text":
        return text(v);
      case "@json":
        return dump(v, 0);
      case "@html":
        return text(v).replace(
          /[<>&'"]/g,
          (c) => (({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&quot;" }) as Record<string, string>)[c],
        );
      case "@uri":
        return [...new TextEncoder().encode(text(v))]
          .map((b) =>
            /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
          )
          .join("");
      case "@csv":
      case "@tsv": {
        if (!Array.isArray(v))
          throw new JqError(`${describe(v)} cannot be ${name === "@csv" ? "csv" : "tsv"}-formatted, only an array can be`);
        return v
          .map((x) => {
            if (typeof x === "number") return num(x);
            if (typeof x === "boolean") return String(x);
            if (x === null) return "";
            if (typeof x !== "string") throw new JqError(`${describe(x)} is not valid in a csv row`);
            return name === "@csv"
              ? `"${x.replace(/"/g, '""')}"`
              : x.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
          })
          .join(name === "@csv" ? "," : "\t");
      }
      case "@sh": {
        const one = (x: J) => {
          if (typeof x === "string") return `'${x.replace(/'/g, "'\\''")}'`;
          if (Array.isArray(x) || isObj(x)) throw new JqError(`${describe(x)} can not be escaped for shell`);
          return dump(x, 0);
        };
        return Array.isArray(v) ? v.map(one).join(" ") : one(v);
      }
      case "@base64": {
        const bytes = new TextEncoder().encode(text(v));
        let bin = "";
        for (const b of bytes) bin += String.fromCharCode(b);
        return btoa(bin);
      }
      case "@base64d": {
        const t = text(v).replace(/=+$/, "");
        try {
          const bin = atob(t + "=".repeat((4 - (t.length % 4)) % 4));
          return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
        } catch {
          throw new JqError(`${describe(v)} is not valid base64 data`);
        }
      }
    }
    throw new CompileError(`${name}/0 is not a valid format`);
  }

  binop(op: string, a: J, b: J): J {
    switch (op) {
      case "==":
        return equal(a, b);
      case "!=":
        return !equal(a, b);
      case "<":
        return compare(a, b) < 0;
      case "<=":
        return compare(a, b) <= 0;
      case ">":
        return compare(a, b) > 0;
      case ">=":
        return compare(a, b) >= 0;
      case "+":
        if (a === null) return b;
        if (b === null) return a;
        if (typeof a === "number" && typeof b === "number") return a + b;
        if (typeof a === "string" && typeof b === "string") return a + b;
        if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
        if (isObj(a) && isObj(b)) return new Map([...a, ...b]);
        throw new JqError(`${describe(a)} and ${describe(b)} cannot be added`);
      case "-":
        if (typeof a === "number" && typeof b === "number") return a - b;
        if (Array.isArray(a) && Array.isArray(b)) return a.filter((x) => !b.some((y) => equal(x, y)));
        throw new JqError(`${describe(a)} and ${describe(b)} cannot be subtracted`);
      case "*":
        if (typeof a === "number" && typeof b === "number") return a * b;
        if (typeof a === "string" && typeof b === "number") return b > 0 ? a.repeat(Math.ceil(b)) : null;
        if (typeof b === "string" && typeof a === "number") return a > 0 ? b.repeat(Math.ceil(a)) : null;
        if (isObj(a) && isObj(b)) return deepMerge(a, b);
        throw new JqError(`${describe(a)} and ${describe(b)} cannot be multiplied`);
      case "/":
        if (typeof a === "number" && typeof b === "number") {
          if (b === 0) throw new JqError(`${describe(a)} and ${describe(b)} cannot be divided because the divisor is zero`);
          return a / b;
        }
        if (typeof a === "string" && typeof b === "string") return a.split(b);
        throw new JqError(`${describe(a)} and ${describe(b)} cannot be divided`);
      default:
        if (typeof a === "number" && typeof b === "number") {
          if (Math.trunc(b) === 0) throw new JqError(`${describe(a)} and ${describe(b)} cannot be divided because the divisor is zero`);
          return Math.trunc(a) % Math.trunc(b);
        }
        throw new JqError(`${describe(a)} and ${describe(b)} cannot be divided`);
    }
  }

  // ---- paths, for assignment and del/paths/getpath ----

  paths(n: Node, input: J, env: Env, base: Path = []): [Path, J][] {
    switch (n.k) {
      case "identity":
        return [[base, input]];
      case "recurse": {
        const out: [Path, J][] = [];
        const walk = (v: J, p: Path) => {
          out.push([p, v]);
          if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
          else if (isObj(v)) for (const [k, x] of v) walk(x, [...p, k]);
        };
        walk(input, base);
        return out;
      }
      case "field": {
        const out: [Path, J][] = [];
        for (const [p, v] of this.paths(n.target, input, env, base))
          for (const k of this.eval(n.name, input, env)) {
            try {
              for (const r of this.index(v, k, n.opt)) out.push([[...p, k as string | number], r]);
            } catch (e) {
              if (!n.opt) throw e;
            }
          }
        return out;
      }
      case "iterate":
        return this.paths(n.target, input, env, base).flatMap(([p, v]) => {
          if (Array.isArray(v)) return v.map((x, i): [Path, J] => [[...p, i], x]);
          if (isObj(v)) return [...v].map(([k, x]): [Path, J] => [[...p, k], x]);
          if (v === null) return [];
          if (n.opt) return [];
          throw new JqError(`Cannot iterate over ${describe(v)}`);
        });
      case "slice":
        return this.paths(n.target, input, env, base).map(([p, v]): [Path, J] => {
          const from = n.from ? this.eval(n.from, input, env)[0] : null;
          const to = n.to ? this.eval(n.to, input, env)[0] : null;
          return [[...p, { start: from as number, end: to as number }], this.slice(v, from, to)];
        });
      case "pipe":
        return this.paths(n.a, input, env, base).flatMap(([p, v]) => this.paths(n.b, v, env, p));
      case "comma":
        return [...this.paths(n.a, input, env, base), ...this.paths(n.b, input, env, base)];
      case "if":
        return this.eval(n.cond, input, env).flatMap((c) =>
          truthy(c) ? this.paths(n.then, input, env, base) : n.else ? this.paths(n.else, input, env, base) : [[base, input] as [Path, J]],
        );
      case "alt": {
        const a = this.paths(n.a, input, env, base).filter(([, v]) => truthy(v));
        return a.length ? a : this.paths(n.b, input, env, base);
      }
      case "try":
        try {
          return this.paths(n.body, input, env, base);
        } catch (e) {
          if (e instanceof JqError) return [];
          throw e;
        }
      case "call": {
        if (n.name === "empty") return [];
        if (n.name === "select" && n.args.length === 1) return this.eval(n.args[0], input, env).some(truthy) ? [[base, input]] : [];
        if (n.name === "recurse" && !n.args.length) return this.paths({ k: "recurse" }, input, env, base);
        if (n.name === "first" && n.args.length === 1) return this.paths(n.args[0], input, env, base).slice(0, 1);
        if (n.name === "last" && !n.args.length) return [[[...base, -1], Array.isArray(input) ? (input[input.length - 1] ?? null) : null]];
        if (n.name === "first" && !n.args.length) return [[[...base, 0], Array.isArray(input) ? (input[0] ?? null) : null]];
        if (n.name === "getpath" && n.args.length === 1)
          return this.eval(n.args[0], input, env).map((p): [Path, J] => [[...base, ...(p as Path)], getpath(input, p as Path)]);
        const f = lookupFunc(env, `${n.name}/${n.args.length}`);
        if (f && !f.params.length) return this.paths(f.body, input, f.env, base);
        break;
      }
      case "literal":
        if (n.v === null) return [[base, null]];
        break;
    }
    throw new JqError(`Invalid path expression with result ${dump(this.eval(n, input, env)[0] ?? null, 0)}`);
  }

  assign(n: Extract<Node, { k: "assign" }>, input: J, env: Env): J[] {
    if (n.op === "=") {
      return this.eval(n.rhs, input, env).map((v) => this.paths(n.lhs, input, env).reduce((acc, [p]) => setpath(acc, p, v), input));
    }
    if (n.op === "|=") {
      let out = input;
      for (const [p] of this.paths(n.lhs, input, env)) {
        const cur = getpath(out, p);
        const r = this.eval(n.rhs, cur, env);
        out = r.length ? setpath(out, p, r[0]) : delpaths(out, [p]);
      }
      return [out];
    }
    const op = n.op.slice(0, -1);
    return this.eval(n.rhs, input, env).map((v) => {
      let out = input;
      for (const [p] of this.paths(n.lhs, input, env)) {
        const cur = getpath(out, p);
        out = setpath(out, p, op === "//" ? (truthy(cur) ? cur : v) : this.binop(op, cur, v));
      }
      return out;
    });
  }

  callArg(f: Node, input: J, env: Env): J[] {
    return this.eval(f, input, env);
  }

  call(n: Extract<Node, { k: "call" }>, input: J, env: Env): J[] {
    const key = `${n.name}/${n.args.length}`;
    const user = lookupFunc(env, key);
    if (user) {
      // Closure parameters are filters evaluated in the caller's scope; $params are bound values.
      const scope: Env = { vars: new Map(), funcs: new Map(), parent: user.env };
      const combos: Map<string, J>[] = [new Map()];
      let expanded = combos;
      user.params.forEach((param, i) => {
        if (param.startsWith("$")) {
          const vals = this.eval(n.args[i], input, env);
          expanded = expanded.flatMap((m) => vals.map((v) => new Map([...m, [param.slice(1), v]])));
          scope.funcs.set(`${param.slice(1)}/0`, { params: [], body: n.args[i], env });
        } else scope.funcs.set(`${param}/0`, { params: [], body: n.args[i], env });
      });
      return expanded.flatMap((vars) => {
        const s: Env = { vars, funcs: scope.funcs, parent: user.env };
        s.funcs.set(key, user);
        return this.eval(user.body, input, s);
      });
    }
    const a = (i: number) => this.eval(n.args[i], input, env);
    const one = (i: number) => a(i)[0] ?? null;
    const str = (v: J, what: string) => {
      if (typeof v !== "string") throw new JqError(`${describe(v)} ${what}`);
      return v;
    };
    switch (key) {
      case "empty/0":
        return [];
      case "not/0":
        return [!truthy(input)];
      case "error/0":
        throw new JqError(input);
      case "error/1":
        return a(0).map((m) => {
          throw new JqError(m);
        });
      case "length/0":
        if (input === null) return [0];
        if (typeof input === "boolean") throw new JqError(`boolean (${input}) has no length`);
        if (typeof input === "number") return [Math.abs(input)];
        if (typeof input === "string") return [[...input].length];
        return [Array.isArray(input) ? input.length : input.size];
      case "utf8bytelength/0":
        return [new TextEncoder().encode(str(input, "only strings have UTF-8 byte length")).length];
      case "keys/0":
      case "keys_unsorted/0":
        if (isObj(input)) return [key === "keys/0" ? [...input.keys()].sort() : [...input.keys()]];
        if (Array.isArray(input)) return [input.map((_, i) => i)];
        throw new JqError(`${describe(input)} has no keys`);
      case "values/0":
        return truthy(input === null ? null : true) && input !== null ? [input] : [];
      case "has/1":
        return a(0).map((k) => {
          if (isObj(input) && typeof k === "string") return input.has(k);
          if (Array.isArray(input) && typeof k === "number") return k >= 0 && k < input.length;
          throw new JqError(`Cannot check whether ${typeOf(input)} has a ${typeOf(k)} key`);
        });
      case "in/1":
        return a(0).map((o) => this.call({ k: "call", name: "has", args: [{ k: "literal", v: input }] }, o, env)[0]);
      case "contains/1":
        return a(0).map((b) => contains(input, b));
      case "inside/1":
        return a(0).map((b) => contains(b, input));
      case "map/1":
        return [this.iterate(input, false).flatMap((x) => this.eval(n.args[0], x, env))];
      case "map_values/1":
        return this.assign(
          { k: "assign", op: "|=", lhs: { k: "iterate", target: { k: "identity" }, opt: false }, rhs: n.args[0] },
          input,
          env,
        );
      case "select/1":
        return a(0)
          .filter(truthy)
          .map(() => input);
      case "recurse/0":
        return this.recurse(input);
      case "recurse/1": {
        const out: J[] = [];
        const walk = (v: J) => {
          out.push(v);
          for (const x of this.eval(n.args[0], v, env)) walk(x);
        };
        walk(input);
        return out;
      }
      case "type/0":
        return [typeOf(input)];
      case "arrays/0":
      case "objects/0":
      case "strings/0":
      case "numbers/0":
      case "booleans/0":
      case "nulls/0":
        return typeOf(input) === n.name.replace(/s$/, "").replace("boolean", "boolean") || (n.name === "nulls" && input === null)
          ? [input]
          : [];
      case "iterables/0":
        return Array.isArray(input) || isObj(input) ? [input] : [];
      case "scalars/0":
        return Array.isArray(input) || isObj(input) ? [] : [input];
      case "add/0":
        return [this.iterate(input, false).reduce<J>((acc, x) => this.binop("+", acc, x), null)];
      case "any/0":
        return [this.iterate(input, false).some(truthy)];
      case "all/0":
        return [this.iterate(input, false).every(truthy)];
      case "any/1":
        return [this.iterate(input, false).some((x) => this.eval(n.args[0], x, env).some(truthy))];
      case "all/1":
        return [this.iterate(input, false).every((x) => this.eval(n.args[0], x, env).every(truthy))];
      case "range/1":
        return a(0).flatMap((m) => rangeOf(0, m as number, 1));
      case "range/2":
        return a(0).flatMap((from) => a(1).flatMap((to) => rangeOf(from as number, to as number, 1)));
      case "range/3":
        return a(0).flatMap((from) => a(1).flatMap((to) => a(2).flatMap((by) => rangeOf(from as number, to as number, by as number))));
      case "floor/0":
        return [Math.floor(input as number)];
      case "ceil/0":
        return [Math.ceil(input as number)];
      case "round/0":
        return [Math.round(input as number)];
      case "fabs/0":
        return [Math.abs(input as number)];
      case "sqrt/0":
        return [Math.sqrt(input as number)];
      case "pow/2":
        return a(0).flatMap((x) => a(1).map((y) => (x as number) ** (y as number)));
      case "log/0":
        return [Math.log(input as number)];
      case "tostring/0":
        return [typeof input === "string" ? input : dump(input, 0)];
      case "tonumber/0": {
        if (typeof input === "number") return [input];
        const s = str(input, "cannot be parsed as a number");
        if (!/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s)) throw new JqError(`Cannot parse '${s}' as JSON`);
        return [Number(s)];
      }
      case "tojson/0":
        return [dump(input, 0)];
      case "fromjson/0": {
        try {
          return [parseJsonStream(str(input, "only strings can be parsed"))[0] ?? null];
        } catch (e) {
          if (e instanceof JsonError) throw new JqError(`${e.message} (while parsing '${input}')`);
          throw e;
        }
      }
      case "ascii_downcase/0":
        return [str(input, "cannot be ascii_downcased").replace(/[A-Z]/g, (c) => c.toLowerCase())];
      case "ascii_upcase/0":
        return [str(input, "cannot be ascii_upcased").replace(/[a-z]/g, (c) => c.toUpperCase())];
      case "ltrimstr/1":
        return a(0).map((p) => (typeof input === "string" && typeof p === "string" && input.startsWith(p) ? input.slice(p.length) : input));
      case "rtrimstr/1":
        return a(0).map((p) =>
          typeof input === "string" && typeof p === "string" && input.endsWith(p) && p ? input.slice(0, -p.length) : input,
        );
      case "trim/0":
        return [str(input, "cannot be trimmed").trim()];
      case "ltrim/0":
        return [str(input, "cannot be trimmed").trimStart()];
      case "rtrim/0":
        return [str(input, "cannot be trimmed").trimEnd()];
      case "startswith/1":
        return a(0).map((p) => {
          if (typeof input !== "string" || typeof p !== "string") throw new JqError("startswith() requires string inputs");
          return input.startsWith(p);
        });
      case "endswith/1":
        return a(0).map((p) => {
          if (typeof input !== "string" || typeof p !== "string") throw new JqError("endswith() requires string inputs");
          return input.endsWith(p);
        });
      case "split/1":
        return a(0).map((sep) => {
          str(input, "cannot be split");
          return (input as string).split(str(sep, "is not a string"));
        });
      case "join/1":
        return a(0).map((sep) =>
          this.iterate(input, false)
            .map((x) => {
              if (x === null) return "";
              if (Array.isArray(x) || isObj(x)) throw new JqError(`Cannot join with ${typeOf(x)}`);
              return typeof x === "string" ? x : dump(x, 0);
            })
            .join(str(sep, "is not a string")),
        );
      case "test/1":
      case "test/2":
        return this.regexCall(n, input, env, (re, s) => [re.test(s)]);
      case "match/1":
      case "match/2":
        return this.regexCall(n, input, env, (re, s) => matches(re, s));
      case "capture/1":
      case "capture/2":
        return this.regexCall(n, input, env, (re, s) =>
          matches(re, s).map(
            (m) =>
              new Map(
                ((m as JObj).get("captures") as J[])
                  .filter((c) => (c as JObj).get("name") !== null)
                  .map((c) => [(c as JObj).get("name") as string, (c as JObj).get("string")!]),
              ),
          ),
        );
      case "sub/2":
      case "sub/3":
      case "gsub/2":
      case "gsub/3": {
        const global = n.name === "gsub" || (n.args[2] && String(one(2)).includes("g"));
        const flags = n.args[2] ? String(one(2)).replace("g", "") : "";
        const s = str(input, `cannot be matched, as it is not a string`);
        const re = toRegExp(str(one(0), "cannot be matched, as it is not a string"), `${flags}${global ? "g" : ""}`);
        let out = "";
        let pos = 0;
        for (const m of global ? s.matchAll(re) : [re.exec(s)].filter((x): x is RegExpExecArray => !!x)) {
          const groups: JObj = new Map(Object.entries(m.groups ?? {}).map(([k, v]) => [k, v ?? null]));
          out +=
            s.slice(pos, m.index) +
            this.eval(n.args[1], groups, env)
              .map((r) => str(r, "cannot be added to a string"))
              .join("");
          pos = m.index! + m[0].length;
        }
        return [out + s.slice(pos)];
      }
      case "explode/0":
        return [[...str(input, "cannot be exploded")].map((c) => c.codePointAt(0)!)];
      case "implode/0":
        if (!Array.isArray(input) || input.some((c) => typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > 0x10ffff))
          throw new JqError("Implode input must be an array of codepoints");
        return [String.fromCodePoint(...(input as number[]))];
      case "to_entries/0": {
        // An array's keys are its indices.
        if (Array.isArray(input))
          return [
            input.map(
              (v, i) =>
                new Map<string, J>([
                  ["key", i],
                  ["value", v],
                ]),
            ),
          ];
        if (!isObj(input)) throw new JqError(`${describe(input)} has no keys`);
        return [
          [...input].map(
            ([k, v]) =>
              new Map<string, J>([
                ["key", k],
                ["value", v],
              ]),
          ),
        ];
      }
      case "from_entries/0":
        return [
          new Map(
            this.iterate(input, false).map((e) => {
              if (!isObj(e)) throw new JqError(`Cannot index ${typeOf(e)} with "key"`);
              const o = e;
              const k = o.has("key")
                ? o.get("key")
                : o.has("k")
                  ? o.get("k")
                  : o.has("name")
                    ? o.get("name")
                    : o.has("Name")
                      ? o.get("Name")
                      : o.has("Key")
                        ? o.get("Key")
                        : o.get("K");
              const v = o.has("value") ? o.get("value")! : o.has("v") ? o.get("v")! : o.has("Value") ? o.get("Value")! : null;
              if (typeof k !== "string" && typeof k !== "number" && typeof k !== "boolean")
                throw new JqError(`Cannot use ${describe(k ?? null)} as object key`);
              return [String(k), v];
            }),
          ),
        ];
      case "with_entries/1": {
        const entries = this.call({ k: "call", name: "to_entries", args: [] }, input, env)[0] as J[];
        return this.call(
          { k: "call", name: "from_entries", args: [] },
          entries.flatMap((e) => this.eval(n.args[0], e, env)),
          env,
        );
      }
      case "sort/0":
        return [[...sortable(input)].sort(compare)];
      case "sort_by/1":
        return [
          sortable(input)
            .map((x) => [this.eval(n.args[0], x, env), x] as const)
            .sort((p, q) => compare(p[0], q[0]))
            .map(([, x]) => x),
        ];
      case "group_by/1": {
        const pairs = sortable(input)
          .map((x) => [this.eval(n.args[0], x, env), x] as const)
          .sort((p, q) => compare(p[0], q[0]));
        const groups: J[][] = [];
        pairs.forEach(([k, x], i) => {
          if (i && equal(k, pairs[i - 1][0])) groups[groups.length - 1].push(x);
          else groups.push([x]);
        });
        return [groups];
      }
      case "unique/0":
        return [[...sortable(input)].sort(compare).filter((x, i, arr) => !i || !equal(x, arr[i - 1]))];
      case "unique_by/1": {
        const pairs = sortable(input)
          .map((x) => [this.eval(n.args[0], x, env), x] as const)
          .sort((p, q) => compare(p[0], q[0]));
        return [pairs.filter(([k], i) => !i || !equal(k, pairs[i - 1][0])).map(([, x]) => x)];
      }
      case "min/0":
      case "max/0": {
        const arr = sortable(input);
        if (!arr.length) return [null];
        return [arr.reduce((m, x) => ((n.name === "min" ? compare(x, m) < 0 : compare(x, m) >= 0) ? x : m))];
      }
      case "min_by/1":
      case "max_by/1": {
        const arr = sortable(input);
        if (!arr.length) return [null];
        const keyed = arr.map((x) => [this.eval(n.args[0], x, env), x] as const);
        return [keyed.reduce((m, x) => ((n.name === "min_by" ? compare(x[0], m[0]) < 0 : compare(x[0], m[0]) >= 0) ? x : m))[1]];
      }
      case "reverse/0":
        return [typeof input === "string" ? [...input].reverse().join("") : input === null ? [] : [...(input as J[])].reverse()];
      case "first/0":
        return [Array.isArray(input) ? (input[0] ?? null) : this.index(input, 0, false)[0]];
      case "last/0":
        return [Array.isArray(input) ? (input[input.length - 1] ?? null) : this.index(input, -1, false)[0]];
      case "first/1":
        return a(0).slice(0, 1);
      case "last/1":
        return a(0).slice(-1);
      case "limit/2":
        return a(0).flatMap((m) => this.eval(n.args[1], input, env).slice(0, Math.max(0, m as number)));
      case "nth/1":
        return a(0).map((i) => (input as J[])[i as number] ?? null);
      case "nth/2":
        return a(0).flatMap((i) => this.eval(n.args[1], input, env).slice(i as number, (i as number) + 1));
      case "isempty/1":
        return [a(0).length === 0];
      case "flatten/0":
      case "flatten/1": {
        const depth = n.args.length ? (one(0) as number) : 1e9;
        if (depth < 0) throw new JqError("flatten depth must not be negative");
        const flat = (v: J[], d: number): J[] => v.flatMap((x) => (Array.isArray(x) && d > 0 ? flat(x, d - 1) : [x]));
        return [flat(sortable(input), depth)];
      }
      case "indices/1":
      case "index/1":
      case "rindex/1":
        return a(0).map((k) => {
          if (input === null) return null;
          const idx = typeof input === "string" ? this.indices(input, str(k, "")) : this.indices(input as J[], Array.isArray(k) ? k : [k]);
          if (n.name === "indices") return idx;
          const arr = (idx ?? []) as number[];
          return arr.length ? (n.name === "index" ? arr[0] : arr[arr.length - 1]) : null;
        });
      case "paths/0":
        return [
          ...this.paths({ k: "recurse" }, input, env)
            .map(([p]) => p as J)
            .slice(1),
        ];
      // Once for each true output of f, as jq's `path(..|select(f))` does.
      case "paths/1":
        return this.paths({ k: "recurse" }, input, env)
          .slice(1)
          .flatMap(([p, v]) =>
            this.eval(n.args[0], v, env)
              .filter(truthy)
              .map(() => p as J),
          );
      case "leaf_paths/0":
        return this.paths({ k: "recurse" }, input, env)
          .slice(1)
          .filter(([, v]) => !Array.isArray(v) && !isObj(v))
          .map(([p]) => p as J);
      case "path/1":
        return this.paths(n.args[0], input, env).map(([p]) => p as J);
      case "getpath/1":
        return a(0).map((p) => getpath(input, p as Path));
      case "setpath/2":
        return a(0).flatMap((p) => a(1).map((v) => setpath(input, p as Path, v)));
      case "delpaths/1":
        return a(0).map((ps) => delpaths(input, ps as Path[]));
      case "del/1":
        return [
          delpaths(
            input,
            this.paths(n.args[0], input, env).map(([p]) => p),
          ),
        ];
      case "to_array/0":
        return [Array.isArray(input) ? input : [input]];
      case "tostream/0":
        return this.paths({ k: "recurse" }, input, env)
          .filter(([, v]) => !(Array.isArray(v) && v.length) && !(isObj(v) && v.size))
          .map(([p, v]) => [p as J, v]);
      case "env/0":
        return [new Map(Object.entries(this.ctx.env))];
      case "now/0":
        return [this.ctx.now / 1000];
      case "todate/0":
      case "todateiso8601/0":
        return [new Date((input as number) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")];
      case "fromdate/0":
      case "fromdateiso8601/0": {
        const t = Date.parse(str(input, "cannot be parsed as a date"));
        if (Number.isNaN(t)) throw new JqError(`date "${input}" does not match format "%Y-%m-%dT%H:%M:%SZ"`);
        return [t / 1000];
      }
      case "splits/1":
        return a(0).flatMap((re) => str(input, "cannot be matched, as it is not a string").split(toRegExp(str(re, ""), "g")));
      case "ascii/0":
        return [String.fromCharCode(input as number)];
      case "infinite/0":
        return [Infinity];
      case "nan/0":
        return [NaN];
      case "isnan/0":
        return [Number.isNaN(input)];
      case "isinfinite/0":
        return [input === Infinity || input === -Infinity];
      case "isnormal/0":
        return [typeof input === "number" && Number.isFinite(input) && input !== 0];
      case "input/0":
      case "inputs/0":
        return [];
      case "halt/0":
        throw new HaltJq(0);
      case "halt_error/0":
      case "halt_error/1":
        throw new HaltJq(n.args.length ? (one(0) as number) : 5, input);
      case "debug/0":
        return [input];
      case "walk/1": {
        const walk = (v: J): J[] => {
          let inner: J = v;
          if (Array.isArray(v)) inner = v.flatMap(walk);
          else if (isObj(v)) inner = new Map([...v].map(([k, x]) => [k, walk(x)[0] ?? null]));
          return this.eval(n.args[0], inner, env);
        };
        return walk(input);
      }
      case "combinations/0": {
        const lists = input as J[][];
        const out: J[] = [];
        const rec = (i: number, acc: J[]) => {
          if (i === lists.length) {
            out.push(acc);
            return;
          }
          for (const x of lists[i]) rec(i + 1, [...acc, x]);
        };
        rec(0, []);
        return out;
      }
      case "abs/0":
        return [
          typeof input === "number"
            ? Math.abs(input)
            : (() => {
                throw new JqError(`${describe(input)} has no absolute value`);
              })(),
        ];
      case "toarray/0":
        return [Array.isArray(input) ? input : [input]];
      case "add/1":
        return [a(0).reduce<J>((acc, x) => this.binop("+", acc, x), null)];
    }
    throw new CompileError(`${key} is not defined`);
  }

  regexCall(n: Extract<Node, { k: "call" }>, input: J, env: Env, f: (re: RegExp, s: string) => J[]): J[] {
    if (typeof input !== "string") throw new JqError(`${describe(input)} cannot be matched, as it is not a string`);
    const flagsOf = n.args.length > 1 ? this.eval(n.args[1], input, env) : [null];
    return this.eval(n.args[0], input, env).flatMap((re) =>
      flagsOf.flatMap((fl) => {
        let pattern = re;
        let flags = fl;
        if (Array.isArray(re)) {
          pattern = re[0];
          flags = re[1] ?? null;
        }
        if (typeof pattern !== "string") throw new JqError(`${describe(pattern)} cannot be matched, as it is not a string`);
        return f(toRegExp(pattern, typeof flags === "string" ? flags : ""), input);
      }),
    );
  }
}

class HaltJq {
  constructor(
    readonly code: number,
    readonly value?: J,
  ) {}
}

/** jq's regexes are Oniguruma's (Perl-like): JS's with x (extended) and n (no empty matches) dropped. */
function toRegExp(pattern: string, flags: string): RegExp {
  let f = "";
  for (const c of flags) if ("gi".includes(c) && !f.includes(c)) f += c;
  if (flags.includes("x"))
    pattern = pattern
      .replace(/\\#/g, "\0")
      .replace(/\s+|#.*$/gm, "")
      .replace(/\0/g, "\\#");
  try {
    return new RegExp(pattern.replace(/\(\?<([A-Za-z_]\w*)>/g, "(?<$1>"), f + (flags.includes("s") ? "s" : ""));
  } catch (e) {
    throw new JqError(`${pattern} (at offset 0) is not a valid regex: ${(e as Error).message}`);
  }
}

function matches(re: RegExp, s: string): J[] {
  const g = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags);
  const list = re.flags.includes("g") ? [...s.matchAll(g)] : [g.exec(s)].filter((x): x is RegExpExecArray => !!x);
  return list.map((m) => {
    const groups: J[] = [];
    for (let i = 1; i < m.length; i++) {
      const str = m[i];
      // The Nth capture group's name, when it is a named one.
      const name = (() => {
        let count = 0;
        for (const gm of re.source.matchAll(/\((?!\?[:=!<])|\(\?<([A-Za-z_]\w*)>/g)) {
          count++;
          if (count === i) return gm[1] ?? null;
        }
        return null;
      })();
      groups.push(
        new Map<string, J>([
          ["offset", str === undefined ? -1 : s.indexOf(str, m.index)],
          ["length", str?.length ?? 0],
          ["string", str ?? null],
          ["name", name],
        ]),
      );
    }
    return new Map<string, J>([
      ["offset", m.index!],
      ["length", m[0].length],
      ["string", m[0]],
      ["captures", groups],
    ]);
  });
}

const truthy = (v: J) => v !== null && v !== false;
const rangeOf = (from: number, to: number, by: number): J[] => {
  const out: number[] = [];
  if (by > 0) for (let i = from; i < to; i += by) out.push(i);
  else if (by < 0) for (let i = from; i > to; i += by) out.push(i);
  return out;
};
const sortable = (v: J): J[] => {
  if (!Array.isArray(v)) throw new JqError(`${describe(v)} cannot be sorted, as it is not an array`);
  return v;
};

function deepMerge(a: JObj, b: JObj): JObj {
  const out = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    out.set(k, cur !== undefined && isObj(cur) && isObj(v) ? deepMerge(cur, v) : v);
  }
  return out;
}

function contains(a: J, b: J): boolean {
  if (typeOf(a) !== typeOf(b)) throw new JqError(`${describe(a)} and ${describe(b)} cannot have their containment checked`);
  if (typeof a === "string") return a.includes(b as string);
  if (Array.isArray(a)) return (b as J[]).every((y) => a.some((x) => typeOf(x) === typeOf(y) && contains(x, y)));
  if (isObj(a)) return [...(b as JObj)].every(([k, v]) => a.has(k) && contains(a.get(k)!, v));
  return equal(a, b);
}

function getpath(v: J, p: Path): J {
  let cur: J = v;
  for (const k of p) {
    if (cur === null) return null;
    if (typeof k === "object")
      cur = new Jq({ vars: new Map(), funcs: new Map() }, { now: 0, env: {} }).slice(cur, k.start ?? null, k.end ?? null);
    else if (typeof k === "string") {
      if (!isObj(cur)) throw new JqError(`Cannot index ${typeOf(cur)} with "${k}"`);
      cur = cur.get(k) ?? null;
    } else {
      if (!Array.isArray(cur)) throw new JqError(`Cannot index ${typeOf(cur)} with number`);
      cur = cur[k < 0 ? cur.length + k : k] ?? null;
    }
  }
  return cur;
}

function setpath(v: J, p: Path, x: J): J {
  if (!p.length) return x;
  const [k, ...rest] = p;
  if (typeof k === "string") {
    if (v !== null && !isObj(v)) throw new JqError(`Cannot index ${typeOf(v)} with "${k}"`);
    const o = new Map(v ?? []);
    o.set(k, setpath(o.get(k) ?? null, rest, x));
    return o;
  }
  if (typeof k === "number") {
    if (v !== null && !Array.isArray(v)) throw new JqError(`Cannot index ${typeOf(v)} with number`);
    const a = [...(v ?? [])];
    const i = k < 0 ? a.length + k : k;
    if (i < 0) throw new JqError("Out of bounds negative array index");
    while (a.length < i) a.push(null);
    a[i] = setpath(a[i] ?? null, rest, x);
    return a;
  }
  const a = (v ?? []) as J[];
  const len = a.length;
  const start = Math.max(0, Math.min(len, k.start == null ? 0 : k.start < 0 ? len + k.start : k.start));
  const end = Math.max(start, Math.min(len, k.end == null ? len : k.end < 0 ? len + k.end : k.end));
  const repl = setpath(a.slice(start, end), rest, x);
  if (!Array.isArray(repl)) throw new JqError("A slice of an array can only be assigned another array");
  return [...a.slice(0, start), ...repl, ...a.slice(end)];
}

function delpaths(v: J, paths: Path[]): J {
  // Longest paths first, later indices first, so earlier deletions do not shift later ones.
  const sorted = [...paths].sort((a, b) => compare(b as J, a as J));
  let out = v;
  for (const p of sorted) out = delpath(out, p);
  return out;
}

function delpath(v: J, p: Path): J {
  if (!p.length) return null;
  if (v === null) return null;
  const [k, ...rest] = p;
  if (rest.length) {
    const child = getpath(v, [k]);
    return child === null ? v : setpath(v, [k], delpath(child, rest));
  }
  if (typeof k === "string") {
    if (!isObj(v)) throw new JqError(`Cannot delete field at object index of ${typeOf(v)}`);
    const o = new Map(v);
    o.delete(k);
    return o;
  }
  if (!Array.isArray(v)) throw new JqError(`Cannot delete field at index of ${typeOf(v)}`);
  if (typeof k === "number") {
    const i = k < 0 ? v.length + k : k;
    return v.filter((_, j) => j !== i);
  }
  const len = v.length;
  const start = k.start == null ? 0 : k.start < 0 ? len + k.start : k.start;
  const end = k.end == null ? len : k.end < 0 ? len + k.end : k.end;
  return v.filter((_, j) => j < start || j >= end);
}

// ---- the command -------------------------------------------------------------------------------

const JQ_USAGE = `Usage:\tjq [OPTIONS] FILTER [FILES...]
\tjq [OPTIONS] --args FILTER [STRINGS...]
\tjq [OPTIONS] --jsonargs FILTER [JSON_TEXTS...]

jq is a tool for processing JSON inputs, applying the given filter to
its JSON text inputs and producing the filter's results as JSON on
standard output.

The simplest filter is ., which copies jq's input to its output
unmodified except for formatting. For more advanced usage see
the jq(1) manpage ("man jq") and/or https://jqlang.github.io/jq/.

Example:

\t$ echo '{"foo": 0}' | jq .
\t{
\t  "foo": 0
\t}

For listing the command options, use jq --help.
`;

const JQ_HELP_HINT =
  "Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n";

export function jq(args: string[], call: AppletCall): number {
  const { io } = call;
  const opts = {
    raw: false,
    join: false,
    compact: false,
    nullInput: false,
    exit: false,
    slurp: false,
    sort: false,
    rawInput: false,
    tab: false,
    indent: 2,
    ascii: false,
  };
  const named = new Map<string, J>();
  const positional: J[] = [];
  const rest: string[] = [];
  let restMode: "" | "args" | "jsonargs" = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (restMode && rest.length) {
      positional.push(restMode === "args" ? a : (parseJsonStream(a)[0] ?? null));
      continue;
    }
    if (a === "--arg" || a === "--argjson" || a === "--slurpfile" || a === "--rawfile") {
      const name = args[++i];
      const v = args[++i];
      if (v === undefined) {
        io.stderr(
          `jq: error: ${a} takes two parameters (e.g. ${a} varname ${a === "--arg" ? "value" : a === "--argjson" ? "text" : "filename"})\n${JQ_HELP_HINT}`,
        );
        return 2;
      }
      if (a === "--arg") named.set(name, v);
      else if (a === "--argjson") {
        try {
          const parsed = parseJsonStream(v);
          if (parsed.length !== 1) throw new JsonError("");
          named.set(name, parsed[0]);
        } catch (e) {
          if (!(e instanceof JsonError)) throw e;
          io.stderr(`jq: Invalid JSON text passed to --argjson\n${JQ_HELP_HINT}`);
          return 2;
        }
      } else {
        const input = readInput(v, call, "jq");
        if (!input) return 2;
        named.set(name, a === "--rawfile" ? input.text : parseJsonStream(input.text));
      }
      continue;
    }
    if (a === "--args" || a === "--jsonargs") {
      restMode = a === "--args" ? "args" : "jsonargs";
      continue;
    }
    if (a === "--indent") {
      opts.indent = Number(args[++i]);
      continue;
    }
    const long: Record<string, keyof typeof opts> = {
      "--raw-output": "raw",
      "--join-output": "join",
      "--compact-output": "compact",
      "--null-input": "nullInput",
      "--exit-status": "exit",
      "--slurp": "slurp",
      "--sort-keys": "sort",
      "--raw-input": "rawInput",
      "--tab": "tab",
      "--ascii-output": "ascii",
    };
    if (long[a]) {
      (opts as Record<string, unknown>)[long[a]] = true;
      continue;
    }
    if (a === "--monochrome-output" || a === "--color-output" || a === "--unbuffered" || a === "--seq" || a === "--stream-errors") continue;
    if (/^-[a-zA-Z]+$/.test(a)) {
      for (const c of a.slice(1)) {
        const map: Record<string, keyof typeof opts> = {
          r: "raw",
          j: "join",
          c: "compact",
          n: "nullInput",
          e: "exit",
          s: "slurp",
          S: "sort",
          R: "rawInput",
          a: "ascii",
        };
        if (map[c]) (opts as Record<string, unknown>)[map[c]] = true;
        else if (c === "M" || c === "C") continue;
        else {
          io.stderr(`jq: Unknown option ${a}\n${JQ_HELP_HINT}`);
          return 2;
        }
      }
      continue;
    }
    if (a.startsWith("--")) {
      io.stderr(`jq: Unknown option ${a}\n${JQ_HELP_HINT}`);
      return 2;
    }
    rest.push(a);
  }
  if (opts.join) opts.raw = true;
  // Without a filter, jq reading a pipe and writing to one filters with `.`.
  const filter = rest.shift() ?? (io.tty ? undefined : ".");
  if (filter === undefined) {
    io.stderr(JQ_USAGE);
    return 2;
  }
  let ast: Node;
  const env: Env = { vars: new Map(named), funcs: new Map() };
  env.vars.set(
    "ARGS",
    new Map<string, J>([
      ["positional", positional],
      ["named", new Map(named)],
    ]),
  );
  try {
    ast = parseJq(filter);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    io.stderr(`jq: error: ${e.message} at <top-level>, line 1:\n${filter}\njq: 1 compile error\n`);
    return 3;
  }
  // Inputs: each file's JSON texts in turn (stdin without files).
  const files = restMode ? [] : rest;
  let inputs: J[] = [];
  let inputName = "<stdin>";
  let parseError: string | undefined;
  let status = 0;
  if (!opts.nullInput || opts.slurp || opts.rawInput) {
    for (const f of files.length ? files : ["-"]) {
      const input = readInput(f, call, "jq");
      if (!input) {
        status = 2;
        continue;
      }
      if (f !== "-") inputName = f;
      if (opts.rawInput) {
        inputs.push(
          ...(opts.slurp
            ? [input.text]
            : input.text
                .replace(/\n$/, "")
                .split("\n")
                .filter((_, i, arr) => input.text !== "" || arr.length > 1)),
        );
        continue;
      }
      try {
        inputs.push(...parseJsonStream(input.text));
      } catch (e) {
        if (!(e instanceof JsonError)) throw e;
        // The values before the bad text are still processed.
        parseError = e.message;
        let ok = input.text;
        while (ok.length) {
          ok = ok.slice(0, -1);
          try {
            inputs.push(...parseJsonStream(ok));
            break;
          } catch {
            /* shorter */
          }
        }
        break;
      }
    }
    if (opts.slurp && !opts.rawInput) inputs = [inputs];
    if (opts.slurp && opts.rawInput) inputs = [inputs.join("")];
  }
  if (opts.nullInput) inputs = [null];
  const machine = new Jq(env, {
    now: call.s.ctx.now(),
    env: Object.fromEntries([...call.s.exported].filter((k) => call.s.vars[k] !== undefined).map((k) => [k, call.s.vars[k]])),
  });
  const indent = opts.tab ? "tab" : opts.compact ? 0 : opts.indent;
  // Where an error happened: the input's name and last line read; -n reads nothing.
  const where = () => (opts.nullInput ? "<unknown>" : `${inputName}:${lineOf(call, inputName)}`);
  let last: J | undefined;
  let produced = false;
  let out = "";
  for (const input of inputs) {
    try {
      machine.stream(ast, input, env, (v) => {
        produced = true;
        last = v;
        out += opts.raw && typeof v === "string" ? v : dump(v, indent, opts.sort, opts.ascii);
        if (!opts.join) out += "\n";
      });
    } catch (e) {
      if (e instanceof JqError) {
        io.stdout(out);
        out = "";
        io.stderr(`jq: error (at ${where()})${typeof e.value === "string" ? `: ${e.value}` : ` (not a string): ${dump(e.value, 0)}`}\n`);
        status = 5;
        continue;
      }
      if (e instanceof CompileError) {
        io.stderr(`jq: error: ${e.message} at <top-level>, line 1:\n${filter}\njq: 1 compile error\n`);
        return 3;
      }
      if (e instanceof HaltJq) {
        io.stdout(out);
        if (e.value !== undefined) io.stderr(typeof e.value === "string" ? e.value : `${dump(e.value, 0)}\n`);
        return e.code;
      }
      if (e instanceof BreakOut) {
        io.stderr(`jq: error (at ${where()}): break\n`);
        status = 5;
        continue;
      }
      // A builtin given a value of a type it does not check for: an error of this input, not of the shell.
      if (e instanceof TypeError || e instanceof RangeError) {
        io.stdout(out);
        out = "";
        io.stderr(`jq: error (at ${where()}): ${e.message}\n`);
        status = 5;
        continue;
      }
      throw e;
    }
  }
  io.stdout(out);
  if (parseError) {
    io.stderr(
      `jq: error (at ${inputName}:${lineOf(call, inputName)}): Cannot parse input: ${parseError}\n`.replace(
        /^jq: error \(at [^)]*\): Cannot parse input: /,
        "jq: parse error: ",
      ),
    );
    return 2;
  }
  if (status) return status;
  if (opts.exit) return !produced ? 4 : truthy(last ?? null) ? 0 : 1;
  return 0;
}

/** The line jq reports an error at: the last line of the input it has read. */
function lineOf(call: AppletCall, name: string): number {
  const text =
    name === "<stdin>" ? call.stdin : (call.s.ctx.fs.read(name.startsWith("/") ? name : `${call.s.cwd.replace(/\/$/, "")}/${name}`) ?? "");
  return (text.match(/\n/g) ?? []).length || 1;
}
