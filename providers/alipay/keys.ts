// Reads the RSA keys an operator pastes: PEM, or the bare base64 Alipay's key tool and console show
// (PKCS#8 or PKCS#1 private keys, SPKI or PKCS#1 public keys). Node's crypto does the decoding; a key
// that is not RSA or does not decode is refused with the setting's name, never with its content.

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export function privateKeyFrom(text: string, name: string): KeyObject {
  return rsa(name, () => {
    if (text.includes('-----BEGIN')) return createPrivateKey(text);
    const der = bareBase64(text);
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
    }
  });
}

export function publicKeyFrom(text: string, name: string): KeyObject {
  return rsa(name, () => {
    if (text.includes('-----BEGIN')) return createPublicKey(text);
    const der = bareBase64(text);
    try {
      return createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    }
  });
}

function bareBase64(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

function rsa(name: string, read: () => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = read();
  } catch {
    throw new TypeError(`${name} is not a readable RSA key (PEM or base64 DER)`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`${name} is a ${key.asymmetricKeyType} key; Alipay signs with RSA`);
  return key;
}
