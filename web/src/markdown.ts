// The Markdown of lab steps, as DOM (never innerHTML: a lab's text cannot inject markup): headings,
// paragraphs, lists, emphasis, inline code, links, and fenced code blocks. A block marked
// ```bash {run} gets a Run button that types it into the terminal; ```yaml {copy} gets Copy.

import { h } from "./dom";

export interface BlockActions {
  run(code: string): void;
  copy(code: string): void;
}

/** An element with a class (or none) and children. */
const el = (tag: string, cls?: string, ...children: (Node | string)[]) => h(tag, { class: cls }, ...children);

/** Inline Markdown: `code`, **strong**, *em*, [text](https://…). */
export function inline(text: string): Node[] {
  const out: Node[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    if (m[1] !== undefined) out.push(el("code", undefined, m[1]));
    else if (m[2] !== undefined) out.push(el("strong", undefined, ...inline(m[2])));
    else if (m[3] !== undefined) out.push(el("em", undefined, ...inline(m[3])));
    else if (/^https?:\/\//.test(m[5])) {
      const a = el("a", undefined, ...inline(m[4])) as HTMLAnchorElement;
      a.href = m[5];
      a.target = "_blank";
      a.rel = "noopener";
      out.push(a);
    } else out.push(document.createTextNode(m[4]));
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

function codeBlock(info: string, code: string, actions: BlockActions): HTMLElement {
  const [lang = ""] = info.split(/\s+/);
  const pre = el("pre", undefined, el("code", lang ? `language-${lang}` : undefined, code));
  pre.tabIndex = 0; // it scrolls sideways: the keyboard must reach it too
  const wrap = el("div", "codeblock", pre);
  const action = /\{\s*run\s*\}/.test(info) ? "run" : /\{\s*copy\s*\}/.test(info) ? "copy" : undefined;
  if (action) {
    const b = el("button", "secondary small", action === "run" ? "Run" : "Copy") as HTMLButtonElement;
    b.type = "button";
    b.setAttribute("aria-label", action === "run" ? `Run in the terminal: ${code.split("\n")[0]}` : "Copy to the clipboard");
    b.addEventListener("click", () => actions[action](code));
    wrap.append(b);
  }
  return wrap;
}

/** Block Markdown into nodes. */
export function markdown(text: string, actions: BlockActions): Node[] {
  const out: Node[] = [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let paragraph: string[] = [];
  let list: HTMLElement | undefined;
  const flush = () => {
    if (paragraph.length) out.push(el("p", undefined, ...inline(paragraph.join(" "))));
    paragraph = [];
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*```(.*)$/);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      out.push(codeBlock(fence[1].trim(), code.join("\n"), actions));
      continue;
    }
    const heading = line.match(/^(#{1,4})\s+(.*)$/);
    const item = line.match(/^\s*(?:[-*]|(\d+)\.)\s+(.*)$/);
    if (heading) {
      flush();
      out.push(el(`h${Math.min(6, heading[1].length + 3)}`, undefined, ...inline(heading[2])));
    } else if (item) {
      if (paragraph.length) flush();
      const ordered = item[1] !== undefined;
      if (!list || (list.tagName === "OL") !== ordered) out.push((list = el(ordered ? "ol" : "ul")));
      list.append(el("li", undefined, ...inline(item[2])));
    } else if (!line.trim()) flush();
    else {
      list = undefined;
      paragraph.push(line.trim());
    }
  }
  flush();
  return out;
}
