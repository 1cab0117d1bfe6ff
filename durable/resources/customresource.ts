// Custom resources: each served version of an Established CustomResourceDefinition becomes a
// ResourceDef (the customresource_handler of apiextensions-apiserver, which builds a storage per
// version): names and scope from status.acceptedNames, columns from additionalPrinterColumns
// (tableconvertor), the status and scale subresources, and the structural schema doing
// pruning, defaulting and validation. A pure mapper: the same CRD always gives the same defs.
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
} from "kubernetes-types/apiextensions/v1";
import type { Obj, PrinterColumn, ResourceDef } from "./types";
import { age, ageColumn, nameColumn } from "./printers";
import { applyDefaults, hasCelRules, prune, validateCustom, type Schema } from "./crdschema";
import { established, storageVersion } from "./customresourcedefinition";
import { ApiError } from "../api/status";

/** client-go's jsonpath, handed in by the cluster (it lives with the workstation's kubectl). */
export interface JsonPathEval {
  /** FindResults of `{path}` with missing keys allowed. */
  find(template: string, data: unknown): unknown[][];
  /** PrintResults of one value (`%v`, as a string column prints it). */
  print(value: unknown): string;
}

/** The definition name OpenAPI publishes a custom kind under: the group reversed, e.g.
 *  `com.example.stable.v1.CronTab` (builder.go). */
export const openapiName = (group: string, version: string, kind: string) => `${group.split(".").reverse().join(".")}.${version}.${kind}`;

/** serveDefaultColumnsIfEmpty: with no additionalPrinterColumns a version prints Age. */
function columnsOf(v: CustomResourceDefinitionVersion): CustomResourceColumnDefinition[] {
  const cols = v.additionalPrinterColumns ?? [];
  return cols.length ? cols : [{ name: "Age", type: "date", description: ageColumn.description, jsonPath: ".metadata.creationTimestamp" }];
}

/** cellForJSONValue of the tableconvertor: the cell of a non-string column. */
function cell(type: string, value: unknown, now: number): unknown {
  switch (type) {
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date":
      if (typeof value !== "string") return null;
      return Number.isNaN(Date.parse(value)) ? "<invalid>" : age(value, now);
  }
  return null;
}

const SCALE_PATH = (p: string) => p.replace(/^\./, "");

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** version.CompareKubeAwareVersionStrings as a sort order: the highest priority first (v2, v1,
 *  v1beta2, v1beta1, v1alpha1, then other names alphabetically), the order discovery lists a
 *  group's versions in and the first of which is its preferred version. */
export function compareKubeAwareVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  const stability = (m: RegExpExecArray) => (m[2] === "alpha" ? 0 : m[2] === "beta" ? 1 : 2);
  return stability(mb) - stability(ma) || Number(mb[1]) - Number(ma[1]) || Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** The ResourceDefs of a CRD: one per served version, when the CRD is Established. */
export function customResourceDefs(crd: CustomResourceDefinition, jp: JsonPathEval): ResourceDef[] {
  // Still served while it is being deleted, so that the finalizer controller can delete the objects.
  if (!established(crd)) return [];
  const spec = crd.spec;
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : spec.names;
  const stored = storageVersion(crd);
  return (spec.versions ?? [])
    .filter((v) => v.served)
    .sort((a, b) => compareKubeAwareVersions(a.name, b.name))
    .map((v) => {
      const schema = (v.schema?.openAPIV3Schema ?? { type: "object" }) as Schema;
      const cols = columnsOf(v);
      const statusOn = !!v.subresources?.status;
      const scale = v.subresources?.scale;
      const apiVersion = `${spec.group}/${v.name}`;
      const rewrite = (to: string) => (o: Obj) => ({ ...o, apiVersion: to });
      const def: ResourceDef = {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        plural: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        listKind: names.listKind ?? `${names.kind}List`,
        namespaced: spec.scope === "Namespaced",
        ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
        ...(names.categories?.length ? { categories: names.categories } : {}),
        openapi: openapiName(spec.group, v.name, names.kind),
        openapiSchema: schema,
        storage: { group: spec.group, plural: names.plural },
        // Conversion strategy None: objects are stored at the storage version, only apiVersion changes.
        // Objects read are pruned by this version's schema too (the storage decoder's schema
        // coercion): what another version's schema kept is not served here.
        ...(v.name !== stored
          ? {
              convert: {
                toStorage: rewrite(`${spec.group}/${stored}`),
                fromStorage: (o: Obj) => {
                  const out = structuredClone({ ...o, apiVersion });
                  prune(out, schema);
                  return out;
                },
              },
            }
          : (spec.versions ?? []).length > 1
            ? {
                present: (o: Obj) => {
                  const out = structuredClone(o); // o may be the store's shared copy
                  prune(out, schema);
                  return out;
                },
              }
            : {}),
        subresources: {
          ...(statusOn ? { status: true } : {}),
          ...(scale
            ? {
                scale: {
                  specReplicasPath: SCALE_PATH(scale.specReplicasPath),
                  statusReplicasPath: SCALE_PATH(scale.statusReplicasPath),
                  ...(scale.labelSelectorPath ? { labelSelectorPath: SCALE_PATH(scale.labelSelectorPath) } : {}),
                },
              }
            : {}),
        },
        ...(v.deprecated ? { deprecationWarning: v.deprecationWarning ?? `${apiVersion} ${names.kind} is deprecated` } : {}),
        columns: [
          nameColumn,
          ...cols.map(
            (c): PrinterColumn => ({
              name: c.name,
              type: c.type as PrinterColumn["type"],
              ...(c.format ? { format: c.format } : {}),
              description: c.description ?? "Custom resource definition column (in JSONPath format): " + c.jsonPath,
              priority: c.priority ?? 0,
            }),
          ),
        ],
        row: (obj, ctx) => [
          obj.metadata?.name,
          ...cols.map((c) => {
            let results: unknown[][];
            try {
              results = jp.find(`{${c.jsonPath}}`, obj);
            } catch {
              return null;
            }
            if (!results.length || !results[0].length) return null;
            const value = results[0][0];
            return c.type === "string" ? jp.print(value) : cell(c.type, value, ctx.now);
          }),
        ],
        pruneUnknown: (obj) => prune(obj, schema).map((p) => `unknown field "${p}"`),
        defaults: (obj) => applyDefaults(obj, schema),
        prepareForCreate(obj) {
          // The custom resource handler's refusal while the finalizer controller empties the kind.
          if (crd.metadata?.deletionTimestamp)
            throw new ApiError(405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating", {
              group: spec.group,
              kind: names.plural,
            });
          if (statusOn) delete obj.status;
          obj.metadata.generation = 1;
        },
        prepareForUpdate(obj, old) {
          // With a status subresource the main resource keeps the stored status; generation
          // follows everything but metadata (and status, when it is a subresource).
          if (statusOn) {
            if (old.status === undefined) delete obj.status;
            else obj.status = old.status;
          }
          const strip = (o: Obj) => JSON.stringify({ ...o, metadata: undefined, ...(statusOn ? { status: undefined } : {}) });
          if (strip(obj) !== strip(old)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
        },
        validate: (obj) => validateCustom(obj, schema),
        validateStatusUpdate: (obj) => validateCustom(obj, schema),
        ...(hasCelRules(schema)
          ? {
              warnings: () => [
                `kubeplay does not evaluate the CEL rules (x-kubernetes-validations) of ${names.plural}.${spec.group}: they were not checked`,
              ],
            }
          : {}),
      };
      return def;
    });
}
