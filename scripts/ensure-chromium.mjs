#!/usr/bin/env node
// The browser tests' Chromium: Debian's package, installed with apt-get when it is missing (CI's clean
// machine), so the tests need nothing installed by hand. Prints the executable's path.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const run = (args) =>
    spawnSync(sudo[0] ?? args[0], [...sudo.slice(1), ...(sudo.length ? args : args.slice(1))], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  console.error(`kubeplay: ${CHROMIUM} is missing; installing Debian's chromium with apt-get`);
  let res = run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"]);
  if (res.status !== 0) {
    run(["apt-get", "update"]);
    res = run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"]);
  }
  if (res.status !== 0 || !existsSync(CHROMIUM))
    throw new Error(`could not install chromium (apt-get exited ${res.status}); install Debian's chromium package or set CHROMIUM_PATH`);
  return CHROMIUM;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium());
