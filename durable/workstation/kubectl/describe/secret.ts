// SecretDescriber.
import type { Secret } from "kubernetes-types/core/v1";
import { base64Length, base64Text, LEVEL_0, printAnnotationsMultiline, printLabelsMultiline, sortStrings, tabbedString } from "./format";

// kubectl walks the data map in Go's map order, which changes from run to run; the keys are printed
// sorted (one of the orders kubectl prints).
export async function describeSecret(secret: Secret): Promise<string> {
  return tabbedString((w) => {
    w.write(LEVEL_0, `Name:\t${secret.metadata?.name ?? ""}\n`);
    w.write(LEVEL_0, `Namespace:\t${secret.metadata?.namespace ?? ""}\n`);
    printLabelsMultiline(w, "Labels", secret.metadata?.labels);
    printAnnotationsMultiline(w, "Annotations", secret.metadata?.annotations);
    w.write(LEVEL_0, `\nType:\t${secret.type ?? ""}\n`);
    w.write(LEVEL_0, "\nData\n====\n");
    for (const k of sortStrings(Object.keys(secret.data ?? {}))) {
      const v = secret.data?.[k];
      if (k === "token" && secret.type === "kubernetes.io/service-account-token") w.write(LEVEL_0, `${k}:\t${base64Text(v)}\n`);
      else w.write(LEVEL_0, `${k}:\t${base64Length(v)} bytes\n`);
    }
  });
}
