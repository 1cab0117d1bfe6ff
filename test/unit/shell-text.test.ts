// The text applets against what the real tools print: GNU (coreutils 9.1, grep 3.8, sed 4.9, mawk
// 1.3.4 on Debian) and busybox (1.35, under the image's 1.36.1 banner), and jq. Each expected output
// was recorded by running the real program on the same files.
import { describe, expect, it } from "vitest";
import { runCommand, type Network, type ShellContext } from "../../durable/shell";
import { MemoryFS } from "../../durable/fs";
import { imageView } from "../../durable/nodes/runtime/images";

const net: Network = { resolve: () => [], http: () => ({ error: "unreachable" }), connect: () => ({ error: "refused" }) };
const FILES = {
  "/t/a.txt": "one\ntwo\nthree\n",
  "/t/b.txt": "alpha beta\ngamma\n",
  "/t/d/x": "one\n",
  "/t/n.txt": "10\n9\n100\n2k\n1M\n-3\n",
  "/t/e.txt": "a\n\nb\n",
  "/t/pods.txt": "NAME READY STATUS RESTARTS AGE\nweb-1 1/1 Running 0 5m\nweb-2 0/1 Pending 0 5m\ndb-0 1/1 Running 2 1h\n",
  "/t/j.json": '{"a":1,"b":[1,2,{"c":"x"}],"s":"hi","n":null,"t":true}\n',
};
const IMAGES = { gnu: "debian:bookworm", busybox: "busybox:1.36", jq: "nicolaka/netshoot" } as const;
type Variant = keyof typeof IMAGES;

function run(variant: Variant, script: string, fs = new MemoryFS(FILES)): { out: string; err: string; code: number } {
  const ctx: ShellContext = {
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root" },
    cwd: "/t",
    hostname: "h",
    fs,
    net,
    now: () => Date.parse("2026-01-01T00:00:00Z"),
    image: imageView(IMAGES[variant]),
  };
  let out = "";
  let err = "";
  // Debian's /bin/sh is dash: scripts there run as `sh -c` do in the image.
  const code = runCommand(["sh", "-c", script], ctx, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { out, err, code };
}

const BB = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n";
type Case = [name: string, variant: Variant, script: string, out: string, err?: string, code?: number];

function table(cases: Case[]) {
  for (const [name, variant, script, out, err = "", code = 0] of cases) {
    it(`${name} (${variant})`, () => {
      expect(run(variant, script)).toEqual({ out, err, code });
    });
  }
}

describe("grep", () => {
  table([
    ["-n numbers the matching lines", "gnu", "grep -n o a.txt", "1:one\n2:two\n"],
    ["-c counts per file with names when there are several", "busybox", "grep -c x a.txt b.txt", "a.txt:0\nb.txt:0\n", "", 1],
    ["BRE: \\| alternates and -o prints each match", "gnu", "grep -ow 'two\\|one' a.txt", "one\ntwo\n"],
    ["BRE: \\+ repeats", "busybox", "grep 'o\\+' a.txt", "one\ntwo\n"],
    ["ERE: + and | are operators under -E", "gnu", "grep -E 'o+|ee' a.txt", "one\ntwo\nthree\n"],
    ["-w needs word boundaries", "gnu", "grep -w on a.txt", "", "", 1],
    ["-x matches whole lines", "busybox", "grep -x two a.txt", "two\n"],
    ["-v -n selects the others", "gnu", "grep -vn one a.txt", "2:two\n3:three\n"],
    ["-i ignores case", "busybox", "grep -i ONE a.txt", "one\n"],
    ["-F takes the pattern literally", "gnu", "grep -F 'a.' b.txt", "", "", 1],
    ["[]] starts a bracket with ]", "gnu", "echo 'a]b' | grep -o '[]]b'", "]b\n"],
    ["several -e patterns", "busybox", "grep -e one -e two a.txt", "one\ntwo\n"],
    ["-C prints context with - and the file name", "gnu", "grep -C1 two a.txt b.txt", "a.txt-one\na.txt:two\na.txt-three\n"],
    ["-m stops after N matches; GNU still prints trailing context", "gnu", "grep -A1 -m1 o a.txt", "one\ntwo\n"],
    ["-m stops after N matches; busybox prints no more", "busybox", "grep -A1 -m1 o a.txt", "one\n"],
    ["-r walks a directory", "gnu", "grep -r one d", "d/x:one\n"],
    [
      "-l names matching files and a missing one makes exit 2",
      "gnu",
      "grep -l o a.txt b.txt nofile",
      "a.txt\n",
      "grep: nofile: No such file or directory\n",
      2,
    ],
    ["-L names the files without a match", "busybox", "grep -L o a.txt b.txt", "b.txt\n"],
    ["-q exits 0 at the first match before a missing file", "gnu", "grep -q one a.txt nofile", ""],
    ["a directory operand without -r is an error in GNU", "gnu", "grep one d", "", "grep: d: Is a directory\n", 2],
    ["a directory operand without -r is skipped by busybox", "busybox", "grep one d", "", "", 1],
    ["an unmatched \\( is GNU's regcomp error", "gnu", "grep '\\(' a.txt", "", "grep: Unmatched ( or \\(\n", 2],
    ["an unmatched \\( is busybox's bad regex", "busybox", "grep '\\(' a.txt", "", "grep: bad regex '\\('\n", 2],
    [
      "no pattern: GNU's two usage lines",
      "gnu",
      "grep",
      "",
      "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
      2,
    ],
    ["busybox has no long options", "busybox", "grep --count t a.txt 2>&1 | head -3", `grep: unrecognized option '--count'\n${BB}\n`],
    ["GNU takes long options", "gnu", "grep --count t a.txt", "2\n"],
    [
      "Debian's egrep is grep -E and speaks as grep",
      "gnu",
      "egrep 'o|ee' a.txt nofile",
      "a.txt:one\na.txt:two\na.txt:three\n",
      "grep: nofile: No such file or directory\n",
      2,
    ],
    ["busybox's fgrep speaks as fgrep", "busybox", "fgrep 'a.' b.txt nofile", "", "fgrep: nofile: No such file or directory\n", 2],
    ["GNU -P takes Perl lookaheads", "gnu", "grep -oP 'o(?=n)' a.txt", "o\n"],
    ["busybox has no -P", "busybox", "grep -P x a.txt 2>&1 | head -1", "grep: invalid option -- 'P'\n"],
  ]);
});

describe("sed", () => {
  table([
    ["-n with p prints one line", "gnu", "sed -n 2p a.txt", "two\n"],
    ["s///g replaces every match", "busybox", "sed 's/o/0/g' a.txt", "0ne\ntw0\nthree\n"],
    ["several -e and an occurrence number", "gnu", "sed -e 's/o/0/' -e 's/t/T/2' a.txt", "0ne\ntw0\nthree\n"],
    ["a regex range to $", "busybox", "sed -n '/two/,$p' a.txt", "two\nthree\n"],
    ["d and $d", "gnu", "sed '2d;$d' a.txt", "one\n"],
    ["q stops after printing", "gnu", "sed 1q a.txt", "one\n"],
    ["q with an exit code", "gnu", "sed 2q5 a.txt", "one\ntwo\n", "", 5],
    ["ERE groups and \\1 \\2", "gnu", "sed -E 's/(o)(n)/\\2\\1/' a.txt", "noe\ntwo\nthree\n"],
    ["BRE groups and &", "busybox", "sed 's/\\(t\\)\\(w\\)/[\\2\\1&]/' a.txt", "one\n[wttw]o\nthree\n"],
    ["I makes s case-insensitive", "gnu", "sed 's/O/x/I' a.txt", "xne\ntwx\nthree\n"],
    ["-n with s///p prints the changed lines", "busybox", "sed -n 's/e/E/p' a.txt", "onE\nthrEe\n"],
    ["-i edits the file in place", "gnu", "sed -i 's/one/ONE/' a.txt; cat a.txt", "ONE\ntwo\nthree\n"],
    ["! negates an address", "gnu", "sed '/t/!d' a.txt", "two\nthree\n"],
    ["hold space reverses lines", "busybox", "sed '1!G;h;$!d' a.txt", "three\ntwo\none\n"],
    ["= prints line numbers", "gnu", "sed -n '$=' a.txt", "3\n"],
    ["a, i and c one-liners", "gnu", "sed -e '1i top' -e '2a after' -e '3c changed' a.txt", "top\none\ntwo\nafter\nchanged\n"],
    ["y transliterates", "busybox", "sed 'y/abc/xyz/' b.txt", "xlphx yetx\ngxmmx\n"],
    ["a last line without newline stays so", "gnu", "printf 'a\\nb' | sed s/b/c/", "a\nc"],
    ["N joins lines; at the end the pattern space is printed", "busybox", "sed 'N;s/\\n/,/' a.txt", "one,two\nthree\n"],
    ["a loop with labels joins all lines", "gnu", "sed ':a;N;$!ba;s/\\n/+/g' a.txt", "one+two+three\n"],
    ["GNU's \\U upper-cases the replacement", "gnu", "sed 's/[aeiou]/\\U&/g' b.txt", "AlphA bEtA\ngAmmA\n"],
    ["busybox takes \\U as a plain U", "busybox", "sed 's/[aeiou]/\\U&/g' b.txt", "UalphUa bUetUa\ngUammUa\n"],
    ["0,/re/ ends the range on the first line", "gnu", "sed 0,/o/s//0/ a.txt", "0ne\ntwo\nthree\n"],
    ["an empty match next to a match is skipped", "busybox", "sed 's/e*/X/g' a.txt", "XoXnX\nXtXwXoX\nXtXhXrX\n"],
    ["first~step is GNU's", "gnu", "sed 1~2d a.txt", "two\n"],
    ["busybox: first~step is no address", "busybox", "sed 1~2d a.txt", "", "sed: unsupported command ~\n", 1],
    ["an unterminated s: GNU's position", "gnu", "sed 's/a/' a.txt", "", "sed: -e expression #1, char 4: unterminated `s' command\n", 1],
    ["an unterminated s: busybox's words", "busybox", "sed 's/a/' a.txt", "", "sed: unmatched '/'\n", 1],
    ["a missing file: GNU exits 2", "gnu", "sed p nofile", "", "sed: can't read nofile: No such file or directory\n", 2],
    ["a missing file: busybox exits 1", "busybox", "sed p nofile", "", "sed: nofile: No such file or directory\n", 1],
    [
      "a bad option: GNU sed prints its whole help",
      "gnu",
      "sed -Z p a.txt 2>&1 | head -2",
      "sed: invalid option -- 'Z'\nUsage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n",
    ],
    ["an unknown option to s", "gnu", "sed 's/x/y/;k' a.txt", "", "sed: -e expression #1, char 8: unknown command: `k'\n", 1],
  ]);
});

describe("awk", () => {
  table([
    ["fields and -F", "gnu", "echo 'a:b:c' | awk -F: '{print $2, NF}'", "b 3\n"],
    ["a pattern of NR", "busybox", "awk 'NR==2' a.txt", "two\n"],
    ["END sees NR and sums", "gnu", "awk '{s+=length($0)} END{print s, NR}' a.txt", "11 3\n"],
    ["-v and arithmetic", "busybox", "awk -v x=5 'BEGIN{print x*2}'", "10\n"],
    ["printf conversions", "gnu", `awk 'BEGIN{printf "%5.2f|%-4s|%d|%x\\n", 3.14159, "ab", 42.9, 255}'`, " 3.14|ab  |42|ff\n"],
    ["a regex pattern counts", "busybox", "awk '/t/{c++} END{print c}' a.txt", "2\n"],
    ["associative arrays and for-in", "gnu", "awk '{a[$1]++} END{for(k in a) n++; print n}' a.txt", "3\n"],
    ["string builtins", "gnu", `awk 'BEGIN{print substr("hello",2,3), index("hello","l"), toupper("x"), length("abc")}'`, "ell 3 X 3\n"],
    ["split into an array", "busybox", `awk 'BEGIN{n=split("a,b,c",p,","); print n, p[3]}'`, "3 c\n"],
    ["gsub with &", "gnu", `echo 'foo bar foo' | awk '{gsub(/foo/,"[&]"); print}'`, "[foo] bar [foo]\n"],
    ["~ matches a field", "busybox", `awk '$1 ~ /^t/ {print NR": "$0}' a.txt`, "2: two\n3: three\n"],
    ["fields compare as numbers, constants as strings", "gnu", `echo '10 9' | awk '{print ($1>$2), ("10">"9")}'`, "1 0\n"],
    ["mawk prints integers past its int as %.6g", "gnu", "awk 'BEGIN{print 1/3, 100000*100000, 0.1+0.2}'", "0.333333 1e+10 0.3\n"],
    ["busybox prints them whole", "busybox", "awk 'BEGIN{print 1/3, 100000*100000, 0.1+0.2}'", "0.333333 10000000000 0.3\n"],
    ["if/else", "busybox", `awk '{if (NR%2) print "odd", $0; else print "even", $0}' a.txt`, "odd one\neven two\nodd three\n"],
    ["while with continue", "gnu", "awk 'BEGIN{i=0; while(i<3){i++; if(i==2) continue; print i}}'", "1\n3\n"],
    ["a range pattern", "busybox", "awk 'NR==1,NR==2' a.txt", "one\ntwo\n"],
    ["assigning a field rebuilds $0 with OFS", "gnu", `awk 'BEGIN { OFS="-" } { $1=$1; print }' b.txt`, "alpha-beta\ngamma\n"],
    ["functions", "busybox", "awk 'function f(a,b){return a+b} BEGIN{print f(2,3)}'", "5\n"],
    ["exit in BEGIN still runs END", "gnu", `awk 'BEGIN{exit 3} END{print "end"}'`, "end\n", "", 3],
    ["!seen[$0]++ drops repeats", "busybox", "awk '!seen[$0]++' a.txt a.txt", "one\ntwo\nthree\n"],
    ["$NF and $(NF-1)", "gnu", "awk '{print $NF, $(NF-1)}' b.txt", "beta alpha\ngamma gamma\n"],
    ["getline from a file", "busybox", `awk 'BEGIN{while ((getline line < "a.txt") > 0) n++; print n}'`, "3\n"],
    ["FILENAME and FNR", "gnu", "awk '{print FILENAME, FNR}' a.txt b.txt", "a.txt 1\na.txt 2\na.txt 3\nb.txt 1\nb.txt 2\n"],
    [
      "substr counts the length from a clamped start",
      "busybox",
      `awk 'BEGIN{s="hello"; print substr(s, 2), substr(s, 10), substr(s, 0, 2)}'`,
      "ello  he\n",
    ],
    ["mawk has no ** operator", "gnu", "awk 'BEGIN{print 2 ** 3}'", "", "awk: line 1: syntax error at or near *\n", 2],
    ["mawk divides by zero into inf", "gnu", "awk 'BEGIN{print 1/0}'", "inf\n"],
    ["a syntax error in mawk's words", "gnu", "awk 'BEGIN{print 1 +}'", "", "awk: line 1: syntax error at or near }\n", 2],
    ["a syntax error in busybox's words", "busybox", "awk '{' a.txt", "", "awk: cmd. line:1: Unexpected token\n", 1],
    ["a bad option in mawk's words", "gnu", "awk -Z 1 a.txt", "", "awk: not an option: -Z\n", 2],
    ["a missing file", "gnu", "awk 1 nofile", "", "awk: cannot open nofile (No such file or directory)\n", 2],
  ]);
});

describe("head, tail, wc", () => {
  table([
    ["GNU wc sizes its columns to the file", "gnu", "wc a.txt", " 3  3 14 a.txt\n"],
    [
      "busybox wc pads to 9",
      "busybox",
      "wc a.txt b.txt",
      "        3         3        14 a.txt\n        2         3        17 b.txt\n        5         6        31 total\n",
    ],
    ["GNU wc of a pipe pads to 7", "gnu", "cat a.txt | wc", "      3       3      14\n"],
    ["one count of one input is bare", "busybox", "cat a.txt | wc -l", "3\n"],
    [
      "a missing file still prints the total",
      "gnu",
      "wc -l a.txt nofile",
      " 3 a.txt\n 3 total\n",
      "wc: nofile: No such file or directory\n",
      1,
    ],
    ["head of two files has headers", "busybox", "head -n 1 a.txt b.txt", "==> a.txt <==\none\n\n==> b.txt <==\nalpha beta\n"],
    ["head -c counts bytes", "gnu", "head -c 5 a.txt", "one\nt"],
    ["head -n -1 drops the last line", "gnu", "head -n -1 a.txt", "one\ntwo\n"],
    ["tail -n +2 starts at line 2", "busybox", "tail -n +2 a.txt", "two\nthree\n"],
    ["tail -2 is -n 2", "gnu", "tail -2 a.txt", "two\nthree\n"],
    ["tail -c 4", "busybox", "tail -c 4 a.txt", "ree\n"],
    ["tail -f in a run nobody can interrupt prints the end and returns", "gnu", "tail -f a.txt", "one\ntwo\nthree\n"],
    ["GNU head's missing file", "gnu", "head nofile", "", "head: cannot open 'nofile' for reading: No such file or directory\n", 1],
    [
      "busybox tail's missing file",
      "busybox",
      "tail nofile",
      "",
      "tail: can't open 'nofile': No such file or directory\ntail: no files\n",
      1,
    ],
    ["a directory: GNU head's read error", "gnu", "head d", "", "head: error reading 'd': Is a directory\n", 1],
    ["a directory opens for busybox tail, then fails to read", "busybox", "tail d", "", "tail: read error: Is a directory\n", 1],
    ["a directory gets wc's row of zeros after the error", "gnu", "wc d", "      0       0       0 d\n", "wc: d: Is a directory\n", 1],
    ["busybox sort reads a directory as empty", "busybox", "sort d", ""],
    [
      "a bad option: coreutils print only the Try line",
      "gnu",
      "head -Z a.txt",
      "",
      "head: invalid option -- 'Z'\nTry 'head --help' for more information.\n",
      1,
    ],
    ["a bad count", "gnu", "head -n x a.txt", "", "head: invalid number of lines: ‘x’\n", 1],
    ["a bad count in busybox", "busybox", "head -n x a.txt", "", "head: invalid number 'x'\n", 1],
  ]);
});

describe("cut, sort, uniq, tr, tee, base64", () => {
  table([
    ["cut -f2- keeps the rest", "gnu", "echo a,b,c,d | cut -d, -f2-", "b,c,d\n"],
    ["cut -f1,3", "busybox", "echo a,b,c,d | cut -d, -f1,3", "a,c\n"],
    ["cut -c ranges", "gnu", "echo abcdef | cut -c2-4", "bcd\n"],
    ["a line without the delimiter is kept, or dropped with -s", "gnu", "echo abc | cut -d, -f2; echo abc | cut -s -d, -f2", "abc\n"],
    [
      "cut without a list: GNU",
      "gnu",
      "cut a.txt",
      "",
      "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n",
      1,
    ],
    ["cut without a list: busybox", "busybox", "cut a.txt", "", "cut: expected a list of bytes, characters, or fields\n", 1],
    ["sort -k2 -n", "gnu", "printf 'b 2\\na 10\\nc 1\\n' | sort -k2 -n", "c 1\nb 2\na 10\n"],
    ["sort -k2 compares strings", "busybox", "printf 'b 2\\na 10\\nc 1\\n' | sort -k2", "c 1\na 10\nb 2\n"],
    ["sort -h ranks suffixes", "gnu", "printf '1K\\n2M\\n3\\n' | sort -h", "3\n1K\n2M\n"],
    ["sort -rn", "gnu", "sort -rn n.txt", "100\n10\n9\n2k\n1M\n-3\n"],
    ["sort -t: -k2 -n", "busybox", "printf 'x:3\\ny:1\\n' | sort -t: -k2 -n", "y:1\nx:3\n"],
    [
      "sort in byte order, -f folds case",
      "gnu",
      "printf 'B\\na\\nb\\nA\\n' | sort; printf 'B\\na\\nb\\nA\\n' | sort -f",
      "A\nB\na\nb\nA\na\nB\nb\n",
    ],
    ["sort -u", "busybox", "printf 'b\\na\\nb\\n' | sort -u", "a\nb\n"],
    ["sort's bad key", "gnu", "sort -k x a.txt", "", "sort: invalid number at field start: invalid count at start of ‘x’\n", 2],
    ["sort's missing file", "gnu", "sort nofile", "", "sort: cannot read: nofile: No such file or directory\n", 2],
    ["uniq -c counts runs", "busybox", "printf 'a\\nb\\na\\n' | uniq -c", "      1 a\n      1 b\n      1 a\n"],
    ["uniq -d and -u", "gnu", "printf 'a\\na\\nb\\n' | uniq -d; printf 'a\\na\\nb\\n' | uniq -u", "a\nb\n"],
    ["tr -s squeezes", "gnu", "echo hello | tr -s l", "helo\n"],
    ["tr -c complements", "busybox", "echo hello | tr -c 'a-z\\n' X", "hello\n"],
    ["tr classes", "gnu", "echo 'Hello World' | tr '[:lower:]' '[:upper:]'", "HELLO WORLD\n"],
    ["tr -d deletes", "busybox", "echo hello | tr -d aeiou", "hll\n"],
    ["tr pads the second set with its last character", "gnu", "echo abc | tr abc x", "xxx\n"],
    [
      "tr with one string: GNU refuses",
      "gnu",
      "tr a",
      "",
      "tr: missing operand after ‘a’\nTwo strings must be given when translating.\nTry 'tr --help' for more information.\n",
      1,
    ],
    ["tee writes the file and stdout; -a appends", "gnu", "echo hi | tee t1; echo x | tee -a t1 >/dev/null; cat t1", "hi\nhi\nx\n"],
    ["tee into a missing directory", "busybox", "echo x | tee /nodir/x", "x\n", "tee: /nodir/x: No such file or directory\n", 1],
    ["tac reverses lines", "busybox", "tac a.txt", "three\ntwo\none\n"],
    ["tac runs a last line without newline into the one before", "gnu", "printf 'a\\nb' | tac", "ba\n"],
    ["GNU tac's missing file", "gnu", "tac nofile", "", "tac: failed to open 'nofile' for reading: No such file or directory\n", 1],
    ["rev (busybox)", "busybox", "rev a.txt", "eno\nowt\neerht\n"],
    ["nl numbers non-empty lines", "gnu", "nl e.txt", "     1\ta\n       \n     2\tb\n"],
    ["base64 encodes", "gnu", "echo hello | base64", "aGVsbG8K\n"],
    [
      "base64 wraps at 76",
      "busybox",
      "seq 1 60 | tr -d '\\n' | base64",
      "MTIzNDU2Nzg5MTAxMTEyMTMxNDE1MTYxNzE4MTkyMDIxMjIyMzI0MjUyNjI3MjgyOTMwMzEzMjMz\nMzQzNTM2MzczODM5NDA0MTQyNDM0NDQ1NDY0NzQ4NDk1MDUxNTI1MzU0NTU1NjU3NTg1OTYw\n",
    ],
    [
      "base64 -w 0 does not wrap",
      "gnu",
      "seq 1 60 | tr -d '\\n' | base64 -w 0",
      "MTIzNDU2Nzg5MTAxMTEyMTMxNDE1MTYxNzE4MTkyMDIxMjIyMzI0MjUyNjI3MjgyOTMwMzEzMjMzMzQzNTM2MzczODM5NDA0MTQyNDM0NDQ1NDY0NzQ4NDk1MDUxNTI1MzU0NTU1NjU3NTg1OTYw",
    ],
    ["base64 -d decodes", "busybox", "echo aGVsbG8K | base64 -d", "hello\n"],
    ["GNU base64 -d of a cut group writes what it decoded", "gnu", "printf '%s' aGk | base64 -d", "hi", "base64: invalid input\n", 1],
    ["busybox base64 -d of a cut group", "busybox", "printf '%s' aGk | base64 -d", "", "base64: truncated input\n", 1],
  ]);
});

describe("pipelines over kubectl-style tables", () => {
  table([
    [
      "count by column, most first; ties in reverse line order",
      "gnu",
      "awk '{print $3}' pods.txt | sort | uniq -c | sort -rn",
      "      2 Running\n      1 STATUS\n      1 Pending\n",
    ],
    ["pods whose containers are not all ready", "busybox", `awk 'NR>1 {split($2,r,"/"); if (r[1] != r[2]) print $1}' pods.txt`, "web-2\n"],
    ["options after the operands (busybox permutes too)", "busybox", "grep -E '^(web|db)-[0-9]+' pods.txt -o", "web-1\nweb-2\ndb-0\n"],
    ["squeeze, cut and sort -u", "gnu", "cat pods.txt | tr -s ' ' | cut -d' ' -f3 | sort -u", "Pending\nRunning\nSTATUS\n"],
    [
      "a sed script of two commands",
      "busybox",
      "sed '/Pending/d; s/Running/OK/' pods.txt",
      "NAME READY STATUS RESTARTS AGE\nweb-1 1/1 OK 0 5m\ndb-0 1/1 OK 2 1h\n",
    ],
    ["printf of an average", "gnu", `awk '{sum += $4} END {printf "%.2f\\n", sum/NR}' pods.txt`, "0.50\n"],
  ]);
});

describe("test, [ and which", () => {
  table([
    ["a missing ] in dash", "gnu", "[ 1 -lt", "", "sh: 1: [: missing ]\n", 2],
    ["a missing ] in busybox ash", "busybox", "[ 1 -lt", "", "sh: missing ]\n", 2],
    ["a bad number in dash", "gnu", "[ a -eq 1 ]", "", "sh: 1: [: Illegal number: a\n", 2],
    ["a bad number in busybox", "busybox", "test a -eq 1", "", "sh: a: bad number\n", 2],
    ["three operands without an operator", "gnu", "[ 1 2 3 ]", "", "sh: 1: [: 1: unexpected operator\n", 2],
    ["a binary operator without its right side", "busybox", "test 1 -gt", "", "sh: -gt: argument expected\n", 2],
    [
      "-a, -o, !, parentheses and files",
      "gnu",
      "[ a = a -a b != c ] && [ \\( a = a \\) ] && [ ! -d a.txt ] && [ -f a.txt ] && [ -n '' -o x ] && echo ok",
      "ok\n",
    ],
    ["leading blanks in a number", "busybox", "[ ' 3' -eq 3 ] && echo yes", "yes\n"],
    ["no operands is false, -n alone is true", "gnu", "[ ]; echo $?; [ -n ]; echo $?", "1\n0\n"],
    [
      "which finds Debian's merged /usr/bin first and -a both",
      "gnu",
      "which ls sed; which -a sh",
      "/usr/bin/ls\n/usr/bin/sed\n/usr/bin/sh\n/bin/sh\n",
    ],
    ["which in busybox: its applets are in /bin", "busybox", "which ls; which nosuch; echo $?", "/bin/ls\n1\n"],
  ]);
  it("bash words its test errors with the line (bash)", () => {
    expect(run("gnu", "bash -c '[ 1 -lt; [ a -eq 1 ]'")).toEqual({
      out: "",
      err: "bash: line 1: [: missing `]'\nbash: line 1: [: a: integer expression expected\n",
      code: 2,
    });
  });
});

describe("jq", () => {
  const J = '{"a":1,"b":[1,2,{"c":"x"}],"s":"hi","n":null,"t":true}';
  table([
    ["pretty-prints with two spaces", "jq", "jq '.b' j.json", '[\n  1,\n  2,\n  {\n    "c": "x"\n  }\n]\n'],
    ["-c prints compactly", "jq", "jq -c . j.json", `${J}\n`],
    ["paths and .[]", "jq", "jq '.b[2].c, .x.y' j.json", '"x"\nnull\n'],
    ["-r prints strings raw", "jq", "jq -r '.s' j.json", "hi\n"],
    ["object construction keeps key order", "jq", "jq -c '{s, a}' j.json", '{"s":"hi","a":1}\n'],
    ["keys are sorted", "jq", "jq -c keys j.json", '["a","b","n","s","t"]\n'],
    ["select and map", "jq", "jq -cn '[1,2,3] | map(select(. > 1))'", "[2,3]\n"],
    ["to_entries", "jq", "jq -c 'to_entries[] | select(.value == null)' j.json", '{"key":"n","value":null}\n'],
    ["string interpolation", "jq", `jq -n '"a\\(1+2)b"'`, '"a3b"\n'],
    ["--arg and $ARGS", "jq", "jq -c --arg x 5 -n '$x, $ARGS'", '"5"\n{"positional":[],"named":{"x":"5"}}\n'],
    ["and, or, not", "jq", "jq -n '1 == 1 and (false or true) | not'", "false\n"],
    ["assignment builds paths", "jq", "jq -cn '{} | .a.b.c = 1'", '{"a":{"b":{"c":1}}}\n'],
    ["del and |=", "jq", "jq -c 'del(.b, .n) | .a |= . + 1' j.json", '{"a":2,"s":"hi","t":true}\n'],
    ["@csv and @sh", "jq", "jq -rn '([3,1,2]|sort|@csv), ([\"a b\",1]|@sh)'", "1,2,3\n'a b' 1\n"],
    [
      "reduce and if/elif",
      "jq",
      'jq -n \'reduce range(5) as $i (0; . + $i), (if 1 > 2 then "a" elif 2 > 1 then "b" else "c" end)\'',
      '10\n"b"\n',
    ],
    [
      "a selection of pod names",
      "jq",
      `echo '{"items":[{"metadata":{"name":"a"},"status":{"phase":"Running"}},{"metadata":{"name":"b"},"status":{"phase":"Pending"}}]}' | jq -r '.items[] | select(.status.phase != "Running") | .metadata.name'`,
      "b\n",
    ],
    ["-e: null is exit 1", "jq", "jq -e .n j.json", "null\n", "", 1],
    ["-e: no output is exit 4", "jq", "jq -e empty j.json", "", "", 4],
    [
      "indexing a string is an error, exit 5",
      "jq",
      "jq '.s | .a' j.json",
      "",
      'jq: error (at j.json:1): Cannot index string with string "a"\n',
      5,
    ],
    [
      "adding a number and a string",
      "jq",
      `jq '.b[0] + "x"' j.json`,
      "",
      'jq: error (at j.json:1): number (1) and string ("x") cannot be added\n',
      5,
    ],
    ["indexing an object with a number", "jq", "jq '.[0]' j.json", "", "jq: error (at j.json:1): Cannot index object with number\n", 5],
    [
      "an undefined function is a compile error, exit 3",
      "jq",
      "jq foo j.json",
      "",
      "jq: error: foo/0 is not defined at <top-level>, line 1:\nfoo\njq: 1 compile error\n",
      3,
    ],
    [
      "bad input JSON",
      "jq",
      "echo '{\"a\":1} x' | jq -c .",
      '{"a":1}\n',
      "jq: parse error: Invalid numeric literal at line 2, column 0\n",
      2,
    ],
    ["-s slurps, -R reads lines", "jq", "echo 1 2 3 | jq -s add; printf 'a\\nb\\n' | jq -R .", '6\n"a"\n"b"\n'],
    [
      "outputs before an error are still written",
      "jq",
      `echo '[1,"a",3]' | jq '.[] | . + 1'`,
      "2\n",
      'jq: error (at <stdin>:1): string ("a") and number (1) cannot be added\n',
      5,
    ],
    [
      "-n errors are at <unknown>; a long value is cut to 11 characters",
      "jq",
      `jq -n '"abcdefghijklmnopqrstuvwxyz" + 1'`,
      "",
      'jq: error (at <unknown>): string ("abcdefghij...) and number (1) cannot be added\n',
      5,
    ],
    ["error with a non-string value", "jq", "jq -n '{} | error'", "", "jq: error (at <unknown>) (not a string): {}\n", 5],
    ["jq is not in busybox", "busybox", "jq .", "", "sh: jq: not found\n", 127],
  ]);
});
