// A class at once: thirty learners behind one address (here all 127.0.0.1) open a course page that
// embeds a lab under the course's key, in headless Chromium, against a server with a deployment's
// per-address limits on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { chromium } from "playwright-core";
import { Server, request } from "../e2e/lib/harness.mjs";
import { ensureChromium } from "../../scripts/ensure-chromium.mjs";

const CLASS = 30;
const TEACHER = "teacher-token-for-the-classroom-test";
const COURSES = {
  "class-of-30": { title: "Class of thirty", sessions: CLASS, perMinute: CLASS, origins: ["http://127.0.0.1:*"], teacher: TEACHER },
};
let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([
    Server.start({ COURSES: JSON.stringify(COURSES), SESSION_RATE_LIMIT: "on", MAX_SESSIONS_PER_CLIENT: "5" }),
    chromium.launch({ executablePath: ensureChromium(), args: ["--ignore-certificate-errors"] }),
  ]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("thirty learners behind one address open the course page at once: each gets a session of its own under the course key, none twice, and the teacher's page lists all thirty by name", async (t) => {
  const html = `<!doctype html><html lang="en"><title>Lesson</title><main><h1>Lesson</h1>
    <div id="lab" data-kubeplay-lab="first-pod" data-kubeplay-course="class-of-30" data-height="600px"></div><ol id="heard"></ol>
    <script src="${server.origin}/embed.js"></script>
    <script>
      document.getElementById("lab").addEventListener("kubeplay:session-started", (e) => {
        const li = document.createElement("li");
        li.textContent = e.detail.session;
        document.getElementById("heard").append(li);
      });
    </script></main></html>`;
  const site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  const creations = []; // the status of every POST /api/sessions the pages sent, retries included
  const learners = await Promise.all(
    Array.from({ length: CLASS }, async (_, i) => {
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, ignoreHTTPSErrors: true });
      context.on("response", (res) => {
        if (res.request().method() === "POST" && new URL(res.url()).pathname === "/api/sessions") creations.push(res.status());
      });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${site.address().port}/`);
      const frame = page.frameLocator("iframe.kubeplay");
      await frame.locator("#learner-name").fill(`Learner ${i + 1}`);
      await frame.locator("form.learner button[type=submit]").click();
      const started = page.locator("#heard li");
      await started.waitFor({ timeout: 120_000 });
      await frame.locator("#lab-pane h2", { hasText: "Your first Pod" }).waitFor({ timeout: 60_000 });
      return { context, errors, id: await started.innerText() };
    }),
  );
  try {
    const ids = learners.map((l) => l.id);
    assert.equal(new Set(ids).size, CLASS, `distinct sessions: ${ids.join(" ")}`);
    for (const l of learners) assert.deepEqual(l.errors, []);
    // The address's own places are untouched by the class.
    assert.deepEqual((await request(`${server.origin}/api/sessions`)).json.sessions, []);

    const teacher = await learners[0].context.newPage();
    await teacher.goto(`${server.origin}/teacher`);
    await teacher.locator("#key").fill("class-of-30");
    await teacher.locator("#token").fill(TEACHER);
    await teacher.locator("#course button[type=submit]").click();
    await teacher.locator("#class-h", { hasText: `Class of thirty: ${CLASS} live sessions` }).waitFor();
    const names = await teacher.locator("#rows tr td:first-child").allInnerTexts();
    assert.deepEqual(names.sort(), Array.from({ length: CLASS }, (_, i) => `Learner ${i + 1}`).sort());
    const retried = creations.filter((code) => code !== 201);
    t.diagnostic(`${creations.length} creation requests for ${CLASS} sessions; retried after: ${retried.join(", ") || "none"}`);
  } finally {
    await Promise.all(learners.map((l) => l.context.close()));
    site.close();
  }
});
