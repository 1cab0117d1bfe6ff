// vi, vim and nano: the file opens in the page's editor pane (CodeMirror, with vim's keys for vi and
// vim) and what is saved is written back, as the editor would write it. Without the web terminal
// (a script run) there is no screen to edit on, and they say so.
import { resolvePath } from "../fs";
import type { HostCall, HostPause, HostProgram } from "../shell/types";
import { awaitHost } from "../shell/host";

function editor(name: string, keys: "vi" | "nano"): HostProgram {
  return function* (args: string[], call: HostCall): Generator<HostPause, number, void> {
    const files = args.filter((a) => !a.startsWith("-") && !a.startsWith("+"));
    const edit = call.tty?.edit;
    if (!edit) {
      call.io.stderr(
        `kubeplay: ${name} edits in the web terminal's editor pane; here there is no terminal (use cat > FILE <<EOF … EOF, or sed -i)\n`,
      );
      return 1;
    }
    if (files.length > 1) {
      call.io.stderr(`kubeplay: ${name} opens one file at a time here\n`);
      return 1;
    }
    const path = files[0] ? resolvePath(files[0], call.cwd) : undefined;
    if (path && call.fs.isDir(path)) {
      call.io.stderr(`kubeplay: ${name}: ${files[0]} is a directory\n`);
      return 1;
    }
    const saved = yield* awaitHost(edit({ path: path ?? "", content: (path && call.fs.read(path)) ?? "", keys }));
    if (saved !== undefined && path) call.fs.write(path, saved);
    return 0;
  };
}

export const editors: Record<string, HostProgram> = {
  vi: editor("vi", "vi"),
  vim: editor("vim", "vi"),
  nano: editor("nano", "nano"),
};
