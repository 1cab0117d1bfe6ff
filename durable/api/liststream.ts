// A list is written a page at a time once the cluster holds more than one list's worth of memory:
// a LIST of everything in a cluster filled to its storage cap would otherwise be parsed and
// serialised whole inside the Durable Object's 128 MB. Each page is read from the store only when
// the client has taken the one before (a pull stream), so memory holds one page and other requests
// run in between. The JSON is what JSON.stringify of the whole list gives, except that the list's
// metadata comes after its items (its continue token is known only then); JSON decoders read
// members in any order.
import type { Obj } from "../resources/types";
import { StoredJson } from "./registry";

/** Up to this many live bytes in the cluster, a list is built whole (exactly the real server's bytes). */
export const MATERIALIZE_BYTES = 8 * 1024 * 1024;

/** Responses already in their final form, `?pretty` included (the API server does not re-indent them). */
export const preformatted = new WeakSet<Response>();

const encoder = new TextEncoder();

/**
 * The JSON text of `{...head, [key]: [...items of every page], ...tail()}`, two-space indented when
 * `pretty`, as a stream that reads the next page only when pulled.
 */
export function streamedObject(
  head: Obj,
  key: string,
  pages: Iterator<unknown[]>,
  tail: () => Obj,
  pretty: boolean,
): ReadableStream<Uint8Array> {
  const indent = pretty ? 2 : undefined;
  const opening = JSON.stringify(head, null, indent).replace(/\n?}$/, "");
  const itemSeparator = pretty ? ",\n    " : ",";
  let started = false;
  let items = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let chunk = "";
        if (!started) {
          started = true;
          chunk = `${opening}${pretty ? ",\n  " : ","}${JSON.stringify(key)}${pretty ? ": [" : ":["}`;
        }
        const next = pages.next();
        if (next.done) {
          const closing = JSON.stringify(tail(), null, indent).replace(/^{\n?/, "");
          chunk += `${pretty && items ? "\n  ]" : "]"}${pretty ? ",\n" : ","}${closing}`;
          controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        for (const item of next.value) {
          const text =
            item instanceof StoredJson
              ? pretty
                ? JSON.stringify(JSON.parse(item.text), null, indent)
                : item.text
              : JSON.stringify(item, null, indent);
          chunk += `${items++ ? itemSeparator : pretty ? "\n    " : ""}${pretty ? text.replace(/\n/g, "\n    ") : text}`;
        }
        controller.enqueue(encoder.encode(chunk));
      },
    },
    { highWaterMark: 0 },
  );
}
