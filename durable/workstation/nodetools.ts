// The node's own tools, as a CKA course uses them on a kubeadm node: systemctl and journalctl for
// the kubelet (stopping it is the session API's "stop kubelet": the node goes NotReady), crictl for
// the node's containers (kubeadm is kubeadm.ts). Each is a host program bound to one node.
import type { Obj } from "../resources/types";
import type { HostProgram } from "../shell/types";
import type { ClusterReader } from "../nodes/runtime/network";
import { imageInfo, seededHex } from "../nodes/runtime/images";
import { KUBELET_STOPPED, kubeletRunning } from "../resources/heartbeat";
import { awaitHost } from "../shell/host";
import { CLIENT_VERSION } from "./kubectl/info";

export interface NodeToolsDeps {
  reader: ClusterReader;
  now: () => number;
  /** Stop or start a node's kubelet, as the session API does. */
  kubelet(node: string, action: "stop" | "start"): Promise<void>;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");
/** systemd's timestamp: "Fri 2026-12-04 18:39:18 UTC". */
const systemdTime = (ms: number) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
};
/** journalctl's short timestamp: "Dec 04 18:39:18". */
const journalTime = (ms: number) => {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.toISOString().slice(11, 19)}`;
};
/** klog's line header: "I1204 18:39:18.000000    1234". */
const klogHeader = (level: string, ms: number, pid: number) => {
  const d = new Date(ms);
  return `${level}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${d.toISOString().slice(11, 23)}000 ${String(pid).padStart(7)}`;
};

/** systemd's "1h 2min ago". */
function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}min ${s % 60}s ago`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}min ago`;
}
/** go-units HumanDuration, as crictl's CREATED column says it ("2 minutes ago"). */
function human(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  return `${Math.floor(h / 24)} days`;
}

const KUBELET_PID = (node: string) => 1000 + (Number.parseInt(seededHex(`kubelet:${node}`, 3), 16) % 8000);

export function nodeTools(node: string, deps: NodeToolsDeps): Record<string, HostProgram> {
  const nodeObj = () => deps.reader.get("nodes", undefined, node);
  /** When the kubelet last started: the node's registration, or its last restart. */
  const started = (n: Obj | undefined) =>
    Date.parse(n?.metadata?.annotations?.["kubeplay.dev/kubelet-started"] ?? n?.metadata?.creationTimestamp ?? "") || deps.now();

  function* systemctl(args: string[], call: Parameters<HostProgram>[1]): ReturnType<HostProgram> {
    const [verb, unitArg] = args.filter((a) => !a.startsWith("-"));
    const unit = (unitArg ?? "").replace(/\.service$/, "");
    if (!verb) {
      call.io.stderr(
        "systemctl: a command is needed (kubeplay simulates status, start, stop, restart and is-active of kubelet and containerd)\n",
      );
      return 1;
    }
    if (unit !== "kubelet" && unit !== "containerd") {
      if (!unit) {
        call.io.stderr(`Too few arguments.\n`);
        return 1;
      }
      call.io.stderr(`Unit ${unit}.service could not be found.\n`);
      return verb === "status" ? 4 : 5;
    }
    const n = nodeObj();
    const running = unit === "containerd" || kubeletRunning(n);
    switch (verb) {
      case "status": {
        const since = unit === "kubelet" && !running ? Date.parse(n?.metadata?.annotations?.[KUBELET_STOPPED] ?? "") : started(n);
        const pid = KUBELET_PID(node) + (unit === "containerd" ? -300 : 0);
        const active = running
          ? `active (running) since ${systemdTime(since)}; ${ago(deps.now() - since)}`
          : `inactive (dead) since ${systemdTime(since)}; ${ago(deps.now() - since)}`;
        const lines =
          unit === "kubelet"
            ? [
                `${running ? "●" : "○"} kubelet.service - kubelet: The Kubernetes Node Agent`,
                "     Loaded: loaded (/lib/systemd/system/kubelet.service; enabled; vendor preset: enabled)",
                "    Drop-In: /usr/lib/systemd/system/kubelet.service.d",
                "             └─10-kubeadm.conf",
                `     Active: ${active}`,
                "       Docs: https://kubernetes.io/docs/",
                ...(running
                  ? [
                      `   Main PID: ${pid} (kubelet)`,
                      "      Tasks: 12 (limit: 2339)",
                      "     Memory: 48.6M",
                      "     CGroup: /system.slice/kubelet.service",
                      `             └─${pid} /usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10`,
                    ]
                  : [
                      `    Process: ${pid} ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS (code=killed, signal=TERM)`,
                      `   Main PID: ${pid} (code=killed, signal=TERM)`,
                    ]),
              ]
            : [
                "● containerd.service - containerd container runtime",
                "     Loaded: loaded (/lib/systemd/system/containerd.service; enabled; vendor preset: enabled)",
                `     Active: ${active}`,
                "       Docs: https://containerd.io",
                `   Main PID: ${pid} (containerd)`,
                "     CGroup: /system.slice/containerd.service",
                `             └─${pid} /usr/bin/containerd`,
              ];
        call.io.stdout(`${lines.join("\n")}\n`);
        return running ? 0 : 3;
      }
      case "is-active":
        call.io.stdout(running ? "active\n" : "inactive\n");
        return running ? 0 : 3;
      case "is-enabled":
        call.io.stdout("enabled\n");
        return 0;
      case "stop":
      case "start":
      case "restart": {
        if (unit === "containerd") return 0;
        if (verb !== "start") yield* awaitHost(deps.kubelet(node, "stop"));
        if (verb !== "stop") yield* awaitHost(deps.kubelet(node, "start"));
        return 0;
      }
      case "enable":
      case "disable":
      case "daemon-reload":
        return 0;
      default:
        call.io.stderr(`Unknown command verb ${verb}.\n`);
        return 1;
    }
  }

  function* journalctl(args: string[], call: Parameters<HostProgram>[1]): ReturnType<HostProgram> {
    const unit = args[args.indexOf("-u") + 1]?.replace(/\.service$/, "");
    if (!args.includes("-u") || unit !== "kubelet") {
      call.io.stdout("-- No entries --\n");
      return 0;
    }
    // The kubelet's journal: its starts and stops, and the events it recorded for this node's pods.
    const n = nodeObj();
    const pid = KUBELET_PID(node);
    const entries: { at: number; text: string }[] = [
      { at: started(n), text: `Started kubelet.service - kubelet: The Kubernetes Node Agent.` },
    ];
    const stopped = n?.metadata?.annotations?.[KUBELET_STOPPED];
    if (stopped) entries.push({ at: Date.parse(stopped), text: "Stopping kubelet.service - kubelet: The Kubernetes Node Agent..." });
    for (const e of deps.reader.list("events")) {
      if (e.source?.host !== node && e.reportingInstance !== node) continue;
      const at = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "");
      const o = e.involvedObject ?? {};
      entries.push({
        at,
        text: `kubelet[${pid}]: ${klogHeader(e.type === "Warning" ? "W" : "I", at, pid)} event.go:389] "Event occurred" object="${o.namespace ? `${o.namespace}/` : ""}${o.name}" fieldPath="${o.fieldPath ?? ""}" kind="${o.kind}" apiVersion="${o.apiVersion ?? "v1"}" type="${e.type}" reason="${e.reason}" message=${JSON.stringify(e.message ?? "")}`,
      });
    }
    entries.sort((a, b) => a.at - b.at);
    const tail = args.includes("-n") ? Number(args[args.indexOf("-n") + 1]) : entries.length;
    for (const e of entries.slice(-tail))
      call.io.stdout(`${journalTime(e.at)} ${node} ${e.text.startsWith("kubelet[") ? e.text : `systemd[1]: ${e.text}`}\n`);
    return 0;
  }

  /** The node's pods and their containers, as containerd has them. */
  const pods = () => deps.reader.list("pods").filter((p) => p.spec?.nodeName === node);
  const short = (id: string | undefined) =>
    (id ?? "")
      .replace(/^[a-z]+:\/\//, "")
      .replace(/^sha256:/, "")
      .slice(0, 13);
  const table = (rows: string[][]) => {
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return (
      rows
        .map((r) =>
          r
            .map((c, i) => (i === r.length - 1 ? c : c.padEnd(Math.max(w[i] + 3, 20))))
            .join("")
            .trimEnd(),
        )
        .join("\n") + "\n"
    );
  };

  function* crictl(args: string[], call: Parameters<HostProgram>[1]): ReturnType<HostProgram> {
    const [verb] = args.filter((a) => !a.startsWith("-"));
    const all = args.includes("-a") || args.includes("--all");
    const now = deps.now();
    switch (verb) {
      case "ps": {
        const rows = [["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD", "NAMESPACE"]];
        for (const p of pods())
          for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])] as Obj[]) {
            const state = s.state?.running ? "Running" : s.state?.terminated ? "Exited" : undefined;
            if (!s.containerID || !state || (!all && state !== "Running")) continue;
            const at = Date.parse(s.state?.running?.startedAt ?? s.state?.terminated?.startedAt ?? "") || now;
            rows.push([
              short(s.containerID),
              short(s.imageID?.split("@")[1] ?? imageInfo(s.image).imageID.split("@")[1]),
              `${human(now - at)} ago`,
              state,
              s.name,
              String(s.restartCount ?? 0),
              short(seededHex(`sandbox:${p.metadata.uid}`, 64)),
              p.metadata.name,
              p.metadata.namespace,
            ]);
          }
        call.io.stdout(table(rows));
        return 0;
      }
      case "pods": {
        const rows = [["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"]];
        for (const p of pods()) {
          const at = Date.parse(p.status?.startTime ?? p.metadata?.creationTimestamp ?? "") || now;
          const ready = p.status?.phase === "Running" || p.status?.phase === "Pending" ? "Ready" : "NotReady";
          rows.push([
            short(seededHex(`sandbox:${p.metadata.uid}`, 64)),
            `${human(now - at)} ago`,
            ready,
            p.metadata.name,
            p.metadata.namespace,
            "0",
            "(default)",
          ]);
        }
        call.io.stdout(table(rows));
        return 0;
      }
      case "images": {
        const rows = [["IMAGE", "TAG", "IMAGE ID", "SIZE"]];
        const seen = new Set<string>();
        for (const p of pods())
          for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])] as Obj[]) {
            const info = imageInfo(c.image ?? "");
            if (seen.has(info.image)) continue;
            seen.add(info.image);
            const [repo, tag = "latest"] = info.image.split("@")[0].split(/:(?=[^/]+$)/);
            rows.push([repo, tag, short(info.imageID.split("@")[1]), `${(info.sizeBytes / 1e6).toFixed(1)}MB`]);
          }
        call.io.stdout(table(rows));
        return 0;
      }
      default:
        call.io.stderr(
          verb
            ? `kubeplay: crictl ${verb} is not simulated; crictl ps, pods and images are (kubectl logs and exec reach the containers)\n`
            : "NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options]\n",
        );
        return 1;
    }
  }

  return { systemctl, journalctl, crictl };
}
