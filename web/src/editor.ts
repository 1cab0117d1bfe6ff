// The editor pane of the terminal: `vi FILE`, `nano FILE` and `kubectl edit` open here (CodeMirror 6,
// YAML highlighting, vim's keys for vi). A write (`:w`, Ctrl-S, Ctrl-O) keeps what is saved; closing
// (`:q`, `:wq`, Ctrl-X, the Close button) hands the last saved text back to the shell, or nothing.
import type { EditorView } from "@codemirror/view";

export interface EditRequest {
  path: string;
  content: string;
  keys: "vi" | "nano";
}

/** Open `file` over `host`; resolves with the saved text, or undefined when closed unsaved. */
export async function openEditor(host: HTMLElement, file: EditRequest): Promise<string | undefined> {
  const [{ EditorView, basicSetup }, { EditorState }, { keymap }, { yaml }, vimModule] = await Promise.all([
    import("codemirror"),
    import("@codemirror/state"),
    import("@codemirror/view"),
    import("@codemirror/lang-yaml"),
    file.keys === "vi" ? import("@replit/codemirror-vim") : Promise.resolve(undefined),
  ]);
  const pane = document.createElement("div");
  pane.className = "editor-pane";
  pane.setAttribute("role", "dialog");
  pane.setAttribute("aria-label", `Editing ${file.path || "a new file"}`);
  const bar = document.createElement("div");
  bar.className = "editor-bar";
  const title = document.createElement("span");
  title.className = "editor-file";
  title.textContent = file.path || "[No Name]";
  const hint = document.createElement("span");
  hint.className = "editor-hint";
  hint.textContent =
    file.keys === "vi" ? ":w save · :q close · :wq both (vim keys; i to insert, Esc to leave)" : "Ctrl-O save · Ctrl-X close";
  const state = document.createElement("span");
  state.className = "editor-state";
  state.setAttribute("aria-live", "polite");
  const save = button("Save", "secondary");
  const close = button("Close", "secondary");
  bar.append(title, hint, state, save, close);
  const box = document.createElement("div");
  box.className = "editor-box";
  pane.append(bar, box);
  host.append(pane);

  let saved: string | undefined;
  let view: EditorView;
  let finish!: (text: string | undefined) => void;
  const done = new Promise<string | undefined>((resolve) => (finish = resolve));
  const write = () => {
    saved = view.state.doc.toString();
    state.textContent = `"${file.path || "[No Name]"}" written`;
  };
  const quit = (force = false) => {
    if (!force && file.keys === "vi" && view.state.doc.toString() !== (saved ?? file.content)) {
      state.textContent = "E37: No write since last change (add ! to override)";
      return;
    }
    finish(saved);
  };
  save.onclick = () => {
    write();
    view.focus();
  };
  close.onclick = () => quit(true);

  const extensions = [
    basicSetup,
    EditorView.lineWrapping,
    /\.ya?ml$/.test(file.path) || /^(apiVersion|kind|#)/m.test(file.content) ? yaml() : [],
    keymap.of([
      { key: "Mod-s", run: () => (write(), true) },
      ...(file.keys === "nano"
        ? [
            { key: "Ctrl-o", run: () => (write(), true) },
            { key: "Ctrl-x", run: () => (quit(true), true) },
          ]
        : []),
    ]),
  ];
  if (vimModule) {
    const { vim, Vim } = vimModule;
    extensions.unshift(vim());
    Vim.defineEx("write", "w", () => write());
    Vim.defineEx("quit", "q", (_cm, params) => quit(/!$/.test(params.input)));
    Vim.defineEx("wq", "wq", () => (write(), quit(true)));
    Vim.defineEx("xit", "x", () => (write(), quit(true)));
  }
  view = new EditorView({ state: EditorState.create({ doc: file.content, extensions }), parent: box });
  view.focus();
  try {
    return await done;
  } finally {
    view.destroy();
    pane.remove();
  }
}

function button(text: string, cls: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = text;
  return b;
}
