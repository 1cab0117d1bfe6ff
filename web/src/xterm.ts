// xterm.js and its fit addon, in one chunk the terminal loads when it opens (they are CommonJS:
// imported statically here, esbuild's interop hands over their classes).
export { Terminal } from "@xterm/xterm";
export { FitAddon } from "@xterm/addon-fit";
