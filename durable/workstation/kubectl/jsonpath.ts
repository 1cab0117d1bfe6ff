// kubectl's JSONPath: a port of k8s.io/client-go/util/jsonpath (parser.go, jsonpath.go, node.go and
// the comparison functions of third_party/forked/golang/template) as `kubectl -o jsonpath=` runs it
// (cli-runtime printers.JSONPathPrinter over the object's unstructured content), with the Go value
// formatting it relies on: fmt's %v and %#v, strconv.Quote and encoding/json.
//
// Values are JSON values. A JSON number that is an integer is Go's int64 (as unstructured decoding
// gives), any other number a float64. Go iterates maps in random order (`*` and `..` over a map);
// here they go in sorted key order.

import { goFormatFloatG } from "./yaml";

/** An error kubectl reports; `message` is exactly what kubectl writes to stderr for it. */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPathError";
  }
}

export interface JsonPathOptions {
  /** --allow-missing-template-keys; kubectl's default is true. */
  allowMissingKeys?: boolean;
  /** -o jsonpath-as-json */
  jsonOutput?: boolean;
}

/**
 * `kubectl get -o jsonpath=<template>` of `data` (the object, or the `kind: List` kubectl builds for
 * several): the text for stdout. Throws JsonPathError with kubectl's stderr text for a template that
 * does not parse ("error: error parsing jsonpath …") or fails on the data ("error: error executing
 * jsonpath …", which dumps the object as Go's %#v, as kubectl does).
 */
export function jsonPath(template: string, data: unknown, opts: JsonPathOptions = {}): string {
  let jp: JSONPath;
  try {
    jp = new JSONPath("out", template);
  } catch (e) {
    if (e instanceof GoError) throw new JsonPathError(`error: error parsing jsonpath ${template}, ${e.message}\n`);
    throw e;
  }
  jp.allowMissingKeys = opts.allowMissingKeys ?? true;
  jp.outputJSON = opts.jsonOutput ?? false;
  try {
    return jp.execute(data);
  } catch (e) {
    if (!(e instanceof GoError)) throw e;
    const debug =
      `Error executing template: ${e.message}. Printing more information for debugging the template:\n` +
      `\ttemplate was:\n\t\t${template}\n` +
      `\tobject given to jsonpath engine was:\n\t\t${goSharpV(data)}\n\n`;
    throw new JsonPathError(`error: error executing jsonpath ${goQuote(template)}: ${debug}\n`);
  }
}

/** An error as the Go code returns it (its Error() text). */
export class GoError extends Error {}

// ---------------------------------------------------------------- Go value model

/** Whether a JSON number is an int64 to Go's unstructured decoding (an integer that fits), else a float64. */
export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

/** A float64 that is integral (a FloatNode such as `1.0`); data numbers are told apart by Number.isInteger. */
export class GoFloat {
  constructor(readonly value: number) {}
}
/** A byte of a string, as `*` and `..` yield when they walk into a string (Go's uint8). */
export class GoByte {
  constructor(readonly value: number) {}
}

type Kind = "invalid" | "map" | "slice" | "string" | "int" | "float" | "bool" | "uint8";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "invalid";
  if (Array.isArray(v)) return "slice";
  if (v instanceof GoFloat) return "float";
  if (v instanceof GoByte) return "uint8";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return isGoInt(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "object":
      return "map";
  }
  return "invalid";
}

function goTypeName(v: unknown): string {
  switch (kindOf(v)) {
    case "map":
      return "map[string]interface {}";
    case "slice":
      return "[]interface {}";
    case "string":
      return "string";
    case "int":
      return "int64";
    case "float":
      return "float64";
    case "bool":
      return "bool";
    case "uint8":
      return "uint8";
  }
  return "interface {}";
}

function numberValue(v: unknown): number {
  if (v instanceof GoFloat || v instanceof GoByte) return v.value;
  return Number(v);
}

/** strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v prints a float64. */
function goFloatV(f: number): string {
  return goFormatFloatG(f);
}

/** fmt.Sprint(v) / %v */
export function goV(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  if (v instanceof GoFloat) return goFloatV(v.value);
  if (v instanceof GoByte) return String(v.value);
  if (Array.isArray(v)) return `[${v.map((x) => goV(x)).join(" ")}]`;
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return isGoInt(v) ? BigInt(v).toString() : goFloatV(v);
    case "bigint":
      return v.toString();
    case "object": {
      const m = v as Record<string, unknown>;
      const keys = Object.keys(m).sort(byteCompare);
      return `map[${keys.map((k) => `${k}:${goV(m[k])}`).join(" ")}]`;
    }
  }
  return String(v);
}

/** fmt's %#v of an unstructured value (map[string]interface {}, []interface {}, int64, string…). */
export function goSharpV(v: unknown): string {
  if (v === undefined || v === null) return "interface {}(nil)";
  if (v instanceof GoFloat) return goFloatV(v.value);
  if (v instanceof GoByte) return `0x${v.value.toString(16)}`;
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goSharpV(x)).join(", ")}}`;
  switch (typeof v) {
    case "string":
      return goQuote(v);
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return isGoInt(v) ? BigInt(v).toString() : goFloatV(v);
    case "bigint":
      return v.toString();
    case "object": {
      const m = v as Record<string, unknown>;
      const keys = Object.keys(m).sort(byteCompare);
      return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(m[k])}`).join(", ")}}`;
    }
  }
  return String(v);
}

/** strconv.Quote */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += "\\\\";
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) out += ch;
    else {
      const esc: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v" };
      if (esc[cp]) out += esc[cp];
      else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
      else out += `\\U${cp.toString(16).padStart(8, "0")}`;
    }
  }
  return `${out}"`;
}

/** Byte order of UTF-8 strings (Go's string comparison), for code points. */
export function byteCompare(a: string, b: string): number {
  if (a === b) return 0;
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s[i] + s[i + 1];
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += s[i];
  }
  return `${out}"`;
}

function jsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new GoError(`json: unsupported value: ${goFloatV(n)}`);
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
}

/** encoding/json Marshal (indent "") or MarshalIndent(v, "", indent): HTML-safe escapes, keys sorted as
 *  a map's are (`inOrder`: as given, for a typed struct laid out in its fields' order). */
export function goJson(v: unknown, indent = "", inOrder = false): string {
  const nl = (depth: number) => (indent ? `\n${indent.repeat(depth)}` : "");
  const walk = (x: unknown, depth: number): string => {
    if (x === undefined || x === null) return "null";
    if (x instanceof GoFloat || x instanceof GoByte) return jsonNumber(x.value);
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return `[${x.map((e) => nl(depth + 1) + walk(e, depth + 1)).join(",")}${nl(depth)}]`;
    }
    switch (typeof x) {
      case "string":
        return jsonString(x);
      case "boolean":
        return x ? "true" : "false";
      case "number":
        return jsonNumber(x);
      case "bigint":
        return x.toString();
      case "object": {
        const m = x as Record<string, unknown>;
        const keys = Object.keys(m).filter((k) => m[k] !== undefined);
        if (!inOrder) keys.sort(byteCompare);
        if (keys.length === 0) return "{}";
        const sep = indent ? ": " : ":";
        return `{${keys.map((k) => nl(depth + 1) + jsonString(k) + sep + walk(m[k], depth + 1)).join(",")}${nl(depth)}}`;
      }
    }
    return "null";
  };
  return walk(v, 0);
}

// ---------------------------------------------------------------- parse tree (node.go)

type Node =
  | { type: "list"; nodes: Node[] }
  | { type: "text"; text: string }
  | { type: "field"; value: string }
  | { type: "identifier"; name: string }
  | { type: "array"; params: ParamsEntry[] }
  | { type: "filter"; left: ListNode; right: ListNode; operator: string }
  | { type: "int"; value: number }
  | { type: "float"; value: number }
  | { type: "wildcard" }
  | { type: "recursive" }
  | { type: "union"; nodes: ListNode[] }
  | { type: "bool"; value: boolean };
type ListNode = { type: "list"; nodes: Node[] };
interface ParamsEntry {
  value: number;
  known: boolean;
  derived: boolean;
}

const newList = (): ListNode => ({ type: "list", nodes: [] });

// ---------------------------------------------------------------- parser.go

const EOF = -1;

function isSpaceR(r: number) {
  return r === 0x20 || r === 0x09;
}
function isEndOfLine(r: number) {
  return r === 0x0d || r === 0x0a;
}
function isAlphaNumeric(r: number) {
  if (r < 0) return false;
  const c = String.fromCodePoint(r);
  return r === 0x5f || /\p{L}/u.test(c) || /\p{Nd}/u.test(c);
}
function isDigitR(r: number) {
  return r >= 0 && /\p{Nd}/u.test(String.fromCodePoint(r));
}
function isTerminator(r: number) {
  if (isSpaceR(r) || isEndOfLine(r)) return true;
  return r === EOF || ".,[]$@{}".includes(String.fromCodePoint(r));
}

/** Go's %#U of a rune: U+0023 '#' */
function sharpU(r: number): string {
  const hex = r.toString(16).toUpperCase().padStart(4, "0");
  const c = String.fromCodePoint(r);
  return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

function atoi(s: string): number | undefined {
  if (!/^[-+]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** strconv.ParseFloat for what parseNumber scans (signs, digits and dots). */
function parseFloatGo(s: string): number | undefined {
  if (!/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(s)) return undefined;
  return Number(s);
}

class Parser {
  root: ListNode = newList();
  input = "";
  pos = 0; // in UTF-16 units
  start = 0;
  width = 0;

  constructor(readonly name: string) {}

  parse(text: string): undefined {
    this.input = text;
    this.root = newList();
    this.pos = 0;
    this.parseText(this.root);
  }

  consumeText(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }
  next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) ?? 0;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }
  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }
  backup() {
    this.pos -= this.width;
  }

  parseText(cur: ListNode): undefined {
    for (;;) {
      if (this.input.startsWith("{", this.pos)) {
        if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
        return this.parseLeftDelim(cur);
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
  }

  parseLeftDelim(cur: ListNode): undefined {
    this.pos += 1;
    this.consumeText();
    const n = newList();
    cur.nodes.push(n);
    return this.parseInsideAction(n);
  }

  parseInsideAction(cur: ListNode): undefined {
    // The loop of the Go code, written iteratively where it recursed into itself.
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith("}")) return this.parseRightDelim();
      if (rest.startsWith("[?(")) return this.parseFilter(cur);
      if (rest.startsWith("..")) return this.parseRecursive(cur);
      const r = this.next();
      if (r === EOF || isEndOfLine(r)) throw new GoError("unclosed action");
      if (r === 0x20) {
        this.consumeText();
        continue;
      }
      if (r === 0x40 || r === 0x24) {
        this.consumeText();
        continue;
      }
      if (r === 0x5b) return this.parseArray(cur);
      if (r === 0x22 || r === 0x27) return this.parseQuote(cur, r);
      if (r === 0x2e) return this.parseField(cur);
      if (r === 0x2b || r === 0x2d || isDigitR(r)) {
        this.backup();
        return this.parseNumber(cur);
      }
      if (isAlphaNumeric(r)) {
        this.backup();
        return this.parseIdentifier(cur);
      }
      throw new GoError(`unrecognized character in action: ${sharpU(r)}`);
    }
  }

  parseRightDelim(): undefined {
    this.pos += 1;
    this.consumeText();
    return this.parseText(this.root);
  }

  parseIdentifier(cur: ListNode): undefined {
    for (;;) {
      const r = this.next();
      if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === "true" || value === "false") cur.nodes.push({ type: "bool", value: value === "true" });
    else cur.nodes.push({ type: "identifier", name: value });
    return this.parseInsideAction(cur);
  }

  parseRecursive(cur: ListNode): undefined {
    const last = cur.nodes[cur.nodes.length - 1];
    if (last && last.type === "recursive") throw new GoError("invalid multiple recursive descent");
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ type: "recursive" });
    if (isAlphaNumeric(this.peek())) return this.parseField(cur);
    return this.parseInsideAction(cur);
  }

  parseNumber(cur: ListNode): undefined {
    let r = this.peek();
    if (r === 0x2b || r === 0x2d) this.next();
    for (;;) {
      r = this.next();
      if (r !== 0x2e && !isDigitR(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    const i = atoi(value);
    if (i !== undefined) {
      cur.nodes.push({ type: "int", value: i });
      return this.parseInsideAction(cur);
    }
    const d = parseFloatGo(value);
    if (d !== undefined) {
      cur.nodes.push({ type: "float", value: d });
      return this.parseInsideAction(cur);
    }
    throw new GoError(`cannot parse number ${value}`);
  }

  parseArray(cur: ListNode): undefined {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new GoError("unterminated array");
      if (r === 0x5d) break;
    }
    let text = this.consumeText();
    text = text.slice(1, text.length - 1);
    if (text === "*") text = ":";

    const strs = text.split(",");
    if (strs.length > 1) {
      const union: ListNode[] = [];
      for (const str of strs) union.push(parseAction("union", `[${trimSpaces(str)}]`).root);
      cur.nodes.push({ type: "union", nodes: union });
      return this.parseInsideAction(cur);
    }

    const dict = /^'([^']*)'$/.exec(text);
    if (dict) {
      const p = parseAction("arraydict", `.${dict[1]}`);
      for (const n of p.root.nodes) cur.nodes.push(n);
      return this.parseInsideAction(cur);
    }

    const m = /^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$/.exec(text);
    if (!m) throw new GoError(`invalid array index ${text}`);
    const value = [m[1] ?? "", m[2] ?? "", m[3] ?? ""];
    const params: ParamsEntry[] = [0, 1, 2].map(() => ({ value: 0, known: false, derived: false }));
    for (let i = 0; i < 3; i++) {
      if (value[i] !== "") {
        if (i > 0) value[i] = value[i].slice(1);
        if (i > 0 && value[i] === "") params[i].known = false;
        else {
          params[i].known = true;
          const n = atoi(value[i]);
          if (n === undefined) throw new GoError(`array index ${value[i]} is not a number`);
          params[i].value = n;
        }
      } else if (i === 1) {
        params[i].known = true;
        params[i].value = params[0].value + 1;
        params[i].derived = true;
      } else {
        params[i].known = false;
        params[i].value = 0;
      }
    }
    cur.nodes.push({ type: "array", params });
    return this.parseInsideAction(cur);
  }

  parseFilter(cur: ListNode): undefined {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = 0;
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new GoError("unterminated filter");
      if (r === 0x22 || r === 0x27) {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== "\\" && r === pair) end = true;
      } else if (r === 0x29) {
        if (begin === end) break;
      }
    }
    if (this.next() !== 0x5d) throw new GoError("unclosed array expect ]");
    let text = this.consumeText();
    text = text.slice(0, text.length - 2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(text);
    if (!m) {
      const p = parseAction("text", text);
      cur.nodes.push({ type: "filter", left: p.root, right: newList(), operator: "exists" });
    } else {
      const left = parseAction("left", m[1]);
      const right = parseAction("right", m[3]);
      cur.nodes.push({ type: "filter", left: left.root, right: right.root, operator: m[2] });
    }
    return this.parseInsideAction(cur);
  }

  parseQuote(cur: ListNode, end: number): undefined {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new GoError("unterminated quoted string");
      if (r === end && this.input[this.pos - 2] !== "\\") break;
    }
    const value = this.consumeText();
    let s: string;
    try {
      s = unquoteExtend(value);
    } catch (e) {
      if (e instanceof GoError) throw new GoError(`unquote string ${value} error ${e.message}`);
      throw e;
    }
    cur.nodes.push({ type: "text", text: s });
    return this.parseInsideAction(cur);
  }

  parseField(cur: ListNode): undefined {
    this.consumeText();
    while (this.advance()) {
      /* scan */
    }
    const value = this.consumeText();
    if (value === "*") cur.nodes.push({ type: "wildcard" });
    else cur.nodes.push({ type: "field", value: value.replace(/\\/g, "") });
    return this.parseInsideAction(cur);
  }

  advance(): boolean {
    const r = this.next();
    if (r === 0x5c) this.next();
    else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

function trimSpaces(s: string): string {
  return s.replace(/^ +| +$/g, "");
}

function parseAction(name: string, text: string): Parser {
  const p = new Parser(name);
  p.parse(`{${text}}`);
  p.root = p.root.nodes[0] as ListNode;
  return p;
}

/** parser.go UnquoteExtend (strconv.Unquote that also takes single-quoted strings). */
function unquoteExtend(s: string): string {
  const n = s.length;
  if (n < 2) throw new GoError("invalid syntax");
  const quote = s[0];
  if (quote !== s[n - 1]) throw new GoError("invalid syntax");
  let body = s.slice(1, n - 1);
  if (quote !== '"' && quote !== "'") throw new GoError("invalid syntax");
  if (!body.includes("\\") && !body.includes(quote)) return body;
  let out = "";
  while (body.length > 0) {
    const [c, rest] = unquoteChar(body, quote);
    out += c;
    body = rest;
  }
  return out;
}

/** strconv.UnquoteChar */
function unquoteChar(s: string, quote: string): [string, string] {
  const c = s[0];
  if (c === quote && (quote === "'" || quote === '"')) throw new GoError("invalid syntax");
  if (c !== "\\") {
    const cp = s.codePointAt(0) ?? 0;
    const w = cp > 0xffff ? 2 : 1;
    return [s.slice(0, w), s.slice(w)];
  }
  if (s.length <= 1) throw new GoError("invalid syntax");
  const e = s[1];
  let rest = s.slice(2);
  const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
  if (simple[e] !== undefined) return [simple[e], rest];
  if (e === "x" || e === "u" || e === "U") {
    const len = e === "x" ? 2 : e === "u" ? 4 : 8;
    if (rest.length < len || !/^[0-9a-fA-F]+$/.test(rest.slice(0, len))) throw new GoError("invalid syntax");
    const v = Number.parseInt(rest.slice(0, len), 16);
    rest = rest.slice(len);
    if (e === "x") return [String.fromCharCode(v), rest]; // a single byte
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new GoError("invalid syntax");
    return [String.fromCodePoint(v), rest];
  }
  if (e >= "0" && e <= "7") {
    const oct = s.slice(1, 4);
    if (!/^[0-7]{3}$/.test(oct)) throw new GoError("invalid syntax");
    const v = Number.parseInt(oct, 8);
    if (v > 255) throw new GoError("invalid syntax");
    return [String.fromCharCode(v), s.slice(4)];
  }
  if (e === "'" || e === '"') {
    if (e !== quote) throw new GoError("invalid syntax");
    return [e, rest];
  }
  throw new GoError("invalid syntax");
}

// ---------------------------------------------------------------- jsonpath.go

/** A value found, or nothing (Go's invalid reflect.Value never enters a result list). */
type Value = unknown;

function isNilValue(v: Value): boolean {
  return v === null || v === undefined;
}

function childrenOf(v: Value): Value[] {
  const k = kindOf(v);
  if (k === "map") {
    const m = v as Record<string, unknown>;
    return Object.keys(m)
      .sort(byteCompare)
      .map((key) => m[key]);
  }
  if (k === "slice") return v as unknown[];
  if (k === "string") return Array.from(new TextEncoder().encode(v as string), (b) => new GoByte(b));
  return [];
}

export class JSONPath {
  private parser: Parser;
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEndNode: Node | undefined;
  allowMissingKeys = false;
  outputJSON = false;

  constructor(
    readonly name: string,
    template: string,
  ) {
    this.parser = new Parser(name);
    this.parser.parse(template);
  }

  execute(data: unknown): string {
    const full = this.findResults(data);
    let out = "";
    for (const r of full) out += this.printResults(r);
    return out;
  }

  findResults(data: unknown): Value[][] {
    const cur: Value[] = [data];
    const nodes = this.parser.root.nodes;
    const full: Value[][] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const results = this.walk(cur, node);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = nodes[i];
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length > 0) {
          for (const value of results) {
            this.parser.root.nodes = nodes.slice(i + 1);
            full.push(...this.findResults(value));
          }
        } else {
          this.parser.root.nodes = nodes.slice(i + 1);
          this.findResults(null);
        }
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  printResults(results: Value[]): string {
    let rs = results;
    if (this.outputJSON) rs = [results.slice()];
    let out = "";
    rs.forEach((r, i) => {
      const k = kindOf(r);
      let text: string;
      if (k === "map" || k === "slice" || this.outputJSON) {
        text = this.outputJSON ? `${goJson(r, "    ")}\n` : goJson(r);
      } else {
        text = isNilValue(r) ? "null" : goV(r);
      }
      if (i !== rs.length - 1) text += " ";
      out += text;
    });
    return out;
  }

  walk(value: Value[], node: Node): Value[] {
    switch (node.type) {
      case "list":
        return this.evalList(value, node);
      case "text":
        return [node.text];
      case "field":
        return this.evalField(value, node.value);
      case "array":
        return this.evalArray(value, node.params);
      case "filter":
        return this.evalFilter(value, node);
      case "int":
        return value.map(() => node.value);
      case "bool":
        return value.map(() => node.value);
      case "float":
        return value.map(() => new GoFloat(node.value));
      case "wildcard":
        return this.evalWildcard(value);
      case "recursive":
        return this.evalRecursive(value);
      case "union":
        return this.evalUnion(value, node.nodes);
      case "identifier":
        return this.evalIdentifier(value, node.name);
    }
  }

  evalList(value: Value[], node: ListNode): Value[] {
    let cur = value;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  evalIdentifier(input: Value[], name: string): Value[] {
    if (name === "range") {
      this.beginRange++;
      return input;
    }
    if (name === "end") {
      if (this.inRange > 0) {
        this.endRange++;
        return [];
      }
      throw new GoError("not in range, nothing to end");
    }
    throw new GoError(`unrecognized identifier ${name}`);
  }

  evalArray(input: Value[], nodeParams: ParamsEntry[]): Value[] {
    const result: Value[] = [];
    for (const value of input) {
      if (isNilValue(value)) continue;
      if (kindOf(value) !== "slice") throw new GoError(`${goTypeName(value)} is not array or slice`);
      const arr = value as unknown[];
      const params = nodeParams.map((p) => ({ ...p }));
      if (!params[0].known) params[0].value = 0;
      if (params[0].value < 0) params[0].value += arr.length;
      if (!params[1].known) params[1].value = arr.length;
      if (params[1].value < 0 || (params[1].value === 0 && params[1].derived)) params[1].value += arr.length;
      const len = arr.length;
      if (params[1].value !== params[0].value) {
        if (params[0].value >= len || params[0].value < 0)
          throw new GoError(`array index out of bounds: index ${params[0].value}, length ${len}`);
        if (params[1].value > len || params[1].value < 0)
          throw new GoError(`array index out of bounds: index ${params[1].value - 1}, length ${len}`);
        if (params[0].value > params[1].value)
          throw new GoError(`starting index ${params[0].value} is greater than ending index ${params[1].value}`);
      } else {
        return result;
      }
      const sliced = arr.slice(params[0].value, params[1].value);
      let step = 1;
      if (params[2].known) {
        if (params[2].value <= 0) throw new GoError("step must be > 0");
        step = params[2].value;
      }
      for (let i = 0; i < sliced.length; i += step) result.push(sliced[i]);
    }
    return result;
  }

  evalUnion(input: Value[], nodes: ListNode[]): Value[] {
    const result: Value[] = [];
    for (const l of nodes) result.push(...this.evalList(input, l));
    return result;
  }

  evalField(input: Value[], name: string): Value[] {
    const results: Value[] = [];
    if (input.length === 0) return results;
    for (const value of input) {
      if (isNilValue(value)) continue;
      if (kindOf(value) === "map") {
        const m = value as Record<string, unknown>;
        if (Object.hasOwn(m, name) && m[name] !== undefined) results.push(m[name]);
      }
    }
    if (results.length === 0) {
      if (this.allowMissingKeys) return results;
      throw new GoError(`${name} is not found`);
    }
    return results;
  }

  evalWildcard(input: Value[]): Value[] {
    const results: Value[] = [];
    for (const value of input) {
      if (isNilValue(value)) continue;
      results.push(...childrenOf(value));
    }
    return results;
  }

  evalRecursive(input: Value[]): Value[] {
    const result: Value[] = [];
    for (const value of input) {
      if (isNilValue(value)) continue;
      const results = childrenOf(value);
      if (results.length !== 0) {
        result.push(value);
        result.push(...this.evalRecursive(results));
      }
    }
    return result;
  }

  evalFilter(input: Value[], node: Extract<Node, { type: "filter" }>): Value[] {
    const results: Value[] = [];
    for (const value of input) {
      if (kindOf(value) !== "slice") throw new GoError(`${goV(value)} is not array or slice and cannot be filtered`);
      for (const item of value as unknown[]) {
        const temp = [item];
        let lefts: Value[];
        let leftErr: unknown;
        try {
          lefts = this.evalList(temp, node.left);
        } catch (e) {
          if (!(e instanceof GoError)) throw e;
          leftErr = e;
          lefts = [];
        }
        if (node.operator === "exists") {
          if (lefts.length > 0) results.push(item);
          continue;
        }
        if (leftErr) throw leftErr;
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new GoError("can only compare one element at a time");
        const left = lefts[0];
        const rights = this.evalList(temp, node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new GoError("can only compare one element at a time");
        const right = rights[0];
        let pass: boolean;
        switch (node.operator) {
          case "<":
            pass = less(left, right);
            break;
          case ">":
            pass = !lessEqual(left, right);
            break;
          case "==":
            pass = equal(left, right);
            break;
          case "!=":
            pass = !equal(left, right);
            break;
          case "<=":
            pass = lessEqual(left, right);
            break;
          case ">=":
            pass = !less(left, right);
            break;
          default:
            throw new GoError(`unrecognized filter operator ${node.operator}`);
        }
        if (pass) results.push(item);
      }
    }
    return results;
  }
}

// ---------------------------------------------------------------- template funcs.go comparisons

type BasicKind = "bool" | "int" | "uint" | "float" | "string";

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  if (k === "bool" || k === "int" || k === "float" || k === "string") return k;
  if (k === "uint8") return "uint";
  throw new GoError("invalid type for comparison");
}

function equal(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if ((k1 === "int" && k2 === "uint") || (k1 === "uint" && k2 === "int")) return numberValue(a) === numberValue(b);
    throw new GoError("incompatible types for comparison");
  }
  if (k1 === "string" || k1 === "bool") return a === b;
  return numberValue(a) === numberValue(b);
}

function less(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if ((k1 === "int" && k2 === "uint") || (k1 === "uint" && k2 === "int")) return numberValue(a) < numberValue(b);
    throw new GoError("incompatible types for comparison");
  }
  if (k1 === "bool") throw new GoError("invalid type for comparison");
  if (k1 === "string") return byteCompare(a as string, b as string) < 0;
  return numberValue(a) < numberValue(b);
}

function lessEqual(a: unknown, b: unknown): boolean {
  return less(a, b) || equal(a, b);
}

/** Results of a template with missing keys allowed, as kubectl's sorter and custom columns use. */
export function findResults(template: string, data: unknown): unknown[][] {
  const jp = new JSONPath("sorting", template);
  jp.allowMissingKeys = true;
  return jp.findResults(data);
}

export type JsonPathNode = Node;

/** jsonpath.Parse(name, text)'s tree, the root's nodes (explain reads the field nodes of `{.a.b}`).
 *  Throws GoError with the parser's message. */
export function parseJsonPath(name: string, text: string): JsonPathNode[] {
  const p = new Parser(name);
  p.parse(text);
  return p.root.nodes;
}
