/**
 * Command APDUs against the bytes recorded in public traces (devnied, binaryfoo) and the T=0
 * rules of ISO/IEC 7816-4 (61xx GET RESPONSE, 6Cxx resend with Le) over a scripted channel.
 */
import { CardError } from '../../firmware/core/card/errors';
import { generateAcApdu, getDataApdu, getResponseApdu, gpoApdu, internalAuthenticateApdu, readRecordApdu, selectApdu, sw, swHex, withLe, type ApduChannel } from '../../firmware/core/card/emv/apdu';
import { T0Channel } from '../../firmware/core/card/emv/t0';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

class Script implements ApduChannel {
  sent: string[] = [];
  constructor(private readonly answers: Record<string, string[]>) {}
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const c = h(apdu);
    this.sent.push(c);
    const list = this.answers[c];
    if (!list || list.length === 0) return hex('6D00');
    return hex(list.shift()!);
  }
}

describe('APDU builders', () => {
  it('match recorded commands', () => {
    expect(h(selectApdu(ascii('2PAY.SYS.DDF01')))).toBe('00A404000E325041592E5359532E444446303100');
    expect(h(selectApdu(hex('A0000000041010')))).toBe('00A4040007A000000004101000');
    expect(h(selectApdu(hex('A000000003'), true))).toBe('00A4040205A00000000300');
    expect(h(gpoApdu(new Uint8Array(0)))).toBe('80A8000002830000');
    expect(h(readRecordApdu(2, 1))).toBe('00B2011400');
    expect(h(readRecordApdu(11, 17))).toBe('00B2115C00');
    expect(h(getDataApdu(0x9f36))).toBe('80CA9F3600');
    expect(h(generateAcApdu(0x50, hex('00000001000100000000000000020000000000003612031500000EEC8522000000000000000000005E0300')))).toBe(
      '80AE50002B00000001000100000000000000020000000000003612031500000EEC8522000000000000000000005E030000',
    );
    expect(h(internalAuthenticateApdu(hex('01020304')))).toBe('008800000401020304' + '00');
    expect(h(getResponseApdu(0x33))).toBe('00C0000033');
    expect(() => generateAcApdu(0x80, new Uint8Array(256))).toThrow(CardError);
  });

  it('status words', () => {
    expect(swHex(sw(hex('6A82')))).toBe('6A82');
    expect(() => sw(hex('90'))).toThrow(expect.objectContaining({ code: 'card-status' }));
    expect(h(withLe(hex('00A4040005A00000000300'), 1))).toBe('00A4040005A00000000301');
    expect(h(withLe(hex('00A4040005A000000003'), 1))).toBe('00A4040005A00000000301');
    expect(h(withLe(hex('00C0000000'), 0x20))).toBe('00C0000020');
  });
});

describe('T=0', () => {
  it('61xx: GET RESPONSE, concatenated while the card says 61xx', async () => {
    const card = new Script({ '00A4040005A00000000300': ['6104'], '00C0000004': ['11223344610 2'.replace(' ', '')], '00C0000002': ['55669000'] });
    const r = await new T0Channel(card).transmit(hex('00A4040005A00000000300'));
    expect(h(r)).toBe('112233445566' + '9000');
    expect(card.sent).toEqual(['00A4040005A00000000300', '00C0000004', '00C0000002']);
  });

  it('6Cxx: the same command again with Le = xx, once', async () => {
    const card = new Script({ '00B2011400': ['6C10'], '00B2011410': ['70' + '0E' + '5A0812345678901234565F2401FF' + '9000'] });
    const r = await new T0Channel(card).transmit(hex('00B2011400'));
    expect(h(r).endsWith('9000')).toBe(true);
    expect(card.sent).toEqual(['00B2011400', '00B2011410']);
  });

  it('a card answering 61xx forever is stopped after 16 GET RESPONSE', async () => {
    const card: ApduChannel = { transmit: async () => hex('6101') };
    await expect(new T0Channel(card).transmit(hex('00A4040000'))).rejects.toMatchObject({ code: 'card-status' });
  });

  it('other status words pass through', async () => {
    const card = new Script({ '00A4040005A00000000300': ['6A82'] });
    expect(h(await new T0Channel(card).transmit(hex('00A4040005A00000000300')))).toBe('6A82');
  });
});
