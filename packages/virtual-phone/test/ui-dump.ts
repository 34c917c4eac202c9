/** Reading a `uiautomator dump`: node attributes and where to tap. */

/** Attributes of every node in a `uiautomator dump`. */
export function dumpNodes(xml: string): Record<string, string>[] {
  return [...xml.matchAll(/<node ([^>]*?)\/?>/g)].map((m) => {
    const a: Record<string, string> = {};
    for (const x of (m[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)) a[x[1] as string] = x[2] as string;
    return a;
  });
}

export function center(bounds: string): [number, number] {
  const m = /\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]/.exec(bounds);
  if (!m) throw new Error(`bad bounds ${bounds}`);
  return [Math.round((Number(m[1]) + Number(m[3])) / 2), Math.round((Number(m[2]) + Number(m[4])) / 2)];
}
