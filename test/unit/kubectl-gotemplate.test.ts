import { describe, expect, it } from "vitest";
import { goTemplate } from "../../durable/workstation/kubectl/gotemplate";

const pod = {
  kind: "Pod",
  metadata: { name: "termination-demo", labels: { app: "web", tier: "front" } },
  spec: { containers: [{ name: "a" }, { name: "b" }] },
  status: {
    containerStatuses: [
      { name: "a", lastState: { terminated: { message: "Sleep expired\n", exitCode: 0 } } },
      { name: "b", lastState: {} },
    ],
  },
};
const list = { kind: "List", items: [pod, { metadata: { name: "other" } }] };

describe("go-template (text/template as kubectl runs it)", () => {
  it("the termination-message page's template prints the message and <no value> for a missing one", () =>
    expect(goTemplate("{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}", pod)).toBe(
      "Sleep expired\n<no value>",
    ));

  it("ranges over a list's items, with {{else}} for an empty one", () => {
    expect(goTemplate('{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}', list)).toBe("termination-demo\nother\n");
    expect(goTemplate("{{range .items}}x{{else}}none{{end}}", { items: [] })).toBe("none");
  });

  it("ranges over a map in key order with $key, $value", () =>
    expect(goTemplate("{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}", pod)).toBe("app=web;tier=front;"));

  it("index, len, printf, eq, if / else if / else, variables", () => {
    expect(goTemplate('{{index .metadata.labels "app"}} {{len .spec.containers}} {{(index .spec.containers 1).name}}', pod)).toBe(
      "web 2 b",
    );
    expect(goTemplate('{{printf "%s has %d containers" .metadata.name (len .spec.containers)}}', pod)).toBe(
      "termination-demo has 2 containers",
    );
    const t = '{{range .items}}{{if eq .metadata.name "other"}}O{{else if .spec}}S{{else}}-{{end}}{{end}}';
    expect(goTemplate(t, list)).toBe("SO");
    expect(goTemplate("{{$n := .metadata.name}}{{range .spec.containers}}{{$n}}/{{.name}} {{end}}", pod)).toBe(
      "termination-demo/a termination-demo/b ",
    );
  });

  it("prints maps and lists as fmt's %v does, and print's spacing between operands", () => {
    expect(goTemplate("{{.metadata.labels}} {{.spec.containers}}", pod)).toBe("map[app:web tier:front] [map[name:a] map[name:b]]");
    expect(goTemplate('{{print 1 2 "a" "b" 3}} {{1.5}} {{.nope.deeper}}', pod)).toBe("1 2ab3 1.5 <no value>");
  });

  it("kubectl's own functions: exists and base64decode", () => {
    expect(goTemplate('{{exists . "metadata" "labels"}} {{exists . "nope"}}', pod)).toBe("true false");
    expect(goTemplate("{{.data.user | base64decode}}", { data: { user: btoa("admin") } })).toBe("admin");
  });

  it("trims around {{- and -}}, and skips comments", () =>
    expect(goTemplate("a  {{- /* note */ -}}  {{- .metadata.name -}}  \n b", pod)).toBe("atermination-demob"));

  it("refuses what text/template cannot parse, as kubectl reports it", () => {
    expect(() => goTemplate("{{.spec.replicas", pod)).toThrow(
      "error: error parsing template {{.spec.replicas, template: output:1: unclosed action",
    );
    expect(() => goTemplate("{{.a | nofn}}", pod)).toThrow('template: output:1: function "nofn" not defined');
    expect(() => goTemplate("x\n{{$x}}", pod)).toThrow('template: output:2: undefined variable "$x"');
  });
});
