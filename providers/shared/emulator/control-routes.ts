// The emulator's control surface under /__emulator (never part of the real protocol): fault switch,
// auto-approve and a health probe, used by tests over HTTP, by `npm start`'s sandbox and by the benchmark.

import express, { type Router } from 'express';
import type { FaultSwitch } from './fault-switch.ts';

export function controlRoutes(options: {
  providerId: string;
  faults: FaultSwitch;
  setAutoApprove: (login: string | undefined) => void;
  getAutoApprove: () => string | undefined;
}): Router {
  const router = express.Router();
  router.use(express.json({ limit: '10kb' }));
  router.get('/__emulator', (_req, res) => {
    res.json({ provider: options.providerId, faults: options.faults.list(), served: options.faults.served(), autoApprove: options.getAutoApprove() ?? null });
  });
  router.post('/__emulator/faults', (req, res) => {
    const { endpoint, mode, times, share } = req.body ?? {};
    if (typeof endpoint !== 'string' || typeof mode !== 'string' || (share !== undefined && !(typeof share === 'number' && share > 0 && share <= 1))) {
      res.status(400).json({ error: 'body must be {"endpoint": string, "mode": string, "times"?: number, "share"?: number in (0, 1]}' });
      return;
    }
    options.faults.set(endpoint, mode, typeof times === 'number' && times > 0 ? times : Infinity, share ?? 1);
    res.json({ faults: options.faults.list() });
  });
  router.delete('/__emulator/faults', (_req, res) => {
    options.faults.clear();
    res.json({ faults: {} });
  });
  router.post('/__emulator/auto-approve', (req, res) => {
    const login = req.body?.login;
    if (login !== null && typeof login !== 'string') {
      res.status(400).json({ error: 'body must be {"login": string | null}' });
      return;
    }
    options.setAutoApprove(login ?? undefined);
    res.json({ autoApprove: login ?? null });
  });
  return router;
}
