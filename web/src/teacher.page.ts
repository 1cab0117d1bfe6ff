// The teacher's view of a course: the class's live sessions and each learner's progress, from
// GET /api/courses/:key/sessions with the course's teacher token. The token stays in this tab (its
// session storage), never in a URL. The list refreshes while the tab is visible, and not otherwise.
import { h } from "./dom";
import { setUpTheme } from "./theme";

interface ClassView {
  course: string;
  sessions: {
    id: string;
    learner: string;
    lab: string;
    createdAt: string;
    expiresAt: string;
    progress?: { verified: number; total: number; completed: boolean; steps: boolean[] };
  }[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const REFRESH_MS = 15_000;
const STORE = "kubeplay:teacher";

async function load(key: string, token: string): Promise<void> {
  const res = await fetch(`/api/courses/${encodeURIComponent(key)}/sessions`, { headers: { authorization: `Bearer ${token}` } });
  const refusal = $("refusal");
  if (!res.ok) {
    const status = await res.json().catch(() => ({}));
    refusal.textContent =
      res.status === 401
        ? "That teacher token is not this course's."
        : res.status === 404
          ? `There is no course ${key}.`
          : (status.message ?? `HTTP ${res.status}`);
    refusal.hidden = false;
    $("class").hidden = true;
    return;
  }
  refusal.hidden = true;
  const view: ClassView = await res.json();
  $("class").hidden = false;
  $("class-h").textContent = `${view.course}: ${view.sessions.length} live session${view.sessions.length === 1 ? "" : "s"}`;
  $("rows").replaceChildren(
    ...view.sessions.map((s) =>
      h(
        "tr",
        { class: s.progress?.completed ? "completed" : undefined },
        h("td", {}, s.learner || h("span", { class: "muted" }, "(no name)")),
        h("td", {}, s.lab || "—"),
        h("td", {}, new Date(s.createdAt).toLocaleTimeString()),
        h(
          "td",
          {},
          s.progress
            ? `${s.progress.verified} of ${s.progress.total} ${s.progress.steps.map((v) => (v ? "✓" : "·")).join("")}${s.progress.completed ? " — done" : ""}`
            : "—",
        ),
      ),
    ),
  );
  $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function main(): void {
  setUpTheme();
  const saved = JSON.parse(sessionStorage.getItem(STORE) ?? "null") as { key: string; token: string } | null;
  let current = saved;
  if (saved) {
    $<HTMLInputElement>("key").value = saved.key;
    $<HTMLInputElement>("token").value = saved.token;
  }
  const refresh = () => current && void load(current.key, current.token);
  $("course").addEventListener("submit", (e) => {
    e.preventDefault();
    current = { key: $<HTMLInputElement>("key").value.trim(), token: $<HTMLInputElement>("token").value };
    sessionStorage.setItem(STORE, JSON.stringify(current));
    refresh();
  });
  $("refresh").addEventListener("click", refresh);
  setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, REFRESH_MS);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
  refresh();
}

main();
