// github.com/mitchellh/go-wordwrap v1.0.1 WrapString, which kubectl's term.NewWordWrapWriter runs
// for explain's `wrap` template function. Ported step for step: where it breaks (only at white space,
// a word longer than the limit left whole), what it keeps (the spaces before a break are dropped,
// those before a newline kept while they fit) and how it counts (in runes, not bytes).

const NBSP = "\u00a0";

/** Go's unicode.IsSpace: Latin-1's white space, then the Unicode White_Space property. */
export function isGoSpace(ch: string): boolean {
  switch (ch) {
    case "\t":
    case "\n":
    case "\v":
    case "\f":
    case "\r":
    case " ":
    case "\u0085":
    case NBSP:
      return true;
  }
  const cp = ch.codePointAt(0) ?? 0;
  return (
    cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

/** wordwrap.WrapString(s, lim): `s` wrapped within `lim` runes a line. */
export function wrapString(s: string, lim: number): string {
  let buf = "";
  let current = 0;
  let word = "";
  let wordLen = 0;
  let space = "";
  let spaceLen = 0;
  const flushSpace = () => {
    buf += space;
    space = "";
    spaceLen = 0;
  };
  const flushWord = () => {
    buf += word;
    word = "";
    wordLen = 0;
  };
  for (const ch of s) {
    if (ch === "\n") {
      if (wordLen === 0) {
        if (current + spaceLen > lim) current = 0;
        else {
          current += spaceLen;
          buf += space;
        }
        space = "";
        spaceLen = 0;
      } else {
        current += spaceLen + wordLen;
        flushSpace();
        flushWord();
      }
      buf += ch;
      current = 0;
    } else if (isGoSpace(ch) && ch !== NBSP) {
      if (spaceLen === 0 || wordLen > 0) {
        current += spaceLen + wordLen;
        flushSpace();
        flushWord();
      }
      space += ch;
      spaceLen++;
    } else {
      word += ch;
      wordLen++;
      if (current + wordLen + spaceLen > lim && wordLen < lim) {
        buf += "\n";
        current = 0;
        space = "";
        spaceLen = 0;
      }
    }
  }
  if (wordLen === 0) {
    if (current + spaceLen <= lim) buf += space;
  } else buf += space + word;
  return buf;
}
