// The SMS adapters over HTTP against small local fakes of Aliyun's and Tencent Cloud's SendSms: each fake
// checks the request's signature the way the service does (recomputing it with the shared secret), reads
// the parameters, and answers as the service would: OK, or its error codes for an illegal number, a
// number's sending limit, a bad signature. The adapters map those to what they mean for the shopper.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/store.ts';
import { aliyunSender, aliyunSignature } from '../../src/sms/aliyun-sms.ts';
import { SmsError, type SmsDeps } from '../../src/sms/sender.ts';
import { tc3Authorization, tencentSender } from '../../src/sms/tencent-sms.ts';

const deps: SmsDeps = { store: {} as Store, clock: new ManualClock(), log: createLogger({ level: 'silent' }), timeoutMs: 1000 };

async function serve(
  handler: (req: IncomingMessage, body: string) => { status?: number; json: unknown },
): Promise<{ url: string; server: Server; seen: unknown[] }> {
  const seen: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const out = handler(req, body);
      seen.push(out.json);
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(out.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

async function refusal(p: Promise<void>): Promise<{ kind: string; code: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SmsError, String(err));
    return { kind: err.kind, code: err.serviceCode };
  }
  assert.fail('the text was not refused');
}

describe('SMS adapters against local fakes', () => {
  describe('Aliyun SMS (dysmsapi SendSms)', () => {
    let fake: Awaited<ReturnType<typeof serve>>;
    const params: Record<string, string>[] = [];
    before(async () => {
      fake = await serve((req) => {
        const query = Object.fromEntries(new URL(req.url!, 'http://x').searchParams);
        const { Signature, ...rest } = query;
        params.push(rest);
        if (req.method !== 'GET' || Signature !== aliyunSignature('fake-secret', 'GET', rest))
          return { status: 400, json: { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' } };
        if (rest.PhoneNumbers === '13900000000') return { json: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' } };
        if (rest.PhoneNumbers === '13800000000') return { json: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1' } };
        if (rest.PhoneNumbers === '13700000000') return { json: { Code: 'isv.AMOUNT_NOT_ENOUGH', Message: '账户余额不足' } };
        return { json: { Code: 'OK', Message: 'OK', RequestId: 'r-1', BizId: 'b-1' } };
      });
    });
    after(() => fake.server.close());
    const sender = (secret = 'fake-secret') =>
      aliyunSender({ accessKeyId: 'fake-id', accessKeySecret: secret, signName: '登录', templateCode: 'SMS_123', baseUrl: fake.url }, deps);

    it('sends a signed SendSms with the template, the signature name and the code as TemplateParam JSON', async () => {
      await sender().send('+8613812345678', 'verify-code', { code: '042917' }, 'zh-CN');
      const sent = params.at(-1)!;
      assert.equal(sent.Action, 'SendSms');
      assert.equal(sent.Version, '2017-05-25');
      assert.equal(sent.PhoneNumbers, '13812345678', 'mainland numbers without +86');
      assert.equal(sent.SignName, '登录');
      assert.equal(sent.TemplateCode, 'SMS_123');
      assert.deepEqual(JSON.parse(sent.TemplateParam!), { code: '042917' });
      assert.equal(sent.SignatureMethod, 'HMAC-SHA1');
      assert.match(sent.Timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(fake.seen.at(-1) && (fake.seen.at(-1) as { Code: string }).Code, 'OK');
    });

    it('maps the error codes: illegal number, business limit control, anything else unavailable', async () => {
      assert.deepEqual(await refusal(sender().send('+8613900000000', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'numberInvalid',
        code: 'isv.MOBILE_NUMBER_ILLEGAL',
      });
      assert.deepEqual(await refusal(sender().send('+8613800000000', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'limited',
        code: 'isv.BUSINESS_LIMIT_CONTROL',
      });
      assert.deepEqual(await refusal(sender().send('+8613700000000', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'unavailable',
        code: 'isv.AMOUNT_NOT_ENOUGH',
      });
      assert.deepEqual(await refusal(sender('wrong-secret').send('+8613812345678', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'unavailable',
        code: 'SignatureDoesNotMatch',
      });
    });

    it('an unreachable service is unavailable', async () => {
      const gone = aliyunSender({ accessKeyId: 'a', accessKeySecret: 'b', signName: 'c', templateCode: 'd', baseUrl: 'http://127.0.0.1:9' }, deps);
      assert.equal((await refusal(gone.send('+8613812345678', 'verify-code', { code: '1' }, 'zh-CN'))).kind, 'unavailable');
    });
  });

  describe('Tencent Cloud SMS (SendSms 2021-01-11)', () => {
    let fake: Awaited<ReturnType<typeof serve>>;
    const bodies: Record<string, unknown>[] = [];
    const headers: Record<string, unknown>[] = [];
    before(async () => {
      fake = await serve((req, body) => {
        headers.push(req.headers);
        const expected = tc3Authorization({
          secretId: 'fake-id',
          secretKey: 'fake-key',
          service: 'sms',
          host: req.headers.host!,
          timestamp: Number(req.headers['x-tc-timestamp']),
          payload: body,
        });
        if (req.headers.authorization !== expected)
          return { json: { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'bad' }, RequestId: 'r' } } };
        const parsed = JSON.parse(body) as { PhoneNumberSet: string[] };
        bodies.push(parsed);
        const number = parsed.PhoneNumberSet[0];
        const code =
          number === '+8613900000000'
            ? 'InvalidParameterValue.IncorrectPhoneNumber'
            : number === '+8613800000000'
              ? 'LimitExceeded.PhoneNumberDailyLimit'
              : 'Ok';
        return {
          json: {
            Response: { SendStatusSet: [{ SerialNo: 's', PhoneNumber: number, Code: code, Message: code === 'Ok' ? 'send success' : 'no' }], RequestId: 'r' },
          },
        };
      });
    });
    after(() => fake.server.close());
    const sender = (key = 'fake-key') =>
      tencentSender(
        { secretId: 'fake-id', secretKey: key, appId: '1400000001', signName: '登录', templateId: '449739', region: 'ap-guangzhou', baseUrl: fake.url },
        deps,
      );

    it('posts a TC3-signed SendSms with the app, signature, template and the code as its first parameter', async () => {
      await sender().send('+8613812345678', 'verify-code', { code: '042917' }, 'zh-CN');
      assert.deepEqual(bodies.at(-1), {
        PhoneNumberSet: ['+8613812345678'],
        SmsSdkAppId: '1400000001',
        SignName: '登录',
        TemplateId: '449739',
        TemplateParamSet: ['042917'],
      });
      const h = headers.at(-1)!;
      assert.equal(h['x-tc-action'], 'SendSms');
      assert.equal(h['x-tc-version'], '2021-01-11');
      assert.equal(h['x-tc-region'], 'ap-guangzhou');
      assert.equal(h['content-type'], 'application/json; charset=utf-8');
    });

    it('maps the error codes: incorrect number, daily limit, a refused signature', async () => {
      assert.deepEqual(await refusal(sender().send('+8613900000000', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'numberInvalid',
        code: 'InvalidParameterValue.IncorrectPhoneNumber',
      });
      assert.deepEqual(await refusal(sender().send('+8613800000000', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'limited',
        code: 'LimitExceeded.PhoneNumberDailyLimit',
      });
      assert.deepEqual(await refusal(sender('wrong-key').send('+8613812345678', 'verify-code', { code: '1' }, 'zh-CN')), {
        kind: 'unavailable',
        code: 'AuthFailure.SignatureFailure',
      });
    });
  });
});
