// Courses with the deployment's limits on: a class of thirty behind one address starts its sessions
// under a course key, which has its own quota; the teacher's view lists the class with each
// learner's name and progress; an embedded lab of a course may be framed only by the course's origins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Server, request } from "./lib/harness.mjs";

const TEACHER = "teacher-token-0123456789";
const COURSES = {
  "cka-2026": { title: "CKA, spring", sessions: 30, perMinute: 40, origins: ["https://course.example"], teacher: TEACHER },
  "small-1": { title: "Small", sessions: 10, perMinute: 2, origins: [], teacher: "another-teacher-token-01" },
};
let server;

before(async () => {
  server = await Server.start({ SESSION_RATE_LIMIT: "on", MAX_SESSIONS_PER_CLIENT: "3", COURSES: JSON.stringify(COURSES) });
});
after(async () => {
  await server?.stop();
});

const create = (body) =>
  request(`${server.origin}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const remove = (s) =>
  request(`${server.origin}/api/sessions/${s.id}`, { method: "DELETE", headers: { authorization: `Bearer ${s.token}` } });
const classView = (key, token) =>
  request(`${server.origin}/api/courses/${key}/sessions`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test("thirty learners behind one address start under a course key past the per-address cap; the thirty-first is refused by the course's own limit; the address's own places stay free", async () => {
  const started = [];
  try {
    for (let i = 0; i < 30; i++) {
      const res = await create({ course: "cka-2026", learner: `learner ${i + 1}`, nodes: [{ role: "control-plane" }] });
      assert.equal(res.status, 201, `session ${i + 1}: ${res.text}`);
      started.push(res.json);
    }
    const full = await create({ course: "cka-2026", nodes: [{ role: "control-plane" }] });
    assert.equal(full.status, 403, full.text);
    assert.match(full.json.message, /^the course "CKA, spring" has 30 live sessions, its limit; one frees itself when it expires/);
    const own = await create({ nodes: [{ role: "control-plane" }] });
    assert.equal(own.status, 201, `a session outside the course still has the address's places: ${own.text}`);
    started.push(own.json);

    const view = await classView("cka-2026", TEACHER);
    assert.equal(view.status, 200, view.text);
    assert.equal(view.json.course, "CKA, spring");
    assert.deepEqual(view.json.sessions.map((s) => s.learner).sort(), Array.from({ length: 30 }, (_, i) => `learner ${i + 1}`).sort());
    assert.ok(!view.text.includes(started[0].token), "the teacher's view never carries a learner's token");
  } finally {
    await Promise.all(started.map(remove));
  }
});

test("a course's creations a minute are its own limit: 429 with Retry-After past it", async () => {
  const started = [];
  try {
    for (let i = 0; i < 2; i++) {
      const res = await create({ course: "small-1", nodes: [{ role: "control-plane" }] });
      assert.equal(res.status, 201, res.text);
      started.push(res.json);
    }
    const third = await create({ course: "small-1", nodes: [{ role: "control-plane" }] });
    assert.equal(third.status, 429, third.text);
    assert.equal(third.headers["retry-after"], "60");
    assert.equal(third.json.message, 'the course "Small" started 2 sessions in the last minute, its limit; try again in a minute');
  } finally {
    await Promise.all(started.map(remove));
  }
});

test("an unknown course key, a bad learner name and a wrong teacher token are refused", async () => {
  const unknown = await create({ course: "nope" });
  assert.equal(unknown.status, 403);
  assert.equal(unknown.json.message, 'unknown course key "nope": ask the course\'s teacher for the page that embeds its labs');
  const long = await create({ course: "cka-2026", learner: "x".repeat(65) });
  assert.equal(long.status, 422, long.text);
  assert.equal(long.json.details.causes[0].field, "learner");
  assert.equal((await classView("cka-2026", "wrong-token")).status, 401);
  assert.equal((await classView("cka-2026")).status, 401);
  assert.equal((await classView("nope", TEACHER)).status, 404);
});

test("the teacher's view shows each learner's lab and step progress as their cluster verified it", async () => {
  const res = await create({ course: "cka-2026", learner: "Ada", lab: "configmap-as-environment" });
  assert.equal(res.status, 201, res.text);
  const s = res.json;
  try {
    const row = () => classView("cka-2026", TEACHER).then((v) => v.json.sessions.find((x) => x.id === s.id));
    assert.deepEqual((await row()).progress, { verified: 0, total: 1, completed: false, steps: [false] });
    assert.equal((await row()).lab, "configmap-as-environment");
    const auth = { authorization: `Bearer ${s.token}` };
    const solve = [
      "kubectl create cm app-config --from-literal APP_MODE=production --from-literal APP_VERSION=1.0",
      "kubectl apply -f - <<'EOF'",
      "apiVersion: v1",
      "kind: Pod",
      "metadata: { name: app-pod }",
      "spec:",
      "  containers: [{ name: app-pod, image: nginx:1.29.0, envFrom: [{ configMapRef: { name: app-config } }] }]",
      "EOF",
      "kubectl wait --for=condition=Ready pod/app-pod --timeout=60s",
    ].join("\n");
    const ran = await request(`${server.origin}/api/sessions/${s.id}/run`, { method: "POST", headers: auth, body: solve });
    assert.equal(ran.json.exitCode, 0, ran.text);
    const checked = await request(`${server.origin}/api/sessions/${s.id}/lab/steps/1/check`, { method: "POST", headers: auth });
    assert.equal(checked.json.passed, true, checked.text);
    assert.deepEqual((await row()).progress, { verified: 1, total: 1, completed: true, steps: [true] });
  } finally {
    await remove(s);
  }
});

test("a course's embedded lab may be framed only by the course's origins; a course without origins by nobody", async () => {
  const course = await request(`${server.origin}/embed/lab/first-pod?course=cka-2026`);
  assert.equal(course.headers["content-security-policy"], "frame-ancestors https://course.example");
  const none = await request(`${server.origin}/embed/playground?course=small-1`);
  assert.equal(none.headers["content-security-policy"], "frame-ancestors 'none'");
  const plain = await request(`${server.origin}/embed/playground`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers["content-security-policy"], "frame-ancestors *");
});
