// The web console in headless Chromium (Debian's, installed by scripts/ensure-chromium.mjs when
// missing) against the real server: the start page, the session page's live map, reload, expiry,
// the phone layout, and axe-core's serious and critical findings. Writes the screenshots the README
// shows to docs/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Server, Session, request } from "../e2e/lib/harness.mjs";
import { ensureChromium } from "../../scripts/ensure-chromium.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(root, "docs", "screenshots");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let server;
let browser;
const TEACHER = "teacher-token-for-the-browser-test";
const COURSES = {
  "class-1": { title: "Class one", sessions: 30, perMinute: 30, origins: ["http://127.0.0.1:*"], teacher: TEACHER },
  "class-of-one": { title: "Class of one", sessions: 1, perMinute: 30, origins: ["http://127.0.0.1:*"], teacher: TEACHER },
};

before(async () => {
  mkdirSync(shots, { recursive: true });
  [server, browser] = await Promise.all([
    Server.start({ COURSES: JSON.stringify(COURSES) }),
    chromium.launch({ executablePath: ensureChromium(), args: ["--ignore-certificate-errors"] }),
  ]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ viewport, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, errors, context };
}

/** The session a page holds (from its sessionStorage), with a kubeconfig for the real kubectl. */
async function sessionOf(page) {
  const id = new URL(page.url()).pathname.split("/")[2];
  const s = JSON.parse(await page.evaluate((id) => sessionStorage.getItem(`kubeplay:${id}`), id));
  const kc = await request(`${server.origin}/api/sessions/${id}/kubeconfig`, { headers: { authorization: `Bearer ${s.token}` } });
  assert.equal(kc.status, 200, kc.text);
  return new Session(server, { ...s, kubeconfig: kc.text });
}

/** axe-core's serious and critical violations on the page as it is now. */
async function accessibilityViolations(page) {
  // Colours are judged at rest: a pod fading in is not low contrast (a blinking cursor never rests).
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY)
        .map((a) => a.finished.catch(() => {})),
    ),
  );
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

const liveCount = async () => (await request(`${server.origin}/api/sessions`)).json.sessions.length;

test("the start page starts exactly one cluster for a double click and opens its page with every node Ready on the map", async () => {
  const { page, errors, context } = await newPage();
  await page.goto(`${server.origin}/`);
  await page.screenshot({ path: join(shots, "start.png") });
  assert.deepEqual(await accessibilityViolations(page), []);
  const before = await liveCount();
  await page.locator("#workers").selectOption("2");
  await page.locator("#go").dblclick();
  await page.waitForURL(/\/s\/[a-z2-7]{16}$/);
  assert.equal(await liveCount(), before + 1, "one cluster for two clicks");
  // The token left the address bar for the tab's storage.
  assert.doesNotMatch(page.url(), /token/);
  for (const node of ["controlplane", "node01", "node02"]) {
    await page.locator(`[data-node="${node}"] .nstate`, { hasText: /^Ready$/ }).waitFor({ timeout: 15_000 });
  }
  await page.locator('[data-pod^="kube-system/kube-apiserver-"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a Deployment made with the real kubectl appears on the map pod by pod, under its node and its ReplicaSet, its Service opens through the proxy in a new tab, and the page survives a reload", async () => {
  const { page, errors, context } = await newPage();
  await page.goto(`${server.origin}/`);
  await page.locator("#go").click();
  await page.waitForURL(/\/s\//);
  await page.locator('[data-node="node01"]').waitFor();
  const s = await sessionOf(page);
  s.k(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3"]);
  s.k(["expose", "deployment", "web", "--port=80"]);
  const ready = page.locator('.node [data-pod^="default/web-"].ready');
  await page.waitForFunction(() => document.querySelectorAll('.node [data-pod^="default/web-"].ready').length === 3, undefined, {
    timeout: 30_000,
  });
  assert.equal(await ready.count(), 3);
  // Each pod is drawn on the node kubectl says it runs on.
  const wide = s
    .k(["get", "pods", "-l", "app=web", "-o", 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}'])
    .trim()
    .split("\n");
  for (const line of wide) {
    const [pod, node] = line.split(" ");
    assert.equal(await page.locator(`[data-node="${node}"] [data-pod="default/${pod}"]`).count(), 1, `${pod} on ${node}`);
  }
  await page.locator(".deploy", { hasText: "deployment/web 3/3" }).waitFor();
  await page.locator(".svc", { hasText: "service/web" }).locator(".ep.ready").nth(2).waitFor();
  // A pod clicked on the map is described as kubectl describes it, or shown as YAML.
  await page.locator('.node [data-pod^="default/web-"]').first().click();
  const details = page.locator("#details-yaml");
  await details.filter({ hasText: /^Name:\s+web-/ }).waitFor();
  assert.match(await details.textContent(), /\nControlled By:\s+ReplicaSet\/web-[a-z0-9]+\n/);
  await page.locator("#details-as-yaml").click();
  await details.filter({ hasText: /^apiVersion: v1\nkind: Pod\n/ }).waitFor();
  await page.locator("#details-close").click();
  await page.screenshot({ path: join(shots, "map.png"), fullPage: true });
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: join(shots, "map-dark.png") });
  assert.deepEqual(await accessibilityViolations(page), [], "dark theme");
  await page.emulateMedia({ colorScheme: "light" });

  // "open :80" shows the Service through the API server proxy in a new tab; the cookie that lets
  // it is good for proxy GETs only.
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    page.locator(".svc", { hasText: "service/web" }).locator("a.open").click(),
  ]);
  await tab.waitForLoadState();
  assert.match(await tab.locator("h1").textContent(), /Welcome to nginx!/);
  assert.match(tab.url(), new RegExp(`/clusters/${s.id}/api/v1/namespaces/default/services/web:80/proxy/$`));
  await tab.close();
  const withCookie = (path, method = "GET") =>
    context.request.fetch(`${server.origin}/clusters/${s.id}${path}`, { method, failOnStatusCode: false });
  assert.equal((await withCookie("/api/v1/namespaces/default/services/web:80/proxy/")).status(), 200);
  assert.equal((await withCookie("/api/v1/namespaces/default/pods")).status(), 401);
  assert.equal((await withCookie("/api/v1/namespaces/default/services/web:80/proxy/", "POST")).status(), 401);

  await page.reload();
  await page.locator(".deploy", { hasText: "deployment/web 3/3" }).waitFor();
  assert.match(await page.locator("#cluster-id").textContent(), new RegExp(`^${s.id}$`));
  assert.deepEqual(errors, []);
  await context.close();
});

test("at expiry the session page says the cluster is gone and offers a new one", async () => {
  const res = await request(`${server.origin}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ lifetime: "4s", nodes: [{ role: "control-plane" }] }),
  });
  assert.equal(res.status, 201, res.text);
  const { page, context } = await newPage();
  await page.goto(`${server.origin}/s/${res.json.id}#token=${encodeURIComponent(res.json.token)}&expires=${res.json.expiresAt}&nodes=1`);
  await page.locator('[data-node="controlplane"]').waitFor();
  const gone = page.locator("#gone");
  await gone.waitFor({ state: "visible", timeout: 15_000 });
  assert.match(await page.locator("#gone-text").textContent(), new RegExp(`Cluster ${res.json.id} reached the end of its lifetime`));
  assert.equal(await page.locator("#again").textContent(), "Start a new cluster");
  await context.close();
});

test("on a phone-sized screen the terminal, the map and the kubectl instructions are tabs", async () => {
  const { page, context } = await newPage({ width: 390, height: 800 });
  await page.goto(`${server.origin}/`);
  await page.locator("#go").click();
  await page.waitForURL(/\/s\//);
  await page.locator(".xterm-rows", { hasText: "controlplane $" }).waitFor();
  assert.equal(await page.locator("#map-pane").isVisible(), false);
  assert.equal(await page.locator("#kubectl-pane").isVisible(), false);
  // The terminal fits the phone: a line as wide as the screen wraps within it.
  await page.locator(".xterm-helper-textarea").focus();
  await page.keyboard.type("kubectl get nodes\r");
  await page.locator(".xterm-rows", { hasText: /node01\s+Ready/ }).waitFor();
  const terminal = await page.locator("#terminal-pane .xterm-screen").boundingBox();
  assert.ok(terminal && terminal.x >= 0 && terminal.x + terminal.width <= 390, `the terminal spans ${JSON.stringify(terminal)}`);
  await page.screenshot({ path: join(shots, "phone-terminal.png") });
  await page.locator("#tab-map").click();
  await page.locator('[data-node="node01"]').waitFor();
  assert.equal(await page.locator("#terminal-pane").isVisible(), false);
  await page.screenshot({ path: join(shots, "phone.png") });
  await page.locator("#tab-kubectl").click();
  assert.equal(await page.locator("#kubectl-pane").isVisible(), true);
  assert.equal(await page.locator("#map-pane").isVisible(), false);
  assert.match(await page.locator("#oneliner").textContent(), /curl -sk -H "Authorization: Bearer kp1\./);
  await context.close();
});

/** What the terminal shows now, row by row. */
const screen = (page) => page.locator(".xterm-rows").innerText();

test("the terminal opens at a controlplane $ prompt whose kubectl creates what the map and the real kubectl see, and a reload logs in again where the learner was", async () => {
  const { page, errors, context } = await newPage();
  await page.goto(`${server.origin}/`);
  await page.locator("#go").click();
  await page.waitForURL(/\/s\//);
  const rows = page.locator(".xterm-rows");
  await rows.filter({ hasText: "controlplane $" }).waitFor();
  await page.keyboard.type("mkdir lab && cd lab && kubectl create deployment hello --image=nginx:1.27 --replicas=2\n");
  await rows.filter({ hasText: "deployment.apps/hello created" }).waitFor();
  await page.locator(".deploy", { hasText: "deployment/hello" }).waitFor();
  const s = await sessionOf(page);
  assert.match(s.k(["get", "deployment", "hello", "-o", "jsonpath={.spec.replicas}"]), /^2$/);
  await page.keyboard.type("kubectl get deploy hello\n");
  await rows.filter({ hasText: /hello\s+\d\/2/ }).waitFor();
  // Ctrl-C ends a running command and the prompt comes back.
  await page.keyboard.type("sleep 30\n");
  await page.keyboard.press("Control+C");
  await page.keyboard.type("echo status=$?\n");
  await rows.filter({ hasText: "status=130" }).waitFor();
  await page.screenshot({ path: join(shots, "terminal.png") });
  assert.deepEqual(await accessibilityViolations(page), []);

  await page.reload();
  await rows.filter({ hasText: "controlplane $" }).waitFor();
  await page.keyboard.type("pwd\n");
  await rows.filter({ hasText: "/root/lab" }).waitFor();
  assert.match(await screen(page), /controlplane \$ pwd\s+\/root\/lab/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a here-document typed in the terminal applies a Deployment whose pods appear on the map; ssh node01 and systemctl stop kubelet turn node01 NotReady on the map and its pods move to the other worker", async () => {
  const res = await request(`${server.origin}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clock: "instant", nodes: [{ role: "control-plane" }, { role: "worker" }, { role: "worker" }] }),
  });
  assert.equal(res.status, 201, res.text);
  const { page, errors, context } = await newPage();
  await page.goto(`${server.origin}/s/${res.json.id}#token=${encodeURIComponent(res.json.token)}&expires=${res.json.expiresAt}&nodes=3`);
  const rows = page.locator(".xterm-rows");
  await rows.filter({ hasText: "controlplane $" }).waitFor({ timeout: 20_000 });
  for (const line of [
    "cat <<EOF | kubectl apply -f -",
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: web",
    "spec:",
    "  replicas: 4",
    "  selector:",
    "    matchLabels: {app: web}",
    "  template:",
    "    metadata:",
    "      labels: {app: web}",
    "    spec:",
    "      containers:",
    "      - name: nginx",
    "        image: nginx:1.27",
    "EOF",
  ])
    await page.keyboard.type(`${line}\n`);
  await rows.filter({ hasText: "deployment.apps/web created" }).waitFor();
  const webPods = (node) => `.node${node ? `[data-node="${node}"]` : ""} [data-pod^="default/web-"]`;
  await page.waitForFunction((sel) => document.querySelectorAll(`${sel}.ready`).length === 4, webPods(), { timeout: 30_000 });

  await page.keyboard.type("ssh node01\n");
  await rows.filter({ hasText: "node01 $" }).waitFor();
  await page.keyboard.type("systemctl stop kubelet; exit\n");
  await page.locator('[data-node="node01"].notready').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('[data-node="node01"]').getAttribute("aria-label"), /^node node01, (NotReady|Unknown)/);
  // The node controller evicts them; the ReplicaSet makes them again where kubelets still run.
  await page.waitForFunction(
    ([all, dead]) =>
      document.querySelectorAll(`${all}.ready`).length === 4 &&
      [...document.querySelectorAll(dead)].every((chip) => chip.classList.contains("terminating")),
    [webPods(), webPods("node01")],
    { timeout: 60_000 },
  );
  assert.equal(await page.locator(`${webPods("node02")}.ready`).count(), 4);
  assert.deepEqual(errors, []);
  await context.close();
});

test("vi opens the editor pane and :wq writes the file; kubectl edit applies a change, and reopens with the server's reasons when it is refused", async () => {
  const { page, errors, context } = await newPage();
  await page.goto(`${server.origin}/`);
  await page.locator("#go").click();
  await page.waitForURL(/\/s\//);
  const rows = page.locator(".xterm-rows");
  await rows.filter({ hasText: "controlplane $" }).waitFor();
  await page.keyboard.type("vi note.txt\n");
  const editor = page.locator(".editor-pane .cm-content");
  await editor.waitFor();
  await page.keyboard.type("ihello from vim");
  await page.keyboard.press("Escape");
  await page.keyboard.type(":wq\n");
  await page.locator(".editor-pane").waitFor({ state: "detached" });
  await page.keyboard.type("cat note.txt\n");
  await rows.filter({ hasText: /cat note\.txt\s*hello from vim/ }).waitFor();

  await page.keyboard.type("kubectl create deployment web --image=nginx:1.27\n");
  await rows.filter({ hasText: "deployment.apps/web created" }).waitFor();
  await page.keyboard.type("kubectl edit deployment web\n");
  await editor.waitFor();
  assert.match(await editor.innerText(), /^# Please edit the object below\. Lines beginning with a '#' will be ignored,/);
  await page.keyboard.type("/replicas: 1\n$r-a1");
  await page.keyboard.press("Escape");
  await page.keyboard.type(":wq\n");
  // Refused: the file comes back with the reason on top.
  await editor.filter({ hasText: 'deployments.apps "web" was not valid:' }).waitFor();
  assert.match(await editor.innerText(), /# \* spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
  await page.screenshot({ path: join(shots, "editor.png") });
  await page.keyboard.type("/replicas: -1\n$hxr3");
  await page.keyboard.type(":wq\n");
  await rows.filter({ hasText: "deployment.apps/web edited" }).waitFor();
  const s = await sessionOf(page);
  assert.equal(s.k(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]), "3");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a lab from the start page opens beside the terminal; Run types a step's block into the terminal, and Check turns green only once the cluster satisfies it", async () => {
  const { page, errors, context } = await newPage({ width: 1500, height: 900 });
  await page.goto(`${server.origin}/`);
  await page.locator('#labs button[data-lab="hello-node"]').click();
  await page.waitForURL(/\/s\/[a-z2-7]{16}$/);
  await page.locator("#lab-pane h2", { hasText: "Hello Node" }).waitFor();
  assert.equal(await page.locator("#lab-pane .step").count(), 5);
  assert.equal(await page.title(), "Hello Node — kubeplay");
  await page.locator(".xterm-rows", { hasText: "controlplane $" }).waitFor();

  // Before anything is done the first step's check fails, saying which condition does not hold.
  const first = page.locator("#lab-pane .step").first();
  await first.locator('button[data-step="1"]').click();
  await first.locator(".result .not-yet").waitFor();
  assert.match(
    await first.locator(".conditions .failed").first().innerText(),
    /deployment hello-node exists\s+Error from server \(NotFound\)/,
  );
  assert.equal(await first.getAttribute("class"), "step");

  // Run types the block at the prompt; the check passes once the pod is Ready.
  await first.locator(".codeblock button", { hasText: "Run" }).first().click();
  await page.locator(".xterm-rows", { hasText: "deployment.apps/hello-node created" }).waitFor({ timeout: 15_000 });
  for (let i = 0; i < 60 && (await first.locator(".result .ok").count()) === 0; i++) {
    await first.locator('button[data-step="1"]').click();
    await page.waitForFunction((el) => !el.disabled, await first.locator('button[data-step="1"]').elementHandle());
    if ((await first.locator(".result .ok").count()) === 0) await page.waitForTimeout(1000);
  }
  await first.locator(".result .ok", { hasText: "Done." }).waitFor();
  assert.equal(await first.getAttribute("class"), "step verified");
  assert.equal(await page.locator("#lab-pane .progress").innerText(), "1 of 5 steps done");
  await page.screenshot({ path: join(shots, "lab.png") });
  assert.deepEqual(await accessibilityViolations(page), []);

  // The progress is the server's: a reload shows the step verified.
  await page.reload();
  await page.locator("#lab-pane .step.verified").first().waitFor();
  assert.equal(await page.locator("#lab-pane .progress").innerText(), "1 of 5 steps done");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a course page on another site embeds a lab with embed.js: the frame starts the lab's session, and the page hears session-started and step-verified only from kubeplay's frame", async () => {
  const { page, errors, context } = await newPage({ width: 1400, height: 1000 });
  // The course site: a server of its own on another port, so another origin than kubeplay's.
  const html = readFileSync(join(root, "web", "examples", "course.html"), "utf8").replace(
    'src="/embed.js"',
    `src="${server.origin}/embed.js"`,
  );
  const site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  await page.goto(`http://127.0.0.1:${site.address().port}/lesson-2.html`);
  await page.locator("#progress li", { hasText: /^cluster [a-z2-7]{16} started$/ }).waitFor({ timeout: 20_000 });
  // A message from another frame or origin is not passed on as kubeplay's.
  await page.evaluate(() => window.postMessage({ source: "kubeplay", type: "lab-completed" }, "*"));

  const lab = page.frameLocator("iframe.kubeplay");
  await lab.locator("#lab-pane h2", { hasText: "Hello Node" }).waitFor();
  await lab.locator(".xterm-rows", { hasText: "controlplane $" }).waitFor();
  const first = lab.locator("#lab-pane .step").first();
  await first.locator(".codeblock button", { hasText: "Run" }).first().click();
  await lab.locator(".xterm-rows", { hasText: "deployment.apps/hello-node created" }).waitFor({ timeout: 15_000 });
  for (let i = 0; i < 90 && (await first.locator(".result .ok").count()) === 0; i++) {
    await first.locator('button[data-step="1"]').click();
    await first.locator('button[data-step="1"]:not([disabled])').waitFor();
    if ((await first.locator(".result .ok").count()) === 0) await page.waitForTimeout(1000);
  }
  await page.locator("#progress li", { hasText: "step 1 done" }).waitFor();
  assert.deepEqual(
    (await page.locator("#progress li").allInnerTexts()).map((t) => t.replace(/[a-z2-7]{16}/, "<id>")),
    ["cluster <id> started", "step 1 done"],
  );
  await page.screenshot({ path: join(shots, "embed.png") });

  const framed = await request(`${server.origin}/embed/lab/hello-node`);
  assert.equal(framed.headers["content-security-policy"], "frame-ancestors *");
  assert.deepEqual(errors, []);
  await context.close();
  site.close();
});

test("a course's embedded lab asks the learner's name, and the teacher's page lists the learner with the lab and its progress", async () => {
  const { page, errors, context } = await newPage({ width: 1400, height: 1000 });
  const html = `<!doctype html><html lang="en"><title>Lesson</title><main><h1>Lesson</h1>
    <div data-kubeplay-lab="first-pod" data-kubeplay-course="class-1"></div>
    <script src="${server.origin}/embed.js"></script></main></html>`;
  const site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  const frame = page.frameLocator("iframe.kubeplay");
  await frame.locator("#learner-name").fill("Ada Lovelace");
  await frame.locator("form.learner button[type=submit]").click();
  await frame.locator("#lab-pane h2", { hasText: "Your first Pod" }).waitFor({ timeout: 20_000 });

  const teacher = await context.newPage();
  await teacher.goto(`${server.origin}/teacher`);
  await teacher.locator("#key").fill("class-1");
  await teacher.locator("#token").fill(TEACHER);
  await teacher.locator("#course button[type=submit]").click();
  const row = teacher.locator("#rows tr", { hasText: "Ada Lovelace" });
  await row.waitFor();
  assert.match(await row.innerText(), /Ada Lovelace\s+first-pod\s+.+\s+0 of \d+ ·+/);
  assert.equal(await teacher.locator("#class-h").innerText(), "Class one: 1 live session");
  assert.doesNotMatch(teacher.url(), /token|teacher-token/);
  await teacher.screenshot({ path: join(shots, "teacher.png") });
  assert.deepEqual(await accessibilityViolations(teacher), []);

  await teacher.locator("#token").fill("not-the-token");
  await teacher.locator("#course button[type=submit]").click();
  await teacher.locator("#refusal", { hasText: "That teacher token is not this course's." }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
  site.close();
});

/** A course site on its own origin serving one page; resolves with the page's URL and a close(). */
async function courseSite(html) {
  const site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${site.address().port}/`, close: () => site.close() };
}

/** A host page embedding one frame with these attributes, that lists the events it hears in #heard. */
const hostPage = (attributes) => `<!doctype html><html lang="en"><title>Lesson</title><main><h1>Lesson</h1>
  <div id="lab" ${attributes} data-height="420px"></div><ol id="heard"></ol>
  <script src="${server.origin}/embed.js"></script>
  <script>
    for (const type of ["session-started", "step-verified", "lab-completed", "session-expired"])
      document.getElementById("lab").addEventListener("kubeplay:" + type, (e) => {
        const li = document.createElement("li");
        li.textContent = type + " " + e.detail.session;
        document.getElementById("heard").append(li);
      });
  </script></main></html>`;

test("an embedded playground with data-kubeplay-lifetime tells the host page session-expired when its cluster reaches the end of its lifetime", async () => {
  const { page, errors, context } = await newPage();
  const site = await courseSite(hostPage('data-kubeplay-playground data-kubeplay-lifetime="8s"'));
  await page.goto(site.url);
  const started = page.locator("#heard li", { hasText: /^session-started [a-z2-7]{16}$/ });
  await started.waitFor({ timeout: 20_000 });
  const id = (await started.innerText()).split(" ")[1];
  const liveIds = async () => (await request(`${server.origin}/api/sessions`)).json.sessions.map((x) => x.id);
  assert.ok((await liveIds()).includes(id));
  const frame = page.frameLocator("iframe.kubeplay");
  await frame.locator(".xterm-rows", { hasText: "controlplane $" }).waitFor({ timeout: 20_000 });
  await page.locator("#heard li", { hasText: `session-expired ${id}` }).waitFor({ timeout: 20_000 });
  await frame.locator("#gone", { hasText: `Cluster ${id} reached the end of its lifetime` }).waitFor();
  assert.ok(!(await liveIds()).includes(id), `${id} is still live`);
  assert.deepEqual(errors, []);
  await context.close();
  site.close();
});

test("a course's embedded frame that would pass the course's live-session limit says so in the course's words, and the host page hears no session-started", async () => {
  const site = await courseSite(hostPage('data-kubeplay-playground data-kubeplay-course="class-of-one"'));
  const learner = async () => {
    const { page, errors, context } = await newPage({ width: 900, height: 700 });
    await page.goto(site.url);
    const frame = page.frameLocator("iframe.kubeplay");
    await frame.locator("form.learner button[type=submit]").click();
    return { page, frame, errors, context };
  };
  const first = await learner();
  await first.page.locator("#heard li", { hasText: /^session-started / }).waitFor({ timeout: 20_000 });
  const second = await learner();
  const banner = second.frame.locator("#banner");
  await banner.waitFor({ state: "visible", timeout: 20_000 });
  assert.match(
    await banner.innerText(),
    /^The cluster could not be started: the course "Class of one" has 1 live sessions, its limit; one frees itself when it expires \(the next at .+\)$/,
  );
  assert.equal(await second.page.locator("#heard li").count(), 0);
  for (const l of [first, second]) {
    assert.deepEqual(l.errors, []);
    await l.context.close();
  }
  site.close();
});
