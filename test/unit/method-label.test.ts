// A sign-in method's label in the page's language: the provider's own, the translated word for the native
// password (every page names it the same way, the account deletion page included), the id otherwise.

import assert from 'node:assert/strict';
import { DESCRIPTORS } from '../../providers/index.ts';
import { methodLabel } from '../../src/i18n/method-label.ts';

const descriptors = new Map(DESCRIPTORS.map((d) => [d.id, d]));

describe('method labels', () => {
  it('a configured provider reads as its label in the language asked for', () => {
    const weibo = descriptors.get('weibo')!;
    assert.equal(methodLabel(descriptors, 'weibo', 'zh-CN'), weibo.label['zh-CN']);
    assert.equal(methodLabel(descriptors, 'weibo', 'en'), weibo.label.en);
    assert.notEqual(weibo.label['zh-CN'], weibo.label.en);
  });

  it('the native password reads as a word of the page, in both languages', () => {
    assert.equal(methodLabel(descriptors, 'password', 'zh-CN'), '密码');
    assert.equal(methodLabel(descriptors, 'password', 'en'), 'Password');
  });

  it('a provider no longer configured reads as its id', () => {
    assert.equal(methodLabel(descriptors, 'renren', 'zh-CN'), 'renren');
  });
});
