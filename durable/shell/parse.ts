// A small POSIX-sh parser: words keep their quoting (expansion happens at run time), operators,
// redirections, and the compound commands scripts in pod specs use (while/until/for/if/{ }/( )).

export type Token = { t: "word"; v: string } | { t: "op"; v: string };

export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&";
  target: string; // a raw word, or the fd number for >&
}

export type Node =
  | { type: "simple"; assigns: [string, string][]; words: string[]; redirects: Redirect[] }
  | { type: "pipeline"; negate: boolean; commands: Node[] }
  | { type: "andor"; first: Node; rest: ["&&" | "||", Node][] }
  | { type: "list"; items: Node[] }
  | { type: "while"; until: boolean; cond: Node; body: Node }
  | { type: "for"; name: string; words: string[] | undefined; body: Node }
  | { type: "if"; branches: [Node, Node][]; otherwise?: Node }
  | { type: "group"; body: Node; subshell: boolean };

export class SyntaxError extends Error {}

const OPS = ["&&", "||", ";;", ">>", ">&", "<&", ";", "&", "|", "(", ")", "<", ">", "\n"];

/** Split a script into tokens. Words keep quotes and `$(...)` intact for the expander. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t") { i++; continue; }
    if (c === "\\" && src[i + 1] === "\n") { i += 2; continue; }
    if (c === "#") { while (i < src.length && src[i] !== "\n") i++; continue; }
    // An fd number right before a redirection: 2>, 2>>, 2>&1.
    const fd = /^(\d)(>>|>&|>|<)/.exec(src.slice(i));
    if (fd) { out.push({ t: "op", v: fd[1] + fd[2] }); i += fd[0].length; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) { out.push({ t: "op", v: op }); i += op.length; continue; }
    let j = i;
    while (j < src.length) {
      const d = src[j];
      if (" \t\n;&|()<>".includes(d)) break;
      if (d === "\\") j += 2;
      else if (d === "'") {
        const end = src.indexOf("'", j + 1);
        if (end < 0) throw new SyntaxError("unterminated quoted string");
        j = end + 1;
      } else if (d === '"') j = skipDouble(src, j);
      else if (d === "$" && src[j + 1] === "(") j = skipParens(src, j + 1);
      else if (d === "$" && src[j + 1] === "{") {
        const end = src.indexOf("}", j);
        if (end < 0) throw new SyntaxError("bad substitution");
        j = end + 1;
      } else if (d === "`") {
        const end = src.indexOf("`", j + 1);
        if (end < 0) throw new SyntaxError("unterminated quoted string");
        j = end + 1;
      } else j++;
    }
    out.push({ t: "word", v: src.slice(i, j) });
    i = j;
  }
  return out;
}

function skipDouble(src: string, j: number): number {
  for (j++; j < src.length; j++) {
    if (src[j] === "\\") j++;
    else if (src[j] === '"') return j + 1;
    else if (src[j] === "$" && src[j + 1] === "(") j = skipParens(src, j + 1) - 1;
  }
  throw new SyntaxError("unterminated quoted string");
}

/** From an opening "(" to just past its matching ")". */
export function skipParens(src: string, j: number): number {
  let depth = 0;
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === "\\") j++;
    else if (c === "'") j = src.indexOf("'", j + 1);
    else if (c === '"') j = skipDouble(src, j) - 1;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j + 1;
    if (j < 0) break;
  }
  throw new SyntaxError("unexpected end of file (expecting \")\")");
}

const RESERVED = new Set(["do", "done", "then", "elif", "else", "fi", "}", "in", "esac"]);

export function parse(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isWord = (v?: string) => peek()?.t === "word" && (v === undefined || peek()!.v === v);
  const isOp = (v: string) => peek()?.t === "op" && peek()!.v === v;
  const unexpected = (): never => {
    const t = peek();
    throw new SyntaxError(t ? `syntax error: unexpected "${t.v === "\n" ? "newline" : t.v}"` : "syntax error: unexpected end of file");
  };
  const skipNewlines = () => { while (isOp("\n")) p++; };
  const expectWord = (v: string) => {
    skipNewlines();
    if (!isWord(v)) unexpected();
    p++;
  };

  function list(): Node {
    const items: Node[] = [];
    for (;;) {
      while (isOp("\n") || isOp(";")) p++;
      const t = peek();
      if (!t || (t.t === "op" && t.v === ")") || (t.t === "word" && RESERVED.has(t.v))) break;
      items.push(andOr());
      if (isOp(";") || isOp("&") || isOp("\n")) p++;
      else break;
    }
    return { type: "list", items };
  }

  function andOr(): Node {
    const first = pipeline();
    const rest: ["&&" | "||", Node][] = [];
    while (isOp("&&") || isOp("||")) {
      const op = peek()!.v as "&&" | "||";
      p++;
      skipNewlines();
      rest.push([op, pipeline()]);
    }
    return rest.length ? { type: "andor", first, rest } : first;
  }

  function pipeline(): Node {
    let negate = false;
    if (isWord("!")) { negate = true; p++; }
    const commands = [command()];
    while (isOp("|")) {
      p++;
      skipNewlines();
      commands.push(command());
    }
    return commands.length === 1 && !negate ? commands[0] : { type: "pipeline", negate, commands };
  }

  function body(): Node {
    expectWord("do");
    const b = list();
    expectWord("done");
    return b;
  }

  function command(): Node {
    const t = peek();
    if (!t) unexpected();
    if (t.t === "op" && t.v === "(") {
      p++;
      const b = list();
      if (!isOp(")")) unexpected();
      p++;
      return { type: "group", body: b, subshell: true };
    }
    if (t.t === "word") {
      switch (t.v) {
        case "while":
        case "until": {
          p++;
          const cond = list();
          return { type: "while", until: t.v === "until", cond, body: body() };
        }
        case "for": {
          p++;
          if (!isWord()) unexpected();
          const name = peek()!.v;
          p++;
          let words: string[] | undefined;
          skipNewlines();
          if (isWord("in")) {
            p++;
            words = [];
            while (isWord()) words.push(toks[p++].v);
          }
          while (isOp(";") || isOp("\n")) p++;
          return { type: "for", name, words, body: body() };
        }
        case "if": {
          p++;
          const branches: [Node, Node][] = [];
          let otherwise: Node | undefined;
          for (;;) {
            const cond = list();
            expectWord("then");
            branches.push([cond, list()]);
            if (isWord("elif")) { p++; continue; }
            if (isWord("else")) { p++; otherwise = list(); }
            expectWord("fi");
            break;
          }
          return { type: "if", branches, otherwise };
        }
        case "{": {
          p++;
          const b = list();
          expectWord("}");
          return { type: "group", body: b, subshell: false };
        }
      }
    }
    return simple();
  }

  function simple(): Node {
    const node = { type: "simple" as const, assigns: [] as [string, string][], words: [] as string[], redirects: [] as Redirect[] };
    for (;;) {
      const t = peek();
      if (!t) break;
      if (t.t === "op") {
        const m = /^(\d?)(>>|>&|>|<)$/.exec(t.v);
        if (!m) break;
        p++;
        if (!isWord()) unexpected();
        const fd = m[1] ? Number(m[1]) : m[2] === "<" ? 0 : 1;
        node.redirects.push({ fd, op: m[2] as Redirect["op"], target: toks[p++].v });
        continue;
      }
      const a = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.v);
      if (a && !node.words.length) node.assigns.push([a[1], t.v.slice(a[0].length)]);
      else node.words.push(t.v);
      p++;
    }
    if (!node.words.length && !node.assigns.length && !node.redirects.length) unexpected();
    return node;
  }

  const root = list();
  if (p < toks.length) unexpected();
  return root;
}
