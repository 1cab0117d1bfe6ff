// ServiceAccountDescriber.
import type { Secret, ServiceAccount } from "kubernetes-types/core/v1";
import {
  type DescribeOptions,
  type DescribeReader,
  describeEvents,
  eventsFor,
  LEVEL_0,
  printAnnotationsMultiline,
  printLabelsMultiline,
  refOf,
  tabbedString,
} from "./format";

export async function describeServiceAccount(sa: ServiceAccount, reader: DescribeReader, opts: DescribeOptions): Promise<string> {
  const tokens: Secret[] = [];
  const missing = new Set<string>();
  let secrets: Secret[] | undefined;
  try {
    secrets = (await reader.list("secrets", sa.metadata?.namespace)) as Secret[];
  } catch {
    secrets = undefined; // tolerated: the referenced secrets are shown without "(not found)"
  }
  if (secrets) {
    const existing = new Set<string>();
    for (const s of secrets) {
      if (s.type === "kubernetes.io/service-account-token") {
        const name = s.metadata?.annotations?.["kubernetes.io/service-account.name"];
        const uid = s.metadata?.annotations?.["kubernetes.io/service-account.uid"] ?? "";
        if (name === sa.metadata?.name && uid === (sa.metadata?.uid ?? "")) tokens.push(s);
      }
      existing.add(s.metadata?.name ?? "");
    }
    for (const s of sa.secrets ?? []) if (!existing.has(s.name ?? "")) missing.add(s.name ?? "");
    for (const s of sa.imagePullSecrets ?? []) if (!existing.has(s.name ?? "")) missing.add(s.name ?? "");
  }
  const events = await eventsFor(reader, refOf({ ...sa, kind: "ServiceAccount" }), opts);
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${sa.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${sa.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", sa.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", sa.metadata?.annotations);
    const emptyHeader = "                   ";
    const sections: [string, string[]][] = [
      ["Image pull secrets:", (sa.imagePullSecrets ?? []).map((s) => s.name ?? "")],
      ["Mountable secrets: ", (sa.secrets ?? []).map((s) => s.name ?? "")],
      ["Tokens:            ", tokens.map((s) => s.metadata?.name ?? "")],
    ];
    for (const [header, names] of sections) {
      if (names.length === 0) {
        w.write(LEVEL_0, `${header}\t<none>\n`);
        continue;
      }
      let prefix = header;
      for (const name of names) {
        w.write(LEVEL_0, missing.has(name) ? `${prefix}\t${name} (not found)\n` : `${prefix}\t${name}\n`);
        prefix = emptyHeader;
      }
    }
    if (events) describeEvents(events, w, opts.now);
  });
}
