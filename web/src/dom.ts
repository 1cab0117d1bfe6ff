// Building DOM from code: an element with its attributes and children (text stays text, never HTML).

export type Child = Node | string | false | undefined;

export function h(tag: string, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "class") el.className = String(v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== false && c !== undefined) el.append(c);
  return el;
}
