// Preloaded into `bun src/main.ts` (`bun --preload`) to start the service as Windows would, as far as this
// machine goes: process.platform says "win32", and what a Windows start must not use fails loudly there,
// native libraries (bun:ffi, process.dlopen) and mode bits (chmod, umask).
Object.defineProperty(process, "platform", { value: "win32" });
const refuse = (what: string) => () => {
  throw new Error(`${what} on win32`);
};
Object.assign(require("bun:ffi"), {
  dlopen: refuse("bun:ffi dlopen"),
  linkSymbols: refuse("bun:ffi linkSymbols"),
  CFunction: refuse("bun:ffi CFunction"),
});
Object.assign(require("node:fs"), { chmodSync: refuse("chmodSync"), chmod: refuse("chmod") });
process.dlopen = refuse("process.dlopen");
process.umask = refuse("umask") as typeof process.umask;
