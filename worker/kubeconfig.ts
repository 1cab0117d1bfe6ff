// The kubeconfig issued for a session: one cluster, user and context, all named kubeplay-<id>.
import { stringify } from "yaml";
import { isLoopback } from "./env";

export const contextName = (id: string) => `kubeplay-${id}`;
export const serverUrl = (origin: string, id: string) => `${origin}/clusters/${id}`;

export function kubeconfig(origin: string, id: string, token: string): string {
  const name = contextName(id);
  // The local dev server uses wrangler's self-signed certificate; nothing else may skip verification.
  const local = isLoopback(new URL(origin).hostname);
  return stringify({
    apiVersion: "v1",
    clusters: [{ cluster: { server: serverUrl(origin, id), ...(local ? { "insecure-skip-tls-verify": true } : {}) }, name }],
    contexts: [{ context: { cluster: name, namespace: "default", user: name }, name }],
    "current-context": name,
    kind: "Config",
    preferences: {},
    users: [{ name, user: { token } }],
  });
}
