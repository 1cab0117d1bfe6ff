// authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`): create-only, never stored;
// answers with the requester's user info (pkg/registry/authentication/selfsubjectreview).
import type { ResourceDef } from "./types";
import { nameColumn } from "./printers";

const selfSubjectReview: ResourceDef = {
  group: "authentication.k8s.io",
  version: "v1",
  kind: "SelfSubjectReview",
  plural: "selfsubjectreviews",
  singular: "selfsubjectreview",
  namespaced: false,
  verbs: ["create"],
  openapi: "io.k8s.api.authentication.v1.SelfSubjectReview",
  columns: [nameColumn],
  row: (o) => [o.metadata?.name ?? ""],
  review: (obj, user) => ({
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { ...(obj.metadata ?? {}), creationTimestamp: null },
    status: { userInfo: user },
  }),
};

export default selfSubjectReview;
