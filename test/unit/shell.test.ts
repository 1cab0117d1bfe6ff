import { describe, expect, it } from "vitest";
import { InteractiveShell, runCommand, runProgram, type Network, type ShellContext } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const net: Network = {
  resolve: (name) => (name === "web" ? ["10.96.0.20"] : []),
  http: (req) =>
    req.url.includes("web")
      ? { status: 200, headers: { "Content-Type": "text/plain" }, body: "Hello World!\n" }
      : { error: `Could not resolve host: ${req.url.replace(/^http:\/\//, "").split("/")[0]}` },
  connect: () => ({ error: "refused" }),
};

function ctx(env: Record<string, string> = {}): ShellContext {
  return {
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", ...env },
    cwd: "/",
    hostname: "myapp",
    fs: new MemoryFS({ "/etc/hostname": "myapp\n", "/data/a.txt": "one\ntwo\nthree\n" }),
    net,
    now: () => T0,
  };
}

function sh(script: string, c = ctx()): { out: string; err: string; code: number } {
  let out = "";
  let err = "";
  const code = runCommand(["sh", "-c", script], c, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { out, err, code };
}

describe("sh -c", () => {
  it("echo, quoting, variables", () => {
    expect(sh(`echo hello   world`).out).toBe("hello world\n");
    expect(sh(`echo "a  b" 'c $X' $X`, ctx({ X: "x" })).out).toBe("a  b c $X x\n");
    expect(sh(`A=1; B="$A two"; echo "$B" \${A}x \${U:-def} \${#B}`).out).toBe("1 two 1x def 5\n");
    expect(sh(`echo -n a; echo b`).out).toBe("ab\n");
    expect(sh(`printf '%s=%d\\n' a 1 b 2`).out).toBe("a=1\nb=2\n");
    expect(sh(`echo $((2 + 3 * 4)) $(echo sub)`).out).toBe("14 sub\n");
  });

  it("exit codes, && || ;", () => {
    expect(sh(`echo hi; exit 3`)).toEqual({ out: "hi\n", err: "", code: 3 });
    expect(sh(`false && echo no || echo yes`).out).toBe("yes\n");
    expect(sh(`true; echo $?; false; echo $?`).out).toBe("0\n1\n");
    expect(sh(`nosuch`)).toMatchObject({ err: "sh: nosuch: not found\n", code: 127 });
    expect(sh(`[ 1 -lt 2 ] && test -f /etc/hostname && echo ok`).out).toBe("ok\n");
  });

  it("loops and conditionals", () => {
    expect(sh(`for i in 1 2 3; do echo n$i; done`).out).toBe("n1\nn2\nn3\n");
    expect(sh(`i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done`).out).toBe("1\n2\n3\n");
    expect(sh(`if [ -d /data ]; then echo dir; else echo no; fi`).out).toBe("dir\n");
    expect(sh(`while true; do echo x; break; done`).out).toBe("x\n");
  });

  it("files, pipes, env", () => {
    expect(sh(`cat /data/a.txt | grep t | wc -l`).out).toBe("2\n");
    expect(sh(`head -n 1 /data/a.txt; ls /data`).out).toBe("one\na.txt\n");
    expect(sh(`cat /nope`)).toMatchObject({ err: "cat: can't open '/nope': No such file or directory\n", code: 1 });
    expect(sh(`echo saved > /tmp/f; cat /tmp/f`).out).toBe("saved\n");
    expect(sh(`printenv GREETING; hostname`, ctx({ GREETING: "hi" })).out).toBe("hi\nmyapp\n");
    expect(sh(`env`, ctx({ A: "1" })).out).toContain("A=1\n");
    expect(sh(`date`).out).toBe("Wed Jan  1 00:00:00 UTC 2025\n");
    expect(sh(`sleep 5; date +%T`).out).toBe("00:00:05\n");
  });

  it("curl through the network (nslookup: network.test.ts)", () => {
    expect(sh(`curl -s web`).out).toBe("Hello World!\n");
    expect(sh(`curl -sS nope`)).toMatchObject({ err: "curl: (6) Could not resolve host: nope\n", code: 6 });
  });

  it("reports syntax errors", () => {
    expect(sh(`if true; then echo`)).toMatchObject({ code: 2 });
  });
});

describe("runProgram", () => {
  it("yields timed lines of an endless loop up to the window", () => {
    const r = runProgram(["sh", "-c", "while true; do echo tick; sleep 5; done"], ctx(), { until: T0 + 12_000 });
    expect(r.exit).toBeUndefined();
    expect(r.lines.map((l) => l.at - T0)).toEqual([0, 5000, 10000]);
  });

  it("reports the exit code and time", () => {
    const r = runProgram(["sh", "-c", "echo hi; sleep 2; exit 3"], ctx(), { until: T0 + 3600_000 });
    expect(r.exit).toEqual({ code: 3, at: T0 + 2000 });
    expect(r.lines).toEqual([{ at: T0, text: "hi", stream: "stdout" }]);
  });

  it("treats sleep infinity and busy loops as running", () => {
    expect(runProgram(["sleep", "infinity"], ctx(), { until: T0 + 1000 }).exit).toBeUndefined();
    expect(runProgram(["sh", "-c", "while true; do :; done"], ctx(), { until: T0 + 1000 }).exit).toBeUndefined();
  });
});

describe("InteractiveShell", () => {
  it("echoes, edits and runs lines", () => {
    const sh = new InteractiveShell(ctx(), { shell: "bash" });
    let out = "";
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (out += s) };
    expect(sh.prompt()).toBe("root@myapp:/# ");
    expect(sh.feed("hostnamx\x7fe\r", io)).toEqual({});
    expect(out).toBe("hostnamx\b \be\r\nmyapp\r\nroot@myapp:/# ");
    out = "";
    sh.feed("cd /data\rls\r", io);
    expect(out).toContain("a.txt\r\nroot@myapp:/data# ");
    expect(sh.feed("exit 4\r", io)).toEqual({ exit: 4 });
  });
});

describe("text applets", () => {
  it("sort, uniq, seq, cut, tr", () => {
    expect(sh(`printf 'b\\na\\nb\\n' | sort | uniq -c`).out).toBe("      1 a\n      2 b\n");
    expect(sh(`seq 3 | tr 1-3 a-c`).out).toBe("a\nb\nc\n");
    expect(sh(`echo a:b:c | cut -d: -f2`).out).toBe("b\n");
    expect(sh(`echo hello | tr a-z A-Z`).out).toBe("HELLO\n");
  });
});
