// A Killercoda scenario folder read as the session API takes it ({"killercoda": {path: text}}): every
// text file by its path inside the folder; binary files (images) are left out, as a lab has no use for them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function scenarioFiles(dir, at = "") {
  const files = {};
  for (const entry of readdirSync(join(dir, at), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = at ? `${at}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, scenarioFiles(dir, path));
    else {
      const bytes = readFileSync(join(dir, path));
      if (!bytes.includes(0)) files[path] = bytes.toString("utf8");
    }
  }
  return files;
}
