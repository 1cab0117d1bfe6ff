// core/v1 ServiceAccount: validation (ValidateServiceAccount), warnings and printServiceAccount.
import type { ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";

const ENFORCE_MOUNTABLE_SECRETS = "kubernetes.io/enforce-mountable-secrets";

const serviceaccount: ResourceDef = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  namespaced: true,
  shortNames: ["sa"],
  extraSubresources: [{ name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }],
  openapi: "io.k8s.api.core.v1.ServiceAccount",
  allowUpdateCreate: true,
  columns: [
    nameColumn,
    {
      name: "Secrets",
      type: "string",
      description:
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
      priority: 0,
    },
    ageColumn,
  ],
  row: (sa, ctx) => [sa.metadata?.name, (sa.secrets ?? []).length, age(sa.metadata?.creationTimestamp, ctx.now)],
  warnings: (sa) =>
    sa.metadata?.annotations?.[ENFORCE_MOUNTABLE_SECRETS] !== undefined
      ? [
          `metadata.annotations[${ENFORCE_MOUNTABLE_SECRETS}]: deprecated in v1.32+; prefer separate namespaces to isolate access to mounted secrets`,
        ]
      : [],
};

export default serviceaccount;
