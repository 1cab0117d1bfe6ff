// No import cycle between the folders of durable/ and worker/: every import (type-only ones too) of
// every .ts file is read, files are grouped by folder, and a folder edge that lies on a cycle is
// reported with the cycle it closes and the import lines that make it.
import { describe, expect, it } from "vitest";
import "./d1"; // declares import.meta.glob

const SOURCES = {
  ...import.meta.glob<string>("../../durable/**/*.ts", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob<string>("../../worker/**/*.ts", { query: "?raw", import: "default", eager: true }),
};

/** Every module specifier a source names: import/export … from, side-effect imports, import(). */
export function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  const out: string[] = [];
  for (const m of code.matchAll(
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ))
    out.push(m[1] ?? m[2]);
  return out;
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/"));

/** `spec` relative to the file at `from`, as a normalised path without extension. */
function resolve(from: string, spec: string): string {
  const parts = dirOf(from).split("/");
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/").replace(/\.(ts|js|mjs)$/, "");
}

/** Folder → folder edges, each with the imports that make it (`file: specifier`). */
export function folderEdges(sources: Record<string, string>): Map<string, Map<string, string[]>> {
  const files = new Set(Object.keys(sources).map((f) => f.replace(/\.ts$/, "")));
  const edges = new Map<string, Map<string, string[]>>();
  for (const [file, source] of Object.entries(sources)) {
    const from = dirOf(file);
    for (const spec of specifiers(source)) {
      if (!spec.startsWith(".")) continue;
      const target = resolve(file, spec);
      const to = files.has(target) ? dirOf(target) : files.has(`${target}/index`) ? target : dirOf(target);
      if (to === from) continue;
      const byTarget = edges.get(from) ?? edges.set(from, new Map()).get(from)!;
      (byTarget.get(to) ?? byTarget.set(to, []).get(to)!).push(`${file.replace(/^(\.\.\/)+/, "")}: ${spec}`);
    }
  }
  return edges;
}

/** The shortest folder path from `start` to `goal`, if any. */
function pathBetween(edges: Map<string, Map<string, string[]>>, start: string, goal: string): string[] | undefined {
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === goal) {
      const path = [at];
      while (path[0] !== start) path.unshift(previous.get(path[0])!);
      return path;
    }
    for (const next of edges.get(at)?.keys() ?? []) if (!previous.has(next)) previous.set(next, at), queue.push(next);
  }
  return undefined;
}

export interface CycleEdge {
  /** "from -> to", folders relative to the repository. */
  edge: string;
  /** The whole cycle the edge closes, "a -> b -> … -> a". */
  cycle: string;
  imports: string[];
}

/** Every folder edge that lies on a cycle. */
export function cycleEdges(sources: Record<string, string>): CycleEdge[] {
  const edges = folderEdges(sources);
  const name = (dir: string) => dir.replace(/^(\.\.\/)+/, "");
  const out: CycleEdge[] = [];
  for (const [from, targets] of edges)
    for (const [to, imports] of targets) {
      const back = pathBetween(edges, to, from);
      if (back) out.push({ edge: `${name(from)} -> ${name(to)}`, cycle: [from, ...back].map(name).join(" -> "), imports });
    }
  return out.sort((a, b) => a.edge.localeCompare(b.edge));
}

// Folder edges on a cycle when the container runtime moved out of durable/shell (the shell, durable/fs
// and durable/nodes/runtime are on none). They belong to the API server, controllers and scheduler:
// whoever removes one deletes its line here; nothing may be added.
const KNOWN = [
  "durable -> durable/controllers",
  "durable -> durable/nodes",
  "durable -> durable/nodes/streams",
  "durable/api -> durable/api/patch",
  "durable/api -> durable/openapi",
  "durable/api -> durable/resources",
  "durable/api -> durable/store",
  "durable/api/patch -> durable/api",
  "durable/api/patch -> durable/openapi",
  "durable/controllers -> durable",
  "durable/controllers -> durable/nodes",
  "durable/controllers -> durable/scheduler",
  "durable/nodes -> durable",
  "durable/nodes -> durable/controllers",
  "durable/nodes -> durable/scheduler",
  "durable/nodes/streams -> durable/controllers",
  "durable/nodes/streams -> durable/nodes",
  "durable/openapi -> durable/resources",
  "durable/resources -> durable/api",
  "durable/resources -> durable/openapi",
  "durable/scheduler -> durable/controllers",
  "durable/scheduler -> durable/nodes",
  "durable/store -> durable/resources",
];

const describeEdge = (c: CycleEdge) => `${c.edge} closes ${c.cycle} (${c.imports.join(", ")})`;

describe("import cycles between folders", () => {
  const found = cycleEdges(SOURCES);

  it("reads the sources of durable/ and worker/", () => {
    expect(Object.keys(SOURCES).some((f) => f.endsWith("durable/shell/interp.ts"))).toBe(true);
    expect(Object.keys(SOURCES).some((f) => f.endsWith("worker/index.ts"))).toBe(true);
  });

  it("the shell, durable/fs and the container runtime are on no cycle", () => {
    const ours = found.filter((c) => c.cycle.split(" -> ").some((d) => /^durable\/(shell|fs|nodes\/runtime)(\/|$)/.test(d)));
    expect(ours.map(describeEdge)).toEqual([]);
  });

  it("no folder edge closes a cycle that is not already listed", () => {
    expect(found.filter((c) => !KNOWN.includes(c.edge)).map(describeEdge)).toEqual([]);
  });

  it("every listed edge still closes a cycle (a removed one comes off the list)", () => {
    expect(KNOWN.filter((e) => !found.some((c) => c.edge === e))).toEqual([]);
  });

  it("finds a cycle through a type-only import and names it with the imports", () => {
    const sources = {
      "../../durable/a/x.ts": `import type { Y } from "../b/y";\nexport const x = 1;`,
      "../../durable/b/y.ts": `// import { x } from "../a/x";\nexport { x } from "../c";`,
      "../../durable/c/index.ts": `export * from "../a/x";`,
      "../../durable/d/z.ts": `import { x } from "../a/x";`,
    };
    expect(cycleEdges(sources).map(describeEdge)).toEqual([
      "durable/a -> durable/b closes durable/a -> durable/b -> durable/c -> durable/a (durable/a/x.ts: ../b/y)",
      "durable/b -> durable/c closes durable/b -> durable/c -> durable/a -> durable/b (durable/b/y.ts: ../c)",
      "durable/c -> durable/a closes durable/c -> durable/a -> durable/b -> durable/c (durable/c/index.ts: ../a/x)",
    ]);
  });
});
