// Tab completion for interactive shells, as bash-completion gives a node's shell: command names for
// the first word (builtins, aliases, functions, the image's programs and the host's), the host's
// own completion for its programs' arguments (the workstation's kubectl), file names otherwise.
import { resolvePath } from "../fs";
import { APPLETS } from "./applets";
import { BUILTINS, programsOf, type ShellState } from "./interp";
import { lastWord } from "./lineedit";

function files(word: string, s: ShellState): string[] {
  const slash = word.lastIndexOf("/");
  const dir = slash >= 0 ? word.slice(0, slash + 1) : "";
  const home = s.vars.HOME ?? "/root";
  const base = resolvePath((dir.startsWith("~/") ? home + dir.slice(1) : dir) || ".", s.cwd);
  const typed = word.slice(slash + 1);
  return (s.ctx.fs.list(base) ?? [])
    .filter((e) => e.startsWith(typed) && (typed.startsWith(".") || !e.startsWith(".")))
    .map((e) => `${dir}${e}${s.ctx.fs.isDir(`${base}/${e}`) ? "/" : ""}`);
}

function commandNames(s: ShellState): string[] {
  const image = programsOf(s);
  return [
    ...BUILTINS,
    ...Object.keys(s.aliases),
    ...Object.keys(s.funcs),
    ...Object.keys(s.ctx.hostPrograms ?? {}),
    ...Object.keys(APPLETS).filter((a) => !image || image.program(a)),
  ];
}

/** The candidates for the last word of `before`, the line up to the cursor. */
export function completions(before: string, s: ShellState): string[] | Promise<string[]> {
  const word = lastWord(before);
  const head = before.slice(0, before.length - word.length);
  const words = (head.split(/\|\||&&|[|;&(]/).pop() ?? "").trim().split(/\s+/).filter(Boolean);
  if (!words.length) return word.includes("/") ? files(word, s) : commandNames(s);
  const alias = s.aliases[words[0]];
  const argv = alias !== undefined ? [...alias.split(/\s+/).filter(Boolean), ...words.slice(1)] : words;
  return s.ctx.complete?.(argv, word) ?? files(word, s);
}
