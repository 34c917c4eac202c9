/** A small POSIX-ish shell (like Android's mksh for what automation sends): parser and executor. */

export type WordPart = { t: "lit"; s: string; q: boolean } | { t: "var"; name: string; q: boolean };
export type Word = WordPart[];
export interface Redir {
  fd: number;
  op: ">" | ">>" | "<" | ">&";
  target: Word;
}
export interface SimpleCmd {
  words: Word[];
  redirs: Redir[];
}
export type Pipeline = SimpleCmd[];
export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; p: Pipeline }[];
  background: boolean;
}
export type Script = AndOr[];

export class ShellSyntaxError extends Error {}

type Tok = { k: "word"; w: Word } | { k: "op"; op: string } | { k: "redir"; fd: number; op: Redir["op"] };

function isNameChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let word: Word | null = null;
  const lit = (s: string, q: boolean) => {
    if (!word) word = [];
    const last = word[word.length - 1];
    if (last && last.t === "lit" && last.q === q) last.s += s;
    else word.push({ t: "lit", s, q });
  };
  const endWord = () => {
    if (word) toks.push({ k: "word", w: word });
    word = null;
  };
  const readVar = (i: number, q: boolean): number => {
    // src[i] === "$"
    const c = src[i + 1] ?? "";
    if (c === "{") {
      const end = src.indexOf("}", i + 2);
      if (end < 0) throw new ShellSyntaxError("bad substitution");
      if (!word) word = [];
      word.push({ t: "var", name: src.slice(i + 2, end), q });
      return end + 1;
    }
    if (c === "?" || c === "$" || c === "#" || c === "!" || /[0-9]/.test(c)) {
      if (!word) word = [];
      word.push({ t: "var", name: c, q });
      return i + 2;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && isNameChar(src[j] as string)) j++;
      if (!word) word = [];
      word.push({ t: "var", name: src.slice(i + 1, j), q });
      return j;
    }
    lit("$", q);
    return i + 1;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === " " || c === "\t" || c === "\r") {
      endWord();
      i++;
    } else if (c === "\n") {
      endWord();
      toks.push({ k: "op", op: ";" });
      i++;
    } else if (c === "#" && !word) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("no closing quote");
      lit(src.slice(i + 1, end), true);
      if (!word) word = [];
      i = end + 1;
    } else if (c === '"') {
      i++;
      if (!word) word = [];
      let closed = false;
      while (i < src.length) {
        const d = src[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\") {
          const n = src[i + 1] ?? "";
          if (n === '"' || n === "\\" || n === "$" || n === "`") {
            lit(n, true);
            i += 2;
          } else if (n === "\n") {
            i += 2;
          } else {
            lit("\\", true);
            i++;
          }
        } else if (d === "$") {
          i = readVar(i, true);
        } else {
          lit(d, true);
          i++;
        }
      }
      if (!closed) throw new ShellSyntaxError("no closing quote");
      if (word && (word as Word).length === 0) lit("", true);
    } else if (c === "\\") {
      const n = src[i + 1];
      if (n === undefined) {
        i++;
      } else if (n === "\n") {
        i += 2;
      } else {
        lit(n, true);
        i += 2;
      }
    } else if (c === "$") {
      i = readVar(i, false);
    } else if (c === ";" || c === "&" || c === "|") {
      endWord();
      const two = src.slice(i, i + 2);
      if (two === "&&" || two === "||" || two === ";;") {
        toks.push({ k: "op", op: two });
        i += 2;
      } else if (two === "&>") {
        toks.push({ k: "redir", fd: -1, op: ">" });
        i += 2;
      } else {
        toks.push({ k: "op", op: c });
        i++;
      }
    } else if (c === ">" || c === "<") {
      let fd = c === ">" ? 1 : 0;
      const w = word as Word | null;
      if (w && w.length === 1 && w[0]?.t === "lit" && !w[0].q && /^[0-9]$/.test(w[0].s)) {
        fd = Number(w[0].s);
        word = null;
      } else {
        endWord();
      }
      const two = src.slice(i, i + 2);
      if (two === ">>") {
        toks.push({ k: "redir", fd, op: ">>" });
        i += 2;
      } else if (two === ">&" || two === "<&") {
        toks.push({ k: "redir", fd, op: ">&" });
        i += 2;
      } else if (two === ">|") {
        toks.push({ k: "redir", fd, op: ">" });
        i += 2;
      } else {
        toks.push({ k: "redir", fd, op: c === ">" ? ">" : "<" });
        i++;
      }
    } else if (c === "(" || c === ")" || c === "`") {
      throw new ShellSyntaxError(`'${c}' unexpected`);
    } else {
      lit(c, false);
      i++;
    }
  }
  endWord();
  return toks;
}

export function parse(src: string): Script {
  const toks = tokenize(src);
  let pos = 0;
  const script: Script = [];
  const parseCmd = (): SimpleCmd | null => {
    const cmd: SimpleCmd = { words: [], redirs: [] };
    for (;;) {
      const t = toks[pos];
      if (!t || t.k === "op") break;
      pos++;
      if (t.k === "word") cmd.words.push(t.w);
      else {
        const target = toks[pos];
        if (target?.k !== "word") throw new ShellSyntaxError("missing redirection target");
        pos++;
        cmd.redirs.push({ fd: t.fd, op: t.op, target: target.w });
      }
    }
    return cmd.words.length || cmd.redirs.length ? cmd : null;
  };
  const parsePipeline = (): Pipeline | null => {
    const first = parseCmd();
    if (!first) return null;
    const p: Pipeline = [first];
    while (toks[pos]?.k === "op" && (toks[pos] as { op: string }).op === "|") {
      pos++;
      const next = parseCmd();
      if (!next) throw new ShellSyntaxError("'|' unexpected");
      p.push(next);
    }
    return p;
  };
  while (pos < toks.length) {
    const t = toks[pos] as Tok;
    if (t.k === "op" && t.op === ";") {
      pos++;
      continue;
    }
    const first = parsePipeline();
    if (!first) throw new ShellSyntaxError(`'${(t as { op: string }).op}' unexpected`);
    const ao: AndOr = { first, rest: [], background: false };
    for (;;) {
      const o = toks[pos];
      if (o?.k !== "op" || (o.op !== "&&" && o.op !== "||")) break;
      pos++;
      while (toks[pos]?.k === "op" && (toks[pos] as { op: string }).op === ";") pos++;
      const p = parsePipeline();
      if (!p) throw new ShellSyntaxError(`'${o.op}' unexpected`);
      ao.rest.push({ op: o.op, p });
    }
    const end = toks[pos];
    if (end?.k === "op") {
      if (end.op === "&") ao.background = true;
      else if (end.op !== ";") throw new ShellSyntaxError(`'${end.op}' unexpected`);
      pos++;
    }
    script.push(ao);
  }
  return script;
}

// ---------------------------------------------------------------------------------------------
// Execution

export interface Sink {
  write(data: Uint8Array | string): Promise<void>;
}
export interface Source {
  read(): Promise<Uint8Array | null>;
}

export const nullSink: Sink = { write: async () => undefined };
export const emptySource: Source = { read: async () => null };

export class BufferSink implements Sink {
  chunks: Buffer[] = [];
  async write(data: Uint8Array | string): Promise<void> {
    this.chunks.push(typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
  toString(): string {
    return this.buffer.toString("utf8");
  }
}

export class BufferSource implements Source {
  private done = false;
  constructor(private readonly data: Uint8Array) {}
  async read(): Promise<Uint8Array | null> {
    if (this.done || this.data.length === 0) return null;
    this.done = true;
    return this.data;
  }
}

export async function readAll(src: Source): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const d = await src.read();
    if (!d) break;
    parts.push(d);
  }
  return Buffer.concat(parts);
}

export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface Io {
  out: Sink;
  err: Sink;
  in: Source;
  signal: AbortSignal;
}

export interface CommandContext extends Io {
  args: string[];
  name: string;
  shell: Shell;
}

export type Command = (ctx: CommandContext) => Promise<number>;

export interface ShellHost {
  commands: Record<string, Command>;
  /** Opens a redirection target (device path). */
  openWrite(path: string, append: boolean, cwd: string): Promise<Sink & { close(): Promise<void> }>;
  openRead(path: string, cwd: string): Promise<Source>;
  /** Glob expansion of one word (device paths). */
  glob(pattern: string, cwd: string): string[];
}

export const SH = "/system/bin/sh";

export class Shell {
  cwd = "/";
  status = 0;
  /** Set once `exit` ran. */
  exited = false;
  readonly vars: Record<string, string>;

  constructor(
    readonly host: ShellHost,
    env: Record<string, string>,
  ) {
    this.vars = { ...env };
  }

  /** Runs a script; returns its exit status. Syntax errors print like mksh and give status 1. */
  async run(src: string, io: Io): Promise<number> {
    let script: Script;
    try {
      script = parse(src);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        await io.err.write(`${SH}: syntax error: ${e.message}\n`);
        this.status = e.message === "no closing quote" ? 1 : 2;
        return this.status;
      }
      throw e;
    }
    try {
      for (const ao of script) {
        if (io.signal.aborted) return 130;
        if (ao.background) {
          void this.runAndOr(ao, io).catch(() => undefined);
          this.status = 0;
        } else {
          await this.runAndOr(ao, io);
        }
      }
    } catch (e) {
      if (e instanceof ExitError) {
        this.status = e.code;
        this.exited = true;
        return e.code;
      }
      throw e;
    }
    return this.status;
  }

  private async runAndOr(ao: AndOr, io: Io): Promise<void> {
    this.status = await this.runPipeline(ao.first, io);
    for (const r of ao.rest) {
      if (io.signal.aborted) return;
      if (r.op === "&&" ? this.status === 0 : this.status !== 0)
        this.status = await this.runPipeline(r.p, io);
    }
  }

  private async runPipeline(p: Pipeline, io: Io): Promise<number> {
    let input = io.in;
    let status = 0;
    for (let i = 0; i < p.length; i++) {
      const last = i === p.length - 1;
      const buf = last ? null : new BufferSink();
      status = await this.runSimple(p[i] as SimpleCmd, { ...io, in: input, out: buf ?? io.out });
      if (buf) input = new BufferSource(buf.buffer);
    }
    return status;
  }

  expandWord(w: Word): string {
    let s = "";
    for (const part of w) {
      if (part.t === "lit") s += part.s;
      else s += this.lookup(part.name);
    }
    return s;
  }

  private lookup(name: string): string {
    if (name === "?") return String(this.status);
    if (name === "$") return "4242";
    if (name === "#") return "0";
    return this.vars[name] ?? "";
  }

  /** Expands one word into fields: unquoted variable values split on whitespace, globs expanded. */
  expandFields(w: Word): string[] {
    const hasUnquotedVar = w.some((p) => p.t === "var" && !p.q);
    const globby = w.some((p) => p.t === "lit" && !p.q && /[*?]/.test(p.s));
    if (!hasUnquotedVar && !globby) return [this.expandWord(w)];
    if (globby && !hasUnquotedVar) {
      // Build a pattern where quoted glob characters are escaped.
      let pat = "";
      for (const p of w) {
        if (p.t === "lit") pat += p.q ? p.s.replace(/[*?\\]/g, "\\$&") : p.s;
      }
      const matches = this.host.glob(pat, this.cwd);
      return matches.length ? matches : [this.expandWord(w)];
    }
    const s = this.expandWord(w);
    const fields = s.split(/[ \t\n]+/).filter((f) => f.length > 0);
    return w.every((p) => p.t === "var" && !p.q) ? fields : fields.length ? fields : [""];
  }

  private async runSimple(cmd: SimpleCmd, io: Io): Promise<number> {
    let args: string[] = [];
    for (const w of cmd.words) args.push(...this.expandFields(w));
    // Leading assignments.
    const assigns: [string, string][] = [];
    while (args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[0] as string)) {
      const a = args.shift() as string;
      const eq = a.indexOf("=");
      assigns.push([a.slice(0, eq), a.slice(eq + 1)]);
    }
    if (args.length === 0) {
      for (const [k, v] of assigns) this.vars[k] = v;
      return 0;
    }
    const closers: (() => Promise<void>)[] = [];
    const cur: Io = { ...io };
    try {
      for (const r of cmd.redirs) {
        const target = this.expandWord(r.target);
        if (r.op === ">&") {
          const src = target === "1" ? cur.out : target === "2" ? cur.err : null;
          if (!src) {
            await cur.err.write(`${SH}: ${target}: bad file descriptor\n`);
            return 1;
          }
          if (r.fd === 1) cur.out = src;
          else if (r.fd === 2) cur.err = src;
          continue;
        }
        if (r.op === "<") {
          cur.in = target === "/dev/null" ? emptySource : await this.host.openRead(target, this.cwd);
          continue;
        }
        let sink: Sink;
        if (target === "/dev/null") sink = nullSink;
        else if (target === "/dev/tty" || target === "/dev/stdout") sink = io.out;
        else if (target === "/dev/stderr") sink = io.err;
        else {
          const f = await this.host.openWrite(target, r.op === ">>", this.cwd);
          closers.push(() => f.close());
          sink = f;
        }
        if (r.fd === 1) cur.out = sink;
        else if (r.fd === 2) cur.err = sink;
        else if (r.fd === -1) {
          cur.out = sink;
          cur.err = sink;
        }
      }
    } catch (e) {
      for (const c of closers) await c().catch(() => undefined);
      const msg =
        (e as { shellMessage?: string }).shellMessage ?? (e instanceof Error ? e.message : String(e));
      await io.err.write(`${SH}: ${msg}\n`);
      return 1;
    }
    const name = args[0] as string;
    args = args.slice(1);
    try {
      const saved: Record<string, string | undefined> = {};
      for (const [k, v] of assigns) {
        saved[k] = this.vars[k];
        this.vars[k] = v;
      }
      try {
        const base = name.includes("/") ? name.slice(name.lastIndexOf("/") + 1) : name;
        const fn = this.host.commands[base];
        if (
          !fn ||
          (name.includes("/") && !name.startsWith("/system/bin/") && !name.startsWith("/system/xbin/"))
        ) {
          await cur.err.write(`${SH}: ${name}: inaccessible or not found\n`);
          return 127;
        }
        return await fn({ ...cur, args, name: base, shell: this });
      } finally {
        for (const [k] of assigns) {
          if (saved[k] === undefined) delete this.vars[k];
          else this.vars[k] = saved[k] as string;
        }
      }
    } finally {
      for (const c of closers) await c().catch(() => undefined);
    }
  }
}
