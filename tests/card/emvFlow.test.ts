/**
 * readEmvCard against scripted cards: a contact UnionPay card found through the candidate list
 * (no PSE) read to an ARQC, with the GENERATE AC data checked byte by byte against the CDOL1 and
 * field 55 decoded by an independent parser (ber-tlv 0.9.2); contactless limits; GPO 6985; the
 * cardholder's choice; a card missing its mandatory data; a failed ODA in the TVR.
 */
import { TlvFactory } from 'ber-tlv';
import { CARD_DEFAULTS, type CardProfile } from '../../firmware/core/config/cardProfile';
import type { ApduChannel } from '../../firmware/core/card/emv/apdu';
import { readEmvCard, type EmvReadOptions } from '../../firmware/core/card/emv/flow';
import { tvrBits } from '../../firmware/core/card/emv/tvr';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const a = (s: string): string => Buffer.from(s, 'latin1').toString('hex').toUpperCase();
const len = (hexs: string): string => (hexs.length / 2).toString(16).padStart(2, '0').toUpperCase();
const tlv = (tag: string, v: string): string => tag + len(v) + v;

/** Answers by command; commands not scripted get 6A82. */
class Script implements ApduChannel {
  sent: string[] = [];
  constructor(private readonly answers: Record<string, string>) {}
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const c = h(apdu);
    this.sent.push(c);
    return hex(this.answers[c] ?? '6A82');
  }
}

const UP = 'A000000333010101';
const fci = (aid: string, label: string, extra = ''): string => tlv('6F', tlv('84', aid) + tlv('A5', tlv('50', a(label)) + tlv('87', '01') + extra)) + '9000';
const REC1 = tlv('70', tlv('57', '6212345678901234D27122010000000000000F') + tlv('5F20', a('ZHANG/SAN')) + tlv('8E', '00000000000000004203' + '1F03'));
const CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F3704';
const REC2 = tlv('70', tlv('5A', '6212345678901234') + tlv('5F24', '271231') + tlv('5F34', '01') + tlv('8C', CDOL1));
const GENAC_R = tlv('80', '80' + '0001' + '1122334455667788' + '07010103A00000010A') + '9000';

const contactCard = (): Record<string, string> => ({
  ['00A404000E' + a('1PAY.SYS.DDF01') + '00']: '6A82',
  ['00A4040008' + UP + '00']: fci(UP, 'UnionPay Debit'),
  '80A8000002830000': tlv('80', '1800' + '08010100' + '10010101') + '9000',
  '00B2010C00': REC1 + '9000',
  '00B2011400': REC2 + '9000',
});

const params = (profile: CardProfile = CARD_DEFAULTS, amountMinor = 12345): EmvReadOptions['params'] => ({ amountMinor, currency: '0156', txnType: 0, date: '250102', unpredictable: hex('01020304'), profile });

describe('readEmvCard, contact', () => {
  it('candidate list → GPO format 1 → AFL → GENERATE AC ARQC; CDOL1 data and field 55 as EMV builds them', async () => {
    const answers = contactCard();
    const genacData = '000000012345' + '000000000000' + '0156' + '8000008000' + '0156' + '250102' + '00' + '01020304';
    answers['80AE80001D' + genacData + '00'] = GENAC_R;
    const card = new Script(answers);
    const r = await readEmvCard(card, { interface: 'contact', params: params() });
    expect(card.sent.filter((c) => c.startsWith('80AE'))).toEqual(['80AE80001D' + genacData + '00']);
    expect(r).toMatchObject({ aid: UP, label: 'UnionPay Debit', pan: '6212345678901234', expiry: '2712', panSeq: '01', track2: '6212345678901234=27122010000000000000', serviceCode: '201', cardholderName: 'ZHANG/SAN', cvm: 'online-pin', cryptogram: 'ARQC' });
    expect(h(r.aip)).toBe('1800');
    expect(tvrBits(r.tvr)).toEqual(['odaNotPerformed', 'floorLimitExceeded']);
    const f55 = (TlvFactory.parse(Buffer.from(r.icc)) as { tag: string; value: Buffer }[]).map((t) => [t.tag.toUpperCase(), t.value.toString('hex').toUpperCase()]);
    expect(f55).toEqual([
      ['9F26', '1122334455667788'], ['9F27', '80'], ['9F10', '07010103A00000010A'], ['9F37', '01020304'], ['9F36', '0001'], ['95', '8000008000'], ['9A', '250102'], ['9C', '00'],
      ['9F02', '000000012345'], ['5F2A', '0156'], ['82', '1800'], ['9F1A', '0156'], ['9F03', '000000000000'], ['9F33', 'E0F8C8'], ['9F34', '420300'], ['9F35', '22'], ['84', UP],
    ]);
  });

  it('a card without CDOL1 (8C) is refused: missing-tag', async () => {
    const answers = contactCard();
    answers['00B2011400'] = tlv('70', tlv('5A', '6212345678901234') + tlv('5F24', '271231')) + '9000';
    await expect(readEmvCard(new Script(answers), { interface: 'contact', params: params() })).rejects.toMatchObject({ code: 'missing-tag' });
  });

  it('several applications: the cardholder chooses; cancel is cardholder-cancelled', async () => {
    const answers = contactCard();
    const CR = 'A000000333010102';
    answers['00A4040008' + CR + '00'] = fci(CR, 'UnionPay Credit');
    let offered: string[] = [];
    const choose = async (c: { label: string }[]): Promise<number | undefined> => {
      offered = c.map((x) => x.label);
      return undefined;
    };
    await expect(readEmvCard(new Script(answers), { interface: 'contact', params: params(), choose })).rejects.toMatchObject({ code: 'cardholder-cancelled' });
    expect(offered).toEqual(['UnionPay Debit', 'UnionPay Credit']);
  });

  it('an ODA failure goes into the TVR (DDA failed), and the read goes on', async () => {
    const answers = contactCard();
    answers['80A8000002830000'] = tlv('80', '3800' + '08010100' + '10010101') + '9000'; // AIP: DDA supported
    const card = new Script(new Proxy(answers, { get: (t, k: string) => t[k] ?? (k.startsWith('80AE') ? GENAC_R : undefined) }));
    const r = await readEmvCard(card, { interface: 'contact', params: params(), oda: async (input) => {
      expect(h(input.staticData)).toBe(h(hex(REC2).subarray(2))); // SFI 2 record 1, the 70 value
      expect(input.rid).toBe('A000000333');
      return { method: 'dda', ok: false, failure: 'sdad-invalid', detail: 'signature does not verify' };
    } });
    expect(tvrBits(r.tvr)).toEqual(['ddaFailed', 'floorLimitExceeded']);
    expect(r.oda).toMatchObject({ method: 'dda', ok: false });
  });
});

describe('readEmvCard, contactless', () => {
  const ppse = (aids: string[]): string =>
    tlv('6F', tlv('84', a('2PAY.SYS.DDF01')) + tlv('A5', tlv('BF0C', aids.map((x, i) => tlv('61', tlv('4F', x) + tlv('87', '0' + (i + 1)))).join('')))) + '9000';
  const ctless = (): Record<string, string> => ({
    ['00A404000E' + a('2PAY.SYS.DDF01') + '00']: ppse([UP]),
    ['00A4040008' + UP + '00']: fci(UP, 'UnionPay Debit'),
    '80A8000002830000': tlv('77', tlv('82', '0080') + tlv('94', '08010100')) + '9000',
    '00B2010C00': tlv('70', tlv('57', '6212345678901234D2712201') + tlv('9F26', '0102030405060708') + tlv('9F27', '80') + tlv('9F36', '0005') + tlv('9F6C', '0000')) + '9000',
  });
  const limited: CardProfile = { ...CARD_DEFAULTS, aids: [{ aid: UP, label: 'UnionPay Debit', partialMatch: true, contactless: { floorLimitMinor: 0, transactionLimitMinor: 100_000, cvmLimitMinor: 30_000 } }] };

  it('under the CVM limit: no CVM, the cryptogram from the records, PAN from track 2', async () => {
    const r = await readEmvCard(new Script(ctless()), { interface: 'contactless', params: params(limited, 20_000) });
    expect(r).toMatchObject({ pan: '6212345678901234', expiry: '2712', cvm: 'none', cryptogram: 'ARQC' });
    expect(h(r.icc).startsWith('9F26080102030405060708')).toBe(true);
  });

  it('above the CVM limit: online PIN (CUP)', async () => {
    const r = await readEmvCard(new Script(ctless()), { interface: 'contactless', params: params(limited, 50_000) });
    expect(r.cvm).toBe('online-pin');
  });

  it('at the transaction limit: limit-exceeded before GPO', async () => {
    const card = new Script(ctless());
    await expect(readEmvCard(card, { interface: 'contactless', params: params(limited, 100_000) })).rejects.toMatchObject({ code: 'limit-exceeded' });
    expect(card.sent.some((c) => c.startsWith('80A8'))).toBe(false);
  });

  it('GPO 6985: the next application is tried', async () => {
    const answers = ctless();
    const V = 'A0000000031010';
    answers['00A404000E' + a('2PAY.SYS.DDF01') + '00'] = ppse([V, UP]);
    answers['00A4040007' + V + '00'] = fci(V, 'VISA');
    const card = new Script(answers);
    const order: string[] = [];
    const original = answers['80A8000002830000'];
    card.transmit = async function (this: Script, apdu: Uint8Array) {
      const c = h(apdu);
      this.sent.push(c);
      if (c.startsWith('00A404')) order.push(c);
      if (c === '80A8000002830000' && order.length === 2) return hex('6985');
      return hex(c === '80A8000002830000' ? original : answers[c] ?? '6A82');
    };
    const r = await readEmvCard(card, { interface: 'contactless', params: params(CARD_DEFAULTS, 100) });
    expect(r.aid).toBe(UP);
    expect(order.length).toBe(3);
  });

  it('a card without 57 or 5A: missing-tag', async () => {
    const answers = ctless();
    answers['00B2010C00'] = tlv('70', tlv('9F26', '0102030405060708')) + '9000';
    await expect(readEmvCard(new Script(answers), { interface: 'contactless', params: params(limited, 100) })).rejects.toMatchObject({ code: 'missing-tag' });
  });
});

describe('readEmvCard, card data the card cannot override (review findings)', () => {
  const genac = (answers: Record<string, string>) => {
    // any GENERATE AC gets the same ARQC
    return new (class extends Script {
      override async transmit(apdu: Uint8Array): Promise<Uint8Array> {
        if (apdu[0] === 0x80 && apdu[1] === 0xae) return (this.sent.push(h(apdu)), hex(GENAC_R));
        return super.transmit(apdu);
      }
    })(answers);
  };
  // AIP 4000: SDA offered; records 1 of SFI 1 flagged for ODA.
  const sdaCard = (rec1: string, extraFci = ''): Record<string, string> => ({
    ['00A404000E' + a('1PAY.SYS.DDF01') + '00']: '6A82',
    ['00A4040008' + UP + '00']: fci(UP, 'UnionPay Debit', extraFci),
    '80A8000002830000': tlv('80', '4000' + '08010101' + '10010100') + '9000',
    '00B2010C00': rec1 + '9000',
    '00B2011400': REC2 + '9000',
  });
  const withOda = (seen: { un?: string; calls: number }): EmvReadOptions => ({
    interface: 'contact',
    params: params(),
    oda: async (input) => {
      seen.calls++;
      seen.un = h(input.tags.get(0x9f37)!);
      return { method: 'sda', ok: true };
    },
  });

  it("a record's own 9F37 never replaces the terminal's unpredictable number ODA signs", async () => {
    const seen = { calls: 0 } as { un?: string; calls: number };
    const rec1 = tlv('70', tlv('57', '6212345678901234D27122010000000000000F') + tlv('9F37', '00000000'));
    await readEmvCard(genac(sdaCard(rec1)), withOda(seen));
    expect(seen).toEqual({ calls: 1, un: '01020304' });
  });

  it("the records' PAN replaces an FCI's, and a data object read twice from the card ends the read", async () => {
    const rec1 = tlv('70', tlv('57', '6212345678901234D27122010000000000000F'));
    const r = await readEmvCard(genac(sdaCard(rec1, tlv('5A', '6222029999999999999F'))), { interface: 'contact', params: params() });
    expect(r.pan).toBe('6212345678901234');
    const twice = tlv('70', tlv('57', '6212345678901234D27122010000000000000F') + tlv('5A', '6222029999999999999F'));
    await expect(readEmvCard(genac(sdaCard(twice)), { interface: 'contact', params: params() })).rejects.toMatchObject({ code: 'tlv-malformed', message: expect.stringContaining('5A appears twice') });
  });

  it('a record for ODA that is not a 70 template fails SDA without asking the ODA step', async () => {
    const seen = { calls: 0 } as { un?: string; calls: number };
    const rec1 = tlv('77', tlv('57', '6212345678901234D27122010000000000000F'));
    const r = await readEmvCard(genac(sdaCard(rec1)), withOda(seen));
    expect(seen.calls).toBe(0);
    expect(r.oda).toMatchObject({ method: 'sda', ok: false, failure: 'missing-data' });
    expect(tvrBits(r.tvr)).toContain('sdaFailed');
  });
});

describe('the PAN (5A) and the dates of the application (processing restrictions)', () => {
  /** The contact card with its second record's 5A / 5F24 / 5F25 replaced; GENERATE AC answers whatever it is asked. */
  const withRec2 = (objects: string) => {
    const answers = contactCard();
    answers['00B2011400'] = tlv('70', objects + tlv('5F34', '01') + tlv('8C', CDOL1)) + '9000';
    return new Script(new Proxy(answers, { get: (t, k: string) => t[k] ?? (k.startsWith('80AE') ? GENAC_R : undefined) }));
  };
  const read = (objects: string, date = '250102') =>
    readEmvCard(withRec2(objects), { interface: 'contact', params: { ...params(), date } });

  it('a 5A padded with trailing F reads as its digits', async () => {
    const r = await read(tlv('5A', '621234567890123F') + tlv('5F24', '271231'));
    expect(r.pan).toBe('621234567890123');
  });

  it.each([
    ['a D separator', '6212345678D01234'],
    ['a digit after the F padding', '62123456789012F4'],
    ['a nibble A–E', '6212345678901A34'],
  ])('a 5A with %s is tlv-malformed (no = and no dropped nibble in a PAN)', async (_what, pan) => {
    await expect(read(tlv('5A', pan) + tlv('5F24', '271231'))).rejects.toMatchObject({ code: 'tlv-malformed' });
  });

  // EMV Book 3 §10.5.2/§10.5.3 and Annex C5: TVR byte 2 b7 expired application, b6 not yet effective.
  it('an application expired (5F24 before 9A) sets TVR byte 2 b7; the read goes on to the ARQC', async () => {
    const r = await read(tlv('5A', '6212345678901234') + tlv('5F24', '250101'));
    expect(r.tvr[1] & 0x40).toBe(0x40);
    expect(tvrBits(r.tvr)).toContain('applicationExpired');
    expect(r.cryptogram).toBe('ARQC');
  });

  it('expiring today is not expired; 5F24 in 2049 is after 2025 (YY < 50 is 20YY)', async () => {
    expect((await read(tlv('5A', '6212345678901234') + tlv('5F24', '250102'))).tvr[1]).toBe(0);
    expect((await read(tlv('5A', '6212345678901234') + tlv('5F24', '491231'))).tvr[1]).toBe(0);
  });

  it('an effective date (5F25) after 9A sets TVR byte 2 b6; one before or today sets nothing', async () => {
    const later = await read(tlv('5A', '6212345678901234') + tlv('5F24', '271231') + tlv('5F25', '250103'));
    expect(later.tvr[1]).toBe(0x20);
    expect(later.cryptogram).toBe('ARQC');
    const earlier = await read(tlv('5A', '6212345678901234') + tlv('5F24', '271231') + tlv('5F25', '250102'));
    expect(earlier.tvr[1]).toBe(0);
  });
});
