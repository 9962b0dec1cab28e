// The step runner sign-in routes are declared with (src/broker/steps.ts): steps run in the order listed
// and share one state; a step that answers the request ends the list (the handler never runs); a refusal
// becomes the failure page with what the steps established (status, code, language); an error that is not
// a refusal goes on to the app's error handler.

import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { GatewayError } from '../../src/errors.ts';
import type { LoginContext } from '../../src/broker/login-context.ts';
import { refusals, type SignInState, type Step, stepRunner } from '../../src/broker/steps.ts';

/** Just enough of the login context for the failure page: a renderer that shows what it was given. */
const ctx = {
  descriptors: new Map(),
  renderer: {
    render: async (view: string, page: { locale: string }, locals: { code: string; message: string }) =>
      `${view}|${page.locale}|${locals.code}|${locals.message}`,
  },
} as unknown as LoginContext;

function app(list: Step[], handler: express.RequestHandler = (_req, res) => void res.json(res.locals.signIn)) {
  const a = express();
  const steps = stepRunner(ctx);
  a.get('/x', steps(...list), handler);
  a.use(refusals(ctx));
  a.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).send('app error handler'));
  return a;
}

const record =
  (name: string): Step =>
  (_ctx, _req, _res, s) => {
    (s as SignInState & { seen?: string[] }).seen = [...((s as { seen?: string[] }).seen ?? []), name];
  };

describe('sign-in steps: the runner and its refusals', () => {
  it('runs the steps in the order listed, on one state the handler then reads', async () => {
    const res = await request(app([record('a'), record('b'), record('c')]))
      .get('/x')
      .set('accept-language', 'en');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.seen, ['a', 'b', 'c']);
    assert.equal(res.body.locale, 'en', 'the state starts with the request’s language');
  });

  it('a step that answers the request ends the list: later steps and the handler do not run', async () => {
    const answers: Step = (_ctx, _req, res) => void res.redirect(303, '/elsewhere');
    let handled = false;
    const handler = () => {
      handled = true;
    };
    const res = await request(app([record('a'), answers, record('never')], handler)).get('/x');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/elsewhere');
    assert.equal(handled, false);
  });

  it('a refusal is the failure page, in the language the steps chose, with its status and code', async () => {
    const zh: Step = (_ctx, _req, _res, s) => {
      s.locale = 'zh-CN';
    };
    const refuse: Step = () => {
      throw new GatewayError('ERR_INTERACTION_LOST', 'gone', { status: 400 });
    };
    const res = await request(app([zh, refuse, record('never')])).get('/x');
    assert.equal(res.status, 400);
    assert.match(res.text, /^error\|zh-CN\|ERR_INTERACTION_LOST\|/);
  });

  it('an error that is not a refusal goes on to the app’s error handler', async () => {
    const crash: Step = () => {
      throw new TypeError('a bug');
    };
    const res = await request(app([crash])).get('/x');
    assert.equal(res.status, 500);
    assert.equal(res.text, 'app error handler');
  });
});
