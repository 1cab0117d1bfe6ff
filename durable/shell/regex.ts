// POSIX regular expressions (BRE and ERE, with the GNU extensions grep and sed accept) translated to
// JavaScript RegExp source. JavaScript picks the leftmost alternative where POSIX picks the longest
// match; for the patterns scripts write the two agree.

const CLASSES: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "0-9a-zA-Z",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  print: " -~",
  graph: "!-~",
  cntrl: "\\x00-\\x1f\\x7f",
  xdigit: "0-9A-Fa-f",
  word: "0-9a-zA-Z_",
};

/** Why a pattern does not compile, in GNU regcomp's words ("Unmatched ( or \\("). */
export class RegexError extends Error {}

/** A bracket expression starting at p[i] === "[": its JS class and the index after it. */
function bracket(p: string, i: number): [string, number] {
  let j = i + 1;
  let out = "[";
  if (p[j] === "^") {
    out += "^";
    j++;
  }
  let first = true;
  for (; j < p.length; j++) {
    const c = p[j];
    if (c === "]" && !first) return [`${out}]`, j + 1];
    first = false;
    if (c === "[" && (p[j + 1] === ":" || p[j + 1] === "=" || p[j + 1] === ".")) {
      const kind = p[j + 1];
      const end = p.indexOf(`${kind}]`, j + 2);
      if (end < 0) throw new RegexError("Unmatched [, [^, [:, [., or [=");
      const name = p.slice(j + 2, end);
      if (kind === ":") {
        if (!CLASSES[name]) throw new RegexError("Invalid character class name");
        out += CLASSES[name];
      } else out += name.replace(/[\\\][^-]/g, "\\$&");
      j = end + 1;
      continue;
    }
    // A backslash is an ordinary character in a POSIX bracket; ] [ ^ need escaping in JS.
    if (c === "\\" || c === "]" || c === "[" || (c === "^" && out.length > 1)) out += `\\${c}`;
    else out += c;
  }
  throw new RegexError("Unmatched [, [^, [:, [., or [=");
}

/**
 * POSIX pattern → JS source. `extended` picks ERE (grep -E, sed -E/-r, awk) over BRE. In a BRE,
 * `\( \) \{ \} \| \+ \?` are the operators and the bare characters literal; a `*` that starts an
 * expression is literal in both.
 */
export function posixToJs(p: string, extended: boolean): string {
  let out = "";
  let depth = 0;
  // Is the position at the start of an expression (where * and ^ mean other things)?
  let atStart = true;
  for (let i = 0; i < p.length; ) {
    const c = p[i];
    const start = atStart;
    atStart = false;
    if (c === "\\") {
      const n = p[i + 1];
      i += 2;
      if (n === undefined) throw new RegexError("Trailing backslash");
      if (!extended && n === "(") {
        out += "(";
        depth++;
        atStart = true;
        continue;
      }
      if (!extended && n === ")") {
        if (!depth--) throw new RegexError("Unmatched ) or \\)");
        out += ")";
        continue;
      }
      if (!extended && n === "|") {
        out += "|";
        atStart = true;
        continue;
      }
      if (!extended && (n === "+" || n === "?")) {
        out += start ? `\\${n}` : n;
        continue;
      }
      if (!extended && n === "{") {
        const end = p.indexOf("\\}", i);
        if (end < 0) throw new RegexError("Unmatched \\{");
        const body = p.slice(i, end);
        if (!/^\d*(,\d*)?$/.test(body)) throw new RegexError("Invalid content of \\{\\}");
        out += `{${body.startsWith(",") ? `0${body}` : body}}`;
        i = end + 2;
        continue;
      }
      if (/[1-9]/.test(n)) {
        out += `\\${n}`;
        continue;
      }
      if (n === "<") {
        out += "\\b(?=\\w)";
        continue;
      }
      if (n === ">") {
        out += "\\b(?<=\\w)";
        continue;
      }
      if ("bBwWsS".includes(n)) {
        out += `\\${n}`;
        continue;
      }
      if (n === "n") {
        out += "\\n";
        continue;
      }
      if (n === "t") {
        out += "\\t";
        continue;
      }
      if (n === "`") {
        out += "^";
        continue;
      }
      if (n === "'") {
        out += "$";
        continue;
      }
      out += /[A-Za-z0-9]/.test(n) ? n : `\\${n}`;
      continue;
    }
    if (c === "[") {
      const [cls, next] = bracket(p, i);
      out += cls;
      i = next;
      continue;
    }
    i++;
    if (c === "^") {
      // An anchor at the start of an expression (GNU: also after ( and |); literal elsewhere in a BRE.
      if (start || extended) {
        out += "^";
        atStart = true;
      } else out += "\\^";
      continue;
    }
    if (c === "$") {
      const end = i === p.length || (extended ? p[i] === ")" || p[i] === "|" : p.startsWith("\\)", i) || p.startsWith("\\|", i));
      out += end || extended ? "$" : "\\$";
      continue;
    }
    if (c === "*") {
      out += start ? "\\*" : "*";
      continue;
    }
    if (c === ".") {
      out += ".";
      continue;
    }
    if (extended) {
      if (c === "(") {
        out += "(";
        depth++;
        atStart = true;
        continue;
      }
      if (c === ")") {
        if (!depth--) throw new RegexError("Unmatched ) or \\)");
        out += ")";
        continue;
      }
      if (c === "|") {
        out += "|";
        atStart = true;
        continue;
      }
      if (c === "+" || c === "?") {
        out += start ? `\\${c}` : c;
        continue;
      }
      if (c === "{") {
        const m = /^(\d*)(,\d*)?\}/.exec(p.slice(i));
        if (!m || (!m[1] && !m[2])) {
          out += "\\{";
          continue;
        }
        out += `{${m[1] || "0"}${m[2] ?? ""}}`;
        i += m[0].length;
        continue;
      }
    }
    out += /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
  }
  if (depth > 0) throw new RegexError("Unmatched ( or \\(");
  return out;
}

/** Compile a POSIX pattern; throws RegexError with GNU's wording when it does not compile. */
export function posixRegExp(p: string, opts: { extended: boolean; ignoreCase?: boolean; global?: boolean }): RegExp {
  const src = posixToJs(p, opts.extended);
  try {
    return new RegExp(src, `${opts.ignoreCase ? "i" : ""}${opts.global ? "g" : ""}`);
  } catch {
    throw new RegexError("Invalid regular expression");
  }
}

/** A fixed string as a JS pattern. */
export const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
