// The shells people type into run in real time, with the real kubectl 1.33: `sleep 1` takes a second
// of wall time, a loop's lines arrive as they are printed, Ctrl-C on the tty interrupts the foreground
// job, a one-shot exec lasts as long as its command. The cluster's clock is instant: that is for the
// containers' own programs, never for a human-facing shell.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Server, KUBECTL, eventually } from "./lib/harness.mjs";

const KUBECTL_133 = KUBECTL["1.33"];
let server;
let s;

before(async () => {
  server = await Server.start();
  s = await server.createSession({ clock: "instant" });
  s.k("run bb --image=busybox -- sleep 3600", { version: "1.33" });
  s.k("run deb --image=debian -- sleep infinity", { version: "1.33" });
  await eventually(() => {
    assert.equal(s.k("get pods -o jsonpath={.items[*].status.phase}"), "Running Running");
    return true;
  });
});

after(async () => {
  await server?.stop();
});

/**
 * A command in a pseudo-terminal (util-linux `script`), typed into on demand; every chunk of output is
 * kept with its arrival time.
 */
function pty(cmd) {
  const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
    detached: true,
  });
  const chunks = [];
  const text = () => chunks.map((c) => c.text).join("");
  const onData = (d) => chunks.push({ at: Date.now(), text: d.toString("utf8") });
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    chunks,
    text,
    type: (keys) => child.stdin.write(keys),
    /** Wait until the output since `from` (a length of text()) matches. */
    until: (re, from = 0, timeout = 20_000) => eventually(() => re.test(text().slice(from)), { timeout, interval: 50 }),
    exited,
    kill: () => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    },
  };
}

test("exec -it: a date loop prints a line a second until Ctrl-C, then $? is 130", async () => {
  const t = pty(`${KUBECTL_133} exec -it bb -- sh`);
  try {
    await t.until(/\/ # $/);
    let mark = t.text().length;
    t.type("while true; do date; sleep 1; done\r");
    const started = Date.now();
    await t.until(/(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\r\n[\s\S]*){4}/, mark, 15_000);
    const lines = [];
    let seen = "";
    for (const c of t.chunks) {
      seen += c.text;
      const n = (seen.slice(mark).match(/\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\r\n/g) ?? []).length;
      while (lines.length < n) lines.push(c.at);
    }
    // Four lines over three seconds: about one a second, not all at once, not ahead of time.
    assert.ok(lines.length >= 4, `${lines.length} lines`);
    for (let i = 1; i < 4; i++) {
      const gap = lines[i] - lines[i - 1];
      assert.ok(gap >= 700 && gap <= 1500, `gap ${i}: ${gap} ms`);
    }
    assert.ok(lines[3] - started >= 2700, `the fourth line came ${lines[3] - started} ms after the loop began`);
    // The clock the loop reads moves on with the wall clock.
    const dates = t
      .text()
      .slice(mark)
      .match(/\d\d:\d\d:\d\d/g);
    assert.notEqual(dates[0], dates[3]);

    mark = t.text().length;
    t.type("\x03");
    await t.until(/\^C\r\n\/ # $/, mark, 5000);
    const after = t.text().length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(t.text().length, after, "nothing printed after the interrupt");
    t.type("echo $?\r");
    await t.until(/echo \$\?\r\n130\r\n\/ # $/, after, 5000);
    t.type("exit\r");
    assert.equal(await t.exited, 0);
  } finally {
    t.kill();
  }
});

test("exec -it of a program: it starts at once, reads typed lines, and Ctrl-C ends it with 130", async () => {
  const t = pty(`${KUBECTL_133} exec -it bb -- sh -c 'read -p "name? " n; echo hi $n; while true; do echo tick; sleep 1; done'`);
  try {
    await t.until(/name\? $/);
    t.type("kube\r");
    await t.until(/kube\r\nhi kube\r\ntick\r\n/);
    await t.until(/(tick\r\n){2}/);
    t.type("\x03");
    assert.equal(await t.exited, 130);
    assert.match(t.text(), /tick\r\n\^Ccommand terminated with exit code 130\r\n$/);
  } finally {
    t.kill();
  }
});

test("exec -it bash: a heredoc written to a file with the PS2 prompt, then cat back", async () => {
  const t = pty(`${KUBECTL_133} exec -it deb -- bash`);
  try {
    await t.until(/root@deb:\/# $/);
    const mark = t.text().length;
    t.type("cat <<EOF > /tmp/pod.yaml\r");
    await t.until(/> $/, mark);
    t.type("apiVersion: v1\r");
    await t.until(/apiVersion: v1\r\n> $/, mark);
    t.type("kind: Pod\r");
    await t.until(/kind: Pod\r\n> $/, mark);
    t.type("  host: $HOSTNAME\r");
    await t.until(/host: \$HOSTNAME\r\n> $/, mark);
    t.type("EOF\r");
    await t.until(/EOF\r\nroot@deb:\/# $/, mark);
    const shown = t.text().length;
    t.type("cat /tmp/pod.yaml\r");
    await t.until(/root@deb:\/# $/, shown + 5);
    assert.equal(t.text().slice(shown), "cat /tmp/pod.yaml\r\napiVersion: v1\r\nkind: Pod\r\n  host: deb\r\nroot@deb:/# ");
    t.type("exit\r");
    await t.exited;
  } finally {
    t.kill();
  }
});

test("run -it: the container's own shell sleeps for real and takes Ctrl-C through attach", async () => {
  const t = pty(`${KUBECTL_133} run -it --rm rt --image=busybox --restart=Never -- sh`);
  try {
    await t.until(/If you don't see a command prompt, try pressing enter\./);
    t.type("\r");
    await t.until(/\/ # $/);
    let mark = t.text().length;
    const t0 = Date.now();
    t.type("sleep 2; echo slept\r");
    await t.until(/slept\r\n\/ # $/, mark, 10_000);
    const took = Date.now() - t0;
    assert.ok(took >= 2000 && took < 6000, `took ${took} ms`);
    mark = t.text().length;
    t.type("sleep 100\r");
    await new Promise((r) => setTimeout(r, 500));
    t.type("\x03");
    await t.until(/\^C\r\n\/ # $/, mark, 5000);
    mark = t.text().length;
    t.type("echo $?\r");
    await t.until(/130\r\n\/ # $/, mark, 5000);
    t.type("exit\r");
    assert.equal(await t.exited, 0);
    assert.match(t.text(), /pod "rt" deleted\r\n$/);
  } finally {
    t.kill();
  }
});

test("one-shot exec of sh -c 'sleep 2; echo done' takes two seconds of wall time", () => {
  const t0 = Date.now();
  const r = s.kubectl(["exec", "bb", "--", "sh", "-c", "sleep 2; echo done"], { version: "1.33" });
  const took = Date.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "done\n");
  assert.ok(took >= 2000, `took ${took} ms`);
  assert.ok(took < 10_000, `took ${took} ms`);
});

test("one-shot exec of an endless loop runs until the client goes away", async () => {
  const child = spawn(KUBECTL_133, ["exec", "bb", "--", "sh", "-c", "while true; do echo tick; sleep 1; done"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  await eventually(() => (out.match(/tick\n/g) ?? []).length >= 3, { timeout: 15_000, interval: 50 });
  // Still going: it never finishes by itself.
  assert.equal(child.exitCode, null);
  const n = (out.match(/tick\n/g) ?? []).length;
  assert.ok(n <= 4, `${n} ticks after about 2 s`);
  child.kill("SIGINT");
  assert.equal(await exited, "SIGINT");
  // The server is still well: another exec answers at once.
  assert.equal(s.k("exec bb -- echo still here", { version: "1.33" }), "still here\n");
});

test("a busy loop without sleep does not hold up the cluster", async () => {
  const child = spawn(KUBECTL_133, ["exec", "bb", "--", "sh", "-c", "i=0; while true; do i=$((i+1)); done"], {
    env: { ...process.env, KUBECONFIG: s.kubeconfigPath, HOME: s.dir },
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(child.exitCode, null, "the loop still runs");
    // The same cluster answers while the loop spins.
    const t0 = Date.now();
    assert.equal(s.k("get pod bb -o jsonpath={.status.phase}", { version: "1.33" }), "Running");
    assert.equal(s.k("exec bb -- echo beside", { version: "1.33" }), "beside\n");
    assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, "SIGINT");
});
