// The sessions this browser started. Tokens stay in the page: localStorage for the list on the
// start page, sessionStorage for the tab that has a session open; they reach the session page in
// the URL fragment (which the browser never sends to the server) and are taken out of it at once.
import type { Session } from "./api";

const LIST = "kubeplay:sessions";

/** The browser's storage, or a page-lifetime stand-in where it is denied (a framed page whose
 *  browser blocks third-party storage): the session then lasts as long as the frame. */
function storage(kind: "localStorage" | "sessionStorage"): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  try {
    const s = window[kind];
    s.getItem(LIST);
    return s;
  } catch {
    const memory = new Map<string, string>();
    return {
      getItem: (k) => memory.get(k) ?? null,
      setItem: (k, v) => void memory.set(k, v),
      removeItem: (k) => void memory.delete(k),
    };
  }
}
export const local = storage("localStorage");
export const tab = storage("sessionStorage");

export function knownSessions(now = Date.now()): Session[] {
  let all: Session[] = [];
  try {
    all = JSON.parse(local.getItem(LIST) ?? "[]");
  } catch {}
  return all.filter((s) => s && typeof s.id === "string" && Date.parse(s.expiresAt) > now);
}

export function remember(s: Session): void {
  local.setItem(LIST, JSON.stringify([s, ...knownSessions().filter((k) => k.id !== s.id)]));
  tab.setItem(`kubeplay:${s.id}`, JSON.stringify(s));
}

export function forget(id: string): void {
  local.setItem(LIST, JSON.stringify(knownSessions().filter((k) => k.id !== id)));
  tab.removeItem(`kubeplay:${id}`);
}

/** The link that opens a session page, the token in the fragment. */
export const sessionLink = (s: Session) =>
  `/s/${s.id}#${new URLSearchParams({ token: s.token, expires: s.expiresAt, nodes: String(s.nodes.length) })}`;

/** The session of the page at /s/<id>: from the fragment (then removed from the address bar), this
 *  tab's storage, or this browser's list. */
export function sessionOfPage(id: string): Session | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  if (token) {
    history.replaceState(null, "", location.pathname);
    const known = knownSessions().find((k) => k.id === id);
    const nodes = Number(fragment.get("nodes")) || known?.nodes.length || 1;
    const s: Session =
      known?.token === token
        ? known
        : {
            id,
            token,
            createdAt: "",
            expiresAt: fragment.get("expires") ?? "",
            server: `${location.origin}/clusters/${id}`,
            nodes: [{ role: "control-plane" }, ...Array.from({ length: nodes - 1 }, () => ({ role: "worker" as const }))],
          };
    remember(s);
    return s;
  }
  try {
    const stored = tab.getItem(`kubeplay:${id}`);
    if (stored) return JSON.parse(stored);
  } catch {}
  return knownSessions().find((k) => k.id === id);
}
