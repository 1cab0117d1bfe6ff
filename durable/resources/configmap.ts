// core/v1 ConfigMap: validation (ValidateConfigMap, ValidateConfigMapUpdate) and printConfigMap.
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, forbidden, invalid, isConfigMapKey, tooLong } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";

/** core.MaxSecretSize: the 1 MiB limit shared by ConfigMaps and Secrets. */
export const MAX_SIZE = 1 * 1024 * 1024;

/** Bytes of a UTF-8 string. */
export const utf8Length = (s: unknown) => new TextEncoder().encode(String(s ?? "")).length;

/** Bytes a base64 string decodes to. */
export function base64Length(s: unknown): number {
  const str = String(s ?? "").replace(/\s/g, "");
  const pad = str.endsWith("==") ? 2 : str.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((str.length * 3) / 4) - pad);
}

/** reflect.DeepEqual on decoded maps: nil and {} differ, as in Go. */
export const sameMap = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The `immutable` rules shared with Secrets. */
export function validateImmutable(obj: Obj, old: Obj, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of fields) if (!sameMap(obj[f], old[f])) errs.push(forbidden(f, "field is immutable when `immutable` is set"));
  return errs;
}

export function validateConfigMap(cm: Obj): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  const binary = cm.binaryData ?? {};
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errs.push(...each(`data[${key}]`, key, isConfigMapKey(key)));
    if (key in binary) errs.push(invalid(`data[${key}]`, key, "duplicate of key present in binaryData"));
    total += utf8Length(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    errs.push(...each(`binaryData[${key}]`, key, isConfigMapKey(key)));
    total += base64Length(value);
  }
  // The whole object is at fault: the real error names it "[]" (`ConfigMap "x" is invalid: []: Too long`).
  if (total > MAX_SIZE) errs.push(tooLong("[]", MAX_SIZE));
  return errs;
}

const configmap: ResourceDef = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  namespaced: true,
  shortNames: ["cm"],
  openapi: "io.k8s.api.core.v1.ConfigMap",
  columns: [
    nameColumn,
    {
      name: "Data",
      type: "string",
      description:
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
      priority: 0,
    },
    ageColumn,
  ],
  row: (cm, ctx) => [
    cm.metadata?.name,
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    age(cm.metadata?.creationTimestamp, ctx.now),
  ],
  validate: (cm) => validateConfigMap(cm),
  validateUpdate: (cm, old) => [...validateImmutable(cm, old, ["data", "binaryData"]), ...validateConfigMap(cm)],
};

export default configmap;
