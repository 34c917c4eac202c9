// A benchmark's figures as a table: right-aligned columns under a header, `|` between them.

/** How `now` compares with `base`: "×1.23". */
export const ratio = (base: number, now: number) => `×${(now / base).toFixed(2)}`;

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join(" | ");
  console.log(`\n${line(header)}`);
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const r of rows) console.log(line(r));
}
