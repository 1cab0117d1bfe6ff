// The session page: the workstation's terminal, the cluster map live from the watch API, the
// countdown to expiry, the learner's own kubectl, node controls, reset and delete.
import { h } from "./dom";
import {
  ApiRefusal,
  createSession,
  deleteSession,
  kube,
  kubeconfig,
  labOf,
  refusalText,
  runScript,
  sessionInfo,
  watch,
  type LabView,
  type Session,
} from "./api";
import { showLab } from "./lab";
import { ClusterModel, WATCHED, type Kind } from "./map/model";
import { MapView } from "./map/view";
import { forget, knownSessions, remember, sessionLink, sessionOfPage, tab } from "./sessions";
import { openTerminal, type TerminalHandle } from "./terminal";
import { remaining, setUpTheme } from "./theme";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const WARN_AT = [10 * 60_000, 60_000];

function banner(text: string): void {
  const b = $("banner");
  b.textContent = text;
  b.hidden = !text;
}

/** The page says the cluster is gone and offers a new one (expired, deleted, or never known here). */
function gone(text: string, again?: () => void): void {
  $("gone-text").textContent = text;
  $("gone").hidden = false;
  $("again").onclick = again ?? (() => location.assign("/"));
  $("again").focus();
}

function countdown(s: Session, onExpired: () => void): void {
  const expires = Date.parse(s.expiresAt);
  const warned = new Set<number>();
  const tick = () => {
    const left = expires - Date.now();
    $("countdown").textContent = `${remaining(left)} left`;
    for (const at of WARN_AT) {
      if (left <= at && left > 0 && !warned.has(at)) {
        warned.add(at);
        banner(
          `This cluster will be deleted in ${at >= 60_000 ? `${at / 60_000} minute${at > 60_000 ? "s" : ""}` : "a moment"}, with everything in it.`,
        );
      }
    }
    if (left <= 0) return onExpired();
    setTimeout(tick, 1000 - (Date.now() % 1000));
  };
  tick();
}

/** The phone layout's tabs (on a wide screen every pane shows); `shown` is told which pane came up. */
function tabs(shown: (pane: string) => void): void {
  const all = [$("tab-lab"), $("tab-terminal"), $("tab-map"), $("tab-kubectl")];
  for (const tab of all) {
    tab.addEventListener("click", () => {
      for (const t of all) {
        t.setAttribute("aria-selected", String(t === tab));
        $(t.getAttribute("aria-controls")!).classList.toggle("active", t === tab);
      }
      shown(tab.getAttribute("aria-controls")!);
    });
  }
  $("terminal-pane").classList.add("active");
}

function ownKubectl(s: Session): void {
  $("oneliner").textContent =
    `curl -sk -H "Authorization: Bearer ${s.token}" ${location.origin}/api/sessions/${s.id}/kubeconfig > kubeconfig\nexport KUBECONFIG=$PWD/kubeconfig\nkubectl get nodes`;
  $("download").addEventListener("click", async () => {
    try {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([await kubeconfig(s.id, s.token)], { type: "application/yaml" }));
      link.download = "kubeconfig";
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      banner(refusalText(e));
    }
  });
}

/** The session API's node calls, as the map's node controls and "Add a worker node" use them. */
async function nodeCall(s: Session, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`/api/sessions/${s.id}/nodes${path}`, {
    method,
    headers: { authorization: `Bearer ${s.token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    const status = await res.json().catch(() => ({}));
    throw new ApiRefusal(res.status, status.message ?? res.statusText);
  }
}

/** An object of the map: what `kubectl describe` says of it (run in the workstation), or its YAML. */
async function showObject(s: Session, kind: string, key: string): Promise<void> {
  const [namespace, name] = key.split("/");
  const path = Object.entries(WATCHED).find(([k]) => k === kind)?.[1] ?? "";
  const [base, plural] = [path.slice(0, path.lastIndexOf("/")), path.slice(path.lastIndexOf("/") + 1)];
  const url = namespace ? `${base}/namespaces/${namespace}/${plural}/${name}` : `${base}/${plural}/${name}`;
  $("details-title").textContent = `${kind.replace(/s$/, "")}/${name}${namespace ? ` in ${namespace}` : ""}`;
  const show = async (view: "describe" | "yaml") => {
    $("details-describe").setAttribute("aria-pressed", String(view === "describe"));
    $("details-as-yaml").setAttribute("aria-pressed", String(view === "yaml"));
    $("details-yaml").textContent = "…";
    try {
      if (view === "describe") {
        const script = `kubectl describe ${plural}${base.startsWith("/apis/") ? `.${base.split("/")[2]}` : ""} ${name}${namespace ? ` -n ${namespace}` : ""}`;
        const r = await runScript(s, script);
        $("details-yaml").textContent = r.stdout || r.stderr;
      } else {
        const [obj, { stringify }] = await Promise.all([kube<Record<string, unknown>>(s, url), import("yaml")]);
        $("details-yaml").textContent = stringify(obj);
      }
    } catch (e) {
      $("details-yaml").textContent = e instanceof Error ? e.message : String(e);
    }
  };
  $("details-describe").onclick = () => void show("describe");
  $("details-as-yaml").onclick = () => void show("yaml");
  $<HTMLDialogElement>("details").showModal();
  await show("describe");
}

function liveMap(s: Session, onGone: () => void): void {
  const model = new ClusterModel();
  const view = new MapView($("map"), model, {
    select: (kind, key) => void showObject(s, kind, key),
    proxyBase: `/clusters/${s.id}`,
    nodeAction: (node, action) => {
      const call = action === "remove" ? nodeCall(s, "DELETE", `/${node}`) : nodeCall(s, "POST", `/${node}/${action}`);
      call.catch((e) => banner(refusalText(e)));
    },
  });
  const select = $<HTMLSelectElement>("namespace");
  select.addEventListener("change", () => {
    view.namespace = select.value || undefined;
    view.invalidate();
  });
  const refreshNamespaces = () => {
    const have = new Set([...select.options].map((o) => o.value));
    for (const ns of model.namespaces()) if (!have.has(ns)) select.append(new Option(ns, ns));
  };
  let open = 0;
  const connect = (kind: Kind) => {
    model.reset(kind);
    watch(
      s,
      WATCHED[kind],
      (e) => {
        if (e.type === "ERROR") return;
        if (model.apply(kind, e.type, e.object as never)) {
          if (kind === "pods" || kind === "deployments" || kind === "services") refreshNamespaces();
          view.invalidate();
        }
      },
      async () => {
        open--;
        $("watch-state").textContent = "reconnecting…";
        // A watch ends when the session does; otherwise the network dropped: open it again.
        try {
          await sessionInfo(s.id, s.token);
          setTimeout(() => connect(kind), 1000);
        } catch (e) {
          if (e instanceof ApiRefusal && e.code === 401) onGone();
          else setTimeout(() => connect(kind), 3000);
        }
      },
    ).addEventListener("open", () => {
      open++;
      $("watch-state").textContent = open === Object.keys(WATCHED).length ? "live" : "connecting…";
    });
  };
  for (const kind of Object.keys(WATCHED) as Kind[]) connect(kind);
}

async function main(): Promise<void> {
  // The terminal's code loads while the session is looked up.
  void import("./xterm");
  setUpTheme();
  let terminal: TerminalHandle | undefined;
  tabs((pane) => {
    if (pane === "terminal-pane") {
      terminal?.fit();
      terminal?.focus();
    }
  });
  $<HTMLDialogElement>("details").addEventListener("click", (e) => {
    if (e.target === e.currentTarget) $<HTMLDialogElement>("details").close();
  });
  $("details-close").addEventListener("click", () => $<HTMLDialogElement>("details").close());
  const embedded = embedding();
  let s: Session | undefined;
  if (embedded) {
    document.body.classList.add("embed");
    try {
      s = await embeddedSession(embedded);
    } catch (e) {
      return banner(refusalText(e));
    }
  } else s = sessionOfPage(location.pathname.split("/")[2] ?? "");
  const id = s?.id ?? location.pathname.split("/")[2] ?? "";
  $("cluster-id").textContent = id;
  if (!s) return gone(`This browser does not hold the key of cluster ${id}. Open it from the link you were given, or start a new one.`);

  let ended = false;
  const expired = () => {
    if (ended) return;
    ended = true;
    tellHost({ type: "session-expired", session: s.id });
    forget(s.id);
    gone(`Cluster ${s.id} reached the end of its lifetime and was deleted with everything in it.`, () => void restart(s));
  };
  try {
    const info = await sessionInfo(s.id, s.token);
    s.expiresAt = info.expiresAt;
    remember(s);
  } catch (e) {
    if (e instanceof ApiRefusal && e.code === 401) {
      forget(s.id);
      return gone(e.message.replace(/; its cluster is gone.*/, "."), () => void restart(s));
    }
    banner(refusalText(e));
  }
  countdown(s, expired);
  ownKubectl(s);
  // The cookie that lets "open :port" tabs through the API server proxy (they cannot send the token).
  void fetch(`/api/sessions/${s.id}/proxy-cookie`, { method: "POST", headers: { authorization: `Bearer ${s.token}` } });
  const alive = async () => {
    try {
      await sessionInfo(s.id, s.token);
      return true;
    } catch (e) {
      if (e instanceof ApiRefusal && e.code === 401) expired();
      return !(e instanceof ApiRefusal && e.code === 401);
    }
  };
  // The terminal's socket first (the prompt is what the learner waits for), then the map's watches.
  const opening = openTerminal($("terminal"), s, alive);
  liveMap(s, expired);
  void labPane(s, opening);
  terminal = await opening;
  terminal.focus();

  $("add-node").addEventListener("click", () => nodeCall(s, "POST", "", { role: "worker" }).catch((e) => banner(refusalText(e))));
  $("delete").addEventListener("click", async () => {
    if (!confirm(`Delete cluster ${s.id} and everything in it?`)) return;
    await deleteSession(s.id, s.token).catch(() => {});
    forget(s.id);
    location.assign("/");
  });
  $("reset").addEventListener("click", async () => {
    if (!confirm(`Replace cluster ${s.id} with a new, empty one of the same layout?`)) return;
    await restart(s, true);
  });
}

/** The lab's steps, when the session runs one: a pane before the terminal (the first tab on a phone). */
async function labPane(s: Session, terminal: Promise<TerminalHandle>): Promise<void> {
  let lab: LabView | undefined;
  try {
    lab = await labOf(s);
  } catch (e) {
    return banner(refusalText(e));
  }
  if (!lab) return;
  document.title = `${lab.title} — kubeplay`;
  $("main").classList.add("with-lab");
  $("lab-pane").hidden = false;
  $("tab-lab").hidden = false;
  // On a phone (where the tabs show) the lab is what the learner reads first.
  if ($("tab-lab").offsetParent !== null) $("tab-lab").click();
  showLab($("lab-pane"), s, lab, {
    run: async (code) => {
      const t = await terminal;
      if ($("tab-terminal").offsetParent !== null) $("tab-terminal").click();
      t.type(code);
      t.focus();
    },
    copy: (code) => void navigator.clipboard?.writeText(code).catch(() => {}),
    verified: (step, completed) => {
      tellHost({ type: "step-verified", session: s.id, lab: s.lab, step });
      if (completed) tellHost({ type: "lab-completed", session: s.id, lab: s.lab });
    },
  });
}

// ---- embedded in a course page (/embed/lab/<name>, docs/embed.md) ----------------------------------

/** What an embedding page asked for: /embed/lab/<name> (a lab) or /embed/playground (a cluster,
 *  terminal and map only), with the course it counts against and its clusters' lifetime; undefined
 *  on the session page. */
function embedding(): Embedding | undefined {
  const m = /^\/embed\/(?:lab\/([^/]+)|playground)$/.exec(location.pathname);
  if (!m) return undefined;
  const q = new URLSearchParams(location.search);
  const [course, lifetime] = [q.get("course"), q.get("lifetime")];
  return { ...(m[1] ? { lab: decodeURIComponent(m[1]) } : {}), ...(course ? { course } : {}), ...(lifetime ? { lifetime } : {}) };
}

interface Embedding {
  lab?: string;
  course?: string;
  lifetime?: string;
}

const embedKey = (e: { lab?: string }) => `kubeplay:embed:${e.lab ?? ":playground"}`;

/** The embedded session: the one this frame started (kept in its storage), or a new one. */
async function embeddedSession(e: Embedding): Promise<Session> {
  const theme = new URLSearchParams(location.search).get("theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  const known = knownSessions().find((k) => k.id === tab.getItem(embedKey(e)));
  if (known) return known;
  // A class's teacher sees the names learners give; nobody has to give one.
  const learner = e.course ? await askName() : undefined;
  const s = await createSession({
    ...(e.lab ? { lab: e.lab } : { nodes: [{ role: "control-plane" }, { role: "worker" }] }),
    ...(e.course ? { course: e.course } : {}),
    ...(e.lifetime ? { lifetime: e.lifetime } : {}),
    ...(learner ? { learner } : {}),
  });
  remember(s);
  tab.setItem(embedKey(e), s.id);
  tellHost({ type: "session-started", session: s.id, ...(e.lab ? { lab: e.lab } : {}), expiresAt: s.expiresAt });
  return s;
}

/** The name a learner gives their teacher, or none. */
function askName(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = h("input", { id: "learner-name", type: "text", maxlength: "64", autocomplete: "name" }) as HTMLInputElement;
    const form = h(
      "form",
      { class: "learner card" },
      h("label", { for: "learner-name" }, "Your name for your teacher (optional)"),
      input,
      h("button", { type: "submit" }, "Start the lab"),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      form.remove();
      resolve(input.value.trim() || undefined);
    });
    document.body.prepend(form);
    input.focus();
  });
}

/** A message to the page that frames this one, at its origin only; never the token. */
function tellHost(message: Record<string, unknown>): void {
  if (window.parent === window) return;
  const host = location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : undefined);
  if (host) window.parent.postMessage({ source: "kubeplay", ...message }, host);
}

/** A new cluster of the same layout; with `replace`, the old one is deleted first. */
async function restart(s: Session, replace = false): Promise<void> {
  try {
    if (replace) await deleteSession(s.id, s.token).catch(() => {});
    forget(s.id);
    const embedded = embedding();
    const next = await createSession({
      ...(s.lab ? { lab: s.lab } : { nodes: s.nodes }),
      ...(s.course ? { course: s.course } : {}),
      ...(embedded?.lifetime ? { lifetime: embedded.lifetime } : {}),
      ...(s.learner ? { learner: s.learner } : {}),
    });
    remember(next);
    if (embedded) {
      tab.setItem(embedKey(embedded), next.id);
      tellHost({ type: "session-started", session: next.id, ...(embedded.lab ? { lab: embedded.lab } : {}), expiresAt: next.expiresAt });
      location.reload();
    } else location.assign(sessionLink(next));
  } catch (e) {
    banner(refusalText(e));
  }
}

void main();
