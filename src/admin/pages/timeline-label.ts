// How a provider's name is set left of its timeline row (pure): whole on one line when it fits the label
// column, otherwise broken into lines that each fit, at spaces where there are any and between any two
// characters of CJK text (or inside a word too long for a line). Nothing is cut off: a long name takes
// more lines, and its row more height.

/** About how wide `text` is at `size` px: CJK and full-width characters 1 em, others about 0.62 em (bold 0.68). */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const ch of text)
    em += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 1 : bold ? 0.68 : 0.62;
  return em * size;
}

/** `label` in bold at `size` as lines no wider than `maxWidth` (by textWidth); only the spaces where it breaks are dropped. */
export function wrapLabel(label: string, maxWidth: number, size: number): string[] {
  const text = label.trim().replace(/\s+/g, ' ');
  const lines: string[] = [];
  let line = '';
  for (const ch of text) {
    if (line === '' && ch === ' ') continue;
    if (line === '' || textWidth(line + ch, size, true) <= maxWidth) {
      line += ch;
      continue;
    }
    // Too wide: break at the last space of the line when what follows it still fits, else before this character.
    const space = line.lastIndexOf(' ');
    const rest = line.slice(space + 1) + ch;
    if (ch === ' ') {
      lines.push(line);
      line = '';
    } else if (space > 0 && textWidth(rest, size, true) <= maxWidth) {
      lines.push(line.slice(0, space));
      line = rest;
    } else {
      lines.push(line.trimEnd());
      line = ch;
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines.length ? lines : [''];
}
