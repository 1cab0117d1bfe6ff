// Killercoda scenarios read as labs: what each part of index.json becomes, the Markdown's
// {{exec}}/{{copy}} and <details> solutions, and what the import says it cannot run.
import { describe, expect, it } from "vitest";
import { convertMarkdown, importScenario } from "../../labs/killercoda";

const index = (details: object, backend = "kubernetes-kubeadm-2nodes") =>
  JSON.stringify({ title: "T", description: "D", details, backend: { imageid: backend } });

describe("importScenario", () => {
  it("maps the intro, steps, verify scripts, backgrounds and finish", () => {
    const r = importScenario({
      "index.json": index({
        intro: { text: "intro.md", background: "setup.sh", foreground: "fg.sh" },
        steps: [
          { title: "One", text: "step1/text.md", verify: "step1/verify.sh", background: "step1/bg.sh" },
          { title: "Two", text: "step2/text.md", verify: "step2/verify.sh", background: "step2/bg.sh" },
          { title: "Read", text: "step2/text.md" },
        ],
        finish: { text: "finish.md" },
      }),
      "intro.md": "Welcome",
      "setup.sh": "kubectl create ns lab",
      "fg.sh": "while [ ! -f /tmp/done ]; do sleep 1; done",
      "step1/text.md": "Run `kubectl get nodes`{{exec}} first",
      "step1/verify.sh": "kubectl get ns lab",
      "step1/bg.sh": "touch /tmp/one",
      "step2/text.md": "```\nkubectl run web --image=nginx\n```{{exec}}\n\n```yaml\nkind: Pod\n```{{copy}}",
      "step2/verify.sh": "kubectl get pod web",
      "step2/bg.sh": "touch /tmp/two",
      "finish.md": "Done!",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { lab } = r;
    expect(lab.cluster.nodes).toEqual([{ role: "control-plane" }, { role: "worker" }]);
    expect(lab.intro).toBe("Welcome");
    expect(lab.setup).toEqual({ script: "kubectl create ns lab" });
    expect(lab.steps.map((s) => s.title)).toEqual(["One", "Two", "Read"]);
    expect(lab.steps[0].checks).toEqual([
      { script: "kubectl get ns lab", description: "the step's verify script (step1/verify.sh) exits 0" },
    ]);
    expect(lab.steps[0].background).toBe("touch /tmp/one");
    expect(lab.steps[0].solution).toBe("kubectl get nodes");
    expect(lab.steps[0].text).toBe("Run `kubectl get nodes`{run} first");
    expect(lab.steps[1].text).toBe("```bash {run}\nkubectl run web --image=nginx\n```\n\n```yaml {copy}\nkind: Pod\n```");
    expect(lab.steps[1].solution).toBe("kubectl run web --image=nginx");
    expect(lab.steps[2].checks).toEqual([]);
    expect(lab.finish).toBe("Done!");
    expect(lab.notes).toEqual([
      "the intro: its foreground script is not run: kubeplay finishes the setup before the learner arrives, so there is nothing to wait for",
    ]);
  });

  it("takes a solution from a <details> that says so when the step gives nothing to run", () => {
    const md =
      "Do it.\n<details><summary>Solution</summary>\n\n```bash\nkubectl create cm a\n```\n\n```yaml\nkind: x\n```\n</details>\n\n<details><summary>Notes</summary>\n\n```bash\necho not this\n```\n</details>";
    expect(convertMarkdown(md).solution).toEqual(["kubectl create cm a"]);
    expect(convertMarkdown(md).exec).toEqual([]);
  });

  it("names what it cannot run, with the reason, and still imports the rest", () => {
    const r = importScenario({
      "index.json": index(
        { steps: [{ title: "Build", text: "s.md", verify: "v.sh" }], assets: { host02: [{ file: "x", target: "/root" }] } },
        "kubernetes-kubeadm-1node",
      ),
      "s.md": "```\ndocker build -t app .\nsudo apt-get install -y jq\nhelm install x y\n```{{exec}}",
      "v.sh": "kubectl get deploy app",
    });
    expect(r.ok && r.lab.cluster.nodes).toEqual([{ role: "control-plane" }]);
    expect(r.ok && r.lab.notes).toEqual([
      "assets for host02 are not copied: only host01 (the control plane) gets assets",
      'step 1 "Build": uses docker: kubeplay\'s nodes run no container engine: images come from its catalogue',
      'step 1 "Build": uses helm: Helm is not installed, and its charts come from the internet, which a kubeplay cluster cannot reach',
      'step 1 "Build": uses apt-get: installing packages needs the internet; kubeplay\'s nodes have a fixed set of programs',
    ]);
  });

  it("writes host01's assets in the setup", () => {
    const r = importScenario({
      "index.json": index({
        steps: [{ title: "S", text: "s.md" }],
        assets: { host01: [{ file: "*.yaml", target: "/root/app", chmod: "+x" }] },
      }),
      "s.md": "x",
      "assets/pod.yaml": "kind: Pod\n",
      "assets/other.txt": "no",
    });
    expect(r.ok && r.lab.setup.script).toBe(
      "mkdir -p '/root/app'\ncat > '/root/app/pod.yaml' <<'KUBEPLAY_ASSET_EOF'\nkind: Pod\nKUBEPLAY_ASSET_EOF\nchmod +x '/root/app/pod.yaml'",
    );
  });

  it("refuses what it cannot read, naming the field", () => {
    expect(importScenario({ "index.json": "{" })).toMatchObject({ ok: false, errors: [{ field: "killercoda" }] });
    expect(importScenario({})).toEqual({
      ok: false,
      errors: [{ field: "killercoda", message: "index.json: required: a scenario has an index.json" }],
    });
    const r = importScenario({ "index.json": index({ steps: [{ title: "S", text: "missing.md" }] }, "ubuntu") });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          field: "killercoda.backend.imageid",
          message:
            'Unsupported value: "ubuntu": kubeplay runs Kubernetes scenarios: supported values: "kubernetes-kubeadm-1node", "kubernetes-kubeadm-2nodes"',
        },
        { field: "killercoda.details.steps[0].text", message: 'no such file in the scenario: "missing.md"' },
      ],
    });
  });
});
