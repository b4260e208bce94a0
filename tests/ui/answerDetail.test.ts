/**
 * The account probe's detail carries the profile's texts for the host's code, in English and
 * Chinese, of any length. Its Chinese form is read without a backtracking RegExp (the device's XS
 * engine ran out of native stack on one); it must still keep every value, and refuse what is not
 * that detail.
 */
import { zhDetail } from '../../firmware/core/ui/detailTexts';

const detail = (en: string, zh: string) => `host answered 03 (${en} | ${zh}) to 0200 from the primary at 2026-11-26T09:00:00Z`;

it('fills the Chinese form from the detail, texts with spaces, bars and parentheses included', () => {
  expect(zhDetail('account.merchant-restricted', detail('Invalid merchant', '无效商户'))).toMatch(/^\S+于 2026-11-26T09:00:00Z 对 0200 应答 03（无效商户）$/);
  const odd = zhDetail('account.ok', detail('Call (issuer) | now', '请联系（发卡行）'));
  expect(odd).toContain('0200');
  expect(odd).toContain('请联系（发卡行）');
  expect(odd).toContain('2026-11-26T09:00:00Z');
});

it('takes long texts in one pass and refuses details of another shape', () => {
  const long = '商'.repeat(5000);
  expect(zhDetail('account.ok', detail('x'.repeat(5000), long))).toContain(long);
  expect(zhDetail('account.ok', 'host answered 3 (a | b) to 0200 from the primary at 2026-11-26T09:00:00Z')).toBeUndefined();
  expect(zhDetail('account.ok', 'host answered 03 (a | b) to 0200 from the moon at 2026-11-26T09:00:00Z')).toBeUndefined();
  expect(zhDetail('account.ok', 'host answered 03 (a b) to 0200 from the primary at 2026-11-26T09:00:00Z')).toBeUndefined();
});
