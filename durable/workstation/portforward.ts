// `kubectl port-forward` on a node: while it runs, the node's 127.0.0.1:<local> (and localhost)
// reaches the pod's port, as kubectl's listener would relay it; each connection is told on its
// output ("Handling connection for 8081").
import type { Network } from "../shell/types";
import type { ClusterReader } from "../nodes/runtime/network";

export interface Forward {
  namespace: string;
  pod: string;
  port: number;
  /** A connection came in. */
  handling(): void;
}

/** The forwards listening on each node, by local port. */
export class PortForwards {
  private readonly byNode = new Map<string, Map<number, Forward>>();

  /** Listen on `port` of `node`; false when something listens there already. Returns the close. */
  listen(node: string, port: number, f: Forward): (() => void) | undefined {
    let ports = this.byNode.get(node);
    if (!ports) this.byNode.set(node, (ports = new Map()));
    if (ports.has(port)) return undefined;
    ports.set(port, f);
    return () => void ports.delete(port);
  }

  find(node: string, port: number): Forward | undefined {
    return this.byNode.get(node)?.get(port);
  }
}

const LOCAL = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The node's network with its forwarded local ports in front. */
export function forwarded(net: Network, node: string, forwards: PortForwards, reader: ClusterReader): Network {
  const target = (host: string, port: number): { ip: string; port: number } | undefined => {
    if (!LOCAL.has(host.toLowerCase())) return undefined;
    const f = forwards.find(node, port);
    if (!f) return undefined;
    f.handling();
    const ip = reader.get("pods", f.namespace, f.pod)?.status?.podIP;
    return ip ? { ip, port: f.port } : undefined;
  };
  return {
    ...net,
    connect(host, port, from) {
      const t = target(host, port);
      return t ? net.connect(t.ip, t.port, from) : net.connect(host, port, from);
    },
    http(req, from) {
      let url: URL;
      try {
        url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(req.url) ? req.url : `http://${req.url}`);
      } catch {
        return net.http(req, from);
      }
      const t = target(url.hostname, Number(url.port || (url.protocol === "https:" ? 443 : 80)));
      if (!t) return net.http(req, from);
      url.hostname = t.ip;
      url.port = String(t.port);
      return net.http({ ...req, url: url.toString() }, from);
    },
  };
}
