// app.js is the browser's script, imported by src/http/ui.ts only `with { type: "file" }`: the import is
// the file's path inside the executable.
declare const path: string;
export default path;
