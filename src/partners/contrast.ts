// Readable colour pairs (WCAG 2.x): the contrast ratio of two sRGB colours, the text colour (white or
// near-black) that reads best on a background, and a background darkened just enough for its text to
// reach AA (4.5:1) — so a provider's or a shop's brand colour never makes a button unreadable.

/** AA for normal text. */
export const AA = 4.5;
export const DARK_TEXT = '#1d2330';
export const LIGHT_TEXT = '#ffffff';

type Rgb = [number, number, number];

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

export function isHexColour(value: string): boolean {
  return HEX.test(value);
}

function rgb(hex: string): Rgb {
  const h = HEX.exec(hex)?.[1];
  if (!h) throw new Error(`not a #rgb or #rrggbb colour: ${hex}`);
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(colour: string): number {
  const [r, g, b] = rgb(colour).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever contrasts more with `background`. */
export function readableText(background: string): string {
  return contrastRatio(background, LIGHT_TEXT) >= contrastRatio(background, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
}

/**
 * `background` as is when `text` on it reaches `min`; otherwise the same hue mixed towards black (light
 * text) or white (dark text) in small steps until it does. QQ's #12B7F5 under white becomes a deeper blue.
 */
export function readableBackground(background: string, text: string, min = AA): string {
  const base = rgb(background);
  const towards = luminance(text) > 0.5 ? 0 : 255;
  for (let step = 0; step <= 100; step += 2) {
    const mixed = hex(base.map((c) => c + (towards - c) * (step / 100)) as Rgb);
    if (contrastRatio(mixed, text) >= min) return mixed;
  }
  return towards === 0 ? '#000000' : '#ffffff';
}
