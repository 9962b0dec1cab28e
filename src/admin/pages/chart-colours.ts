// The colours of the analytics chart's lines: each method's brand colour, unless a line drawn before it
// already has (nearly) that colour — the native methods' button colours are close to Alipay's blue and
// WeChat's green — in which case the spare farthest from every colour in use.

/** Spares for methods without a brand colour or whose colour another line already has. */
const SPARE_COLOURS = ['#7f7f7f', '#9467bd', '#8c564b', '#ff7f0e', '#e377c2', '#bcbd22', '#17becf', '#000000'];
/** Colours closer than this (RGB distance, 0–441) are hard to tell apart as thin lines. */
const NEAR = 60;

function rgb(hex: string): [number, number, number] | undefined {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16), Number.parseInt(m[3]!, 16)] : undefined;
}

function distance(a: string, b: string): number {
  const x = rgb(a);
  const y = rgb(b);
  if (!x || !y) return a.toLowerCase() === b.toLowerCase() ? 0 : 441;
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

/** One colour per line, in order: the brand colour when no earlier line is near it, else the farthest spare. */
export function lineColours(brand: readonly (string | undefined)[]): string[] {
  const used: string[] = [];
  const nearest = (c: string) => Math.min(441, ...used.map((u) => distance(u, c)));
  for (const wanted of brand) {
    if (wanted !== undefined && nearest(wanted) >= NEAR) {
      used.push(wanted);
      continue;
    }
    const spares = SPARE_COLOURS.filter((c) => !used.includes(c));
    const pool = spares.length ? spares : SPARE_COLOURS;
    used.push(pool.reduce((best, c) => (nearest(c) > nearest(best) ? c : best)));
  }
  return used;
}
