// The line editing of an interactive shell, as readline gives bash: a cursor in the line (←/→,
// Home/End, Ctrl-A/E/B/F), Backspace and Delete, Ctrl-U/K/W, history with ↑/↓ and Ctrl-R's reverse
// search, and Tab completion (a common prefix at once, the list on a second Tab). Output is what a
// terminal needs to show the change, computed without knowing the terminal's width: characters,
// backspaces and erases only.

/** The candidates for the last word of `before` (the line up to the cursor): whole words. */
export type Completer = (before: string) => string[] | Promise<string[]>;

export type Done = "enter" | undefined;

const BELL = "\x07";

/** The word being completed: what follows the last unquoted blank. */
export const lastWord = (before: string) => /(?:^|[\s|;&<>(])([^\s|;&<>()]*)$/.exec(before)?.[1] ?? "";

function commonPrefix(words: string[]): string {
  let p = words[0] ?? "";
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Candidates laid out as bash lists them: in columns across the terminal's width, sorted down. */
export function columns(words: string[], width = 80): string {
  const w = Math.max(...words.map((x) => x.length)) + 2;
  const cols = Math.max(1, Math.floor(width / w));
  const rows = Math.ceil(words.length / cols);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < cols; c++) {
      const x = words[c * rows + r];
      if (x !== undefined) line += c === cols - 1 || (c + 1) * rows + r >= words.length ? x : x.padEnd(w);
    }
    out.push(line.trimEnd());
  }
  return out.join("\r\n");
}

export class LineEditor {
  line = "";
  cur = 0;
  private hpos: number;
  /** The line being typed before ↑ went into the history. */
  private draft = "";
  private search?: { query: string; at: number };
  private tabs = 0;
  /** Input that came while a completion was being looked up. */
  private held = "";
  busy = false;

  constructor(
    private readonly history: string[],
    private readonly prompt: () => string,
    private readonly completer: Completer,
    private readonly width: () => number,
    /** Told when a completion that had to wait is done (the keys held meanwhile go on). */
    private readonly idle: () => void,
  ) {
    this.hpos = history.length;
  }

  /** A new line starts (after Enter or Ctrl-C). */
  reset(): void {
    this.line = "";
    this.cur = 0;
    this.hpos = this.history.length;
    this.search = undefined;
    this.tabs = 0;
  }

  /** Replace the line and put the cursor at its end. */
  private set(text: string, out: (s: string) => void): void {
    const old = this.line;
    out(
      "\b".repeat(this.cur) +
        text +
        (old.length > text.length ? " ".repeat(old.length - text.length) + "\b".repeat(old.length - text.length) : ""),
    );
    this.line = text;
    this.cur = text.length;
  }

  private insert(text: string, out: (s: string) => void): void {
    const tail = this.line.slice(this.cur);
    this.line = this.line.slice(0, this.cur) + text + tail;
    this.cur += text.length;
    out(text + tail + "\b".repeat(tail.length));
  }

  /** Delete `n` characters before the cursor. */
  private erase(n: number, out: (s: string) => void): void {
    n = Math.min(n, this.cur);
    if (!n) return;
    const tail = this.line.slice(this.cur);
    this.line = this.line.slice(0, this.cur - n) + tail;
    this.cur -= n;
    out("\b".repeat(n) + tail + " ".repeat(n) + "\b".repeat(tail.length + n));
  }

  /** One key (a character or an escape sequence). "enter" when the line is to be run. */
  key(k: string, out: (s: string) => void): Done {
    if (this.search) return this.searchKey(k, out);
    if (k !== "\t") this.tabs = 0;
    switch (k) {
      case "\r":
      case "\n":
        return "enter";
      case "\t":
        this.complete(out);
        return undefined;
      case "\x7f":
      case "\b":
        this.erase(1, out);
        return undefined;
      case "\x1b[3~":
        if (this.cur < this.line.length) {
          out(this.line[this.cur]);
          this.cur++;
          this.erase(1, out);
        }
        return undefined;
      case "\x1b[D":
      case "\x02":
        if (this.cur > 0) {
          this.cur--;
          out("\b");
        }
        return undefined;
      case "\x1b[C":
      case "\x06":
        if (this.cur < this.line.length) out(this.line[this.cur++]);
        return undefined;
      case "\x1b[H":
      case "\x1bOH":
      case "\x1b[1~":
      case "\x01":
        out("\b".repeat(this.cur));
        this.cur = 0;
        return undefined;
      case "\x1b[F":
      case "\x1bOF":
      case "\x1b[4~":
      case "\x05":
        out(this.line.slice(this.cur));
        this.cur = this.line.length;
        return undefined;
      case "\x15": // Ctrl-U: the line up to the cursor
        this.erase(this.cur, out);
        return undefined;
      case "\x0b": {
        // Ctrl-K: from the cursor to the end
        const n = this.line.length - this.cur;
        out(" ".repeat(n) + "\b".repeat(n));
        this.line = this.line.slice(0, this.cur);
        return undefined;
      }
      case "\x17": {
        // Ctrl-W: the word before the cursor
        const before = this.line.slice(0, this.cur);
        const word = /\S*\s*$/.exec(before)![0];
        this.erase(word.length, out);
        return undefined;
      }
      case "\x1b[A":
      case "\x10":
        this.recall(-1, out);
        return undefined;
      case "\x1b[B":
      case "\x0e":
        this.recall(1, out);
        return undefined;
      case "\x12":
        this.search = { query: "", at: this.history.length };
        this.showSearch(out, "");
        return undefined;
      default:
        if (k.length === 1 && k >= " ") this.insert(k, out);
        else if (k.length > 1 && !k.startsWith("\x1b")) for (const c of k) this.key(c, out);
        return undefined;
    }
  }

  private recall(dir: number, out: (s: string) => void): void {
    const pos = Math.min(this.history.length, Math.max(0, this.hpos + dir));
    if (pos === this.hpos) return;
    if (this.hpos === this.history.length) this.draft = this.line;
    this.hpos = pos;
    this.set(this.history[pos] ?? this.draft, out);
  }

  // ---- Ctrl-R -------------------------------------------------------------------------------

  private found(): string {
    return this.search && this.search.at < this.history.length ? this.history[this.search.at] : "";
  }

  private showSearch(out: (s: string) => void, failed: string): void {
    out(`\r\x1b[K(${failed}reverse-i-search)\`${this.search!.query}': ${this.found()}`);
  }

  /** Look further back for the query, from `before` (exclusive). */
  private lookBack(before: number): number | undefined {
    const q = this.search!.query;
    for (let i = before - 1; i >= 0; i--) if (this.history[i].includes(q)) return i;
    return undefined;
  }

  private searchKey(k: string, out: (s: string) => void): Done {
    const search = this.search!;
    if (k === "\x12" || (k.length === 1 && k >= " ") || k === "\x7f") {
      if (k === "\x7f") search.query = search.query.slice(0, -1);
      else if (k !== "\x12") search.query += k;
      const from = k === "\x12" ? search.at : this.history.length;
      const at = this.lookBack(from);
      if (at !== undefined) search.at = at;
      this.showSearch(out, at === undefined && search.query ? "failed " : "");
      return undefined;
    }
    // Any other key takes the match into the line (Enter runs it; Ctrl-G and Ctrl-C give up).
    const match = k === "\x07" || k === "\x03" ? "" : this.found();
    this.search = undefined;
    this.line = match;
    this.cur = match.length;
    this.hpos = this.history.length;
    out(`\r\x1b[K${this.prompt()}${match}`);
    if (k === "\r" || k === "\n") return "enter";
    if (k !== "\x07" && k !== "\x03" && k !== "\x1b") return this.key(k, out);
    return undefined;
  }

  // ---- Tab ----------------------------------------------------------------------------------

  private complete(out: (s: string) => void): void {
    const before = this.line.slice(0, this.cur);
    const word = lastWord(before);
    const apply = (candidates: string[]) => {
      const matches = [...new Set(candidates.filter((c) => c.startsWith(word)))].sort();
      if (!matches.length) return out(BELL);
      if (matches.length === 1) {
        const m = matches[0];
        return this.insert(m.slice(word.length) + (m.endsWith("/") ? "" : " "), out);
      }
      const prefix = commonPrefix(matches);
      if (prefix.length > word.length) return this.insert(prefix.slice(word.length), out);
      if (++this.tabs < 2) return out(BELL);
      out(`\r\n${columns(matches, this.width())}\r\n${this.prompt()}${this.line}${"\b".repeat(this.line.length - this.cur)}`);
    };
    const candidates = this.completer(before);
    if (!(candidates instanceof Promise)) {
      apply(candidates);
      return;
    }
    this.busy = true;
    candidates
      .then(apply, () => out(BELL))
      .finally(() => {
        this.busy = false;
        this.idle();
      });
  }

  /** Keys typed while a completion was being looked up wait for it. */
  hold(text: string): void {
    this.held += text;
  }

  takeHeld(): string {
    const h = this.held;
    this.held = "";
    return h;
  }
}
