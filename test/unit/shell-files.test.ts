// cp, mv, chmod and running a script by its path, against what Debian bookworm's coreutils 9.1 and
// dash print (recorded by running them on the same files, LANG unset as in a container).
import { describe, expect, it } from "vitest";
import { runCommand, type Network, type ShellContext } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";
import { imageView } from "../../durable/nodes/runtime/images";

const net: Network = { resolve: () => [], http: () => ({ error: "unreachable" }), connect: () => ({ error: "refused" }) };
const files = () => new MemoryFS({ "/t/a.txt": "one\ntwo\nthree\n", "/t/d/x": "one\n", "/t/f1": "" });

function run(script: string, fs = files(), image = "debian:bookworm"): { out: string; err: string; code: number } {
  const ctx: ShellContext = {
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root" },
    cwd: "/t",
    hostname: "h",
    fs,
    net,
    now: () => Date.parse("2026-01-01T00:00:00Z"),
    image: imageView(image),
  };
  let out = "";
  let err = "";
  const code = runCommand(["sh", "-c", script], ctx, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { out, err, code };
}

const TRY = (p: string) => `Try '${p} --help' for more information.\n`;
const cases: [script: string, out: string, err: string, code: number][] = [
  ["cp nope x", "", "cp: cannot stat 'nope': No such file or directory\n", 1],
  ["cp d e", "", "cp: -r not specified; omitting directory 'd'\n", 1],
  ["cp a.txt", "", `cp: missing destination file operand after 'a.txt'\n${TRY("cp")}`, 1],
  ["cp", "", `cp: missing file operand\n${TRY("cp")}`, 1],
  ["cp a.txt f1 nod", "", "cp: target 'nod': No such file or directory\n", 1],
  ["cp a.txt d f1", "", "cp: target 'f1': Not a directory\n", 1],
  ["cp a.txt d/; ls d", "a.txt\nx\n", "", 0],
  ["cp -r d e; ls e", "x\n", "", 0],
  ["cp a.txt a.txt", "", "cp: 'a.txt' and 'a.txt' are the same file\n", 1],
  ["cp -z a.txt b", "", `cp: invalid option -- 'z'\n${TRY("cp")}`, 1],
  ["cp a.txt nodir/x", "", "cp: cannot create regular file 'nodir/x': No such file or directory\n", 1],
  ["cp -r d d/sub", "", "cp: cannot copy a directory, 'd', into itself, 'd/sub'\n", 1],
  ["cp -v a.txt c.txt", "'a.txt' -> 'c.txt'\n", "", 0],
  ["mv nope x", "", "mv: cannot stat 'nope': No such file or directory\n", 1],
  ["mv a.txt b.txt; ls", "b.txt\nd\nf1\n", "", 0],
  ["mv -v a.txt g.txt", "renamed 'a.txt' -> 'g.txt'\n", "", 0],
  ["mv a.txt nodir/x", "", "mv: cannot move 'a.txt' to 'nodir/x': No such file or directory\n", 1],
  ["mv d d/x2", "", "mv: cannot move 'd' to a subdirectory of itself, 'd/x2'\n", 1],
  ["chmod 9 a.txt", "", `chmod: invalid mode: '9'\n${TRY("chmod")}`, 1],
  ["chmod", "", `chmod: missing operand\n${TRY("chmod")}`, 1],
  ["chmod +x", "", `chmod: missing operand after '+x'\n${TRY("chmod")}`, 1],
  ["chmod +x nope", "", "chmod: cannot access 'nope': No such file or directory\n", 1],
  ["chmod u+x,go-r a.txt; ls -l a.txt | cut -c1-10", "-rwx------\n", "", 0],
  ["chmod 750 a.txt; cp a.txt b; ls -l b | cut -c1-10", "-rwxr-x---\n", "", 0],
  ["chmod 755 a.txt; ./a.txt", "", "./a.txt: 1: one: not found\n./a.txt: 2: two: not found\n./a.txt: 3: three: not found\n", 127],
  ["./a.txt", "", "sh: 1: ./a.txt: Permission denied\n", 126],
  ["./nothere", "", "sh: 1: ./nothere: not found\n", 127],
  ["./d", "", "sh: 1: ./d: Permission denied\n", 126],
];

describe("cp, mv and chmod as coreutils", () => {
  for (const [script, out, err, code] of cases)
    it(script, () => {
      expect(run(script)).toEqual({ out, err, code });
    });
});

describe("scripts run by their path", () => {
  it("runs an executable script with the interpreter of its #! line, arguments and all", () => {
    const fs = files();
    fs.write("/t/s.sh", '#!/bin/bash\necho "hi $1 from $0"; [[ $1 == t* ]] && echo bash; true\n');
    expect(run("chmod +x s.sh && ./s.sh there && /t/s.sh again", fs)).toEqual({
      out: "hi there from ./s.sh\nbash\nhi again from /t/s.sh\n",
      err: "",
      code: 0,
    });
  });

  it("keeps a file's mode when it is written again", () => {
    const fs = files();
    expect(run("chmod 700 a.txt; echo new > a.txt; ls -l a.txt | cut -c1-10", fs).out).toBe("-rwx------\n");
  });

  it("says an interpreter it does not simulate is not simulated", () => {
    const fs = files();
    fs.write("/t/p.py", "#!/usr/bin/env python3\nprint(1)\n");
    const r = run("chmod +x p.py; ./p.py", fs);
    expect(r.code).toBe(126);
    expect(r.err).toContain("python3");
  });
});

describe("busybox's words", () => {
  it("cp and chmod on a busybox image", () => {
    expect(run("cp nope x", files(), "busybox:1.36")).toEqual({
      out: "",
      err: "cp: can't stat 'nope': No such file or directory\n",
      code: 1,
    });
    expect(run("chmod +x nope", files(), "busybox:1.36")).toEqual({ out: "", err: "chmod: nope: No such file or directory\n", code: 1 });
  });
});
