// Reads the RSA keys an operator pastes: PEM, or the bare base64 Alipay's key tool and console show
// (PKCS#8 or PKCS#1 private keys, SPKI or PKCS#1 public keys). Node's crypto does the decoding; a key
// that is not RSA or does not decode is refused with the setting's name, never with its content.

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export function privateKeyFrom(text: string, name: string): KeyObject {
  return readRsa(text, name, (der, type) => createPrivateKey(der ? { key: der, format: 'der', type: type as 'pkcs8' | 'pkcs1' } : text), ['pkcs8', 'pkcs1']);
}

export function publicKeyFrom(text: string, name: string): KeyObject {
  return readRsa(text, name, (der, type) => createPublicKey(der ? { key: der, format: 'der', type: type as 'spki' | 'pkcs1' } : text), ['spki', 'pkcs1']);
}

/** PEM as it is; bare base64 as DER of the first of `types` that decodes. */
function readRsa(text: string, name: string, create: (der: Buffer | undefined, type: string) => KeyObject, types: string[]): KeyObject {
  let key: KeyObject | undefined;
  const der = text.includes('-----BEGIN') ? undefined : bareBase64(text);
  for (const type of der ? types : ['pem']) {
    try {
      key = create(der, type);
      break;
    } catch {
      // the next encoding, or none
    }
  }
  if (!key) throw new TypeError(`${name} is not a readable RSA key (PEM or base64 DER)`);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`${name} is a ${key.asymmetricKeyType} key; Alipay signs with RSA`);
  return key;
}

function bareBase64(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}
