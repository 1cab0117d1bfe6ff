#!/usr/bin/env node
// Builds the web console: web/src/*.ts bundled by esbuild, with web/*.html and web/*.css, into
// .build/web, which the Worker serves as static assets. `npm start` (so the tests) and `npm run
// deploy` run it first; nothing built is committed. Only files whose bytes changed are written, so
// a build that changes nothing does not make a running `wrangler dev` reload its assets.
import { build } from "esbuild";
import { parse as parseYaml } from "yaml";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { scenarioFiles } from "../cli/scenario.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "web");
const target = join(root, ".build", "web");
const out = join(root, ".build", `web.building-${process.pid}`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of readdirSync(web)) if (/\.(html|css|svg|ico|txt|js)$/.test(f) || f === "_headers") cpSync(join(web, f), join(out, f));
// The example course page that embeds a lab (docs/embed.md).
cpSync(join(web, "examples"), join(out, "examples"), { recursive: true });
// The lab catalogue, served as it is written (the Worker reads a lab from here when a session names
// it), and its index for the start page.
mkdirSync(join(out, "labs"), { recursive: true });
const catalogue = [];
for (const f of readdirSync(join(web, "labs")).sort()) {
  if (!f.endsWith(".yaml")) continue;
  cpSync(join(web, "labs", f), join(out, "labs", f));
  const { title, description = "", language = "en" } = parseYaml(readFileSync(join(web, "labs", f), "utf8"));
  catalogue.push({ name: f.replace(/\.yaml$/, ""), title, description, language });
}
// Killercoda scenarios, kept as their authors wrote them (web/labs/killercoda/<name>/, sources and
// licences in sources.json): each bundled as its files, which the Worker imports when a session names it.
const killercoda = join(web, "labs", "killercoda");
const sources = JSON.parse(readFileSync(join(killercoda, "sources.json"), "utf8"));
for (const [repo, { commit, licence, scenarios }] of Object.entries(sources)) {
  for (const [name, upstream] of Object.entries(scenarios)) {
    const files = scenarioFiles(join(killercoda, name));
    writeFileSync(join(out, "labs", `${name}.killercoda.json`), JSON.stringify(files));
    const { title, description = "" } = JSON.parse(files["index.json"]);
    const source = `https://github.com/${repo}/tree/${commit}/${upstream}`;
    catalogue.push({ name, title, description, language: "en", source, licence });
  }
}
writeFileSync(join(out, "labs", "index.json"), JSON.stringify(catalogue));
// xterm.js's own stylesheet, beside ours.
cpSync(join(root, "node_modules", "@xterm", "xterm", "css", "xterm.css"), join(out, "xterm.css"));
await build({
  entryPoints: readdirSync(join(web, "src"))
    .filter((f) => /^[a-z-]+\.page\.ts$/.test(f))
    .map((f) => join(web, "src", f)),
  entryNames: "[name]",
  outdir: join(out, "assets"),
  bundle: true,
  format: "esm",
  splitting: true,
  minify: process.env.KUBEPLAY_NO_MINIFY !== "1",
  sourcemap: true,
  target: "es2022",
  legalComments: "linked",
  logLevel: "warning",
});

/** Every file under dir, as paths relative to it. */
const filesUnder = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
    : [];
const built = new Set(filesUnder(out));
for (const f of filesUnder(target)) if (!built.has(f)) rmSync(join(target, f));
for (const f of built) {
  const bytes = readFileSync(join(out, f));
  const dest = join(target, f);
  if (existsSync(dest) && readFileSync(dest).equals(bytes)) continue;
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, bytes);
}
rmSync(out, { recursive: true, force: true });
