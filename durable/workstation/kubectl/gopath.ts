// Go's lexical path functions (package path, and path/filepath on Linux, which agree), for the
// commands that reason about paths as kubectl does before touching a file (kubectl cp).

/** path.Clean: the shortest equivalent path, "." for nothing. */
export function clean(p: string): string {
  if (!p) return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (!part || part === ".") continue;
    if (part !== "..") out.push(part);
    else if (out.length && out[out.length - 1] !== "..") out.pop();
    else if (!rooted) out.push("..");
  }
  const joined = out.join("/");
  return rooted ? `/${joined}` : joined || ".";
}

/** path.Join: the non-empty elements joined and cleaned; "" when all are empty. */
export function join(...elems: string[]): string {
  const some = elems.filter(Boolean);
  return some.length ? clean(some.join("/")) : "";
}

/** path.Dir: all but the last element, cleaned. */
export function dir(p: string): string {
  return clean(p.slice(0, p.lastIndexOf("/") + 1));
}

/** path.Base: the last element, trailing slashes ignored; "." for nothing, "/" for only slashes. */
export function base(p: string): string {
  if (!p) return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (!trimmed) return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** filepath.Rel: `target` relative to `from`, or undefined where Go's Rel fails. */
export function rel(from: string, target: string): string | undefined {
  let b = clean(from);
  const t = clean(target);
  if (b === t) return ".";
  if (b === ".") b = "";
  if (b.startsWith("/") !== t.startsWith("/")) return undefined;
  const bs = b.split("/").filter(Boolean);
  const ts = t.split("/").filter(Boolean);
  let i = 0;
  while (i < bs.length && i < ts.length && bs[i] === ts[i]) i++;
  if (bs[i] === "..") return undefined;
  return [...bs.slice(i).map(() => ".."), ...ts.slice(i)].join("/") || ".";
}
