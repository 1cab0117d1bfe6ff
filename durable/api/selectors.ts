// Label and field selectors (k8s.io/apimachinery/pkg/labels and pkg/fields).
import type { Obj } from "../resources/types";
import { isQualifiedName, isValidLabelValue } from "../resources/validation";
import { badRequest } from "./status";

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
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
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

/** Parse a label selector string, e.g. `app=nginx,tier in (web,api),!canary`. */
export function parseLabelSelector(input: string): Requirement[] {
  const s = input.trim();
  if (s === "") return [];
  const reqs: Requirement[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw badRequest(`unable to parse requirement: ${msg}`);
  };
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const readIdent = () => {
    skipWs();
    const start = i;
    while (i < s.length && !/[\s,=!<>()]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skipWs();
    let key: string;
    let op: Operator;
    let values: string[] = [];
    if (s[i] === "!") {
      i++;
      key = readIdent();
      op = "!";
    } else {
      key = readIdent();
      skipWs();
      if (i >= s.length || s[i] === ",") op = "exists";
      else if (s.startsWith("==", i)) (op = "=="), (i += 2);
      else if (s.startsWith("!=", i)) (op = "!="), (i += 2);
      else if (s[i] === "=") (op = "="), i++;
      else if (s[i] === ">") (op = "gt"), i++;
      else if (s[i] === "<") (op = "lt"), i++;
      else {
        const word = readIdent();
        if (word !== "in" && word !== "notin") fail(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
        op = word as Operator;
      }
      if (op === "in" || op === "notin") {
        skipWs();
        if (s[i] !== "(") fail(`found '${s[i] ?? ""}', expected: '('`);
        i++;
        const close = s.indexOf(")", i);
        if (close < 0) fail("found '', expected: ')'");
        values = s
          .slice(i, close)
          .split(",")
          .map((v) => v.trim());
        if (values.length === 1 && values[0] === "") values = [];
        i = close + 1;
      } else if (op !== "exists") {
        values = [readIdent()];
      }
    }
    if (key === "") fail("found '', expected: identifier");
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) fail(`key: Invalid value: "${key}": ${keyErrs.join("; ")}`);
    if (op === "gt" || op === "lt") {
      if (!/^-?\d+$/.test(values[0])) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
    } else {
      for (const v of values) {
        const e = isValidLabelValue(v);
        if (e.length) fail(`values[0][${key}]: Invalid value: "${v}": ${e.join("; ")}`);
      }
    }
    reqs.push({ key, op, values });
    skipWs();
    if (i < s.length) {
      if (s[i] !== ",") fail(`found '${s[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
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

/** Parse `metadata.name=x,status.phase!=Running` (fields.ParseSelector). */
export function parseFieldSelector(input: string): FieldRequirement[] {
  const s = input.trim();
  if (s === "") return [];
  return splitTerms(s).map((term) => {
    const m = /^([^=!]+?)(==|!=|=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    return { field: m[1].trim(), op: m[2] === "!=" ? "!=" : "=", value: unescapeField(m[3].trim()) };
  });
}

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

const unescapeField = (v: string) => v.replace(/\\([\\,=])/g, "$1");

export function fieldMatches(reqs: FieldRequirement[], get: (field: string) => string): boolean {
  return reqs.every((r) => (get(r.field) === r.value) === (r.op === "="));
}
