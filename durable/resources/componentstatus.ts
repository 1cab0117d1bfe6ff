// core/v1 ComponentStatus: a read-only kind computed on read (pkg/registry/core/componentstatus),
// deprecated since v1.19. The simulated control plane is always healthy.
import type { Obj, ResourceDef } from "./types";
import { nameColumn } from "./printers";

const COMPONENTS = ["controller-manager", "scheduler", "etcd-0"];

const componentStatus = (name: string): Obj => ({
  kind: "ComponentStatus",
  apiVersion: "v1",
  metadata: { name, creationTimestamp: null },
  conditions: [{ type: "Healthy", status: "True", message: "ok" }],
});

/** printComponentStatus: the Healthy condition's status, message and error. */
function healthy(cs: Obj): [string, string, string] {
  const c = (cs.conditions ?? []).find((c: Obj) => c.type === "Healthy");
  if (!c) return ["Unknown", "", ""];
  return [c.status === "True" ? "Healthy" : "Unhealthy", c.message ?? "", c.error ?? ""];
}

const componentstatus: ResourceDef = {
  group: "",
  version: "v1",
  kind: "ComponentStatus",
  plural: "componentstatuses",
  singular: "componentstatus",
  namespaced: false,
  shortNames: ["cs"],
  verbs: ["get", "list"],
  openapi: "io.k8s.api.core.v1.ComponentStatus",
  deprecationWarning: "v1 ComponentStatus is deprecated in v1.19+",
  columns: [
    nameColumn,
    { name: "Status", type: "string", description: "Status of the component conditions", priority: 0 },
    { name: "Message", type: "string", description: "Message of the component conditions", priority: 0 },
    { name: "Error", type: "string", description: "Error of the component conditions", priority: 0 },
  ],
  row: (cs) => [cs.metadata?.name, ...healthy(cs)],
  virtual: () => COMPONENTS.map(componentStatus),
};

export default componentstatus;
