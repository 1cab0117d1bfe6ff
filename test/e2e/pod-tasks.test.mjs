// The official task pages under "Configure Pods and Containers" and "Inject Data Into Applications",
// run as written with the real kubectl 1.33: each test applies the page's manifest and asserts on
// what the page shows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, eventually } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
});

after(async () => {
  await server?.stop();
});

const kubectl = (args, opts = {}) => s.kubectl(args, { version: "1.33", ...opts });
const k = (args, opts = {}) => s.k(args, { version: "1.33", ...opts });
const apply = (yaml) => k(["apply", "-f", "-"], { input: yaml });
/** Waits until `fn` stops throwing (an assertion holds). */
const holds = (fn, opts) =>
  eventually(() => {
    fn();
    return true;
  }, opts);

// content/en/examples/pods/termination.yaml
const TERMINATION = `apiVersion: v1
kind: Pod
metadata:
  name: termination-demo
spec:
  containers:
  - name: termination-demo-container
    image: debian
    command: ["/bin/sh"]
    args: ["-c", "sleep 10 && echo Sleep expired > /dev/termination-log"]
`;

test("Determine the Reason for Pod Failure: the termination message in lastState and describe", async () => {
  apply(TERMINATION);
  const template = "{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}";
  await holds(() => assert.equal(k(["get", "pod", "termination-demo", "-o", `go-template=${template}`]), "Sleep expired\n"), {
    timeout: 40_000,
    interval: 1000,
  });
  const described = k(["describe", "pod", "termination-demo"]);
  assert.match(described, /Last State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Message:\s+Sleep expired\n/);

  // FallbackToLogsOnError: a failed container without a message file reports its log's last 80 lines.
  apply(`apiVersion: v1
kind: Pod
metadata:
  name: fallback-demo
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "for i in $(seq 1 100); do echo line $i; done; echo failing >&2; exit 3"]
`);
  await holds(() => assert.equal(k(["get", "pod", "fallback-demo", "-o", "jsonpath={.status.phase}"]), "Failed"));
  const message = k(["get", "pod", "fallback-demo", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.message}"]);
  assert.ok(message.endsWith("\n"));
  const lines = message.slice(0, -1).split("\n");
  assert.equal(lines.length, 80);
  assert.equal(lines[0], "line 22");
  assert.equal(lines.at(-1), "failing");
});

// content/en/examples/pods/share-process-namespace.yaml
const SHARE_PROCESS_NAMESPACE = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  shareProcessNamespace: true
  containers:
  - name: nginx
    image: nginx
  - name: shell
    image: busybox:1.28
    command: ["sleep", "3600"]
    securityContext:
      capabilities:
        add:
        - SYS_PTRACE
    stdin: true
    tty: true
`;

test("Share Process Namespace between Containers in a Pod: ps, kill and /proc/PID/root across containers", async () => {
  apply(SHARE_PROCESS_NAMESPACE);
  k(["wait", "--for=condition=Ready", "pod/nginx", "--timeout=60s"]);
  const ps = k(["exec", "nginx", "-c", "shell", "--", "ps", "ax"]);
  const rows = ps.trimEnd().split("\n");
  assert.equal(rows[0], "PID   USER     TIME  COMMAND");
  assert.match(rows[1], /^\s+1 \S+\s+0:00 \/pause$/);
  assert.match(rows[2], /^\s+8 root\s+0:00 nginx: master process nginx -g daemon off;$/);
  assert.match(rows[3], /^\s+\d+ 101\s+0:00 nginx: worker process$/);
  assert.match(rows.at(-2), /^\s+\d+ root\s+0:00 sleep 3600$/);
  assert.match(rows.at(-1), /^\s+\d+ root\s+0:00 ps ax$/);
  // A shell in the container shows beside its ps; an exec'd ps alone has none.
  assert.doesNotMatch(ps, /0:00 sh$/m);
  assert.match(k(["exec", "nginx", "-c", "shell", "--", "sh", "-c", "ps ax"]), /0:00 sh\n.*0:00 ps ax\n$/);

  assert.equal(kubectl(["exec", "nginx", "-c", "shell", "--", "kill", "-HUP", "8"]).code, 0);
  const gone = kubectl(["exec", "nginx", "-c", "shell", "--", "kill", "-HUP", "99"]);
  assert.match(gone.stderr, /kill: can't kill pid 99: No such process/);

  // The nginx container's files through its process's root, from the shell container.
  const conf = k(["exec", "nginx", "-c", "shell", "--", "head", "-n", "3", "/proc/8/root/etc/nginx/nginx.conf"]);
  assert.match(conf, /^\nuser  nginx;\nworker_processes  auto;\n$/);
  const own = kubectl(["exec", "nginx", "-c", "shell", "--", "cat", "/etc/nginx/nginx.conf"]);
  assert.notEqual(own.code, 0);
});

// content/en/examples/pods/inject/dapi-volume.yaml
const DAPI_VOLUME = String.raw`apiVersion: v1
kind: Pod
metadata:
  name: kubernetes-downwardapi-volume-example
  labels:
    zone: us-est-coast
    cluster: test-cluster1
    rack: rack-22
  annotations:
    build: two
    builder: john-doe
spec:
  containers:
    - name: client-container
      image: registry.k8s.io/busybox:1.27.2
      command: ["sh", "-c"]
      args:
      - while true; do
          if [[ -e /etc/podinfo/labels ]]; then
            echo -en '\n\n'; cat /etc/podinfo/labels; fi;
          if [[ -e /etc/podinfo/annotations ]]; then
            echo -en '\n\n'; cat /etc/podinfo/annotations; fi;
          sleep 5;
        done;
      volumeMounts:
        - name: podinfo
          mountPath: /etc/podinfo
  volumes:
    - name: podinfo
      downwardAPI:
        items:
          - path: "labels"
            fieldRef:
              fieldPath: metadata.labels
          - path: "annotations"
            fieldRef:
              fieldPath: metadata.annotations
`;

test("Expose Pod Information to Containers Through Files: the labels and annotations files, updated on relabel", async () => {
  apply(DAPI_VOLUME);
  const pod = "kubernetes-downwardapi-volume-example";
  k(["wait", "--for=condition=Ready", `pod/${pod}`, "--timeout=60s"]);
  await holds(() =>
    assert.match(
      k(["logs", pod]),
      /^\n\ncluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"\n\nbuild="two"\nbuilder="john-doe"\n/,
    ),
  );
  assert.equal(k(["exec", pod, "--", "cat", "/etc/podinfo/labels"]), 'cluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"');
  k(["label", "pod", pod, "zone=us-west", "--overwrite"]);
  await holds(() => assert.match(k(["exec", pod, "--", "cat", "/etc/podinfo/labels"]), /zone="us-west"$/));
});

// content/en/examples/pods/inject/dapi-envars-pod.yaml and dapi-envars-container.yaml
const DAPI_ENVARS = String.raw`apiVersion: v1
kind: Pod
metadata:
  name: dapi-envars-fieldref
spec:
  containers:
    - name: test-container
      image: registry.k8s.io/busybox:1.27.2
      command: [ "sh", "-c"]
      args:
      - while true; do
          echo -en '\n';
          printenv MY_NODE_NAME MY_POD_NAME MY_POD_NAMESPACE;
          printenv MY_POD_IP MY_POD_SERVICE_ACCOUNT;
          sleep 10;
        done;
      env:
        - name: MY_NODE_NAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: MY_POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: MY_POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: MY_POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        - name: MY_POD_SERVICE_ACCOUNT
          valueFrom:
            fieldRef:
              fieldPath: spec.serviceAccountName
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata:
  name: dapi-envars-resourcefieldref
spec:
  containers:
    - name: test-container
      image: registry.k8s.io/busybox:1.27.2
      command: [ "sh", "-c"]
      args:
      - while true; do
          echo -en '\n';
          printenv MY_CPU_REQUEST MY_CPU_LIMIT;
          printenv MY_MEM_REQUEST MY_MEM_LIMIT;
          sleep 10;
        done;
      resources:
        requests:
          memory: "32Mi"
          cpu: "125m"
        limits:
          memory: "64Mi"
          cpu: "250m"
      env:
        - name: MY_CPU_REQUEST
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: requests.cpu
        - name: MY_CPU_LIMIT
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: limits.cpu
        - name: MY_MEM_REQUEST
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: requests.memory
        - name: MY_MEM_LIMIT
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: limits.memory
  restartPolicy: Never
`;

test("Expose Pod Information to Containers Through Environment Variables: printenv of fieldRef and resourceFieldRef", async () => {
  apply(DAPI_ENVARS);
  await holds(() => {
    const pod = JSON.parse(k(["get", "pod", "dapi-envars-fieldref", "-o", "json"]));
    assert.ok(pod.status.podIP);
    const printed = k(["logs", "dapi-envars-fieldref"]).split("\n").slice(0, 6).join("\n");
    assert.equal(printed, `\n${pod.spec.nodeName}\ndapi-envars-fieldref\ndefault\n${pod.status.podIP}\ndefault`);
  });
  await holds(() =>
    assert.equal(k(["logs", "dapi-envars-resourcefieldref"]).split("\n").slice(0, 5).join("\n"), "\n1\n1\n33554432\n67108864"),
  );
});

// content/en/examples/pods/storage/projected.yaml
const PROJECTED = `apiVersion: v1
kind: Pod
metadata:
  name: test-projected-volume
spec:
  containers:
  - name: test-projected-volume
    image: busybox:1.28
    args:
    - sleep
    - "86400"
    volumeMounts:
    - name: all-in-one
      mountPath: "/projected-volume"
      readOnly: true
  volumes:
  - name: all-in-one
    projected:
      sources:
      - secret:
          name: user
      - secret:
          name: pass
`;

test("Configure a Pod to Use a Projected Volume for Storage: both secrets' files in one directory", async () => {
  s.file("username.txt", "admin");
  s.file("password.txt", "1f2d1e2e67df");
  assert.equal(k(["create", "secret", "generic", "user", "--from-file=./username.txt"]), "secret/user created\n");
  assert.equal(k(["create", "secret", "generic", "pass", "--from-file=./password.txt"]), "secret/pass created\n");
  apply(PROJECTED);
  k(["wait", "--for=condition=Ready", "pod/test-projected-volume", "--timeout=60s"]);
  assert.match(
    k(["get", "pod", "test-projected-volume"]),
    /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\ntest-projected-volume\s+1\/1\s+Running\s+0\s+/,
  );
  assert.equal(k(["exec", "test-projected-volume", "--", "ls", "/projected-volume/"]), "password.txt\nusername.txt\n");
  assert.equal(k(["exec", "test-projected-volume", "--", "cat", "/projected-volume/username.txt"]), "admin");
  assert.equal(k(["exec", "test-projected-volume", "--", "cat", "/projected-volume/password.txt"]), "1f2d1e2e67df");
  const write = kubectl(["exec", "test-projected-volume", "--", "touch", "/projected-volume/new"]);
  assert.match(write.stderr, /Read-only file system/);
});

// content/en/examples/pods/probe/exec-liveness.yaml, http-liveness.yaml, tcp-liveness-readiness.yaml
const EXEC_LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
`;
const HTTP_LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
`;
const TCP_LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  name: goproxy
  labels:
    app: goproxy
spec:
  containers:
  - name: goproxy
    image: registry.k8s.io/goproxy:0.1
    ports:
    - containerPort: 8080
    readinessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
    livenessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
`;

/** The Events section of `kubectl describe`, one array of columns per event. */
/** "2s (x3 over 12s)": how many, and the seconds between the first and the last. */
const repeated = (age) => {
  const m = /^(\d+)s \(x(\d+) over (\d+)s\)$/.exec(age);
  assert.ok(m, `not a repeated event's age: ${age}`);
  return { count: Number(m[2]), span: Number(m[3]) - Number(m[1]) };
};
const events = (pod) =>
  k(["describe", "pod", pod])
    .split("\nEvents:\n")[1]
    .split("\n")
    .slice(2)
    .filter(Boolean)
    .map((l) => l.trim().split(/\s{2,}/));

test("Configure Liveness, Readiness and Startup Probes: exec, HTTP and TCP liveness fail and restart as the page shows", async () => {
  apply(EXEC_LIVENESS);
  apply(HTTP_LIVENESS);
  apply(TCP_LIVENESS);
  // http: agnhost's liveness server answers 500 from its 10th second; failures 3 s apart.
  await holds(
    () => {
      const unhealthy = events("liveness-http").find((e) => e[1] === "Unhealthy");
      assert.ok(unhealthy, "no Unhealthy event yet");
      const { count, span } = repeated(unhealthy[2]);
      assert.equal(count, 3);
      assert.ok(Math.abs(span - 6) <= 1, `failures 3 s apart: ${unhealthy[2]}`);
      assert.equal(unhealthy[4], "Liveness probe failed: HTTP probe failed with statuscode: 500");
    },
    { timeout: 30_000, interval: 1000 },
  );
  // exec: /tmp/healthy is removed after 30 s; three failures 5 s apart, then the kill and the restart.
  await holds(
    () => {
      const unhealthy = events("liveness-exec").find((e) => e[1] === "Unhealthy");
      assert.ok(unhealthy, "no Unhealthy event yet");
      const { count, span } = repeated(unhealthy[2]);
      assert.equal(count, 3);
      assert.ok(Math.abs(span - 10) <= 1, `failures 5 s apart: ${unhealthy[2]}`);
      assert.equal(unhealthy[4], "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory");
      assert.ok(
        events("liveness-exec").some((e) => e[1] === "Killing" && e[4] === "Container liveness failed liveness probe, will be restarted"),
      );
      assert.match(k(["get", "pod", "liveness-exec"]), /\nliveness-exec\s+1\/1\s+Running\s+1 \(\S+ ago\)\s/);
    },
    { timeout: 60_000, interval: 1000 },
  );
  // tcp: goproxy listens on 8080, so both probes pass and it stays up.
  k(["wait", "--for=condition=Ready", "pod/goproxy", "--timeout=60s"]);
  assert.match(k(["get", "pod", "goproxy"]), /\ngoproxy\s+1\/1\s+Running\s+0\s/);
  assert.ok(!events("goproxy").some((e) => e[1] === "Unhealthy"));

  // startup: a slow start is given failureThreshold * periodSeconds before liveness applies; a
  // startup probe that never passes kills the container.
  apply(STARTUP);
  await holds(() =>
    assert.equal(k(["get", "pod", "startup-slow", "-o", "jsonpath={.status.containerStatuses[0].state.running}"]) !== "", true),
  );
  assert.equal(k(["get", "pod", "startup-slow", "-o", "jsonpath={.status.containerStatuses[0].started}"]), "false");
  await holds(() => assert.match(k(["get", "pod", "startup-slow"]), /\nstartup-slow\s+1\/1\s+Running\s+0\s/), { timeout: 30_000 });
  assert.equal(k(["get", "pod", "startup-slow", "-o", "jsonpath={.status.containerStatuses[0].started}"]), "true");
  await holds(
    () => {
      const all = events("startup-never");
      assert.ok(
        all.some((e) => e[1] === "Unhealthy" && /^Startup probe failed: dial tcp [\d.]+:8080: connect: connection refused$/.test(e[4])),
      );
      assert.ok(all.some((e) => e[1] === "Killing" && e[4] === "Container app failed startup probe, will be restarted"));
    },
    { timeout: 30_000 },
  );
});

// A slow starter and one that never starts (the page's startupProbe pattern, shortened).
const STARTUP = `apiVersion: v1
kind: Pod
metadata:
  name: startup-slow
spec:
  containers:
  - name: app
    image: registry.k8s.io/busybox:1.27.2
    args: ["/bin/sh", "-c", "sleep 8; touch /tmp/up; sleep 600"]
    startupProbe:
      exec:
        command: ["cat", "/tmp/up"]
      failureThreshold: 30
      periodSeconds: 1
    livenessProbe:
      exec:
        command: ["cat", "/tmp/up"]
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: startup-never
spec:
  containers:
  - name: app
    image: nginx
    startupProbe:
      tcpSocket:
        port: 8080
      failureThreshold: 3
      periodSeconds: 2
`;

// content/en/examples/pods/two-container-pod.yaml
const TWO_CONTAINERS = `apiVersion: v1
kind: Pod
metadata:
  name: two-containers
spec:
  restartPolicy: Never
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx-container
    image: nginx
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  - name: debian-container
    image: debian
    volumeMounts:
    - name: shared-data
      mountPath: /pod-data
    command: ["/bin/sh"]
    args: ["-c", "echo Hello from the debian container > /pod-data/index.html"]
`;

test("Communicate Between Containers in the Same Pod Using a Shared Volume: nginx serves what debian wrote", async () => {
  apply(TWO_CONTAINERS);
  await holds(() => {
    const pod = JSON.parse(k(["get", "pod", "two-containers", "-o", "json"]));
    const st = Object.fromEntries(pod.status.containerStatuses.map((c) => [c.name, c.state]));
    assert.equal(st["debian-container"].terminated?.reason, "Completed");
    assert.equal(st["debian-container"].terminated?.exitCode, 0);
    assert.ok(st["nginx-container"].running);
  });
  assert.equal(
    k(["exec", "two-containers", "-c", "nginx-container", "--", "curl", "-s", "localhost"]),
    "Hello from the debian container\n",
  );
  assert.equal(
    k(["exec", "two-containers", "-c", "nginx-container", "--", "cat", "/usr/share/nginx/html/index.html"]),
    "Hello from the debian container\n",
  );
});

// content/en/examples/application/job/indexed-job.yaml and indexed-job-vol.yaml
const INDEXED_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: 'indexed-job'
spec:
  completions: 5
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: 'input'
        image: 'docker.io/library/bash'
        command:
        - "bash"
        - "-c"
        - |
          items=(foo bar baz qux xyz)
          echo \${items[$JOB_COMPLETION_INDEX]} > /input/data.txt
        volumeMounts:
        - mountPath: /input
          name: input
      containers:
      - name: 'worker'
        image: 'docker.io/library/busybox'
        command:
        - "rev"
        - "/input/data.txt"
        volumeMounts:
        - mountPath: /input
          name: input
      volumes:
      - name: input
        emptyDir: {}
`;
const INDEXED_JOB_VOL = `apiVersion: batch/v1
kind: Job
metadata:
  name: 'indexed-job-vol'
spec:
  completions: 5
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: 'worker'
        image: 'docker.io/library/busybox'
        command:
        - "rev"
        - "/input/data.txt"
        volumeMounts:
        - mountPath: /input
          name: input
      volumes:
      - name: input
        downwardAPI:
          items:
          - path: "data.txt"
            fieldRef:
              fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']
`;

test("Indexed Job for Parallel Processing with Static Work Assignment: per-index input, hostnames and logs", async () => {
  apply(INDEXED_JOB);
  apply(INDEXED_JOB_VOL);
  k(["wait", "--for=condition=complete", "job/indexed-job", "job/indexed-job-vol", "--timeout=60s"]);
  const described = k(["describe", "jobs/indexed-job"]);
  assert.match(described, /\nCompletion Mode:\s+Indexed\n/);
  assert.match(described, /\nPods Statuses:\s+0 Active \(0 Ready\) \/ 5 Succeeded \/ 0 Failed\n/);
  assert.match(described, /\nCompleted Indexes:\s+0-4\n/);
  const logsOf = (job, i) =>
    k([
      "logs",
      "-c",
      "worker",
      k(["get", "pods", "-l", `job-name=${job},batch.kubernetes.io/job-completion-index=${i}`, "-o", "name"]).trim(),
    ]);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => logsOf("indexed-job", i)),
    ["oof\n", "rab\n", "zab\n", "xuq\n", "zyx\n"],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => logsOf("indexed-job-vol", i)),
    ["0\n", "1\n", "2\n", "3\n", "4\n"],
  );
  const pods = JSON.parse(k(["get", "pods", "-l", "job-name=indexed-job", "-o", "json"])).items;
  for (const p of pods) {
    const i = p.metadata.annotations["batch.kubernetes.io/job-completion-index"];
    assert.equal(p.spec.hostname, `indexed-job-${i}`);
    assert.ok(p.spec.containers[0].env.some((e) => e.name === "JOB_COMPLETION_INDEX"));
  }
});

test("Configure Liveness, Readiness and Startup Probes on the realistic clock: the exec liveness kill after the pull", async () => {
  const real = await server.createSession({ clock: "realistic" });
  real.k(["apply", "-f", "-"], { version: "1.33", input: EXEC_LIVENESS });
  await holds(
    () => {
      const out = real.k(["describe", "pod", "liveness-exec"], { version: "1.33" });
      const rows = out
        .split("\nEvents:\n")[1]
        .split("\n")
        .slice(2)
        .filter(Boolean)
        .map((l) => l.trim().split(/\s{2,}/));
      const unhealthy = rows.find((e) => e[1] === "Unhealthy");
      assert.ok(unhealthy, "no Unhealthy event yet");
      const { count, span } = repeated(unhealthy[2]);
      assert.equal(count, 3);
      assert.ok(Math.abs(span - 10) <= 1);
      // The first run pulled the image; the restart finds it present.
      assert.ok(rows.some((e) => e[1] === "Pulled" && /^Successfully pulled image "registry.k8s.io\/busybox:1.27.2" in /.test(e[4])));
      assert.ok(
        rows.some((e) => e[1] === "Pulled" && e[4] === 'Container image "registry.k8s.io/busybox:1.27.2" already present on machine'),
      );
      assert.ok(rows.some((e) => e[1] === "Started" && /\(x2 over \d+s\)$/.test(e[2])));
    },
    { timeout: 90_000, interval: 2000 },
  );
});
