// A POSIX-sh parser with the bash extensions learners type: words keep their quoting (expansion
// happens at run time), operators, redirections and here-documents, the compound commands
// (while/until/for/if/case/{ }/( )), functions, `[[ ]]`, `(( ))` and array assignments.

/** `sp`: whitespace came before the token (`[[ x =~ ^(a|b)$ ]]` glues tokens back together). */
export type Token = { t: "word" | "op" | "arith"; v: string; line: number; sp?: boolean; heredoc?: Heredoc; at?: number; end?: number };

export interface Heredoc {
  body: string;
  /** `<<'EOF'` / `<<"EOF"`: no expansion inside. */
  quoted: boolean;
  /** The input ended before the delimiter: where it began and ended (bash warns). */
  unterminated?: { delim: string; line: number; end: number };
}

export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&" | "<&" | "<<" | "<<<" | "&>";
  target: string; // a raw word, or the fd number for >&
  heredoc?: Heredoc;
}

export type Assign = [name: string, value: string | string[]];

export type Node =
  | { type: "simple"; assigns: Assign[]; words: string[]; redirects: Redirect[]; line: number }
  | { type: "pipeline"; negate: boolean; commands: Node[] }
  | { type: "andor"; first: Node; rest: ["&&" | "||", Node][] }
  | { type: "list"; items: Node[] }
  | { type: "while"; until: boolean; cond: Node; body: Node }
  | { type: "for"; name: string; words: string[] | undefined; body: Node }
  | { type: "if"; branches: [Node, Node][]; otherwise?: Node }
  | { type: "case"; word: string; arms: { patterns: string[]; body: Node }[] }
  | { type: "group"; body: Node; subshell: boolean; redirects: Redirect[] }
  | { type: "func"; name: string; body: Node }
  | { type: "cond"; words: CondWord[]; line: number }
  | { type: "arith"; expr: string; line: number }
  /** `cmd &`: runs as a job of its own; `text` is how `jobs` shows it. */
  | { type: "background"; body: Node; text: string };

/** A word of `[[ … ]]`: operators (&&, ||, (, ), <, >, !) are marked so a quoted "<" stays a string. */
export type CondWord = { op?: string; word?: string };

/**
 * What went wrong, for each shell to word its own way (interp.ts syntaxMessage). `eof`: the input
 * ended inside a construct, so an interactive shell asks for more (PS2) instead of failing.
 */
export class SyntaxError extends Error {
  constructor(
    readonly kind: "eof" | "token" | "quote" | "substitution",
    readonly line: number,
    readonly token?: string,
    readonly expecting?: string,
  ) {
    super(
      kind === "eof"
        ? `syntax error: unexpected end of file${expecting ? ` (expecting "${expecting}")` : ""}`
        : kind === "token"
          ? `syntax error: unexpected "${token}"${expecting ? ` (expecting "${expecting}")` : ""}`
          : kind === "quote"
            ? "syntax error: unterminated quoted string"
            : "syntax error: bad substitution",
    );
  }
  /** More input could complete it (an interactive shell shows PS2). */
  get incomplete(): boolean {
    return this.kind === "eof" || this.kind === "quote";
  }
}

const OPS = ["&&", "||", ";;", "<<<", "<<-", "<<", ">>", "&>", ">&", "<&", ";", "&", "|", "(", ")", "<", ">", "\n"];

/**
 * Split a script into tokens. Words keep quotes and `$(...)` intact for the expander. A here-document's
 * body is read at the newline after its operator and hung on the delimiter's token. With `strict`,
 * a missing delimiter is an incomplete input (the REPL); else the body runs to the end, as bash does.
 */
export function tokenize(src: string, strict = false, bash = true): Token[] {
  const out: Token[] = [];
  const pending: { tok: Token; strip: boolean; delim: string }[] = [];
  let line = 1;
  let i = 0;
  let sp = true;
  const readHeredocs = () => {
    for (const h of pending.splice(0)) {
      let body = "";
      let unterminated: Heredoc["unterminated"];
      for (;;) {
        if (i >= src.length) {
          if (strict) throw new SyntaxError("eof", line);
          unterminated = { delim: h.delim, line: h.tok.line, end: line };
          break;
        }
        let end = src.indexOf("\n", i);
        const last = end < 0;
        if (last) end = src.length;
        let text = src.slice(i, end);
        i = end + 1;
        line++;
        if (h.strip) text = text.replace(/^\t+/, "");
        if (text === h.delim) break;
        body += text + (last ? "" : "\n");
      }
      h.tok.heredoc = { body, quoted: h.tok.heredoc!.quoted, unterminated };
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t") {
      i++;
      sp = true;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      line++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    // `(( expr ))` as a command (bash): the whole expression is one token.
    if (bash && src.startsWith("((", i) && (!out.length || out[out.length - 1].t === "op")) {
      const end = arithEnd(src, i + 2);
      if (end >= 0) {
        out.push({ t: "arith", v: src.slice(i + 2, end), line, sp, at: i, end: end + 2 });
        i = end + 2;
        sp = false;
        continue;
      }
    }
    // An fd number right before a redirection: 2>, 2>>, 2>&1.
    const fd = /^(\d)(>>|>&|>|<&|<)/.exec(src.slice(i));
    if (fd) {
      out.push({ t: "op", v: fd[1] + fd[2], line, sp });
      i += fd[0].length;
      sp = false;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ t: "op", v: op, line, sp, at: i, end: i + op.length });
      i += op.length;
      sp = false;
      if (op === "\n") {
        readHeredocs();
        line++;
        sp = true;
      }
      continue;
    }
    let j = i;
    while (j < src.length) {
      const d = src[j];
      if (" \t\n;&|()<>".includes(d)) break;
      if (d === "\\") j += 2;
      else if (d === "'") {
        const end = src.indexOf("'", j + 1);
        if (end < 0) throw new SyntaxError("quote", line);
        j = end + 1;
      } else if (d === '"') j = skipDouble(src, j, line);
      else if (d === "$" && src[j + 1] === "(") j = skipParens(src, j + 1, line);
      else if (d === "$" && src[j + 1] === "{") j = skipBrace(src, j + 1, line);
      else if (d === "`") {
        const end = src.indexOf("`", j + 1);
        if (end < 0) throw new SyntaxError("quote", line);
        j = end + 1;
      } else j++;
    }
    const word: Token = { t: "word", v: src.slice(i, j), line, sp, at: i, end: j };
    const prev = out[out.length - 1];
    if (prev?.t === "op" && (prev.v === "<<" || prev.v === "<<-")) {
      word.heredoc = { body: "", quoted: /['"\\]/.test(word.v) };
      pending.push({ tok: word, strip: prev.v === "<<-", delim: word.v.replace(/\\(.)|['"]/g, "$1") });
    }
    out.push(word);
    for (const ch of word.v) if (ch === "\n") line++;
    i = j;
    sp = false;
  }
  if (pending.length) readHeredocs();
  return out;
}

/** The index of the `))` closing an arithmetic command, or -1 when `((` is two subshells. */
function arithEnd(src: string, j: number): number {
  let depth = 0;
  for (; j < src.length; j++) {
    if (src[j] === "(") depth++;
    else if (src[j] === ")") {
      if (depth === 0) return src[j + 1] === ")" ? j : -1;
      depth--;
    } else if (src[j] === "\n" || src[j] === ";") return -1;
  }
  return -1;
}

function skipDouble(src: string, j: number, line: number): number {
  for (j++; j < src.length; j++) {
    if (src[j] === "\\") j++;
    else if (src[j] === '"') return j + 1;
    else if (src[j] === "$" && src[j + 1] === "(") j = skipParens(src, j + 1, line) - 1;
    else if (src[j] === "$" && src[j + 1] === "{") j = skipBrace(src, j + 1, line) - 1;
  }
  throw new SyntaxError("quote", line);
}

/** From an opening "(" to just past its matching ")". */
export function skipParens(src: string, j: number, line = 1): number {
  let depth = 0;
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === "\\") j++;
    else if (c === "'") {
      j = src.indexOf("'", j + 1);
      if (j < 0) break;
    } else if (c === '"') j = skipDouble(src, j, line) - 1;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j + 1;
  }
  throw new SyntaxError("eof", line, undefined, ")");
}

/** From an opening "{" (of `${`) to just past its matching "}". */
export function skipBrace(src: string, j: number, line = 1): number {
  let depth = 0;
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === "\\") j++;
    else if (c === "'") {
      j = src.indexOf("'", j + 1);
      if (j < 0) break;
    } else if (c === '"') j = skipDouble(src, j, line) - 1;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return j + 1;
  }
  throw new SyntaxError("eof", line, undefined, "}");
}

const RESERVED = new Set(["do", "done", "then", "elif", "else", "fi", "}", "in", "esac"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The extensions each shell has: bash all of them; busybox ash `[[ ]]` and `function`; dash none
 * (there `[[` is a command it does not find, and `a=(…)` a syntax error).
 */
export type Extensions = { arrays: boolean; cond: boolean; func: boolean; arith: boolean };
export const EXTENSIONS: Record<"bash" | "busybox" | "dash", Extensions> = {
  bash: { arrays: true, cond: true, func: true, arith: true },
  busybox: { arrays: false, cond: true, func: true, arith: false },
  dash: { arrays: false, cond: false, func: false, arith: false },
};

export function parse(src: string, opts: { strict?: boolean; ext?: Extensions } = {}): Node {
  const ext = opts.ext ?? EXTENSIONS.bash;
  const toks = tokenize(src, opts.strict, ext.arith);
  const lastLine = toks.length ? toks[toks.length - 1].line : 1;
  let p = 0;
  const peek = () => toks[p];
  const isWord = (v?: string) => peek()?.t === "word" && (v === undefined || peek()!.v === v);
  const isOp = (v: string) => peek()?.t === "op" && peek()!.v === v;
  const unexpected = (expecting?: string): never => {
    const t = peek();
    if (!t) throw new SyntaxError("eof", lastLine, undefined, expecting);
    throw new SyntaxError("token", t.line, t.v === "\n" ? "newline" : t.t === "arith" ? `((${t.v}))` : t.v, expecting);
  };
  const skipNewlines = () => {
    while (isOp("\n")) p++;
  };
  const expectWord = (v: string) => {
    skipNewlines();
    if (!isWord(v)) unexpected(v);
    p++;
  };

  function list(): Node {
    const items: Node[] = [];
    for (;;) {
      while (isOp("\n") || isOp(";")) p++;
      const t = peek();
      if (!t || (t.t === "op" && (t.v === ")" || t.v === ";;")) || (t.t === "word" && RESERVED.has(t.v))) break;
      const first = p;
      const item = andOr();
      if (isOp("&")) {
        const text = src.slice(toks[first].at ?? 0, toks[p - 1].end ?? 0);
        items.push({ type: "background", body: item, text });
      } else items.push(item);
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
    if (isWord("!")) {
      negate = true;
      p++;
    }
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

  /** Redirections after a compound command: `while …; done < file`, `{ …; } > out`. */
  function trailingRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let r = redirection(); r; r = redirection()) out.push(r);
    return out;
  }

  function withRedirects(n: Node): Node {
    const redirects = trailingRedirects();
    if (!redirects.length) return n;
    if (n.type === "group") return { ...n, redirects: [...n.redirects, ...redirects] };
    return { type: "group", body: n, subshell: false, redirects };
  }

  function command(): Node {
    const t = peek();
    if (!t) unexpected();
    if (t.t === "arith") {
      p++;
      return { type: "arith", expr: t.v, line: t.line };
    }
    if (t.t === "op" && t.v === "(") {
      p++;
      const b = list();
      if (!isOp(")")) unexpected(")");
      p++;
      return withRedirects({ type: "group", body: b, subshell: true, redirects: [] });
    }
    if (t.t === "word") {
      // name() compound-command, and bash's `function name [()] compound-command`.
      const next = toks[p + 1],
        after = toks[p + 2];
      if (NAME.test(t.v) && !RESERVED.has(t.v) && next?.t === "op" && next.v === "(" && after?.t === "op" && after.v === ")") {
        p += 3;
        skipNewlines();
        return { type: "func", name: t.v, body: command() };
      }
      if (ext.func && t.v === "function" && next?.t === "word") {
        p += 2;
        if (isOp("(")) {
          p++;
          if (!isOp(")")) unexpected(")");
          p++;
        }
        skipNewlines();
        return { type: "func", name: next.v, body: command() };
      }
      switch (t.v) {
        case "while":
        case "until": {
          p++;
          const cond = list();
          return withRedirects({ type: "while", until: t.v === "until", cond, body: body() });
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
          return withRedirects({ type: "for", name, words, body: body() });
        }
        case "if": {
          p++;
          const branches: [Node, Node][] = [];
          let otherwise: Node | undefined;
          for (;;) {
            const cond = list();
            expectWord("then");
            branches.push([cond, list()]);
            if (isWord("elif")) {
              p++;
              continue;
            }
            if (isWord("else")) {
              p++;
              otherwise = list();
            }
            expectWord("fi");
            break;
          }
          return withRedirects({ type: "if", branches, otherwise });
        }
        case "case": {
          p++;
          if (!isWord()) unexpected();
          const word = toks[p++].v;
          expectWord("in");
          const arms: { patterns: string[]; body: Node }[] = [];
          for (;;) {
            skipNewlines();
            if (isWord("esac")) {
              p++;
              break;
            }
            if (isOp("(")) p++;
            const patterns: string[] = [];
            for (;;) {
              if (!isWord()) unexpected(")");
              patterns.push(toks[p++].v);
              if (isOp("|")) {
                p++;
                continue;
              }
              if (!isOp(")")) unexpected(")");
              p++;
              break;
            }
            const b = list();
            arms.push({ patterns, body: b });
            skipNewlines();
            if (isOp(";;")) {
              p++;
              continue;
            }
            expectWord("esac");
            break;
          }
          return withRedirects({ type: "case", word, arms });
        }
        case "{": {
          p++;
          const b = list();
          expectWord("}");
          return withRedirects({ type: "group", body: b, subshell: false, redirects: [] });
        }
        case "[[": {
          if (!ext.cond) break;
          p++;
          const words: CondWord[] = [];
          for (;;) {
            const w = peek();
            if (!w) unexpected("]]");
            if (w.t === "word" && w.v === "]]") {
              p++;
              break;
            }
            if (w.t === "op" && w.v === "\n") unexpected();
            p++;
            if (w.t === "word" && words.length && words[words.length - 1].word === "=~") {
              // The regex runs to the next blank: ( | ) inside it are not operators.
              let re = w.v;
              while (peek() && !peek()!.sp && !(peek()!.t === "word" && peek()!.v === "]]")) re += toks[p++].v;
              words.push({ word: re });
            } else if (w.t === "op" && w.v === "(" && words.length && words[words.length - 1].word === "=~") {
              let re = w.v;
              while (peek() && !peek()!.sp && !(peek()!.t === "word" && peek()!.v === "]]")) re += toks[p++].v;
              words.push({ word: re });
            } else words.push(w.t === "op" ? { op: w.v } : w.v === "!" ? { op: "!" } : { word: w.v });
          }
          return { type: "cond", words, line: t.line };
        }
      }
    }
    return simple();
  }

  function redirection(): Redirect | undefined {
    const t = peek();
    if (t?.t !== "op") return undefined;
    const m = /^(\d?)(>>|>&|<&|&>|<<<|<<-|<<|>|<)$/.exec(t.v);
    if (!m) return undefined;
    p++;
    if (!isWord()) unexpected();
    const op = (m[2] === "<<-" ? "<<" : m[2]) as Redirect["op"];
    const fd = m[1] ? Number(m[1]) : op.startsWith("<") ? 0 : 1;
    const target = toks[p++];
    return { fd, op, target: target.v, heredoc: target.heredoc };
  }

  function simple(): Node {
    const node = {
      type: "simple" as const,
      assigns: [] as Assign[],
      words: [] as string[],
      redirects: [] as Redirect[],
      line: peek()?.line ?? 1,
    };
    for (;;) {
      const t = peek();
      if (!t) break;
      if (t.t === "op") {
        const r = redirection();
        if (!r) break;
        node.redirects.push(r);
        continue;
      }
      if (t.t !== "word") break;
      const a = /^([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?)(\+?)=/.exec(t.v);
      if (a && !node.words.length) {
        p++;
        // a=(x y z): an array (bash); the words up to ")".
        if (ext.arrays && t.v === a[0] && isOp("(") && !peek()!.sp) {
          p++;
          const items: string[] = [];
          for (;;) {
            skipNewlines();
            if (isOp(")")) {
              p++;
              break;
            }
            if (!isWord()) unexpected();
            items.push(toks[p++].v);
          }
          node.assigns.push([a[1] + a[2], items]);
        } else node.assigns.push([a[1] + a[2], t.v.slice(a[0].length)]);
        continue;
      }
      node.words.push(t.v);
      p++;
    }
    if (!node.words.length && !node.assigns.length && !node.redirects.length) unexpected();
    return node;
  }

  const root = list();
  if (p < toks.length) unexpected();
  return root;
}
