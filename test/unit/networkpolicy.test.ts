// NetworkPolicy evaluation (durable/nodes/runtime/policy.ts) against the API's documented semantics
// (networking/v1 types.go and the "Network Policies" concept page): isolation per direction, rules
// adding up, peers (podSelector, namespaceSelector, both, ipBlock with except), ports (numbers,
// ranges, named ports, protocol), and the validation and defaulting of the kind itself.
import { describe, expect, it } from "vitest";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { Pod } from "kubernetes-types/core/v1";
import { connectionAllowed, egressAllowed, ingressAllowed, type Peer, type PolicyWorld } from "../../durable/nodes/runtime/policy";
import networkpolicies, { cidrContains } from "../../durable/resources/networkpolicy";
import type { Ctx, Obj } from "../../durable/resources/types";

const NS_LABELS: Record<string, Record<string, string>> = {
  default: { "kubernetes.io/metadata.name": "default" },
  prod: { "kubernetes.io/metadata.name": "prod", team: "a" },
  kube: { "kubernetes.io/metadata.name": "kube-system" },
};

function pod(name: string, labels: Record<string, string>, ip: string, namespace = "default", extra: Partial<Pod["spec"]> = {}): Peer {
  return {
    ip,
    pod: {
      metadata: { name, namespace, labels },
      spec: { nodeName: "node01", containers: [{ name: "c", image: "nginx", ports: [{ name: "http", containerPort: 80 }] }], ...extra },
    },
  };
}

function policy(spec: NetworkPolicy["spec"], namespace = "default"): NetworkPolicy {
  const np: Obj = { metadata: { name: "p", namespace }, spec: structuredClone(spec) };
  networkpolicies.defaults!(np, {} as Ctx);
  return np as NetworkPolicy;
}

const world = (...policies: NetworkPolicy[]): PolicyWorld => ({
  policies,
  namespaceLabels: (n) => NS_LABELS[n] ?? { "kubernetes.io/metadata.name": n },
});

const nginx = pod("nginx", { app: "nginx" }, "10.244.1.5");
const allowedClient = pod("busybox", { access: "true" }, "10.244.1.6");
const otherClient = pod("busybox2", {}, "10.244.1.7");
const tcp = (from: Peer, to: Peer, port = 80, protocol: "TCP" | "UDP" = "TCP") => ({ from, to, port, protocol });

describe("isolation", () => {
  it("a pod no policy selects accepts everything", () => {
    expect(connectionAllowed(world(), tcp(otherClient, nginx))).toBe(true);
    const elsewhere = policy({ podSelector: { matchLabels: { app: "db" } } });
    expect(connectionAllowed(world(elsewhere), tcp(otherClient, nginx))).toBe(true);
  });

  it("default-deny ingress ({podSelector: {}} with no rules) drops everything to the namespace's pods", () => {
    const deny = policy({ podSelector: {} });
    expect(deny.spec?.policyTypes).toEqual(["Ingress"]);
    expect(ingressAllowed(world(deny), tcp(allowedClient, nginx))).toBe(false);
    // Egress of the client is not affected by an Ingress-only policy.
    expect(egressAllowed(world(deny), tcp(allowedClient, nginx))).toBe(true);
  });

  it("a policy of another namespace does not isolate the pod", () => {
    const deny = policy({ podSelector: {} }, "prod");
    expect(connectionAllowed(world(deny), tcp(otherClient, nginx))).toBe(true);
  });

  it("the docs' access-nginx: only pods labelled access=true get in", () => {
    const access = policy({
      podSelector: { matchLabels: { app: "nginx" } },
      ingress: [{ from: [{ podSelector: { matchLabels: { access: "true" } } }] }],
    });
    expect(connectionAllowed(world(access), tcp(allowedClient, nginx))).toBe(true);
    expect(connectionAllowed(world(access), tcp(otherClient, nginx))).toBe(false);
  });

  it("rules of several policies add up", () => {
    const deny = policy({ podSelector: {} });
    const allow = policy({ podSelector: { matchLabels: { app: "nginx" } }, ingress: [{}] });
    expect(connectionAllowed(world(deny, allow), tcp(otherClient, nginx))).toBe(true);
  });

  it("traffic from the pod's own node is always allowed; another node's only by ipBlock", () => {
    const deny = policy({ podSelector: {} });
    expect(ingressAllowed(world(deny), tcp({ ip: "10.244.1.1", node: "node01" }, nginx))).toBe(true);
    expect(ingressAllowed(world(deny), tcp({ ip: "172.30.2.2", node: "node02" }, nginx))).toBe(false);
  });

  it("host-network pods are not filtered", () => {
    const deny = policy({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const host = pod("h", {}, "172.30.1.2", "default", { hostNetwork: true });
    expect(ingressAllowed(world(deny), tcp(nginx, host))).toBe(true);
    expect(egressAllowed(world(deny), tcp(host, nginx))).toBe(true);
  });
});

describe("egress", () => {
  it("policyTypes default to Ingress, Egress when egress rules are given", () => {
    expect(policy({ podSelector: {}, egress: [{}] }).spec?.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("default-deny egress blocks DNS to kube-dns unless a rule allows UDP 53", () => {
    const dns = pod("coredns", { "k8s-app": "kube-dns" }, "10.244.0.3", "kube");
    const deny = policy({ podSelector: {}, policyTypes: ["Egress"] });
    expect(egressAllowed(world(deny), tcp(otherClient, dns, 53, "UDP"))).toBe(false);
    const allowDNS = policy({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [{ protocol: "UDP", port: 53 }],
        },
      ],
    });
    expect(egressAllowed(world(deny, allowDNS), tcp(otherClient, dns, 53, "UDP"))).toBe(true);
    expect(egressAllowed(world(deny, allowDNS), tcp(otherClient, dns, 53, "TCP"))).toBe(false);
    expect(egressAllowed(world(deny, allowDNS), tcp(otherClient, nginx, 80))).toBe(false);
  });
});

describe("peers", () => {
  const fromProd = pod("client", { role: "fe" }, "10.244.2.9", "prod");

  it("podSelector alone means pods of the policy's namespace", () => {
    const np = policy({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: "fe" } } }] }] });
    expect(ingressAllowed(world(np), tcp(fromProd, nginx))).toBe(false);
    expect(ingressAllowed(world(np), tcp(pod("c", { role: "fe" }, "10.244.1.9"), nginx))).toBe(true);
  });

  it("namespaceSelector alone means every pod of the matching namespaces", () => {
    const np = policy({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] });
    expect(ingressAllowed(world(np), tcp(fromProd, nginx))).toBe(true);
    expect(ingressAllowed(world(np), tcp(otherClient, nginx))).toBe(false);
  });

  it("namespaceSelector and podSelector in one peer must both match; in two peers either", () => {
    const and = policy({
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { role: "db" } } }] }],
    });
    expect(ingressAllowed(world(and), tcp(fromProd, nginx))).toBe(false);
    const or = policy({
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }, { podSelector: { matchLabels: { role: "db" } } }] }],
    });
    expect(ingressAllowed(world(or), tcp(fromProd, nginx))).toBe(true);
  });

  it("ipBlock with except", () => {
    const np = policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } }] }] });
    expect(ingressAllowed(world(np), tcp({ ip: "172.17.2.4" }, nginx))).toBe(true);
    expect(ingressAllowed(world(np), tcp({ ip: "172.17.1.4" }, nginx))).toBe(false);
    expect(ingressAllowed(world(np), tcp({ ip: "10.0.0.1" }, nginx))).toBe(false);
  });

  it("cidrContains", () => {
    expect(cidrContains("10.244.0.0/16", "10.244.3.7")).toBe(true);
    expect(cidrContains("10.244.0.0/16", "10.245.0.1")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "8.8.8.8")).toBe(true);
    expect(cidrContains("10.0.0.1/32", "10.0.0.1")).toBe(true);
  });
});

describe("ports", () => {
  const only = (ports: Obj[]) => world(policy({ podSelector: {}, ingress: [{ ports }] }));

  it("a port number, with TCP by default", () => {
    expect(ingressAllowed(only([{ port: 80 }]), tcp(otherClient, nginx, 80))).toBe(true);
    expect(ingressAllowed(only([{ port: 80 }]), tcp(otherClient, nginx, 81))).toBe(false);
    expect(ingressAllowed(only([{ port: 80 }]), tcp(otherClient, nginx, 80, "UDP"))).toBe(false);
  });

  it("a range with endPort", () => {
    expect(ingressAllowed(only([{ port: 32000, endPort: 32768 }]), tcp(otherClient, nginx, 32500))).toBe(true);
    expect(ingressAllowed(only([{ port: 32000, endPort: 32768 }]), tcp(otherClient, nginx, 32769))).toBe(false);
  });

  it("a named port is the destination pod's container port of that name", () => {
    expect(ingressAllowed(only([{ port: "http" }]), tcp(otherClient, nginx, 80))).toBe(true);
    expect(ingressAllowed(only([{ port: "metrics" }]), tcp(otherClient, nginx, 80))).toBe(false);
  });
});

describe("validation", () => {
  const errors = (spec: Obj) =>
    networkpolicies.validate!({ metadata: { name: "p" }, spec } as Obj, {} as Ctx).map((e) => `${e.field}: ${e.message}`);

  it("a peer needs something to select", () => {
    expect(errors({ podSelector: {}, ingress: [{ from: [{}] }] })).toEqual([
      "spec.ingress[0].from[0]: Required value: must specify a peer",
    ]);
  });

  it("ipBlock may not be combined with another peer", () => {
    expect(errors({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] })).toEqual([
      "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer",
    ]);
  });

  it("except must be a strict subset of cidr", () => {
    expect(
      errors({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24", "10.0.0.0/16"] } }] }] }),
    ).toEqual([
      'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
      'spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
    ]);
  });

  it("ports: protocol, endPort below port, endPort with a named port", () => {
    expect(
      errors({ podSelector: {}, ingress: [{ ports: [{ protocol: "ICMP" }, { port: 90, endPort: 80 }, { port: "http", endPort: 90 }] }] }),
    ).toEqual([
      'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      "spec.ingress[0].ports[1].endPort: Invalid value: 80: must be greater than or equal to `port`",
      "spec.ingress[0].ports[2].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
    ]);
  });

  it("policyTypes", () => {
    expect(errors({ podSelector: {}, policyTypes: ["Inbound"] })).toEqual([
      'spec.policyTypes[0]: Unsupported value: "Inbound": supported values: "Ingress", "Egress"',
    ]);
  });
});
