// resource.Quantity canonical forms (the cases of apimachinery's quantity_test.go) and where the
// API server applies them on write.
import { describe, expect, it } from "vitest";
import { canonicalQuantity } from "../../durable/resources/quantity";
import { byPlural } from "../../durable/resources";
import type { Obj } from "../../durable/resources/types";

const canon = (s: string | number) => canonicalQuantity(s);

describe("Quantity.String() after ParseQuantity", () => {
  it("writes decimal amounts with the largest SI suffix that keeps them whole", () => {
    const cases: [string | number, string][] = [
      ["0.5", "500m"],
      ["1000m", "1"],
      ["0.1", "100m"],
      ["1", "1"],
      ["100m", "100m"],
      ["1.5", "1500m"],
      ["2000", "2k"],
      ["1080m", "1080m"],
      ["1.08", "1080m"],
      ["0.001", "1m"],
      ["1000u", "1m"],
      ["1000000000n", "1"],
      ["300M", "300M"],
      ["0.0005k", "500m"],
      ["100.035k", "100035"],
      ["10.035M", "10035k"],
      [".001", "1m"],
      ["1.", "1"],
      ["1.G", "1G"],
      ["0", "0"],
      ["0m", "0"],
      ["00", "0"],
      ["-0.5", "-500m"],
      [0.25, "250m"],
      [2, "2"],
      ["128974848", "128974848"],
    ];
    for (const [input, want] of cases) expect(canon(input), String(input)).toBe(want);
  });

  it("keeps binary amounts binary when whole and at least 1024, else writes them in decimal", () => {
    const cases: [string, string][] = [
      ["1Gi", "1Gi"],
      ["1024Mi", "1Gi"],
      ["307200Ki", "300Mi"],
      ["1.5Gi", "1536Mi"],
      ["0.5Mi", "512Ki"],
      ["6Ki", "6Ki"],
      ["1025024Mi", "1001Gi"],
      ["0.5Ki", "512"],
      ["1Ki", "1Ki"],
      ["100.035Ki", "102435840m"],
      ["0.000000000001Ki", "2n"],
    ];
    for (const [input, want] of cases) expect(canon(input), input).toBe(want);
  });

  it("keeps exponent notation with an exponent that is a multiple of three", () => {
    const cases: [string, string][] = [
      ["1e3", "1e3"],
      ["1E6", "1e6"],
      ["1E-3", "1e-3"],
      [".001e12", "1e9"],
      ["0.001e0", "1e-3"],
      ["1000e-12", "1e-9"],
      ["1.2e3", "1200"],
      ["1.3E+6", "1300e3"],
      ["129e6", "129e6"],
      ["0.5e0", "500e-3"],
    ];
    for (const [input, want] of cases) expect(canon(input), input).toBe(want);
  });

  it("rounds amounts finer than a nano up to the nano", () => {
    expect(canon("3.001n")).toBe("4n");
    expect(canon("0.0000000001")).toBe("1n");
    expect(canon("0.00000012345")).toBe("124n");
    expect(canon("1.1E-9")).toBe("2e-9");
  });

  it("leaves what is no quantity for validation to refuse", () => {
    for (const bad of ["1.1.M", "0.1mi", "aoeu", ".5i", "1i", " 1", "1 ", "."]) expect(canon(bad), bad).toBe(bad);
  });
});

describe("defaulting on write", () => {
  const pods = byPlural("pods")!;
  const ctx = { now: Date.now(), get: () => undefined, list: () => [] } as never;
  const pod = (): Obj => ({
    metadata: { name: "p", namespace: "default" },
    spec: {
      containers: [
        {
          name: "c",
          image: "nginx",
          resources: { requests: { cpu: "0.5", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1.5Gi" } },
          livenessProbe: { grpc: { port: 9000 } },
        },
      ],
      volumes: [{ name: "scratch", emptyDir: { sizeLimit: "1024Mi" } }],
    },
  });

  it("stores container resources in canonical form", () => {
    const p = pod();
    pods.defaults!(p, ctx);
    expect(p.spec.containers[0].resources).toEqual({ requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1536Mi" } });
    expect(p.spec.volumes[0].emptyDir.sizeLimit).toBe("1Gi");
  });

  it("defaults a gRPC probe's service to the empty string", () => {
    const p = pod();
    pods.defaults!(p, ctx);
    expect(p.spec.containers[0].livenessProbe.grpc).toEqual({ port: 9000, service: "" });
  });
});
