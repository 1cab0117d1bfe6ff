// kubeadm on a node of the playground, the part a course uses once the cluster is up: `version`,
// `token create|list` (bootstrap tokens are Secrets in kube-system, as kubeadm keeps them) and
// `join` on a machine added to the session with `"joined": false` — it checks the endpoint, the token
// and the CA pin as discovery does, then the machine's kubelet registers its Node. `init` on a node
// that already runs the control plane fails its preflight as the real one does.
import type { Obj } from "../resources/types";
import type { HostProgram } from "../shell/types";
import type { ClusterReader } from "../nodes/runtime/network";
import { seededHex } from "../nodes/runtime/images";
import { awaitHost } from "../shell/host";
import type { ApiCall } from "./kubectl/client";
import { CLIENT_VERSION } from "./kubectl/info";

export interface KubeadmDeps {
  reader: ClusterReader;
  api: ApiCall;
  now: () => number;
  /** The machines of the session waiting for `kubeadm join`. */
  machines(): { name: string }[];
  /** Register a waiting machine's Node, as its kubelet does once joined. */
  join(name: string): Promise<void>;
}

type Call = Parameters<HostProgram>[1];

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const TOKEN_TTL_MS = 24 * 3600 * 1000;
const STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher\n";

/** A random [a-z0-9] string, as bootstraputil.GenerateBootstrapToken draws it. */
function randomToken(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join("");
}

const controlPlaneOf = (reader: ClusterReader) =>
  reader.list("nodes").find((n) => n.metadata?.labels?.["node-role.kubernetes.io/control-plane"] !== undefined);
const internalIP = (node: Obj | undefined) =>
  ((node?.status?.addresses ?? []) as Obj[]).find((a) => a.type === "InternalIP")?.address ?? "127.0.0.1";
/** The pin of the cluster CA's public key that `--discovery-token-ca-cert-hash` carries. */
const caHash = (reader: ClusterReader) => `sha256:${seededHex(`ca:${controlPlaneOf(reader)?.metadata?.uid}`, 64)}`;

/** The bootstrap tokens kubeadm keeps: Secrets `bootstrap-token-<id>` of type bootstrap.kubernetes.io/token. */
function bootstrapTokens(reader: ClusterReader): { id: string; secret: string; expiration?: string; obj: Obj }[] {
  return reader
    .list("secrets", "kube-system")
    .filter((s) => s.type === "bootstrap.kubernetes.io/token")
    .map((s) => {
      const data = Object.fromEntries(Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [k, atob(v)]));
      return { id: data["token-id"], secret: data["token-secret"], expiration: data.expiration, obj: s };
    });
}

/** time.Duration's String for durations under a minute: "506.12ms", "1.0012s". */
const goSeconds = (s: number) => (s >= 1 ? `${s.toFixed(9).replace(/\.?0+$/, "")}s` : `${(s * 1000).toFixed(6).replace(/\.?0+$/, "")}ms`);

const flagValue = (args: string[], name: string): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
};

export function kubeadm(node: string, deps: KubeadmDeps): HostProgram {
  const fail = (call: Call, message: string) => {
    call.io.stderr(`${message}\n${STACK_HINT}`);
    return 1;
  };

  function* tokenCreate(args: string[], call: Call): ReturnType<HostProgram> {
    if (node !== controlPlaneOf(deps.reader)?.metadata?.name)
      return fail(call, "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory");
    const given = args.find((a) => !a.startsWith("-") && a !== "token" && a !== "create");
    const match = (given ?? `${randomToken(6)}.${randomToken(16)}`).match(TOKEN);
    if (!match) return fail(call, `the bootstrap token "${given}" was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
    const [, id, secret] = match;
    const expiration = new Date(deps.now() + TOKEN_TTL_MS).toISOString().replace(/\.\d+Z$/, "Z");
    const stringData: Record<string, string> = {
      "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
      expiration,
      "token-id": id,
      "token-secret": secret,
      "usage-bootstrap-authentication": "true",
      "usage-bootstrap-signing": "true",
    };
    const body = JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `bootstrap-token-${id}`, namespace: "kube-system" },
      type: "bootstrap.kubernetes.io/token",
      stringData,
    });
    const r = yield* awaitHost(
      deps.api("POST", "/api/v1/namespaces/kube-system/secrets", { body, headers: { "content-type": "application/json" } }),
    );
    if (r.status === 409) return fail(call, `a token with id "${id}" already exists`);
    if (r.status >= 400)
      return fail(call, `failed to create bootstrap token with name bootstrap-token-${id}: ${JSON.parse(r.text).message}`);
    call.io.stdout(
      args.includes("--print-join-command")
        ? `kubeadm join ${internalIP(controlPlaneOf(deps.reader))}:6443 --token ${id}.${secret} --discovery-token-ca-cert-hash ${caHash(deps.reader)} \n`
        : `${id}.${secret}\n`,
    );
    return 0;
  }

  function tokenList(call: Call): number {
    const rows = bootstrapTokens(deps.reader).map((t) => {
      const left = t.expiration ? Date.parse(t.expiration) - deps.now() : undefined;
      const ttl = left === undefined ? "<forever>" : left <= 0 ? "<invalid>" : `${Math.round(left / 3600_000)}h`;
      return [
        `${t.id}.${t.secret}`,
        ttl,
        t.expiration ?? "<never>",
        "authentication,signing",
        "<none>",
        "system:bootstrappers:kubeadm:default-node-token",
      ];
    });
    if (!rows.length) return 0;
    const head = ["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] + 3) : c)).join("")}\n`;
    call.io.stdout(line(head) + rows.map(line).join(""));
    return 0;
  }

  function* join(args: string[], call: Call): ReturnType<HostProgram> {
    if (deps.reader.get("nodes", undefined, node)) {
      call.io.stdout("[preflight] Running pre-flight checks\n");
      call.io.stderr(
        "error execution phase preflight: [preflight] Some fatal errors occurred:\n" +
          "\t[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists\n" +
          "\t[ERROR Port-10250]: Port 10250 is in use\n" +
          "\t[ERROR FileAvailable--etc-kubernetes-pki-ca.crt]: /etc/kubernetes/pki/ca.crt already exists\n" +
          "[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n" +
          STACK_HINT,
      );
      return 1;
    }
    if (args.includes("--control-plane"))
      return fail(call, "kubeplay: kubeadm join --control-plane is not simulated: this playground has one control-plane node");
    const endpoint = args.slice(1).find((a, i, all) => !a.startsWith("-") && !all[i - 1]?.match(/^--[\w-]+$/));
    const token = flagValue(args, "token");
    const discoveryToken = flagValue(args, "discovery-token") ?? token;
    const tlsToken = flagValue(args, "tls-bootstrap-token") ?? token;
    const pins = flagValue(args, "discovery-token-ca-cert-hash");
    const skipPin = args.includes("--discovery-token-unsafe-skip-ca-verification");
    if (!discoveryToken && !endpoint) return fail(call, 'discovery: Invalid value: "": bootstrapToken or file must be set');
    // ValidateDiscoveryBootstrapToken, then the TLS bootstrap token: every error at once, as an aggregate.
    const invalid: string[] = [];
    if (!pins && !skipPin)
      invalid.push(
        'discovery.bootstrapToken: Invalid value: "": using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue',
      );
    if (!TOKEN.test(discoveryToken ?? ""))
      invalid.push(`discovery.bootstrapToken.token: Invalid value: "${discoveryToken ?? ""}": the bootstrap token is invalid`);
    if (endpoint && !/:\d+$/.test(endpoint))
      invalid.push(
        `discovery.bootstrapToken.apiServerEndpoint: Invalid value: "${endpoint}": address ${endpoint}: missing port in address`,
      );
    if (!TOKEN.test(tlsToken ?? ""))
      invalid.push(`discovery.tlsBootstrapToken: Invalid value: "${tlsToken ?? ""}": the bootstrap token is invalid`);
    if (invalid.length) return fail(call, invalid.length === 1 ? invalid[0] : `[${invalid.join(", ")}]`);
    call.io.stdout("[preflight] Running pre-flight checks\n");
    const apiServer = `${internalIP(controlPlaneOf(deps.reader))}:6443`;
    if (endpoint !== apiServer) {
      return fail(
        call,
        `error execution phase preflight: couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap: Get "https://${endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp ${endpoint}: connect: connection refused`,
      );
    }
    const [id, secret] = (discoveryToken as string).split(".");
    const known = bootstrapTokens(deps.reader).find((t) => t.id === id && (!t.expiration || Date.parse(t.expiration) > deps.now()));
    if (!known)
      return fail(
        call,
        `error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${id}"`,
      );
    if (known.secret !== secret)
      return fail(
        call,
        `error execution phase preflight: couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server`,
      );
    if (pins && !skipPin && !pins.split(",").includes(caHash(deps.reader)))
      return fail(
        call,
        `error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caHash(deps.reader)}" are pinned`,
      );
    if (!deps.machines().some((m) => m.name === node))
      return fail(call, `kubeplay: ${node} cannot join: it is not a machine of this session`);
    call.io.stdout(
      '[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n' +
        "[preflight] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it.\n" +
        '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n' +
        '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"\n' +
        "[kubelet-start] Starting the kubelet\n" +
        "[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s\n",
    );
    const started = performance.now();
    yield* awaitHost(deps.join(node));
    // A kubelet's first healthz answers about half a second after it starts.
    const healthyAfter = 0.5 + (performance.now() - started) / 1000;
    call.io.stdout(
      `[kubelet-check] The kubelet is healthy after ${goSeconds(healthyAfter)}\n` +
        "[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n\n" +
        "This node has joined the cluster:\n" +
        "* Certificate signing request was sent to apiserver and a response was received.\n" +
        "* The Kubelet was informed of the new secure connection details.\n\n" +
        "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.\n\n",
    );
    return 0;
  }

  return function* (args, call) {
    const [verb, sub] = args.filter((a) => !a.startsWith("-"));
    if (verb === "version") {
      const short = args.includes("-o") && args[args.indexOf("-o") + 1] === "short";
      call.io.stdout(
        short
          ? `${CLIENT_VERSION.gitVersion}\n`
          : `kubeadm version: &version.Info{Major:"1", Minor:"33", GitVersion:"${CLIENT_VERSION.gitVersion}", GitCommit:"${CLIENT_VERSION.gitCommit}", GitTreeState:"clean", BuildDate:"2025-05-15T08:25:23Z", GoVersion:"go1.24.2", Compiler:"gc", Platform:"linux/amd64"}\n`,
      );
      return 0;
    }
    if (verb === "token" && sub === "create") return yield* tokenCreate(args, call);
    if (verb === "token" && sub === "list") return tokenList(call);
    if (verb === "join") return yield* join(args, call);
    if (verb === "init" && deps.reader.get("nodes", undefined, node)) {
      call.io.stdout(`[init] Using Kubernetes version: ${CLIENT_VERSION.gitVersion}\n[preflight] Running pre-flight checks\n`);
      call.io.stderr(
        "error execution phase preflight: [preflight] Some fatal errors occurred:\n" +
          "\t[ERROR Port-6443]: Port 6443 is in use\n" +
          "\t[ERROR Port-10259]: Port 10259 is in use\n" +
          "\t[ERROR Port-10257]: Port 10257 is in use\n" +
          "\t[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists\n" +
          "\t[ERROR FileAvailable--etc-kubernetes-manifests-kube-controller-manager.yaml]: /etc/kubernetes/manifests/kube-controller-manager.yaml already exists\n" +
          "\t[ERROR FileAvailable--etc-kubernetes-manifests-kube-scheduler.yaml]: /etc/kubernetes/manifests/kube-scheduler.yaml already exists\n" +
          "\t[ERROR FileAvailable--etc-kubernetes-manifests-etcd.yaml]: /etc/kubernetes/manifests/etcd.yaml already exists\n" +
          "\t[ERROR Port-10250]: Port 10250 is in use\n" +
          "\t[ERROR Port-2379]: Port 2379 is in use\n" +
          "\t[ERROR Port-2380]: Port 2380 is in use\n" +
          "\t[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty\n" +
          "[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n" +
          STACK_HINT,
      );
      return 1;
    }
    call.io.stderr(
      `kubeplay: kubeadm ${[verb, sub].filter(Boolean).join(" ")} is not simulated here: kubeadm version, token create|list, join (on a machine added with "joined": false) and init's preflight are\n`,
    );
    return 1;
  };
}
