// The lab pane of the session page: the lab's steps beside the terminal and the map. A step's Check
// asks the server, which runs the step's checks in the cluster; the pane only shows the verdict, each
// condition with its reason, and keeps the progress the server keeps.
import { checkStep, refusalText, type CheckResult, type LabView, type Session } from "./api";
import { h } from "./dom";
import { markdown, type BlockActions } from "./markdown";

export interface LabActions extends BlockActions {
  /** A step passed its check for the first time; `completed` when it was the last one left. */
  verified(step: number, completed: boolean): void;
}

function conditions(result: CheckResult): HTMLElement {
  return h(
    "ul",
    { class: "conditions" },
    ...result.conditions.map((c) =>
      h(
        "li",
        { class: c.passed ? "passed" : "failed" },
        h("span", { "aria-hidden": "true" }, c.passed ? "✓ " : "✗ "),
        h("span", { class: "visually-hidden" }, c.passed ? "holds: " : "does not hold: "),
        c.description,
        ...(c.output ? [h("pre", {}, h("code", {}, c.output.trimEnd()))] : []),
      ),
    ),
  );
}

/** Draw the lab into `pane`; `blocks` types a runnable block into the terminal. */
export function showLab(pane: HTMLElement, s: Session, lab: LabView, blocks: LabActions): void {
  const progress = h("p", { class: "progress", "aria-live": "polite" });
  const finish = h("section", { class: "finish", hidden: "" }, ...(lab.finish ? markdown(lab.finish, blocks) : []));
  const verified = new Set(lab.steps.filter((st) => st.verified).map((st) => st.number));
  const update = () => {
    progress.textContent = `${verified.size} of ${lab.steps.length} steps done`;
    finish.hidden = verified.size < lab.steps.length;
  };
  const steps = lab.steps.map((step) => {
    const result = h("div", { class: "result", "aria-live": "polite" });
    const check = h("button", { type: "button", "data-step": String(step.number) }, "Check") as HTMLButtonElement;
    const section = h(
      "section",
      { class: `step${step.verified ? " verified" : ""}`, "aria-labelledby": `step-${step.number}` },
      h("h3", { id: `step-${step.number}` }, h("span", { class: "number" }, `${step.number}. `), step.title),
      ...markdown(step.text, blocks),
      ...(step.hint ? [h("details", {}, h("summary", {}, "Hint"), ...markdown(step.hint, blocks))] : []),
      h("div", { class: "actions" }, check),
      result,
    );
    check.addEventListener("click", async () => {
      check.disabled = true;
      result.textContent = "Checking…";
      try {
        const r = await checkStep(s, step.number);
        result.replaceChildren(h("p", { class: r.passed ? "ok" : "not-yet" }, r.passed ? "Done." : "Not yet:"), conditions(r));
        if (r.passed && !verified.has(step.number)) {
          verified.add(step.number);
          section.classList.add("verified");
          blocks.verified(step.number, verified.size === lab.steps.length);
        }
        update();
      } catch (e) {
        result.textContent = refusalText(e);
      } finally {
        check.disabled = false;
      }
    });
    return section;
  });
  pane.replaceChildren(
    h("h2", {}, lab.title),
    ...(lab.description ? [h("p", { class: "muted" }, lab.description)] : []),
    ...(lab.intro ? [h("section", { class: "intro" }, ...markdown(lab.intro, blocks))] : []),
    ...(lab.notes?.length
      ? [
          h(
            "details",
            { class: "notes" },
            h("summary", {}, "Not simulated in this lab"),
            h("ul", {}, ...lab.notes.map((n) => h("li", {}, n))),
          ),
        ]
      : []),
    progress,
    ...steps,
    finish,
  );
  update();
}
