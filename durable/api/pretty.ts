// JSON for people (k8s.io/apiserver negotiation.isPrettyPrint): `?pretty=true`, or a User-Agent
// starting with curl, Wget or Mozilla/5.0, gets the negotiated JSON indented by two spaces
// (json.Indent), errors included. Streams (watch, proxy, logs, exec) are never reformatted.
import { parseBool, queryBool } from "./query";

export function wantsPretty(request: Request, url: URL): boolean {
  const pp = url.searchParams.get("pretty");
  if (pp) return parseBool(pp) ?? false;
  const ua = request.headers.get("user-agent") ?? "";
  return ua.startsWith("curl") || ua.startsWith("Wget") || ua.startsWith("Mozilla/5.0");
}

/** Whether a request's answer is a stream or a pass-through that must not be buffered. */
export function isStream(path: string, url: URL): boolean {
  return queryBool(url.searchParams, "watch") || queryBool(url.searchParams, "follow") || /\/(watch|proxy)(\/|$)/.test(path);
}

/** The response with its JSON body indented, keeping status and headers. */
export async function indented(res: Response): Promise<Response> {
  const ct = res.headers.get("content-type") ?? "";
  if (res.status === 101 || res.webSocket || !/^application\/json(;|$)/.test(ct)) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: res.status, headers: res.headers });
  }
  return new Response(JSON.stringify(body, null, 2), { status: res.status, headers: res.headers });
}
