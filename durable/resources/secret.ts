// core/v1 Secret: defaults (SetDefaults_Secret and the v1 stringData conversion), validation
// (ValidateSecret, ValidateSecretUpdate) and printSecret.
import type { FieldError, Obj, ResourceDef } from "./types";
import { each, immutable, invalid, isConfigMapKey, required, tooLong } from "./validation";
import { age, ageColumn, nameColumn } from "./printers";
import { MAX_SIZE, base64Length, validateImmutable } from "./configmap";

/** base64 of a string's UTF-8 bytes. */
export function base64Encode(s: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function decode(b64: string): string {
  try {
    const bin = atob(String(b64));
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}

/** encoding/json's error for contents that are not a JSON object. */
function jsonError(text: string): string | undefined {
  try {
    const v = JSON.parse(text);
    if (v === null || (typeof v === "object" && !Array.isArray(v))) return undefined;
    const kind = Array.isArray(v) ? "array" : typeof v === "string" ? "string" : typeof v === "number" ? "number" : "bool";
    return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
  } catch {
    return text.trim() === "" ? "unexpected end of JSON input" : "invalid character in JSON input";
  }
}

export function validateSecret(secret: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const data: Record<string, string> = secret.data ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...each(`data[${key}]`, key, isConfigMapKey(key)));
    total += base64Length(value);
  }
  if (total > MAX_SIZE) errs.push(tooLong("data", MAX_SIZE));
  const has = (k: string) => k in data;
  const jsonKey = (k: string) => {
    if (!has(k)) return errs.push(required(`data[${k}]`));
    const e = jsonError(decode(data[k]));
    if (e) errs.push(invalid(`data[${k}]`, "<secret contents redacted>", e));
  };
  switch (secret.type) {
    case "kubernetes.io/service-account-token":
      if (!secret.metadata?.annotations?.["kubernetes.io/service-account.name"])
        errs.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
      break;
    case "kubernetes.io/dockercfg":
      jsonKey(".dockercfg");
      break;
    case "kubernetes.io/dockerconfigjson":
      jsonKey(".dockerconfigjson");
      break;
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) errs.push(required("data[username]"), required("data[password]"));
      break;
    case "kubernetes.io/ssh-auth":
      if (!base64Length(data["ssh-privatekey"])) errs.push(required("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      if (!has("tls.crt")) errs.push(required("data[tls.crt]"));
      if (!has("tls.key")) errs.push(required("data[tls.key]"));
      break;
  }
  return errs;
}

const secret: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  openapi: "io.k8s.api.core.v1.Secret",
  columns: [
    nameColumn,
    {
      name: "Type",
      type: "string",
      description:
        "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
      priority: 0,
    },
    {
      name: "Data",
      type: "string",
      description:
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
      priority: 0,
    },
    ageColumn,
  ],
  row: (s, ctx) => [s.metadata?.name, s.type ?? "", Object.keys(s.data ?? {}).length, age(s.metadata?.creationTimestamp, ctx.now)],
  defaults(s) {
    s.type ||= "Opaque";
    // stringData is write-only: merged into data (winning over it) and never stored.
    if (s.stringData != null) {
      const data = (s.data ??= {});
      for (const [k, v] of Object.entries(s.stringData)) data[k] = base64Encode(String(v ?? ""));
      delete s.stringData;
    }
  },
  validate: (s) => validateSecret(s),
  validateUpdate(s, old) {
    const errs: FieldError[] = [];
    if ((s.type ?? "") !== (old.type ?? "")) errs.push(immutable("type", s.type ?? ""));
    return [...errs, ...validateImmutable(s, old, ["data"]), ...validateSecret(s)];
  },
  fieldSelectors: {
    type: (s) => s.type ?? "",
  },
};

export default secret;
