// Killercoda (and Katacoda) scenarios read as labs: an index.json naming Markdown steps with their
// verify, background and foreground scripts, and assets copied onto the hosts. A scenario runs as
// its author wrote it; what kubeplay cannot do (a container engine, the internet, package installs)
// is named in the import's notes with the reason, and the rest still runs. Pure, like the format.
import type { Lab, LabError, Step } from "./format";

/** A scenario as its files: path inside the scenario folder → text. */
export type ScenarioFiles = Record<string, string>;

export type Imported = { ok: true; lab: Lab } | { ok: false; errors: LabError[] };

/** Killercoda's Kubernetes backends and the nodes each one has. */
const BACKENDS: Record<string, Lab["cluster"]["nodes"]> = {
  "kubernetes-kubeadm-1node": [{ role: "control-plane" }],
  "kubernetes-kubeadm-2nodes": [{ role: "control-plane" }, { role: "worker" }],
};

/** Programs a scenario may call that a kubeplay cluster does not have, and why. */
const UNSUPPORTED: [RegExp, string][] = [
  [/docker|podman|buildah|nerdctl|ctr/, "kubeplay's nodes run no container engine: images come from its catalogue"],
  [/helm/, "Helm is not installed, and its charts come from the internet, which a kubeplay cluster cannot reach"],
  [/apt-get|apt|yum|dnf|apk|pip3?|snap|brew/, "installing packages needs the internet; kubeplay's nodes have a fixed set of programs"],
  [/git/, "the internet is out of reach of a kubeplay cluster"],
];

/** The hosts a scenario's assets may go to: host01 is the control plane, whose shell runs the setup. */
const SETUP_HOST = "host01";

/** Read the scenario whose files are given; `index.json` is its root. */
export function importScenario(files: ScenarioFiles): Imported {
  const errors: LabError[] = [];
  const notes: string[] = [];
  let index: KillercodaIndex;
  try {
    index = JSON.parse(files["index.json"] ?? "null");
  } catch (e) {
    return { ok: false, errors: [{ field: "killercoda", message: `index.json: invalid JSON: ${(e as Error).message}` }] };
  }
  if (typeof index !== "object" || index === null)
    return { ok: false, errors: [{ field: "killercoda", message: "index.json: required: a scenario has an index.json" }] };
  const read = (path: string | undefined, at: string): string | undefined => {
    if (path === undefined) return undefined;
    if (typeof path !== "string" || files[path] === undefined) {
      errors.push({ field: `killercoda.${at}`, message: `no such file in the scenario: ${JSON.stringify(path)}` });
      return undefined;
    }
    return files[path];
  };
  const details = index.details ?? {};
  const imageid = index.backend?.imageid ?? "kubernetes-kubeadm-2nodes";
  const nodes = BACKENDS[imageid.replace(/-\d+GB$/, "")];
  if (!nodes)
    errors.push({
      field: "killercoda.backend.imageid",
      message: `Unsupported value: ${JSON.stringify(imageid)}: kubeplay runs Kubernetes scenarios: supported values: ${Object.keys(BACKENDS)
        .map((b) => `"${b}"`)
        .join(", ")}`,
    });
  if (!Array.isArray(details.steps) || !details.steps.length)
    errors.push({ field: "killercoda.details.steps", message: "a scenario needs at least one step" });

  const intro = details.intro ?? {};
  const setup = [assetScript(details.assets, files, notes), read(intro.background ?? intro.courseData, "details.intro.background")]
    .filter(Boolean)
    .join("\n");
  if (intro.foreground) notes.push(foregroundNote("the intro"));
  const steps: Step[] = (Array.isArray(details.steps) ? details.steps : []).map((s, i) => {
    const at = `details.steps[${i}]`;
    const title = typeof s?.title === "string" && s.title.trim() ? s.title : `Step ${i + 1}`;
    const text = convertMarkdown(read(s?.text, `${at}.text`) ?? "");
    const verify = read(s?.verify, `${at}.verify`);
    const background = read(s?.background, `${at}.background`);
    if (s?.foreground) notes.push(foregroundNote(`step ${i + 1}`));
    const solution = text.exec.length ? text.exec.join("\n") : text.solution.join("\n");
    for (const script of [verify, background, solution])
      for (const why of unsupported(script ?? "")) notes.push(`step ${i + 1} "${title}": ${why}`);
    return {
      title,
      text: text.markdown,
      ...(solution ? { solution } : {}),
      ...(background ? { background } : {}),
      checks: verify ? [{ script: verify, description: `the step's verify script (${s.verify}) exits 0` }] : [],
    };
  });
  for (const why of unsupported(setup)) notes.push(`the setup: ${why}`);
  if (errors.length) return { ok: false, errors };
  const introText = convertMarkdown(read(intro.text, "details.intro.text") ?? "").markdown;
  const finish = convertMarkdown(read(details.finish?.text, "details.finish.text") ?? "").markdown;
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    lab: {
      title: typeof index.title === "string" && index.title.trim() ? index.title : "Untitled scenario",
      description: typeof index.description === "string" ? index.description : "",
      language: "en",
      ...(introText.trim() ? { intro: introText } : {}),
      cluster: { nodes: nodes ?? [], clock: "realistic" },
      setup: setup ? { script: setup } : {},
      steps,
      ...(finish.trim() ? { finish } : {}),
      ...(notes.length ? { notes: [...new Set(notes)] } : {}),
    },
  };
}

interface KillercodaStep {
  title?: string;
  text?: string;
  verify?: string;
  background?: string;
  foreground?: string;
}

interface KillercodaIndex {
  title?: string;
  description?: string;
  details?: {
    intro?: KillercodaStep & { courseData?: string };
    steps?: KillercodaStep[];
    finish?: KillercodaStep;
    assets?: Record<string, { file: string; target: string; chmod?: string }[]>;
  };
  backend?: { imageid?: string };
}

const foregroundNote = (where: string) =>
  `${where}: its foreground script is not run: kubeplay finishes the setup before the learner arrives, so there is nothing to wait for`;

/** What in a script needs what kubeplay cannot give, one sentence per program. */
function unsupported(script: string): string[] {
  const out: string[] = [];
  for (const [programs, why] of UNSUPPORTED) {
    const at = new RegExp(`(?:^|[;&|(\`]|\\$\\(|\\bsudo)\\s*(${programs.source})(?=\\s|$)`, "m").exec(script);
    if (at) out.push(`uses ${at[1]}: ${why}`);
  }
  return out;
}

/** The assets, written onto the control plane by the setup as Killercoda copies them there. */
function assetScript(assets: NonNullable<KillercodaIndex["details"]>["assets"], files: ScenarioFiles, notes: string[]): string {
  const lines: string[] = [];
  for (const [host, list] of Object.entries(assets ?? {})) {
    if (host !== SETUP_HOST) {
      notes.push(`assets for ${host} are not copied: only ${SETUP_HOST} (the control plane) gets assets`);
      continue;
    }
    for (const { file, target, chmod } of Array.isArray(list) ? list : []) {
      const pattern = new RegExp(
        `^assets/${String(file)
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, "[^/]*")}$`,
      );
      for (const path of Object.keys(files).filter((p) => pattern.test(p))) {
        const dest = `${target.replace(/\/$/, "")}/${path.slice("assets/".length).split("/").pop()}`;
        const marker = "KUBEPLAY_ASSET_EOF";
        lines.push(`mkdir -p '${target}'`, `cat > '${dest}' <<'${marker}'`, files[path].replace(/\n?$/, ""), marker);
        if (chmod) lines.push(`chmod ${chmod} '${dest}'`);
      }
    }
  }
  return lines.join("\n");
}

/** A block's language counts as a shell command the learner would type. */
const SHELL = /^(|bash|sh|shell|console|plain|text)$/;

/**
 * Killercoda's Markdown as the lab pane's: a fenced block closed by ```{{exec}} (Katacoda's
 * {{execute}}) gets Run, one closed by ```{{copy}} gets Copy, and the inline `cmd`{{exec}} forms the
 * same. The commands a learner is given to run are the step's solution; without any, the shell
 * blocks of a <details> whose summary says solution, answer or commands are.
 */
export function convertMarkdown(md: string): { markdown: string; exec: string[]; solution: string[] } {
  const out: string[] = [];
  const exec: string[] = [];
  const solution: string[] = [];
  const lines = md.replace(/\r\n/g, "\n").split("\n");
  let inSolution = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = line.match(/^(\s*)```\s*([\w+-]*)[^`]*$/);
    if (open) {
      const body: string[] = [];
      let close = "";
      for (i++; i < lines.length; i++) {
        const end = lines[i].match(/^\s*```\s*(\{\{\s*(\w+)[^}]*\}\})?\s*$/);
        if (end) {
          close = end[2] ?? "";
          break;
        }
        body.push(lines[i]);
      }
      const code = body.join("\n");
      const lang = open[2];
      const action = /^exec(ute)?$/.test(close) ? "run" : close === "copy" ? "copy" : "";
      out.push(`${open[1]}\`\`\`${action === "run" ? lang || "bash" : lang}${action ? ` {${action}}` : ""}`, ...body, `${open[1]}\`\`\``);
      if (action === "run") exec.push(code);
      else if (inSolution > 0 && SHELL.test(lang)) solution.push(code);
      continue;
    }
    if (/<details\b/i.test(line)) {
      const summary = (line + (lines[i + 1] ?? "")).match(/<summary>(.*?)<\/summary>/i)?.[1] ?? "";
      if (inSolution > 0 || /solution|answer|command/i.test(summary)) inSolution++;
    }
    if (/<\/details>/i.test(line) && inSolution > 0) inSolution--;
    out.push(
      line.replace(/`([^`\n]+)`\{\{\s*(\w+)[^}]*\}\}/g, (_, code: string, what: string) => {
        if (/^exec(ute)?$/.test(what)) {
          exec.push(code);
          return `\`${code}\`{run}`;
        }
        return what === "copy" ? `\`${code}\`{copy}` : `\`${code}\``;
      }),
    );
  }
  return { markdown: out.join("\n"), exec, solution };
}
