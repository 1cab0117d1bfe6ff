// What a request's path and query say, parsed with the real errors: path segments (net/url), label and
// field selectors (k8s.io/apimachinery/pkg/labels and pkg/fields).
import type { FieldError, Obj } from "../resources/types";
import { invalid, isQualifiedName, isValidLabelValue } from "../resources/validation";
import { badRequest } from "./status";

/**
 * One percent-decoded path segment. Go's net/url refuses a malformed escape (`%zz`) with
 * `invalid URL escape "%zz"` and the server answers 400; an escape that is not UTF-8 (`%ff`) has no
 * string to become here, so it is refused the same way.
 */
export function decodePathSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    const bad = /%(?![0-9A-Fa-f]{2})/.exec(seg);
    if (bad) throw badRequest(`invalid URL escape ${JSON.stringify(seg.slice(bad.index, bad.index + 3))}`);
    const run = seg.match(/(%[0-9A-Fa-f]{2})+/g)!.find((r) => !isUTF8(r))!;
    throw badRequest(`invalid URL escape ${JSON.stringify(run)}: not UTF-8`);
  }
}

const isUTF8 = (escapes: string) => {
  try {
    decodeURIComponent(escapes);
    return true;
  } catch {
    return false;
  }
};

export type Operator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export type Labels = Record<string, string> | undefined | null;

export function matches(reqs: Requirement[], labels: Labels): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
      case "==":
      case "in":
        return has && r.values.includes(v);
      case "!=":
      case "notin":
        return !has || !r.values.includes(v);
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
      case "lt": {
        if (!has || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        return r.op === "gt" ? n > Number(r.values[0]) : n < Number(r.values[0]);
      }
    }
  });
}

// labels.Parse: a lexer and a recursive-descent parser with the real error messages, so any input
// (unbalanced parentheses, stray operators, kilobytes of text) is either requirements or a 400.

type Token = "eos" | ")" | "," | "!" | "==" | "=" | ">" | "identifier" | "in" | "<" | "!=" | "notin" | "(";

const KEYWORDS: Record<string, Token> = {
  ")": ")",
  ",": ",",
  "!": "!",
  "==": "==",
  "=": "=",
  ">": ">",
  in: "in",
  "<": "<",
  "!=": "!=",
  notin: "notin",
  "(": "(",
};
const isWhitespace = (ch: string) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecialSymbol = (ch: string) => "=!(),><".includes(ch);

/** The lexer's tokens of a selector, up to and including "eos". */
function lex(s: string): { tok: Token; lit: string }[] {
  const items: { tok: Token; lit: string }[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isWhitespace(s[i])) i++;
    if (i >= s.length) {
      items.push({ tok: "eos", lit: "" });
      return items;
    }
    const start = i;
    if (isSpecialSymbol(s[i])) {
      // The longest operator at this point ("!=", but "=" then "(" for "=("); every symbol alone is one.
      let lit = s[i];
      if (KEYWORDS[s.slice(i, i + 2)]) lit = s.slice(i, i + 2);
      i += lit.length;
      items.push({ tok: KEYWORDS[lit], lit });
    } else {
      while (i < s.length && !isSpecialSymbol(s[i]) && !isWhitespace(s[i])) i++;
      const lit = s.slice(start, i);
      items.push({ tok: KEYWORDS[lit] ?? "identifier", lit });
    }
  }
}

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";
const OPERATORS: Partial<Record<Token, Operator>> = { in: "in", notin: "notin", "=": "=", "==": "==", "!=": "!=", ">": "gt", "<": "lt" };
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/** strconv.ParseInt(v, 10, 64) succeeds. */
const isInt64 = (v: string) => /^[+-]?\d+$/.test(v) && BigInt(v) >= MIN_INT64 && BigInt(v) <= MAX_INT64;

class SelectorParser {
  private readonly items: { tok: Token; lit: string }[];
  private pos = 0;

  constructor(s: string) {
    this.items = lex(s);
  }

  /** The next token; in a values context the words in and notin are plain identifiers. */
  private lookahead(values: boolean): { tok: Token; lit: string } {
    const it = this.items[this.pos];
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "identifier", lit: it.lit } : it;
  }

  private consume(values: boolean): { tok: Token; lit: string } {
    const it = this.lookahead(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === "eos") return reqs;
      if (tok !== "identifier" && tok !== "!") throw badRequest(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof RequirementError) throw badRequest(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const next = this.consume(true);
      if (next.tok === "eos") return reqs;
      if (next.tok !== ",") throw badRequest(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== "identifier" && after.tok !== "!") throw badRequest(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  // The parts of one requirement throw RequirementError; parse() adds the prefix.

  private requirement(): Requirement {
    let { tok, lit } = this.consume(true);
    let op: Operator | undefined;
    if (tok === "!") {
      op = "!";
      ({ tok, lit } = this.consume(true));
    }
    if (tok !== "identifier") throw new RequirementError(`found '${lit}', expected: identifier`);
    const keyErrs = isQualifiedName(lit);
    if (keyErrs.length) throw new RequirementError(fieldError(invalid("<nil>", lit, keyErrs.join("; "))));
    const key = lit;
    const ahead = this.lookahead(true).tok;
    if (op === "!" || ahead === "eos" || ahead === ",") return newRequirement(key, op ?? "exists", []);
    const opItem = this.consume(false);
    op = OPERATORS[opItem.tok];
    if (!op) throw new RequirementError(`found '${opItem.lit}', expected: ${BINARY_OPERATORS}`);
    const values = op === "in" || op === "notin" ? this.values() : this.exactValue();
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  /** ( value, value, … ): a possibly empty list, empty members allowed. */
  private values(): string[] {
    const open = this.consume(true);
    if (open.tok !== "(") throw new RequirementError(`found '${open.lit}' expected: '('`);
    const first = this.lookahead(true);
    if (first.tok === ")") {
      this.consume(true);
      return [""];
    }
    if (first.tok !== "identifier" && first.tok !== ",")
      throw new RequirementError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const out: string[] = [];
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === "identifier") {
        out.push(lit);
        const next = this.lookahead(true);
        if (next.tok === ")") break;
        if (next.tok !== ",") throw new RequirementError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ",") {
        if (out.length === 0) out.push("");
        const next = this.lookahead(true).tok;
        if (next === ")") {
          out.push("");
          break;
        }
        if (next === ",") out.push("");
      } else throw new RequirementError(`found '${lit}', expected: ',', or identifier`);
    }
    // The closing parenthesis (parseValues reports the list's first token when it is missing).
    if (this.consume(true).tok !== ")") throw new RequirementError(`found '${first.lit}', expected: ')'`);
    return out;
  }

  private exactValue(): string[] {
    const ahead = this.lookahead(true).tok;
    if (ahead === "eos" || ahead === ",") return [""];
    const { tok, lit } = this.consume(true);
    if (tok === "identifier") return [lit];
    throw new RequirementError(`found '${lit}', expected: identifier`);
  }
}

/** A malformed requirement; labels.Parse reports it as "unable to parse requirement: <message>". */
class RequirementError extends Error {}

/** field.Error.Error(): the path (here "<nil>" for the key, as the parser has none), then the message. */
const fieldError = (e: FieldError) => `${e.field}: ${e.message}`;

/** labels.NewRequirement's checks of the values (the key was checked as it was read). */
function newRequirement(key: string, op: Operator, values: string[]): Requirement {
  const errs: FieldError[] = [];
  values.forEach((v, i) => {
    if ((op === "gt" || op === "lt") && !isInt64(v))
      errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
  });
  values.forEach((v, i) => {
    const e = isValidLabelValue(v);
    if (e.length) errs.push(invalid(`values[${i}][${key}]`, v, e.join("; ")));
  });
  if (errs.length) throw new RequirementError(errs.length === 1 ? fieldError(errs[0]) : `[${errs.map(fieldError).join(", ")}]`);
  return { key, op, values };
}

/** Parse a label selector string, e.g. `app=nginx,tier in (web,api),!canary` (labels.Parse). */
export function parseLabelSelector(input: string): Requirement[] {
  return new SelectorParser(input).parse();
}

/** metav1.LabelSelector → requirements. A null selector matches nothing; an empty one everything. */
export function labelSelectorRequirements(sel: Obj | undefined | null): Requirement[] | null {
  if (sel == null) return null;
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: "=" as Operator,
    values: [String(v)],
  }));
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as const)[e.operator as string];
    if (op) reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

/** Does a metav1.LabelSelector select these labels? */
export function selects(sel: Obj | undefined | null, labels: Labels): boolean {
  const reqs = labelSelectorRequirements(sel);
  return reqs !== null && matches(reqs, labels);
}

/** metav1.FormatLabelSelector: the string form, as `kubectl get rs -o wide` prints it. */
export function formatLabelSelector(sel: Obj | undefined | null): string {
  if (sel == null) return "<none>";
  const parts: string[] = [];
  for (const k of Object.keys(sel.matchLabels ?? {}).sort()) parts.push(`${k}=${sel.matchLabels[k]}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  const out = parts.join(",");
  return out === "" ? "<none>" : out;
}

// ---- field selectors -------------------------------------------------------

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Parse `metadata.name=x,status.phase!=Running` (fields.ParseSelector: nothing is trimmed). */
export function parseFieldSelector(input: string): FieldRequirement[] {
  // Terms are checked in sorted order, as Go sorts them, so the first error reported is the same.
  return splitTerms(input)
    .sort()
    .filter((term) => term !== "")
    .map((term) => {
      const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term); // the leftmost operator splits the term
      if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
      return { field: m[1], op: m[2] === "!=" ? "!=" : "=", value: unescapeValue(m[3]) };
    });
}

/** Split on commas not escaped by a backslash (fields.splitTerms). */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ",") {
      out.push(cur);
      cur = "";
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

/** fields.UnescapeValue: \\, \, and \= are the only escapes; a bare , or = is an error. */
function unescapeValue(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === "\\") {
      const next = v[++i];
      if (next === undefined) throw badRequest("invalid field selector: invalid escape sequence: \\");
      if (next !== "\\" && next !== "," && next !== "=") throw badRequest(`invalid field selector: invalid escape sequence: \\${next}`);
      out += next;
    } else if (c === "," || c === "=") {
      // Go prints the rune as a number (%v of a rune): '=' is 61.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  return out;
}

export function fieldMatches(reqs: FieldRequirement[], get: (field: string) => string): boolean {
  return reqs.every((r) => (get(r.field) === r.value) === (r.op === "="));
}
