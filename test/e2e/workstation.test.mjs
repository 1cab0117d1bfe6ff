// The workstation (docs/terminal.md) against the real server: POST /api/sessions/:id/run runs a
// script in the control-plane shell, and its kubectl is checked differentially — each command line of
// the corpus runs with the real kubectl 1.33 over the kubeconfig and through the workstation on the
// same cluster, and the outputs must match after ages are normalised. The match rate is printed;
// every accepted difference is listed below with its reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Server, request } from "./lib/harness.mjs";

let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }] });
  s.k(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"]);
  s.k(["expose", "deployment", "web", "--port=80"]);
  // Networking, before bb (the corpus compares its events' ages): an Ingress with TLS, a path of
  // its own and a default backend, and a NetworkPolicy.
  s.k([
    "create",
    "ingress",
    "site",
    "--class=nginx",
    "--rule=site.example/=web:80,tls=site-tls",
    "--rule=site.example/api*=web:80",
    "--default-backend=web:80",
  ]);
  s.k(["apply", "-f", "-"], { input: NETPOL });
  s.k(["run", "bb", "--image=busybox:1.36", "--labels=app=bb,tier=tools", "--", "sleep", "3600"]);
  s.k(["create", "configmap", "settings", "--from-literal=mode=dev", "--from-literal=level=3"]);
  s.k(["create", "configmap", "single", "--from-literal=only=one"]);
  s.k(["create", "namespace", "lab"]);
  // Pod Security Admission: a namespace enforcing restricted (server dry runs meet its verdicts).
  s.k(["create", "namespace", "guarded"]);
  s.k(["label", "namespace", "guarded", "pod-security.kubernetes.io/enforce=restricted"]);
  // Storage: a hand-made volume (Available) and a claim of the default class waiting for its first pod.
  s.k(["apply", "-f", "-"], { input: STORAGE });
  // What `kubectl debug` adds ephemeral containers to, away from the pods the other lines read.
  s.k(["run", "target", "-n", "lab", "--image=busybox:1.36", "--", "sleep", "3600"]);
  s.k(["wait", "--for=condition=Available", "deployment/web", "--timeout=60s"]);
  s.k(["wait", "--for=condition=Ready", "pod/bb", "--timeout=60s"]);
  s.k(["wait", "--for=condition=Ready", "pod/target", "-n", "lab", "--timeout=60s"]);
  // A StatefulSet with a claim per pod, for get/describe/rollout of statefulsets.
  s.k(["apply", "-n", "lab", "-f", "-"], { input: STATEFULSET });
  s.k(["rollout", "status", "-n", "lab", "sts/db", "--timeout=60s"]);
  // A CustomResourceDefinition (the docs' CronTab) and one of its objects.
  s.k(["apply", "-f", "-"], { input: CRONTAB_CRD });
  s.k(["wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=60s"]);
  s.k(["apply", "-f", "-"], { input: MY_CRON });
  // Policy objects in a namespace of their own: a quota, a limit range, a budget over the web pods.
  s.k(["create", "namespace", "policy"]);
  s.k(["apply", "-n", "policy", "-f", "-"], { input: POLICY });
  // An autoscaled Deployment with a CPU request (so metrics give it a utilization from the start).
  s.k(["apply", "-n", "lab", "-f", "-"], { input: AUTOSCALED });
  s.k(["rollout", "status", "-n", "lab", "deployment/api", "--timeout=60s"]);
  s.k(["autoscale", "-n", "lab", "deployment", "api", "--cpu-percent=50", "--min=1", "--max=4"]);
  // The same manifests beside both kubectls: the laptop's working directory and the workstation's /root.
  for (const [name, text] of Object.entries(MANIFESTS)) {
    writeFileSync(join(s.dir, name), text);
    const wrote = await run(`cat > ${name} <<'EOF'\n${text}EOF`);
    assert.equal(wrote.exitCode, 0, wrote.stderr);
  }
});

const AUTOSCALED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: nginx:1.27
        resources:
          requests: {cpu: 100m}
`;
const STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        volumeMounts: [{name: data, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
`;

const CRONTAB_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string}
              image: {type: string}
              replicas: {type: integer, default: 1}
    additionalPrinterColumns:
    - {name: Spec, type: string, description: The cron spec defining the interval a CronJob is run, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, description: The number of jobs launched by the CronJob, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all]}
`;

const MY_CRON = `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
`;

const STORAGE = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: manual-pv
  labels: {type: local}
spec:
  storageClassName: manual
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
`;

const POLICY = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: counts
spec:
  hard: {pods: "10", configmaps: "5", requests.cpu: "2", limits.memory: 4Gi}
---
apiVersion: v1
kind: LimitRange
metadata:
  name: mem-defaults
spec:
  limits:
  - type: Container
    default: {memory: 512Mi}
    defaultRequest: {memory: 256Mi}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: batch-low
value: 100
preemptionPolicy: Never
description: Batch work that waits its turn.
`;

const NETPOL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-access
spec:
  podSelector:
    matchLabels: {app: db}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {team: web}
      podSelector:
        matchLabels: {app: web}
    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
    ports:
    - {protocol: TCP, port: 5432}
    - {port: 6000, endPort: 6010}
  - {}
  egress:
  - to:
    - namespaceSelector: {}
    ports:
    - {protocol: UDP, port: 53}
`;

const MANIFESTS = {
  // A self-signed P-256 pair for `create secret tls`, and a key that is not the certificate's.
  "tls.crt":
    "-----BEGIN CERTIFICATE-----\nMIIBbzCCARWgAwIBAgIUH9HQtW7Qv4GW8kFKHWdSli1eu/AwCgYIKoZIzj0EAwIw\nDTELMAkGA1UEAwwCZWMwHhcNMjYxMjA0MjE0NDA2WhcNMjcwMTAzMjE0NDA2WjAN\nMQswCQYDVQQDDAJlYzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHV/ZzjIl07c\nAFiS5WgEHQvBB5ibf0uuuuBrCTbPKyQxC+eoV5ecZEc4jVx4pC5a5pK3I903iyls\nR0MXyVL+jOujUzBRMB0GA1UdDgQWBBTxTa17JBPjRl5z0xAGE7ruOP0e/jAfBgNV\nHSMEGDAWgBTxTa17JBPjRl5z0xAGE7ruOP0e/jAPBgNVHRMBAf8EBTADAQH/MAoG\nCCqGSM49BAMCA0gAMEUCIDCYYGfritcAmTLhGqxWn25WLOClUzLPJ/uo5kyljC0W\nAiEAmjYxiVRB8hTdAumIj2vAo9I0nfoHkVpkouUmlviB/9U=\n-----END CERTIFICATE-----\n",
  "tls.key":
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFY/z4lZj9sVDcgmUBErRO6p2pQXm9YAvUl9h68LP0ynoAoGCCqGSM49\nAwEHoUQDQgAEdX9nOMiXTtwAWJLlaAQdC8EHmJt/S6664GsJNs8rJDEL56hXl5xk\nRziNXHikLlrmkrcj3TeLKWxHQxfJUv6M6w==\n-----END EC PRIVATE KEY-----\n",
  "other.key":
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEICtlK5ovETTsCZFp9My/9Zj89sjK+DXZN1qhWNd4JKgfoAoGCCqGSM49\nAwEHoUQDQgAEyj+T31Flpvs4zibFDZE2q6v5l/NlUNZED4+2fkNDoau5baCLozmN\nOyoJ4D5vAUjyEWGsIzn8MOmhsnWVXxr/Wg==\n-----END EC PRIVATE KEY-----\n",
  "pod.yaml":
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-file\n  labels:\n    app: demo\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n",
  "two.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\ndata:\n  a: '1'\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: second\nspec:\n  selector:\n    app: demo\n  ports:\n  - port: 8080\n",
  "bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: app\n    image: nginx\n",
  "nokind.yaml": "apiVersion: v1\nmetadata:\n  name: x\n",
  "crontab.yaml":
    "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: filed-cron\nspec:\n  cronSpec: '*/10 * * * *'\n  image: cron\n  replicas: 2\n",
  "badcron.yaml": "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: bad-cron\nspec:\n  cronSpec: 5\n  bogus: true\n",
  "deploy.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: filed\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: filed\n  template:\n    metadata:\n      labels:\n        app: filed\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n",
};
after(async () => {
  await server?.stop();
});

/** A script through the workstation. */
async function run(script) {
  const r = await request(`${server.origin}/api/sessions/${s.id}/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.token}`, "content-type": "text/plain" },
    body: script,
  });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test("a script runs in the control-plane node's root shell with the admin kubeconfig, and its files stay for the next run", async () => {
  const first = await run(
    'hostname; whoami; pwd; echo "apiVersion: v1" > note.txt; grep server ~/.kube/config | sed "s/[0-9.]*:6443/IP:6443/"',
  );
  assert.deepEqual(first, { exitCode: 0, stdout: "controlplane\nroot\n/root\n    server: https://IP:6443\n", stderr: "" });
  assert.equal((await run("cat note.txt")).stdout, "apiVersion: v1\n");
  assert.equal((await run("exit 7")).exitCode, 7);
  // Its clock is the wall's: two seconds of sleep are two seconds of `date`.
  const [a, b] = (await run("date +%s; sleep 2; date +%s")).stdout.trim().split("\n").map(Number);
  assert.ok(b - a >= 2 && b - a <= 3, `${a} → ${b}`);
  const slow = await request(`${server.origin}/api/sessions/${s.id}/run`, {
    method: "POST",
    headers: { authorization: "Bearer kp1.nope" },
    body: "true",
  });
  assert.equal(slow.status, 401);
});

test("a pipeline's stages run side by side: head ends kubectl get -w once it has its lines, and grep passes a watch's lines as they come", async () => {
  const t0 = Date.now();
  const watched = await run("kubectl get nodes -w | head -2; echo status $?");
  assert.match(watched.stdout, /^NAME +STATUS +ROLES +AGE +VERSION\ncontrolplane +Ready +control-plane .+\nstatus 0\n$/);
  assert.ok(Date.now() - t0 < 10_000, "head ended the watch; it did not run to the script's time limit");
  const filtered = await run(
    "kubectl get nodes -w --request-timeout=2s | grep -c node01; kubectl get nodes -w --request-timeout=2s | grep node01 | cut -d' ' -f1",
  );
  assert.deepEqual([filtered.exitCode, filtered.stdout], [0, "1\nnode01\n"]);
  // A small script whose output grows without end is stopped at the pipe's limit; the server answers.
  const endless = await run("x=0123456789; x=$x$x$x$x$x$x$x$x$x$x; while true; do echo $x; done | sort | wc -l");
  assert.equal(endless.exitCode, 0);
  assert.match(endless.stderr, /^kubeplay: a pipe holds at most 8 MiB its reader has not read: the writer is stopped \(SIGPIPE\)\n$/);
  assert.ok(Number(endless.stdout) > 70_000, endless.stdout);
});

/** Ages change from one run to the next, and so do the runtime's random ids and the 5-character
 *  suffixes (rand.String's alphabet) kubectl debug gives debugger-xxxxx and node-debugger-<node>-xxxxx; nothing else may. */
const normalise = (text) =>
  text
    .replace(/(?<=^|\s|\()(\d+(?:s|m|h|d|y))+(?=\s|$|\))/gm, "<age>")
    // An age column is as wide as its widest age, which the seconds between the two runs can change.
    .replace(/<age> +(?=\S)/g, "<age> ")
    .replace(/\b[0-9a-f]{64}\b/g, "<id>")
    .replace(/\b((?:node-)?debugger(?:-[a-z0-9.-]+?)?)-[bcdfghjklmnpqrstvwxz2456789]{5}\b/g, "$1-<rand>");

/** Command lines (kubectl's arguments) run both ways; `undo` undoes what a mutating one did. */
const CORPUS = [
  { args: "version" },
  { args: "version --client" },
  { args: "get nodes" },
  { args: "get nodes -o wide" },
  { args: "get pods" },
  { args: "get pods -o wide" },
  { args: "get pods -A" },
  { args: "get pods --show-labels" },
  { args: "get pods -L app,tier" },
  { args: "get pods --no-headers" },
  { args: "get pods -l app=bb" },
  { args: "get pods -l app=nope" },
  { args: "get pods -n lab" },
  { args: "get pod bb" },
  { args: "get pod bb -o name" },
  { args: "get pod/bb" },
  { args: "get po nosuch" },
  { args: "get deploy" },
  { args: "get deployments.apps web" },
  { args: "get deploy web -o wide" },
  { args: "get rs" },
  { args: "get svc" },
  { args: "get svc web -o yaml" },
  { args: "get cm settings -o yaml" },
  { args: "get cm settings -o json" },
  { args: "get cm settings -o yaml --show-managed-fields" },
  { args: "get deploy web -o json --show-managed-fields" },
  { args: "get configmap settings -o jsonpath={.data.mode}" },
  { args: "get pods -o jsonpath={.items[*].metadata.name}" },
  { args: "get deploy,svc" },
  { args: "get all" },
  { args: "get ns" },
  { args: "get sc" },
  { args: "get storageclass local-path -o yaml" },
  { args: "describe sc local-path" },
  { args: "get pv" },
  { args: "get pv manual-pv -o wide" },
  { args: "describe pv manual-pv" },
  { args: "get pvc" },
  { args: "describe pvc claim" },
  { args: "get pv,pvc,sc" },
  { args: "get namespace lab -o yaml" },
  { args: "get sa" },
  { args: "events --for=pod/bb" },
  { args: "events --for=pod/bb -o yaml" },
  { args: "events --for=pod/bb -o json" },
  { args: "events --for=pod/bb -o name" },
  { args: "events --for=pod/bb --no-headers --types=normal" },
  { args: "events --for=node/node01 -A" },
  { args: "events --for=pod/bb -w --request-timeout=2s" },
  { args: "events -A --types=Warning" },
  { args: "events -n empty" },
  { args: "events --types=Bogus" },
  { args: "events --for bb" },
  { args: "events --for=frob/x" },
  { args: "events -o wide" },
  { args: "cp pod.yaml bb:/tmp/pod.yaml" },
  { args: "cp bb:/tmp/pod.yaml pod-back.yaml" },
  { args: "cp pod.yaml bb:/tmp" },
  { args: "cp bb:/tmp/nope.txt x" },
  { args: "cp nope.txt bb:/tmp/" },
  { args: "cp pod.yaml nope:/tmp/" },
  { args: "cp pod.yaml lab/bb:/tmp/" },
  { args: "cp pod.yaml bb:/tmp -c nope" },
  { args: "cp pod.yaml bb:/nodir/x/y" },
  { args: "cp bb:/a bb:/b" },
  { args: "cp pod.yaml bb:" },
  { args: "cp :a b" },
  { args: "cp a" },
  { args: "debug target -n lab --image=busybox -- true" },
  { args: "debug target -n lab --image=busybox --target=target --profile=general -- true" },
  { args: "debug node/node01 -n kube-public --image=busybox -- true", undo: "delete pods --all -n kube-public" },
  { args: "debug target -n lab --copy-to=target-copy --image=busybox -- sleep 3600", undo: "delete pod target-copy -n lab" },
  { args: "debug target -n lab --copy-to=target-copy --set-image=*=busybox:1.37 --profile=general", undo: "delete pod target-copy -n lab" },
  { args: "debug target -n lab --copy-to=x --target=target --image=busybox --profile=general" },
  { args: "debug target -n lab" },
  { args: "debug --image=busybox" },
  { args: "debug nope --image=busybox --profile=general" },
  { args: "debug target -n lab --image=busybox --profile=bogus" },
  { args: "debug target -n lab --image=busybox -t" },
  { args: "debug target -n lab --image=busybox --set-image=a=b" },
  { args: "debug deploy/web --image=busybox --profile=general -- true" },
  { args: "debug frob/x --image=busybox" },
  { args: "get events --field-selector involvedObject.name=bb" },
  { args: "get frobs" },
  { args: "get" },
  { args: "get pods --bogus" },
  { args: "frob" },
  { args: "api-versions" },
  { args: "config current-context" },
  { args: "logs bb" },
  { args: "logs deploy/web --tail 2" },
  { args: "logs -l app=bb" },
  { args: "logs -l app=bb --prefix --tail=2" },
  { args: "logs -l app=nope" },
  { args: "logs bb -l app=bb" },
  { args: "logs -l app=web -f --max-log-requests=1" },
  { args: "create deployment x --image=nginx --dry-run=client -o yaml" },
  { args: "run y --image=busybox --dry-run=client -o yaml -- sleep 10" },
  { args: "create configmap z --from-literal=a=b --dry-run=client -o yaml" },
  { args: "create namespace dev --dry-run=client -o yaml" },
  { args: "create deployment made --image=nginx", undo: "delete deployment made" },
  { args: "run solo --image=nginx", undo: "delete pod solo" },
  { args: "create configmap cm2 --from-literal=k=v", undo: "delete configmap cm2" },
  { args: "create deployment web --image=nginx" },
  { args: "scale deployment web --replicas=2" },
  { args: "label pod bb tier=tools" },
  { args: "label pod bb app=other" },
  { args: "expose deployment web --port=8080 --name=web-alt", undo: "delete service web-alt" },
  { args: "delete pod nosuch" },
  { args: ["exec", "bb", "--", "ls", "/etc"] },
  { args: ["exec", "bb", "--", "sh", "-c", "echo out; echo err >&2; exit 3"] },
  { args: ["exec", "bb", "ls"] },
  { args: ["exec", "nope", "--", "ls"] },
  { args: ["exec", "bb", "-c", "nope", "--", "ls"] },
  { args: ["exec", "deploy/web", "--", "cat", "/etc/hostname"] },
  { args: "describe pod bb" },
  { args: "describe deployment web" },
  { args: "get sts -n lab" },
  { args: "get statefulsets -n lab -o wide" },
  { args: "describe sts db -n lab" },
  { args: "rollout status sts/db -n lab" },
  { args: "rollout history statefulset/db -n lab" },
  { args: "rollout undo sts/db -n lab" },
  { args: "describe svc web" },
  { args: "describe node" },
  // One key: kubectl describes a ConfigMap's data in Go's map order, which changes from run to run.
  { args: "describe cm single" },
  { args: "describe pod nosuch" },
  { args: "rollout status deployment/web" },
  { args: "rollout history deployment/web" },
  { args: "rollout history deploy web" },
  { args: "set image deployment/web nginx=nginx:1.28", undo: "rollout undo deployment/web" },
  { args: "set image deployment/web nope=nginx:1.28" },
  { args: "set image deployment/web" },
  { args: "set env deployment/web MODE=dev", undo: "rollout undo deployment/web" },
  { args: "rollout pause deployment/web", undo: "rollout resume deployment/web" },
  { args: "rollout resume deployment/web" },
  { args: "rollout undo deployment/web --to-revision=99" },
  { args: "rollout frob deployment/web" },
  { args: "rollout" },
  { args: "get pods --sort-by=.metadata.name" },
  { args: "get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image" },
  { args: ["get", "pods", "-o", 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'] },
  { args: ["get", "nodes", "-o", 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}'] },
  { args: "get deploy web -o jsonpath={.spec.template.spec.containers[0].image}" },
  { args: ["get", "pods", "-o", 'go-template={{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'] },
  { args: ["get", "deploy", "web", "--template={{.spec.replicas}} {{.spec.nosuch}}"] },
  {
    args: [
      "get",
      "deploy",
      "web",
      "-o",
      "go-template",
      "--template",
      "{{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}};{{end}}",
    ],
  },
  {
    args: [
      "get",
      "nodes",
      "-o",
      'go-template={{range .items}}{{if eq .metadata.name "controlplane"}}{{printf "%s has %d addresses\\n" .metadata.name (len .status.addresses)}}{{else}}{{.metadata.name}} {{index .metadata.labels "kubernetes.io/hostname"}}{{"\\n"}}{{end}}{{end}}',
    ],
  },
  { args: ["get", "pods", "-n", "nosuch", "-o", "go-template={{range .items}}{{.metadata.name}}{{else}}none{{end}}"] },
  { args: ["get", "cm", "single", "-o", 'go-template={{.data}} {{exists . "data"}} {{exists . "nope"}}'] },
  { args: ["get", "deploy", "web", "-o", "go-template"] },
  { args: ["get", "deploy", "web", "-o", "go-template={{.spec.replicas"] },
  { args: "get pods -A -o wide" },
  { args: "get svc -A" },
  { args: "get endpoints web" },
  { args: "get cm -A" },
  { args: "get secrets -A" },
  { args: "get ds -A" },
  { args: "get pods -n kube-system -l k8s-app=kube-dns" },
  { args: "get po,svc -n kube-system" },
  { args: "get nodes --show-labels" },
  { args: "get node controlplane -o yaml" },
  { args: "get pods --field-selector status.phase=Running" },
  { args: "get events -A --field-selector reason=Scheduled -o name" },
  { args: "api-resources --namespaced=false" },
  { args: "api-resources --api-group=apps" },
  { args: "api-resources -o name" },
  { args: "create service clusterip mysvc --tcp=80:8080 --dry-run=client -o yaml" },
  { args: "create secret generic creds --from-literal=user=admin --dry-run=client -o yaml" },
  { args: "create job once --image=busybox --dry-run=client -o yaml -- date" },
  { args: ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/1 * * * *", "--dry-run=client", "-o", "yaml"] },
  { args: "create serviceaccount robot --dry-run=client -o yaml" },
  { args: "expose deployment web --port=80 --target-port=8080 --type=NodePort --dry-run=client -o yaml" },
  { args: "run tmp --image=nginx --port=80 --labels=a=b --env=X=1 --dry-run=client -o json" },
  { args: "label pod bb tier-", undo: "label pod bb tier=tools" },
  { args: "annotate pod bb note=hello", undo: "annotate pod bb note-" },
  { args: "scale deployment web --replicas=-1" },
  { args: "scale deployment nope --replicas=1" },
  { args: "logs bb --tail=1" },
  { args: "logs nope" },
  { args: "delete pod nosuch --ignore-not-found" },
  { args: "get pod nosuch --ignore-not-found" },
  { args: "version -o json" },
  { args: "config view" },
  { args: "config get-contexts" },
  { args: "get pods -w --request-timeout=2s" },
  { args: "get pods,svc -w" },
  { args: "top nodes", sameWindow: true },
  { args: "top node --sort-by=memory --no-headers", sameWindow: true },
  { args: "top nodes node01 --show-capacity", sameWindow: true },
  { args: "top pods", sameWindow: true },
  { args: "top pod bb --containers", sameWindow: true },
  { args: "top pods -A --sort-by=cpu", sameWindow: true },
  { args: "top pod -n kube-system --containers --sort-by=memory --sum", sameWindow: true },
  { args: "top pod nosuch" },
  { args: "top node nosuch" },
  { args: "top pods --sort-by=disk" },
  { args: "top pods -n lab" },
  { args: "create -f pod.yaml --dry-run=client -o yaml" },
  { args: "create -f pod.yaml --dry-run=server -o name" },
  { args: "create -f pod.yaml", undo: "delete -f pod.yaml" },
  { args: "apply -f two.yaml", undo: "delete -f two.yaml" },
  { args: "apply -f deploy.yaml", undo: "delete -f deploy.yaml" },
  { args: "apply -f pod.yaml --dry-run=client" },
  { args: "create -f bad.yaml" },
  { args: "create -f nokind.yaml" },
  { args: "create -f missing.yaml" },
  { args: "apply -f two.yaml -n lab", undo: "delete -f two.yaml -n lab" },
  { args: "get -f two.yaml" },
  { args: "delete -f two.yaml" },
  { args: "get pods -o foo" },
  { args: "get pods -o jsonpath={.items[0].metadata.name" },
  { args: "get pods -o jsonpath={.items[*].nope}" },
  { args: "get pod bb -o jsonpath={.metadata.labels}" },
  { args: "get pod bb -o jsonpath={.spec.containers[*].name}" },
  { args: "get pods -l app=bb -o jsonpath={.items[0].status.phase}" },
  { args: ["get", "pods", "-l", "app in (bb,web)"] },
  { args: "get pods -l app!=bb" },
  { args: "get pods -l =bad" },
  { args: "get deploy -o wide -A" },
  { args: "get rs -o name" },
  { args: "get deploy web -o yaml" },
  { args: "get svc kubernetes -o json" },
  { args: "get ns default -o jsonpath={.status.phase}" },
  { args: "get cm -n kube-system" },
  { args: "get sa -A" },
  { args: "get leases -n kube-node-lease" },
  { args: "get componentstatuses" },
  { args: "get endpointslices" },
  { args: "get cronjobs" },
  { args: "get jobs -A" },
  { args: "get pv" },
  { args: "get nodes -o name" },
  { args: "get nodes -L kubernetes.io/hostname" },
  { args: "get pod bb --no-headers -o wide" },
  { args: "get pods --show-kind" },
  { args: "get pods,deploy --no-headers" },
  { args: "get pods -A --field-selector spec.nodeName=controlplane" },
  { args: "get pods --field-selector=bogus=x" },
  { args: "describe pods -l app=bb" },
  { args: "describe deploy" },
  { args: "describe rs" },
  { args: "describe ns lab" },
  { args: "describe sa default" },
  { args: "describe svc kubernetes" },
  { args: "describe nosuchtype" },
  { args: "describe" },
  { args: "logs bb -c nope" },
  { args: "logs deploy/web" },
  { args: "logs" },
  { args: "exec bb -- false" },
  { args: "exec bb -- nosuchprogram" },
  { args: "run x --image=nginx --restart=Sometimes" },
  { args: "run" },
  { args: "run y" },
  { args: "create deployment" },
  { args: "create deployment z" },
  { args: "create namespace Bad_NS" },
  { args: "create configmap settings --from-literal=a=b" },
  { args: "create secret generic s1 --from-literal=k=v", undo: "delete secret s1" },
  { args: "create secret tls site --cert=tls.crt --key=tls.key", undo: "delete secret site" },
  { args: "create secret tls site --cert=tls.crt --key=tls.key --dry-run=client -o json" },
  { args: "create secret tls site --cert=tls.crt --key=other.key" },
  { args: "create secret tls site --cert=tls.key --key=tls.crt" },
  { args: "create secret tls site --cert=missing.crt --key=tls.key" },
  { args: "create secret tls site --cert=tls.crt" },
  {
    args: [
      "create",
      "secret",
      "docker-registry",
      "reg",
      "--docker-username=ada",
      "--docker-password=p<&>",
      "--docker-email=ada@example.com",
      "--dry-run=client",
      "-o",
      "yaml",
    ],
  },
  { args: "create secret docker-registry reg --docker-username=ada --docker-password=pw", undo: "delete secret reg" },
  { args: "create secret docker-registry reg" },
  { args: "create secret" },
  { args: "create secret bogus x" },
  { args: "create service" },
  { args: "create deployment a b --image=nginx" },
  {
    args: [
      "create",
      "deployment",
      "hello-node",
      "--image=registry.k8s.io/e2e-test-images/agnhost:2.39",
      "--dry-run=client",
      "-o",
      "yaml",
      "--",
      "/agnhost",
      "netexec",
      "--http-port=8080",
    ],
  },
  { args: ["create", "deployment", "two", "--image=nginx", "--image=busybox", "--", "sleep", "1"] },
  { args: "create configmap" },
  { args: "create service nodeport np --tcp=80:80 --dry-run=client -o yaml" },
  { args: "expose pod bb" },
  { args: "expose deployment nope --port=80" },
  { args: "scale deployment web" },
  { args: "scale --replicas=2" },
  { args: "label pod bb" },
  { args: "label pod nope a=b" },
  { args: "annotate pod bb" },
  { args: "delete" },
  { args: "delete pods" },
  { args: "delete svc nosuch nosuch2" },
  { args: "rollout status deployment/nope" },
  { args: "rollout history deployment/nope" },
  { args: "rollout undo deployment/web" },
  { args: "set image deployment/nope a=b" },
  { args: "wait --for=delete pod/nope --timeout=1s" },
  { args: "wait pod/bb" },
  { args: "auth can-i get pods --all-namespaces" },
  { args: "auth can-i" },
  { args: "cluster-info" },
  { args: "version --client -o yaml" },
  { args: "api-versions" },
  { args: "taint node node01" },
  { args: "drain" },
  { args: "patch deployment web" },
  { args: "config use-context nope" },
  { args: "get pods --context=nope" },
  { args: ["run", "once", "--image=busybox", "-i", "--rm", "--restart=Never", "--", "sh", "-c", "echo hi; exit 3"] },
  { args: "run nope --image=busybox --rm" },
  { args: "cordon node01", undo: "uncordon node01" },
  { args: "uncordon node01" },
  // With metrics-server's emptyDir allowed, drain refuses for one reason only: kubectl lists several in
  // a Go map's order, which differs from run to run.
  { args: "drain node01 --ignore-daemonsets --delete-emptydir-data", undo: "uncordon node01" },
  { args: "taint node node01 dedicated=lab:NoSchedule", undo: "taint node node01 dedicated-" },
  { args: "taint node node01 dedicated-" },
  { args: "taint node node01 bad" },
  { args: "taint pod bb a=b:NoSchedule" },
  { args: ["patch", "deployment", "web", "-p", '{"spec":{"replicas":2}}'] },
  { args: ["patch", "deployment", "web", "--type=merge", "-p", '{"metadata":{"labels":{"x":"y"}}}'], undo: "label deployment web x-" },
  { args: ["patch", "pod", "bb", "-p", "{bad"] },
  { args: ["patch", "deployment", "web", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":-1}]'] },
  { args: "wait --for=condition=Ready pod/bb" },
  { args: "wait --for=jsonpath={.status.phase}=Running pod/bb" },
  { args: "wait --for=condition=Ready pod/nope --timeout=1s" },
  { args: "auth can-i create pods" },
  { args: "auth can-i delete nodes --as=system:serviceaccount:default:default" },
  { args: "auth can-i list secrets -n kube-system" },
  { args: "auth can-i --list" },
  { args: "auth can-i --list -n kube-system --no-headers" },
  { args: "auth can-i --list --as=system:serviceaccount:default:default" },
  { args: "auth can-i --list get pods" },
  { args: "auth can-i --list -A" },
  { args: "auth can-i get pods --no-headers" },
  { args: "auth whoami" },
  { args: "auth can-i list pods --as=jane" },
  { args: "--as=jane get pods" },
  { args: "--as=jane --as-group=devs auth whoami" },
  { args: "get clusterrolebinding kubeadm:cluster-admins system:coredns -o wide" },
  { args: "get rolebindings -n kube-system -o wide" },
  { args: "get roles -n kube-public" },
  { args: "describe clusterrole system:basic-user" },
  { args: "describe clusterrole system:kube-scheduler" },
  { args: "describe clusterrolebinding kubeadm:cluster-admins" },
  { args: "describe role -n kube-system kube-proxy" },
  { args: "describe rolebinding -n kube-system kubeadm:kubelet-config" },
  { args: "create role pr --verb=get,list --resource=pods,deployments.apps,pods/log --dry-run=client -o yaml" },
  { args: "create role pr --verb=get --resource=configmaps --resource-name=a --resource-name=b --dry-run=client -o json" },
  { args: "create role pr --verb=get --dry-run=client" },
  { args: "create role pr --verb=frob --resource=pods --dry-run=client -o yaml" },
  { args: "create role pr --verb=get --resource=widgets --dry-run=client" },
  { args: "create role pr --verb=bind --resource=pods --dry-run=client" },
  { args: "create clusterrole cr --verb=get,list --resource=nodes --non-resource-url=/logs/* --dry-run=client -o yaml" },
  { args: "create clusterrole cr --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true --dry-run=client -o yaml" },
  { args: "create clusterrole cr --verb=post --resource=nodes --non-resource-url=logs --dry-run=client" },
  { args: "create rolebinding rb --clusterrole=view --user=jane --group=devs --serviceaccount=default:default --dry-run=client -o yaml" },
  { args: "create rolebinding rb --user=jane --dry-run=client" },
  { args: "create rolebinding rb --role=r --serviceaccount=nope --dry-run=client" },
  { args: "create clusterrolebinding crb --clusterrole=view --group=devs --dry-run=client -o json" },
  { args: "create clusterrolebinding crb --user=jane --dry-run=client" },
  { args: "explain pods" },
  { args: "explain deploy" },
  { args: "explain pods.spec.containers" },
  { args: "explain pod.spec.containers.resources" },
  { args: "explain svc.spec.ports --recursive" },
  { args: "explain deployments --api-version=apps/v1" },
  { args: "explain cronjobs.spec.jobTemplate" },
  { args: "explain configmap.data" },
  { args: "explain nodes.status.conditions" },
  { args: "explain frobs" },
  { args: "explain pods.spec.nope" },
  { args: "explain" },
  { args: "explain ev" },
  { args: "explain deployments.apps.spec.replicas" },
  { args: "explain jobs --recursive" },
  { args: "explain pods --api-version=apps/v1" },
  { args: "explain pods --output=yaml" },
  { args: "explain pods.spec.containers[0]" },
  { args: "explain pods nodes" },
  { args: "explain deploy.spec --output=plaintext-openapiv2" },
  { args: "explain pods.spec.nope.x --output=plaintext-openapiv2" },
  { args: "delete configmap" },
  { args: "get ingress" },
  { args: "get ing site -o wide" },
  { args: "get ingress site -o yaml" },
  { args: "describe ingress site" },
  { args: "get ingressclass" },
  { args: "describe ingressclass nginx" },
  { args: "get netpol" },
  { args: "describe netpol db-access" },
  { args: "get quota -n policy" },
  { args: "get quota -A" },
  { args: "describe quota counts -n policy" },
  { args: "describe limitrange mem-defaults -n policy" },
  { args: "get limits -n policy" },
  { args: "get pdb -n policy" },
  { args: "describe pdb web-pdb -n policy" },
  { args: "get pc" },
  { args: "describe pc batch-low" },
  { args: "describe pc system-node-critical" },
  { args: ["create", "ingress", "simple", "--rule=foo.com/bar=svc1:8080,tls=my-cert"], undo: "delete ingress simple" },
  {
    args: [
      "create",
      "ingress",
      "multi",
      "--class=nginx",
      "--rule=foo.com/=svc:http,tls",
      "--rule=foo.com/admin*=svcadmin:8080",
      "--rule=bar.com/*=svc2:80,tls=secret1",
      "--default-backend=defaultsvc:http",
      "--annotation=ingress.annotation1=foo",
      "--dry-run=client",
      "-o",
      "yaml",
    ],
  },
  { args: ["create", "ingress", "catch", "--rule=/path*=svc:8080", "-o", "json", "--dry-run=client"] },
  { args: "create ingress bad --rule=foo.com/bar" },
  { args: "create ingress empty" },
  { args: "create ingress" },
  { args: "create ingress x --default-backend=svc" },
  { args: "create ingress x --rule=/a=b:c --annotation=noequals" },
  { args: "create ingress Bad --rule=/a=b:80" },
  { args: "get csr" },
  { args: "get certificatesigningrequests.certificates.k8s.io someone" },
  { args: "delete volumeattachment va-1" },
  { args: "get runtimeclasses -o wide" },
  { args: "get crd" },
  { args: "get crd crontabs.stable.example.com -o yaml" },
  { args: "describe crd crontabs.stable.example.com" },
  { args: "get crontabs" },
  { args: "get ct -o wide" },
  { args: "get crontab.stable.example.com my-new-cron-object -o yaml" },
  { args: "get crontabs.v1.stable.example.com -A" },
  { args: "describe ct my-new-cron-object" },
  { args: "describe crontabs" },
  { args: "explain crontab" },
  { args: "explain crontab.spec" },
  { args: "explain ct --recursive" },
  { args: "api-resources --api-group=stable.example.com" },
  { args: "apply -f crontab.yaml", undo: "delete -f crontab.yaml" },
  { args: "create -f badcron.yaml" },
  { args: "create -f badcron.yaml --validate=false" },
  { args: "get ct nope" },
  { args: "get hpa -n lab" },
  { args: "get hpa -A -o wide" },
  { args: "describe hpa api -n lab" },
  { args: "get hpa api -n lab -o yaml" },
  { args: "autoscale deployment web --max=3 --dry-run=client -o yaml" },
  { args: "autoscale deployment web --min=2 --max=4 --cpu-percent=60", undo: "delete hpa web" },
  { args: "autoscale deploy/web --max=3 --name=web-dry --dry-run=client" },
  { args: "autoscale deployment web --max=0" },
  { args: "autoscale deployment web --min=3 --max=2" },
  { args: "autoscale deployment web" },
  { args: "autoscale pod bb --max=3" },
  { args: "autoscale deployment nope --max=2" },
  { args: "run psa --image=nginx -n guarded --dry-run=server" },
  { args: "create deployment psa --image=nginx -n guarded --dry-run=server" },
];

/** The same command line through the workstation (a shell: arguments with spaces are quoted). */
const shown = (args) => (typeof args === "string" ? args : args.join(" "));
const quoted = (args) =>
  `kubectl ${(typeof args === "string" ? args.split(" ") : args)
    .map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a))
    .join(" ")}`;

test("the workstation's kubectl prints what kubectl 1.33 prints, command line for command line", async () => {
  const results = [];
  for (const c of CORPUS) {
    // metrics-server's figures change with each 15 s scrape: both reads go in the same window.
    if (c.sameWindow && Date.now() % 15_000 > 10_000) await new Promise((r) => setTimeout(r, 15_100 - (Date.now() % 15_000)));
    const real = s.kubectl(c.args, { version: "1.33" });
    if (c.undo) s.kubectl(c.undo, { version: "1.33" });
    const ws = await run(quoted(c.args));
    if (c.undo) await run(quoted(c.undo));
    const same =
      normalise(real.stdout) === normalise(ws.stdout) && normalise(real.stderr) === normalise(ws.stderr) && real.code === ws.exitCode;
    results.push({ args: shown(c.args), same, real, ws });
  }
  const differ = results.filter((r) => !r.same && !(r.args in ACCEPTED));
  const matched = results.filter((r) => r.same).length;
  console.log(
    `workstation kubectl: ${matched}/${results.length} command lines identical to kubectl 1.33 (${((100 * matched) / results.length).toFixed(1)} %)`,
  );
  for (const r of differ)
    console.log(
      `--- kubectl ${r.args}\n  real (${r.real.code}): ${JSON.stringify(r.real.stdout + r.real.stderr)}\n  workstation (${r.ws.exitCode}): ${JSON.stringify(r.ws.stdout + r.ws.stderr)}`,
    );
  assert.deepEqual(
    differ.map((r) => r.args),
    [],
  );
});

/** Differences accepted, each with its reason. */
const ACCEPTED = {
  "config view":
    "two kubeconfigs: the laptop's (kubeplay's server, a token) against kubeadm's admin.conf (the node's API address, client certificates)",
  "config get-contexts": "two kubeconfigs: the context names differ (kubeplay-<id> against kubernetes-admin@kubernetes)",
  "cluster-info": "two kubeconfigs: the laptop's server is kubeplay's URL, the workstation's the control plane's https://<IP>:6443",
  "config current-context":
    "two kubeconfigs: the laptop's names its context kubeplay-<id>, the workstation's is kubeadm's admin.conf (kubernetes-admin@kubernetes)",
};

/** A terminal on the session's socket: what it shows, and a way to type. */
function terminal() {
  const ws = new WebSocket(
    `${server.origin.replace(/^https/, "wss")}/api/sessions/${s.id}/terminal`,
    ["v5.channel.k8s.io", `base64url.bearer.authorization.k8s.io.${Buffer.from(s.token).toString("base64url")}`],
    { rejectUnauthorized: false },
  );
  const t = { screen: "", status: undefined, closed: undefined };
  ws.on("message", (d) => {
    if (d[0] === 1) t.screen += d.subarray(1).toString();
    else if (d[0] === 3) t.status = JSON.parse(d.subarray(1).toString());
  });
  ws.on("close", (code) => {
    t.closed = code;
  });
  t.opened = new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("unexpected-response", (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
  });
  t.type = (text) => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(text)]));
  /** Wait until the screen matches. */
  t.shows = async (pattern, ms = 15_000) => {
    const until = Date.now() + ms;
    while (!pattern.test(t.screen)) {
      if (Date.now() > until) throw new Error(`the terminal never showed ${pattern}:\n${JSON.stringify(t.screen)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return t;
}

test("the terminal is a login at controlplane $ with kubectl, k and Tab completion; exec -it reaches the container's tty and Ctrl-C goes there; exit ends the socket with the shell's status", async () => {
  const t = terminal();
  await t.opened;
  await t.shows(/controlplane \$ $/);
  t.type("k get po b\t");
  await t.shows(/k get po bb $/);
  t.type("\r");
  await t.shows(/bb\s+1\/1\s+Running/);
  // get -w prints the list, then follows, until Ctrl-C.
  t.type("kubectl get pod bb -w\r");
  await t.shows(/get pod bb -w\r\nNAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\r\nbb\s+1\/1\s+Running\s+0\s+\S+\r\n$/);
  t.type("\x03");
  await t.shows(/\^C\r\ncontrolplane \$ $/);
  // run -it --rm: a pod attached at the terminal, deleted when its shell exits.
  t.type("kubectl run -it --rm debug --image=busybox --restart=Never -- sh\r");
  await t.shows(/If you don't see a command prompt, try pressing enter\.\r\n$/);
  t.type("\r");
  await t.shows(/\/ # $/);
  t.type("hostname\r");
  await t.shows(/\r\ndebug\r\n\/ # $/);
  t.type("exit\r");
  await t.shows(/\/ # exit\r\npod "debug" deleted\r\ncontrolplane \$ $/);
  t.type("kubectl exec -it bb -- sh\r");
  await t.shows(/\/ # $/);
  t.type("hostname\r");
  await t.shows(/\r\nbb\r\n\/ # $/);
  t.type("\x03");
  await t.shows(/\^C\r\n\/ # $/);
  t.type("exit 4\r");
  await t.shows(/command terminated with exit code 4\r\ncontrolplane \$ $/);
  t.type("echo status=$?\r");
  await t.shows(/status=4/);
  t.type("exit 2\r");
  while (t.closed === undefined) await new Promise((r) => setTimeout(r, 50));
  assert.equal(t.closed, 1000);
  assert.equal(t.status.reason, "NonZeroExitCode");
  assert.deepEqual(t.status.details.causes, [{ reason: "ExitCode", message: "2" }]);
});

test("a terminal socket without the session's token is refused before the upgrade", async () => {
  const ws = new WebSocket(`${server.origin.replace(/^https/, "wss")}/api/sessions/${s.id}/terminal`, ["v5.channel.k8s.io"], {
    rejectUnauthorized: false,
  });
  const code = await new Promise((resolve) => {
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode));
    ws.on("open", () => resolve("opened"));
  });
  assert.equal(code, 401);
});

test("the node world of a kubeadm course: ssh to a worker and back, systemctl drives its kubelet (stopped: the node goes NotReady), crictl lists its containers, kubeadm prints a join command", async () => {
  const ran = await run(
    "ssh node01 hostname; ssh node01 kubectl get nodes; echo rc=$?; ssh nodex true; echo rc=$?; crictl ps | grep -c ' bb '; crictl images | head -1; kubeadm version -o short; kubeadm token create --print-join-command",
  );
  assert.match(
    ran.stdout,
    /^node01\nrc=1\nrc=255\n0\nIMAGE\s+TAG\s+IMAGE ID\s+SIZE\nv1\.33\.1\nkubeadm join \d+\.\d+\.\d+\.\d+:6443 --token [a-z0-9]{6}\.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:[0-9a-f]{64} \n$/,
  );
  assert.match(
    ran.stderr,
    /^The connection to the server localhost:8080 was refused - did you specify the right host or port\?\nssh: Could not resolve hostname nodex: Name or service not known\n$/,
  );
  // bb runs on node01: its container is there, not on the control plane.
  assert.match((await run("ssh node01 crictl ps")).stdout, /\bRunning\s+bb\s+0\s+[0-9a-f]{13}\s+bb\s+default\n/);

  const stop = await run("ssh node01 systemctl stop kubelet; ssh node01 systemctl status kubelet; echo rc=$?");
  assert.match(
    stop.stdout,
    /○ kubelet\.service - kubelet: The Kubernetes Node Agent\n[\s\S]*Active: inactive \(dead\) since [\s\S]*rc=3\n$/,
  );
  const ready = () => s.k(["get", "node", "node01", "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  for (let i = 0; i < 100 && ready() === "True"; i++) await new Promise((r) => setTimeout(r, 500));
  assert.equal(ready(), "Unknown", "a stopped kubelet stops posting status");
  const start = await run("ssh node01 'systemctl start kubelet; systemctl is-active kubelet'");
  assert.equal(start.stdout, "active\n");
  for (let i = 0; i < 100 && ready() !== "True"; i++) await new Promise((r) => setTimeout(r, 500));
  assert.equal(ready(), "True");
});

test("play-with-k8s' journey: a machine added with joined:false is no node until kubeadm join runs on it with the printed command; wrong tokens, pins and endpoints fail as kubeadm words them", async () => {
  const lab = await server.createSession({ clock: "instant", nodes: [{ role: "control-plane" }] });
  const call = (path, body) =>
    request(`${server.origin}/api/sessions/${lab.id}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${lab.token}`, "content-type": body === undefined ? "application/json" : "text/plain" },
      body: body ?? JSON.stringify({ joined: false }),
    });
  const added = await call("/nodes");
  assert.equal(added.status, 201, added.text);
  assert.deepEqual(added.json, { name: "node01", role: "worker", joined: false });
  const info = await request(`${server.origin}/api/sessions/${lab.id}`, { headers: { authorization: `Bearer ${lab.token}` } });
  assert.deepEqual(info.json.machines, [{ name: "node01", role: "worker" }]);
  assert.equal(lab.k("get nodes -o name"), "node/controlplane\n", "a machine is not a node before it joins");

  const script = (text) => call("/run", text).then((r) => r.json);
  const made = await script("kubeadm token create --print-join-command | tee join.sh; kubeadm token list | cut -c1-24");
  assert.equal(made.exitCode, 0, made.stderr);
  const [, endpoint, token, pin] = made.stdout.match(
    /^kubeadm join (\S+) --token (\S+) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64}) \n/,
  );
  assert.match(made.stdout, new RegExp(`\nTOKEN\\s+\n${token.replace(".", "\\.")}\\s*\n$`));
  assert.equal(
    lab.k(`get secret -n kube-system bootstrap-token-${token.split(".")[0]} -o jsonpath={.type}`),
    "bootstrap.kubernetes.io/token",
  );

  const refused = await script(
    [
      `ssh node01 kubeadm join ${endpoint} --token ${token}`,
      `ssh node01 kubeadm join ${endpoint} --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${pin}`,
      `ssh node01 kubeadm join ${endpoint} --token ${token} --discovery-token-ca-cert-hash sha256:${"0".repeat(64)}`,
      `ssh node01 kubeadm join 10.9.9.9:6443 --token ${token} --discovery-token-ca-cert-hash ${pin}`,
    ].join("; echo rc=$?; ") + "; echo rc=$?",
  );
  assert.equal(refused.stdout.match(/rc=1/g)?.length, 4, refused.stdout);
  const errors = refused.stderr.split("\n").filter((l) => l && !l.startsWith("To see the stack trace"));
  assert.deepEqual(
    errors.map((l) => l.replace(/"sha256:[0-9a-f]{64}"/, '"<pin>"').replace(/https:\/\/10\.9\.9\.9:6443\S*/, "<url>")),
    [
      'discovery.bootstrapToken: Invalid value: "": using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue',
      `error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"`,
      `error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "<pin>" are pinned`,
      `error execution phase preflight: couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap: Get "<url> dial tcp 10.9.9.9:6443: connect: connection refused`,
    ],
  );
  assert.equal(lab.k("get nodes -o name"), "node/controlplane\n");

  const joined = await script(`ssh node01 "$(cat join.sh)"`);
  assert.equal(joined.exitCode, 0, joined.stderr);
  assert.match(joined.stdout, /^\[preflight\] Running pre-flight checks\n[\s\S]*\[kubelet-start\] Starting the kubelet\n/);
  assert.match(
    joined.stdout,
    /\nThis node has joined the cluster:\n[\s\S]*Run 'kubectl get nodes' on the control-plane to see this node join the cluster\.\n\n$/,
  );
  lab.k("wait --for=condition=Ready node/node01 --timeout=60s");
  const again = await script(`ssh node01 "$(cat join.sh)"`);
  assert.equal(again.exitCode, 1);
  assert.match(
    again.stderr,
    /^error execution phase preflight: \[preflight\] Some fatal errors occurred:\n\t\[ERROR FileAvailable--etc-kubernetes-kubelet\.conf\]/,
  );
  const after = await request(`${server.origin}/api/sessions/${lab.id}`, { headers: { authorization: `Bearer ${lab.token}` } });
  assert.equal(after.json.machines, undefined);
  assert.deepEqual(after.json.nodes, [
    { name: "controlplane", role: "control-plane" },
    { name: "node01", role: "worker" },
  ]);
});

test("ssh at the terminal is the node's login shell until exit, then the control plane's prompt again", async () => {
  const t = terminal();
  await t.opened;
  await t.shows(/controlplane \$ $/);
  t.type("ssh node01\r");
  await t.shows(/node01 \$ $/);
  t.type("hostname\r");
  await t.shows(/\r\nnode01\r\nnode01 \$ $/);
  t.type("exit\r");
  await t.shows(/node01 \$ exit\r\nlogout\r\nConnection to node01 closed\.\r\ncontrolplane \$ $/);
});

test("kubectl port-forward in the background makes the node's localhost reach the pod until its job is killed", async () => {
  const ran = await run(
    "kubectl port-forward deploy/web 8081:80 & sleep 1; curl -s localhost:8081 | grep -o '<title>.*</title>'; kubectl port-forward pod/bb 8081:80; kill %1; wait; curl -sS localhost:8081; echo rc=$?",
  );
  assert.match(
    ran.stdout,
    /^Forwarding from 127\.0\.0\.1:8081 -> 80\nForwarding from \[::1\]:8081 -> 80\nHandling connection for 8081\n<title>Welcome to nginx!<\/title>\nrc=7\n$/,
  );
  assert.match(
    ran.stderr,
    /Unable to listen on port 8081: [^\n]*bind: address already in use[^\n]*\nerror: unable to listen on any of the requested ports: \[\{8081 80\}\]\n/,
  );
  assert.match(ran.stderr, /curl: \(7\) Failed to connect to localhost port 8081 after \d+ ms: Couldn't connect to server\n$/);
});

test("kubectl debug -it at the terminal: an ephemeral container beside the target's processes, attached, its session's end said", async () => {
  const t = terminal();
  await t.opened;
  await t.shows(/controlplane \$ $/);
  t.type("kubectl debug target -n lab -it --image=busybox --target=target --profile=general\r");
  await t.shows(/If you don't see a command prompt, try pressing enter\.\r\n$/);
  const name = /\r\nDefaulting debug container name to (debugger-[a-z0-9]{5})\.\r\n/.exec(t.screen)?.[1];
  assert.ok(name, t.screen);
  assert.match(
    t.screen,
    /Targeting container "target"\. If you don't see processes from this container it may be because the container runtime doesn't support this feature\.\r\n/,
  );
  assert.doesNotMatch(t.screen, /--profile=legacy is deprecated/);
  t.type("\r");
  await t.shows(/\/ # $/);
  // --target shares the target's process namespace: its sleep is there beside the debugger's shell.
  t.type("ps\r");
  await t.shows(/PID {3}USER {5}TIME {2}COMMAND\r\n {4}1 root {6}0:00 sleep 3600\r\n[\s\S]* root {6}0:00 sh\r\n[\s\S]*\/ # $/);
  t.type("hostname\r");
  await t.shows(/\r\ntarget\r\n\/ # $/);
  t.type("exit\r");
  await t.shows(
    new RegExp(
      `/ # exit\\r\\nSession ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach target -c ${name} -i -t' if it is still running\\r\\ncontrolplane \\$ $`,
    ),
  );
  t.type("echo status=$?\r");
  await t.shows(/status=0\r\n/);
  // The pod's own view, through the real kubectl: the ephemeral container is there and has finished.
  const spec = JSON.parse(s.k(["get", "pod", "target", "-n", "lab", "-o", "json"]));
  const ec = spec.spec.ephemeralContainers.find((c) => c.name === name);
  assert.equal(ec.targetContainerName, "target");
  assert.deepEqual(ec.securityContext, { capabilities: { add: ["SYS_PTRACE"] } });
  assert.equal(ec.stdin, true);
  assert.equal(ec.tty, true);
});

test("kubectl cp round trip: a workstation file and directory into the pod and back, the pod seeing the same bytes", async () => {
  const long = `${"deep/".repeat(22)}leaf.txt`; // past tar's 100-byte name field: a GNU long name
  const wrote = await run(
    `printf 'line one\\n\\ttabbed \\\\ back\\n' > blob.txt; mkdir -p tree/sub tree/${long.slice(0, long.lastIndexOf("/"))} tree/empty; echo a > tree/a.txt; echo b > tree/sub/b.txt; echo leaf > tree/${long}`,
  );
  assert.equal(wrote.exitCode, 0, wrote.stderr);
  const up = await run("kubectl cp blob.txt bb:/tmp/blob.txt && kubectl cp tree bb:/tmp/tree-in-pod");
  assert.deepEqual(up, { exitCode: 0, stdout: "", stderr: "" });
  // What the pod holds, read with the real kubectl.
  assert.equal(s.k(["exec", "bb", "--", "cat", "/tmp/blob.txt"]), "line one\n\ttabbed \\ back\n");
  assert.equal(s.k(["exec", "bb", "--", "cat", "/tmp/tree-in-pod/sub/b.txt"]), "b\n");
  assert.equal(s.k(["exec", "bb", "--", "cat", `/tmp/tree-in-pod/${long}`]), "leaf\n");
  // Not a terminal: busybox ls writes a name a line.
  assert.equal(s.k(["exec", "bb", "--", "ls", "/tmp/tree-in-pod"]), "a.txt\ndeep\nempty\nsub\n");
  const down = await run("kubectl cp bb:/tmp/blob.txt blob-back.txt && kubectl cp bb:/tmp/tree-in-pod tree-back");
  assert.equal(down.exitCode, 0, down.stderr);
  // cp.go hands tar's stderr to kubectl's stdout: busybox's word for the stripped slash, once per copy.
  assert.equal(down.stdout, "tar: removing leading '/' from member names\n".repeat(2));
  assert.equal(down.stderr, "");
  const back = await run(`cat blob-back.txt; cat tree-back/a.txt tree-back/sub/b.txt tree-back/${long}; ls tree-back`);
  assert.equal(back.stdout, "line one\n\ttabbed \\ back\na\nb\nleaf\na.txt\ndeep\nempty\nsub\n");
  // A destination that is a directory takes the source's name inside it.
  assert.deepEqual(await run("kubectl cp blob.txt bb:/tmp && kubectl exec bb -- cat /tmp/blob.txt | head -1"), {
    exitCode: 0,
    stdout: "line one\n",
    stderr: "",
  });
});
