// Reading display fields out of a provider's profile: only http(s) URLs are passed on as avatars (they end
// up in Denglu's pages and shops' ID tokens), and only non-blank text as names.

export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
