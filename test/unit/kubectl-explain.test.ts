// `kubectl explain` (durable/workstation/kubectl/explain-verb.ts and ./explain) against real
// captures of kubectl 1.33.1 (scripts/capture-explain-fixtures.mjs):
// - "kubeplay": the verb runs over the OpenAPI that durable/api/openapi.ts serves (the handler the
//   real kubectl read from when the capture was taken), reached as the workstation reaches it;
// - "widgets": the plaintext template over a made-up document served to the real kubectl, for the
//   enum values, primitive references, open maps and cycles kubeplay's own schemas do not have.
import { describe, expect, it } from "vitest";
import { serveOpenAPI } from "../../durable/api/openapi";
import { resources } from "../../durable/resources";
import { GLOBAL_FLAGS, parse } from "../../durable/workstation/kubectl/args";
import { type ApiCall, KubectlError } from "../../durable/workstation/kubectl/client";
import { explain } from "../../durable/workstation/kubectl/explain-verb";
import type { Json } from "../../durable/workstation/kubectl/explain-funcs";
import { wrapLines } from "../../durable/workstation/kubectl/explain-openapiv2";
import { renderPlaintext } from "../../durable/workstation/kubectl/explain-plaintext";
import { wrapString } from "../../durable/workstation/kubectl/explain-wordwrap";
import type { Kube } from "../../durable/workstation/kubectl/types";
import captured from "./kubectl-explain.fixtures.json";

interface Capture {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const kubeplay = captured.kubeplay as Record<string, Capture>;
const widgets = captured.widgets as Record<string, Capture>;
const widgetsDocument = captured.widgetsDocument as unknown as Json;

/** The cluster's OpenAPI handler behind the workstation's in-process API (mounted, as a session's
 *  cluster is, under /clusters/<id>, which the index's URLs then carry). */
function openapiServer(calls: string[] = []): ApiCall {
  return async (method, path, init = {}) => {
    calls.push(`${method} ${path}`);
    const url = new URL(path, "https://workstation.internal");
    const res = serveOpenAPI(resources, "/clusters/fixture", url.pathname, url.searchParams, new Headers(init.headers));
    if (!res) return { status: 404, contentType: "application/json", text: '{"kind":"Status","message":"not found"}' };
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text: await res.text() };
  };
}

/** `kubectl <args>` through the explain verb, its stdout, stderr and exit status as the kubectl host
 *  program prints them. */
async function run(args: string, api: ApiCall): Promise<Capture> {
  const out = { stdout: "", stderr: "", exitCode: 0 };
  const k = {
    api,
    io: { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s) },
  } as unknown as Kube;
  const p = parse(args.split(" ").slice(1), [...GLOBAL_FLAGS, ...explain.flags]);
  try {
    const steps = explain.run(p, k);
    for (let step = steps.next(); !step.done; step = steps.next()) if ("until" in step.value) await step.value.until.catch(() => {});
  } catch (e) {
    if (!(e instanceof KubectlError)) throw e;
    out.stderr += e.text.endsWith("\n") ? e.text : `${e.text}\n`;
    out.exitCode = e.code;
  }
  return out;
}

describe("kubectl explain against a kubeplay cluster matches kubectl 1.33 byte for byte", () => {
  for (const [args, real] of Object.entries(kubeplay)) {
    it(`kubectl ${args}`, async () => {
      expect(await run(args, openapiServer())).toEqual(real);
    });
  }

  it("reads the /openapi/v3 index, then the group-version's document at the URL the index gives", async () => {
    const calls: string[] = [];
    await run("explain deploy", openapiServer(calls));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBe("GET /openapi/v3");
    expect(calls[1]).toMatch(/^GET \/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const v2: string[] = [];
    await run("explain deploy --output=plaintext-openapiv2", openapiServer(v2));
    expect(v2).toEqual(["GET /openapi/v2"]);
  });
});

/** The GVR and field path kubectl makes of `explain widgets.spec.mode --recursive`. */
function widgetsRequest(args: string) {
  const [, path, ...flags] = args.split(" ");
  const [resource, ...fieldPath] = path.split(".");
  return { gvr: { group: "example.com", version: "v1", resource }, fieldPath, recursive: flags.includes("--recursive") };
}

describe("the plaintext template over a made-up document matches kubectl 1.33 byte for byte", () => {
  for (const [args, real] of Object.entries(widgets)) {
    it(`kubectl ${args}`, () => {
      const out = renderPlaintext({ ...widgetsRequest(args), document: structuredClone(widgetsDocument) });
      expect({ stdout: out.stdout, stderr: out.error === undefined ? "" : `${out.error}\n`, exitCode: out.error ? 1 : 0 }).toEqual(real);
    });
  }

  it("needs what it reads: without the enum the ENUM lines go, without the GVK the kind is not found", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is JSON, edited in place
    const doc = structuredClone(widgetsDocument) as any;
    delete doc.components.schemas["io.example.v1.WidgetSpec"].properties.mode.enum;
    const withoutEnum = renderPlaintext({ ...widgetsRequest("explain widgets.spec.mode"), document: doc });
    expect(withoutEnum.stdout).toBe(widgets["explain widgets.spec.mode"].stdout.replace('ENUM:\n    ""\n    Fast\n    Slow\n', "\n"));
    delete doc.components.schemas["io.example.v1.Widget"]["x-kubernetes-group-version-kind"];
    expect(renderPlaintext({ ...widgetsRequest("explain widgets"), document: doc }).error).toBe(
      "error: GVK map[group:example.com kind:Widget version:v1] not found in OpenAPI schema",
    );
  });
});

describe("the word wraps, on their upstream tests", () => {
  it("go-wordwrap v1.0.1 WrapString (wordwrap_test.go)", () => {
    const cases: [string, string, number][] = [
      ["foo", "foo", 4],
      ["foobarbaz", "foobarbaz", 4],
      ["foo bar baz", "foo\nbar\nbaz", 4],
      ["foo bars bazzes", "foo\nbars\nbazzes", 4],
      ["fo sop", "fo\nsop", 4],
      ["foo bar\u00A0baz", "foo\nbar\u00A0baz", 10],
      ["foo\nb\t r\n baz", "foo\nb\t r\n baz", 4],
      ["foo    \nb   ar   ", "foo\nb\nar", 4],
      ["foo bar baz\n", "foo\nbar\nbaz\n", 4],
      ["\nfoo bar\n\n\nbaz\n", "\nfoo\nbar\n\n\nbaz\n", 4],
      [" This is a list: \n\n\t* foo\n\t* bar\n\n\n\t* baz  \nBAM    ", " This\nis a\nlist: \n\n\t* foo\n\t* bar\n\n\n\t* baz\nBAM", 6],
      ["\u2584 ".repeat(4), `\u2584 \u2584\n${"\u2584 ".repeat(2)}`, 4],
    ];
    for (const [input, output, lim] of cases) expect(wrapString(input, lim)).toBe(output);
  });

  it("the old explain's formatter (pkg/explain/formatter_test.go TestFormatterWrappedWrite)", () => {
    const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Morbi at turpis faucibus, gravida dolor ut, fringilla velit.";
    expect(wrapLines(lorem, 50)).toEqual([
      "Lorem ipsum dolor sit amet, consectetur adipiscing",
      "elit. Morbi at turpis faucibus, gravida dolor ut,",
      "fringilla velit.",
    ]);
    expect(wrapLines(lorem, 40)).toEqual([
      "Lorem ipsum dolor sit amet, consectetur",
      "adipiscing elit. Morbi at turpis",
      "faucibus, gravida dolor ut, fringilla",
      "velit.",
    ]);
    expect(
      wrapLines(
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ThisIsAVeryLongWordThatDoesn'tFitOnALineOnItsOwn. Morbi at turpis faucibus, gravida dolor ut, fringilla velit.",
        30,
      ),
    ).toEqual([
      "Lorem ipsum dolor sit amet,",
      "consectetur adipiscing elit.",
      "ThisIsAVeryLongWordThatDoesn'tFitOnALineOnItsOwn.",
      "Morbi at turpis faucibus,",
      "gravida dolor ut, fringilla",
      "velit.",
    ]);
    const text =
      "\nThis is an\nintroductory paragraph\nthat should end\nup on a continuous line.\n\nExample:\nExample text on its own line\n\nList:\n1.  Item with\n wrapping text\n11.  Another\n item with wrapping text\n* Bullet item\n with wrapping text\n- Dash item\n with wrapping text\n\nbase64(\n    code goes here\n    and here\n)";
    expect(wrapLines(text, 46)).toEqual([
      "This is an introductory paragraph that should",
      "end up on a continuous line.",
      "",
      "Example:",
      "Example text on its own line",
      "",
      "List:",
      "1. Item with wrapping text",
      "11. Another item with wrapping text",
      "* Bullet item with wrapping text",
      "- Dash item with wrapping text",
      "",
      "base64(",
      "    code goes here",
      "    and here",
      ")",
    ]);
  });
});
