// The shell language against the real shells. Every expectation below is what the real shell
// printed for the same script: GNU bash 5.2.15 (bash -c), dash 0.5.12 (Debian's sh -c) and BusyBox 1.35
// ash (busybox sh -c), recorded on Debian bookworm; error lines name the shell as the image's `sh`.
import { imageView } from "../../durable/nodes/runtime/images";
import { describe, expect, it } from "vitest";
import { execRealtime, InteractiveShell, PipeShell, runCommand, runProgram, type ShellContext } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";

type Dialect = "bash" | "dash" | "busybox";
/** bash and dash (as sh) in a Debian image, ash in the busybox image. */
const SHELL: Record<Dialect, [image: string, argv: string[]]> = {
  bash: ["debian", ["bash", "-c"]],
  dash: ["debian", ["sh", "-c"]],
  busybox: ["busybox", ["sh", "-c"]],
};
const net = { resolve: () => [], http: () => ({ error: "Could not resolve host" }), connect: () => ({ error: "refused" }) };

function run(d: Dialect, script: string): { out: string; err: string; code: number } {
  const [image, argv] = SHELL[d];
  const ctx: ShellContext = {
    env: { PATH: "/usr/bin:/bin", HOME: "/root" },
    cwd: "/root",
    hostname: "h",
    fs: new MemoryFS({ "/root/f.txt": "one\ntwo\n" }),
    net,
    now: () => 0,
    container: { name: "c", image },
    image: imageView(image),
  };
  let out = "";
  let err = "";
  const code = runCommand([...argv, script], ctx, { stdout: (x) => void (out += x), stderr: (x) => void (err += x) });
  return { out, err, code };
}

describe("here-documents", () => {
  it("bash: cat <<EOF\nhello $HOME\n$((1+2)) `echo x`\nEOF", () =>
    expect(run("bash", "cat <<EOF\nhello $HOME\n$((1+2)) `echo x`\nEOF")).toEqual({ out: "hello /root\n3 x\n", err: "", code: 0 }));
  it("dash: cat <<EOF\nhello $HOME\n$((1+2)) `echo x`\nEOF", () =>
    expect(run("dash", "cat <<EOF\nhello $HOME\n$((1+2)) `echo x`\nEOF")).toEqual({ out: "hello /root\n3 x\n", err: "", code: 0 }));
  it("busybox: cat <<EOF\nhello $HOME\n$((1+2)) `echo x`\nEOF", () =>
    expect(run("busybox", "cat <<EOF\nhello $HOME\n$((1+2)) `echo x`\nEOF")).toEqual({ out: "hello /root\n3 x\n", err: "", code: 0 }));
  it("bash: cat <<'EOF'\nhello $HOME\nEOF", () =>
    expect(run("bash", "cat <<'EOF'\nhello $HOME\nEOF")).toEqual({ out: "hello $HOME\n", err: "", code: 0 }));
  it("dash: cat <<'EOF'\nhello $HOME\nEOF", () =>
    expect(run("dash", "cat <<'EOF'\nhello $HOME\nEOF")).toEqual({ out: "hello $HOME\n", err: "", code: 0 }));
  it("busybox: cat <<'EOF'\nhello $HOME\nEOF", () =>
    expect(run("busybox", "cat <<'EOF'\nhello $HOME\nEOF")).toEqual({ out: "hello $HOME\n", err: "", code: 0 }));
  it("bash: cat <<-EOF\n\t\tindented\n\tEOF", () =>
    expect(run("bash", "cat <<-EOF\n\t\tindented\n\tEOF")).toEqual({ out: "indented\n", err: "", code: 0 }));
  it("dash: cat <<-EOF\n\t\tindented\n\tEOF", () =>
    expect(run("dash", "cat <<-EOF\n\t\tindented\n\tEOF")).toEqual({ out: "indented\n", err: "", code: 0 }));
  it("busybox: cat <<-EOF\n\t\tindented\n\tEOF", () =>
    expect(run("busybox", "cat <<-EOF\n\t\tindented\n\tEOF")).toEqual({ out: "indented\n", err: "", code: 0 }));
  it("bash: cat <<EOF | tr a-z A-Z\nabc\nEOF", () =>
    expect(run("bash", "cat <<EOF | tr a-z A-Z\nabc\nEOF")).toEqual({ out: "ABC\n", err: "", code: 0 }));
  it("dash: cat <<EOF | tr a-z A-Z\nabc\nEOF", () =>
    expect(run("dash", "cat <<EOF | tr a-z A-Z\nabc\nEOF")).toEqual({ out: "ABC\n", err: "", code: 0 }));
  it("busybox: cat <<EOF | tr a-z A-Z\nabc\nEOF", () =>
    expect(run("busybox", "cat <<EOF | tr a-z A-Z\nabc\nEOF")).toEqual({ out: "ABC\n", err: "", code: 0 }));
  it("bash: x=5; cat <<EOF > /root/out.txt\nv=$x\nEOF\ncat /root/out.txt", () =>
    expect(run("bash", "x=5; cat <<EOF > /root/out.txt\nv=$x\nEOF\ncat /root/out.txt")).toEqual({ out: "v=5\n", err: "", code: 0 }));
  it("dash: x=5; cat <<EOF > /root/out.txt\nv=$x\nEOF\ncat /root/out.txt", () =>
    expect(run("dash", "x=5; cat <<EOF > /root/out.txt\nv=$x\nEOF\ncat /root/out.txt")).toEqual({ out: "v=5\n", err: "", code: 0 }));
  it("busybox: x=5; cat <<EOF > /root/out.txt\nv=$x\nEOF\ncat /root/out.txt", () =>
    expect(run("busybox", "x=5; cat <<EOF > /root/out.txt\nv=$x\nEOF\ncat /root/out.txt")).toEqual({ out: "v=5\n", err: "", code: 0 }));
  it("bash: cat <<A; cat <<B\na\nA\nb\nB", () =>
    expect(run("bash", "cat <<A; cat <<B\na\nA\nb\nB")).toEqual({ out: "a\nb\n", err: "", code: 0 }));
  it("dash: cat <<A; cat <<B\na\nA\nb\nB", () =>
    expect(run("dash", "cat <<A; cat <<B\na\nA\nb\nB")).toEqual({ out: "a\nb\n", err: "", code: 0 }));
  it("busybox: cat <<A; cat <<B\na\nA\nb\nB", () =>
    expect(run("busybox", "cat <<A; cat <<B\na\nA\nb\nB")).toEqual({ out: "a\nb\n", err: "", code: 0 }));
  it('bash: while read a b; do echo "$b|$a"; done <<EOF\n1 2 3\n4 5\nEOF', () =>
    expect(run("bash", 'while read a b; do echo "$b|$a"; done <<EOF\n1 2 3\n4 5\nEOF')).toEqual({ out: "2 3|1\n5|4\n", err: "", code: 0 }));
  it('dash: while read a b; do echo "$b|$a"; done <<EOF\n1 2 3\n4 5\nEOF', () =>
    expect(run("dash", 'while read a b; do echo "$b|$a"; done <<EOF\n1 2 3\n4 5\nEOF')).toEqual({ out: "2 3|1\n5|4\n", err: "", code: 0 }));
  it('busybox: while read a b; do echo "$b|$a"; done <<EOF\n1 2 3\n4 5\nEOF', () =>
    expect(run("busybox", 'while read a b; do echo "$b|$a"; done <<EOF\n1 2 3\n4 5\nEOF')).toEqual({
      out: "2 3|1\n5|4\n",
      err: "",
      code: 0,
    }));
  it("bash: cat <<EOF\nno end", () =>
    expect(run("bash", "cat <<EOF\nno end")).toEqual({
      out: "no end\n",
      err: "bash: line 2: warning: here-document at line 1 delimited by end-of-file (wanted `EOF')\n",
      code: 0,
    }));
  it("dash: cat <<EOF\nno end", () => expect(run("dash", "cat <<EOF\nno end")).toEqual({ out: "no end", err: "", code: 0 }));
  it("busybox: cat <<EOF\nno end", () => expect(run("busybox", "cat <<EOF\nno end")).toEqual({ out: "no end", err: "", code: 0 }));
});

describe("arithmetic", () => {
  it("bash: echo $((1+2*3)) $((7/2)) $((7%3)) $((1<<4)) $((0x1f)) $((010)) $((-5/2))", () =>
    expect(run("bash", "echo $((1+2*3)) $((7/2)) $((7%3)) $((1<<4)) $((0x1f)) $((010)) $((-5/2))")).toEqual({
      out: "7 3 1 16 31 8 -2\n",
      err: "",
      code: 0,
    }));
  it("dash: echo $((1+2*3)) $((7/2)) $((7%3)) $((1<<4)) $((0x1f)) $((010)) $((-5/2))", () =>
    expect(run("dash", "echo $((1+2*3)) $((7/2)) $((7%3)) $((1<<4)) $((0x1f)) $((010)) $((-5/2))")).toEqual({
      out: "7 3 1 16 31 8 -2\n",
      err: "",
      code: 0,
    }));
  it("busybox: echo $((1+2*3)) $((7/2)) $((7%3)) $((1<<4)) $((0x1f)) $((010)) $((-5/2))", () =>
    expect(run("busybox", "echo $((1+2*3)) $((7/2)) $((7%3)) $((1<<4)) $((0x1f)) $((010)) $((-5/2))")).toEqual({
      out: "7 3 1 16 31 8 -2\n",
      err: "",
      code: 0,
    }));
  it("bash: echo $((2**10))", () => expect(run("bash", "echo $((2**10))")).toEqual({ out: "1024\n", err: "", code: 0 }));
  it("busybox: echo $((2**10))", () => expect(run("busybox", "echo $((2**10))")).toEqual({ out: "1024\n", err: "", code: 0 }));
  it("bash: x=3; echo $((x+=2)) $x $((x++)) $x $((--x)) $((x*=3)) $x", () =>
    expect(run("bash", "x=3; echo $((x+=2)) $x $((x++)) $x $((--x)) $((x*=3)) $x")).toEqual({
      out: "5 5 5 6 5 15 15\n",
      err: "",
      code: 0,
    }));
  it("dash: x=3; echo $((x+=2)) $x $((x++)) $x $((--x)) $((x*=3)) $x", () =>
    expect(run("dash", "x=3; echo $((x+=2)) $x $((x++)) $x $((--x)) $((x*=3)) $x")).toEqual({
      out: "",
      err: 'sh: 1: arithmetic expression: expecting primary: "x++"\n',
      code: 2,
    }));
  it("busybox: x=3; echo $((x+=2)) $x $((x++)) $x $((--x)) $((x*=3)) $x", () =>
    expect(run("busybox", "x=3; echo $((x+=2)) $x $((x++)) $x $((--x)) $((x*=3)) $x")).toEqual({
      out: "5 5 5 6 5 15 15\n",
      err: "",
      code: 0,
    }));
  it("bash: a=2 b=3; echo $((a>b?a:b)) $((a==2 && b==3)) $((!a)) $((~a)) $((a|4)) $((a^3))", () =>
    expect(run("bash", "a=2 b=3; echo $((a>b?a:b)) $((a==2 && b==3)) $((!a)) $((~a)) $((a|4)) $((a^3))")).toEqual({
      out: "3 1 0 -3 6 1\n",
      err: "",
      code: 0,
    }));
  it("dash: a=2 b=3; echo $((a>b?a:b)) $((a==2 && b==3)) $((!a)) $((~a)) $((a|4)) $((a^3))", () =>
    expect(run("dash", "a=2 b=3; echo $((a>b?a:b)) $((a==2 && b==3)) $((!a)) $((~a)) $((a|4)) $((a^3))")).toEqual({
      out: "3 1 0 -3 6 1\n",
      err: "",
      code: 0,
    }));
  it("busybox: a=2 b=3; echo $((a>b?a:b)) $((a==2 && b==3)) $((!a)) $((~a)) $((a|4)) $((a^3))", () =>
    expect(run("busybox", "a=2 b=3; echo $((a>b?a:b)) $((a==2 && b==3)) $((!a)) $((~a)) $((a|4)) $((a^3))")).toEqual({
      out: "3 1 0 -3 6 1\n",
      err: "",
      code: 0,
    }));
  it("bash: echo $((1/0)); echo after", () =>
    expect(run("bash", "echo $((1/0)); echo after")).toEqual({
      out: "",
      err: 'bash: line 1: 1/0: division by 0 (error token is "0")\n',
      code: 1,
    }));
  it("dash: echo $((1/0)); echo after", () =>
    expect(run("dash", "echo $((1/0)); echo after")).toEqual({
      out: "",
      err: 'sh: 1: arithmetic expression: division by zero: "1/0"\n',
      code: 2,
    }));
  it("busybox: echo $((1/0)); echo after", () =>
    expect(run("busybox", "echo $((1/0)); echo after")).toEqual({ out: "", err: "sh: divide by zero\n", code: 2 }));
  it("bash: echo $((1 +)); echo after", () =>
    expect(run("bash", "echo $((1 +)); echo after")).toEqual({
      out: "",
      err: 'bash: line 1: 1 +: syntax error: operand expected (error token is "+")\n',
      code: 1,
    }));
  it("dash: echo $((1 +)); echo after", () =>
    expect(run("dash", "echo $((1 +)); echo after")).toEqual({
      out: "",
      err: 'sh: 1: arithmetic expression: expecting primary: "1 +"\n',
      code: 2,
    }));
  it("busybox: echo $((1 +)); echo after", () =>
    expect(run("busybox", "echo $((1 +)); echo after")).toEqual({ out: "", err: "sh: arithmetic syntax error\n", code: 2 }));
  it("bash: echo $(( $(echo 4) * 2 ))", () => expect(run("bash", "echo $(( $(echo 4) * 2 ))")).toEqual({ out: "8\n", err: "", code: 0 }));
  it("dash: echo $(( $(echo 4) * 2 ))", () => expect(run("dash", "echo $(( $(echo 4) * 2 ))")).toEqual({ out: "8\n", err: "", code: 0 }));
  it("busybox: echo $(( $(echo 4) * 2 ))", () =>
    expect(run("busybox", "echo $(( $(echo 4) * 2 ))")).toEqual({ out: "8\n", err: "", code: 0 }));
  it("bash: a=5; (( a > 3 )) && echo big", () =>
    expect(run("bash", "a=5; (( a > 3 )) && echo big")).toEqual({ out: "big\n", err: "", code: 0 }));
});

describe("functions", () => {
  it('bash: f() { echo "f:$1:$#"; return 3; }; f a b; echo $?', () =>
    expect(run("bash", 'f() { echo "f:$1:$#"; return 3; }; f a b; echo $?')).toEqual({ out: "f:a:2\n3\n", err: "", code: 0 }));
  it('dash: f() { echo "f:$1:$#"; return 3; }; f a b; echo $?', () =>
    expect(run("dash", 'f() { echo "f:$1:$#"; return 3; }; f a b; echo $?')).toEqual({ out: "f:a:2\n3\n", err: "", code: 0 }));
  it('busybox: f() { echo "f:$1:$#"; return 3; }; f a b; echo $?', () =>
    expect(run("busybox", 'f() { echo "f:$1:$#"; return 3; }; f a b; echo $?')).toEqual({ out: "f:a:2\n3\n", err: "", code: 0 }));
  it("bash: function g { echo g; }; g", () => expect(run("bash", "function g { echo g; }; g")).toEqual({ out: "g\n", err: "", code: 0 }));
  it("dash: function g { echo g; }; g", () =>
    expect(run("dash", "function g { echo g; }; g")).toEqual({ out: "", err: 'sh: 1: Syntax error: "}" unexpected\n', code: 2 }));
  it("busybox: function g { echo g; }; g", () =>
    expect(run("busybox", "function g { echo g; }; g")).toEqual({ out: "g\n", err: "", code: 0 }));
  it("bash: f() { local x=in; echo $x; }; x=out; f; echo $x", () =>
    expect(run("bash", "f() { local x=in; echo $x; }; x=out; f; echo $x")).toEqual({ out: "in\nout\n", err: "", code: 0 }));
  it("dash: f() { local x=in; echo $x; }; x=out; f; echo $x", () =>
    expect(run("dash", "f() { local x=in; echo $x; }; x=out; f; echo $x")).toEqual({ out: "in\nout\n", err: "", code: 0 }));
  it("busybox: f() { local x=in; echo $x; }; x=out; f; echo $x", () =>
    expect(run("busybox", "f() { local x=in; echo $x; }; x=out; f; echo $x")).toEqual({ out: "in\nout\n", err: "", code: 0 }));
  it("bash: f() { x=changed; }; x=orig; f; echo $x", () =>
    expect(run("bash", "f() { x=changed; }; x=orig; f; echo $x")).toEqual({ out: "changed\n", err: "", code: 0 }));
  it("dash: f() { x=changed; }; x=orig; f; echo $x", () =>
    expect(run("dash", "f() { x=changed; }; x=orig; f; echo $x")).toEqual({ out: "changed\n", err: "", code: 0 }));
  it("busybox: f() { x=changed; }; x=orig; f; echo $x", () =>
    expect(run("busybox", "f() { x=changed; }; x=orig; f; echo $x")).toEqual({ out: "changed\n", err: "", code: 0 }));
  it("bash: local x=1", () =>
    expect(run("bash", "local x=1")).toEqual({ out: "", err: "bash: line 1: local: can only be used in a function\n", code: 1 }));
  it("dash: local x=1", () => expect(run("dash", "local x=1")).toEqual({ out: "", err: "sh: 1: local: not in a function\n", code: 2 }));
  it("busybox: local x=1", () =>
    expect(run("busybox", "local x=1")).toEqual({ out: "", err: "sh: local: line 0: not in a function\n", code: 2 }));
  it("bash: return 2; echo no", () =>
    expect(run("bash", "return 2; echo no")).toEqual({
      out: "no\n",
      err: "bash: line 1: return: can only `return' from a function or sourced script\n",
      code: 0,
    }));
  it("dash: return 2; echo no", () => expect(run("dash", "return 2; echo no")).toEqual({ out: "", err: "", code: 2 }));
  it("busybox: return 2; echo no", () => expect(run("busybox", "return 2; echo no")).toEqual({ out: "", err: "", code: 2 }));
  it("bash: f() { return; }; false; f; echo $?", () =>
    expect(run("bash", "f() { return; }; false; f; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("dash: f() { return; }; false; f; echo $?", () =>
    expect(run("dash", "f() { return; }; false; f; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("busybox: f() { return; }; false; f; echo $?", () =>
    expect(run("busybox", "f() { return; }; false; f; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it('bash: f() { echo $#; }; f; f ""; f "$@"', () =>
    expect(run("bash", 'f() { echo $#; }; f; f ""; f "$@"')).toEqual({ out: "0\n1\n0\n", err: "", code: 0 }));
  it('dash: f() { echo $#; }; f; f ""; f "$@"', () =>
    expect(run("dash", 'f() { echo $#; }; f; f ""; f "$@"')).toEqual({ out: "0\n1\n0\n", err: "", code: 0 }));
  it('busybox: f() { echo $#; }; f; f ""; f "$@"', () =>
    expect(run("busybox", 'f() { echo $#; }; f; f ""; f "$@"')).toEqual({ out: "0\n1\n0\n", err: "", code: 0 }));
});

describe("trap", () => {
  it('bash: trap "echo bye" EXIT; echo hi', () =>
    expect(run("bash", 'trap "echo bye" EXIT; echo hi')).toEqual({ out: "hi\nbye\n", err: "", code: 0 }));
  it('dash: trap "echo bye" EXIT; echo hi', () =>
    expect(run("dash", 'trap "echo bye" EXIT; echo hi')).toEqual({ out: "hi\nbye\n", err: "", code: 0 }));
  it('busybox: trap "echo bye" EXIT; echo hi', () =>
    expect(run("busybox", 'trap "echo bye" EXIT; echo hi')).toEqual({ out: "hi\nbye\n", err: "", code: 0 }));
  it('bash: trap "echo bye" EXIT; exit 3', () =>
    expect(run("bash", 'trap "echo bye" EXIT; exit 3')).toEqual({ out: "bye\n", err: "", code: 3 }));
  it('dash: trap "echo bye" EXIT; exit 3', () =>
    expect(run("dash", 'trap "echo bye" EXIT; exit 3')).toEqual({ out: "bye\n", err: "", code: 3 }));
  it('busybox: trap "echo bye" EXIT; exit 3', () =>
    expect(run("busybox", 'trap "echo bye" EXIT; exit 3')).toEqual({ out: "bye\n", err: "", code: 3 }));
  it('bash: trap "echo t" INT; trap', () =>
    expect(run("bash", 'trap "echo t" INT; trap')).toEqual({ out: "trap -- 'echo t' SIGINT\n", err: "", code: 0 }));
  it('dash: trap "echo t" INT; trap', () =>
    expect(run("dash", 'trap "echo t" INT; trap')).toEqual({ out: "trap -- 'echo t' INT\n", err: "", code: 0 }));
  it('busybox: trap "echo t" INT; trap', () =>
    expect(run("busybox", 'trap "echo t" INT; trap')).toEqual({ out: "trap -- 'echo t' INT\n", err: "", code: 0 }));
  it('bash: trap "echo t" INT TERM; trap - INT; trap', () =>
    expect(run("bash", 'trap "echo t" INT TERM; trap - INT; trap')).toEqual({ out: "trap -- 'echo t' SIGTERM\n", err: "", code: 0 }));
  it('dash: trap "echo t" INT TERM; trap - INT; trap', () =>
    expect(run("dash", 'trap "echo t" INT TERM; trap - INT; trap')).toEqual({ out: "trap -- 'echo t' TERM\n", err: "", code: 0 }));
  it('busybox: trap "echo t" INT TERM; trap - INT; trap', () =>
    expect(run("busybox", 'trap "echo t" INT TERM; trap - INT; trap')).toEqual({ out: "trap -- 'echo t' TERM\n", err: "", code: 0 }));
  it('bash: trap "echo caught" EXIT; false', () =>
    expect(run("bash", 'trap "echo caught" EXIT; false')).toEqual({ out: "caught\n", err: "", code: 1 }));
  it('dash: trap "echo caught" EXIT; false', () =>
    expect(run("dash", 'trap "echo caught" EXIT; false')).toEqual({ out: "caught\n", err: "", code: 1 }));
  it('busybox: trap "echo caught" EXIT; false', () =>
    expect(run("busybox", 'trap "echo caught" EXIT; false')).toEqual({ out: "caught\n", err: "", code: 1 }));
});

describe("set -e, -u, -x", () => {
  it("bash: set -e; echo a; false; echo b", () =>
    expect(run("bash", "set -e; echo a; false; echo b")).toEqual({ out: "a\n", err: "", code: 1 }));
  it("dash: set -e; echo a; false; echo b", () =>
    expect(run("dash", "set -e; echo a; false; echo b")).toEqual({ out: "a\n", err: "", code: 1 }));
  it("busybox: set -e; echo a; false; echo b", () =>
    expect(run("busybox", "set -e; echo a; false; echo b")).toEqual({ out: "a\n", err: "", code: 1 }));
  it("bash: set -e; false || echo rescued; if false; then :; fi; echo end", () =>
    expect(run("bash", "set -e; false || echo rescued; if false; then :; fi; echo end")).toEqual({
      out: "rescued\nend\n",
      err: "",
      code: 0,
    }));
  it("dash: set -e; false || echo rescued; if false; then :; fi; echo end", () =>
    expect(run("dash", "set -e; false || echo rescued; if false; then :; fi; echo end")).toEqual({
      out: "rescued\nend\n",
      err: "",
      code: 0,
    }));
  it("busybox: set -e; false || echo rescued; if false; then :; fi; echo end", () =>
    expect(run("busybox", "set -e; false || echo rescued; if false; then :; fi; echo end")).toEqual({
      out: "rescued\nend\n",
      err: "",
      code: 0,
    }));
  it("bash: set -e; f() { false; echo inside; }; f; echo after", () =>
    expect(run("bash", "set -e; f() { false; echo inside; }; f; echo after")).toEqual({ out: "", err: "", code: 1 }));
  it("dash: set -e; f() { false; echo inside; }; f; echo after", () =>
    expect(run("dash", "set -e; f() { false; echo inside; }; f; echo after")).toEqual({ out: "", err: "", code: 1 }));
  it("busybox: set -e; f() { false; echo inside; }; f; echo after", () =>
    expect(run("busybox", "set -e; f() { false; echo inside; }; f; echo after")).toEqual({ out: "", err: "", code: 1 }));
  it("bash: set -u; echo ${u:-dflt}; echo $u; echo after", () =>
    expect(run("bash", "set -u; echo ${u:-dflt}; echo $u; echo after")).toEqual({
      out: "dflt\n",
      err: "bash: line 1: u: unbound variable\n",
      code: 127,
    }));
  it("dash: set -u; echo ${u:-dflt}; echo $u; echo after", () =>
    expect(run("dash", "set -u; echo ${u:-dflt}; echo $u; echo after")).toEqual({
      out: "dflt\n",
      err: "sh: 1: u: parameter not set\n",
      code: 2,
    }));
  it("busybox: set -u; echo ${u:-dflt}; echo $u; echo after", () =>
    expect(run("busybox", "set -u; echo ${u:-dflt}; echo $u; echo after")).toEqual({
      out: "dflt\n",
      err: "sh: u: parameter not set\n",
      code: 2,
    }));
  it('bash: set -x; a=1; echo "$a b" c', () =>
    expect(run("bash", 'set -x; a=1; echo "$a b" c')).toEqual({ out: "1 b c\n", err: "+ a=1\n+ echo '1 b' c\n", code: 0 }));
  it('dash: set -x; a=1; echo "$a b" c', () =>
    expect(run("dash", 'set -x; a=1; echo "$a b" c')).toEqual({ out: "1 b c\n", err: "+ a=1\n+ echo 1 b c\n", code: 0 }));
  it('busybox: set -x; a=1; echo "$a b" c', () =>
    expect(run("busybox", 'set -x; a=1; echo "$a b" c')).toEqual({ out: "1 b c\n", err: "+ a=1\n+ echo '1 b' c\n", code: 0 }));
  it("bash: set -o pipefail; false | true; echo $?", () =>
    expect(run("bash", "set -o pipefail; false | true; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("dash: set -o pipefail; false | true; echo $?", () =>
    expect(run("dash", "set -o pipefail; false | true; echo $?")).toEqual({
      out: "",
      err: "sh: 1: set: Illegal option -o pipefail\n",
      code: 2,
    }));
  it("busybox: set -o pipefail; false | true; echo $?", () =>
    expect(run("busybox", "set -o pipefail; false | true; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
});

describe("case and [[ ]]", () => {
  it("bash: case abc in a*) echo A;; *) echo other;; esac", () =>
    expect(run("bash", "case abc in a*) echo A;; *) echo other;; esac")).toEqual({ out: "A\n", err: "", code: 0 }));
  it("dash: case abc in a*) echo A;; *) echo other;; esac", () =>
    expect(run("dash", "case abc in a*) echo A;; *) echo other;; esac")).toEqual({ out: "A\n", err: "", code: 0 }));
  it("busybox: case abc in a*) echo A;; *) echo other;; esac", () =>
    expect(run("busybox", "case abc in a*) echo A;; *) echo other;; esac")).toEqual({ out: "A\n", err: "", code: 0 }));
  it("bash: case x.tar.gz in *.zip|*.gz) echo arch;; esac", () =>
    expect(run("bash", "case x.tar.gz in *.zip|*.gz) echo arch;; esac")).toEqual({ out: "arch\n", err: "", code: 0 }));
  it("dash: case x.tar.gz in *.zip|*.gz) echo arch;; esac", () =>
    expect(run("dash", "case x.tar.gz in *.zip|*.gz) echo arch;; esac")).toEqual({ out: "arch\n", err: "", code: 0 }));
  it("busybox: case x.tar.gz in *.zip|*.gz) echo arch;; esac", () =>
    expect(run("busybox", "case x.tar.gz in *.zip|*.gz) echo arch;; esac")).toEqual({ out: "arch\n", err: "", code: 0 }));
  it("bash: x=b; case $x in (a) echo a;; (b) echo b;; esac", () =>
    expect(run("bash", "x=b; case $x in (a) echo a;; (b) echo b;; esac")).toEqual({ out: "b\n", err: "", code: 0 }));
  it("dash: x=b; case $x in (a) echo a;; (b) echo b;; esac", () =>
    expect(run("dash", "x=b; case $x in (a) echo a;; (b) echo b;; esac")).toEqual({ out: "b\n", err: "", code: 0 }));
  it("busybox: x=b; case $x in (a) echo a;; (b) echo b;; esac", () =>
    expect(run("busybox", "x=b; case $x in (a) echo a;; (b) echo b;; esac")).toEqual({ out: "b\n", err: "", code: 0 }));
  it('bash: [[ abc == a* ]] && echo glob; [[ abc == "a*" ]] || echo literal', () =>
    expect(run("bash", '[[ abc == a* ]] && echo glob; [[ abc == "a*" ]] || echo literal')).toEqual({
      out: "glob\nliteral\n",
      err: "",
      code: 0,
    }));
  it('dash: [[ abc == a* ]] && echo glob; [[ abc == "a*" ]] || echo literal', () =>
    expect(run("dash", '[[ abc == a* ]] && echo glob; [[ abc == "a*" ]] || echo literal')).toEqual({
      out: "literal\n",
      err: "sh: 1: [[: not found\nsh: 1: [[: not found\n",
      code: 0,
    }));
  it("bash: [[ -f /root/f.txt && ! -d /root/f.txt ]] && echo file", () =>
    expect(run("bash", "[[ -f /root/f.txt && ! -d /root/f.txt ]] && echo file")).toEqual({ out: "file\n", err: "", code: 0 }));
  it("dash: [[ -f /root/f.txt && ! -d /root/f.txt ]] && echo file", () =>
    expect(run("dash", "[[ -f /root/f.txt && ! -d /root/f.txt ]] && echo file")).toEqual({
      out: "",
      err: "sh: 1: [[: not found\n",
      code: 127,
    }));
  it("busybox: [[ -f /root/f.txt && ! -d /root/f.txt ]] && echo file", () =>
    expect(run("busybox", "[[ -f /root/f.txt && ! -d /root/f.txt ]] && echo file")).toEqual({ out: "file\n", err: "", code: 0 }));
  it("bash: [[ 10 -gt 9 ]] && echo num; [[ b > a ]] && echo str", () =>
    expect(run("bash", "[[ 10 -gt 9 ]] && echo num; [[ b > a ]] && echo str")).toEqual({ out: "num\nstr\n", err: "", code: 0 }));
  it("dash: [[ 10 -gt 9 ]] && echo num; [[ b > a ]] && echo str", () =>
    expect(run("dash", "[[ 10 -gt 9 ]] && echo num; [[ b > a ]] && echo str")).toEqual({
      out: "",
      err: "sh: 1: [[: not found\nsh: 1: [[: not found\n",
      code: 127,
    }));
  it("busybox: [[ 10 -gt 9 ]] && echo num; [[ b > a ]] && echo str", () =>
    expect(run("busybox", "[[ 10 -gt 9 ]] && echo num; [[ b > a ]] && echo str")).toEqual({ out: "num\nstr\n", err: "", code: 0 }));
  it("bash: [[ abc123 =~ ^([a-z]+)([0-9]+)$ ]] && echo ${BASH_REMATCH[1]}-${BASH_REMATCH[2]}", () =>
    expect(run("bash", "[[ abc123 =~ ^([a-z]+)([0-9]+)$ ]] && echo ${BASH_REMATCH[1]}-${BASH_REMATCH[2]}")).toEqual({
      out: "abc-123\n",
      err: "",
      code: 0,
    }));
  it("dash: [[ abc123 =~ ^([a-z]+)([0-9]+)$ ]] && echo ${BASH_REMATCH[1]}-${BASH_REMATCH[2]}", () =>
    expect(run("dash", "[[ abc123 =~ ^([a-z]+)([0-9]+)$ ]] && echo ${BASH_REMATCH[1]}-${BASH_REMATCH[2]}")).toEqual({
      out: "",
      err: 'sh: 1: Syntax error: "(" unexpected\n',
      code: 2,
    }));
});

describe("arrays", () => {
  it("bash: a subscript is expanded before its arithmetic: i=2; a=(foo bar baz); echo ${a[$i]} ${a[$i-1]} ${a[$(echo 0)]}", () =>
    expect(run("bash", "i=2; a=(foo bar baz); echo ${a[$i]} ${a[$i-1]} ${a[$(echo 0)]}")).toEqual({
      out: "baz bar foo\n",
      err: "",
      code: 0,
    }));
  it('bash: a=(x y "z w"); echo ${a[0]} ${a[2]} ${#a[@]}; for i in "${a[@]}"; do echo "[$i]"; done', () =>
    expect(run("bash", 'a=(x y "z w"); echo ${a[0]} ${a[2]} ${#a[@]}; for i in "${a[@]}"; do echo "[$i]"; done')).toEqual({
      out: "x z w 3\n[x]\n[y]\n[z w]\n",
      err: "",
      code: 0,
    }));
  it('dash: a=(x y "z w"); echo ${a[0]} ${a[2]} ${#a[@]}; for i in "${a[@]}"; do echo "[$i]"; done', () =>
    expect(run("dash", 'a=(x y "z w"); echo ${a[0]} ${a[2]} ${#a[@]}; for i in "${a[@]}"; do echo "[$i]"; done')).toEqual({
      out: "",
      err: 'sh: 1: Syntax error: "(" unexpected\n',
      code: 2,
    }));
  it('busybox: a=(x y "z w"); echo ${a[0]} ${a[2]} ${#a[@]}; for i in "${a[@]}"; do echo "[$i]"; done', () =>
    expect(run("busybox", 'a=(x y "z w"); echo ${a[0]} ${a[2]} ${#a[@]}; for i in "${a[@]}"; do echo "[$i]"; done')).toEqual({
      out: "",
      err: 'sh: syntax error: unexpected "("\n',
      code: 2,
    }));
  it('bash: a=(1 2); a+=(3); a[5]=six; echo "${a[@]}" ${#a[@]} ${a[5]}', () =>
    expect(run("bash", 'a=(1 2); a+=(3); a[5]=six; echo "${a[@]}" ${#a[@]} ${a[5]}')).toEqual({
      out: "1 2 3 six 4 six\n",
      err: "",
      code: 0,
    }));
  it('dash: a=(1 2); a+=(3); a[5]=six; echo "${a[@]}" ${#a[@]} ${a[5]}', () =>
    expect(run("dash", 'a=(1 2); a+=(3); a[5]=six; echo "${a[@]}" ${#a[@]} ${a[5]}')).toEqual({
      out: "",
      err: 'sh: 1: Syntax error: "(" unexpected\n',
      code: 2,
    }));
  it('busybox: a=(1 2); a+=(3); a[5]=six; echo "${a[@]}" ${#a[@]} ${a[5]}', () =>
    expect(run("busybox", 'a=(1 2); a+=(3); a[5]=six; echo "${a[@]}" ${#a[@]} ${a[5]}')).toEqual({
      out: "",
      err: 'sh: syntax error: unexpected "("\n',
      code: 2,
    }));
});

describe("parameter expansion", () => {
  it("bash: x=abc.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x}", () =>
    expect(run("bash", "x=abc.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x}")).toEqual({
      out: "abc.tar abc tar.gz gz 10\n",
      err: "",
      code: 0,
    }));
  it("dash: x=abc.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x}", () =>
    expect(run("dash", "x=abc.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x}")).toEqual({
      out: "abc.tar abc tar.gz gz 10\n",
      err: "",
      code: 0,
    }));
  it("busybox: x=abc.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x}", () =>
    expect(run("busybox", "x=abc.tar.gz; echo ${x%.*} ${x%%.*} ${x#*.} ${x##*.} ${#x}")).toEqual({
      out: "abc.tar abc tar.gz gz 10\n",
      err: "",
      code: 0,
    }));
  it("bash: x=hello; echo ${x/l/L} ${x//l/L} ${x:1:3} ${x^^}", () =>
    expect(run("bash", "x=hello; echo ${x/l/L} ${x//l/L} ${x:1:3} ${x^^}")).toEqual({ out: "heLlo heLLo ell HELLO\n", err: "", code: 0 }));
  it("dash: x=hello; echo ${x/l/L} ${x//l/L} ${x:1:3} ${x^^}", () =>
    expect(run("dash", "x=hello; echo ${x/l/L} ${x//l/L} ${x:1:3} ${x^^}")).toEqual({
      out: "",
      err: "sh: 1: Bad substitution\n",
      code: 2,
    }));
  it("busybox: x=hello; echo ${x/l/L} ${x//l/L} ${x:1:3} ${x^^}", () =>
    expect(run("busybox", "x=hello; echo ${x/l/L} ${x//l/L} ${x:1:3} ${x^^}")).toEqual({
      out: "",
      err: "sh: syntax error: bad substitution\n",
      code: 2,
    }));
  it('bash: echo ${u-a} ${u:-b} ${e=c} $e; v=; echo "[${v:-d}]" "[${v-e}]" ${v:+f} ${e:+g}', () =>
    expect(run("bash", 'echo ${u-a} ${u:-b} ${e=c} $e; v=; echo "[${v:-d}]" "[${v-e}]" ${v:+f} ${e:+g}')).toEqual({
      out: "a b c c\n[d] [] g\n",
      err: "",
      code: 0,
    }));
  it('dash: echo ${u-a} ${u:-b} ${e=c} $e; v=; echo "[${v:-d}]" "[${v-e}]" ${v:+f} ${e:+g}', () =>
    expect(run("dash", 'echo ${u-a} ${u:-b} ${e=c} $e; v=; echo "[${v:-d}]" "[${v-e}]" ${v:+f} ${e:+g}')).toEqual({
      out: "a b c c\n[d] [] g\n",
      err: "",
      code: 0,
    }));
  it('busybox: echo ${u-a} ${u:-b} ${e=c} $e; v=; echo "[${v:-d}]" "[${v-e}]" ${v:+f} ${e:+g}', () =>
    expect(run("busybox", 'echo ${u-a} ${u:-b} ${e=c} $e; v=; echo "[${v:-d}]" "[${v-e}]" ${v:+f} ${e:+g}')).toEqual({
      out: "a b c c\n[d] [] g\n",
      err: "",
      code: 0,
    }));
  it("bash: echo ${u:?missing}; echo after", () =>
    expect(run("bash", "echo ${u:?missing}; echo after")).toEqual({ out: "", err: "bash: line 1: u: missing\n", code: 127 }));
  it("dash: echo ${u:?missing}; echo after", () =>
    expect(run("dash", "echo ${u:?missing}; echo after")).toEqual({ out: "", err: "sh: 1: u: missing\n", code: 2 }));
  it("busybox: echo ${u:?missing}; echo after", () =>
    expect(run("busybox", "echo ${u:?missing}; echo after")).toEqual({ out: "", err: "sh: u: missing\n", code: 2 }));
  it('bash: set -- a "b c" d; echo $#; for x in "$@"; do echo "<$x>"; done; shift; echo $1', () =>
    expect(run("bash", 'set -- a "b c" d; echo $#; for x in "$@"; do echo "<$x>"; done; shift; echo $1')).toEqual({
      out: "3\n<a>\n<b c>\n<d>\nb c\n",
      err: "",
      code: 0,
    }));
  it('dash: set -- a "b c" d; echo $#; for x in "$@"; do echo "<$x>"; done; shift; echo $1', () =>
    expect(run("dash", 'set -- a "b c" d; echo $#; for x in "$@"; do echo "<$x>"; done; shift; echo $1')).toEqual({
      out: "3\n<a>\n<b c>\n<d>\nb c\n",
      err: "",
      code: 0,
    }));
  it('busybox: set -- a "b c" d; echo $#; for x in "$@"; do echo "<$x>"; done; shift; echo $1', () =>
    expect(run("busybox", 'set -- a "b c" d; echo $#; for x in "$@"; do echo "<$x>"; done; shift; echo $1')).toEqual({
      out: "3\n<a>\n<b c>\n<d>\nb c\n",
      err: "",
      code: 0,
    }));
  it('bash: x="a b"; printf "<%s>" $x "$x"; echo', () =>
    expect(run("bash", 'x="a b"; printf "<%s>" $x "$x"; echo')).toEqual({ out: "<a><b><a b>\n", err: "", code: 0 }));
  it('dash: x="a b"; printf "<%s>" $x "$x"; echo', () =>
    expect(run("dash", 'x="a b"; printf "<%s>" $x "$x"; echo')).toEqual({ out: "<a><b><a b>\n", err: "", code: 0 }));
  it('busybox: x="a b"; printf "<%s>" $x "$x"; echo', () =>
    expect(run("busybox", 'x="a b"; printf "<%s>" $x "$x"; echo')).toEqual({ out: "<a><b><a b>\n", err: "", code: 0 }));
  it("bash: IFS=:; x=a:b:c; for i in $x; do echo $i; done", () =>
    expect(run("bash", "IFS=:; x=a:b:c; for i in $x; do echo $i; done")).toEqual({ out: "a\nb\nc\n", err: "", code: 0 }));
  it("dash: IFS=:; x=a:b:c; for i in $x; do echo $i; done", () =>
    expect(run("dash", "IFS=:; x=a:b:c; for i in $x; do echo $i; done")).toEqual({ out: "a\nb\nc\n", err: "", code: 0 }));
  it("busybox: IFS=:; x=a:b:c; for i in $x; do echo $i; done", () =>
    expect(run("busybox", "IFS=:; x=a:b:c; for i in $x; do echo $i; done")).toEqual({ out: "a\nb\nc\n", err: "", code: 0 }));
  it("bash: x=$(echo hi; exit 3); echo $? $x", () =>
    expect(run("bash", "x=$(echo hi; exit 3); echo $? $x")).toEqual({ out: "3 hi\n", err: "", code: 0 }));
  it("dash: x=$(echo hi; exit 3); echo $? $x", () =>
    expect(run("dash", "x=$(echo hi; exit 3); echo $? $x")).toEqual({ out: "3 hi\n", err: "", code: 0 }));
  it("busybox: x=$(echo hi; exit 3); echo $? $x", () =>
    expect(run("busybox", "x=$(echo hi; exit 3); echo $? $x")).toEqual({ out: "3 hi\n", err: "", code: 0 }));
});

describe("echo", () => {
  it("bash: echo \"a\\nb\" 'c\\td'", () =>
    expect(run("bash", "echo \"a\\nb\" 'c\\td'")).toEqual({ out: "a\\nb c\\td\n", err: "", code: 0 }));
  it("dash: echo \"a\\nb\" 'c\\td'", () => expect(run("dash", "echo \"a\\nb\" 'c\\td'")).toEqual({ out: "a\nb c\td\n", err: "", code: 0 }));
  it("busybox: echo \"a\\nb\" 'c\\td'", () =>
    expect(run("busybox", "echo \"a\\nb\" 'c\\td'")).toEqual({ out: "a\\nb c\\td\n", err: "", code: 0 }));
  it('bash: echo -e "a\\tb"; echo -n x; echo y', () =>
    expect(run("bash", 'echo -e "a\\tb"; echo -n x; echo y')).toEqual({ out: "a\tb\nxy\n", err: "", code: 0 }));
  it('dash: echo -e "a\\tb"; echo -n x; echo y', () =>
    expect(run("dash", 'echo -e "a\\tb"; echo -n x; echo y')).toEqual({ out: "-e a\tb\nxy\n", err: "", code: 0 }));
  it('busybox: echo -e "a\\tb"; echo -n x; echo y', () =>
    expect(run("busybox", 'echo -e "a\\tb"; echo -n x; echo y')).toEqual({ out: "a\tb\nxy\n", err: "", code: 0 }));
});

describe("syntax errors", () => {
  it("bash: if true; then echo", () =>
    expect(run("bash", "if true; then echo")).toEqual({
      out: "",
      err: "bash: -c: line 2: syntax error: unexpected end of file\n",
      code: 2,
    }));
  it("dash: if true; then echo", () =>
    expect(run("dash", "if true; then echo")).toEqual({
      out: "",
      err: 'sh: 1: Syntax error: end of file unexpected (expecting "fi")\n',
      code: 2,
    }));
  it("busybox: if true; then echo", () =>
    expect(run("busybox", "if true; then echo")).toEqual({
      out: "",
      err: 'sh: syntax error: unexpected end of file (expecting "fi")\n',
      code: 2,
    }));
  it("bash: while true; do echo", () =>
    expect(run("bash", "while true; do echo")).toEqual({
      out: "",
      err: "bash: -c: line 2: syntax error: unexpected end of file\n",
      code: 2,
    }));
  it("dash: while true; do echo", () =>
    expect(run("dash", "while true; do echo")).toEqual({
      out: "",
      err: 'sh: 1: Syntax error: end of file unexpected (expecting "done")\n',
      code: 2,
    }));
  it("busybox: while true; do echo", () =>
    expect(run("busybox", "while true; do echo")).toEqual({
      out: "",
      err: 'sh: syntax error: unexpected end of file (expecting "done")\n',
      code: 2,
    }));
  it("bash: for i in; done", () =>
    expect(run("bash", "for i in; done")).toEqual({
      out: "",
      err: "bash: -c: line 1: syntax error near unexpected token `done'\nbash: -c: line 1: `for i in; done'\n",
      code: 2,
    }));
  it("dash: for i in; done", () =>
    expect(run("dash", "for i in; done")).toEqual({ out: "", err: 'sh: 1: Syntax error: "done" unexpected (expecting "do")\n', code: 2 }));
  it("busybox: for i in; done", () =>
    expect(run("busybox", "for i in; done")).toEqual({ out: "", err: 'sh: syntax error: unexpected "done" (expecting "do")\n', code: 2 }));
  it('bash: echo "abc', () =>
    expect(run("bash", 'echo "abc')).toEqual({
      out: "",
      err: "bash: -c: line 1: unexpected EOF while looking for matching `\"'\n",
      code: 2,
    }));
  it('dash: echo "abc', () =>
    expect(run("dash", 'echo "abc')).toEqual({ out: "", err: "sh: 1: Syntax error: Unterminated quoted string\n", code: 2 }));
  it('busybox: echo "abc', () =>
    expect(run("busybox", 'echo "abc')).toEqual({ out: "", err: "sh: syntax error: unterminated quoted string\n", code: 2 }));
  it("bash: echo )", () =>
    expect(run("bash", "echo )")).toEqual({
      out: "",
      err: "bash: -c: line 1: syntax error near unexpected token `)'\nbash: -c: line 1: `echo )'\n",
      code: 2,
    }));
  it("dash: echo )", () => expect(run("dash", "echo )")).toEqual({ out: "", err: 'sh: 1: Syntax error: ")" unexpected\n', code: 2 }));
  it("busybox: echo )", () => expect(run("busybox", "echo )")).toEqual({ out: "", err: 'sh: syntax error: unexpected ")"\n', code: 2 }));
  it("bash: case x in", () =>
    expect(run("bash", "case x in")).toEqual({ out: "", err: "bash: -c: line 2: syntax error: unexpected end of file\n", code: 2 }));
  it("dash: case x in", () =>
    expect(run("dash", "case x in")).toEqual({ out: "", err: 'sh: 1: Syntax error: end of file unexpected (expecting ")")\n', code: 2 }));
  it("busybox: case x in", () =>
    expect(run("busybox", "case x in")).toEqual({ out: "", err: 'sh: syntax error: unexpected end of file (expecting ")")\n', code: 2 }));
});

describe("read, eval, subshells", () => {
  it("bash: echo x | { read v; echo got $v; }", () =>
    expect(run("bash", "echo x | { read v; echo got $v; }")).toEqual({ out: "got x\n", err: "", code: 0 }));
  it("dash: echo x | { read v; echo got $v; }", () =>
    expect(run("dash", "echo x | { read v; echo got $v; }")).toEqual({ out: "got x\n", err: "", code: 0 }));
  it("busybox: echo x | { read v; echo got $v; }", () =>
    expect(run("busybox", "echo x | { read v; echo got $v; }")).toEqual({ out: "got x\n", err: "", code: 0 }));
  it('bash: printf "a\\nb\\n" | while read l; do echo "<$l>"; done', () =>
    expect(run("bash", 'printf "a\\nb\\n" | while read l; do echo "<$l>"; done')).toEqual({ out: "<a>\n<b>\n", err: "", code: 0 }));
  it('dash: printf "a\\nb\\n" | while read l; do echo "<$l>"; done', () =>
    expect(run("dash", 'printf "a\\nb\\n" | while read l; do echo "<$l>"; done')).toEqual({ out: "<a>\n<b>\n", err: "", code: 0 }));
  it('busybox: printf "a\\nb\\n" | while read l; do echo "<$l>"; done', () =>
    expect(run("busybox", 'printf "a\\nb\\n" | while read l; do echo "<$l>"; done')).toEqual({ out: "<a>\n<b>\n", err: "", code: 0 }));
  it('bash: eval "echo \\$HOME"', () => expect(run("bash", 'eval "echo \\$HOME"')).toEqual({ out: "/root\n", err: "", code: 0 }));
  it('dash: eval "echo \\$HOME"', () => expect(run("dash", 'eval "echo \\$HOME"')).toEqual({ out: "/root\n", err: "", code: 0 }));
  it('busybox: eval "echo \\$HOME"', () => expect(run("busybox", 'eval "echo \\$HOME"')).toEqual({ out: "/root\n", err: "", code: 0 }));
  it("bash: (exit 4); echo $?", () => expect(run("bash", "(exit 4); echo $?")).toEqual({ out: "4\n", err: "", code: 0 }));
  it("dash: (exit 4); echo $?", () => expect(run("dash", "(exit 4); echo $?")).toEqual({ out: "4\n", err: "", code: 0 }));
  it("busybox: (exit 4); echo $?", () => expect(run("busybox", "(exit 4); echo $?")).toEqual({ out: "4\n", err: "", code: 0 }));
  it("bash: x=1; (x=2); echo $x", () => expect(run("bash", "x=1; (x=2); echo $x")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("dash: x=1; (x=2); echo $x", () => expect(run("dash", "x=1; (x=2); echo $x")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("busybox: x=1; (x=2); echo $x", () => expect(run("busybox", "x=1; (x=2); echo $x")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("bash: cd /nope", () =>
    expect(run("bash", "cd /nope")).toEqual({ out: "", err: "bash: line 1: cd: /nope: No such file or directory\n", code: 1 }));
  it("dash: cd /nope", () => expect(run("dash", "cd /nope")).toEqual({ out: "", err: "sh: 1: cd: can't cd to /nope\n", code: 2 }));
  it("busybox: cd /nope", () =>
    expect(run("busybox", "cd /nope")).toEqual({
      out: "",
      err: "sh: cd: line 0: can't cd to /nope: No such file or directory\n",
      code: 2,
    }));
});

describe("xargs and timeout", () => {
  it("bash: seq 3 | xargs echo", () => expect(run("bash", "seq 3 | xargs echo")).toEqual({ out: "1 2 3\n", err: "", code: 0 }));
  it("dash: seq 3 | xargs echo", () => expect(run("dash", "seq 3 | xargs echo")).toEqual({ out: "1 2 3\n", err: "", code: 0 }));
  it("busybox: seq 3 | xargs echo", () => expect(run("busybox", "seq 3 | xargs echo")).toEqual({ out: "1 2 3\n", err: "", code: 0 }));
  it("bash: echo a b c d | xargs -n 2 echo", () =>
    expect(run("bash", "echo a b c d | xargs -n 2 echo")).toEqual({ out: "a b\nc d\n", err: "", code: 0 }));
  it("dash: echo a b c d | xargs -n 2 echo", () =>
    expect(run("dash", "echo a b c d | xargs -n 2 echo")).toEqual({ out: "a b\nc d\n", err: "", code: 0 }));
  it("busybox: echo a b c d | xargs -n 2 echo", () =>
    expect(run("busybox", "echo a b c d | xargs -n 2 echo")).toEqual({ out: "a b\nc d\n", err: "", code: 0 }));
  it('bash: printf "x\\ny\\n" | xargs -I{} echo "<{}>"', () =>
    expect(run("bash", 'printf "x\\ny\\n" | xargs -I{} echo "<{}>"')).toEqual({ out: "<x>\n<y>\n", err: "", code: 0 }));
  it('dash: printf "x\\ny\\n" | xargs -I{} echo "<{}>"', () =>
    expect(run("dash", 'printf "x\\ny\\n" | xargs -I{} echo "<{}>"')).toEqual({ out: "<x>\n<y>\n", err: "", code: 0 }));
  it('busybox: printf "x\\ny\\n" | xargs -I{} echo "<{}>"', () =>
    expect(run("busybox", 'printf "x\\ny\\n" | xargs -I{} echo "<{}>"')).toEqual({ out: "<x>\n<y>\n", err: "", code: 0 }));
  it("bash: timeout 1 sleep 5; echo $?", () =>
    expect(run("bash", "timeout 1 sleep 5; echo $?")).toEqual({ out: "124\n", err: "", code: 0 }));
  it("dash: timeout 1 sleep 5; echo $?", () =>
    expect(run("dash", "timeout 1 sleep 5; echo $?")).toEqual({ out: "124\n", err: "", code: 0 }));
  it("busybox: timeout 1 sleep 5; echo $?", () =>
    expect(run("busybox", "timeout 1 sleep 5; echo $?")).toEqual({ out: "124\n", err: "", code: 0 }));
  it("bash: timeout 5 sleep 1; echo $?", () => expect(run("bash", "timeout 5 sleep 1; echo $?")).toEqual({ out: "0\n", err: "", code: 0 }));
  it("dash: timeout 5 sleep 1; echo $?", () => expect(run("dash", "timeout 5 sleep 1; echo $?")).toEqual({ out: "0\n", err: "", code: 0 }));
  it("busybox: timeout 5 sleep 1; echo $?", () =>
    expect(run("busybox", "timeout 5 sleep 1; echo $?")).toEqual({ out: "0\n", err: "", code: 0 }));
});

// ---- real time: the shells people type into wait for real and can be interrupted ----------------

const realCtx = (image = "busybox"): ShellContext => ({
  env: { PATH: "/usr/bin:/bin", HOME: "/root" },
  cwd: "/",
  hostname: "h",
  fs: new MemoryFS({}),
  net,
  now: () => Date.now(),
  container: { name: "c", image },
  image: imageView(image),
});
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A terminal on an InteractiveShell: what it printed, each chunk with its arrival time. */
function terminal(image = "busybox", shell = "sh") {
  const chunks: { at: number; text: string }[] = [];
  let exit: number | undefined;
  const io = {
    stdout: (x: string) => void chunks.push({ at: Date.now(), text: x }),
    stderr: (x: string) => void chunks.push({ at: Date.now(), text: x }),
  };
  const sh = new InteractiveShell(realCtx(image), { shell, host: { exit: (c) => void (exit = c) } });
  return {
    type: (x: string) => sh.feed(x, io),
    text: () => chunks.map((c) => c.text).join(""),
    chunks,
    exit: () => exit,
    clear: () => void chunks.splice(0),
  };
}

describe("real time", () => {
  it("a one-shot command waits for its sleep in wall time", async () => {
    let out = "";
    const t0 = Date.now();
    const job = execRealtime(["sh", "-c", "sleep 1; echo done"], realCtx(), {
      stdout: (x) => void (out += x),
      stderr: (x) => void (out += x),
    });
    expect(job.start()).toBeUndefined();
    expect(out).toBe("");
    expect(await job.done).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(out).toBe("done\n");
  });

  it("a loop prints as it goes, ^C stops it, the prompt returns and $? is 130", async () => {
    const t = terminal();
    t.type("while true; do echo tick; sleep 0.2; done\r");
    await wait(700);
    const ticks = t.chunks.filter((c) => c.text === "tick\r\n");
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(5);
    expect(ticks[2].at - ticks[0].at).toBeGreaterThanOrEqual(350);
    t.type("\x03");
    await wait(20);
    expect(t.text().endsWith("tick\r\n^C\r\n/ # ")).toBe(true);
    t.clear();
    t.type("echo $?\r");
    expect(t.text()).toBe("echo $?\r\n130\r\n/ # ");
  });

  it("a busy loop leaves the event loop its turns and still takes ^C", async () => {
    const t = terminal();
    t.type("while true; do :; done\r");
    const t0 = Date.now();
    await wait(50);
    expect(Date.now() - t0).toBeLessThan(1000);
    t.type("\x03");
    await wait(20);
    t.clear();
    t.type("echo $?\r");
    expect(t.text()).toBe("echo $?\r\n130\r\n/ # ");
  });

  it("typing during a command is echoed by the tty and run at the next prompt", async () => {
    const t = terminal();
    t.type("sleep 0.2\r");
    t.type("echo later\r");
    expect(t.text()).toBe("sleep 0.2\r\necho later\r\n");
    await wait(300);
    expect(t.text()).toBe("sleep 0.2\r\necho later\r\n/ # echo later\r\nlater\r\n/ # ");
  });

  it("read waits for a typed line; cat > file takes lines up to ^D", async () => {
    const t = terminal("debian", "bash");
    t.type("read -p 'name? ' n; echo hello $n\r");
    expect(t.text()).toBe("read -p 'name? ' n; echo hello $n\r\nname? ");
    await wait(60);
    t.type("kube\r");
    await wait(60);
    expect(t.text()).toBe("read -p 'name? ' n; echo hello $n\r\nname? kube\r\nhello kube\r\nroot@h:/# ");
    t.clear();
    t.type("cat > /tmp/a.txt\r");
    t.type("one\rtwo\r");
    await wait(60);
    t.type("\x04");
    await wait(60);
    t.type("wc -l < /tmp/a.txt\r");
    expect(t.text()).toBe("cat > /tmp/a.txt\r\none\r\ntwo\r\nroot@h:/# wc -l < /tmp/a.txt\r\n2\r\nroot@h:/# ");
  });

  it("jq FILTER at a terminal reads typed JSON up to ^D; jq -n and jq FILTER FILE do not wait", async () => {
    const t = terminal("nicolaka/netshoot", "bash");
    t.type("jq -c --arg k a '.[$k]'\r");
    t.type('{"a":[1,2]}\r');
    await wait(60);
    t.type("\x04");
    await wait(60);
    expect(t.text()).toMatch(/^jq -c --arg k a '\.\[\$k\]'\r\n\{"a":\[1,2\]\}\r\n\[1,2\]\r\n\S.* $/);
    t.clear();
    t.type("jq -n '1+1'\r");
    await wait(60);
    expect(t.text()).toMatch(/^jq -n '1\+1'\r\n2\r\n\S.* $/);
    t.clear();
    t.type("echo '{\"b\":3}' > /tmp/b.json; jq .b /tmp/b.json\r");
    await wait(60);
    expect(t.text()).toMatch(/\r\n3\r\n\S.* $/);
  });

  it("a heredoc is read line by line with the PS2 prompt", () => {
    const t = terminal("debian", "bash");
    t.type("cat <<EOF > /tmp/pod.yaml\r");
    expect(t.text()).toBe("cat <<EOF > /tmp/pod.yaml\r\n> ");
    t.type("kind: Pod\r  home: $HOME\rEOF\r");
    t.clear();
    t.type("cat /tmp/pod.yaml\r");
    expect(t.text()).toBe("cat /tmp/pod.yaml\r\nkind: Pod\r\n  home: /root\r\nroot@h:/# ");
  });

  it("an open compound command asks for more, ^C abandons it", () => {
    const t = terminal();
    t.type("if true\r");
    expect(t.text()).toBe("if true\r\n> ");
    t.type("then echo yes\rfi\r");
    expect(t.text()).toContain("> fi\r\nyes\r\n/ # ");
    t.clear();
    t.type("for i in 1\r\x03");
    expect(t.text()).toBe("for i in 1\r\n> ^C\r\n/ # ");
  });

  it("a trapped INT runs its action and the script goes on", async () => {
    const t = terminal();
    t.type("trap 'echo caught' INT; sleep 5; echo after\r");
    await wait(50);
    t.type("\x03");
    await wait(20);
    expect(t.text()).toContain("^Ccaught\r\nafter\r\n");
  });

  it("timeout ends a command at its time with 124", async () => {
    let out = "";
    const t0 = Date.now();
    const job = execRealtime(["sh", "-c", "timeout 0.3 sleep 5; echo $?"], realCtx(), {
      stdout: (x) => void (out += x),
      stderr: (x) => void (out += x),
    });
    job.start();
    expect(await job.done).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(out).toBe("124\n");
  });

  it("watch repeats its command under a header until ^C", async () => {
    const t = terminal();
    t.type("watch -n 0.2 echo hi\r");
    await wait(500);
    t.type("\x03");
    await wait(20);
    const frames = t.text().split("\x1b[H\x1b[J").slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toMatch(/^Every 0\.2s: echo hi {2,}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\r\n\r\nhi\r\n/);
    expect(frames[0].split("\r\n")[0]).toHaveLength(79);
  });

  it("date keeps to the wall clock in a shell that lives on: the wait at the prompt counts once, a sleep once", async () => {
    const t0 = Date.now();
    const chunks: string[] = [];
    const io = { stdout: (x: string) => void chunks.push(x), stderr: (x: string) => void chunks.push(x) };
    const sh = new InteractiveShell({ ...realCtx(), now: () => t0 }, { shell: "sh", host: { exit: () => {} } });
    await wait(1100);
    sh.feed("date +%s; sleep 1; date +%s\r", io);
    await wait(1300);
    const [before, after] = chunks
      .join("")
      .match(/^\d+\r$/gm)!
      .map((l) => Number(l.trim()));
    expect(before - Math.floor(t0 / 1000)).toBeGreaterThanOrEqual(1);
    expect(before - Math.floor(t0 / 1000)).toBeLessThanOrEqual(2);
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThanOrEqual(2);
    expect(Math.abs(after - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(1);
  });

  it("the client leaving ends an endless one-shot command", async () => {
    let out = "";
    const job = execRealtime(["sh", "-c", "while true; do echo x; sleep 0.1; done"], realCtx(), {
      stdout: (x) => void (out += x),
      stderr: () => {},
    });
    expect(job.start()).toBeUndefined();
    await wait(250);
    job.cancel();
    await job.done;
    const n = out.length;
    await wait(250);
    expect(out.length).toBe(n);
    expect(n).toBeGreaterThanOrEqual(4);
  });
});

// ---- pipelines in real time: the stages run side by side through pipes ------------------------

describe("pipelines in real time", () => {
  /** A one-shot `sh -c SCRIPT` in real time: its output as it arrives, and its status. */
  function oneShot(script: string, image = "busybox") {
    const chunks: { at: number; text: string }[] = [];
    const t0 = Date.now();
    const job = execRealtime(["sh", "-c", script], realCtx(image), {
      stdout: (x) => void chunks.push({ at: Date.now() - t0, text: x }),
      stderr: (x) => void chunks.push({ at: Date.now() - t0, text: `E:${x}` }),
    });
    job.start();
    return { job, chunks, text: () => chunks.map((c) => c.text).join("") };
  }

  it("a filter at the end of a pipe prints each line as the writer writes it", async () => {
    const r = oneShot("for i in 1 2 3; do echo line $i; sleep 0.3; done | grep line");
    await wait(150);
    expect(r.text()).toBe("line 1\n");
    expect(await r.job.done).toBe(0);
    expect(r.chunks.map((c) => c.text)).toEqual(["line 1\n", "line 2\n", "line 3\n"]);
    expect(r.chunks[2].at - r.chunks[0].at).toBeGreaterThanOrEqual(500);
  });

  it("head ends an endless writer once it has its lines; the pipeline's status is head's", async () => {
    const r = oneShot("while true; do echo tick; sleep 0.05; done | head -n 2; echo status $?");
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("tick\ntick\nstatus 0\n");
  });

  it("with pipefail a writer ended by its reader's leaving reports SIGPIPE's 141", async () => {
    const r = oneShot("set -o pipefail; while true; do echo x; sleep 0.05; done | head -1; echo $?");
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("x\n141\n");
  });

  it("grep -q answers at the first match without waiting for the writer to end", async () => {
    const t0 = Date.now();
    const r = oneShot("(echo ready; sleep 5; echo late) | grep -q ready; echo found $?");
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("found 0\n");
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("read takes each line as it comes; cut, tr and tee work through the stream", async () => {
    const r = oneShot(
      "for i in a b; do echo $i:x; sleep 0.2; done | tee /log | cut -d: -f1 | tr a-z A-Z | while read l; do echo got $l; done; cat /log",
    );
    await wait(100);
    expect(r.text()).toBe("got A\n");
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("got A\ngot B\na:x\nb:x\n");
  });

  it("a reader that needs the whole input (sort, wc) gets it once the writer is done", async () => {
    const r = oneShot("for i in 3 1 2; do echo $i; sleep 0.1; done | sort -n | tr '\\n' ' '; echo; printf 'a\\nb\\n' | wc -l");
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("1 2 3 \n2\n");
  });

  it("^C at the terminal ends the whole pipeline and the prompt returns with 130", async () => {
    const t = terminal();
    t.type("while true; do echo tick; sleep 0.1; done | grep tick\r");
    await wait(350);
    expect(t.chunks.filter((c) => c.text === "tick\r\n").length).toBeGreaterThanOrEqual(2);
    t.type("\x03");
    await wait(50);
    expect(t.text().endsWith("tick\r\n^C\r\n/ # ")).toBe(true);
    const n = t.text().length;
    await wait(250);
    expect(t.text().length).toBe(n);
    t.clear();
    t.type("echo $?\r");
    expect(t.text()).toBe("echo $?\r\n130\r\n/ # ");
  });

  it("a program whose first operand is its program (jq) reads the pipe, inside $( ) under set -euo pipefail too", async () => {
    const r = oneShot(
      `set -euo pipefail; J='{"a":[{"n":"x"}]}'; echo "$J" | jq -r '.a[].n'; V=$(echo "$J" | jq -r '.a[] | select(.n=="x") | "yes"' | head -n1); echo "v=$V"`,
      "nicolaka/netshoot",
    );
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("x\nv=yes\n");
  });

  it("an endless writer before a reader that waits for the end is stopped at the pipe's limit, not the cluster's memory", async () => {
    const r = oneShot("x=0123456789; x=$x$x$x$x$x$x$x$x$x$x; x=$x$x$x$x$x$x$x$x$x$x; while true; do echo $x; done | wc -c");
    expect(await r.job.done).toBe(0);
    const [warning, count] = r.text().split("\n");
    expect(warning).toBe("E:kubeplay: a pipe holds at most 8 MiB its reader has not read: the writer is stopped (SIGPIPE)");
    expect(Number(count)).toBeLessThanOrEqual(8 << 20);
    expect(Number(count)).toBeGreaterThan((8 << 20) - 1001);
  });

  it("an endless writer inside $( ) is stopped at the substitution's limit with SIGPIPE, and the script goes on", async () => {
    const r = oneShot("x=0123456789; x=$x$x$x$x$x$x$x$x$x$x; x=$x$x$x$x$x$x$x$x$x$x; y=$(while true; do echo $x; done); echo ${#y} $?");
    expect(await r.job.done).toBe(0);
    const [warning, line] = r.text().split("\n");
    expect(warning).toBe("E:kubeplay: a command substitution holds at most 8 MiB: the command is stopped (SIGPIPE)");
    const [length, status] = line.split(" ").map(Number);
    expect(length).toBeLessThanOrEqual(8 << 20);
    expect(length).toBeGreaterThan((8 << 20) - 1002);
    expect(status).toBe(141);
  });

  it("a variable that doubles without end is refused at 8 MiB, by word and by +=, and the shell exits 1", async () => {
    const doubled = oneShot("x=0123456789; while true; do x=$x$x; done; echo unreachable");
    expect(await doubled.job.done).toBe(1);
    expect(doubled.text()).toBe("E:sh: kubeplay: a word may hold at most 8 MiB\n");
    expect(run("bash", "x=0123456789; while true; do x+=$x; done; echo unreachable")).toEqual({
      out: "",
      err: "bash: line 1: kubeplay: a variable may hold at most 8 MiB\n",
      code: 1,
    });
  });

  it("a script piped into sh runs once the writer is done", async () => {
    const r = oneShot("(echo 'echo one'; sleep 0.1; echo 'echo two') | sh");
    expect(await r.job.done).toBe(0);
    expect(r.text()).toBe("one\ntwo\n");
  });
});

// ---- background jobs: `&`, wait, kill, jobs ----------------------------------------------------

describe("background jobs", () => {
  // Expectations from bash 5.2.15 and dash 0.5.12 (bash -c / dash -c).
  for (const d of ["bash", "dash", "busybox"] as const) {
    it(`${d}: wait for all jobs and for one by $!`, () =>
      expect(run(d, "sleep 0.2 & echo started; wait; echo waited $?; (exit 3) & wait $!; echo $?")).toEqual({
        out: "started\nwaited 0\n3\n",
        err: "",
        code: 0,
      }));
    it(`${d}: jobs run beside the shell, each at its own time`, () =>
      expect(run(d, "for i in 1 2; do (sleep $i; echo job$i) & done; echo started; wait; echo all")).toEqual({
        out: "started\njob1\njob2\nall\n",
        err: "",
        code: 0,
      }));
  }
  it("bash: kill $! ends the job with 143", () =>
    expect(run("bash", "sleep 5 & kill $!; wait $!; echo $?")).toEqual({ out: "143\n", err: "", code: 0 }));
  it("dash: kill $! ends the job with 143, and wait says Terminated", () =>
    expect(run("dash", "sleep 5 & kill $!; wait $!; echo $?")).toEqual({ out: "143\n", err: "Terminated\n", code: 0 }));

  it("a container program's background loop writes on its own clock", () => {
    const r = runProgram(
      ["sh", "-c", "(while true; do echo a; sleep 1; done) & while true; do echo b; sleep 2; done"],
      { ...realCtx(), now: () => 0 },
      { until: 4500 },
    );
    expect(r.exit).toBeUndefined();
    expect(r.lines.map((l) => `${l.text}@${l.at}`)).toEqual(["a@0", "b@0", "a@1000", "a@2000", "b@2000", "a@3000", "a@4000", "b@4000"]);
  });

  it("tail -f follows what a job appends, each line when it is written", () => {
    const r = runProgram(
      ["sh", "-c", "echo one > /l; (for i in two three; do sleep 1; echo $i >> /l; done) & tail -f -s 0.5 /l"],
      { ...realCtx("debian:bookworm"), now: () => 0 },
      { until: 3200 },
    );
    expect(r.lines.map((l) => `${l.text}@${l.at}`)).toEqual(["one@0", "two@1000", "three@2000"]);
  });

  it("tail -f says when a followed file was truncated and shows it again from its start", () => {
    const r = runProgram(
      ["sh", "-c", "printf 'a\\nb\\n' > /l; (sleep 1; echo c > /l) & tail -f /l"],
      { ...realCtx("debian:bookworm"), now: () => 0 },
      { until: 2500 },
    );
    expect(r.lines.map((l) => `${l.stream}:${l.text}`)).toEqual(["stdout:a", "stdout:b", "stderr:tail: /l: file truncated", "stdout:c"]);
  });

  it("tail -f of a missing file ends: GNU says no files remain, busybox that there are none", () => {
    for (const [image, err] of [
      ["debian:bookworm", "tail: cannot open 'nope' for reading: No such file or directory\ntail: no files remaining\n"],
      ["busybox", "tail: can't open 'nope': No such file or directory\ntail: no files\n"],
    ]) {
      const r = runProgram(["sh", "-c", "tail -f nope"], { ...realCtx(image), now: () => 0 }, { until: 5000 });
      expect([r.exit?.code, r.lines.map((l) => l.text + "\n").join("")]).toEqual([1, err]);
    }
  });

  it("tail -f at a terminal follows until ^C, then $? is 130", async () => {
    const t = terminal("debian:bookworm", "bash");
    t.type("echo first > /l; (sleep 0.3; echo second >> /l) & tail -f -s 0.1 /l\r");
    await wait(600);
    expect(t.text()).toContain("first\r\n");
    expect(t.text()).toContain("second\r\n");
    t.type("\x03");
    await wait(50);
    t.clear();
    t.type("echo $?\r");
    expect(t.text()).toContain("130\r\n");
  });

  it("an interactive bash tells a job's pid, and its end before the next prompt", async () => {
    const t = terminal("debian", "bash");
    t.type("sleep 0.2 &\r");
    expect(t.text()).toMatch(/^sleep 0\.2 &\r\n\[1\] \d+\r\nroot@h:\/# $/);
    t.type("jobs\r");
    expect(t.text()).toContain("jobs\r\n[1]+  Running                 sleep 0.2 &\r\nroot@h:/# ");
    await wait(300);
    t.clear();
    t.type("echo x\r");
    expect(t.text()).toBe("echo x\r\nx\r\n[1]+  Done                    sleep 0.2\r\nroot@h:/# ");
  });

  it("kill %1 in a terminal ends a job; ^C goes to the foreground only", async () => {
    const t = terminal("debian", "bash");
    t.type("sleep 10 &\r");
    t.type("sleep 5\r");
    t.type("\x03");
    await wait(20);
    t.clear();
    t.type("jobs\r");
    expect(t.text()).toBe("jobs\r\n[1]+  Running                 sleep 10 &\r\nroot@h:/# ");
    t.clear();
    t.type("kill %1\r");
    await wait(20);
    t.type("echo y\r");
    expect(t.text()).toBe("kill %1\r\nroot@h:/# echo y\r\ny\r\n[1]+  Terminated              sleep 10\r\nroot@h:/# ");
  });
});

describe("sh reading a pipe", () => {
  it("runs each command once it is complete: a heredoc and an if span lines", () => {
    let out = "";
    let exit: number | undefined;
    const io = { stdout: (x: string) => void (out += x), stderr: (x: string) => void (out += x) };
    const sh = new PipeShell(realCtx("debian"), "sh", { exit: (c) => void (exit = c) });
    sh.feed("cat <<EOF\nline $HOME\n", io);
    expect(out).toBe("");
    sh.feed("EOF\nif true\n", io);
    expect(out).toBe("line /root\n");
    sh.feed("then echo yes\nfi\n", io);
    expect(out).toBe("line /root\nyes\n");
    sh.feed("exit 3\necho never\n", io);
    expect(exit).toBe(3);
    expect(out).toBe("line /root\nyes\n");
  });

  it("waits for a sleep before the next line, and ends at EOF with the last status", async () => {
    let out = "";
    let exit: number | undefined;
    const io = { stdout: (x: string) => void (out += x), stderr: (x: string) => void (out += x) };
    const sh = new PipeShell(realCtx(), "sh", { exit: (c) => void (exit = c) });
    const t0 = Date.now();
    sh.feed("sleep 0.2; echo a\nfalse\n", io);
    sh.close(io);
    expect(out).toBe("");
    await wait(400);
    expect(out).toBe("a\n");
    expect(exit).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
  });
});

describe("pathname expansion", () => {
  // Expectations from bash 5.2.15, dash 0.5.12 and busybox 1.35 ash in a directory made the same way.
  const script =
    'mkdir -p d/sub; touch d/a.txt d/b.txt d/.hidden d/sub/c.txt; echo d/*.txt; echo d/*; echo d/.*; echo "d/*"; echo d/*/c.txt; echo nomatch*; x="d/a*"; echo $x "$x"; for f in d/?.txt; do echo [$f]; done';
  it("bash: globs match sorted names, quotes and no match keep the word; .* skips . and ..", () =>
    expect(run("bash", script)).toEqual({
      out: "d/a.txt d/b.txt\nd/a.txt d/b.txt d/sub\nd/.hidden\nd/*\nd/sub/c.txt\nnomatch*\nd/a.txt d/a*\n[d/a.txt]\n[d/b.txt]\n",
      err: "",
      code: 0,
    }));
  for (const d of ["dash", "busybox"] as const)
    it(`${d}: globs match sorted names, quotes and no match keep the word; .* has . and ..`, () =>
      expect(run(d, script)).toEqual({
        out: "d/a.txt d/b.txt\nd/a.txt d/b.txt d/sub\nd/. d/.. d/.hidden\nd/*\nd/sub/c.txt\nnomatch*\nd/a.txt d/a*\n[d/a.txt]\n[d/b.txt]\n",
        err: "",
        code: 0,
      }));
});

describe("brace expansion, let, ${!\u2026} (bash only)", () => {
  it('bash: echo {1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} "{1..2}" {x} {} a{,b}', () =>
    expect(run("bash", 'echo {1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} "{1..2}" {x} {} a{,b}')).toEqual({
      out: "1 2 3 4 5 ax bx y1 y3 05 10 c b a a b1 b2 {1..2} {x} {} a ab\n",
      err: "",
      code: 0,
    }));
  it('dash: echo {1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} "{1..2}" {x} {} a{,b}', () =>
    expect(run("dash", 'echo {1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} "{1..2}" {x} {} a{,b}')).toEqual({
      out: "{1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} {1..2} {x} {} a{,b}\n",
      err: "",
      code: 0,
    }));
  it('busybox: echo {1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} "{1..2}" {x} {} a{,b}', () =>
    expect(run("busybox", 'echo {1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} "{1..2}" {x} {} a{,b}')).toEqual({
      out: "{1..5} {a,b}x y{1..3..2} {05..10..5} {c..a} {a,b{1,2}} {1..2} {x} {} a{,b}\n",
      err: "",
      code: 0,
    }));
  it("bash: for i in {1..3}; do echo n$i; done; echo $HOME{,/x}", () =>
    expect(run("bash", "for i in {1..3}; do echo n$i; done; echo $HOME{,/x}")).toEqual({
      out: "n1\nn2\nn3\n/root /root/x\n",
      err: "",
      code: 0,
    }));
  it("dash: for i in {1..3}; do echo n$i; done; echo $HOME{,/x}", () =>
    expect(run("dash", "for i in {1..3}; do echo n$i; done; echo $HOME{,/x}")).toEqual({ out: "n{1..3}\n/root{,/x}\n", err: "", code: 0 }));
  it("busybox: for i in {1..3}; do echo n$i; done; echo $HOME{,/x}", () =>
    expect(run("busybox", "for i in {1..3}; do echo n$i; done; echo $HOME{,/x}")).toEqual({
      out: "n{1..3}\n/root{,/x}\n",
      err: "",
      code: 0,
    }));
  it("bash: a=(x y z); echo ${!a[@]}; v=HOME; echo ${!v}; let x=2+3 y=x*2; echo $x $y $?; let 0; echo $?", () =>
    expect(run("bash", "a=(x y z); echo ${!a[@]}; v=HOME; echo ${!v}; let x=2+3 y=x*2; echo $x $y $?; let 0; echo $?")).toEqual({
      out: "0 1 2\n/root\n5 10 0\n1\n",
      err: "",
      code: 0,
    }));
  it("dash: a=(x y z); echo ${!a[@]}; v=HOME; echo ${!v}; let x=2+3 y=x*2; echo $x $y $?; let 0; echo $?", () =>
    expect(run("dash", "a=(x y z); echo ${!a[@]}; v=HOME; echo ${!v}; let x=2+3 y=x*2; echo $x $y $?; let 0; echo $?")).toEqual({
      out: "",
      err: 'sh: 1: Syntax error: "(" unexpected\n',
      code: 2,
    }));
  it("busybox: a=(x y z); echo ${!a[@]}; v=HOME; echo ${!v}; let x=2+3 y=x*2; echo $x $y $?; let 0; echo $?", () =>
    expect(run("busybox", "a=(x y z); echo ${!a[@]}; v=HOME; echo ${!v}; let x=2+3 y=x*2; echo $x $y $?; let 0; echo $?")).toEqual({
      out: "",
      err: 'sh: syntax error: unexpected "("\n',
      code: 2,
    }));
});

describe("errors at an interactive prompt", () => {
  // As bash 5.2 prints them at its prompt (no "line N:", one line for a syntax error).
  it("bash names the unexpected token, a missing command and a division by zero", () => {
    const t = terminal("debian", "bash");
    t.type("for i in; done\rnosuch\recho $((1/0))\r");
    expect(t.text()).toBe(
      'for i in; done\r\nbash: syntax error near unexpected token `done\'\r\nroot@h:/# nosuch\r\nbash: nosuch: command not found\r\nroot@h:/# echo $((1/0))\r\nbash: 1/0: division by 0 (error token is "0")\r\nroot@h:/# ',
    );
  });
});

describe("what learners type: exec, quoting, tests, defaults", () => {
  it("bash: echo hi; exec echo replaced; echo never", () =>
    expect(run("bash", "echo hi; exec echo replaced; echo never")).toEqual({ out: "hi\nreplaced\n", err: "", code: 0 }));
  it("dash: echo hi; exec echo replaced; echo never", () =>
    expect(run("dash", "echo hi; exec echo replaced; echo never")).toEqual({ out: "hi\nreplaced\n", err: "", code: 0 }));
  it("busybox: echo hi; exec echo replaced; echo never", () =>
    expect(run("busybox", "echo hi; exec echo replaced; echo never")).toEqual({ out: "hi\nreplaced\n", err: "", code: 0 }));
  it("bash: for i in $(seq 1 3); do echo $i; done", () =>
    expect(run("bash", "for i in $(seq 1 3); do echo $i; done")).toEqual({ out: "1\n2\n3\n", err: "", code: 0 }));
  it("dash: for i in $(seq 1 3); do echo $i; done", () =>
    expect(run("dash", "for i in $(seq 1 3); do echo $i; done")).toEqual({ out: "1\n2\n3\n", err: "", code: 0 }));
  it("busybox: for i in $(seq 1 3); do echo $i; done", () =>
    expect(run("busybox", "for i in $(seq 1 3); do echo $i; done")).toEqual({ out: "1\n2\n3\n", err: "", code: 0 }));
  it("bash: export A=1 B=2; env | grep ^A=", () =>
    expect(run("bash", "export A=1 B=2; env | grep ^A=")).toEqual({ out: "A=1\n", err: "", code: 0 }));
  it("dash: export A=1 B=2; env | grep ^A=", () =>
    expect(run("dash", "export A=1 B=2; env | grep ^A=")).toEqual({ out: "A=1\n", err: "", code: 0 }));
  it("busybox: export A=1 B=2; env | grep ^A=", () =>
    expect(run("busybox", "export A=1 B=2; env | grep ^A=")).toEqual({ out: "A=1\n", err: "", code: 0 }));
  it("bash: sh -c 'echo $0 $1 $#' arg0 arg1", () =>
    expect(run("bash", "sh -c 'echo $0 $1 $#' arg0 arg1")).toEqual({ out: "arg0 arg1 1\n", err: "", code: 0 }));
  it("dash: sh -c 'echo $0 $1 $#' arg0 arg1", () =>
    expect(run("dash", "sh -c 'echo $0 $1 $#' arg0 arg1")).toEqual({ out: "arg0 arg1 1\n", err: "", code: 0 }));
  it("busybox: sh -c 'echo $0 $1 $#' arg0 arg1", () =>
    expect(run("busybox", "sh -c 'echo $0 $1 $#' arg0 arg1")).toEqual({ out: "arg0 arg1 1\n", err: "", code: 0 }));
  it('bash: echo "it\'s" \'say "hi"\' "a $(echo "b c") d" \\$HOME "\\$HOME" \'\\n\'', () =>
    expect(run("bash", 'echo "it\'s" \'say "hi"\' "a $(echo "b c") d" \\$HOME "\\$HOME" \'\\n\'')).toEqual({
      out: 'it\'s say "hi" a b c d $HOME $HOME \\n\n',
      err: "",
      code: 0,
    }));
  it('dash: echo "it\'s" \'say "hi"\' "a $(echo "b c") d" \\$HOME "\\$HOME" \'\\n\'', () =>
    expect(run("dash", 'echo "it\'s" \'say "hi"\' "a $(echo "b c") d" \\$HOME "\\$HOME" \'\\n\'')).toEqual({
      out: 'it\'s say "hi" a b c d $HOME $HOME \n\n',
      err: "",
      code: 0,
    }));
  it('busybox: echo "it\'s" \'say "hi"\' "a $(echo "b c") d" \\$HOME "\\$HOME" \'\\n\'', () =>
    expect(run("busybox", 'echo "it\'s" \'say "hi"\' "a $(echo "b c") d" \\$HOME "\\$HOME" \'\\n\'')).toEqual({
      out: 'it\'s say "hi" a b c d $HOME $HOME \\n\n',
      err: "",
      code: 0,
    }));
  it('bash: a="x"; echo "${a}y" ${a}z', () =>
    expect(run("bash", 'a="x"; echo "${a}y" ${a}z')).toEqual({ out: "xy xz\n", err: "", code: 0 }));
  it('dash: a="x"; echo "${a}y" ${a}z', () =>
    expect(run("dash", 'a="x"; echo "${a}y" ${a}z')).toEqual({ out: "xy xz\n", err: "", code: 0 }));
  it('busybox: a="x"; echo "${a}y" ${a}z', () =>
    expect(run("busybox", 'a="x"; echo "${a}y" ${a}z')).toEqual({ out: "xy xz\n", err: "", code: 0 }));
  it("bash: x=5; [ $x -gt 3 ] && [ $x -lt 10 ] && echo mid", () =>
    expect(run("bash", "x=5; [ $x -gt 3 ] && [ $x -lt 10 ] && echo mid")).toEqual({ out: "mid\n", err: "", code: 0 }));
  it("dash: x=5; [ $x -gt 3 ] && [ $x -lt 10 ] && echo mid", () =>
    expect(run("dash", "x=5; [ $x -gt 3 ] && [ $x -lt 10 ] && echo mid")).toEqual({ out: "mid\n", err: "", code: 0 }));
  it("busybox: x=5; [ $x -gt 3 ] && [ $x -lt 10 ] && echo mid", () =>
    expect(run("busybox", "x=5; [ $x -gt 3 ] && [ $x -lt 10 ] && echo mid")).toEqual({ out: "mid\n", err: "", code: 0 }));
  it("bash: echo a; echo b >&2; echo c 1>&2", () =>
    expect(run("bash", "echo a; echo b >&2; echo c 1>&2")).toEqual({ out: "a\n", err: "b\nc\n", code: 0 }));
  it("dash: echo a; echo b >&2; echo c 1>&2", () =>
    expect(run("dash", "echo a; echo b >&2; echo c 1>&2")).toEqual({ out: "a\n", err: "b\nc\n", code: 0 }));
  it("busybox: echo a; echo b >&2; echo c 1>&2", () =>
    expect(run("busybox", "echo a; echo b >&2; echo c 1>&2")).toEqual({ out: "a\n", err: "b\nc\n", code: 0 }));
  it('bash: f() { echo "$@"; }; f 1 "2 3"', () =>
    expect(run("bash", 'f() { echo "$@"; }; f 1 "2 3"')).toEqual({ out: "1 2 3\n", err: "", code: 0 }));
  it('dash: f() { echo "$@"; }; f 1 "2 3"', () =>
    expect(run("dash", 'f() { echo "$@"; }; f 1 "2 3"')).toEqual({ out: "1 2 3\n", err: "", code: 0 }));
  it('busybox: f() { echo "$@"; }; f 1 "2 3"', () =>
    expect(run("busybox", 'f() { echo "$@"; }; f 1 "2 3"')).toEqual({ out: "1 2 3\n", err: "", code: 0 }));
  it("bash: echo ${HOME:0:2}", () => expect(run("bash", "echo ${HOME:0:2}")).toEqual({ out: "/r\n", err: "", code: 0 }));
  it("dash: echo ${HOME:0:2}", () =>
    expect(run("dash", "echo ${HOME:0:2}")).toEqual({ out: "", err: "sh: 1: Bad substitution\n", code: 2 }));
  it("busybox: echo ${HOME:0:2}", () => expect(run("busybox", "echo ${HOME:0:2}")).toEqual({ out: "/r\n", err: "", code: 0 }));
  it('bash: v=$(printf "a\\n\\n"); echo "[$v]"', () =>
    expect(run("bash", 'v=$(printf "a\\n\\n"); echo "[$v]"')).toEqual({ out: "[a]\n", err: "", code: 0 }));
  it('dash: v=$(printf "a\\n\\n"); echo "[$v]"', () =>
    expect(run("dash", 'v=$(printf "a\\n\\n"); echo "[$v]"')).toEqual({ out: "[a]\n", err: "", code: 0 }));
  it('busybox: v=$(printf "a\\n\\n"); echo "[$v]"', () =>
    expect(run("busybox", 'v=$(printf "a\\n\\n"); echo "[$v]"')).toEqual({ out: "[a]\n", err: "", code: 0 }));
  it("bash: echo $(( 5 > 3 ? 10 : 20 ))", () =>
    expect(run("bash", "echo $(( 5 > 3 ? 10 : 20 ))")).toEqual({ out: "10\n", err: "", code: 0 }));
  it("dash: echo $(( 5 > 3 ? 10 : 20 ))", () =>
    expect(run("dash", "echo $(( 5 > 3 ? 10 : 20 ))")).toEqual({ out: "10\n", err: "", code: 0 }));
  it("busybox: echo $(( 5 > 3 ? 10 : 20 ))", () =>
    expect(run("busybox", "echo $(( 5 > 3 ? 10 : 20 ))")).toEqual({ out: "10\n", err: "", code: 0 }));
  it("bash: i=0; while :; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i", () =>
    expect(run("bash", "i=0; while :; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i")).toEqual({ out: "3\n", err: "", code: 0 }));
  it("dash: i=0; while :; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i", () =>
    expect(run("dash", "i=0; while :; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i")).toEqual({ out: "3\n", err: "", code: 0 }));
  it("busybox: i=0; while :; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i", () =>
    expect(run("busybox", "i=0; while :; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i")).toEqual({ out: "3\n", err: "", code: 0 }));
  it('bash: case "$HOME" in /root) echo root;; esac', () =>
    expect(run("bash", 'case "$HOME" in /root) echo root;; esac')).toEqual({ out: "root\n", err: "", code: 0 }));
  it('dash: case "$HOME" in /root) echo root;; esac', () =>
    expect(run("dash", 'case "$HOME" in /root) echo root;; esac')).toEqual({ out: "root\n", err: "", code: 0 }));
  it('busybox: case "$HOME" in /root) echo root;; esac', () =>
    expect(run("busybox", 'case "$HOME" in /root) echo root;; esac')).toEqual({ out: "root\n", err: "", code: 0 }));
  it("bash: test 1 -eq 1; echo $?; [ a = b ]; echo $?", () =>
    expect(run("bash", "test 1 -eq 1; echo $?; [ a = b ]; echo $?")).toEqual({ out: "0\n1\n", err: "", code: 0 }));
  it("dash: test 1 -eq 1; echo $?; [ a = b ]; echo $?", () =>
    expect(run("dash", "test 1 -eq 1; echo $?; [ a = b ]; echo $?")).toEqual({ out: "0\n1\n", err: "", code: 0 }));
  it("busybox: test 1 -eq 1; echo $?; [ a = b ]; echo $?", () =>
    expect(run("busybox", "test 1 -eq 1; echo $?; [ a = b ]; echo $?")).toEqual({ out: "0\n1\n", err: "", code: 0 }));
  it("bash: true && false; echo $?", () => expect(run("bash", "true && false; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("dash: true && false; echo $?", () => expect(run("dash", "true && false; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("busybox: true && false; echo $?", () => expect(run("busybox", "true && false; echo $?")).toEqual({ out: "1\n", err: "", code: 0 }));
  it('bash: echo "x" | cat -', () => expect(run("bash", 'echo "x" | cat -')).toEqual({ out: "x\n", err: "", code: 0 }));
  it('dash: echo "x" | cat -', () => expect(run("dash", 'echo "x" | cat -')).toEqual({ out: "x\n", err: "", code: 0 }));
  it('busybox: echo "x" | cat -', () => expect(run("busybox", 'echo "x" | cat -')).toEqual({ out: "x\n", err: "", code: 0 }));
  it("bash: unset HOME; echo ${HOME-none}", () =>
    expect(run("bash", "unset HOME; echo ${HOME-none}")).toEqual({ out: "none\n", err: "", code: 0 }));
  it("dash: unset HOME; echo ${HOME-none}", () =>
    expect(run("dash", "unset HOME; echo ${HOME-none}")).toEqual({ out: "none\n", err: "", code: 0 }));
  it("busybox: unset HOME; echo ${HOME-none}", () =>
    expect(run("busybox", "unset HOME; echo ${HOME-none}")).toEqual({ out: "none\n", err: "", code: 0 }));
  it("bash: : ${FOO:=bar}; echo $FOO", () => expect(run("bash", ": ${FOO:=bar}; echo $FOO")).toEqual({ out: "bar\n", err: "", code: 0 }));
  it("dash: : ${FOO:=bar}; echo $FOO", () => expect(run("dash", ": ${FOO:=bar}; echo $FOO")).toEqual({ out: "bar\n", err: "", code: 0 }));
  it("busybox: : ${FOO:=bar}; echo $FOO", () =>
    expect(run("busybox", ": ${FOO:=bar}; echo $FOO")).toEqual({ out: "bar\n", err: "", code: 0 }));
  it("bash: echo ${#HOME}", () => expect(run("bash", "echo ${#HOME}")).toEqual({ out: "5\n", err: "", code: 0 }));
  it("dash: echo ${#HOME}", () => expect(run("dash", "echo ${#HOME}")).toEqual({ out: "5\n", err: "", code: 0 }));
  it("busybox: echo ${#HOME}", () => expect(run("busybox", "echo ${#HOME}")).toEqual({ out: "5\n", err: "", code: 0 }));
  it("bash: readonly R=1; echo $R", () => expect(run("bash", "readonly R=1; echo $R")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("dash: readonly R=1; echo $R", () => expect(run("dash", "readonly R=1; echo $R")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("busybox: readonly R=1; echo $R", () => expect(run("busybox", "readonly R=1; echo $R")).toEqual({ out: "1\n", err: "", code: 0 }));
  it("bash: command -v echo; type echo", () =>
    expect(run("bash", "command -v echo; type echo")).toEqual({ out: "echo\necho is a shell builtin\n", err: "", code: 0 }));
  it("dash: command -v echo; type echo", () =>
    expect(run("dash", "command -v echo; type echo")).toEqual({ out: "echo\necho is a shell builtin\n", err: "", code: 0 }));
  it("busybox: command -v echo; type echo", () =>
    expect(run("busybox", "command -v echo; type echo")).toEqual({ out: "echo\necho is a shell builtin\n", err: "", code: 0 }));
});

describe("signals to a container's PID 1 (runProgram)", () => {
  // As bash behaves (bash -c … and kill -TERM after 1 s); PID 1 ignores what it does not trap.
  const c = (): ShellContext => ({ ...realCtx(), now: () => 0 });
  const lines = (r: ReturnType<typeof runProgram>) => r.lines.map((l) => `${l.text}@${l.at}`);
  it("a trapped TERM runs its action once the foreground sleep ends", () => {
    const r = runProgram(["sh", "-c", 'trap "echo bye; exit 0" TERM; echo start; sleep 3; echo after'], c(), {
      until: 60_000,
      signals: [{ at: 1000, name: "TERM" }],
    });
    expect(lines(r)).toEqual(["start@0", "bye@3000"]);
    expect(r.exit).toEqual({ code: 0, at: 3000 });
  });
  it("sleep & wait lets the trap run at once", () => {
    const r = runProgram(["sh", "-c", 'trap "echo bye; exit 0" TERM; sleep 3 & wait; echo after'], c(), {
      until: 60_000,
      signals: [{ at: 1000, name: "TERM" }],
    });
    expect(lines(r)).toEqual(["bye@1000"]);
    expect(r.exit).toEqual({ code: 0, at: 1000 });
  });
  it("a trap that does not exit lets the script go on", () => {
    const r = runProgram(["sh", "-c", 'trap "echo bye" TERM; sleep 3; echo after'], c(), {
      until: 60_000,
      signals: [{ at: 1000, name: "TERM" }],
    });
    expect(lines(r)).toEqual(["bye@3000", "after@3000"]);
    expect(r.exit).toEqual({ code: 0, at: 3000 });
  });
  it("PID 1 without a trap ignores TERM; KILL ends it with 137", () => {
    const ignored = runProgram(["sh", "-c", "echo start; sleep 3; echo after"], c(), {
      until: 60_000,
      signals: [{ at: 1000, name: "TERM" }],
    });
    expect(lines(ignored)).toEqual(["start@0", "after@3000"]);
    const killed = runProgram(["sh", "-c", "echo start; sleep 30; echo after"], c(), {
      until: 60_000,
      signals: [
        { at: 1000, name: "TERM" },
        { at: 2000, name: "KILL" },
      ],
    });
    expect(lines(killed)).toEqual(["start@0"]);
    expect(killed.exit).toEqual({ code: 137, at: 2000 });
  });
});

// Expectations from GNU findutils 4.9 xargs and coreutils 9.1 timeout under bash and dash.
describe("xargs and timeout (GNU, as in Debian images)", () => {
  it("bash: printf 'a\\0b c\\0' | xargs -0 echo", () =>
    expect(run("bash", "printf 'a\\0b c\\0' | xargs -0 echo")).toEqual({ out: "a b c\n", err: "", code: 0 }));
  it("dash: printf 'a\\0b c\\0' | xargs -0 echo", () =>
    expect(run("dash", "printf 'a\\0b c\\0' | xargs -0 echo")).toEqual({ out: "a b c\n", err: "", code: 0 }));
  it("bash: printf 'a\\0b c\\0' | xargs -0 -n1 echo", () =>
    expect(run("bash", "printf 'a\\0b c\\0' | xargs -0 -n1 echo")).toEqual({ out: "a\nb c\n", err: "", code: 0 }));
  it("dash: printf 'a\\0b c\\0' | xargs -0 -n1 echo", () =>
    expect(run("dash", "printf 'a\\0b c\\0' | xargs -0 -n1 echo")).toEqual({ out: "a\nb c\n", err: "", code: 0 }));
  it("bash: echo 1 2 3 | xargs -n 1 sh -c 'echo n$0'", () =>
    expect(run("bash", "echo 1 2 3 | xargs -n 1 sh -c 'echo n$0'")).toEqual({ out: "n1\nn2\nn3\n", err: "", code: 0 }));
  it("dash: echo 1 2 3 | xargs -n 1 sh -c 'echo n$0'", () =>
    expect(run("dash", "echo 1 2 3 | xargs -n 1 sh -c 'echo n$0'")).toEqual({ out: "n1\nn2\nn3\n", err: "", code: 0 }));
  it("bash: echo a b | xargs -t echo 2>&1", () =>
    expect(run("bash", "echo a b | xargs -t echo 2>&1")).toEqual({ out: "echo a b\na b\n", err: "", code: 0 }));
  it("dash: echo a b | xargs -t echo 2>&1", () =>
    expect(run("dash", "echo a b | xargs -t echo 2>&1")).toEqual({ out: "echo a b\na b\n", err: "", code: 0 }));
  it("bash: echo | xargs echo x", () => expect(run("bash", "echo | xargs echo x")).toEqual({ out: "x\n", err: "", code: 0 }));
  it("dash: echo | xargs echo x", () => expect(run("dash", "echo | xargs echo x")).toEqual({ out: "x\n", err: "", code: 0 }));
  it("bash: echo a | xargs nosuchcmd; echo $?", () =>
    expect(run("bash", "echo a | xargs nosuchcmd; echo $?")).toEqual({
      out: "127\n",
      err: "xargs: nosuchcmd: No such file or directory\n",
      code: 0,
    }));
  it("dash: echo a | xargs nosuchcmd; echo $?", () =>
    expect(run("dash", "echo a | xargs nosuchcmd; echo $?")).toEqual({
      out: "127\n",
      err: "xargs: nosuchcmd: No such file or directory\n",
      code: 0,
    }));
  it("bash: echo a | xargs false; echo $?", () =>
    expect(run("bash", "echo a | xargs false; echo $?")).toEqual({ out: "123\n", err: "", code: 0 }));
  it("dash: echo a | xargs false; echo $?", () =>
    expect(run("dash", "echo a | xargs false; echo $?")).toEqual({ out: "123\n", err: "", code: 0 }));
  it("bash: timeout 2 sh -c 'exit 3'; echo $?", () =>
    expect(run("bash", "timeout 2 sh -c 'exit 3'; echo $?")).toEqual({ out: "3\n", err: "", code: 0 }));
  it("dash: timeout 2 sh -c 'exit 3'; echo $?", () =>
    expect(run("dash", "timeout 2 sh -c 'exit 3'; echo $?")).toEqual({ out: "3\n", err: "", code: 0 }));
  it("bash: timeout; echo $?", () =>
    expect(run("bash", "timeout; echo $?")).toEqual({ out: "125\n", err: "Try 'timeout --help' for more information.\n", code: 0 }));
  it("dash: timeout; echo $?", () =>
    expect(run("dash", "timeout; echo $?")).toEqual({ out: "125\n", err: "Try 'timeout --help' for more information.\n", code: 0 }));
  it("bash: timeout x sleep 1; echo $?", () =>
    expect(run("bash", "timeout x sleep 1; echo $?")).toEqual({
      out: "125\n",
      err: "timeout: invalid time interval 'x'\nTry 'timeout --help' for more information.\n",
      code: 0,
    }));
  it("dash: timeout x sleep 1; echo $?", () =>
    expect(run("dash", "timeout x sleep 1; echo $?")).toEqual({
      out: "125\n",
      err: "timeout: invalid time interval 'x'\nTry 'timeout --help' for more information.\n",
      code: 0,
    }));
});
