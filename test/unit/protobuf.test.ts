import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf, goDuration } from "../../durable/api/protobuf";

// Request bodies recorded from kubectl v1.33.1 (a Node HTTPS server logging what `kubectl <command>` sent),
// each paired with `kubectl <command> --dry-run=client -o json`: Go's json.Marshal of the same object.
const KUBECTL_1_33 = [
  {
    command: "create configmap x --from-literal=a=1",
    hex: "6b3873000a0f0a0276311209436f6e6669674d617012220a180a017812001a0764656661756c7422002a0032003800420012060a01611201311a002200",
    json: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x", namespace: "default", creationTimestamp: null }, data: { a: "1" } },
  },
  {
    command: "create secret generic s --from-literal=k=v --from-literal=bin=$'\\x01\\x02'",
    hex: "6b3873000a0c0a0276311206536563726574122f0a180a017312001a0764656661756c7422002a0032003800420012090a0362696e1202010212060a016b1201761a001a002200",
    json: {
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "s", namespace: "default", creationTimestamp: null },
      data: { bin: "AQI=", k: "dg==" },
    },
  },
  {
    command: "create deployment web --image=nginx --replicas=0",
    hex: "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b2010a260a0377656212001a0764656661756c7422002a003200380042005a0a0a036170701203776562127a0800120c0a0a0a0361707012037765621a600a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124012220a056e67696e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
    json: {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "web", namespace: "default", creationTimestamp: null, labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx", resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: "create namespace ns1",
    hex: "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012001a020a001a002200",
    json: { kind: "Namespace", apiVersion: "v1", metadata: { name: "ns1", creationTimestamp: null }, spec: {}, status: {} },
  },
  {
    command: "create service clusterip svc --tcp=80:8080",
    hex: "6b3873000a0d0a02763112075365727669636512700a260a0373766312001a0764656661756c7422002a003200380042005a0a0a03617070120373766312420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037376631a002209436c757374657249503a00420052005a00600068001a020a001a002200",
    json: {
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "svc", namespace: "default", creationTimestamp: null, labels: { app: "svc" } },
      spec: { ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }], selector: { app: "svc" }, type: "ClusterIP" },
      status: { loadBalancer: {} },
    },
  },
  {
    command: "create job j --image=busybox -- echo hi",
    hex: "6b3873000a0f0a0862617463682f763112034a6f621289010a180a016a12001a0764656661756c7422002a00320038004200126332610a100a0012001a0022002a00320038004200124d122a0a016a120762757379626f781a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200",
    json: {
      kind: "Job",
      apiVersion: "batch/v1",
      metadata: { name: "j", namespace: "default", creationTimestamp: null },
      spec: {
        template: {
          metadata: { creationTimestamp: null },
          spec: { containers: [{ name: "j", image: "busybox", command: ["echo", "hi"], resources: {} }], restartPolicy: "Never" },
        },
      },
      status: {},
    },
  },
  {
    command: 'create cronjob cj --image=busybox --schedule="*/1 * * * *"',
    hex: "6b3873000a130a0862617463682f7631120743726f6e4a6f6212a5010a190a02636a12001a0764656661756c7422002a003200380042001285010a0b2a2f31202a202a202a202a1a002a740a120a02636a12001a0022002a00320038004200125e325c0a100a0012001a0022002a00320038004200124812210a02636a120762757379626f782a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200",
    json: {
      kind: "CronJob",
      apiVersion: "batch/v1",
      metadata: { name: "cj", namespace: "default", creationTimestamp: null },
      spec: {
        schedule: "*/1 * * * *",
        jobTemplate: {
          metadata: { name: "cj", creationTimestamp: null },
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: { containers: [{ name: "cj", image: "busybox", resources: {} }], restartPolicy: "OnFailure" },
            },
          },
        },
      },
      status: {},
    },
  },
  {
    command: "create serviceaccount sa",
    hex: "6b3873000a140a027631120e536572766963654163636f756e74121b0a190a02736112001a0764656661756c7422002a003200380042001a002200",
    json: { kind: "ServiceAccount", apiVersion: "v1", metadata: { name: "sa", namespace: "default", creationTimestamp: null } },
  },
  {
    command: "drain n1 --disable-eviction --grace-period=0 (DELETE pod body)",
    hex: "6b3873000a130a027631120d44656c6574654f7074696f6e73120208001a002200",
    json: { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0 },
  },
];

// A tiny protobuf encoder: a message is a list of [fieldNumber, value]; numbers and bigints are varints,
// strings/bytes/nested messages are length-delimited.
type Val = number | bigint | boolean | string | Uint8Array | Msg;
type Msg = [number, Val][];
const te = new TextEncoder();
function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
}
function enc(m: Msg): Uint8Array {
  const out: number[] = [];
  for (const [n, v] of m) {
    if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") {
      out.push(...varint(BigInt(n << 3)), ...varint(BigInt(typeof v === "boolean" ? Number(v) : v)));
    } else {
      const b = typeof v === "string" ? te.encode(v) : v instanceof Uint8Array ? v : enc(v);
      out.push(...varint(BigInt((n << 3) | 2)), ...varint(BigInt(b.length)), ...b);
    }
  }
  return Uint8Array.from(out);
}
function envelope(apiVersion: string, kind: string, raw: Msg): Uint8Array {
  const body = enc([
    [
      1,
      [
        [1, apiVersion],
        [2, kind],
      ],
    ],
    [2, enc(raw)],
    [3, ""],
    [4, ""],
  ]);
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...body]);
}
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
// ObjectMeta as Go writes it: every non-pointer scalar, the empty creationTimestamp.
const meta = (name: string, extra: Msg = []): Msg => [
  [1, name],
  [2, ""],
  [3, "default"],
  [4, ""],
  [5, ""],
  [6, ""],
  [7, 0],
  [8, []],
  ...extra,
];

describe("decodeKubernetesProtobuf", () => {
  for (const fx of KUBECTL_1_33) {
    it(`decodes kubectl ${fx.command}`, () => {
      expect(decodeKubernetesProtobuf(hex(fx.hex))).toEqual(fx.json);
    });
  }

  it("decodes a ConfigMap with data and binaryData", () => {
    const body = envelope("v1", "ConfigMap", [
      [
        1,
        meta("cm", [
          [
            11,
            [
              [1, "app"],
              [2, "web"],
            ],
          ],
        ]),
      ],
      [
        2,
        [
          [1, "b"],
          [2, "2"],
        ],
      ],
      [
        2,
        [
          [1, "a"],
          [2, ""],
        ],
      ],
      [
        3,
        [
          [1, "bin"],
          [2, Uint8Array.from([0xff, 0x00])],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm", namespace: "default", creationTimestamp: null, labels: { app: "web" } },
      data: { a: "", b: "2" },
      binaryData: { bin: "/wA=" },
    });
  });

  it("decodes Secret bytes as base64 and keeps a pointer false", () => {
    const body = envelope("v1", "Secret", [
      [1, meta("s")],
      [
        2,
        [
          [1, "password"],
          [2, te.encode("s3cr3t")],
        ],
      ],
      [3, "Opaque"],
      [5, false],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "default", creationTimestamp: null },
      immutable: false,
      data: { password: "czNjcjN0" },
      type: "Opaque",
    });
  });

  it("keeps pointer zeros (replicas: 0) and drops omitempty zeros", () => {
    const container: Msg = [
      [1, "nginx"],
      [2, "nginx"],
      [5, ""],
      [8, []],
      [13, ""],
      [20, ""],
      [14, ""],
      [16, false],
      [17, false],
      [18, false],
    ];
    const body = envelope("apps/v1", "Deployment", [
      [
        1,
        meta("web", [
          [
            11,
            [
              [1, "app"],
              [2, "web"],
            ],
          ],
        ]),
      ],
      [
        2,
        [
          [1, 0],
          [
            2,
            [
              [
                1,
                [
                  [1, "app"],
                  [2, "web"],
                ],
              ],
            ],
          ],
          [
            3,
            [
              [1, [[8, []]]],
              [
                2,
                [
                  [2, container],
                  [3, "Always"],
                  [4, 30],
                  [6, "ClusterFirst"],
                ],
              ],
            ],
          ],
          [4, []],
          [5, 0],
          [6, 10],
          [7, false],
        ],
      ],
      [
        3,
        [
          [1, 0],
          [2, 0],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", creationTimestamp: null, labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            containers: [{ name: "nginx", image: "nginx", resources: {} }],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 30,
            dnsPolicy: "ClusterFirst",
          },
        },
        strategy: {},
        revisionHistoryLimit: 10,
      },
      status: {},
    });
  });

  it("writes Go's zero values for absent non-pointer fields", () => {
    // Only a name: template (no omitempty) appears as Go's zero PodTemplateSpec.
    const out = decodeKubernetesProtobuf(
      envelope("apps/v1", "ReplicaSet", [
        [1, [[1, "rs"]]],
        [2, []],
      ]),
    );
    expect(out).toEqual({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "rs", creationTimestamp: null },
      // selector is a pointer without omitempty: Go writes null.
      spec: { selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } } },
      status: { replicas: 0 },
    });
  });

  it("decodes DeleteOptions with gracePeriodSeconds 0 for any group version", () => {
    const want = { gracePeriodSeconds: 0, propagationPolicy: "Foreground", dryRun: ["All"] };
    const raw: Msg = [
      [1, 0],
      [4, "Foreground"],
      [5, "All"],
    ];
    expect(decodeKubernetesProtobuf(envelope("v1", "DeleteOptions", raw))).toEqual({ apiVersion: "v1", kind: "DeleteOptions", ...want });
    expect(decodeKubernetesProtobuf(envelope("meta.k8s.io/v1", "DeleteOptions", raw))).toMatchObject(want);
    expect(decodeKubernetesProtobuf(envelope("apps/v1", "DeleteOptions", []))).toEqual({ apiVersion: "apps/v1", kind: "DeleteOptions" });
  });

  it("decodes a policy/v1 Eviction", () => {
    const body = envelope("policy/v1", "Eviction", [
      [1, meta("p1")],
      [2, [[1, 0n]]],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: "p1", namespace: "default", creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 0 },
    });
  });

  it("decodes IntOrString, Quantity, inline structs, negative ints and times", () => {
    const body = envelope("v1", "Pod", [
      [
        1,
        meta("p", [
          [
            8,
            [
              [1, 1704164645],
              [2, 999],
            ],
          ],
          [9, [[1, 1704164645]]],
          [10, -1n],
        ]),
      ],
      [
        2,
        [
          [
            1,
            [
              [1, "cfg"],
              [
                2,
                [
                  [
                    19,
                    [
                      [1, [[1, "cm"]]],
                      [3, 420],
                    ],
                  ],
                ],
              ],
            ],
          ],
          [
            2,
            [
              [1, "c"],
              [
                8,
                [
                  [
                    2,
                    [
                      [1, "cpu"],
                      [2, [[1, "250m"]]],
                    ],
                  ],
                  [
                    2,
                    [
                      [1, "memory"],
                      [2, [[1, "64Mi"]]],
                    ],
                  ],
                ],
              ],
              [
                10,
                [
                  [
                    1,
                    [
                      [
                        2,
                        [
                          [
                            2,
                            [
                              [1, 1],
                              [3, "http"],
                            ],
                          ],
                          [1, "/healthz"],
                        ],
                      ],
                    ],
                  ],
                  [2, 5],
                ],
              ],
              [
                6,
                [
                  [3, 80],
                  [4, "TCP"],
                ],
              ],
            ],
          ],
        ],
      ],
    ]);
    const out = decodeKubernetesProtobuf(body);
    expect(out.metadata).toEqual({
      name: "p",
      namespace: "default",
      creationTimestamp: "2024-01-02T03:04:05Z",
      deletionTimestamp: "2024-01-02T03:04:05Z",
      deletionGracePeriodSeconds: -1,
    });
    expect(out.spec.volumes).toEqual([{ name: "cfg", configMap: { name: "cm", defaultMode: 420 } }]);
    expect(out.spec.containers[0]).toEqual({
      name: "c",
      ports: [{ containerPort: 80, protocol: "TCP" }],
      resources: { requests: { cpu: "250m", memory: "64Mi" } },
      livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 5 },
    });
    expect(out.spec.containers).toHaveLength(1);
  });

  it("decodes MicroTime with microseconds and non-omitempty events/v1 fields", () => {
    const body = envelope("events.k8s.io/v1", "Event", [
      [1, meta("e")],
      [
        2,
        [
          [1, 1704164645],
          [2, 123456789],
        ],
      ],
      [
        3,
        [
          [1, 2],
          [2, [[1, 1704164646]]],
        ],
      ],
      [4, "kubelet"],
    ]);
    const out = decodeKubernetesProtobuf(body);
    expect("deprecatedCount" in out).toBe(false);
    expect(out).toMatchObject({
      eventTime: "2024-01-02T03:04:05.123456Z",
      series: { count: 2, lastObservedTime: "2024-01-02T03:04:06.000000Z" },
      reportingController: "kubelet",
      regarding: {},
      deprecatedFirstTimestamp: null,
    });
  });

  it("decodes RawExtension data as JSON", () => {
    const body = envelope("apps/v1", "ControllerRevision", [
      [1, meta("r")],
      [2, [[1, te.encode('{"spec":{"a":1}}')]]],
      [3, 2],
    ]);
    expect(decodeKubernetesProtobuf(body)).toMatchObject({ data: { spec: { a: 1 } }, revision: 2 });
  });

  it("decodes a Lease's MicroTimes and pointer ints", () => {
    const body = envelope("coordination.k8s.io/v1", "Lease", [
      [1, meta("node-1")],
      [
        2,
        [
          [1, "node-1"],
          [2, 40],
          [
            4,
            [
              [1, 1704164645],
              [2, 5000],
            ],
          ],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body).spec).toEqual({
      holderIdentity: "node-1",
      leaseDurationSeconds: 40,
      renewTime: "2024-01-02T03:04:05.000005Z",
    });
  });

  it("accepts packed and unpacked repeated scalars", () => {
    const packed = Uint8Array.from([...varint(1000n), ...varint(2000n)]);
    const body = envelope("v1", "Pod", [
      [1, [[1, "p"]]],
      [
        2,
        [
          [
            14,
            [
              [4, packed],
              [4, 3000],
            ],
          ],
        ],
      ],
    ]);
    expect(decodeKubernetesProtobuf(body).spec.securityContext).toEqual({ supplementalGroups: [1000, 2000, 3000] });
  });

  it("skips unknown fields", () => {
    const body = envelope("v1", "Namespace", [
      [1, [[1, "ns"]]],
      [99, "future field"],
      [2, [[1, "kubernetes"]]],
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "ns", creationTimestamp: null },
      spec: { finalizers: ["kubernetes"] },
      status: {},
    });
  });

  it("rejects malformed bodies with clear errors", () => {
    expect(() => decodeKubernetesProtobuf(te.encode('{"kind":"Pod"}'))).toThrow(
      /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/,
    );
    expect(() => decodeKubernetesProtobuf(envelope("v1", "Gizmo", []))).toThrow(/no protobuf schema for apiVersion "v1", kind "Gizmo"/);
    const truncated = envelope("v1", "ConfigMap", [[1, meta("x")]]);
    expect(() => decodeKubernetesProtobuf(truncated.subarray(0, truncated.length - 12))).toThrow(/protobuf: /);
    expect(() => decodeKubernetesProtobuf(envelope("apps/v1", "Deployment", [[2, [[1, "three"]]]]))).toThrow(
      /wrong wireType = 2 for field spec.replicas/,
    );
    expect(() => decodeKubernetesProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x80]))).toThrow(/truncated varint/);
  });
});

describe("goDuration", () => {
  it("formats like Go's time.Duration.String", () => {
    expect(goDuration(0n)).toBe("0s");
    expect(goDuration(1_500_000_000n)).toBe("1.5s");
    expect(goDuration(3_600_000_000_000n)).toBe("1h0m0s");
    expect(goDuration(90_000_000_000n)).toBe("1m30s");
    expect(goDuration(1_000_000n)).toBe("1ms");
    expect(goDuration(1500n)).toBe("1.5µs");
    expect(goDuration(-2_000_000_000n)).toBe("-2s");
  });
});
