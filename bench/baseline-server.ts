// Benchmark process: the baseline — a bare oidc-provider of the same version, with an interaction that
// logs in a fixed account automatically and then a separate consent interaction, the same client settings
// (PKCE S256 required, client_secret_basic, RS256 ID tokens) and its default in-memory adapter.
// Prints "READY <port> <metricsPort>".

import type { AddressInfo } from 'node:net';
import express from 'express';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { BENCH_CLIENT } from './bench-partner.ts';
import { serveMetrics } from './process-metrics.ts';
import { serverWithCosts } from './request-costs.ts';

const port = Number(process.env.PORT ?? 0);
const issuer = process.env.BENCH_BASELINE_ISSUER ?? `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'baseline', alg: 'RS256', use: 'sig' };

// oidc-provider warns about its development-only memory adapter; the warning is expected here.
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: BENCH_CLIENT.clientId,
      client_secret: BENCH_CLIENT.clientSecret,
      redirect_uris: [BENCH_CLIENT.redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ['baseline-cookie-key-0123456789abcdef0123'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: 'Baseline User' }) }),
  claims: { openid: ['sub'], profile: ['name'] },
});

const app = express();
app.get('/interaction/:uid', async (req, res, next) => {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: 'baseline-user' } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (err) {
    next(err);
  }
});
app.use(provider.callback());
const { server, costs } = serverWithCosts(app);
const metricsPort = await serveMetrics(costs);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port} ${metricsPort}\n`);
});
process.on('SIGTERM', () => process.exit(0));
