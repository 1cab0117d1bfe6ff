// kubectl's YAML: sigs.k8s.io/yaml v1.4.0 Marshal, i.e. the object as JSON, read back by go-yaml v2
// (`JSONToYAML`) and written by go-yaml v2's encoder (a port of libyaml's emitter). This module is a
// port of the parts of goyaml.v2 (encode.go, resolve.go, sorter.go, emitterc.go) that JSON values
// reach: block mappings and sequences, flow `{}` / `[]` when empty, the scalar analysis that picks
// plain, single-quoted, double-quoted or literal style, and line folding at 80 columns.

/** The YAML kubectl prints for a JSON value (`yaml.Marshal`), ending with a newline. */
export function goYamlMarshal(value: unknown): string {
  const e = new Emitter();
  e.node(value, true, false, false, false);
  // DOCUMENT-END: a line break unless we are at the start of an indented empty line.
  e.writeIndent();
  return e.out.join("");
}

// ---- go-yaml v2's key order (sorter.go keyList.Less, for string keys) ----

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => /\p{Nd}/u.test(c);

/** goyaml.v2 keyList.Less for two string keys: letters before punctuation, digit runs by value. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return (ar[i].codePointAt(0) ?? 0) < (br[i].codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt((ar[ai].codePointAt(0) ?? 48) - 48);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt((br[bi].codePointAt(0) ?? 48) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ar[i].codePointAt(0) ?? 0) < (br[i].codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

// ---- resolve.go: would this string, unquoted, read back as something other than a string? ----

const RESOLVE_MAP = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "true",
  "True",
  "TRUE",
  "on",
  "On",
  "ON",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "false",
  "False",
  "FALSE",
  "off",
  "Off",
  "OFF",
  "",
  "~",
  "null",
  "Null",
  "NULL",
  ".nan",
  ".NaN",
  ".NAN",
  ".inf",
  ".Inf",
  ".INF",
  "+.inf",
  "+.Inf",
  "+.INF",
  "-.inf",
  "-.Inf",
  "-.INF",
  "<<",
]); // prettier-ignore
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) succeed (s already without underscores). */
function parsesAsGoInt(s: string): boolean {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return false;
  let digits = m[2];
  let v: bigint;
  if (/^0[oO]/.test(digits)) v = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[0-7]+$/.test(digits)) v = BigInt(`0o${digits.slice(1)}`);
  else {
    if (/^0[xXbB]/.test(digits)) digits = digits[0] + digits[1].toLowerCase() + digits.slice(2);
    v = BigInt(digits);
  }
  if (m[1] === "-") return -v >= INT64_MIN;
  if (v <= INT64_MAX) return true;
  return m[1] === "" && v <= UINT64_MAX; // ParseUint takes no sign
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** resolve.go parseTimestamp: the formats go-yaml v2 reads as !!timestamp. */
function isYamlTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return false;
  const [, y, mo, d, t, sp, hh, mi, ss, , zone] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > daysIn(+y, +mo)) return false;
  if (t === undefined && sp === undefined) return true;
  if (+hh > 23 || +mi > 59 || +ss > 59) return false;
  if (t !== undefined) return zone !== undefined; // RFC3339 layouts need a zone
  return zone === undefined; // "2006-1-2 15:4:5.999999999" has none
}

function resolvesToNonString(s: string): boolean {
  if (s === "") return true;
  const c = s[0];
  let hint = "";
  if (c === "+" || c === "-") hint = "S";
  else if (c >= "0" && c <= "9") hint = "D";
  else if ("yYnNtTfFoO~".includes(c)) hint = "M";
  else if (c === ".") hint = ".";
  else if (s === "<<") return true;
  if (!hint) return false;
  if (RESOLVE_MAP.has(s)) return true;
  if (hint === ".") return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s); // strconv.ParseFloat
  if (hint === "D" || hint === "S") {
    if (isYamlTimestamp(s)) return true;
    const plain = s.replace(/_/g, "");
    if (parsesAsGoInt(plain)) return true;
    if (YAML_STYLE_FLOAT.test(plain)) return true;
    if (/^-?0b[01]+$/.test(plain)) return true;
  }
  return false;
}

// ---- scalar formatting ----

/** strconv.FormatFloat(f, 'g', -1, 64) */
export function goFormatFloatG(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Number.POSITIVE_INFINITY) return "+Inf";
  if (f === Number.NEGATIVE_INFINITY) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mant, expStr] = f.toExponential().split("e");
  const exp = Number(expStr);
  // shortest 'g': %e when the exponent is < -4 or >= 6 (eprec is 6 for the shortest precision)
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  }
  // %f with the shortest digits
  const neg = f < 0;
  const digits = mant.replace(/^-/, "").replace(".", "");
  let out: string;
  if (exp >= 0) {
    out = digits.length <= exp + 1 ? digits + "0".repeat(exp + 1 - digits.length) : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  }
  return (neg ? "-" : "") + out;
}

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** is_printable (yamlprivateh.go), per code point: 4-byte UTF-8 characters are not. */
function isPrintable(cp: number): boolean {
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}
const isBreak = (cp: number | undefined) => cp === 0x0d || cp === 0x0a || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isBlank = (cp: number | undefined) => cp === 0x20 || cp === 0x09;
const isBlankz = (cp: number | undefined) => isBlank(cp) || isBreak(cp) || cp === 0 || cp === undefined;

function analyzeScalar(v: number[]): ScalarAnalysis {
  if (v.length === 0) {
    return { multiline: false, flowPlainAllowed: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const ch = (i: number) => String.fromCodePoint(v[i]);
  if (v.length >= 3 && ((ch(0) === "-" && ch(1) === "-" && ch(2) === "-") || (ch(0) === "." && ch(1) === "." && ch(2) === "."))) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < v.length; i++) {
    const c = ch(i);
    const followedByWhitespace = i + 1 >= v.length || isBlank(v[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (c === "?" || c === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === "-") {
        if (followedByWhitespace) {
          flowIndicators = true;
          blockIndicators = true;
        }
      }
    } else {
      if (",?[]{}".includes(c)) flowIndicators = true;
      else if (c === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === "#" && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (!isPrintable(v[i])) specialCharacters = true; // the encoder is in unicode mode
    if (v[i] === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i + 1 === v.length) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(v[i])) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i + 1 === v.length) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(v[i]);
  }
  const a: ScalarAnalysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (flowIndicators) a.flowPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

type Style = "plain" | "single" | "double" | "literal";

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

function utf8Length(s: string): number {
  let n = 0;
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

class Emitter {
  out: string[] = [];
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;
  indents: number[] = [];
  flowLevel = 0;
  rootContext = false;
  sequenceContext = false;
  mappingContext = false;
  simpleKeyContext = false;

  put(s: string) {
    this.out.push(s);
    this.column++;
  }
  putBreak() {
    this.out.push("\n");
    this.column = 0;
  }
  /** write(): one character of a value. */
  write(cp: number) {
    this.out.push(String.fromCodePoint(cp));
    this.column++;
  }
  writeBreak(cp: number) {
    if (cp === 0x0a) this.putBreak();
    else {
      this.write(cp);
      this.column = 0;
    }
  }
  increaseIndent(flow: boolean, indentless: boolean) {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }
  popIndent() {
    this.indent = this.indents.pop() ?? -1;
  }
  writeIndent() {
    const indent = Math.max(0, this.indent);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }
  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean) {
    if (needWhitespace && !this.whitespace) this.put(" ");
    for (const c of indicator) this.put(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  node(v: unknown, root: boolean, sequence: boolean, mapping: boolean, simpleKey: boolean) {
    this.rootContext = root;
    this.sequenceContext = sequence;
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    if (Array.isArray(v)) {
      if (this.flowLevel > 0 || v.length === 0) this.flowSequence(v);
      else this.blockSequence(v);
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
      if (this.flowLevel > 0 || keys.length === 0) this.flowMapping(v as Record<string, unknown>, keys);
      else this.blockMapping(v as Record<string, unknown>, keys);
    } else {
      const [text, requested] = scalarOf(v);
      this.scalar(text, requested);
    }
  }

  flowSequence(v: unknown[]) {
    this.writeIndicator("[", true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    v.forEach((item, i) => {
      if (i > 0) this.writeIndicator(",", false, false, false);
      if (this.column > BEST_WIDTH) this.writeIndent();
      this.node(item, false, true, false, false);
    });
    this.flowLevel--;
    this.popIndent();
    this.writeIndicator("]", false, false, false);
  }

  flowMapping(v: Record<string, unknown>, keys: string[]) {
    this.writeIndicator("{", true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    sortKeys(keys).forEach((k, i) => {
      if (i > 0) this.writeIndicator(",", false, false, false);
      if (this.column > BEST_WIDTH) this.writeIndent();
      if (isSimpleKey(k)) {
        this.node(k, false, false, true, true);
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, false);
        this.node(k, false, false, true, false);
        if (this.column > BEST_WIDTH) this.writeIndent();
        this.writeIndicator(":", true, false, false);
      }
      this.node(v[k], false, false, true, false);
    });
    this.flowLevel--;
    this.popIndent();
    this.writeIndicator("}", false, false, false);
  }

  blockSequence(v: unknown[]) {
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of v) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item, false, true, false, false);
    }
    this.popIndent();
  }

  blockMapping(v: Record<string, unknown>, keys: string[]) {
    this.increaseIndent(false, false);
    for (const k of sortKeys(keys)) {
      this.writeIndent();
      if (isSimpleKey(k)) {
        this.node(k, false, false, true, true);
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.node(k, false, false, true, false);
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      this.node(v[k], false, false, true, false);
    }
    this.popIndent();
  }

  scalar(text: string, requested: Style) {
    const value = Array.from(text, (c) => c.codePointAt(0) ?? 0);
    const a = analyzeScalar(value);
    // yaml_emitter_select_scalar_style
    let style = requested;
    if (this.simpleKeyContext && a.multiline) style = "double";
    if (style === "plain") {
      if ((this.flowLevel > 0 && !a.flowPlainAllowed) || (this.flowLevel === 0 && !a.blockPlainAllowed)) style = "single";
      if (value.length === 0 && (this.flowLevel > 0 || this.simpleKeyContext)) style = "single";
    }
    if (style === "single" && !a.singleQuotedAllowed) style = "double";
    if (style === "literal" && (!a.blockAllowed || this.flowLevel > 0 || this.simpleKeyContext)) style = "double";
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === "plain") this.writePlain(value, allowBreaks);
    else if (style === "single") this.writeSingle(value, allowBreaks);
    else if (style === "double") this.writeDouble(value, allowBreaks);
    else this.writeLiteral(value);
    this.popIndent();
  }

  writePlain(v: number[], allowBreaks: boolean) {
    if (!this.whitespace) this.put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && v[i + 1] !== 0x20) this.writeIndent();
        else this.write(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  writeSingle(v: number[], allowBreaks: boolean) {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1 && v[i + 1] !== 0x20) this.writeIndent();
        else this.write(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.write(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeDouble(v: number[], allowBreaks: boolean) {
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    // go-yaml's is_bom looks at the value's first character whatever the index: a value that starts
    // with a BOM has every character escaped.
    const bom = v[0] === 0xfeff;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (bom || !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put("\\");
        const short: Record<number, string> = {
          0: "0",
          7: "a",
          8: "b",
          9: "t",
          10: "n",
          11: "v",
          12: "f",
          13: "r",
          27: "e",
          34: '"',
          92: "\\",
          133: "N",
          160: "_",
          8232: "L",
          8233: "P",
        }; // prettier-ignore
        if (short[c] !== undefined) this.put(short[c]);
        else {
          const [letter, width] = c <= 0xff ? ["x", 2] : c <= 0xffff ? ["u", 4] : ["U", 8];
          this.put(letter as string);
          for (const d of c
            .toString(16)
            .toUpperCase()
            .padStart(width as number, "0"))
            this.put(d);
        }
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1) {
          this.writeIndent();
          if (v[i + 1] === 0x20) this.put("\\");
        } else this.write(c);
        spaces = true;
      } else {
        this.write(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  writeLiteral(v: number[]) {
    this.writeIndicator("|", true, false, false);
    // yaml_emitter_write_block_scalar_hints
    if (v[0] === 0x20 || isBreak(v[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    let chomp = "";
    if (v.length === 0) chomp = "-";
    else if (!isBreak(v[v.length - 1])) chomp = "-";
    else if (v.length === 1) chomp = "+";
    else if (isBreak(v[v.length - 2])) chomp = "+";
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of v) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/**
 * JSONToYAML reads the JSON text with go-yaml's parser: encoding/json leaves U+0085 (NEL) raw, and
 * in a double-quoted scalar that is a line break, folded as YAML folds (one break is a space, n
 * breaks n-1 newlines, white space around them dropped).
 */
function foldNel(s: string): string {
  if (!s.includes("\u0085")) return s;
  return s.replace(/[ \t]*\u0085(?:[ \t]*\u0085)*[ \t]*/g, (m) => {
    const n = m.split("\u0085").length - 1;
    return n === 1 ? " " : "\n".repeat(n - 1);
  });
}

function sortKeys(keys: string[]): string[] {
  return [...keys].sort((x, y) => {
    const a = foldNel(x);
    const b = foldNel(y);
    return yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0;
  });
}

/** yaml_emitter_check_simple_key for a string key. */
function isSimpleKey(key: string): boolean {
  const k = foldNel(key);
  if (/[\r\n\u0085\u2028\u2029]/.test(k)) return false;
  return utf8Length(k) <= 128;
}

/** The scalar text and the style go-yaml's encoder asks for (encode.go stringv, intv, floatv…). */
function scalarOf(v: unknown): [string, Style] {
  if (v === null || v === undefined) return ["null", "plain"];
  if (typeof v === "boolean") return [v ? "true" : "false", "plain"];
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return [BigInt(v).toString(), "plain"];
    const s = goFormatFloatG(v);
    return [s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s, "plain"];
  }
  if (typeof v === "bigint") return [v.toString(), "plain"];
  const s = foldNel(String(v));
  const canUsePlain = !resolvesToNonString(s) && !BASE60_FLOAT.test(s);
  if (s.includes("\n")) return [s, "literal"];
  return [s, canUsePlain ? "plain" : "double"];
}
