// Labs (docs/labs.md) against the real server: every catalogue lab passes `kubeplay lab test` (each
// check fails before its step's solution and passes after it), a lab session's checks run
// server-side and say which condition failed, progress is kept, and bad labs get 422s that name the
// field at fault.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Server, request } from "./lib/harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = join(root, "cli", "kubeplay.mjs");
const catalogue = join(root, "web", "labs");
let server;

before(async () => {
  server = await Server.start();
});
after(async () => {
  await server?.stop();
});

function kubeplay(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, KUBEPLAY_SERVER: server.origin } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

const api = (path, { method = "GET", token, body, type = "application/json" } = {}) =>
  request(`${server.origin}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": type } : {}) },
    body,
  });

for (const file of readdirSync(catalogue).filter((f) => f.endsWith(".yaml"))) {
  test(`catalogue lab ${file}: lint passes, and lab test finds every check failing before its solution and passing after it`, async () => {
    const lint = await kubeplay(["lab", "lint", join(catalogue, file)]);
    assert.equal(lint.code, 0, lint.out);
    assert.match(lint.out, /: ok \(.+: \d+ steps, \d+ checks\)\n$/);
    const run = await kubeplay(["lab", "test", join(catalogue, file), "--clock", "instant"]);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /every step fails before its solution and passes after it\n$/);
  });
}

const killercoda = join(catalogue, "killercoda");
for (const { scenarios } of Object.values(JSON.parse(readFileSync(join(killercoda, "sources.json"), "utf8"))))
  for (const name of Object.keys(scenarios))
    test(`imported Killercoda scenario ${name}: it lints as it is, and its verify script fails before the solution its text gives and passes after it`, async () => {
      const lint = await kubeplay(["lab", "lint", join(killercoda, name)]);
      assert.equal(lint.code, 0, lint.out);
      const run = await kubeplay(["lab", "test", join(killercoda, name), "--clock", "instant"]);
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /every step fails before its solution and passes after it\n$/);
    });

test("a Killercoda scenario inline: intro and steps as Markdown with Run, a step's background runs once the step before passed, and what cannot run is named", async () => {
  const files = {
    "index.json": JSON.stringify({
      title: "Inline scenario",
      details: {
        intro: { text: "intro.md", background: "setup.sh" },
        steps: [
          { title: "Make a namespace", text: "one.md", verify: "one.sh" },
          { title: "Build an image", text: "two.md", verify: "two.sh", background: "two-bg.sh" },
        ],
      },
      backend: { imageid: "kubernetes-kubeadm-1node" },
    }),
    "intro.md": "# Welcome\nStart with `kubectl get nodes`{{exec}}.",
    "setup.sh": "echo ready > /root/setup-done",
    "one.md": "```\nkubectl create namespace work\n```{{exec}}",
    "one.sh": "#!/bin/bash\nset -euo pipefail\n[[ $(kubectl get ns work -o jsonpath='{.status.phase}') == Active ]]",
    "two.md": "Run `docker build -t app .`{{exec}}",
    "two.sh": "test -f /root/step-two-reached",
    "two-bg.sh": "touch /root/step-two-reached",
  };
  const res = await api("/api/sessions?clock=instant", { method: "POST", body: JSON.stringify({ lab: { killercoda: files } }) });
  assert.equal(res.status, 201, res.text);
  const { id, token } = res.json;
  const view = (await api(`/api/sessions/${id}/lab`, { token })).json;
  assert.equal(view.intro, "# Welcome\nStart with `kubectl get nodes`{run}.");
  assert.equal(view.steps[0].text, "```bash {run}\nkubectl create namespace work\n```");
  assert.deepEqual(view.notes, [
    'step 2 "Build an image": uses docker: kubeplay\'s nodes run no container engine: images come from its catalogue',
  ]);
  const run = (script) => api(`/api/sessions/${id}/run`, { method: "POST", token, body: script, type: "text/plain" });
  assert.equal((await run("cat /root/setup-done; ls /root/step-two-reached")).json.stdout, "ready\n");
  const check = async (n) => (await api(`/api/sessions/${id}/lab/steps/${n}/check`, { method: "POST", token })).json;
  assert.equal((await check(2)).passed, false, "step 2's background waits for step 1");
  assert.equal((await check(1)).passed, false);
  await run("kubectl create namespace work");
  assert.equal((await check(1)).passed, true);
  assert.equal((await check(2)).passed, true, "step 1 passed, so step 2's background ran");
  await api(`/api/sessions/${id}`, { method: "DELETE", token });
});

test("checks run one at a time per session: a second check while one runs is a 429 with Retry-After", async () => {
  const lab = {
    title: "Slow check",
    cluster: { nodes: [{ role: "control-plane" }] },
    steps: [{ title: "Wait", text: "x", checks: [{ script: "sleep 2", description: "two seconds pass" }] }],
  };
  const res = await api("/api/sessions", { method: "POST", body: JSON.stringify({ lab }) });
  assert.equal(res.status, 201, res.text);
  const { id, token } = res.json;
  const check = () => api(`/api/sessions/${id}/lab/steps/1/check`, { method: "POST", token });
  const first = check();
  await new Promise((r) => setTimeout(r, 500));
  const second = await check();
  assert.equal(second.status, 429, second.text);
  assert.equal(second.headers["retry-after"], "1");
  assert.equal(second.json.message, "a check is already running in this session: try again when it ends");
  assert.equal((await first).json.passed, true);
  assert.equal((await check()).status, 200, "once it ended, the next check runs");
  await api(`/api/sessions/${id}`, { method: "DELETE", token });
});

test("a lab session: the setup is done before it is handed out, a failing check says which condition failed and why, a passing one marks the step verified for good", async () => {
  const lab = {
    title: "Setup and checks",
    cluster: { nodes: [{ role: "control-plane" }], clock: "instant" },
    setup: {
      manifests: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: given\ndata:\n  colour: blue\n",
      script: "kubectl create namespace work\necho prepared > /root/ready.txt\n",
    },
    steps: [
      {
        title: "Label it",
        text: "Label the ConfigMap `given` with `team=a`.",
        hint: "kubectl label",
        solution: "kubectl label configmap given team=a",
        checks: [
          { field: { kind: "configmap", name: "given", path: "{.data.colour}", equals: "blue" } },
          { field: { kind: "configmap", name: "given", path: "{.metadata.labels.team}", equals: "a" } },
          { exists: { kind: "namespace", name: "work" } },
          { script: "grep -qx prepared /root/ready.txt", description: "the setup's file is there" },
        ],
      },
    ],
    finish: "Done.",
  };
  const created = await api("/api/sessions", { method: "POST", body: JSON.stringify({ lab }) });
  assert.equal(created.status, 201, created.text);
  const { id, token } = created.json;

  const view = await api(`/api/sessions/${id}/lab`, { token });
  assert.equal(view.status, 200, view.text);
  assert.deepEqual(view.json, {
    title: "Setup and checks",
    description: "",
    language: "en",
    steps: [{ number: 1, title: "Label it", text: "Label the ConfigMap `given` with `team=a`.", hint: "kubectl label", verified: false }],
    finish: "Done.",
    progress: { verified: 0, total: 1 },
    completed: false,
  });
  assert.equal(JSON.stringify(view.json).includes("kubectl label configmap"), false, "the page never sees a step's solution");

  const before = await api(`/api/sessions/${id}/lab/steps/1/check`, { method: "POST", token });
  assert.equal(before.status, 200, before.text);
  assert.deepEqual(before.json, {
    step: 1,
    passed: false,
    conditions: [
      { description: 'configmap given has {.data.colour} = "blue"', passed: true },
      { description: 'configmap given has {.metadata.labels.team} = "a"', passed: false },
      { description: "namespace work exists", passed: true },
      { description: "the setup's file is there", passed: true },
    ],
  });

  const solved = await api(`/api/sessions/${id}/run`, {
    method: "POST",
    token,
    body: "kubectl label configmap given team=a",
    type: "text/plain",
  });
  assert.equal(solved.json.exitCode, 0, solved.text);
  const after = await api(`/api/sessions/${id}/lab/steps/1/check`, { method: "POST", token });
  assert.equal(after.json.passed, true, after.text);
  // Undone, the check fails again, but the step stays verified: progress is what was achieved.
  await api(`/api/sessions/${id}/run`, { method: "POST", token, body: "kubectl label configmap given team-", type: "text/plain" });
  const again = await api(`/api/sessions/${id}/lab/steps/1/check`, { method: "POST", token });
  assert.equal(again.json.passed, false);
  const progress = (await api(`/api/sessions/${id}/lab`, { token })).json;
  assert.deepEqual([progress.steps[0].verified, progress.progress, progress.completed], [true, { verified: 1, total: 1 }, true]);

  assert.equal((await api(`/api/sessions/${id}/lab/steps/2/check`, { method: "POST", token })).status, 404);
  assert.equal((await api(`/api/sessions/${id}/lab/steps/1/check`, { method: "POST", token: "kp1.nope" })).status, 401);
  assert.equal((await api(`/api/sessions/${id}/lab`)).status, 401);
});

test("a lab's own lifetime sets its session's, unless the request names one", async () => {
  const lab = {
    title: "Short",
    cluster: { nodes: [{ role: "control-plane" }], lifetime: "20m" },
    steps: [{ title: "Look", text: "Look.", checks: [{ exists: { kind: "namespace", name: "default" } }] }],
  };
  const lifetimeOf = async (body) => {
    const r = await api("/api/sessions", { method: "POST", body: JSON.stringify(body) });
    assert.equal(r.status, 201, r.text);
    await api(`/api/sessions/${r.json.id}`, { method: "DELETE", token: r.json.token });
    return Math.round((Date.parse(r.json.expiresAt) - Date.parse(r.json.createdAt)) / 60_000);
  };
  assert.equal(await lifetimeOf({ lab }), 20);
  assert.equal(await lifetimeOf({ lab, lifetime: "45m" }), 45);
});

test("a failing condition shows what its script printed; a session without a lab has none", async () => {
  const lab = {
    title: "Missing",
    cluster: { nodes: [{ role: "control-plane" }], clock: "instant" },
    steps: [{ title: "Make it", text: "Create deployment web.", checks: [{ exists: { kind: "deployment", name: "web" } }] }],
  };
  const { id, token } = (await api("/api/sessions", { method: "POST", body: JSON.stringify({ lab }) })).json;
  const check = await api(`/api/sessions/${id}/lab/steps/1/check`, { method: "POST", token });
  assert.deepEqual(check.json.conditions, [
    { description: "deployment web exists", passed: false, output: 'Error from server (NotFound): deployments.apps "web" not found\n' },
  ]);
  const plain = (
    await api("/api/sessions", { method: "POST", body: JSON.stringify({ clock: "instant", nodes: [{ role: "control-plane" }] }) })
  ).json;
  const none = await api(`/api/sessions/${plain.id}/lab`, { token: plain.token });
  assert.equal(none.status, 404);
  assert.equal(none.json.message, `session ${plain.id} runs no lab`);
});

test("bad labs are refused with 422s naming each field at fault, before anything starts; lint says the same from the command line", async () => {
  const unknown = await api("/api/sessions", { method: "POST", body: JSON.stringify({ lab: "no-such-lab" }) });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.json.message, 'invalid session request: lab: Not found: "no-such-lab": no lab of that name in the catalogue');
  const bad = await api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({
      lab: {
        title: "",
        cluster: { nodes: [{ role: "worker" }], clock: "fast", lifetime: "soon" },
        steps: [{ title: "a", text: "b", checks: [{ exists: { kind: "pod" } }, { count: { kind: "pods", equals: -1 } }, { frob: 1 }] }],
        extra: true,
      },
    }),
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(
    bad.json.details.causes.map((c) => `${c.field}: ${c.message}`).sort(),
    [
      "lab.extra: unknown field (allowed: title, description, language, intro, cluster, setup, steps, finish)",
      "lab.cluster.nodes: must have exactly one control-plane node, first",
      'lab.cluster.lifetime: Invalid value: "soon": must be a duration such as 90m or 4h',
      "lab.steps[0].checks[0].exists.name: required",
      "lab.steps[0].checks[1].count.equals: must be a whole number, 0 or more",
      "lab.steps[0].checks[1].count: must have one of equals, atLeast",
      "lab.steps[0].checks[2].frob: unknown field (allowed: script, exists, field, count, event, request, description)",
      "lab.steps[0].checks[2]: must have exactly one of script, exists, field, count, event, request",
      "lab.title: must not be empty",
      'lab.cluster.clock: Unsupported value: "fast": supported values: "realistic", "instant"',
    ].sort(),
  );
  const yaml = await api("/api/labs/lint", { method: "POST", body: "title: [unclosed", type: "application/yaml" });
  assert.equal(yaml.status, 422);
  assert.match(yaml.json.message, /^invalid lab: lab: invalid YAML: /);

  const dir = mkdtempSync(join(tmpdir(), "kubeplay-lab-"));
  writeFileSync(join(dir, "lab.yaml"), "title: Broken\nsteps:\n  - title: one\n    text: two\n    checks: []\n");
  const lint = await kubeplay(["lab", "lint", join(dir, "lab.yaml")]);
  assert.equal(lint.code, 1);
  assert.equal(
    lint.out,
    `${join(dir, "lab.yaml")}: steps[0].checks: a step needs at least one check\nERROR: ${join(dir, "lab.yaml")} is not a valid lab\n`,
  );
});
