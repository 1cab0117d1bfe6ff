// $(( )): C integer arithmetic over shell variables, with each shell's operators and error messages.
import { dialectOf, ExpansionError, setVar, type ShellState } from "./interp";
import { unset } from "./expand";

// ---- $(( )) ------------------------------------------------------------------------------

/** $((…)): C integer arithmetic with shell variables, assignment operators, ++/--, ?:, comma (no eval). */
export function arith(expr: string, s: ShellState): number {
  const d = dialectOf(s);
  const toks =
    expr.match(
      /0[xX][0-9a-fA-F]+|\d+#[0-9a-zA-Z@_]+|\d+|[A-Za-z_][A-Za-z0-9_]*|\*\*=?|<<=|>>=|\+\+|--|&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%&|^]=|[-+*/%()<>!~=?:,&|^]|\S/g,
    ) ?? [];
  let p = 0;
  const fail = (kind: "operand" | "zero", token?: string): never => {
    if (kind === "zero") {
      throw new ExpansionError(
        d === "bash"
          ? `${expr.trim()}: division by 0 (error token is "${token ?? ""}")`
          : d === "dash"
            ? `arithmetic expression: division by zero: "${expr}"`
            : "divide by zero",
        d === "bash" ? 1 : 2,
      );
    }
    const rest = toks.slice(p).join(" ");
    throw new ExpansionError(
      d === "bash"
        ? `${expr.trim()}: syntax error: operand expected (error token is "${token ?? rest}")`
        : d === "dash"
          ? `arithmetic expression: expecting primary: "${expr}"`
          : "arithmetic syntax error",
      d === "bash" ? 1 : 2,
    );
  };
  const varValue = (name: string, depth = 0): number => {
    const v = s.vars[name];
    if (v === undefined || v === "") {
      if (s.opts.nounset) unset(name, s);
      return 0;
    }
    if (/^\s*-?\d+\s*$/.test(v)) return Number(v);
    if (/^\s*0[xX][0-9a-fA-F]+\s*$/.test(v)) return Number(v);
    if (depth > 10) return 0;
    return arith(v, s);
  };
  const num = (t: string): number => {
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    const b = /^(\d+)#(.+)$/.exec(t);
    if (b) return parseInt(b[2], Number(b[1]));
    if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
    return Number(t);
  };
  const int = (x: number) => x | 0;
  type Val = { v: number; name?: string };
  const store = (lv: Val, v: number): number => {
    if (!lv.name) fail("operand", "=");
    setVar(s, lv.name!, String(v));
    return v;
  };
  const binary: [string[], (a: number, b: number, op: string) => number][] = [
    [["||"], (a, b) => Number(!!a || !!b)],
    [["&&"], (a, b) => Number(!!a && !!b)],
    [["|"], (a, b) => a | b],
    [["^"], (a, b) => a ^ b],
    [["&"], (a, b) => a & b],
    [["==", "!="], (a, b, op) => Number(op === "==" ? a === b : a !== b)],
    [["<", ">", "<=", ">="], (a, b, op) => Number(op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b)],
    [["<<", ">>"], (a, b, op) => (op === "<<" ? a << b : a >> b)],
    [["+", "-"], (a, b, op) => int(op === "+" ? a + b : a - b)],
    [
      ["*", "/", "%"],
      (a, b, op) => {
        if (op === "*") return Math.imul(a, b);
        if (b === 0) fail("zero", String(b));
        return op === "/" ? Math.trunc(a / b) : a % b;
      },
    ],
  ];
  const ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", "**="]);
  if (d === "dash" && /\+\+|--/.test(expr)) throw new ExpansionError(`arithmetic expression: expecting primary: "${expr}"`, 2);
  const rval = (x: Val) => (x.name !== undefined ? varValue(x.name) : x.v);

  function comma(): number {
    let v = assignment();
    while (toks[p] === ",") {
      if (d !== "bash") fail("operand", ",");
      p++;
      v = assignment();
    }
    return v;
  }
  function assignment(): number {
    const save = p;
    const t = toks[p];
    if (t && /^[A-Za-z_]/.test(t) && ASSIGN.has(toks[p + 1] ?? "")) {
      const op = toks[p + 1];
      p += 2;
      const right = assignment();
      if (op === "=") return store({ v: 0, name: t }, right);
      const cur = varValue(t);
      const base = op.slice(0, -1);
      if (base === "**") return store({ v: 0, name: t }, int(cur ** right));
      const f = binary.find(([ops]) => ops.includes(base))!;
      return store({ v: 0, name: t }, f[1](cur, right, base));
    }
    p = save;
    return ternary();
  }
  function ternary(): number {
    const c = level(0);
    if (toks[p] !== "?") return c;
    p++;
    const a = assignment();
    if (toks[p] !== ":") fail("operand", toks[p]);
    p++;
    const b = assignment();
    return c ? a : b;
  }
  function level(l: number): number {
    if (l === binary.length) return power();
    let v = level(l + 1);
    while (p < toks.length && binary[l][0].includes(toks[p])) {
      const op = toks[p++];
      if (p >= toks.length) fail("operand", op);
      // && and || evaluate their right side only when needed (assignments inside).
      if ((op === "&&" && !v) || (op === "||" && v)) {
        const savedVars = { ...s.vars };
        level(l + 1);
        s.vars = savedVars;
        v = op === "||" ? 1 : 0;
        continue;
      }
      v = binary[l][1](v, level(l + 1), op);
    }
    return v;
  }
  function power(): number {
    const b = unary();
    if (toks[p] === "**") {
      if (d === "dash") fail("operand", "**");
      p++;
      return int(b ** power());
    }
    return b;
  }
  function unary(): number {
    const t = toks[p];
    if (t === "-") {
      p++;
      return int(-unary());
    }
    if (t === "+") {
      p++;
      return unary();
    }
    if (t === "!") {
      p++;
      return Number(!unary());
    }
    if (t === "~") {
      p++;
      return ~unary();
    }
    if ((t === "++" || t === "--") && d !== "dash") {
      p++;
      const name = toks[p++];
      if (!name || !/^[A-Za-z_]/.test(name)) fail("operand", name);
      return store({ v: 0, name }, varValue(name) + (t === "++" ? 1 : -1));
    }
    return postfix();
  }
  function postfix(): number {
    const x = primary();
    const t = toks[p];
    if ((t === "++" || t === "--") && x.name && d !== "dash") {
      p++;
      const v = varValue(x.name);
      store(x, v + (t === "++" ? 1 : -1));
      return v;
    }
    return rval(x);
  }
  function primary(): Val {
    const t = toks[p++];
    if (t === undefined) return fail("operand", "");
    if (t === "(") {
      const v = comma();
      if (toks[p++] !== ")") fail("operand", toks[p - 1] ?? "");
      return { v };
    }
    if (/^\d/.test(t)) {
      const v = num(t);
      if (Number.isNaN(v)) fail("operand", t);
      return { v };
    }
    if (/^[A-Za-z_]/.test(t)) return { v: 0, name: t };
    return fail("operand", t);
  }
  if (!toks.length) return 0;
  const v = comma();
  if (p < toks.length) {
    if (d === "dash") throw new ExpansionError(`arithmetic expression: expecting EOF: "${expr}"`, 2);
    fail("operand", toks.slice(p).join(" "));
  }
  return v;
}
