// The cluster map's drawing: at most once per animation frame, from the model. Pods that appear,
// change state or go are marked, so CSS can animate a rolling update or a self-healing replacement.
import type { ClusterModel, NodeView, PodView } from "./model";

type Child = Node | string | false | undefined;

export function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== false && c !== undefined) el.append(c);
  return el;
}

export interface MapActions {
  /** Show one object (kind plural, namespace/name key). */
  select(kind: string, key: string): void;
  nodeAction?(node: string, action: "stop" | "start" | "remove"): void;
  /** Where the cluster's API starts (/clusters/<id>), for links through its proxy. */
  proxyBase?: string;
}

export class MapView {
  private frame = 0;
  private seen = new Map<string, string>(); // pod key → status last drawn
  namespace: string | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly model: ClusterModel,
    private readonly actions: MapActions,
  ) {}

  /** Draw on the next frame (many watch events in one frame draw once). */
  invalidate(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frame = 0;
    const now = Date.now();
    const ns = this.namespace;
    const { nodes, unscheduled } = this.model.nodes(ns, now);
    const drawn = new Map<string, string>();
    const chip = (p: PodView) => {
      const before = this.seen.get(p.key);
      drawn.set(p.key, p.status);
      const cls = `pod ${p.look}${before === undefined && this.seen.size ? " appeared" : before !== undefined && before !== p.status ? " changed" : ""}`;
      return h(
        "button",
        {
          type: "button",
          class: cls,
          "data-pod": p.key,
          title: `${p.namespace}/${p.name}: ${p.status}, ${p.ready} ready, ${p.restarts} restarts`,
        },
        h("span", { class: "name" }, p.name),
        h("span", { class: "state" }, `${p.status} ${p.ready}`),
      );
    };
    const wire = (el: HTMLElement, kind: string, key: string) => (el.addEventListener("click", () => this.actions.select(kind, key)), el);
    const nodeBox = (n: NodeView) => {
      const state =
        n.ready === "True" ? (n.unschedulable ? "Ready,SchedulingDisabled" : "Ready") : n.ready === "False" ? "NotReady" : "Unknown";
      // What can be done to this node now: stop a running kubelet or start a stopped one; remove a worker.
      const offered: ("stop" | "start" | "remove")[] = [
        n.ready === "True" ? "stop" : "start",
        ...(n.role === "worker" ? (["remove"] as const) : []),
      ];
      const label = { stop: "Stop kubelet", start: "Start kubelet", remove: "Remove" };
      const controls = this.actions.nodeAction
        ? h(
            "span",
            { class: "controls" },
            ...offered.map((a) => {
              const b = h("button", { type: "button", class: "secondary small", "aria-label": `${label[a]} of ${n.name}` }, label[a]);
              b.addEventListener("click", (ev) => (ev.stopPropagation(), this.actions.nodeAction!(n.name, a)));
              return b;
            }),
          )
        : undefined;
      const box = h(
        "section",
        { class: `node ${n.ready === "True" ? "ready" : "notready"}`, "data-node": n.name, "aria-label": `node ${n.name}, ${state}` },
        h(
          "header",
          {},
          wire(h("button", { type: "button", class: "link" }, h("strong", {}, n.name)), "nodes", `/${n.name}`),
          h("span", { class: "role" }, n.role),
          h("span", { class: "nstate" }, state),
          controls,
        ),
        h("div", { class: "pods" }, ...n.pods.map((p) => wire(chip(p), "pods", p.key))),
      );
      return box;
    };
    const workloads = this.model.workloads(ns, now);
    const services = this.model.services(ns);
    const events = this.model.events(ns, 40);
    this.root.replaceChildren(
      h(
        "div",
        { class: "nodes" },
        ...nodes.map(nodeBox),
        unscheduled.length > 0 &&
          h(
            "section",
            { class: "node unscheduled", "aria-label": "pods not on a node" },
            h("header", {}, h("strong", {}, "Not scheduled")),
            h("div", { class: "pods" }, ...unscheduled.map((p) => wire(chip(p), "pods", p.key))),
          ),
      ),
      h(
        "div",
        { class: "lower" },
        h(
          "section",
          { class: "panel", "aria-label": "Deployments" },
          h("h3", {}, "Deployments → ReplicaSets → Pods"),
          workloads.length ? false : h("p", { class: "muted" }, "No Deployments."),
          ...workloads.map((d) =>
            h(
              "div",
              { class: "deploy" },
              wire(
                h("button", { type: "button", class: "link" }, `deployment/${d.name}`, h("span", { class: "muted" }, ` ${d.ready}`)),
                "deployments",
                d.key,
              ),
              ...d.replicaSets.map((rs) =>
                h(
                  "div",
                  { class: "rs" },
                  wire(
                    h(
                      "button",
                      { type: "button", class: "link" },
                      `replicaset/${rs.name}`,
                      h("span", { class: "muted" }, ` rev ${rs.revision} · ${rs.ready}`),
                    ),
                    "replicasets",
                    rs.key,
                  ),
                  h("div", { class: "pods" }, ...rs.pods.map((p) => wire(chip(p), "pods", p.key))),
                ),
              ),
            ),
          ),
        ),
        h(
          "section",
          { class: "panel", "aria-label": "Services" },
          h("h3", {}, "Services → endpoints"),
          ...services.map((s) =>
            h(
              "div",
              { class: "svc" },
              wire(h("button", { type: "button", class: "link" }, `service/${s.name}`), "services", s.key),
              h("span", { class: "muted" }, ` ${s.type} ${s.clusterIP} ${s.ports}`),
              ...(this.actions.proxyBase
                ? s.proxied.map((p) =>
                    h(
                      "a",
                      {
                        class: "open",
                        href: `${this.actions.proxyBase}${p.path}`,
                        target: "_blank",
                        rel: "noopener",
                        "aria-label": `open service ${s.name} port ${p.port} in a new tab`,
                      },
                      `open :${p.port}`,
                    ),
                  )
                : []),
              h(
                "div",
                { class: "endpoints" },
                ...(s.endpoints.length
                  ? s.endpoints.map((e) =>
                      h("span", { class: `ep ${e.ready ? "ready" : "unready"}` }, `${e.ip}${e.pod ? ` (${e.pod})` : ""}`),
                    )
                  : [h("span", { class: "muted" }, "no endpoints")]),
              ),
            ),
          ),
        ),
        h(
          "section",
          { class: "panel events", "aria-label": "Events" },
          h("h3", {}, "Events"),
          h(
            "ol",
            { tabindex: "0", "aria-label": "Events, newest first" },
            ...events.map((e) =>
              h(
                "li",
                { class: e.type === "Warning" ? "warning" : "" },
                h("span", { class: "muted" }, ago(now - e.at)),
                ` ${e.type} ${e.reason} `,
                h("code", {}, e.object),
                ` ${e.message}${e.count > 1 ? ` (×${e.count})` : ""}`,
              ),
            ),
          ),
        ),
      ),
    );
    this.seen = drawn;
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}
