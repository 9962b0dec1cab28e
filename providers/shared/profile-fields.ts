// The one normaliser of provider-supplied URLs (avatars today): every URL a provider reports is parsed
// and re-serialised before Denglu stores it, shows it or puts it in a shop's ID token. Only absolute
// http(s) URLs without embedded credentials pass; anything else is dropped, never passed on as given.

/** Longest URL kept: avatars are short; a longer one is dropped rather than stored. */
const MAX_URL_LENGTH = 2048;

/** `value` parsed and re-serialised when it is an absolute http(s) URL; otherwise undefined. */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const href = url.href;
  return href.length <= MAX_URL_LENGTH ? href : undefined;
}

/** The identity with every URL in it normalised (an avatar that is not a usable URL is left out). */
export function withNormalisedUrls<T extends { avatar?: string }>(identity: T): T {
  if (identity.avatar === undefined) return identity;
  const { avatar, ...rest } = identity;
  const normalised = httpUrl(avatar);
  return (normalised ? { ...rest, avatar: normalised } : rest) as T;
}
