// The simulated cluster network: CoreDNS names, kube-proxy's Service routing (ClusterIP and NodePort
// to a ready endpoint, round-robin or ClientIP affinity, REJECT when there is none), pod IPs, node
// IPs, and the HTTP client a container's curl/wget uses on top (servers.ts answers).
import type { Obj } from "../../resources/types";
import type { ResourceTable } from "../../resources";
import { listener, serve, type HttpRequest, type LogAppender, type ServerReply } from "./servers";
import { serveInCluster } from "../../api/incluster";
import { ctxPolicy } from "../../api/authz";
import type { ServiceAccountTokens } from "../../api/tokens";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { connectionAllowed, egressAllowed, ingressAllowed, type Peer, type PolicyWorld } from "./policy";
import { buildServers } from "./ingressrouting";
import { fakeCertificate, proxyIngress, type Upstream } from "./ingressproxy";
import { INGRESS_NGINX, ingressesOf } from "../../resources/ingress";

// The network's face to a shell (Network and its results) is declared by the shell it serves.
import type {
  Connected,
  ConnectResult,
  HttpClientRequest,
  HttpResult,
  NetError,
  Network,
  PodInterface,
  ServerCertificate,
} from "../../shell/types";
export type {
  Connected,
  ConnectResult,
  HttpClientRequest,
  HttpResult,
  NetError,
  Network,
  PodInterface,
  ServerCertificate,
} from "../../shell/types";

/** kubeadm's --pod-network-cidr in kubeplay's clusters. */
export const CLUSTER_CIDR = "10.244.0.0/16";

/** A MAC derived from the IPv4 address, as the CNI bridge plugin does (0a:58 then the four bytes). */
export const macOf = (ip: string, prefix = "0a:58") =>
  `${prefix}:${ip
    .split(".")
    .map((b) => Number(b).toString(16).padStart(2, "0"))
    .join(":")}`;

/** What the network reads of the cluster (the controllers' Client fits). */
export interface ClusterReader {
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
  list(plural: string, namespace?: string): Obj[];
  /** The kinds the cluster serves, custom resources included. */
  readonly table?: ResourceTable;
  /** Checks the service-account tokens pods present to the API server. */
  readonly tokens?: ServiceAccountTokens;
}

export const CLUSTER_DOMAIN = "cluster.local";
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** kube-proxy's memory: the next endpoint per Service port, and ClientIP affinities. */
const roundRobin = new Map<string, number>();
const affinity = new Map<string, { ip: string; until: number }>();

// curl's messages, naming the host as the user typed it (curl 8: every failed connect says "Couldn't
// connect to server"); a dropped SYN gives up after the kernel's ~130 s of retransmissions.
export const refused = (host: string, port: number, ip = host): NetError => ({
  error: `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`,
  code: 7,
  ip,
});
const timedOut = (host: string, port: number, ip = host): NetError => ({
  error: `Failed to connect to ${host} port ${port} after 134012 ms: Couldn't connect to server`,
  code: 28,
  ip,
});
const unresolved = (host: string): NetError => ({ error: `Could not resolve host: ${host}`, code: 6 });

const nodeIP = (node: Obj): string | undefined => ((node.status?.addresses ?? []) as Obj[]).find((a) => a.type === "InternalIP")?.address;
const isLive = (pod: Obj) => !!pod.status?.podIP && pod.status.phase !== "Succeeded" && pod.status.phase !== "Failed";
const clusterIPs = (svc: Obj): string[] => svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
const isHeadless = (svc: Obj) => svc.spec?.clusterIP === "None";

const KUBELET_PORT = 10250;

/** An X.509 validity date as OpenSSL prints it: "Nov 21 20:55:00 2026 GMT". */
const certDate = (ms: number) =>
  new Date(ms)
    .toUTCString()
    .replace(
      /^\w+, (\d+) (\w+) (\d+) (\S+) GMT$/,
      (_, d: string, m: string, y: string, t: string) => `${m} ${String(Number(d)).padStart(2, " ")} ${t} ${y} GMT`,
    );

/** The bridge address of a node's pod network (cni0, .1 of its podCIDR): where node-originated traffic comes from. */
export function bridgeIP(node: Obj | undefined): string {
  const cidr: string = node?.spec?.podCIDR ?? "10.244.0.0/24";
  return `${cidr.split("/")[0].split(".").slice(0, 3).join(".")}.1`;
}

/** The ready endpoints (ip, port, pod ref) of a Service port, from its Endpoints object. */
export function readyEndpoints(
  c: ClusterReader,
  svc: Obj,
  svcPort: Obj,
): { ip: string; port: number; targetRef?: Obj; nodeName?: string }[] {
  const eps = c.get("endpoints", svc.metadata.namespace, svc.metadata.name);
  const out: { ip: string; port: number; targetRef?: Obj; nodeName?: string }[] = [];
  for (const ss of (eps?.subsets ?? []) as Obj[]) {
    const p = ((ss.ports ?? []) as Obj[]).find((p) => (p.name ?? "") === (svcPort.name ?? ""));
    if (!p) continue;
    for (const a of (ss.addresses ?? []) as Obj[]) out.push({ ip: a.ip, port: p.port, targetRef: a.targetRef, nodeName: a.nodeName });
  }
  return out;
}

/** Pick an endpoint as kube-proxy does: sticky per client with ClientIP affinity, else the next in turn. */
export function pickEndpoint<T extends { ip: string }>(svc: Obj, svcPort: Obj, endpoints: T[], clientIP: string, now: number): T {
  const key = `${svc.metadata.uid}/${svcPort.port}`;
  if (svc.spec?.sessionAffinity === "ClientIP") {
    const sticky = affinity.get(`${key}/${clientIP}`);
    const hit = sticky && sticky.until > now ? endpoints.find((e) => e.ip === sticky.ip) : undefined;
    const chosen = hit ?? endpoints[(roundRobin.get(key) ?? 0) % endpoints.length];
    if (!hit) roundRobin.set(key, (roundRobin.get(key) ?? 0) + 1);
    const timeout = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800;
    affinity.set(`${key}/${clientIP}`, { ip: chosen.ip, until: now + timeout * 1000 });
    return chosen;
  }
  const n = roundRobin.get(key) ?? 0;
  roundRobin.set(key, n + 1);
  return endpoints[n % endpoints.length];
}

/** The ingress-nginx controller image: its nginx routes by the Ingresses (ingressproxy.ts). */
const isIngressController = (container: Obj | undefined) => /(^|\/)ingress-nginx\/controller(:|@|$)/.test(container?.image ?? "");

/**
 * The network as seen from `self` (the pod a container's shell runs in: its DNS queries are subject
 * to the NetworkPolicies selecting it) or from the node `hostNode` (a node's shell: its loopback is
 * the node's, where kube-proxy's NodePorts answer too).
 */
export function clusterNetwork(client: ClusterReader, logs: LogAppender | undefined, now: number, self?: Obj, hostNode?: string): Network {
  let cache: { services: Obj[]; pods: Obj[]; nodes: Obj[] } | undefined;
  const world = () => (cache ??= { services: client.list("services"), pods: client.list("pods"), nodes: client.list("nodes") });
  let policyCache: PolicyWorld | undefined;
  const policies = (): PolicyWorld => {
    if (policyCache) return policyCache;
    // Namespaces are read only when a policy's namespaceSelector asks.
    let namespaces: Map<string, Record<string, string>> | undefined;
    const labelsOf = (name: string) =>
      (namespaces ??= new Map(client.list("namespaces").map((n) => [n.metadata.name as string, n.metadata.labels ?? {}]))).get(name) ?? {
        "kubernetes.io/metadata.name": name,
      };
    return (policyCache = { policies: client.list("networkpolicies") as NetworkPolicy[], namespaceLabels: labelsOf });
  };

  /** A connection's end as NetworkPolicy sees it: a pod, or a node's own address. */
  const peerOf = (pod: Obj | undefined, target?: Obj): Peer => {
    if (pod && !pod.spec?.hostNetwork) return { ip: pod.status?.podIP, pod };
    if (pod) return { ip: pod.status?.podIP, node: pod.spec?.nodeName };
    // A node's shell: from its own address (NetworkPolicy lets a pod's own node through, no other).
    const shell = hostNode ? world().nodes.find((n) => n.metadata.name === hostNode) : undefined;
    if (shell) return { ip: nodeIP(shell) ?? "", node: hostNode };
    return { ip: clientIP(undefined, target), node: target?.spec?.nodeName };
  };

  /** Does the CNI let this TCP connection through (egress of the client, ingress of the pod)? */
  const admitted = (from: Obj | undefined, to: Obj, port: number) =>
    !policies().policies.length || connectionAllowed(policies(), { from: peerOf(from, to), to: peerOf(to), port, protocol: "TCP" });

  /** Can `self` reach a cluster DNS server on UDP 53 (kube-dns's pods, after the Service's DNAT)? */
  function dnsReachable(): boolean {
    if (!self || self.spec?.hostNetwork || !policies().policies.length) return true;
    const dns = world().pods.filter(
      (p) => p.metadata.namespace === "kube-system" && p.metadata.labels?.["k8s-app"] === "kube-dns" && isLive(p),
    );
    const w = policies();
    return dns.some((p) => {
      const c = { from: peerOf(self), to: peerOf(p), port: 53, protocol: "UDP" as const };
      return egressAllowed(w, c) && ingressAllowed(w, c);
    });
  }

  const serviceByName = (name: string, ns: string) => world().services.find((s) => s.metadata.name === name && s.metadata.namespace === ns);

  /** A fully qualified name → addresses (CoreDNS's kubernetes plugin, plus node names as /etc/hosts would). */
  function lookupFQDN(fqdn: string): string[] | undefined {
    const labels = fqdn.split(".");
    const suffix = `.svc.${CLUSTER_DOMAIN}`;
    if (fqdn.endsWith(suffix)) {
      const parts = fqdn.slice(0, -suffix.length).split(".");
      if (parts.length === 2) {
        const svc = serviceByName(parts[0], parts[1]);
        if (!svc) return undefined;
        if (svc.spec?.type === "ExternalName") return resolve(svc.spec.externalName, parts[1]);
        if (!isHeadless(svc)) return clusterIPs(svc).slice(0, 1);
        const eps = client.get("endpoints", parts[1], parts[0]);
        const ips = ((eps?.subsets ?? []) as Obj[]).flatMap((ss) => ((ss.addresses ?? []) as Obj[]).map((a) => a.ip as string));
        return ips.length ? [...new Set(ips)] : undefined;
      }
      if (parts.length === 3) {
        // <hostname>.<subdomain>.<ns>.svc (StatefulSet pods behind a headless Service).
        const eps = client.get("endpoints", parts[2], parts[1]);
        const a = ((eps?.subsets ?? []) as Obj[])
          .flatMap((ss) => [...(ss.addresses ?? []), ...(ss.notReadyAddresses ?? [])] as Obj[])
          .find((a) => a.hostname === parts[0]);
        return a ? [a.ip] : undefined;
      }
      return undefined;
    }
    const podSuffix = `.pod.${CLUSTER_DOMAIN}`;
    if (fqdn.endsWith(podSuffix) && labels.length === 5) {
      const ip = labels[0].replace(/-/g, ".");
      return IPV4.test(ip) ? [ip] : undefined;
    }
    const node = world().nodes.find((n) => n.metadata.name === fqdn);
    if (node && nodeIP(node)) return [nodeIP(node)!];
    return undefined;
  }

  function resolve(name: string, fromNamespace: string): string[] {
    const absolute = name.endsWith(".");
    name = name.toLowerCase().replace(/\.$/, "");
    if (IPV4.test(name)) return [name];
    if (name === "localhost") return ["127.0.0.1"];
    if (!dnsReachable()) return [];
    if (absolute) return lookupFQDN(name) ?? [];
    // resolv.conf: search <ns>.svc.cluster.local svc.cluster.local cluster.local, options ndots:5.
    const search = [`${fromNamespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
    const candidates =
      name.split(".").length - 1 < 5 ? [...search.map((s) => `${name}.${s}`), name] : [name, ...search.map((s) => `${name}.${s}`)];
    for (const fqdn of candidates) {
      const ips = lookupFQDN(fqdn);
      if (ips?.length) return ips;
    }
    return [];
  }

  /** The source address of traffic from `from` (a pod), or of node-originated traffic to `target`. */
  function clientIP(from: Obj | undefined, target?: Obj): string {
    if (from?.status?.podIP) return from.status.podIP;
    const node = world().nodes.find((n) => n.metadata.name === target?.spec?.nodeName);
    return bridgeIP(node);
  }

  /** Where the client dialled: the host as typed, its address and port (what error messages name). */
  type Dialled = { host: string; ip: string; port: number };

  /** A backend pod's listener on port, or refused at the address the client dialled; a SYN a
   *  NetworkPolicy drops goes unanswered (Calico and Cilium drop, they do not reject). */
  function reach(pod: Obj | undefined, port: number, d: Dialled, from?: Obj): ConnectResult {
    if (pod && isLive(pod) && !admitted(from, pod, port)) return timedOut(d.host, d.port, d.ip);
    const container = pod && isLive(pod) ? listener(pod, port) : undefined;
    if (!pod || !container) return refused(d.host, d.port, d.ip);
    return { ok: true, ip: pod.status.podIP, pod, port, container };
  }

  function viaService(svc: Obj, svcPort: Obj, d: Dialled, from?: Obj, internal = false): ConnectResult {
    let eps = readyEndpoints(client, svc, svcPort);
    if (!eps.length) return refused(d.host, d.port, d.ip); // kube-proxy's REJECT rule
    if (internal && svc.spec?.internalTrafficPolicy === "Local") {
      // Only endpoints on the client's own node; with none, kube-proxy's rule is a DROP ("has no local endpoints").
      const node = from?.spec?.nodeName;
      eps = eps.filter(
        (e) =>
          (e.nodeName ??
            world().pods.find((p) => p.metadata.name === e.targetRef?.name && p.metadata.namespace === e.targetRef?.namespace)?.spec
              ?.nodeName) === node,
      );
      if (!eps.length) return timedOut(d.host, d.port, d.ip);
    }
    const ep = pickEndpoint(svc, svcPort, eps, clientIP(from), now);
    const pod =
      ep.targetRef?.kind === "Pod"
        ? world().pods.find((p) => p.metadata.name === ep.targetRef!.name && p.metadata.namespace === ep.targetRef!.namespace)
        : podAt(ep.ip, ep.port);
    return reach(pod, ep.port, d, from);
  }

  /** The pod at an IP; for a node IP, the host-network pod listening on port. */
  function podAt(ip: string, port: number): Obj | undefined {
    const pods = world().pods.filter((p) => isLive(p) && (p.status.podIPs ?? [{ ip: p.status.podIP }]).some((x: Obj) => x.ip === ip));
    return pods.find((p) => !p.spec?.hostNetwork) ?? pods.find((p) => listener(p, port));
  }

  /** The node a host-network client runs on: its loopback is the node's. */
  const hostNodeOf = (from?: Obj) =>
    from?.spec?.hostNetwork
      ? world().nodes.find((n) => n.metadata.name === from.spec.nodeName)
      : !from && hostNode
        ? world().nodes.find((n) => n.metadata.name === hostNode)
        : undefined;

  /** A Service's TCP port on one of its addresses, by the port number kube-proxy matches there. */
  const servicePort = (svc: Obj, port: number, field: "port" | "nodePort") =>
    ((svc.spec?.ports ?? []) as Obj[]).find((p) => p[field] === port && (p.protocol ?? "TCP") === "TCP");

  /** Addresses kube-proxy also routes for a Service: its LoadBalancer ingress IPs and externalIPs. */
  const externalAddresses = (svc: Obj): string[] => [
    ...(svc.spec?.type === "LoadBalancer"
      ? ((svc.status?.loadBalancer?.ingress ?? []) as Obj[]).filter((i) => (i.ipMode ?? "VIP") === "VIP").map((i) => i.ip as string)
      : []),
    ...((svc.spec?.externalIPs ?? []) as string[]),
  ];

  /**
   * A node's own address: kube-proxy's NodePort rules first (on every node IP, and on 127.0.0.1 of a
   * node, as route_localnet allows), then the hostPorts of its pods, then whatever host-network
   * process listens; else the node's kernel resets the connection (refused).
   */
  function toNode(node: Obj, port: number, d: Dialled, from?: Obj): ConnectResult {
    for (const svc of world().services) {
      const sp = servicePort(svc, port, "nodePort");
      if (sp && (svc.spec.type === "NodePort" || svc.spec.type === "LoadBalancer")) return viaService(svc, sp, d, from);
    }
    // A container's hostPort: the CNI portmap plugin DNATs the node's port to the pod.
    for (const p of world().pods) {
      if (!isLive(p) || p.spec?.hostNetwork || p.spec?.nodeName !== node.metadata.name) continue;
      const mapped = ((p.spec?.containers ?? []) as Obj[])
        .flatMap((c) => (c.ports ?? []) as Obj[])
        .find((cp) => cp.hostPort === port && (cp.protocol ?? "TCP") === "TCP");
      if (mapped) return reach(p, mapped.containerPort, d, from);
    }
    const ip = nodeIP(node);
    const pod = ip ? podAt(ip, port) : undefined;
    // The kubelet is no pod: it listens on 10250 (TLS) on every node.
    if (!(pod && listener(pod, port)) && port === KUBELET_PORT) return { ok: true, ip: ip ?? d.ip, port, kubelet: node };
    return reach(pod, port, d, from);
  }

  /** The kubelet's self-signed serving certificate (kubeadm leaves serverTLSBootstrap off). */
  function kubeletCertificate(node: Obj): ServerCertificate {
    const created = Date.parse(node.metadata?.creationTimestamp ?? "") || now;
    const stamp = Math.floor(created / 1000);
    return {
      subject: `CN=${node.metadata.name}@${stamp}`,
      issuer: `CN=${node.metadata.name}-ca@${stamp}`,
      issuerPEM: undefined,
      names: [node.metadata.name.toLowerCase()],
      notBefore: certDate(created - 3_600_000),
      notAfter: certDate(created - 3_600_000 + 365 * 86_400_000),
      untrusted: "self-signed certificate in certificate chain",
    };
  }

  function connect(host: string, port: number, from?: Obj): ConnectResult {
    const ip = resolve(host, from?.metadata?.namespace ?? "default")[0];
    if (!ip) return unresolved(host);
    const d: Dialled = { host, ip, port };
    if (ip === "127.0.0.1") {
      const hostNode = hostNodeOf(from);
      if (hostNode) return toNode(hostNode, port, d, from);
      return from ? reach(from, port, d, from) : refused(host, port, ip);
    }
    for (const svc of world().services) {
      if (!clusterIPs(svc).includes(ip) && !externalAddresses(svc).includes(ip)) continue;
      const sp = servicePort(svc, port, "port");
      // kube-proxy (iptables mode) has no rule for a port the Service lacks: the packet is routed
      // on like any other and dropped, so the client's SYN goes unanswered until it gives up.
      return sp ? viaService(svc, sp, d, from, clusterIPs(svc).includes(ip)) : timedOut(host, port, ip);
    }
    const node = world().nodes.find((n) => nodeIP(n) === ip);
    if (node) return toNode(node, port, d, from);
    const pod = podAt(ip, port);
    if (pod) return reach(pod, port, d, from);
    return timedOut(host, port, ip);
  }

  /** The API server's serving certificate as kubeadm makes it (apiserver.crt, issued by the cluster CA). */
  function apiserverCertificate(pod: Obj | undefined, from?: Obj): ServerCertificate {
    const ns = from?.metadata?.namespace ?? "default";
    const ca = (client.get("configmaps", ns, "kube-root-ca.crt") ?? client.get("configmaps", "kube-system", "kube-root-ca.crt"))?.data?.[
      "ca.crt"
    ];
    const node = world().nodes.find((n) => n.metadata.name === pod?.spec?.nodeName);
    const kubernetes = world().services.find((s) => s.metadata.name === "kubernetes" && s.metadata.namespace === "default");
    const names = [
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      `kubernetes.default.svc.${CLUSTER_DOMAIN}`,
      node?.metadata.name,
      ...(kubernetes ? clusterIPs(kubernetes) : []),
      node && nodeIP(node),
    ];
    const created = Date.parse(node?.metadata?.creationTimestamp ?? "") || now;
    return {
      subject: "CN=kube-apiserver",
      issuer: "CN=kubernetes",
      issuerPEM: ca,
      names: names.filter((n): n is string => !!n).map((n) => n.toLowerCase()),
      notBefore: certDate(created - 300_000),
      notAfter: certDate(created - 300_000 + 365 * 86_400_000),
      untrusted: "unable to get local issuer certificate",
    };
  }

  function http(req: HttpClientRequest, from?: Obj): HttpResult {
    const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(req.url) ? req.url : `http://${req.url}`;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { error: `URL rejected: Malformed input to a URL function`, code: 3 };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return { error: `Protocol "${url.protocol.slice(0, -1)}" not supported`, code: 1 };
    const https = url.protocol === "https:";
    const port = Number(url.port || (https ? 443 : 80));
    const conn = connect(url.hostname, port, from);
    if (!("ok" in conn)) return conn;
    if (conn.kubelet) {
      if (!https)
        return {
          status: 400,
          headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
          body: "Client sent an HTTP request to an HTTPS server.\n",
        };
      const refusal = req.verify?.(kubeletCertificate(conn.kubelet));
      if (refusal) return refusal;
      // kubeadm turns the kubelet's anonymous auth off: nobody without a client certificate gets in.
      return {
        status: 401,
        headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", "content-length": "13" },
        body: "Unauthorized\n",
      };
    }
    const isApiserver = conn.container?.image && /kube-apiserver/.test(conn.container.image);
    // The client sends its own headers (curl: User-Agent and Accept; busybox wget: User-Agent: Wget, Connection: close).
    const headers: Record<string, string> = { host: url.host };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    if (isIngressController(conn.container) && (conn.port === 80 || conn.port === 443)) {
      if (https !== (conn.port === 443))
        return https ? { error: "error:0A00010B:SSL routines::wrong version number", code: 35 } : ingressPlainOnTLS();
      if (https) {
        const refusal = req.verify?.(ingressCertificate(headers.host.replace(/:\d+$/, ""), conn.pod!));
        if (refusal) return refusal;
      }
      const reply = proxyIngress(
        { method: req.method.toUpperCase(), path: `${url.pathname}${url.search}`, headers, body: req.body },
        {
          servers: buildServers(ingressesOf((plural) => client.list(plural), INGRESS_NGINX)),
          https,
          remoteAddr: clientIP(from, conn.pod),
          port: conn.port,
          now,
          controller: { pod: conn.pod!, container: conn.container! },
          logs,
          endpoints: (ing, backend) => backendEndpoints(ing.metadata?.namespace ?? "default", backend.service),
          send: (up, r) => sendFrom(conn.pod!, up, r),
        },
      );
      if (reply.kind !== "http") return { error: "Empty reply from server", code: 52 };
      return { status: reply.status, headers: reply.headers, body: reply.body, ...(reply.reason ? { reason: reply.reason } : {}) };
    }
    if (https && !isApiserver) return { error: "error:0A00010B:SSL routines::wrong version number", code: 35 };
    if (https) {
      const refusal = req.verify?.(apiserverCertificate(conn.pod, from));
      if (refusal) return refusal;
      return serveInCluster(
        { method: req.method.toUpperCase(), path: `${url.pathname}${url.search}`, headers },
        { serverAddress: `${conn.ip}:${conn.port}`, tokens: client.tokens, policy: ctxPolicy(client), reader: client },
      );
    }
    const reply = serveOn(
      conn,
      { method: req.method.toUpperCase(), path: `${url.pathname}${url.search}`, headers, body: req.body },
      clientIP(from, conn.pod),
    );
    if (reply.kind === "eof") return { error: "Empty reply from server", code: 52, ...(reply.after ? { after: reply.after } : {}) };
    if (reply.kind === "garbage") return { error: "Received HTTP/0.9 when not allowed", code: 1 };
    return { status: reply.status, headers: reply.headers, body: reply.body };
  }

  /** nginx's answer to plain HTTP on its TLS port. */
  function ingressPlainOnTLS(): HttpResult {
    const body =
      "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    return { status: 400, headers: { "content-type": "text/html", "content-length": String(body.length), connection: "close" }, body };
  }

  /** The certificate nginx presents for a server name: the TLS secret of an Ingress naming the host, else its fake one. */
  function ingressCertificate(host: string, pod: Obj): ServerCertificate {
    for (const ing of ingressesOf((plural) => client.list(plural), INGRESS_NGINX)) {
      for (const tls of ing.spec?.tls ?? []) {
        if (
          !tls.secretName ||
          !(tls.hosts ?? []).some(
            (h) => h === host || (h.startsWith("*.") && host.endsWith(h.slice(1)) && !host.slice(0, -h.length + 1).includes(".")),
          )
        )
          continue;
        const secret = client.get("secrets", ing.metadata?.namespace, tls.secretName);
        const crt = secret?.data?.["tls.crt"];
        if (secret?.type !== "kubernetes.io/tls" || !crt) continue;
        const created = Date.parse(secret.metadata?.creationTimestamp ?? "") || now;
        let pem: string | undefined;
        try {
          pem = atob(crt);
        } catch {
          pem = undefined;
        }
        // The secret's own certificate, named for the hosts it is served for: a self-signed one is its own issuer.
        return {
          subject: `CN=${tls.hosts![0]}`,
          issuer: `CN=${tls.hosts![0]}`,
          issuerPEM: pem,
          names: (tls.hosts ?? []).map((h) => h.toLowerCase()),
          notBefore: certDate(created),
          notAfter: certDate(created + 365 * 86_400_000),
          untrusted: "self-signed certificate",
        };
      }
    }
    return fakeCertificate(Date.parse(pod.metadata?.creationTimestamp ?? "") || now, certDate);
  }

  /** A backend Service's ready endpoints for the Ingress's service port (by number or name). */
  function backendEndpoints(
    namespace: string,
    backend: { name: string; port?: { name?: string; number?: number } } | undefined,
  ): Upstream[] | undefined {
    if (!backend) return undefined;
    const svc = serviceByName(backend.name, namespace);
    const sp = ((svc?.spec?.ports ?? []) as Obj[]).find((p) =>
      backend.port?.number ? p.port === backend.port.number : p.name === backend.port?.name,
    );
    if (!svc || !sp) return undefined;
    return readyEndpoints(client, svc, sp).map((e) => ({ ip: e.ip, port: e.port }));
  }

  /** A request nginx sends from the controller pod to an endpoint: NetworkPolicies apply to it. */
  function sendFrom(controller: Obj, up: Upstream, req: HttpRequest): ServerReply | NetError {
    const d: Dialled = { host: up.ip, ip: up.ip, port: up.port };
    const conn = reach(podAt(up.ip, up.port), up.port, d, controller);
    if (!("ok" in conn)) return conn;
    return serveOn(conn, req, controller.status?.podIP);
  }

  function serveOn(conn: Connected, req: HttpRequest, remoteAddr: string): ServerReply {
    return serve(req, conn.port!, { pod: conn.pod!, container: conn.container!, remoteAddr, now, logs, reader: client });
  }

  /** CoreDNS's reverse zone: a ClusterIP → its Service's name, an endpoint pod IP → <dashed-ip>.<svc>.<ns>.svc. */
  function reverse(ip: string): string | undefined {
    const svc = world().services.find((s) => clusterIPs(s).includes(ip));
    if (svc) return `${svc.metadata.name}.${svc.metadata.namespace}.svc.${CLUSTER_DOMAIN}`;
    for (const eps of client.list("endpoints")) {
      const a = ((eps.subsets ?? []) as Obj[]).flatMap((ss) => (ss.addresses ?? []) as Obj[]).find((a) => a.ip === ip);
      if (a) return `${a.hostname ?? ip.replace(/\./g, "-")}.${eps.metadata.name}.${eps.metadata.namespace}.svc.${CLUSTER_DOMAIN}`;
    }
    return undefined;
  }

  function iface(pod: Obj): PodInterface | undefined {
    const ip: string | undefined = pod.status?.podIP;
    if (!ip) return undefined;
    const node = world().nodes.find((n) => n.metadata.name === pod.spec?.nodeName);
    const hostNetwork = !!pod.spec?.hostNetwork;
    const prefix = hostNetwork ? 24 : Number((node?.spec?.podCIDR ?? "10.244.0.0/24").split("/")[1] ?? 24);
    const gateway = hostNetwork ? `${ip.split(".").slice(0, 3).join(".")}.1` : bridgeIP(node);
    // The host side of the veth pair: interfaces 1-4 are the node's own (lo, eth0, cni0, …).
    const peerIndex = 5 + (Number(ip.split(".")[3]) % 250);
    return { ip, prefix, gateway, clusterCIDR: CLUSTER_CIDR, hostNetwork, peerIndex, mac: macOf(ip, hostNetwork ? "02:42" : "0a:58") };
  }

  return { resolve, reverse, connect, http, iface, dnsReachable };
}

/** Send one HTTP request straight to a pod's port (the API server proxy, port-forward): no Service in between. */
export function podHTTP(
  pod: Obj,
  port: number,
  req: HttpRequest,
  remoteAddr: string,
  now: number,
  logs?: LogAppender,
  reader?: ClusterReader,
): ServerReply | { refused: true } {
  const container = isLive(pod) ? listener(pod, port) : undefined;
  if (!container) return { refused: true };
  // ingress-nginx's nginx routes what a port-forward or the API proxy brings it, as any other request.
  if (reader && isIngressController(container) && port === 80) {
    const r = clusterNetwork(reader, logs, now).http(
      { method: req.method, url: `http://${pod.status.podIP}:${port}${req.path}`, headers: req.headers, body: req.body },
      undefined,
    );
    return "error" in r ? { kind: "eof" } : { kind: "http", status: r.status, headers: r.headers, body: r.body };
  }
  return serve(req, port, { pod, container, remoteAddr, now, logs, reader });
}
