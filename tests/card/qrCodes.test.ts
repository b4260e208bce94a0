/**
 * card/qrCodes against the payment-code formats as the schemes' and acquirers' integration
 * documents publish them, with their own examples:
 * - WeChat Pay (pay.weixin.qq.com, "Important parameters", auth_code): 18 digits, 10–14 mainland
 *   China, 15 Hong Kong; micropay API example auth_code 120061098828009406; an aggregator's
 *   micropay document (doc.weidoufu.com) example 150211238899912330.
 * - Alipay (alipay.trade.pay, auth_code example 28763443825664394; the integrators' rule
 *   "25~30开头的长度为16~24位的数字").
 * - UnionPay C2B payment code (银联付款码): 19 digits beginning 62.
 */
import { CardError } from '../../firmware/core/card/errors';
import { classifyPaymentCode } from '../../firmware/core/card/qrCodes';

function refusal(scan: Uint8Array | string): CardError {
  try {
    classifyPaymentCode(scan);
  } catch (e) {
    if (e instanceof CardError) return e;
    throw e;
  }
  throw new Error('classified');
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('classifyPaymentCode', () => {
  test.each([
    ['120061098828009406', 'wechat'], // WeChat Pay micropay example
    ['150211238899912330', 'wechat'], // Hong Kong (15)
    ['100000000000000000', 'wechat'],
    ['28763443825664394', 'alipay'], // Alipay trade.pay example, 17 digits
    ['2500000000000000', 'alipay'], // 16 digits, lowest prefix
    ['300000000000000000000000', 'alipay'], // 24 digits, highest prefix
    ['6212345678901234567', 'unionpay'],
  ])('%s: %s', (code, scheme) => {
    expect(classifyPaymentCode(code)).toEqual({ scheme, code });
    expect(classifyPaymentCode(ascii(`${code}\r\n`))).toEqual({ scheme, code });
  });

  it('scanner line ends and spaces around the code are dropped', () => {
    expect(classifyPaymentCode('\r\n 28763443825664394\r').code).toBe('28763443825664394');
    expect(classifyPaymentCode(ascii('120061098828009406\n')).scheme).toBe('wechat');
  });

  test.each([
    ['17 digits beginning 12 (WeChat is 18)', '12006109882800940'],
    ['19 digits beginning 12', '1200610988280094061'],
    ['18 digits beginning 16', '160061098828009406'],
    ['15 digits beginning 28 (Alipay is 16–24)', '287634438256643'],
    ['25 digits beginning 28', '2876344382566439400000000'],
    ['prefix 31', '31763443825664394'],
    ['prefix 24', '24763443825664394'],
    ['18 digits beginning 62 (UnionPay is 19)', '621234567890123456'],
    ['20 digits beginning 62', '62123456789012345678'],
    ['19 digits beginning 61', '6105500000000000004'],
    ['a URL QR code', 'https://qr.alipay.com/bax0000000000000'],
    ['digits with a space inside', '1200610988 28009406'],
    ['one digit', '1'],
    ['empty', ''],
    ['only a line end', '\r\n'],
    ['binary', new Uint8Array([0x00, 0xff, 0x31, 0x32])],
    ['longer than any scan', '1'.repeat(100000)],
  ])('%s: unknown-code', (_, scan) => expect(refusal(scan).code).toBe('unknown-code'));

  it('says plainly what was scanned and never repeats a long run of digits', () => {
    const card = refusal('4111111111111111');
    expect(card.message).toBe('a code of 16 digits (411111******1111): not a WeChat Pay, Alipay or UnionPay payment code');
    for (const scan of ['4111111111111111', '0000000000001', '9'.repeat(30), '9'.repeat(600), 'pay:4111111111111111', '123456789012']) {
      expect(refusal(scan).message).not.toMatch(/\d{7}/);
    }
  });
});
