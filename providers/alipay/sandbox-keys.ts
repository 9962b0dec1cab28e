// THROWAWAY SANDBOX KEYS, never real secrets: two RSA-2048 key pairs generated once per process on first
// use — the sandbox app's pair (the adapter signs with its private key, the emulator checks with its
// public key) and the emulated Alipay's pair (the emulator signs answers, the adapter checks them).
// Nothing is written to disk; every `npm start` gets new keys, so nothing here can leak a secret.

import { generateKeyPairSync } from 'node:crypto';

export interface SandboxKeys {
  appPrivateKey: string;
  appPublicKey: string;
  alipayPrivateKey: string;
  alipayPublicKey: string;
}

let keys: SandboxKeys | undefined;

/** The process's throwaway key pairs (PEM: PKCS#8 private keys, SPKI public keys). */
export function sandboxKeys(): SandboxKeys {
  if (!keys) {
    const app = rsaPair();
    const alipay = rsaPair();
    keys = { appPrivateKey: app.privateKey, appPublicKey: app.publicKey, alipayPrivateKey: alipay.privateKey, alipayPublicKey: alipay.publicKey };
  }
  return keys;
}

/** A fresh RSA-2048 pair as PEM (tests make their own apps' keys with it too). */
export function rsaPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
