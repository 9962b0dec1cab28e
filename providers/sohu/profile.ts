// Reads a users/show.json answer into the UpstreamIdentity, or fails with the step that went wrong: an
// HTTP error or an `error` body is `userinfo`; anything that is not a user object with a usable `id` is
// `profile_decode`. The `id` may arrive as a number or a digit string (its JSON type was never documented).

import { UpstreamError } from '../../src/errors.ts';
import type { UpstreamIdentity } from '../contract.ts';
import type { UpstreamResponse } from '../shared/upstream-http.ts';
import { sohuIdentityKeys } from './identity.ts';
import { httpUrl } from '../shared/profile-fields.ts';

export function identityFromUsersShow(res: UpstreamResponse): UpstreamIdentity {
  const json = parseObject(res.body);
  if (res.status < 200 || res.status > 299) {
    throw new UpstreamError('sohu', 'userinfo', `users/show answered HTTP ${res.status}${json ? describeError(json) : ''}`);
  }
  if (!json) throw new UpstreamError('sohu', 'profile_decode', 'users/show did not answer a JSON object');
  if (json.error !== undefined) throw new UpstreamError('sohu', 'userinfo', `users/show answered an error${describeError(json)}`);
  const id = readId(json.id);
  if (!id) throw new UpstreamError('sohu', 'profile_decode', 'users/show answered no usable "id"');
  const avatar = httpUrl(json.profile_image_url);
  return {
    provider: 'sohu',
    subject: id,
    keys: sohuIdentityKeys(id),
    displayName: nonEmpty(json.screen_name) ?? nonEmpty(json.name) ?? id,
    ...(avatar ? { avatar } : {}),
  };
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describeError(json: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof json.error === 'string') parts.push(`error "${json.error}"`);
  if (typeof json.error_code === 'number' || typeof json.error_code === 'string') parts.push(`error_code ${json.error_code}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function readId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9][0-9]{0,19}$/.test(value)) return value;
  return undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
