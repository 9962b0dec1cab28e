// The forms a webhook signing secret could take inside a stored document: the `whsec_…` itself, its
// base64 body, and its raw bytes as hex, base64url and Latin-1 text. A document holding none of them holds
// no secret a reader could sign with.

export function secretForms(secret: string): string[] {
  const b64 = secret.slice('whsec_'.length);
  const bytes = Buffer.from(b64, 'base64');
  return [secret, b64, bytes.toString('hex'), bytes.toString('base64url'), bytes.toString('latin1')];
}

/** The forms of `secret` found in `text` (none: the text holds no secret). */
export function secretFormsIn(text: string, secret: string): string[] {
  return secretForms(secret).filter((form) => text.includes(form));
}
