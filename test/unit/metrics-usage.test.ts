// The usage model behind metrics.k8s.io: an image's idle cost, CPU that grows with the requests a
// container serves, busy programs read from their command, the CFS quota capping CPU at the limit,
// deterministic jitter within a scrape window, and metrics-server's wire units.
import { describe, expect, it } from "vitest";
import { busyCores, containerUsage, idleCost, jitter, kibibytes, nanocores, systemUsage } from "../../durable/nodes/runtime/usage";
import { scrapeOf } from "../../durable/nodes/metrics";

const Mi = 1024 * 1024;
const base = { own: true, served: 0, sent: 0, busy: 0, heldBytes: 0, nodeCores: 2 };

describe("container usage", () => {
  it("an idle nginx costs under a millicore and about 3Mi; busybox sleeping nothing and half a MiB", () => {
    const nginx = containerUsage({ ...base, image: "nginx:1.27" }, "uid|web|1");
    expect(nginx.cpu).toBeGreaterThan(0.0003);
    expect(nginx.cpu).toBeLessThan(0.001);
    expect(nginx.memory / Mi).toBeGreaterThan(3);
    expect(nginx.memory / Mi).toBeLessThan(3.5);
    const sleeper = containerUsage({ ...base, image: "busybox", own: false }, "uid|bb|1");
    expect(sleeper.cpu).toBe(0);
    expect(sleeper.memory / Mi).toBeCloseTo(0.5, 1);
  });

  it("CPU grows with the request rate served (php-apache's loop per request) and stops at the CPU limit", () => {
    const at = (served: number, cpuLimit?: number) =>
      containerUsage({ ...base, image: "registry.k8s.io/hpa-example", served, cpuLimit }, "s|1").cpu;
    expect(at(10)).toBeGreaterThan(at(1) * 5);
    expect(at(10)).toBeCloseTo(10 * idleCost("registry.k8s.io/hpa-example").perRequest, 1);
    expect(at(1000, 0.5)).toBe(0.5);
    expect(at(1000)).toBe(2); // no limit: the node's two cores
  });

  it("a busy program uses its cores up to the limit; held memory adds to the working set", () => {
    expect(containerUsage({ ...base, image: "busybox", own: false, busy: 1, cpuLimit: 0.3 }, "b|1").cpu).toBe(0.3);
    const two = containerUsage({ ...base, image: "polinux/stress", own: false, busy: 2 }, "b|1");
    expect(two.cpu).toBeGreaterThan(1.98);
    expect(two.cpu).toBeLessThanOrEqual(2);
    const held = containerUsage({ ...base, image: "polinux/stress", own: false, heldBytes: 150 * Mi }, "b|1");
    expect(held.memory / Mi).toBeGreaterThan(150);
  });

  it("reads busy cores from the command line as the programs would run", () => {
    expect(busyCores(["stress", "--cpu", "2"])).toBe(2);
    expect(busyCores(["/stress", "-cpus", "2"])).toBe(2); // vish/stress
    expect(busyCores(["stress", "--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"])).toBe(0);
    expect(busyCores(["stress", "--vm", "1", "--vm-bytes", "150M"])).toBe(1);
    expect(busyCores(["sh", "-c", "dd if=/dev/zero of=/dev/null"])).toBe(1);
    expect(busyCores(["sh", "-c", "yes > /dev/null"])).toBe(1);
    expect(busyCores(["sleep", "3600"])).toBe(0);
  });
});

describe("windows and units", () => {
  it("jitter is the same within a window and differs across windows", () => {
    expect(jitter("a|1", 0.1)).toBe(jitter("a|1", 0.1));
    expect(jitter("a|1", 0.1)).not.toBe(jitter("a|2", 0.1));
    for (let i = 0; i < 50; i++) expect(Math.abs(jitter(`x|${i}`, 0.1) - 1)).toBeLessThanOrEqual(0.1);
    const t = 1_700_000_010_000; // a scrape: a multiple of --metric-resolution (15 s)
    expect(scrapeOf(t + 14_999)).toEqual(scrapeOf(t + 1));
    expect(scrapeOf(t + 1).at).toBe(t);
    expect(scrapeOf(t + 15_000).index).toBe(scrapeOf(t).index + 1);
  });

  it("a control-plane node's own processes cost more than a worker's", () => {
    expect(systemUsage(true, "n|1").cpu).toBeGreaterThan(systemUsage(false, "n|1").cpu);
    expect(systemUsage(true, "n|1").memory).toBeGreaterThan(300 * Mi);
  });

  it("writes CPU in nanocores and memory in Ki as metrics-server does", () => {
    expect(nanocores(0.0012345678)).toBe("1234568n");
    expect(kibibytes(3.2 * Mi)).toBe("3277Ki");
  });
});
