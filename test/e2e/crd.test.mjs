// CustomResourceDefinitions with the real kubectl: the docs' CronTab CRD ("Extend the Kubernetes API
// with CustomResourceDefinitions") served through discovery right after it is Established, its
// printer columns and short name, `kubectl explain` from its schema, validation and defaulting by
// the structural schema, pruning with fieldValidation, a watch of the kind, the "all" category, two
// versions sharing storage, the status and scale subresources, and deleting the CRD deleting its
// objects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { KUBECTL, Server, eventually } from "./lib/harness.mjs";

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
const apply = (yaml, ...flags) => k(["apply", ...flags, "-f", "-"], { input: yaml });
const aged = (text) => text.replace(/(?<=\s)\d+(?:s|m|h)(?:\d+s)?(?=\s*$|\s)/gm, "<age>");

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
                cronSpec:
                  type: string
                  pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
                image:
                  type: string
                replicas:
                  type: integer
                  minimum: 1
                  maximum: 10
                  default: 1
      additionalPrinterColumns:
      - name: Spec
        type: string
        description: The cron spec defining the interval a CronJob is run
        jsonPath: .spec.cronSpec
      - name: Replicas
        type: integer
        description: The number of jobs launched by the CronJob
        jsonPath: .spec.replicas
      - name: Age
        type: date
        jsonPath: .metadata.creationTimestamp
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames:
    - ct
    categories:
    - all
`;

const MY_CRON = `apiVersion: "stable.example.com/v1"
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
`;

test("a CRD applied and Established is served to the same kubectl at once: apply, get with printer columns and short name", () => {
  k("get pods"); // discovery cached before the CRD exists
  assert.equal(apply(CRONTAB_CRD), "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n");
  k("wait --for condition=established --timeout=20s crd/crontabs.stable.example.com");
  assert.equal(apply(MY_CRON), "crontab.stable.example.com/my-new-cron-object created\n");
  assert.equal(
    aged(k("get crontab")),
    "NAME                 SPEC          REPLICAS   AGE\nmy-new-cron-object   * * * * */5   1          <age>\n",
  );
  assert.equal(aged(k("get ct")), aged(k("get crontabs.stable.example.com")));
  assert.match(k("api-resources --api-group=stable.example.com"), /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab\n$/m);
});

test("the CRD's status: accepted names and the NamesAccepted and Established conditions", () => {
  const crd = JSON.parse(k("get crd crontabs.stable.example.com -o json"));
  assert.deepEqual(crd.status.acceptedNames, {
    categories: ["all"],
    kind: "CronTab",
    listKind: "CronTabList",
    plural: "crontabs",
    shortNames: ["ct"],
    singular: "crontab",
  });
  const conds = crd.status.conditions.map((c) => [c.type, c.status, c.reason, c.message]);
  assert.deepEqual(conds, [
    ["NamesAccepted", "True", "NoConflicts", "no conflicts found"],
    ["Established", "True", "InitialNamesAccepted", "the initial names have been accepted"],
  ]);
  assert.deepEqual(crd.status.storedVersions, ["v1"]);
  assert.match(k("get crd"), /^NAME\s+CREATED AT\ncrontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
});

test("defaulting from the schema fills spec.replicas", () => {
  const obj = JSON.parse(k("get ct my-new-cron-object -o json"));
  assert.equal(obj.spec.replicas, 1);
  assert.equal(obj.metadata.generation, 1);
});

test("kubectl explain reads the CRD's schema from OpenAPI", () => {
  const out = k("explain crontab.spec");
  assert.match(out, /^GROUP:\s+stable\.example\.com\nKIND:\s+CronTab\nVERSION:\s+v1\n\nFIELD: spec <Object>\n/);
  assert.match(out, /cronSpec\t<string>/);
  assert.match(out, /replicas\t<integer>/);
});

test("an invalid object is refused with the structural schema's messages", () => {
  const bad = (spec) => `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: bad\nspec:\n${spec}`;
  let r = kubectl(["apply", "-f", "-"], { input: bad("  cronSpec: 5\n") });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /The CronTab "bad" is invalid: spec\.cronSpec: Invalid value: "integer": spec\.cronSpec in body must be of type string: "integer"/,
  );
  r = kubectl(["apply", "-f", "-"], { input: bad('  cronSpec: "* * * *"\n  replicas: 20\n') });
  assert.match(r.stderr, /spec\.cronSpec: Invalid value: "\* \* \* \*": spec\.cronSpec in body should match '/);
  assert.match(r.stderr, /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/);
});

test("unknown fields: refused with fieldValidation Strict, pruned with a warning with Warn", () => {
  const extra = MY_CRON.replace("my-new-cron-object", "extra") + "  foo: bar\n";
  let r = kubectl(["apply", "-f", "-"], { input: extra });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /Error from server \(BadRequest\): error when creating "STDIN": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec\.foo"/,
  );
  r = kubectl(["apply", "--validate=warn", "-f", "-"], { input: extra });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stderr, /Warning: unknown field "spec\.foo"/);
  assert.equal(JSON.parse(k("get ct extra -o json")).spec.foo, undefined);
  k("delete ct extra");
});

test("a watch of the custom kind prints its rows as they change", async () => {
  const child = spawn(KUBECTL["1.33"], ["get", "ct", "-w", "--request-timeout=30s"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  try {
    await eventually(() => /my-new-cron-object/.test(out));
    k(["patch", "ct", "my-new-cron-object", "--type=merge", "-p", '{"spec":{"replicas":3}}']);
    await eventually(() => /my-new-cron-object\s+\* \* \* \* \*\/5\s+3\s/.test(out));
  } finally {
    child.kill();
  }
});

test("kubectl get all includes the kinds of the category all", () => {
  assert.match(k("get all"), /NAME\s+SPEC\s+REPLICAS\s+AGE\ncrontab\.stable\.example\.com\/my-new-cron-object\s+\* \* \* \* \*\/5\s+3\s/);
});

const WIDGETS = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  scope: Cluster
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
              replicas: {type: integer}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

test("two versions share storage: the preferred one is v1, objects are served at either", () => {
  apply(WIDGETS);
  k("wait --for condition=established --timeout=20s crd/widgets.example.org");
  apply("apiVersion: example.org/v1beta1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: small, replicas: 2, legacy: kept}\n");
  const v1 = JSON.parse(k("get widgets w1 -o json"));
  assert.equal(v1.apiVersion, "example.org/v1");
  assert.deepEqual(v1.spec, { replicas: 2, size: "small" });
  const beta = JSON.parse(k("get widgets.v1beta1.example.org w1 -o json"));
  assert.equal(beta.apiVersion, "example.org/v1beta1");
  assert.equal(beta.spec.legacy, "kept");
  const r = kubectl(["apply", "-f", "-"], {
    input: "apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: medium}\n",
  });
  assert.match(r.stderr, /spec\.size: Unsupported value: "medium": supported values: "small", "large"/);
});

test("the status and scale subresources of a custom kind", () => {
  assert.equal(k("scale widget w1 --replicas=4"), "widget.example.org/w1 scaled\n");
  k(["patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":4}}']);
  // The main resource does not write status when the subresource exists.
  k(["patch", "widget", "w1", "--type=merge", "-p", '{"status":{"replicas":9}}']);
  const scale = JSON.parse(k("get widget w1 --subresource=scale -o json"));
  assert.deepEqual([scale.kind, scale.spec, scale.status.replicas], ["Scale", { replicas: 4 }, 4]);
});

test("an invalid CRD is refused with ValidateCustomResourceDefinition's messages", () => {
  const broken = CRONTAB_CRD.replace("            spec:\n              type: object\n", "            spec:\n");
  let r = kubectl(["apply", "-f", "-"], { input: broken.replace("crontabs.stable.example.com", "crontabz.stable.example.com") });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'The CustomResourceDefinition "crontabz.stable.example.com" is invalid: \n' +
      '* metadata.name: Invalid value: "crontabz.stable.example.com": must be spec.names.plural+"."+spec.group\n' +
      "* spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields\n",
  );
  r = kubectl(["apply", "-f", "-"], {
    input: CRONTAB_CRD.replaceAll("stable.example.com", "example").replace("crontabs.example", "crontabs.example"),
  });
  assert.match(r.stderr, /spec\.group: Invalid value: "example": should be a domain with at least one dot/);
});

test("CEL rules are not evaluated, and a write says so", () => {
  const cel = WIDGETS.replaceAll("widgets", "gadgets")
    .replaceAll("Widget", "Gadget")
    .replace(
      "            required: [size]\n",
      "            required: [size]\n            x-kubernetes-validations:\n            - rule: self.replicas >= 0\n",
    );
  apply(cel);
  k("wait --for condition=established --timeout=20s crd/gadgets.example.org");
  const r = kubectl(["apply", "-f", "-"], {
    input: "apiVersion: example.org/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: small, replicas: -1}\n",
  });
  assert.equal(r.code, 0, r.out);
  assert.match(
    r.stderr,
    /Warning: kubeplay does not evaluate the CEL rules \(x-kubernetes-validations\) of gadgets\.example\.org: they were not checked/,
  );
});

test("deleting a namespace deletes the custom objects in it", async () => {
  k("create namespace crons");
  apply(MY_CRON, "-n", "crons");
  k("delete namespace crons");
  await eventually(() => /NotFound/.test(kubectl("get ns crons").stderr));
  assert.equal(kubectl("get ct -n crons").stderr, "No resources found in crons namespace.\n");
});

test("the garbage collector deletes what a custom object owns when it is deleted", async () => {
  const uid = k("get ct my-new-cron-object -o jsonpath={.metadata.uid}");
  apply(
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  ownerReferences:\n  - {apiVersion: stable.example.com/v1, kind: CronTab, name: my-new-cron-object, uid: ${uid}}\ndata: {a: b}\n`,
  );
  k("create configmap unowned --from-literal=a=b");
  apply(MY_CRON.replace("my-new-cron-object", "short-lived"));
  k("delete ct short-lived");
  assert.equal(k("get cm owned -o name"), "configmap/owned\n");
  k("delete ct my-new-cron-object");
  await eventually(() => /NotFound/.test(kubectl("get cm owned").stderr));
  assert.equal(k("get cm unowned -o name"), "configmap/unowned\n");
  apply(MY_CRON);
});

test("a pod reads custom objects from the API server with its service account, as RBAC allows", async () => {
  k("create role cron-reader --verb=get,list --resource=crontabs.stable.example.com");
  k("create rolebinding cron-reader --role=cron-reader --serviceaccount=default:default");
  k("run cron-client --image=nginx");
  await eventually(() => k("get pod cron-client -o jsonpath={.status.containerStatuses[0].ready}") === "true");
  const curl = (path) =>
    JSON.parse(
      k([
        "exec",
        "cron-client",
        "--",
        "sh",
        "-c",
        `curl -sk -H "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" https://kubernetes.default.svc${path}`,
      ]),
    );
  const list = curl("/apis/stable.example.com/v1/namespaces/default/crontabs");
  assert.equal(list.kind, "CronTabList");
  assert.deepEqual(
    list.items.map((o) => o.metadata.name),
    ["my-new-cron-object"],
  );
  assert.equal(curl("/apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object").spec.cronSpec, "* * * * */5");
  assert.equal(curl("/apis/example.org/v1/widgets").reason, "Forbidden");
});

test("kubectl 1.32 finds the custom kind through discovery too", () => {
  assert.match(s.k("get ct", { version: "default" }), /^NAME\s+SPEC\s+REPLICAS\s+AGE\nmy-new-cron-object\s/);
});

test("deleting the CRD deletes its objects, and the kind is no longer served", async () => {
  assert.equal(
    k("delete crd crontabs.stable.example.com"),
    'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n',
  );
  assert.match(kubectl("get crd crontabs.stable.example.com").stderr, /NotFound/);
  const gone = await s.api("/apis/stable.example.com/v1/namespaces/default/crontabs");
  assert.equal(gone.status, 404);
  apply(CRONTAB_CRD);
  k("wait --for condition=established --timeout=20s crd/crontabs.stable.example.com");
  const r = kubectl("get ct -A");
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /No resources found/);
});
