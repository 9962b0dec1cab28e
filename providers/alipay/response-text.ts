// The members of a gateway answer as the exact text Alipay signed. Alipay signs the JSON text of the
// `*_response` member, so the signature must be checked against the bytes received, not a re-serialised
// object: this reads the top-level members of a JSON object as text slices (strings and nesting
// skipped correctly), refusing a body that is not one object or that names a member twice.

export type RawMembers = Map<string, string>;

/** The top-level members of `body` as raw JSON text, or undefined when the body is not one JSON object. */
export function rawMembers(body: string): RawMembers | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  } catch {
    return undefined;
  }
  const members: RawMembers = new Map();
  let i = skipSpace(body, 0) + 1; // past `{`
  for (;;) {
    i = skipSpace(body, i);
    if (body[i] === '}') return members;
    const keyEnd = skipString(body, i);
    const key = JSON.parse(body.slice(i, keyEnd)) as string;
    i = skipSpace(body, keyEnd) + 1; // past `:`
    i = skipSpace(body, i);
    const valueEnd = skipValue(body, i);
    if (members.has(key)) return undefined;
    members.set(key, body.slice(i, valueEnd));
    i = skipSpace(body, valueEnd);
    if (body[i] === ',') i += 1;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  i += 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** `i` is at the start of a value (already valid JSON); returns the index after it. */
function skipValue(text: string, i: number): number {
  if (text[i] === '"') return skipString(text, i);
  if (text[i] === '{' || text[i] === '[') {
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i = skipString(text, i);
        continue;
      }
      if (c === '{' || c === '[') depth += 1;
      else if (c === '}' || c === ']') depth -= 1;
      i += 1;
      if (depth === 0) return i;
    }
    return i;
  }
  while (i < text.length && !/[\s,}\]]/.test(text[i]!)) i += 1;
  return i;
}
