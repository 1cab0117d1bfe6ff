import { describe, expect, it } from "vitest";
import { lastBytes, logTail, terminationMessage, MAX_LOG_BYTES, MAX_MESSAGE_BYTES } from "../../durable/nodes/runtime/termination";

const line = (at: number, text: string) => ({ at, text, stream: "stdout" as const });

describe("terminationMessage (kubelet getTerminationMessage)", () => {
  it("is the file's content as last written before the exit", () => {
    const run = {
      lines: [],
      files: [
        { at: 10, path: "/dev/termination-log", data: "first\n" },
        { at: 20, path: "/dev/termination-log", data: "Sleep expired\n" },
        { at: 40, path: "/dev/termination-log", data: "after the exit\n" },
      ],
    };
    expect(terminationMessage({ name: "c" }, run, { code: 0, at: 30 })).toBe("Sleep expired\n");
  });

  it("reads terminationMessagePath when it is set elsewhere", () => {
    const run = { lines: [], files: [{ at: 1, path: "/tmp/my-log", data: "done" }] };
    expect(terminationMessage({ name: "c", terminationMessagePath: "/tmp/my-log" }, run, { code: 1, at: 5 })).toBe("done");
    expect(terminationMessage({ name: "c" }, run, { code: 1, at: 5 })).toBe("");
  });

  it("keeps only the file's last 4096 bytes", () => {
    const data = `${"a".repeat(100)}${"b".repeat(MAX_MESSAGE_BYTES)}`;
    const run = { lines: [], files: [{ at: 1, path: "/dev/termination-log", data }] };
    expect(terminationMessage({ name: "c" }, run, { code: 0, at: 5 })).toBe("b".repeat(MAX_MESSAGE_BYTES));
  });

  it("falls back to the log only with FallbackToLogsOnError and a failed exit", () => {
    const run = { lines: [line(1, "starting"), line(2, "boom"), line(9, "later")] };
    const c = { name: "c", terminationMessagePolicy: "FallbackToLogsOnError" };
    expect(terminationMessage(c, run, { code: 2, at: 5 })).toBe("starting\nboom\n");
    expect(terminationMessage(c, run, { code: 0, at: 5 })).toBe("");
    expect(terminationMessage({ name: "c", terminationMessagePolicy: "File" }, run, { code: 2, at: 5 })).toBe("");
  });

  it("prefers a non-empty file to the log, and an empty file falls back", () => {
    const c = { name: "c", terminationMessagePolicy: "FallbackToLogsOnError" };
    const lines = [line(1, "log line")];
    expect(terminationMessage(c, { lines, files: [{ at: 1, path: "/dev/termination-log", data: "file" }] }, { code: 1, at: 5 })).toBe(
      "file",
    );
    expect(terminationMessage(c, { lines, files: [{ at: 1, path: "/dev/termination-log", data: "" }] }, { code: 1, at: 5 })).toBe(
      "log line\n",
    );
  });
});

describe("logTail (readLastStringFromContainerLogs)", () => {
  it("keeps the last 80 lines", () => {
    const lines = Array.from({ length: 100 }, (_, i) => ({ text: `line ${i + 1}` }));
    const tail = logTail(lines);
    expect(tail.split("\n").slice(0, -1)).toEqual(Array.from({ length: 80 }, (_, i) => `line ${i + 21}`));
  });

  it("keeps the last 2048 bytes of long lines", () => {
    const lines = [{ text: "x".repeat(3000) }, { text: "end" }];
    const tail = logTail(lines);
    expect(tail.length).toBe(MAX_LOG_BYTES);
    expect(tail.endsWith("x\nend\n")).toBe(true);
  });

  it("counts bytes, not characters", () => {
    expect(lastBytes("ééé", 4)).toBe("éé");
  });
});
