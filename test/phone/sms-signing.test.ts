// Request signing of the SMS adapters against the providers' documented examples: Aliyun's RPC
// signature (HMAC-SHA1 over the canonicalised query) with the SendSms example of its SDKs and docs
// (AccessKeySecret "testSecret" → zJDF+Lrzhj/ThnlvIToysFRq6t4=), and Tencent Cloud's TC3-HMAC-SHA256
// with the documented CVM DescribeInstances example (timestamp 1551113065 → 72e494ea…5168).

import assert from 'node:assert/strict';
import { aliyunCanonicalQuery, aliyunEncode, aliyunNumber, aliyunSignature } from '../../src/sms/aliyun-sms.ts';
import { tc3Authorization } from '../../src/sms/tencent-sms.ts';

describe('SMS request signing', () => {
  it('Aliyun: the documented SendSms example signs to zJDF+Lrzhj/ThnlvIToysFRq6t4=', () => {
    const params = {
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      AccessKeyId: 'testId',
      SignatureVersion: '1.0',
      Timestamp: '2017-07-12T02:42:19Z',
      Format: 'XML',
      Action: 'SendSms',
      Version: '2017-05-25',
      RegionId: 'cn-hangzhou',
      PhoneNumbers: '15300000001',
      SignName: '阿里云短信测试专用',
      TemplateParam: '{"customer":"test"}',
      TemplateCode: 'SMS_71390007',
      OutId: '123',
    };
    assert.equal(
      aliyunCanonicalQuery(params),
      'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25',
    );
    const signature = aliyunSignature('testSecret', 'GET', params);
    assert.equal(signature, 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    assert.equal(aliyunEncode(signature), 'zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D');
  });

  it('Aliyun: percent-encodes as RFC 3986 wants (space %20, * %2A, ~ kept), and numbers as Aliyun takes them', () => {
    assert.equal(aliyunEncode("a b*c~d!e'(f)"), 'a%20b%2Ac~d%21e%27%28f%29');
    assert.equal(aliyunNumber('+8613812345678'), '13812345678');
    assert.equal(aliyunNumber('+85291234567'), '85291234567');
  });

  it('Tencent Cloud: the documented TC3-HMAC-SHA256 example signs to 72e494ea…5168', () => {
    const authorization = tc3Authorization({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    });
    assert.equal(
      authorization,
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });
});
