// A session's lab: its setup, run in the workstation before the learner arrives, and its checks, run
// there when asked — server-side, so the page can only ask, never claim. The lab and which steps
// were verified live in the cluster's storage with everything else; they go when the session goes.
import { checkScript, type Lab } from "../labs/format";
import type { CheckResult, LabView } from "./contract";
import type { ScriptResult } from "./workstation/run";

/** A script run in the control-plane shell within a time limit. */
export type Run = (script: string, limitMs: number) => Promise<ScriptResult>;

export interface LabState {
  lab: Lab;
  verified: boolean[];
  /** How the setup went: a failing setup is the lab's fault, shown to whoever tests it. */
  setup: { exitCode: number; output: string };
}

/** How long one check may take, and the setup. */
const CHECK_LIMIT_MS = 15_000;
const SETUP_LIMIT_MS = 60_000;
/** What a failing condition shows of what its script printed. */
const SHOWN_OUTPUT = 1024;

/** The manifests applied, then the script run, as a lab's author wrote them. */
export async function runSetup(lab: Lab, run: Run): Promise<LabState["setup"]> {
  let output = "";
  if (lab.setup.manifests?.trim()) {
    const marker = "KUBEPLAY_LAB_SETUP_EOF";
    const r = await run(`kubectl apply -f - <<'${marker}'\n${lab.setup.manifests.replace(/\n?$/, "\n")}${marker}\n`, SETUP_LIMIT_MS);
    output += r.stdout + r.stderr;
    if (r.exitCode !== 0) return { exitCode: r.exitCode, output };
  }
  for (const script of [lab.setup.script, lab.steps[0]?.background]) {
    if (!script?.trim()) continue;
    const r = await run(script, SETUP_LIMIT_MS);
    output += r.stdout + r.stderr;
    if (r.exitCode !== 0) return { exitCode: r.exitCode, output };
  }
  return { exitCode: 0, output };
}

/** The next step's background, run once step `number` first passed: the learner has reached it. */
export async function reachNextStep(lab: Lab, number: number, run: Run): Promise<void> {
  const next = lab.steps[number];
  if (next?.background?.trim()) await run(next.background, SETUP_LIMIT_MS);
}

/** Step `number` (from 1) checked: every condition runs, each says whether it held. */
export async function checkStep(state: LabState, number: number, run: Run): Promise<CheckResult> {
  const step = state.lab.steps[number - 1];
  const conditions: CheckResult["conditions"] = [];
  for (const check of step.checks) {
    const { description, script } = checkScript(check);
    const r = await run(script, CHECK_LIMIT_MS);
    const passed = r.exitCode === 0;
    const output = (r.stdout + r.stderr).slice(0, SHOWN_OUTPUT);
    conditions.push({ description, passed, ...(passed || !output ? {} : { output }) });
  }
  return { step: number, passed: conditions.every((c) => c.passed), conditions };
}

/** What the learner's page is shown. */
export function labView(state: LabState): LabView {
  const { lab, verified } = state;
  const done = verified.filter(Boolean).length;
  return {
    title: lab.title,
    description: lab.description,
    language: lab.language,
    ...(lab.intro ? { intro: lab.intro } : {}),
    ...(lab.notes?.length ? { notes: lab.notes } : {}),
    steps: lab.steps.map((s, i) => ({
      number: i + 1,
      title: s.title,
      text: s.text,
      ...(s.hint ? { hint: s.hint } : {}),
      verified: verified[i] ?? false,
    })),
    ...(lab.finish ? { finish: lab.finish } : {}),
    progress: { verified: done, total: lab.steps.length },
    completed: done === lab.steps.length,
  };
}
