// A sign-in method's label in the page's language: the provider's own, the native methods' own (every page
// names them the same way, the account deletion page included), the id otherwise.

import assert from 'node:assert/strict';
import { DESCRIPTORS } from '../../providers/index.ts';
import { PASSWORD_DESCRIPTOR } from '../../src/accounts/password-method.ts';
import { PHONE_DESCRIPTOR } from '../../src/accounts/phone-method.ts';
import { methodLabel } from '../../src/i18n/method-label.ts';

const descriptors = new Map(DESCRIPTORS.map((d) => [d.id, d]));

describe('method labels', () => {
  it('a configured provider reads as its label in the language asked for', () => {
    const weibo = descriptors.get('weibo')!;
    assert.equal(methodLabel(descriptors, 'weibo', 'zh-CN'), weibo.label['zh-CN']);
    assert.equal(methodLabel(descriptors, 'weibo', 'en'), weibo.label.en);
    assert.notEqual(weibo.label['zh-CN'], weibo.label.en);
  });

  it('the native methods read as their own labels, in both languages, even where a map lacks them', () => {
    assert.equal(methodLabel(descriptors, 'password', 'zh-CN'), PASSWORD_DESCRIPTOR.label['zh-CN']);
    assert.equal(methodLabel(descriptors, 'password', 'en'), PASSWORD_DESCRIPTOR.label.en);
    assert.equal(methodLabel(descriptors, 'phone', 'en'), PHONE_DESCRIPTOR.label.en);
    assert.notEqual(PASSWORD_DESCRIPTOR.label.en, 'password');
  });

  it('a provider no longer configured reads as its id', () => {
    assert.equal(methodLabel(descriptors, 'renren', 'zh-CN'), 'renren');
  });
});
