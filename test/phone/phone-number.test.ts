// The phone number normaliser: mainland mobile numbers in every way shoppers write them become +86…,
// other countries need their code, and anything else is refused.

import assert from 'node:assert/strict';
import { displayPhone, maskedPhone, normalisePhone } from '../../src/accounts/phone-number.ts';

describe('phone numbers: E.164, mainland China first', () => {
  it('accepts a mainland mobile number written any usual way', () => {
    for (const raw of [
      '13812345678',
      '138 1234 5678',
      '138-1234-5678',
      '+8613812345678',
      '+86 138 1234 5678',
      '008613812345678',
      ' (+86) 138.1234.5678 ',
      '１３８１２３４５６７８',
      '＋86 13812345678',
    ]) {
      assert.equal(normalisePhone(raw), '+8613812345678', raw);
    }
  });

  it('accepts other countries only with their code', () => {
    assert.equal(normalisePhone('+852 9123 4567'), '+85291234567');
    assert.equal(normalisePhone('00852 9123 4567'), '+85291234567');
    assert.equal(normalisePhone('+1 (415) 555-0134'), '+14155550134');
    assert.equal(normalisePhone('91234567'), undefined, 'no country code: not a mainland number either');
  });

  it('refuses what is not a mobile number it can text', () => {
    for (const raw of [
      '',
      '12345678901',
      '+86 12812345678',
      '+86 138123456789',
      '1381234567',
      '+0 123456789',
      '+1234567',
      '+1234567890123456',
      'abc',
      '138 1234 5678 ext 9',
      'x'.repeat(40),
      13812345678,
      undefined,
    ]) {
      assert.equal(normalisePhone(raw), undefined, String(raw));
    }
  });

  it('shows mainland numbers as shoppers read them, and masks the middle', () => {
    assert.equal(displayPhone('+8613812345678'), '138 1234 5678');
    assert.equal(displayPhone('+85291234567'), '+85291234567');
    assert.equal(maskedPhone('+8613812345678'), '138****5678');
  });
});
