/**
 * The acquirer's MACs and books over real TCP: request MACs verified (A0 when wrong, missing or
 * before sign-on), answer MACs checked with openssl, sales and reversals in the batch totals,
 * a resent reversal undoing nothing more, balanced and unbalanced settlement, batch upload.
 */
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { cupEcbMac, x919Mac } from '../../host-sim/acquirer/hostCrypto';
import { cupMacReference, retailMacReference } from '../security/macReferences';
import { config, field, frame, HostClient, MID, PAN, profile, referenceMac, reversalFrame, saleFrame, settlementFrame, signOn, TID } from './hostClient';

let acquirer: Acquirer;
let client: HostClient;
let mac: string;
afterEach(async () => {
  // Set by signedOn(); the arithmetic tests start no acquirer.
  (client as HostClient | undefined)?.close();
  await (acquirer as Acquirer | undefined)?.close();
});

async function signedOn(p = profile('cup-style')) {
  acquirer = await startAcquirer(config(p));
  client = await HostClient.connect(acquirer.ports[0]);
  mac = (await signOn(client)).mac;
}

describe('acquirer MAC arithmetic (independent of the firmware\'s)', () => {
  it('gives the published CUP ECB MAC example and agrees with openssl on other lengths', () => {
    // solo123/pgate test/integration/pos_mac_test.rb: MAB 1234567890ABCDEF ABCDEF1234567890, MAK 22…22 → "E267B6E2".
    const mab = Buffer.from('1234567890abcdefabcdef1234567890', 'hex');
    expect(Buffer.from(cupEcbMac(Buffer.alloc(8, 0x22), mab)).toString('latin1')).toBe('E267B6E2');
    const key = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
    for (const n of [0, 1, 7, 8, 9, 61]) {
      const data = Buffer.alloc(n, n + 1);
      expect(Buffer.from(cupEcbMac(key, data)).toString('latin1')).toBe(cupMacReference(key.toString('hex'), data));
    }
  });

  it('gives the X9.19 MAC openssl gives, with padding methods 1 and 2', () => {
    const key = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
    for (const n of [0, 5, 8, 21]) {
      const data = Buffer.alloc(n, 0xa5);
      const zeros = Buffer.concat([data, Buffer.alloc(Math.max(1, Math.ceil(n / 8)) * 8 - n)]);
      const method2 = Buffer.concat([data, Buffer.from([0x80]), Buffer.alloc(Math.ceil((n + 1) / 8) * 8 - n - 1)]);
      expect(Buffer.from(x919Mac(key, data, 1))).toEqual(retailMacReference(key.toString('hex'), zeros));
      expect(Buffer.from(x919Mac(key, data, 2))).toEqual(retailMacReference(key.toString('hex'), method2));
    }
  });
});

describe('acquirer request and answer MACs', () => {
  it('approves a sale whose MAC verifies, with RRN, authorization code and an answer MAC openssl agrees with', async () => {
    await signedOn();
    const answer = await client.answer(saleFrame('000002', 12_345, mac));
    expect(answer.message.mti).toBe('0210');
    expect(field(answer, 39)).toBe('00');
    expect(field(answer, 37)).toMatch(/^\d{12}$/);
    expect(field(answer, 38)).toMatch(/^\d{6}$/);
    expect([field(answer, 2), field(answer, 4), field(answer, 11), field(answer, 41), field(answer, 42)]).toEqual([PAN, '000000012345', '000002', TID, MID]);
    expect(Buffer.from(field(answer, 64) as Uint8Array)).toEqual(referenceMac(mac, answer.packed));
  });

  it('answers A0, without a MAC and without booking, to a wrong MAC, a missing one, and a sale before sign-on', async () => {
    await signedOn();
    const wrongKey = '11'.repeat(16);
    for (const request of [saleFrame('000002', 100, wrongKey), saleFrame('000003', 100, undefined)]) {
      const answer = await client.answer(request);
      expect(field(answer, 39)).toBe('A0');
      expect(field(answer, 64)).toBeUndefined();
    }
    expect(acquirer.batch(TID)).toBeUndefined();
    await acquirer.close();
    acquirer = await startAcquirer(config(profile('cup-style')));
    client.close();
    client = await HostClient.connect(acquirer.ports[0]);
    expect(field(await client.answer(saleFrame('000004', 100, mac)), 39)).toBe('A0');
  });

  it('verifies and MACs with X9.19 when the profile says so', async () => {
    await signedOn(profile('cup-style', { mac: 'x9.19', macPadding: 1 }));
    const answer = await client.answer(saleFrame('000002', 500, mac, '000001', 'x9.19'));
    expect(field(answer, 39)).toBe('00');
    expect(Buffer.from(field(answer, 64) as Uint8Array)).toEqual(referenceMac(mac, answer.packed, 'x9.19'));
    expect(field(await client.answer(saleFrame('000003', 500, mac, '000001', 'cup-ecb')), 39)).toBe('A0');
  });

  it('drops the keys at sign-off: the next sale is A0', async () => {
    await signedOn();
    expect(field(await client.answer(frame('0820', [[11, '000002'], [41, TID], [42, MID], [60, '00000001002']])), 39)).toBe('00');
    expect(field(await client.answer(saleFrame('000003', 100, mac)), 39)).toBe('A0');
  });
});

describe('acquirer batch totals', () => {
  it('books approved sales, undoes a reversed one once however often it is resent, and refuses a STAN seen before', async () => {
    await signedOn();
    for (const [stan, amount] of [['000002', 1000], ['000003', 2000], ['000004', 4000]] as const) expect(field(await client.answer(saleFrame(stan, amount, mac)), 39)).toBe('00');
    for (let i = 0; i < 3; i++) {
      const answer = await client.answer(reversalFrame('000003', 2000, mac));
      expect([answer.message.mti, field(answer, 39), field(answer, 11)]).toEqual(['0410', '00', '000003']);
      expect(Buffer.from(field(answer, 64) as Uint8Array)).toEqual(referenceMac(mac, answer.packed));
    }
    expect(acquirer.batch(TID)).toMatchObject({ batchNo: '000001', count: 2, amountMinor: 5000, reversals: 1 });
    expect(field(await client.answer(saleFrame('000004', 9000, mac)), 39)).toBe('94');
    expect(field(await client.answer(reversalFrame('000099', 1, mac)), 39)).toBe('00'); // no original: acknowledged, nothing undone
    expect(acquirer.batch(TID)).toMatchObject({ count: 2, amountMinor: 5000, reversals: 1 });
  });

  it('keeps batches apart by the batch number in field 60', async () => {
    await signedOn();
    await client.answer(saleFrame('000002', 700, mac, '000001'));
    await client.answer(saleFrame('000002', 300, mac, '000002'));
    expect(acquirer.batch(TID, '000001')).toMatchObject({ count: 1, amountMinor: 700 });
    expect(acquirer.batch(TID)).toMatchObject({ batchNo: '000002', count: 1, amountMinor: 300 });
  });

  it('settles balanced (48 code 1) when the terminal\'s totals match, unbalanced (2) when not, then takes the batch upload', async () => {
    await signedOn();
    await client.answer(saleFrame('000002', 1500, mac));
    await client.answer(saleFrame('000003', 2500, mac));
    const balanced = await client.answer(settlementFrame('000004', 2, 4000));
    expect([balanced.message.mti, field(balanced, 39)]).toEqual(['0510', '00']);
    const totals = field(balanced, 48) as string;
    expect(totals).toHaveLength(62);
    expect([totals.slice(0, 12), totals.slice(12, 15), totals[30], totals[61]]).toEqual(['000000004000', '002', '1', '1']);
    expect(acquirer.batch(TID)?.settlement).toBe('balanced');

    await client.answer(saleFrame('000002', 100, mac, '000002'));
    const unbalanced = await client.answer(settlementFrame('000003', 2, 200, '000002'));
    expect((field(unbalanced, 48) as string)[30]).toBe('2');
    expect(acquirer.batch(TID, '000002')?.settlement).toBe('unbalanced');
    // Field 48 of an upload (CUP 批上送): count n2, then per sale organisation n2 ‖ STAN n6 ‖ PAN n20 ‖ amount n12.
    const record = (stan: string, amount: number) => `00${stan}${PAN.padStart(20, '0')}${String(amount).padStart(12, '0')}`;
    const upload = (stan: string, records: string[]) => frame('0320', [[11, stan], [41, TID], [42, MID], [48, String(records.length).padStart(2, '0') + records.join('')], [60, '00000002201']]);
    expect(field(await client.answer(upload('000004', [record('000002', 100)])), 39)).toBe('00');
    expect(field(await client.answer(upload('000005', [record('000007', 50), record('000008', 50)])), 39)).toBe('00');
    expect(acquirer.batch(TID, '000002')).toMatchObject({ uploaded: 3, uploadEnded: false });
    const end = await client.answer(frame('0320', [[11, '000006'], [41, TID], [42, MID], [48, '0003'], [60, '00000002202']]));
    expect([end.message.mti, field(end, 39)]).toEqual(['0330', '00']);
    expect(acquirer.batch(TID, '000002')).toMatchObject({ uploaded: 3, uploadEnded: true });
    // After a balanced settlement the terminal ends an empty upload with 207.
    await client.answer(frame('0320', [[11, '000007'], [41, TID], [42, MID], [48, '0000'], [60, '00000001207']]));
    expect(acquirer.batch(TID, '000001')).toMatchObject({ uploaded: 0, uploadEnded: true });
  });

  it('books an offline sale\'s advice (0220) once, however often the terminal forwards it', async () => {
    await signedOn();
    const advice = () =>
      frame('0220', [[2, PAN], [3, '000000'], [4, '000000000300'], [11, '000005'], [41, TID], [42, MID], [22, '071'], [25, '00'], [49, '156'], [60, '3000000100060']], mac);
    for (let i = 0; i < 2; i++) {
      const answer = await client.answer(advice());
      expect([answer.message.mti, field(answer, 39)]).toEqual(['0230', '00']);
      expect(Buffer.from(field(answer, 64) as Uint8Array)).toEqual(referenceMac(mac, answer.packed));
    }
    expect(acquirer.batch(TID)).toMatchObject({ count: 1, amountMinor: 300 });
  });
});
