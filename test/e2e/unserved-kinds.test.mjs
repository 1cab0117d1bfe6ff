// Kinds a real v1.33 cluster serves and kubeplay does not, with the real kubectl: every verb answers a
// Status that names kubeplay and the kind (not kubectl's "ensure CRDs are installed first"), the rest
// of a manifest still applies, `api-resources` leaves them out as it leaves out any verb-less
// resource, and a kind no cluster serves keeps kubectl's own message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server } from "./lib/harness.mjs";

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

const CSR = `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: myuser
spec:
  request: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
`;
const CSR_MESSAGE =
  "kubeplay does not serve CertificateSigningRequest (certificates.k8s.io/v1) yet: no certificates are signed here; act as another user with `kubectl --as=<user>`";

test("kubectl apply of an unserved kind prints kubeplay's reason and exits 1", () => {
  const r = kubectl(["apply", "-f", "-"], { input: CSR });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `Error from server (MethodNotAllowed): error when creating "STDIN": ${CSR_MESSAGE}`);
  assert.doesNotMatch(r.out, /ensure CRDs are installed/);
});

test("a manifest with an unserved kind still applies its served objects", () => {
  const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: beside-the-csr\ndata:\n  a: b\n";
  const r = kubectl(["apply", "-f", "-"], { input: `${CSR}---\n${cm}` });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "configmap/beside-the-csr created\n");
  assert.match(r.stderr, /kubeplay does not serve CertificateSigningRequest/);
  assert.equal(kubectl("get configmap beside-the-csr -o jsonpath={.data.a}").stdout, "b");
});

test("reads of an unserved kind are NotFound with the reason; writes are MethodNotAllowed with it", () => {
  assert.equal(kubectl("get csr myuser").stderr.trim(), `Error from server (NotFound): ${CSR_MESSAGE}`);
  assert.equal(
    kubectl("get certificatesigningrequests").stderr.trim(),
    `Error from server (NotFound): Unable to list "certificates.k8s.io/v1, Resource=certificatesigningrequests": ${CSR_MESSAGE}`,
  );
  assert.equal(kubectl("delete csr myuser").stderr.trim(), `Error from server (MethodNotAllowed): ${CSR_MESSAGE}`);
  const va = kubectl("get volumeattachments");
  assert.equal(va.code, 1);
  assert.match(va.stderr, /kubeplay does not serve VolumeAttachment \(storage\.k8s\.io\/v1\) yet: no CSI driver runs here/);
});

test("the raw API answers an unserved kind with a Status naming kubeplay and the kind, and lists it with no verbs", () => {
  const r = kubectl(["create", "--raw", "/apis/certificates.k8s.io/v1/certificatesigningrequests", "-f", "-"], { input: "{}" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\(MethodNotAllowed\).*kubeplay does not serve CertificateSigningRequest \(certificates\.k8s\.io\/v1\)/);
  const get = kubectl("get --raw /apis/certificates.k8s.io/v1/certificatesigningrequests/myuser");
  assert.equal(get.code, 1);
  assert.match(get.stderr, /\(NotFound\).*kubeplay does not serve CertificateSigningRequest/);
  const list = JSON.parse(kubectl("get --raw /apis/certificates.k8s.io/v1").stdout);
  const csr = list.resources.find((x) => x.name === "certificatesigningrequests");
  assert.deepEqual(csr, {
    name: "certificatesigningrequests",
    singularName: "certificatesigningrequest",
    namespaced: false,
    kind: "CertificateSigningRequest",
    verbs: [],
    shortNames: ["csr"],
  });
});

test("api-resources leaves the verb-less unserved kinds out; api-versions lists their groups", () => {
  const resources = kubectl("api-resources -o name").stdout.split("\n");
  assert.ok(resources.includes("pods"));
  assert.ok(!resources.includes("certificatesigningrequests.certificates.k8s.io"));
  assert.ok(!resources.includes("volumeattachments.storage.k8s.io"));
  assert.ok(resources.includes("storageclasses.storage.k8s.io"));
  assert.match(kubectl("api-versions").stdout, /^certificates\.k8s\.io\/v1$/m);
});

test("a kind no Kubernetes serves keeps kubectl's own message", () => {
  const r = kubectl(["apply", "-f", "-"], { input: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no matches for kind "Widget" in version "example.com\/v1"/);
});
