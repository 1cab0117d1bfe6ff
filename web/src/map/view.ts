// The cluster map's drawing: at most once per animation frame, from the model. Pods that appear,
// change state or go are marked, so CSS can animate a rolling update or a self-healing replacement.
// Each draw builds the picture afresh and morphs the page's DOM into it, touching only what changed
// (keyed by pod and node): a chip drawn as last time is only a stand-in, a changed one replaces its
// old self, long lists are counted rather than listed, and past a few dozen changes nothing
// animates, so a thousand pods scaling up stay smooth. Clicks are delegated, so a morphed element
// never keeps a stale handler.
import type { ClusterModel, NodeView, PodView } from "./model";
import { type Child, h as element } from "../dom";

/** The key that identifies an element among its siblings across draws (its data-pod, data-node or
 *  data-key), kept beside the element because reading it back through the DOM is what a morph of a
 *  thousand pods would spend its time on. */
const keys = new WeakMap<Node, string>();

/** An element of the picture, its key remembered. */
export function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = element(tag, attrs, ...children);
  const key = attrs["data-pod"] ?? attrs["data-node"] ?? attrs["data-key"];
  if (typeof key === "string") keys.set(el, key);
  return el;
}

/** Stand-ins for elements drawn the same as last time, and how to build the real one should the
 *  page not have it where the stand-in goes. A thousand unchanged pods then cost a thousand map
 *  lookups per draw, not three thousand elements built and compared. */
const unchanged = new WeakMap<Node, () => HTMLElement>();

/** Chips built afresh this draw, which replace their old selves whole. */
const fresh = new WeakSet<Node>();

/** A stand-in for an element keyed `key` that is drawn as it was (`build` makes it afresh). */
function same(tag: string, key: string, build: () => HTMLElement): HTMLElement {
  const el = document.createElement(tag);
  keys.set(el, key);
  unchanged.set(el, build);
  return el;
}

/** A new part of the page as it will stay: the stand-ins in it built (they had no old self here). */
function realize(node: Node): Node {
  const build = unchanged.get(node);
  if (build) return build();
  for (const c of [...node.childNodes]) {
    const real = realize(c);
    if (real !== c) node.replaceChild(real, c);
  }
  return node;
}

/** Make `from` look like `to`, reusing `from`'s elements where tag and key agree. */
function morph(from: Element, to: Element): void {
  const want = to.attributes;
  for (let i = 0; i < want.length; i++) {
    const { name, value } = want[i];
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
  const have = from.attributes;
  for (let i = have.length - 1; i >= 0; i--) if (!to.hasAttribute(have[i].name)) from.removeAttribute(have[i].name);
  morphChildren(from, to);
}

/** Make `from`'s children look like `to`'s: one walk along both lists, keyed children found by key. */
export function morphChildren(from: Element, to: Element): void {
  const keyed = new Map<string, Node>();
  for (let c = from.firstChild; c; c = c.nextSibling) {
    const k = keys.get(c);
    if (k !== undefined) keyed.set(k, c);
  }
  let cur = from.firstChild;
  for (let want = to.firstChild; want; ) {
    const next = want.nextSibling;
    const k = keys.get(want);
    let have: ChildNode | null | undefined = k !== undefined ? (keyed.get(k) as ChildNode | undefined) : cur;
    if (have && (have.nodeName !== want.nodeName || keys.get(have) !== k)) have = undefined;
    const build = unchanged.get(want);
    if (!have) from.insertBefore(realize(want), cur);
    else {
      if (have === cur) cur = cur.nextSibling;
      else from.insertBefore(have, cur);
      if (build) {
        // drawn as last time: nothing to compare
      } else if (fresh.has(want) && have !== document.activeElement) {
        // A changed chip is swapped for its new self: cheaper than comparing it part by part (the
        // focused one is morphed, so the keyboard keeps its place).
        have.replaceWith(want);
      } else if (have.nodeType === Node.TEXT_NODE) {
        if (have.nodeValue !== want.nodeValue) have.nodeValue = want.nodeValue;
      } else morph(have as Element, want as Element);
    }
    want = next;
  }
  while (cur) {
    const next = cur.nextSibling;
    cur.remove();
    cur = next;
  }
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
  private chips = new Map<string, string>(); // place and pod key → how its chip was last drawn
  namespace: string | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly model: ClusterModel,
    private readonly actions: MapActions,
  ) {
    // One listener for every object and node control on the map.
    root.addEventListener("click", (ev) => {
      const target = (ev.target as Element).closest<HTMLElement>("[data-select],[data-node-action]");
      if (!target) return;
      const { select, nodeAction, nodeName } = target.dataset;
      if (select) this.actions.select(select, target.dataset.selectKey ?? "");
      else if (nodeAction && nodeName) this.actions.nodeAction?.(nodeName, nodeAction as "stop" | "start" | "remove");
    });
  }

  /** Draw on the next frame (many watch events in one frame draw once), and never spend more than
   *  about a fifth of the main thread drawing: after a draw of d ms the next waits 4·d ms, so typing
   *  in the terminal stays smooth while a thousand pods change. */
  invalidate(): void {
    if (this.frame || this.waiting) return;
    const wait = this.lastDraw.at + 4 * this.lastDraw.took - performance.now();
    if (wait <= 0) this.frame = requestAnimationFrame(() => this.draw());
    else
      this.waiting = setTimeout(() => {
        this.waiting = undefined;
        this.frame = requestAnimationFrame(() => this.draw());
      }, wait);
  }

  private lastDraw = { at: 0, took: 0 };
  private waiting?: ReturnType<typeof setTimeout>;

  private draw(): void {
    this.frame = 0;
    const started = performance.now();
    const now = Date.now();
    const ns = this.namespace;
    const { nodes, unscheduled } = this.model.nodes(ns, now);
    const drawn = new Map<string, string>();
    const versions = new Map<string, string>();
    // A rolling update of a few pods is worth watching; a thousand pods pulsing at once is a blur
    // that costs every frame a repaint of the map, so past a few dozen changes nothing animates.
    let changes = 0;
    if (this.seen.size)
      for (const n of [...nodes, { pods: unscheduled }])
        for (const p of n.pods) if (this.seen.get(p.key) !== p.status && ++changes > ANIMATED) break;
    const animate = changes <= ANIMATED;
    /** A pod's chip in one place of the map (a node's box, the unscheduled box, a ReplicaSet). */
    const chip = (p: PodView, where: string) => {
      const before = this.seen.get(p.key);
      drawn.set(p.key, p.status);
      const cls = `pod ${p.look}${!animate ? "" : before === undefined && this.seen.size ? " appeared" : before !== undefined && before !== p.status ? " changed" : ""}`;
      const title = `${p.namespace}/${p.name}: ${p.status}, ${p.ready} ready, ${p.restarts} restarts`;
      const build = () =>
        h(
          "button",
          { type: "button", class: cls, "data-pod": p.key, title, "data-select": "pods", "data-select-key": p.key },
          h("span", { class: "name" }, p.name),
          h("span", { class: "state" }, `${p.status} ${p.ready}`),
        );
      const version = `${cls}\0${title}`;
      versions.set(`${where}\0${p.key}`, version);
      if (this.chips.get(`${where}\0${p.key}`) === version) return same("button", p.key, build);
      const el = build();
      fresh.add(el);
      return el;
    };
    const wire = (el: HTMLElement, kind: string, key: string) => {
      el.dataset.select = kind;
      el.dataset.selectKey = key;
      return el;
    };
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
              return h(
                "button",
                {
                  type: "button",
                  class: "secondary small",
                  "aria-label": `${label[a]} of ${n.name}`,
                  "data-node-action": a,
                  "data-node-name": n.name,
                  "data-key": a,
                },
                label[a],
              );
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
        h("div", { class: "pods" }, ...n.pods.map((p) => chip(p, n.name))),
      );
      return box;
    };
    const workloads = this.model.workloads(ns, now);
    const services = this.model.services(ns);
    const events = this.model.events(ns, 40);
    const picture = h(
      "div",
      {},
      h(
        "div",
        { class: "nodes" },
        ...nodes.map(nodeBox),
        unscheduled.length > 0 &&
          h(
            "section",
            { class: "node unscheduled", "aria-label": "pods not on a node" },
            h("header", {}, h("strong", {}, "Not scheduled")),
            h("div", { class: "pods" }, ...unscheduled.map((p) => chip(p, ""))),
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
                  rs.pods.length > LISTED
                    ? h(
                        "p",
                        { class: "muted tally" },
                        tally(
                          rs.pods.length,
                          "pods",
                          rs.pods.map((p) => p.status),
                        ),
                      )
                    : h("div", { class: "pods" }, ...rs.pods.map((p) => chip(p, rs.key))),
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
                ...(s.endpoints.length > LISTED
                  ? [
                      h(
                        "span",
                        { class: "muted tally" },
                        tally(
                          s.endpoints.length,
                          "endpoints",
                          s.endpoints.map((e) => (e.ready ? "ready" : "not ready")),
                        ),
                      ),
                    ]
                  : s.endpoints.length
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
    morphChildren(this.root, picture);
    this.seen = drawn;
    this.chips = versions;
    this.lastDraw = { at: performance.now(), took: performance.now() - started };
  }
}

/** Past this many, a ReplicaSet's pods or a Service's endpoints are counted rather than listed: the
 *  node boxes already show every pod, and a second and third thousand chips would be read by nobody
 *  while the page lays them out on every change. */
const LISTED = 60;

/** How many chips may animate in one draw. */
const ANIMATED = 40;

/** "1000 pods: 990 Running, 10 ContainerCreating", most common first. */
function tally(total: number, what: string, states: string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s, n]) => `${n} ${s}`);
  return `${total} ${what}: ${parts.join(", ")}`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}
