// awk: the language scripts use — patterns and ranges, BEGIN/END, fields and NF/NR/FNR/FS/OFS/ORS,
// variables (-v, name=value operands), arithmetic, concatenation, comparisons with awk's
// number-or-string rules, ~ !~, if/while/do/for/for-in, associative arrays, delete, next, exit,
// functions, print/printf (to > >> files), getline, and the string builtins. Debian's awk is mawk,
// Alpine's and busybox's is busybox awk: their error words differ.
import { resolvePath } from "../fs";
import type { AppletCall } from "./applets";
import { HaltSignal } from "./interp";
import { posixToJs, RegexError } from "./regex";
import { getopts, OptError, readInput, usageError, variantOf, type Options } from "./textio";

// ---- values ------------------------------------------------------------------------------------

/** Input text (fields, getline, -v): compares as a number when it looks like one. */
class StrNum {
  constructor(readonly s: string) {}
}
type Val = number | string | StrNum | undefined;

const NUMERIC = /^[ \t\n]*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)[ \t\n]*$/;
const LEADING_NUMBER = /^[ \t\n]*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/;

function toNum(v: Val): number {
  if (typeof v === "number") return v;
  if (v === undefined) return 0;
  const s = typeof v === "string" ? v : v.s;
  const m = LEADING_NUMBER.exec(s);
  return m ? Number(m[0].trim()) : 0;
}

/** Integers below this print as integers; mawk's limit is its C int's, busybox's a double's exactness. */
let intLimit = 1e16;

function toStr(v: Val, fmt = "%.6g"): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (v instanceof StrNum) return v.s;
  if (Number.isInteger(v) && Math.abs(v) < intLimit) return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return sprintf(fmt, [v]);
}

const isNumeric = (v: Val) => typeof v === "number" || v === undefined || (v instanceof StrNum && NUMERIC.test(v.s));
const truthy = (v: Val) =>
  typeof v === "number"
    ? v !== 0
    : v === undefined
      ? false
      : v instanceof StrNum
        ? NUMERIC.test(v.s)
          ? toNum(v) !== 0
          : v.s !== ""
        : v !== "";

function compare(a: Val, b: Val): number {
  if (isNumeric(a) && isNumeric(b)) return toNum(a) - toNum(b);
  const x = toStr(a);
  const y = toStr(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** %g as C prints it: precision significant digits, trailing zeros dropped (kept with #). */
function formatG(n: number, prec: number, upper: boolean, alt: boolean): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf";
  const p = prec === 0 ? 1 : prec;
  if (n === 0) return alt ? `0.${"0".repeat(p - 1)}` : "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toExponential(p - 1)))));
  let out: string;
  if (exp < -4 || exp >= p) {
    out = n.toExponential(p - 1);
    let [mant, e] = out.split("e");
    if (!alt && mant.includes(".")) mant = mant.replace(/\.?0+$/, "");
    const sign = e[0] === "-" ? "-" : "+";
    const digits = e.replace(/^[-+]/, "").padStart(2, "0");
    out = `${mant}e${sign}${digits}`;
  } else {
    out = n.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && out.includes(".")) out = out.replace(/\.?0+$/, "");
  }
  return upper ? out.toUpperCase() : out;
}

/** printf/sprintf: %d %i %o %x %X %u %c %s %e %E %f %g %G %% with flags, width, precision and *. */
export function sprintf(fmt: string, args: Val[], strict = false, name = "sprintf"): string {
  let i = 0;
  const next = () => {
    // mawk refuses a format with more conversions than arguments.
    if (strict && i >= args.length) throw new AwkRuntime(`not enough arguments passed to ${name}("${fmt}")`, "");
    return args[i++];
  };
  return fmt.replace(
    /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXcseEfgG%])/g,
    (_, flags: string, w: string | undefined, p: string | undefined, conv: string) => {
      if (conv === "%") return "%";
      let width = w === "*" ? toNum(next()) : w ? Number(w) : 0;
      let left = flags.includes("-");
      if (width < 0) {
        left = true;
        width = -width;
      }
      const prec = p === "*" ? toNum(next()) : p !== undefined ? Number(p || 0) : undefined;
      const v = next();
      let body: string;
      let numeric = true;
      switch (conv) {
        case "d":
        case "i": {
          const n = Math.trunc(toNum(v));
          body = String(Math.abs(n));
          if (prec !== undefined) body = body.padStart(prec, "0");
          body = (n < 0 ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + body;
          break;
        }
        case "o":
        case "x":
        case "X":
        case "u": {
          let n = Math.trunc(toNum(v));
          if (n < 0) n = 2 ** 64 + n;
          body = n.toString(conv === "o" ? 8 : conv === "u" ? 10 : 16);
          if (conv === "X") body = body.toUpperCase();
          if (prec !== undefined) body = body.padStart(prec, "0");
          if (flags.includes("#") && n) body = (conv === "o" ? "0" : conv === "x" ? "0x" : conv === "X" ? "0X" : "") + body;
          break;
        }
        case "c":
          numeric = false;
          body = typeof v === "number" ? String.fromCharCode(v) : toStr(v).slice(0, 1);
          break;
        case "s":
          numeric = false;
          body = toStr(v);
          if (prec !== undefined) body = body.slice(0, prec);
          break;
        default: {
          const n = toNum(v);
          const pr = prec ?? 6;
          if (conv === "f") body = Number.isFinite(n) ? Math.abs(n).toFixed(pr) : Math.abs(n) === Infinity ? "inf" : "nan";
          else if (conv === "e" || conv === "E") {
            const [m, e] = Math.abs(n).toExponential(pr).split("e");
            body = `${m}e${e[0] === "-" ? "-" : "+"}${e.replace(/^[-+]/, "").padStart(2, "0")}`;
            if (conv === "E") body = body.toUpperCase();
          } else body = formatG(Math.abs(n), pr, conv === "G", flags.includes("#"));
          body = (n < 0 || Object.is(n, -0) ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + body;
        }
      }
      if (body.length >= width) return body;
      if (left) return body.padEnd(width);
      if (numeric && flags.includes("0") && prec === undefined) {
        const sign = /^[-+ ]/.test(body) ? body[0] : "";
        return sign + body.slice(sign.length).padStart(width - sign.length, "0");
      }
      return body.padStart(width);
    },
  );
}

// ---- lexer -------------------------------------------------------------------------------------

type Tok = { t: string; v?: string | number; line: number };

const KEYWORDS = new Set([
  "BEGIN",
  "END",
  "function",
  "func",
  "if",
  "else",
  "while",
  "for",
  "do",
  "break",
  "continue",
  "next",
  "nextfile",
  "exit",
  "return",
  "delete",
  "in",
  "getline",
  "print",
  "printf",
]);
const BUILTINS = new Set([
  "length",
  "substr",
  "index",
  "split",
  "sub",
  "gsub",
  "match",
  "sprintf",
  "tolower",
  "toupper",
  "int",
  "sqrt",
  "exp",
  "log",
  "sin",
  "cos",
  "atan2",
  "rand",
  "srand",
  "system",
  "close",
  "fflush",
]);

/** The arguments each builtin needs (fewer is a compile error). */
const MIN_ARGS: Record<string, number> = {
  substr: 2,
  index: 2,
  split: 2,
  sub: 2,
  gsub: 2,
  match: 2,
  sprintf: 1,
  tolower: 1,
  toupper: 1,
  int: 1,
  sqrt: 1,
  exp: 1,
  log: 1,
  sin: 1,
  cos: 1,
  atan2: 2,
  system: 1,
  close: 1,
};

class AwkSyntax {
  constructor(
    readonly line: number,
    readonly near: string,
  ) {}
}

function lex(src: string, gnu: boolean): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let i = 0;
  // A / starts a regex where an operand is expected.
  const regexAllowed = () => {
    const last = toks[toks.length - 1];
    if (!last) return true;
    return !["NUMBER", "STRING", "ERE", "NAME", "FUNC_NAME", "BUILTIN", ")", "]", "++", "--"].includes(last.t);
  };
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      line++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\n") {
      toks.push({ t: "NEWLINE", line });
      line++;
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      let s = "";
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\n") throw new AwkSyntax(line, "runaway string");
        if (src[i] === "\\") {
          const n = src[++i];
          const oct = /^[0-7]{1,3}/.exec(src.slice(i));
          if (oct) {
            s += String.fromCharCode(parseInt(oct[0], 8));
            i += oct[0].length;
            continue;
          }
          s +=
            ({ n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "/": "/", a: "\x07", b: "\b", f: "\f", v: "\v" } as Record<string, string>)[
              n
            ] ?? `\\${n}`;
          i++;
          continue;
        }
        s += src[i++];
      }
      if (i >= src.length) throw new AwkSyntax(line, "runaway string");
      i++;
      toks.push({ t: "STRING", v: s, line });
      continue;
    }
    if (c === "/" && regexAllowed()) {
      let s = "";
      i++;
      let inBracket = false;
      while (i < src.length && (src[i] !== "/" || inBracket)) {
        if (src[i] === "\n") throw new AwkSyntax(line, "runaway regular expression");
        if (src[i] === "\\" && src[i + 1] === "/") {
          s += "/";
          i += 2;
          continue;
        }
        if (src[i] === "\\") {
          s += src[i] + (src[i + 1] ?? "");
          i += 2;
          continue;
        }
        if (src[i] === "[") inBracket = true;
        else if (src[i] === "]" && inBracket && s[s.length - 1] !== "[") inBracket = false;
        s += src[i++];
      }
      i++;
      toks.push({ t: "ERE", v: s, line });
      continue;
    }
    const num = /^(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num) {
      toks.push({ t: "NUMBER", v: Number(num[0]), line });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      i += w.length;
      if (KEYWORDS.has(w)) toks.push({ t: w === "func" ? "function" : w, line });
      else if (BUILTINS.has(w)) toks.push({ t: "BUILTIN", v: w, line });
      else toks.push({ t: src[i] === "(" ? "FUNC_NAME" : "NAME", v: w, line });
      continue;
    }
    const op = /^(\+=|-=|\*=|\/=|%=|\^=|\*\*=|==|<=|>=|!=|\+\+|--|&&|\|\||>>|!~|\*\*|[{}()[\];,+\-*/%^!><|?:~$=])/.exec(src.slice(i));
    if (!op) throw new AwkSyntax(line, c);
    // ** is busybox's (and gawk's) power operator; mawk knows only ^.
    if (gnu && (op[0] === "**" || op[0] === "**=")) throw new AwkSyntax(line, "*");
    toks.push({ t: op[0] === "**" ? "^" : op[0] === "**=" ? "^=" : op[0], line });
    i += op[0].length;
  }
  toks.push({ t: "EOF", line });
  return toks;
}

// ---- parser ------------------------------------------------------------------------------------

type Expr =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  | { k: "re"; re: RegExp }
  | { k: "var"; name: string }
  | { k: "field"; e: Expr }
  | { k: "index"; name: string; subs: Expr[] }
  | { k: "assign"; op: string; target: Expr; e: Expr }
  | { k: "cond"; c: Expr; a: Expr; b: Expr }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "un"; op: string; e: Expr }
  | { k: "incdec"; op: string; prefix: boolean; target: Expr }
  | { k: "in"; subs: Expr[]; name: string }
  | { k: "match"; neg: boolean; e: Expr; re: Expr }
  | { k: "call"; name: string; args: Expr[] }
  | { k: "builtin"; name: string; args: Expr[] }
  | { k: "getline"; target?: Expr; file?: Expr }
  | { k: "group"; e: Expr };

type Stmt =
  | { k: "expr"; e: Expr }
  | { k: "print"; printf: boolean; args: Expr[]; dest?: { op: string; e: Expr } }
  | { k: "block"; body: Stmt[] }
  | { k: "if"; c: Expr; then: Stmt; else?: Stmt }
  | { k: "while"; c: Expr; body: Stmt }
  | { k: "do"; c: Expr; body: Stmt }
  | { k: "for"; init?: Stmt; c?: Expr; step?: Stmt; body: Stmt }
  | { k: "forin"; v: string; arr: string; body: Stmt }
  | { k: "next" }
  | { k: "nextfile" }
  | { k: "break" }
  | { k: "continue" }
  | { k: "exit"; e?: Expr }
  | { k: "return"; e?: Expr }
  | { k: "delete"; name: string; subs?: Expr[] };

interface Rule {
  kind: "begin" | "end" | "main";
  pattern?: Expr;
  range?: [Expr, Expr];
  body?: Stmt[];
  inRange?: boolean;
}

interface Func {
  params: string[];
  body: Stmt[];
}

function parse(src: string, gnu: boolean): { rules: Rule[]; funcs: Map<string, Func> } {
  const toks = lex(src, gnu);
  let p = 0;
  const peek = (o = 0) => toks[p + o];
  const at = (t: string) => toks[p].t === t;
  const fail = (): never => {
    const tok = toks[p];
    throw new AwkSyntax(
      tok.line,
      tok.t === "EOF" ? "end of file" : tok.t === "NEWLINE" ? "end of line" : tok.v !== undefined ? String(tok.v) : tok.t,
    );
  };
  const eat = (t: string) => {
    if (!at(t)) fail();
    return toks[p++];
  };
  const nl = () => {
    while (at("NEWLINE")) p++;
  };
  const terms = () => {
    while (at("NEWLINE") || at(";")) p++;
  };
  const rules: Rule[] = [];
  const funcs = new Map<string, Func>();

  const regexOf = (src: string): RegExp => new RegExp(posixToJs(src, true));

  // Expressions, lowest precedence first. `noIn` for for(… in …) heads, `noGt` inside print's list.
  const expr = (noGt = false, noIn = false): Expr => ternary(noGt, noIn);
  const ternary = (noGt: boolean, noIn: boolean): Expr => {
    const c = or(noGt, noIn);
    if (at("?")) {
      p++;
      nl();
      const a = ternary(noGt, noIn);
      nl();
      eat(":");
      nl();
      const b = ternary(noGt, noIn);
      return { k: "cond", c, a, b };
    }
    if (["=", "+=", "-=", "*=", "/=", "%=", "^="].includes(toks[p].t) && (c.k === "var" || c.k === "field" || c.k === "index")) {
      const op = toks[p++].t;
      nl();
      return { k: "assign", op, target: c, e: ternary(noGt, noIn) };
    }
    return c;
  };
  const or = (noGt: boolean, noIn: boolean): Expr => {
    let a = and(noGt, noIn);
    while (at("||")) {
      p++;
      nl();
      a = { k: "bin", op: "||", a, b: and(noGt, noIn) };
    }
    return a;
  };
  const and = (noGt: boolean, noIn: boolean): Expr => {
    let a = inExpr(noGt, noIn);
    while (at("&&")) {
      p++;
      nl();
      a = { k: "bin", op: "&&", a, b: inExpr(noGt, noIn) };
    }
    return a;
  };
  const inExpr = (noGt: boolean, noIn: boolean): Expr => {
    let a = matchExpr(noGt, noIn);
    while (!noIn && at("in")) {
      p++;
      const name = String(eat("NAME").v);
      a = { k: "in", subs: [a], name };
    }
    return a;
  };
  const matchExpr = (noGt: boolean, noIn: boolean): Expr => {
    let a = relational(noGt, noIn);
    while (at("~") || at("!~")) {
      const neg = toks[p++].t === "!~";
      a = { k: "match", neg, e: a, re: relational(noGt, noIn) };
    }
    return a;
  };
  const relational = (noGt: boolean, noIn: boolean): Expr => {
    const a = concat(noGt, noIn);
    const t = toks[p].t;
    if (["<", "<=", "!=", "==", ">=", ...(noGt ? [] : [">"])].includes(t)) {
      p++;
      return { k: "bin", op: t, a, b: concat(noGt, noIn) };
    }
    return a;
  };
  const startsOperand = () =>
    ["NUMBER", "STRING", "ERE", "NAME", "FUNC_NAME", "BUILTIN", "$", "!", "(", "-", "+", "++", "--"].includes(toks[p].t);
  const concat = (noGt: boolean, noIn: boolean): Expr => {
    let a = additive();
    while (startsOperand() && !at("-") && !at("+") && !at("!") && !(noIn && at("in"))) a = { k: "bin", op: "concat", a, b: additive() };
    void noGt;
    return a;
  };
  const additive = (): Expr => {
    let a = multiplicative();
    while (at("+") || at("-")) {
      const op = toks[p++].t;
      a = { k: "bin", op, a, b: multiplicative() };
    }
    return a;
  };
  const multiplicative = (): Expr => {
    let a = unary();
    while (at("*") || at("/") || at("%")) {
      const op = toks[p++].t;
      a = { k: "bin", op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Expr => {
    if (at("!")) {
      p++;
      return { k: "un", op: "!", e: unary() };
    }
    if (at("-")) {
      p++;
      return { k: "un", op: "-", e: unary() };
    }
    if (at("+")) {
      p++;
      return { k: "un", op: "+", e: unary() };
    }
    return power();
  };
  const power = (): Expr => {
    const a = postfix();
    if (at("^")) {
      p++;
      return { k: "bin", op: "^", a, b: unaryPow() };
    }
    return a;
  };
  // The right side of ^ may be signed: 2^-1.
  const unaryPow = (): Expr => (at("-") ? (p++, { k: "un", op: "-", e: unaryPow() }) : at("+") ? (p++, unaryPow()) : power());
  const postfix = (): Expr => {
    if (at("++") || at("--")) {
      const op = toks[p++].t;
      return { k: "incdec", op, prefix: true, target: postfix() };
    }
    const e = primary();
    if ((at("++") || at("--")) && (e.k === "var" || e.k === "field" || e.k === "index")) {
      const op = toks[p++].t;
      return { k: "incdec", op, prefix: false, target: e };
    }
    return e;
  };
  const args = (): Expr[] => {
    eat("(");
    nl();
    const list: Expr[] = [];
    while (!at(")")) {
      list.push(expr());
      nl();
      if (at(",")) {
        p++;
        nl();
      } else break;
    }
    eat(")");
    return list;
  };
  const primary = (): Expr => {
    const tok = toks[p];
    switch (tok.t) {
      case "NUMBER":
        p++;
        return { k: "num", v: tok.v as number };
      case "STRING":
        p++;
        return { k: "str", v: tok.v as string };
      case "ERE":
        p++;
        return { k: "re", re: regexOf(tok.v as string) };
      case "$":
        p++;
        return { k: "field", e: postfixNoIncr() };
      case "(": {
        p++;
        const first = expr();
        if (at(",")) {
          // (a, b) in arr
          const subs = [first];
          while (at(",")) {
            p++;
            subs.push(expr());
          }
          eat(")");
          eat("in");
          return { k: "in", subs, name: String(eat("NAME").v) };
        }
        eat(")");
        return { k: "group", e: first };
      }
      case "FUNC_NAME": {
        p++;
        return { k: "call", name: tok.v as string, args: args() };
      }
      case "BUILTIN": {
        p++;
        const name = tok.v as string;
        if (name === "length" && !at("(")) return { k: "builtin", name, args: [] };
        const list = args();
        if (list.length < (MIN_ARGS[name] ?? 0)) throw new AwkSyntax(tok.line, ")");
        return { k: "builtin", name, args: list };
      }
      case "NAME": {
        p++;
        if (at("[")) {
          p++;
          const subs = [expr()];
          while (at(",")) {
            p++;
            subs.push(expr());
          }
          eat("]");
          return { k: "index", name: tok.v as string, subs };
        }
        return { k: "var", name: tok.v as string };
      }
      case "getline": {
        p++;
        const target = at("NAME") || at("$") ? postfix() : undefined;
        if (at("<")) {
          p++;
          return { k: "getline", target, file: primary() };
        }
        return { k: "getline", target };
      }
      case "-":
        p++;
        return { k: "un", op: "-", e: primary() };
      case "!":
        p++;
        return { k: "un", op: "!", e: primary() };
    }
    return fail();
  };
  const postfixNoIncr = (): Expr => {
    if (at("++") || at("--")) {
      const op = toks[p++].t;
      return { k: "incdec", op, prefix: true, target: primary() };
    }
    if (at("-")) {
      p++;
      return { k: "un", op: "-", e: primary() };
    }
    return primary();
  };

  const simple = (): Stmt => {
    if (at("print") || at("printf")) {
      const printf = toks[p++].t === "printf";
      let list: Expr[] = [];
      if (at("(")) {
        // print (a, b) > "f" — a parenthesised list, or just a grouped first expression.
        const save = p;
        p++;
        const inner: Expr[] = [];
        try {
          while (!at(")")) {
            inner.push(expr());
            nl();
            if (at(",")) {
              p++;
              nl();
            } else break;
          }
          eat(")");
          if (startsOperand() && !at("(")) throw new AwkSyntax(0, "");
          if (!at(";") && !at("NEWLINE") && !at("}") && !at(">") && !at(">>") && !at("|") && !at("EOF")) throw new AwkSyntax(0, "");
          list = inner;
        } catch (e) {
          if (!(e instanceof AwkSyntax)) throw e;
          p = save;
          list = [];
        }
      }
      if (!list.length && !at(";") && !at("NEWLINE") && !at("}") && !at(">") && !at(">>") && !at("|") && !at("EOF")) {
        list.push(expr(true));
        while (at(",")) {
          p++;
          nl();
          list.push(expr(true));
        }
      }
      let dest: { op: string; e: Expr } | undefined;
      if (at(">") || at(">>") || at("|")) {
        const op = toks[p++].t;
        dest = { op, e: concat(true, false) };
      }
      return { k: "print", printf, args: list, dest };
    }
    if (at("delete")) {
      p++;
      const name = String(eat("NAME").v);
      if (at("[")) {
        p++;
        const subs = [expr()];
        while (at(",")) {
          p++;
          subs.push(expr());
        }
        eat("]");
        return { k: "delete", name, subs };
      }
      return { k: "delete", name };
    }
    return { k: "expr", e: expr() };
  };
  const stmt = (): Stmt => {
    const tok = toks[p];
    switch (tok.t) {
      case "{":
        return { k: "block", body: block() };
      case "if": {
        p++;
        eat("(");
        const c = expr();
        eat(")");
        nl();
        const then = stmtOrEmpty();
        const save = p;
        terms();
        if (at("else")) {
          p++;
          nl();
          return { k: "if", c, then, else: stmtOrEmpty() };
        }
        p = save;
        return { k: "if", c, then };
      }
      case "while": {
        p++;
        eat("(");
        const c = expr();
        eat(")");
        if (at(";")) {
          p++;
          return { k: "while", c, body: { k: "block", body: [] } };
        }
        nl();
        return { k: "while", c, body: stmtOrEmpty() };
      }
      case "do": {
        p++;
        nl();
        const body = stmtOrEmpty();
        terms();
        eat("while");
        eat("(");
        const c = expr();
        eat(")");
        return { k: "do", c, body };
      }
      case "for": {
        p++;
        eat("(");
        if (at("NAME") && peek(1).t === "in" && peek(2).t === "NAME" && peek(3).t === ")") {
          const v = String(toks[p].v);
          p += 2;
          const arr = String(toks[p].v);
          p += 2;
          nl();
          return { k: "forin", v, arr, body: stmtOrEmpty() };
        }
        const init = at(";") ? undefined : simple();
        eat(";");
        nl();
        const c = at(";") ? undefined : expr();
        eat(";");
        nl();
        const step = at(")") ? undefined : simple();
        eat(")");
        if (at(";")) {
          p++;
          return { k: "for", init, c, step, body: { k: "block", body: [] } };
        }
        nl();
        return { k: "for", init, c, step, body: stmtOrEmpty() };
      }
      case "next":
        p++;
        return { k: "next" };
      case "nextfile":
        p++;
        return { k: "nextfile" };
      case "break":
        p++;
        return { k: "break" };
      case "continue":
        p++;
        return { k: "continue" };
      case "exit": {
        p++;
        const e = at(";") || at("NEWLINE") || at("}") || at("EOF") ? undefined : expr();
        return { k: "exit", e };
      }
      case "return": {
        p++;
        const e = at(";") || at("NEWLINE") || at("}") ? undefined : expr();
        return { k: "return", e };
      }
    }
    return simple();
  };
  const stmtOrEmpty = (): Stmt => {
    if (at(";")) {
      p++;
      return { k: "block", body: [] };
    }
    const s = stmt();
    return s;
  };
  const block = (): Stmt[] => {
    eat("{");
    const body: Stmt[] = [];
    terms();
    while (!at("}")) {
      if (at("EOF")) fail();
      body.push(stmt());
      if (!at("}") && !at(";") && !at("NEWLINE")) fail();
      terms();
    }
    eat("}");
    return body;
  };

  terms();
  while (!at("EOF")) {
    if (at("BEGIN")) {
      p++;
      nl();
      rules.push({ kind: "begin", body: block() });
    } else if (at("END")) {
      p++;
      nl();
      rules.push({ kind: "end", body: block() });
    } else if (at("function")) {
      p++;
      const name = String(at("FUNC_NAME") || at("NAME") ? toks[p++].v : fail());
      eat("(");
      const params: string[] = [];
      while (!at(")")) {
        params.push(String(eat("NAME").v));
        if (at(",")) {
          p++;
          nl();
        }
      }
      eat(")");
      nl();
      funcs.set(name, { params, body: block() });
    } else {
      const rule: Rule = { kind: "main" };
      if (!at("{")) {
        const a = expr();
        if (at(",")) {
          p++;
          nl();
          rule.range = [a, expr()];
        } else rule.pattern = a;
      }
      if (at("{")) rule.body = block();
      rules.push(rule);
      if (!rule.body && !at("EOF") && !at(";") && !at("NEWLINE")) fail();
    }
    // A rule's closing brace may be followed by the next rule on the same line.
    terms();
  }
  return { rules, funcs };
}

// ---- interpreter -------------------------------------------------------------------------------

class NextSignal {}
class NextFileSignal {}
class ExitAwk {
  constructor(readonly code: number) {}
}
class BreakSignal {}
class ContinueSignal {}
class ReturnSignal {
  constructor(readonly v: Val) {}
}
class AwkRuntime {
  constructor(
    readonly gnu: string,
    readonly busybox: string,
  ) {}
}

const STEP_LIMIT = 5_000_000;

class Awk {
  globals = new Map<string, Val>();
  arrays = new Map<string, Map<string, Val>>();
  frames: { vars: Map<string, Val>; arrays: Map<string, Map<string, Val>> }[] = [];
  record = "";
  fields: string[] | undefined = [];
  nf = 0;
  out = "";
  files = new Map<string, string>();
  steps = 0;
  regexCache = new Map<string, RegExp>();
  /** The main input: the lines still to read (getline takes from it too). */
  pending: string[] = [];
  randSeed = 0;
  prevSeed = 0;

  readonly gnu: boolean;

  constructor(
    readonly prog: { rules: Rule[]; funcs: Map<string, Func> },
    readonly call: AppletCall,
  ) {
    this.gnu = variantOf(call) === "gnu";
    intLimit = this.gnu ? 2 ** 31 : 1e16;
    for (const [k, v] of Object.entries({
      FS: " ",
      OFS: " ",
      ORS: "\n",
      RS: "\n",
      NR: 0,
      NF: 0,
      FNR: 0,
      SUBSEP: "\x1c",
      CONVFMT: "%.6g",
      OFMT: "%.6g",
      RSTART: 0,
      RLENGTH: -1,
      FILENAME: "",
    }))
      this.globals.set(k, v);
  }

  getVar(name: string): Val {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.vars.has(name)) return frame.vars.get(name);
    if (name === "NF") {
      this.split();
      return this.nf;
    }
    return this.globals.get(name);
  }

  setVar(name: string, v: Val): void {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.vars.has(name)) {
      frame.vars.set(name, v);
      return;
    }
    if (name === "NF") {
      this.split();
      const n = Math.trunc(toNum(v));
      while (this.fields!.length < n) this.fields!.push("");
      this.fields!.length = n;
      this.nf = n;
      this.rebuild();
      return;
    }
    this.globals.set(name, v);
  }

  array(name: string): Map<string, Val> {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.arrays.has(name)) return frame.arrays.get(name)!;
    if (frame?.vars.has(name) && frame.vars.get(name) === undefined) {
      // An unused local becomes a local array.
      const a = new Map<string, Val>();
      frame.vars.delete(name);
      frame.arrays.set(name, a);
      return a;
    }
    let a = this.arrays.get(name);
    if (!a) this.arrays.set(name, (a = new Map()));
    return a;
  }

  regex(src: string): RegExp {
    let re = this.regexCache.get(src);
    if (!re) {
      try {
        re = new RegExp(posixToJs(src, true));
      } catch (e) {
        if (!(e instanceof RegexError) && !(e instanceof globalThis.SyntaxError)) throw e;
        throw new AwkRuntime(`regular expression compile failed (missing operand)\n${src}`, `bad regex '${src}'`);
      }
      this.regexCache.set(src, re);
    }
    return re;
  }

  toRegex(e: Expr): RegExp {
    return e.k === "re" ? e.re : this.regex(toStr(this.eval(e)));
  }

  setRecord(text: string): void {
    this.record = text;
    this.fields = undefined;
  }

  /** Split $0 by FS: runs of blanks by default, one literal character, or an ERE. */
  split(): void {
    if (this.fields) return;
    this.fields = this.splitBy(this.record, toStr(this.globals.get("FS")));
    this.nf = this.fields.length;
  }

  splitBy(text: string, fs: string): string[] {
    if (fs === " ") return text.split(/[ \t\n]+/).filter(Boolean);
    if (text === "") return [];
    if (fs.length === 1 && fs !== "\\") return text.split(fs === "\t" ? "\t" : fs);
    return text.split(new RegExp(posixToJs(fs, true)));
  }

  rebuild(): void {
    this.record = this.fields!.join(toStr(this.globals.get("OFS")));
  }

  getField(i: number): Val {
    if (i < 0) throw new AwkRuntime(`trying to access out of range field ${i}`, `access to negative field`);
    if (i === 0) return new StrNum(this.record);
    this.split();
    return i <= this.nf ? new StrNum(this.fields![i - 1]) : undefined;
  }

  setField(i: number, v: Val): void {
    if (i === 0) {
      this.setRecord(toStr(v, toStr(this.globals.get("CONVFMT"))));
      return;
    }
    this.split();
    while (this.fields!.length < i) this.fields!.push("");
    this.fields![i - 1] = toStr(v, toStr(this.globals.get("CONVFMT")));
    this.nf = this.fields!.length;
    this.rebuild();
  }

  str(v: Val): string {
    return toStr(v, toStr(this.globals.get("CONVFMT")));
  }

  subscript(subs: Expr[]): string {
    return subs.map((s) => this.str(this.eval(s))).join(toStr(this.globals.get("SUBSEP")));
  }

  assign(target: Expr, v: Val): Val {
    if (target.k === "var") this.setVar(target.name, v);
    else if (target.k === "field") this.setField(Math.trunc(toNum(this.eval(target.e))), v);
    else if (target.k === "index") this.array(target.name).set(this.subscript(target.subs), v);
    else if (target.k === "group") return this.assign(target.e, v);
    return v;
  }

  lvalue(target: Expr): Val {
    if (target.k === "var") return this.getVar(target.name);
    if (target.k === "field") return this.getField(Math.trunc(toNum(this.eval(target.e))));
    if (target.k === "index") {
      const a = this.array(target.name);
      const k = this.subscript(target.subs);
      if (!a.has(k)) a.set(k, undefined);
      return a.get(k);
    }
    return this.eval(target);
  }

  arith(op: string, a: number, b: number): number {
    switch (op) {
      case "+":
        return a + b;
      case "-":
        return a - b;
      case "*":
        return a * b;
      // mawk divides by zero as C does (inf, nan); busybox stops.
      case "/":
        if (b === 0 && !this.gnu) throw new AwkRuntime("division by zero", "Division by zero");
        return a / b;
      case "%":
        if (b === 0 && !this.gnu) throw new AwkRuntime("division by zero in %", "Division by zero");
        return a % b;
      default:
        return a ** b;
    }
  }

  eval(e: Expr): Val {
    switch (e.k) {
      case "num":
        return e.v;
      case "str":
        return e.v;
      case "re":
        return Number(e.re.test(this.record));
      case "group":
        return this.eval(e.e);
      case "var":
        return this.getVar(e.name);
      case "field":
        return this.getField(Math.trunc(toNum(this.eval(e.e))));
      case "index":
        return this.lvalue(e);
      case "assign": {
        if (e.op === "=") {
          const v = this.eval(e.e);
          return this.assign(e.target, v instanceof StrNum ? v : typeof v === "number" ? v : v);
        }
        const b = toNum(this.eval(e.e));
        const a = toNum(this.lvalue(e.target));
        return this.assign(e.target, this.arith(e.op[0], a, b));
      }
      case "cond":
        return truthy(this.eval(e.c)) ? this.eval(e.a) : this.eval(e.b);
      case "bin": {
        if (e.op === "&&") return Number(truthy(this.eval(e.a)) && truthy(this.eval(e.b)));
        if (e.op === "||") return Number(truthy(this.eval(e.a)) || truthy(this.eval(e.b)));
        if (e.op === "concat") return this.str(this.eval(e.a)) + this.str(this.eval(e.b));
        const a = this.eval(e.a);
        const b = this.eval(e.b);
        switch (e.op) {
          case "<":
            return Number(compare(a, b) < 0);
          case "<=":
            return Number(compare(a, b) <= 0);
          case ">":
            return Number(compare(a, b) > 0);
          case ">=":
            return Number(compare(a, b) >= 0);
          case "==":
            return Number(compare(a, b) === 0);
          case "!=":
            return Number(compare(a, b) !== 0);
        }
        return this.arith(e.op, toNum(a), toNum(b));
      }
      case "un": {
        const v = this.eval(e.e);
        return e.op === "!" ? Number(!truthy(v)) : e.op === "-" ? -toNum(v) : toNum(v);
      }
      case "incdec": {
        const old = toNum(this.lvalue(e.target));
        const nv = e.op === "++" ? old + 1 : old - 1;
        this.assign(e.target, nv);
        return e.prefix ? nv : old;
      }
      case "in":
        return Number(this.array(e.name).has(this.subscript(e.subs)));
      case "match": {
        const re = this.toRegex(e.re);
        return Number(re.test(this.str(this.eval(e.e))) !== e.neg);
      }
      case "call":
        return this.callFunc(e.name, e.args);
      case "builtin":
        return this.builtin(e.name, e.args);
      case "getline":
        return this.getline(e);
    }
  }

  getline(e: Extract<Expr, { k: "getline" }>): Val {
    let line: string | undefined;
    if (e.file) {
      const name = this.str(this.eval(e.file));
      const key = `<${name}`;
      let rest = this.files.get(key);
      if (rest === undefined) {
        const text = name === "-" || name === "/dev/stdin" ? this.call.stdin : this.call.s.ctx.fs.read(resolvePath(name, this.call.s.cwd));
        if (text === undefined) return -1;
        rest = text;
      }
      if (rest === "") {
        this.files.set(key, rest);
        return 0;
      }
      const nl = rest.indexOf("\n");
      line = nl < 0 ? rest : rest.slice(0, nl);
      this.files.set(key, nl < 0 ? "" : rest.slice(nl + 1));
    } else {
      if (!this.pending.length) return 0;
      line = this.pending.shift()!;
      this.setVar("NR", toNum(this.globals.get("NR")) + 1);
      this.setVar("FNR", toNum(this.globals.get("FNR")) + 1);
    }
    if (e.target) this.assign(e.target, new StrNum(line));
    else {
      this.setRecord(line);
      if (e.file) this.setVar("NR", toNum(this.globals.get("NR")) + 1);
    }
    return 1;
  }

  callFunc(name: string, argExprs: Expr[]): Val {
    const f = this.prog.funcs.get(name);
    if (!f) throw new AwkRuntime(`function ${name} never defined`, `call to undefined function`);
    if (this.frames.length > 1000) throw new AwkRuntime("function call nesting too deep", "function call nesting too deep");
    const frame = { vars: new Map<string, Val>(), arrays: new Map<string, Map<string, Val>>() };
    f.params.forEach((param, i) => {
      const a = argExprs[i];
      // An array argument (a bare name that is an array) is passed by reference.
      if (a && a.k === "var" && this.isArrayName(a.name)) frame.arrays.set(param, this.array(a.name));
      else frame.vars.set(param, a ? this.eval(a) : undefined);
    });
    this.frames.push(frame);
    try {
      this.execAll(f.body);
      return undefined;
    } catch (e) {
      if (e instanceof ReturnSignal) return e.v;
      throw e;
    } finally {
      this.frames.pop();
    }
  }

  isArrayName(name: string): boolean {
    const frame = this.frames[this.frames.length - 1];
    if (frame?.arrays.has(name)) return true;
    if (frame?.vars.has(name)) return false;
    return this.arrays.has(name);
  }

  builtin(name: string, a: Expr[]): Val {
    const s = (i: number) => this.str(this.eval(a[i]));
    const n = (i: number) => toNum(this.eval(a[i]));
    switch (name) {
      case "length":
        if (!a.length) return [...this.record].length;
        if (a[0].k === "var" && this.isArrayName(a[0].name)) return this.array(a[0].name).size;
        return [...s(0)].length;
      case "substr": {
        const str = [...s(0)];
        // awk positions are 1-based and rounded; the part outside the string is cut off.
        const m = Math.round(n(1));
        const len = a.length > 2 ? Math.round(n(2)) : Infinity;
        // mawk and busybox count the length from the clamped start (substr("hello", 0, 2) is "he").
        const from = Math.max(1, m);
        const to = len === Infinity ? str.length + 1 : from + len;
        return str.slice(from - 1, Math.max(from - 1, to - 1)).join("");
      }
      case "index": {
        const needle = s(1);
        // busybox finds the empty string nowhere, mawk at 1.
        if (!needle && !this.gnu) return 0;
        return s(0).indexOf(needle) + 1;
      }
      case "split": {
        const text = s(0);
        const arrName = a[1].k === "var" ? a[1].name : "";
        const arr = this.array(arrName);
        arr.clear();
        let parts: string[];
        if (a[2]) parts = a[2].k === "re" ? (text === "" ? [] : text.split(a[2].re)) : this.splitBy(text, s(2));
        else parts = this.splitBy(text, toStr(this.globals.get("FS")));
        parts.forEach((p, i) => arr.set(String(i + 1), new StrNum(p)));
        return parts.length;
      }
      case "sub":
      case "gsub": {
        const re = this.toRegex(a[0]);
        const repl = s(1);
        const target = a[2] ?? { k: "field", e: { k: "num", v: 0 } };
        const text = this.str(this.lvalue(target));
        let count = 0;
        const g = new RegExp(re.source, re.flags.replace("g", "") + "g");
        let out = "";
        let pos = 0;
        let prevEnd = -1;
        for (let m = g.exec(text); m; m = g.exec(text)) {
          if (m[0] === "" && m.index === prevEnd) {
            g.lastIndex++;
            if (g.lastIndex > text.length) break;
            continue;
          }
          out += text.slice(pos, m.index) + repl.replace(/\\\\|\\&|&/g, (x) => (x === "&" ? m![0] : x === "\\&" ? "&" : "\\"));
          pos = m.index + m[0].length;
          prevEnd = pos;
          count++;
          if (name === "sub") break;
          if (m[0] === "") g.lastIndex++;
          if (g.lastIndex > text.length) break;
        }
        if (count) this.assign(target, out + text.slice(pos));
        return count;
      }
      case "match": {
        const m = this.toRegex(a[1]).exec(s(0));
        this.setVar("RSTART", m ? m.index + 1 : 0);
        this.setVar("RLENGTH", m ? m[0].length : -1);
        return m ? m.index + 1 : 0;
      }
      case "sprintf":
        return a.length
          ? sprintf(
              s(0),
              a.slice(1).map((x) => this.eval(x)),
              this.gnu,
            )
          : "";
      case "tolower":
        return s(0).toLowerCase();
      case "toupper":
        return s(0).toUpperCase();
      case "int":
        return Math.trunc(n(0));
      case "sqrt":
        return Math.sqrt(n(0));
      case "exp":
        return Math.exp(n(0));
      case "log":
        return Math.log(n(0));
      case "sin":
        return Math.sin(n(0));
      case "cos":
        return Math.cos(n(0));
      case "atan2":
        return Math.atan2(n(0), n(1));
      case "rand": {
        // A small LCG: repeatable from srand's seed, as awk's rand is.
        this.randSeed = (this.randSeed * 1103515245 + 12345) % 2147483648;
        return this.randSeed / 2147483648;
      }
      case "srand": {
        const prev = this.prevSeed;
        this.prevSeed = a.length ? n(0) : Math.floor(this.call.s.ctx.now() / 1000);
        this.randSeed = this.prevSeed;
        return prev;
      }
      case "close":
        this.files.delete(`<${s(0)}`);
        return 0;
      case "fflush":
        return 0;
      // Running a command from awk needs the interpreter, which applets do not reach.
      case "system":
        throw new AwkRuntime("system() is not simulated", "system() is not simulated");
    }
    return undefined;
  }

  write(text: string, dest?: { op: string; e: Expr }): void {
    if (!dest) {
      this.out += text;
      return;
    }
    const name = this.str(this.eval(dest.e));
    if (dest.op === "|") throw new AwkRuntime("output to a command is not simulated", "output to a command is not simulated");
    if (name === "/dev/stdout" || name === "-") {
      this.out += text;
      return;
    }
    if (name === "/dev/stderr") {
      this.flush();
      this.call.io.stderr(text);
      return;
    }
    const key = `>${name}`;
    if (!this.files.has(key))
      this.files.set(key, dest.op === ">>" ? (this.call.s.ctx.fs.read(resolvePath(name, this.call.s.cwd)) ?? "") : "");
    this.files.set(key, this.files.get(key)! + text);
  }

  flush(): void {
    if (this.out) {
      this.call.io.stdout(this.out);
      this.out = "";
    }
  }

  closeFiles(): void {
    for (const [key, data] of this.files)
      if (key.startsWith(">")) this.call.s.ctx.fs.write(resolvePath(key.slice(1), this.call.s.cwd), data);
  }

  exec(st: Stmt): void {
    if (++this.steps > STEP_LIMIT) throw new HaltSignal();
    switch (st.k) {
      case "expr":
        this.eval(st.e);
        return;
      case "print": {
        const ofmt = toStr(this.globals.get("OFMT"));
        if (st.printf) {
          if (!st.args.length) throw new AwkRuntime("printf: no format", "printf: no format");
          const [fmt, ...rest] = st.args.map((x) => this.eval(x));
          this.write(sprintf(this.str(fmt), rest, this.gnu, "printf"), st.dest);
        } else {
          const parts = st.args.length
            ? st.args.map((x) => {
                const v = this.eval(x);
                return typeof v === "number" ? toStr(v, ofmt) : this.str(v);
              })
            : [this.record];
          this.write(parts.join(toStr(this.globals.get("OFS"))) + toStr(this.globals.get("ORS")), st.dest);
        }
        return;
      }
      case "block":
        this.execAll(st.body);
        return;
      case "if":
        if (truthy(this.eval(st.c))) this.exec(st.then);
        else if (st.else) this.exec(st.else);
        return;
      case "while":
        while (truthy(this.eval(st.c))) {
          if (this.loopBody(st.body)) break;
        }
        return;
      case "do":
        do {
          if (this.loopBody(st.body)) break;
        } while (truthy(this.eval(st.c)));
        return;
      case "for":
        if (st.init) this.exec(st.init);
        while (!st.c || truthy(this.eval(st.c))) {
          if (this.loopBody(st.body)) break;
          if (st.step) this.exec(st.step);
        }
        return;
      case "forin": {
        const arr = this.array(st.arr);
        for (const k of [...arr.keys()]) {
          if (!arr.has(k)) continue;
          this.setVar(st.v, new StrNum(k));
          if (this.loopBody(st.body)) break;
        }
        return;
      }
      case "next":
        throw new NextSignal();
      case "nextfile":
        throw new NextFileSignal();
      case "break":
        throw new BreakSignal();
      case "continue":
        throw new ContinueSignal();
      case "exit":
        throw new ExitAwk(st.e ? Math.trunc(toNum(this.eval(st.e))) & 255 : -1);
      case "return":
        throw new ReturnSignal(st.e ? this.eval(st.e) : undefined);
      case "delete":
        if (st.subs) this.array(st.name).delete(this.subscript(st.subs));
        else this.array(st.name).clear();
        return;
    }
  }

  /** Run a loop body; true when it breaks. */
  loopBody(body: Stmt): boolean {
    try {
      this.exec(body);
    } catch (e) {
      if (e instanceof BreakSignal) return true;
      if (e instanceof ContinueSignal) return false;
      throw e;
    }
    return false;
  }

  execAll(body: Stmt[]): void {
    for (const st of body) this.exec(st);
  }
}

/** Make `name=value` (from -v or an operand) an assignment, with the escapes of a string literal. */
function assignment(a: string): [string, string] | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(a);
  if (!m) return undefined;
  const v = m[2].replace(
    /\\(n|t|r|\\|"|\/)/g,
    (_, c: string) => (({ n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "/": "/" }) as Record<string, string>)[c],
  );
  return [m[1], v];
}

export function awk(args: string[], call: AppletCall): number {
  const { io } = call;
  const gnu = variantOf(call) === "gnu";
  let o: Options;
  try {
    o = getopts(
      args,
      { flags: "", values: "Fvfe", long: gnu ? { "field-separator": "F", assign: "v", file: "f" } : undefined },
      gnu ? "gnu" : "busybox",
    );
  } catch (e) {
    if (!(e instanceof OptError)) throw e;
    if (!gnu) return usageError(call, "awk", e.message, 1);
    const letter = /-- '(.)'/.exec(e.message)?.[1];
    io.stderr(`awk: not an option: ${letter ? `-${letter}` : args.find((a) => a.startsWith("--"))}\n`);
    return 2;
  }
  const rest = [...o.rest];
  let src: string;
  if (o.all.f?.length) {
    const parts: string[] = [];
    for (const f of o.all.f) {
      const t = call.s.ctx.fs.read(resolvePath(f, call.s.cwd));
      if (t === undefined) {
        io.stderr(gnu ? `awk: couldn't open file ${f}\n` : `awk: can't open '${f}': No such file or directory\n`);
        return gnu ? 2 : 1;
      }
      parts.push(t);
    }
    src = parts.join("\n");
  } else if (o.all.e?.length && !gnu) src = o.all.e.join("\n");
  else {
    const p = rest.shift();
    if (p === undefined) {
      if (gnu) io.stderr(MAWK_USAGE);
      else usageError(call, "awk", undefined, 1);
      // mawk's usage is its help: it exits 0.
      return gnu ? 0 : 1;
    }
    src = p;
  }
  let prog: ReturnType<typeof parse>;
  try {
    prog = parse(src, gnu);
  } catch (e) {
    if (e instanceof AwkSyntax) {
      io.stderr(gnu ? `awk: line ${e.line}: syntax error at or near ${e.near}\n` : `awk: cmd. line:${e.line}: Unexpected token\n`);
      return gnu ? 2 : 1;
    }
    if (e instanceof RegexError || e instanceof globalThis.SyntaxError) {
      io.stderr(gnu ? `awk: line 1: regular expression compile failed (missing operand)\n` : `awk: cmd. line:1: bad regex\n`);
      return gnu ? 2 : 1;
    }
    throw e;
  }
  const m = new Awk(prog, call);
  if (typeof o.f.F === "string") m.globals.set("FS", o.f.F === "t" ? "\t" : o.f.F.replace(/\\t/g, "\t"));
  for (const v of o.all.v ?? []) {
    const kv = assignment(v);
    if (!kv) {
      io.stderr(gnu ? `awk: improper assignment: -v ${v}\n` : `awk: invalid -v argument: ${v}\n`);
      return gnu ? 2 : 1;
    }
    m.globals.set(kv[0], new StrNum(kv[1]));
  }
  const env = new Map<string, Val>();
  for (const k of call.s.exported) if (call.s.vars[k] !== undefined) env.set(k, new StrNum(call.s.vars[k]));
  m.arrays.set("ENVIRON", env);
  m.arrays.set("ARGV", new Map<string, Val>([["0", "awk"], ...rest.map((a, i) => [String(i + 1), new StrNum(a)] as [string, Val])]));
  m.globals.set("ARGC", rest.length + 1);
  let code = 0;
  const runRules = (kind: "begin" | "end") => {
    for (const r of prog.rules) if (r.kind === kind) m.execAll(r.body!);
  };
  try {
    try {
      runRules("begin");
      const hasMain = prog.rules.some((r) => r.kind !== "begin");
      if (hasMain) {
        const operands = rest.filter((a) => a !== "");
        const files = operands.filter((a) => !assignment(a));
        const sources = files.length ? operands : [...operands, "-"];
        for (const src of sources) {
          const kv = assignment(src);
          if (kv && src !== "-") {
            m.globals.set(kv[0], new StrNum(kv[1]));
            continue;
          }
          const input = readInput(src, call, "awk");
          if (!input) {
            m.flush();
            code = 2;
            if (!gnu) code = 1;
            if (gnu) throw new ExitAwk(2);
            continue;
          }
          m.globals.set("FILENAME", src === "-" && !files.length ? "" : src);
          m.globals.set("FNR", 0);
          const text = input.text;
          const rs = toStr(m.globals.get("RS"));
          m.pending =
            rs === ""
              ? text
                  .split(/\n\n+/)
                  .filter((x) => x !== "")
                  .map((x) => x.replace(/\n+$/, ""))
              : text === ""
                ? []
                : text.replace(/\n$/, "").split(rs === "\n" ? "\n" : rs);
          while (m.pending.length) {
            m.setRecord(m.pending.shift()!);
            m.globals.set("NR", toNum(m.globals.get("NR")) + 1);
            m.globals.set("FNR", toNum(m.globals.get("FNR")) + 1);
            try {
              for (const r of prog.rules) {
                if (r.kind !== "main") continue;
                let hit: boolean;
                if (r.range) {
                  if (!r.inRange) {
                    hit = truthy(m.eval(r.range[0]));
                    if (hit && !truthy(m.eval(r.range[1]))) r.inRange = true;
                  } else {
                    hit = true;
                    if (truthy(m.eval(r.range[1]))) r.inRange = false;
                  }
                } else hit = !r.pattern || truthy(m.eval(r.pattern));
                if (!hit) continue;
                if (r.body) m.execAll(r.body);
                else m.out += m.record + toStr(m.globals.get("ORS"));
              }
            } catch (e) {
              if (e instanceof NextSignal) continue;
              if (e instanceof NextFileSignal) break;
              throw e;
            }
            if (m.out.length > 65536) m.flush();
          }
        }
      }
    } catch (e) {
      if (!(e instanceof ExitAwk)) throw e;
      if (e.code >= 0) code = e.code;
    }
    // exit in BEGIN or the main rules still runs END; exit in END ends at once.
    try {
      runRules("end");
    } catch (e) {
      if (!(e instanceof ExitAwk)) throw e;
      if (e.code >= 0) code = e.code;
    }
  } catch (e) {
    if (e instanceof AwkRuntime) {
      m.flush();
      io.stderr(
        gnu
          ? `awk: run time error: ${e.gnu}\n\tFILENAME="${toStr(m.globals.get("FILENAME"))}" FNR=${toStr(m.globals.get("FNR"))} NR=${toStr(m.globals.get("NR"))}\n`
          : `awk: cmd. line:1: ${e.busybox}\n`,
      );
      m.closeFiles();
      return gnu ? 2 : 1;
    }
    if (e instanceof HaltSignal) {
      m.flush();
      m.closeFiles();
    }
    throw e;
  }
  m.flush();
  m.closeFiles();
  return code;
}

const MAWK_USAGE = `Usage: mawk [Options] [Program] [file ...]

Program:
    The -f option value is the name of a file containing program text.
    If no -f option is given, a "--" ends option processing; the following
    parameters are the program text.

Options:
    -f program-file  Program  text is read from file instead of from the
                     command-line.  Multiple -f options are accepted.
    -F value         sets the field separator, FS, to value.
    -v var=value     assigns value to program variable var.
    --               unambiguous end of options.

    Implementation-specific options are prefixed with "-W".  They can be
    abbreviated:

    -W version       show version information and exit.
    -W dump          show assembler-like listing of program and exit.
    -W help          show this message and exit.
    -W interactive   set unbuffered output, line-buffered input.
    -W exec file     use file as program as well as last option.
    -W random=number set initial random seed.
    -W sprintf=number adjust size of sprintf buffer.
    -W posix_space   do not consider "\\n" a space.
    -W usage         show this message and exit.
`;
