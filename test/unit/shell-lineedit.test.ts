import { describe, expect, it } from "vitest";
import { InteractiveShell, type ShellContext } from "../../durable/shell";
import type { HostCall, HostProgram } from "../../durable/shell/types";
import { MemoryFS } from "../../durable/fs";
import { columns } from "../../durable/shell/lineedit";

function ctx(extra: Partial<ShellContext> = {}): ShellContext {
  return {
    env: { PATH: "/usr/bin:/bin", HOME: "/root" },
    cwd: "/root",
    hostname: "controlplane",
    fs: new MemoryFS(
      { "/root/pod.yaml": "kind: Pod\n", "/root/pods.txt": "", "/root/lab/a.yaml": "", "/root/.bashrc": "alias k=kubectl\n" },
      ["/root/lab"],
    ),
    net: { resolve: () => [], http: () => ({ error: "no" }), connect: () => ({ error: "no" }) },
    now: () => 0,
    ...extra,
  };
}

/** A host program that answers at once. */
const program = (run: (args: string[], call: HostCall) => number): HostProgram =>
  function* (args, call) {
    yield* [];
    return run(args, call);
  };

/** A shell at a terminal: what the screen gets for each piece typed. */
function terminal(c = ctx()) {
  const sh = new InteractiveShell(c, { shell: "bash", prompt: "$ " });
  let out = "";
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (out += s) };
  return {
    sh,
    type(keys: string): string {
      out = "";
      sh.feed(keys, io);
      return out;
    },
  };
}

describe("line editing", () => {
  it("moves the cursor and inserts, deletes and kills where it is", () => {
    const t = terminal();
    expect(t.type("echo ac")).toBe("echo ac");
    expect(t.type("\x1b[D")).toBe("\b");
    expect(t.type("b")).toBe("bc\b");
    expect(t.type("\x01")).toBe("\b".repeat(7));
    expect(t.type("\x1b[3~")).toBe("e" + "\b" + "cho abc" + " " + "\b".repeat(8));
    expect(t.type("\x05\x17")).toBe("cho abc" + "\b\b\b" + "   " + "\b\b\b");
    expect(t.type("\x15")).toBe("\b".repeat(4) + "    " + "\b".repeat(4));
    expect(t.type("echo ok\r")).toContain("\r\nok\r\n$ ");
  });

  it("recalls history with the arrows and finds it with Ctrl-R, and `history` lists it", () => {
    const t = terminal();
    t.type("echo one\r");
    t.type("echo two\r");
    expect(t.type("\x1b[A")).toBe("echo two");
    expect(t.type("\x1b[A")).toBe("\b".repeat(8) + "echo one");
    expect(t.type("\x1b[B\x1b[B")).toContain("\b".repeat(8));
    expect(t.type("\x12on")).toContain("(reverse-i-search)`on': echo one");
    expect(t.type("\r")).toContain("one\r\n$ ");
    expect(t.type("history\r")).toContain("    1  echo one\r\n    2  echo two\r\n    3  echo one\r\n    4  history\r\n");
  });

  it("completes commands, files and directories, and lists the choices on a second Tab", () => {
    const t = terminal();
    expect(t.type("ech\t")).toBe("echo ");
    expect(t.type("po\t")).toBe("pod");
    expect(t.type("\t")).toBe("\x07");
    expect(t.type("\t")).toBe("\r\npod.yaml  pods.txt\r\n$ echo pod");
    expect(t.type("\x15cat la\t")).toContain("b/");
    expect(t.type("\t")).toBe("a.yaml ");
  });

  it("asks the host to complete its programs' arguments, and holds what is typed meanwhile", async () => {
    let resolve!: (x: string[]) => void;
    const asked: string[][] = [];
    const t = terminal(
      ctx({
        hostPrograms: {
          kubectl: program(() => 0),
        },
        complete: (argv) => {
          asked.push(argv);
          return argv[0] === "kubectl" ? new Promise<string[]>((r) => (resolve = r)) : undefined;
        },
      }),
    );
    expect(t.type("kubectl get po\t")).toBe("kubectl get po");
    expect(asked).toEqual([["kubectl", "get"]]);
    expect(t.type("s")).toBe("");
    resolve(["pods", "podtemplates"]);
    await new Promise((r) => setTimeout(r, 0));
    expect(t.type("")).toBe("");
    expect(t.type("\x05\x15")).toBe("\b".repeat("kubectl get pods".length) + " ".repeat(16) + "\b".repeat(16));
  });

  it("expands aliases, shows them, and keeps them for the next login", () => {
    const t = terminal(
      ctx({
        hostPrograms: {
          kubectl: program((args, call) => {
            call.io.stdout(`kubectl ${args.join(" ")}\n`);
            return 0;
          }),
        },
      }),
    );
    t.sh.source("/root/.bashrc");
    expect(t.type("k get pods\r")).toContain("kubectl get pods\r\n");
    expect(t.type("alias\r")).toContain("alias k='kubectl'\r\n");
    expect(t.type("type k\r")).toContain("k is aliased to `kubectl'");
    expect(t.type("alias ll='ls -l'; unalias nope\r")).toContain("bash: unalias: nope: not found");
    const next = new InteractiveShell(ctx(), { shell: "bash", resume: t.sh.snapshot() });
    expect(next.snapshot().aliases).toEqual({ k: "kubectl", ll: "ls -l" });
    // A script does not see them, as bash -c does not.
    expect(t.type("bash -c 'k'\r")).toContain("bash: line 1: k: command not found");
    expect(t.type("unalias k; k\r")).toContain("bash: k: command not found");
  });
});

describe("columns", () => {
  it("lays candidates out down the columns, as bash does", () => {
    expect(columns(["a", "bb", "c", "d", "e"], 12)).toBe("a   c   e\r\nbb  d");
    expect(columns(["pods", "podtemplates"], 80)).toBe("pods          podtemplates");
  });
});
