// The start page: one click to a cluster, the clusters this browser started, refusals in words.
import { h } from "./dom";
import { createSession, deleteSession, refusalText, serverLimits, type Limits } from "./api";
import { forget, knownSessions, remember, sessionLink } from "./sessions";
import { durationMs, remaining, setUpTheme } from "./theme";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const LIFETIMES = ["30m", "1h", "2h", "4h"];

function fillChoices(limits: Limits): void {
  const workers = $<HTMLSelectElement>("workers");
  workers.replaceChildren();
  for (let n = 0; n < limits.maxNodes; n++) workers.append(new Option(String(n), String(n), n === 2, n === 2));
  const lifetime = $<HTMLSelectElement>("lifetime");
  lifetime.replaceChildren();
  const max = durationMs(limits.maxLifetime) ?? Infinity;
  const choices = [...new Set([...LIFETIMES.filter((l) => (durationMs(l) ?? 0) <= max), limits.maxLifetime])];
  for (const l of choices) lifetime.append(new Option(l, l, l === limits.defaultLifetime, l === limits.defaultLifetime));
  describeLayout();
}

function describeLayout(): void {
  const n = Number($<HTMLSelectElement>("workers").value || 0);
  $("layout").textContent =
    `1 control-plane node${n ? ` and ${n} worker${n > 1 ? "s" : ""} (node01${n > 1 ? `…node${String(n).padStart(2, "0")}` : ""})` : ", which also runs your pods"}; gone after ${$<HTMLSelectElement>("lifetime").value}.`;
}

function renderMine(): void {
  const list = $("mine");
  const mine = knownSessions();
  $("none").hidden = mine.length > 0;
  list.replaceChildren(
    ...mine.map((s) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = sessionLink(s);
      link.textContent = `Resume ${s.id}`;
      const info = document.createElement("span");
      info.className = "muted";
      info.dataset.expires = s.expiresAt;
      info.textContent = ` ${s.nodes.length} node${s.nodes.length > 1 ? "s" : ""}, ${remaining(Date.parse(s.expiresAt) - Date.now())} left `;
      const del = document.createElement("button");
      del.type = "button";
      del.className = "secondary";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete cluster ${s.id}`);
      del.addEventListener("click", async () => {
        del.disabled = true;
        try {
          await deleteSession(s.id, s.token);
          forget(s.id);
          renderMine();
        } catch (e) {
          showRefusal(e);
          del.disabled = false;
        }
      });
      li.append(link, info, del);
      return li;
    }),
  );
}

/** The lab catalogue (web/labs, indexed by the build): one button per lab, each starting its cluster. */
async function listLabs(): Promise<void> {
  let labs: { name: string; title: string; description: string; language: string; source?: string; licence?: string }[] = [];
  try {
    labs = await (await fetch("/labs/index.json")).json();
  } catch {
    return;
  }
  $("labs").replaceChildren(
    ...labs.map((lab) => {
      const li = document.createElement("li");
      li.lang = lab.language;
      const start = document.createElement("button");
      start.type = "button";
      start.className = "secondary";
      start.textContent = lab.title;
      start.dataset.lab = lab.name;
      start.setAttribute("aria-label", `Start the lab ${lab.title} (${lab.language})`);
      const about = document.createElement("span");
      about.className = "muted";
      about.textContent = ` ${lab.language} · ${lab.description}`;
      start.addEventListener("click", async () => {
        if (start.disabled) return;
        start.disabled = true;
        try {
          const s = await createSession({ lab: lab.name });
          remember(s);
          location.assign(sessionLink(s));
        } catch (e) {
          showRefusal(e);
          start.disabled = false;
        }
      });
      li.append(start, about);
      if (lab.source) {
        // An imported scenario says whose it is and under which licence, as that licence asks.
        const from = document.createElement("a");
        from.href = lab.source;
        from.rel = "noopener";
        from.target = "_blank";
        from.textContent = `${new URL(lab.source).pathname.split("/").slice(1, 3).join("/")} (${lab.licence})`;
        li.append(h("span", { class: "muted" }, " · from "), from);
      }
      return li;
    }),
  );
}

function showRefusal(e: unknown): void {
  const p = $("refusal");
  p.textContent = refusalText(e);
  p.hidden = false;
}

function main(): void {
  setUpTheme();
  for (const el of document.querySelectorAll(".origin")) el.textContent = location.origin;
  fillChoices({ defaultLifetime: "4h", maxLifetime: "4h", maxNodes: 10, maxSessionsPerClient: 5 });
  serverLimits().then(fillChoices, () => {});
  $("workers").addEventListener("change", describeLayout);
  $("lifetime").addEventListener("change", describeLayout);
  renderMine();
  void listLabs();
  // Remaining times tick once a second only while the tab is visible.
  setInterval(() => {
    if (document.visibilityState === "visible" && knownSessions().length) renderMine();
  }, 1000);

  const go = $<HTMLButtonElement>("go");
  $<HTMLFormElement>("start").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (go.disabled) return; // one click, one cluster
    go.disabled = true;
    go.textContent = "Starting…";
    $("refusal").hidden = true;
    try {
      const workers = Number($<HTMLSelectElement>("workers").value);
      const s = await createSession({
        lifetime: $<HTMLSelectElement>("lifetime").value,
        nodes: [{ role: "control-plane" }, ...Array.from({ length: workers }, () => ({ role: "worker" as const }))],
      });
      remember(s);
      location.assign(sessionLink(s));
    } catch (e) {
      showRefusal(e);
      go.disabled = false;
      go.textContent = "Start a cluster";
    }
  });
}

main();
