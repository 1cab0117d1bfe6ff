// The image catalogue is where an image's facts live: the server it runs and its ports, its USER and
// accounts, what it costs idle. These read them back through the runtime modules that use them.
import { describe, expect, it } from "vitest";
import { imageBehaviour, imageServer } from "../../durable/nodes/runtime/images";
import { listeningPorts, serverOf } from "../../durable/nodes/runtime/servers";
import { imageAccounts, imageUser } from "../../durable/nodes/runtime/security";
import { busyCores, idleCost } from "../../durable/nodes/runtime/usage";
import { containerArgv } from "../../durable/nodes/runtime/container";

describe("image catalogue", () => {
  it("names the server an image runs and the ports it listens on by itself", () => {
    expect(serverOf("nginx:1.27")).toEqual({ kind: "nginx", ports: [80] });
    expect(serverOf("registry.k8s.io/echoserver:1.4")).toEqual({ kind: "echoserver", ports: [8080] });
    expect(serverOf("gcr.io/google-samples/hello-app:2.0").kind).toBe("hello-app");
    expect(serverOf("hello-node:v1")).toEqual({ kind: "hello", ports: [3000] });
    expect(serverOf("hashicorp/http-echo")).toEqual({ kind: "http-echo", ports: [5678] });
    expect(serverOf("traefik/whoami")).toEqual({ kind: "whoami", ports: [80] });
    expect(serverOf("registry.k8s.io/coredns/coredns:v1.12.0")).toEqual({ kind: "coredns", ports: [53, 8080, 8181, 9153] });
    expect(serverOf("registry.k8s.io/etcd:3.5.21-0")).toEqual({ kind: "component", ports: [2379, 2380, 2381] });
    expect(serverOf("registry.k8s.io/kube-proxy:v1.33.1")).toEqual({ kind: "kube-proxy", ports: [10249, 10256] });
    expect(serverOf("mongo:8")).toEqual({ kind: "mongo", ports: [27017] });
    expect(imageServer("busybox")).toBe("none");
    expect(imageServer("example.com/team/app:1")).toBe("generic");
  });

  it("keeps a component's ports to what kubeadm configures, whatever the pod declares", () => {
    const c = { name: "etcd", image: "registry.k8s.io/etcd:3.5.21-0", ports: [{ containerPort: 80 }] };
    expect(listeningPorts(c)).toEqual([2379, 2380, 2381]);
    expect(listeningPorts({ name: "app", image: "example.com/team/app:1", ports: [{ containerPort: 8000 }] })).toEqual([8000]);
    expect(listeningPorts({ name: "echo", image: "hashicorp/http-echo", args: ["-listen=:8080", "-text=hi"] })).toEqual([8080]);
    expect(listeningPorts({ name: "echo", image: "hashicorp/http-echo", args: ["-text=hi"] })).toEqual([5678]);
  });

  it("gives each publisher's build of a family its own USER", () => {
    expect(imageUser("nginx")).toBe("");
    expect(imageUser("nginxinc/nginx-unprivileged:1.27")).toBe("101");
    expect(imageUser("bitnami/nginx")).toBe("1001");
    expect(imageUser("bitnami/kubectl:1.33")).toBe("1001");
    expect(imageUser("gcr.io/distroless/static:nonroot")).toBe("65532");
    expect(imageUser("registry.k8s.io/ingress-nginx/controller:v1.12.1")).toBe("www-data");
    // A variant changes only what it names.
    expect(imageBehaviour("bitnami/redis").cmd).toEqual(imageBehaviour("redis").cmd);
  });

  it("carries each image's accounts: busybox and alpine's wheel group, nginx's user", () => {
    expect(imageAccounts("busybox").groups[10]).toBe("wheel");
    expect(imageAccounts("alpine:3.20").memberOf[0]).toEqual([10]);
    expect(imageAccounts("nginx").users[101]).toBe("nginx");
    expect(imageAccounts("bitnami/nginx").users[101]).toBeUndefined();
    expect(imageAccounts("ubuntu").users[101]).toBeUndefined();
  });

  it("prices an image idle from its entry, and the images sharing a family's behaviour alike", () => {
    expect(idleCost("nginx").memory).toBeCloseTo(3.2 * 1024 * 1024);
    expect(idleCost("registry.k8s.io/nginx-slim:0.27")).toEqual(idleCost("nginx"));
    expect(idleCost("registry.k8s.io/hpa-example").perRequest).toBe(0.007);
    expect(idleCost("registry.k8s.io/kube-apiserver:v1.33.1").memory).toBe(240 * 1024 * 1024);
    expect(idleCost("example.com/team/app:1")).toEqual({ cpu: 0.001, memory: 5 * 1024 * 1024, perRequest: 0.0002 });
  });

  it("runs vish/stress's flags through its entrypoint, so they keep the cores they ask for busy", () => {
    const c = { name: "cpu-demo-ctr", image: "vish/stress", args: ["-cpus", "2"] };
    const { argv } = containerArgv(c, imageBehaviour(c.image));
    expect(argv).toEqual(["/stress", "-logtostderr", "-cpus", "2"]);
    expect(busyCores(argv)).toBe(2);
  });
});
