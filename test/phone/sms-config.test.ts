// SMS_SENDER and the services' credentials: the sandbox outbox by default in development, no texts (and
// so no `phone` method) by default in production, the sandbox refused there, and every missing credential
// named at start.

import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../config/load-config.ts';
import { DESCRIPTORS } from '../../providers/index.ts';

const load = (env: Record<string, string>) => loadConfig({ env, descriptors: DESCRIPTORS });
const PRODUCTION_OK = {
  NODE_ENV: 'production',
  DENGLU_ISSUER: 'https://login.example.com',
  COOKIE_KEYS: 'k'.repeat(40),
  PAIRWISE_SALT: 's'.repeat(40),
  ADMIN_OPERATOR_TOKEN: 'o'.repeat(40),
  WEIBO_CLIENT_ID: '1234567890',
  WEIBO_CLIENT_SECRET: 'a-real-looking-weibo-secret',
  MAIL_SMTP_URL: 'smtps://denglu:mail-password@smtp.example.com:465',
  MAIL_FROM: 'Denglu <no-reply@login.example.com>',
  TRUST_PROXY: 'loopback',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

describe('config: SMS sender', () => {
  it('uses the sandbox outbox in development and sends no texts in production unless told', () => {
    assert.deepEqual(load({}).sms, { sender: 'sandbox' });
    assert.equal(load(PRODUCTION_OK).sms, undefined);
  });

  it('refuses the sandbox sender in production and plain-http endpoints there', () => {
    assert.ok(problemsOf({ ...PRODUCTION_OK, SMS_SENDER: 'sandbox' }).some((p) => /SMS_SENDER=sandbox is refused in production/.test(p)));
    const aliyun = {
      SMS_SENDER: 'aliyun',
      SMS_ALIYUN_ACCESS_KEY_ID: 'id',
      SMS_ALIYUN_ACCESS_KEY_SECRET: 'secret',
      SMS_SIGN_NAME: '登录',
      SMS_TEMPLATE_ID: 'SMS_1',
    };
    assert.ok(
      problemsOf({ ...PRODUCTION_OK, ...aliyun, SMS_ALIYUN_BASE_URL: 'http://127.0.0.1:9999' }).some((p) => /SMS_ALIYUN_BASE_URL must be an https URL/.test(p)),
    );
    assert.deepEqual(load({ ...PRODUCTION_OK, ...aliyun }).sms, {
      sender: 'aliyun',
      accessKeyId: 'id',
      accessKeySecret: 'secret',
      signName: '登录',
      templateCode: 'SMS_1',
      baseUrl: 'https://dysmsapi.aliyuncs.com',
    });
  });

  it('names every missing credential and an unknown sender', () => {
    assert.deepEqual(problemsOf({ SMS_SENDER: 'aliyun', SMS_SIGN_NAME: 'x' }), [
      'SMS_SENDER=aliyun needs SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_TEMPLATE_ID',
    ]);
    assert.deepEqual(problemsOf({ SMS_SENDER: 'tencent' }), [
      'SMS_SENDER=tencent needs SMS_TENCENT_SECRET_ID, SMS_TENCENT_SECRET_KEY, SMS_TENCENT_APP_ID, SMS_SIGN_NAME, SMS_TEMPLATE_ID',
    ]);
    assert.deepEqual(problemsOf({ SMS_SENDER: 'twilio' }), ['SMS_SENDER must be sandbox, aliyun or tencent (got "twilio")']);
    const tencent = load({
      SMS_SENDER: 'tencent',
      SMS_TENCENT_SECRET_ID: 'id',
      SMS_TENCENT_SECRET_KEY: 'key',
      SMS_TENCENT_APP_ID: '1400000001',
      SMS_SIGN_NAME: '登录',
      SMS_TEMPLATE_ID: '449739',
    }).sms;
    assert.equal(tencent?.sender, 'tencent');
    assert.equal(tencent?.sender === 'tencent' && tencent.region, 'ap-guangzhou');
  });
});
