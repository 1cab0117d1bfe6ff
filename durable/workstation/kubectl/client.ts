// The workstation kubectl's way to the API server: in-process calls as the admin (no network, no
// TLS), discovery from the server's own resource table, and errors as kubectl words them
// (k8s.io/kubectl/pkg/cmd/util/helpers.go checkErr).
import { builtins, type ResourceTable } from "../../resources";
import type { ResourceDef } from "../../resources/types";
import type { HostPause } from "../../shell/types";
export { awaitHost } from "../../shell/host";

let served: ResourceTable = builtins;

/** The kinds the cluster serves, as this kubectl's discovery finds them (custom kinds included). */
export const servedTable = (): ResourceTable => served;

/** Discovery for what runs synchronously next (a completion). */
export function useTable(table: ResourceTable): void {
  served = table;
}

/** Run a kubectl program with `table()` as its discovery. It is set again at every resume: the
 *  terminals of several clusters can share one isolate and interleave at their waits. */
export function* withTable<T>(run: Generator<HostPause, T, void>, table: () => ResourceTable): Generator<HostPause, T, void> {
  let closed = false;
  let thrown: { error: unknown } | undefined;
  try {
    for (;;) {
      served = table();
      let step: IteratorResult<HostPause, T>;
      if (thrown) {
        const { error } = thrown;
        thrown = undefined;
        step = run.throw(error); // a signal delivered to the shell's job
      } else step = run.next();
      if (step.done) {
        closed = true;
        return step.value;
      }
      try {
        yield step.value;
      } catch (error) {
        thrown = { error };
      }
    }
  } catch (e) {
    closed = true; // the program threw: it is finished
    throw e;
  } finally {
    if (!closed) {
      served = table();
      run.return(undefined as T);
    }
  }
}

export interface ApiReply {
  status: number;
  contentType: string;
  text: string;
  /** An upgraded stream (exec, attach): the socket's near end, not yet accepted. */
  webSocket?: WebSocket;
  /** The server's warnings (Warning headers), which kubectl prints as it gets them. */
  warnings?: string[];
}

/** The texts of `Warning: 299 - "…"` headers (RFC 7234 warn-text, quoted and escaped). */
export function warningsOf(header: string | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
}

/** One call to the cluster's API server: a path under the cluster (`/api/v1/…`). */
export type ApiCall = (method: string, path: string, init?: ApiInit) => Promise<ApiReply>;

export interface ApiInit {
  body?: string;
  headers?: Record<string, string>;
  /** A streamed answer (logs -f): each chunk as it comes; the reply's text is then empty. */
  stream?: (chunk: string) => void;
  signal?: AbortSignal;
  /** Ask for a WebSocket with this subprotocol (exec, attach). */
  upgrade?: string;
}

export const TABLE_ACCEPT =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/** A failure kubectl reports and exits on: the text it prints (stderr) and its status. */
export class KubectlError extends Error {
  constructor(
    readonly text: string,
    readonly code = 1,
  ) {
    super(text);
  }
}

/** A metav1.Status the server answered with, as kubectl prints it. */
export function statusMessage(reply: ApiReply): string {
  let st: {
    reason?: string;
    message?: string;
    details?: { kind?: string; name?: string; causes?: { field?: string; message?: string }[] };
  };
  try {
    st = JSON.parse(reply.text);
  } catch {
    return `error: the server responded with the status code ${reply.status} but did not return more information`;
  }
  if (st.reason === "Invalid") {
    const d = st.details;
    if (!d) return `The request is invalid${st.message ? `: ${st.message}` : ""}`;
    let s = "The request is invalid";
    if (d.kind || d.name) s = `The ${d.kind ?? ""} ${JSON.stringify(d.name ?? "")} is invalid`;
    else if (st.message && !d.causes?.length) s += `: ${st.message}`;
    const causes = [...new Set((d.causes ?? []).map((c) => `${c.field}: ${c.message}`))];
    if (!causes.length) return s;
    if (causes.length === 1) return `${s}: ${causes[0]}`;
    return `${s}: \n${causes.map((c) => `* ${c}`).join("\n")}`;
  }
  if (st.reason === "Unauthorized") return `error: You must be logged in to the server (${st.message})`;
  return st.reason ? `Error from server (${st.reason}): ${st.message}` : `Error from server: ${st.message}`;
}

/** A resource as kubectl's RESTMapper finds it from a name the user typed. */
export interface Resource {
  def: ResourceDef;
  /** How kubectl names it in output: "pod", "deployment.apps". */
  kindName: string;
  /** The API path of its collection, in `namespace` when namespaced. */
  path(namespace: string | undefined, name?: string): string;
}

export const groupSuffix = (def: ResourceDef) => (def.group ? `.${def.group}` : "");

export function resourceOf(def: ResourceDef): Resource {
  return {
    def,
    kindName: `${def.kind.toLowerCase()}${groupSuffix(def)}`,
    path(namespace, name) {
      const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
      const ns = def.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
      return `${base}${ns}/${def.plural}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`;
    },
  };
}

const preferredOf = new WeakMap<ResourceTable, ResourceDef[]>();

/** Everything discovery lists: kubectl maps unserved kinds too, and the server says why it does not serve them. */
const mappable = (): ResourceDef[] => [...served.all, ...served.unserved];

/** The preferred version of each group's resources, as discovery orders them (the first served). */
function preferredDefs(): ResourceDef[] {
  let list = preferredOf.get(served);
  if (!list) {
    const seen = new Map<string, ResourceDef>();
    for (const def of mappable()) {
      if (def.plural.includes("/")) continue;
      const key = `${def.group}/${def.plural}`;
      if (!seen.has(key)) seen.set(key, def);
    }
    preferredOf.set(served, (list = [...seen.values()]));
  }
  return list;
}

/** kubectl's shortcut expansion and RESTMapper: "po", "pods", "pod", "Pod", "deploy", "deployments.apps", "deployments.v1.apps". */
export function findResource(typed: string): Resource {
  const lower = typed.toLowerCase();
  const preferred = preferredDefs();
  const [name, ...rest] = lower.split(".");
  let group: string | undefined;
  let version: string | undefined;
  if (rest.length) {
    const maybeVersion = rest[0];
    const tail = rest.slice(1).join(".");
    const versioned = preferred.filter((d) => d.version === maybeVersion && d.group === tail);
    if (versioned.length) [version, group] = [maybeVersion, tail];
    else group = rest.join(".");
  }
  const matches = (d: ResourceDef) =>
    d.plural === name || d.singular === name || d.kind.toLowerCase() === name || (d.shortNames ?? []).includes(name);
  const pool = version ? mappable().filter((d) => d.version === version && !d.plural.includes("/")) : preferred;
  const found = pool.filter((d) => matches(d) && (group === undefined || d.group === group || (group === "core" && d.group === "")));
  // The legacy group wins a bare name ("events" is core/v1 before events.k8s.io).
  const def = found.find((d) => d.group === "") ?? found[0];
  if (!def) throw new KubectlError(`error: the server doesn't have a resource type "${typed}"`);
  return resourceOf(def);
}

/** The shortcut expander's warnings (client-go restmapper/shortcut.go) for a bare resource name: a
 *  short name that also names resources of lower priority ("ev": events, and events.events.k8s.io).
 *  None for a plural or singular name, which is never expanded. */
export function shortNameWarnings(name: string): string[] {
  if (served.all.some((d) => d.plural === name || d.singular === name)) return [];
  const named = [
    ...new Set(
      preferredDefs()
        .filter((d) => d.shortNames?.includes(name))
        .map((d) => `${d.plural}${groupSuffix(d)}`),
    ),
  ];
  return named.slice(1).map((gr) => `short name "${name}" could also match lower priority resource ${gr}`);
}

/** cli-runtime's EnhanceListError: a list refused with 400 or 404 names what was listed, and how. */
export function listError(reply: ApiReply, resource: Resource, labelSelector = "", fieldSelector = ""): string {
  if (reply.status !== 400 && reply.status !== 404) return statusMessage(reply);
  let st: { message?: string };
  try {
    st = JSON.parse(reply.text);
  } catch {
    return statusMessage(reply);
  }
  const subject = `${resource.def.group}/${resource.def.version}, Resource=${resource.def.plural}`;
  const message =
    labelSelector || fieldSelector
      ? `Unable to find ${JSON.stringify(subject)} that match label selector ${JSON.stringify(labelSelector)}, field selector ${JSON.stringify(fieldSelector)}: ${st.message}`
      : `Unable to list ${JSON.stringify(subject)}: ${st.message}`;
  return statusMessage({ ...reply, text: JSON.stringify({ ...st, message }) });
}

/** A watch's chunks as the events they carry, one JSON line each (a line may span chunks). */
export function watchEvents(onEvent: (event: { type: string; object: any }) => void): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    pending += chunk;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim()) onEvent(JSON.parse(line));
    }
  };
}

/** `--request-timeout` on a watch: it ends quietly then, as the server closing it does. */
export function abortAfterRequestTimeout(timeout: string | undefined, abort: AbortController): ReturnType<typeof setTimeout> | undefined {
  const seconds = Number.parseInt(/^(\d+)s?$/.exec(timeout ?? "")?.[1] ?? "0", 10);
  return seconds > 0 ? setTimeout(() => abort.abort(), seconds * 1000) : undefined;
}
