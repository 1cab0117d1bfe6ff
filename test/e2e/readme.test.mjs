// The README's "first five minutes", run as written (bash, npx kubeplay, the real kubectl), so the
// first thing a reader types keeps working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "./lib/harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let server;

before(async () => {
  server = await Server.start();
});
after(async () => {
  await server?.stop();
});

/** The first ```sh block after a heading. */
function shellBlock(markdown, heading) {
  const from = markdown.indexOf(heading);
  assert.ok(from >= 0, `README has "${heading}"`);
  const m = /```sh\n([\s\S]*?)\n```/.exec(markdown.slice(from));
  assert.ok(m, `a sh block under "${heading}"`);
  return m[1];
}

test("the README's first five minutes run as written and end with nginx's page from inside the cluster", () => {
  const script = shellBlock(readFileSync(join(root, "README.md"), "utf8"), "## Your first five minutes");
  const home = mkdtempSync(join(tmpdir(), "kubeplay-readme-"));
  // Run from the checkout as the README says, writing ./kubeconfig into a scratch directory.
  const res = spawnSync(
    "bash",
    [
      "-euo",
      "pipefail",
      "-c",
      `cd ${root}\n${script.replaceAll("./kubeconfig", join(home, "kubeconfig")).replaceAll("$PWD/kubeconfig", join(home, "kubeconfig"))}`,
    ],
    {
      env: { ...process.env, HOME: home, KUBECONFIG: "", KUBEPLAY_SERVER: server.origin },
      encoding: "utf8",
      timeout: 180_000,
    },
  );
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, /^controlplane\s+Ready\s+control-plane\s/m);
  assert.match(res.stdout, /^node02\s+Ready\s+<none>\s/m);
  assert.match(res.stdout, /deployment "web" successfully rolled out/);
  assert.match(res.stdout, /^web-[a-z0-9]+-[a-z0-9]+\s+1\/1\s+Running\s/m);
  assert.match(res.stdout, /<h1>Welcome to nginx!<\/h1>/);
  assert.match(res.stdout, /FIELD: strategy <DeploymentStrategy>/);
});
