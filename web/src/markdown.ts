// The Markdown of lab steps, as DOM (never innerHTML: a lab's text cannot inject markup): headings,
// paragraphs, lists, emphasis, inline code, links, fenced code blocks and <details> disclosures. A
// block marked ```bash {run} gets a Run button that types it into the terminal; ```yaml {copy} gets
// Copy; inline `code`{run} and `code`{copy} are the same as buttons within the sentence.

import { h } from "./dom";

export interface BlockActions {
  run(code: string): void;
  copy(code: string): void;
}

/** An element with a class (or none) and children. */
const el = (tag: string, cls?: string, ...children: (Node | string)[]) => h(tag, { class: cls }, ...children);

/** Inline Markdown: `code` (with {run} or {copy} after it, a button), **strong**, *em*, [text](https://…). */
export function inline(text: string, actions?: BlockActions): Node[] {
  const out: Node[] = [];
  const pattern = /`([^`]+)`(\{(?:run|copy)\})?|\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    if (m[1] !== undefined && m[2] && actions) {
      const action = m[2] === "{run}" ? "run" : "copy";
      const code = m[1];
      const b = el("button", `inline-code ${action}`, el("code", undefined, code)) as HTMLButtonElement;
      b.type = "button";
      b.title = action === "run" ? "Run in the terminal" : "Copy to the clipboard";
      b.addEventListener("click", () => actions[action](code));
      out.push(b);
    } else if (m[1] !== undefined) out.push(el("code", undefined, m[1]));
    else if (m[3] !== undefined) out.push(el("strong", undefined, ...inline(m[3], actions)));
    else if (m[4] !== undefined) out.push(el("em", undefined, ...inline(m[4], actions)));
    else if (/^https?:\/\//.test(m[6])) {
      const a = el("a", undefined, ...inline(m[5], actions)) as HTMLAnchorElement;
      a.href = m[6];
      a.target = "_blank";
      a.rel = "noopener";
      out.push(a);
    } else out.push(document.createTextNode(m[5]));
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
  const root = document.createDocumentFragment();
  // Where blocks go: the root, or the innermost open <details>.
  const open: ParentNode[] = [root];
  const add = (node: Node) => open[open.length - 1].append(node);
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let paragraph: string[] = [];
  let list: HTMLElement | undefined;
  const flush = () => {
    if (paragraph.length) add(el("p", undefined, ...inline(paragraph.join(" "), actions)));
    paragraph = [];
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const fence = line.match(/^\s*```(.*)$/);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      add(codeBlock(fence[1].trim(), code.join("\n"), actions));
      continue;
    }
    // <details><summary>…</summary> … </details>, the disclosure course texts hide solutions in.
    if (/^\s*<details\b[^>]*>/i.test(line)) {
      flush();
      line = line.replace(/^\s*<details\b[^>]*>/i, "");
      if (!/<summary>/i.test(line) && /^\s*<summary>/i.test(lines[i + 1] ?? "")) line += lines[++i];
      const summary = line.match(/<summary>(.*?)<\/summary>/i);
      const details = el("details", undefined, el("summary", undefined, ...inline(summary?.[1].trim() || "Details", actions)));
      add(details);
      open.push(details);
      line = summary ? line.slice(line.indexOf(summary[0]) + summary[0].length) : line;
      if (!line.trim()) continue;
    }
    if (/^\s*<\/details>\s*$/i.test(line)) {
      flush();
      if (open.length > 1) open.pop();
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      flush();
      add(el("hr"));
      continue;
    }
    const heading = line.match(/^(#{1,4})\s+(.*)$/);
    const item = line.match(/^\s*(?:[-*]|(\d+)\.)\s+(.*)$/);
    if (heading) {
      flush();
      add(el(`h${Math.min(6, heading[1].length + 3)}`, undefined, ...inline(heading[2], actions)));
    } else if (item) {
      if (paragraph.length) flush();
      const ordered = item[1] !== undefined;
      if (!list || (list.tagName === "OL") !== ordered) add((list = el(ordered ? "ol" : "ul")));
      list.append(el("li", undefined, ...inline(item[2], actions)));
    } else if (!line.trim()) flush();
    else {
      list = undefined;
      paragraph.push(line.trim());
    }
  }
  flush();
  return [...root.childNodes];
}
