/**
 * The host session against a CUP-style host written in the test (sessionHarness.ts: its own MAC
 * on node:crypto, its own ledger): sign-on, sales, reversals, MAC failures, response categories,
 * store-and-forward, settlement with batch upload, STANs across reboots.
 */
import { createCipheriv } from 'node:crypto';
import { CupHost, InProcessLink, bootTerminal, newFlash, TID } from './sessionHarness';
import type { SaleRequest } from '../../firmware/core/host/session';

const TRACK2 = '6222021234567890123=25121011234567';
const swiped: SaleRequest = { amountMinor: 1234, entry: 'magstripe', track2: TRACK2 };
const PIN_BLOCK = Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
const kcv = (k: Buffer) => {
  const c = createCipheriv('des-ede-ecb', k, null);
  c.setAutoPadding(false);
  return c.update(Buffer.alloc(8)).subarray(0, 4).toString('hex').toUpperCase();
};

async function signedOn(host = new CupHost(), flash = newFlash()) {
  const link = new InProcessLink(host);
  const t = bootTerminal(flash, link);
  const outcome = await t.session.signOn();
  expect(outcome).toMatchObject({ kind: 'answered', answer: { code: '00', category: 'approved', mti: '0810' } });
  return { ...t, host, link, flash };
}

describe('sign-on', () => {
  it('sends 0800 with type 00, the batch and network code 003, installs the host key block and takes the host batch', async () => {
    const { session, keys, host } = await signedOn();
    const req = host.requests[0];
    expect(req.mti).toBe('0800');
    expect(req.fields.get(60)).toBe('00000001003');
    expect(req.fields.get(63)).toBe('01 ');
    expect(req.fields.get(41)).toBe(TID);
    expect(keys.status().keys.map((k) => `${k.name}:${k.kcv}`)).toEqual([`pin:${kcv(host.pik)}`, `mac:${kcv(host.mak)}`]);
    expect(session.status()).toMatchObject({ signedOn: true, batch: 7, needsSignOn: false, stan: 1 });
  });

  it('refuses a sale before sign-on, and a sign-on answer with a key block of the wrong check value installs nothing', async () => {
    const host = new CupHost();
    const t = bootTerminal(newFlash(), new InProcessLink(host));
    expect(await t.session.sale(swiped)).toMatchObject({ kind: 'refused', code: 'not-signed-on' });
    const mak = host.mak;
    host.handle = ((orig) => (body: Uint8Array) => {
      const reply = orig.call(host, body)!;
      reply[reply.length - 1] ^= 1; // last byte of the MAC key's check value
      return reply;
    })(host.handle);
    expect(await t.session.signOn()).toMatchObject({ kind: 'refused', code: 'keys.kcv-mismatch' });
    expect(t.session.status().signedOn).toBe(false);
    expect(mak).toBe(host.mak);
  });
});

describe('sale', () => {
  it('sends a MACed 0200 with the CUP fields and reports the approval', async () => {
    const { session, host } = await signedOn();
    const outcome = await session.sale({ ...swiped, pinBlock: PIN_BLOCK });
    expect(outcome).toMatchObject({ kind: 'answered', stan: '000002', answer: { code: '00', category: 'approved', mti: '0210' } });
    const f = host.requests[1].fields;
    expect(host.badMacs).toEqual([]);
    expect(Object.fromEntries([...f].filter(([n]) => n !== 52 && n !== 64))).toEqual({
      3: '000000', 4: '000000001234', 11: '000002', 22: '021', 25: '00', 26: '12', 35: TRACK2, 41: TID, 42: '123456789012345', 49: '156', 53: '2600000000000000', 60: '2200000700060',
    });
    expect(Buffer.from(f.get(52) as Uint8Array)).toEqual(Buffer.from(PIN_BLOCK));
    expect(host.approved.get('000002')).toBe(1234);
    expect(session.journal.totals).toEqual({ count: 1, amountMinor: 1234 });
  });

  it('a chip sale carries PAN, card sequence, track 2 equivalent and field 55; the header says IC', async () => {
    const host = new CupHost();
    const { session } = await signedOn(host);
    const headers: number[] = [];
    const handle = host.handle.bind(host);
    host.handle = (body) => (headers.push(body[5]), handle(body));
    const icc = Uint8Array.from([0x9f, 0x26, 0x02, 0xaa, 0xbb, 0x95, 0x01, 0x00]);
    await session.sale({ amountMinor: 500, entry: 'contactless', pan: '6222021234567890123', cardSeq: '001', track2: TRACK2, icc });
    const f = host.requests[1].fields;
    expect([f.get(2), f.get(22), f.get(23), f.get(35)]).toEqual(['6222021234567890123', '072', '001', TRACK2]);
    expect(Buffer.from(f.get(55) as Uint8Array)).toEqual(Buffer.from(icc));
    expect(headers).toEqual([0x61]);
  });

  it('no answer in time: reversal 98 from the saved 0200 goes out before the next sale', async () => {
    const { session, host } = await signedOn();
    host.faults.set('0200', ['hang']);
    expect(await session.sale(swiped)).toMatchObject({ kind: 'no-answer', stage: 'timeout', stan: '000002' });
    expect(session.status().pendingReversal).toEqual({ stan: '000002', reason: '98', attempts: 0 });
    expect(await session.sale({ ...swiped, amountMinor: 99 })).toMatchObject({ kind: 'answered', stan: '000003' });
    const [sale, reversal] = [host.requests[1], host.requests[2]];
    expect(reversal.mti).toBe('0400');
    expect(reversal.fields.get(39)).toBe('98');
    for (const n of [3, 4, 11, 22, 25, 35, 41, 42, 49, 60]) expect([n, reversal.fields.get(n)]).toEqual([n, sale.fields.get(n)]);
    expect(reversal.fields.has(52)).toBe(false);
    expect(host.reversals).toEqual(['000002']);
    expect(host.badMacs).toEqual([]);
    expect(session.status().pendingReversal).toBeUndefined();
  });

  it('a wrong MAC on the 0210: not approved, reversal A0, sign-on needed before the next sale', async () => {
    const { session, host } = await signedOn();
    host.faults.set('0200', ['wrong-mac']);
    expect(await session.sale(swiped)).toMatchObject({ kind: 'no-answer', stage: 'mac' });
    expect(session.status()).toMatchObject({ needsSignOn: true, pendingReversal: { reason: 'A0' } });
    expect(await session.sale(swiped)).toMatchObject({ kind: 'refused', code: 'not-signed-on' });
    await session.signOn();
    expect(await session.sale(swiped)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    expect(host.requests.map((r) => r.mti)).toEqual(['0800', '0200', '0800', '0400', '0200']);
    expect(host.requests[3].fields.get(39)).toBe('A0');
    expect(host.reversals).toEqual(['000002']);
  });

  it('an approval without a MAC is not trusted; a decline without one is', async () => {
    const { session, host } = await signedOn();
    host.faults.set('0200', ['no-mac', { code: '51' }]);
    expect(await session.sale(swiped)).toMatchObject({ kind: 'no-answer', stage: 'mac' });
    await session.signOn();
    host.faults.set('0200', [{ code: '51' }]);
    expect(await session.sale(swiped)).toMatchObject({ kind: 'answered', answer: { code: '51', category: 'declined' } });
    expect(session.status().pendingReversal).toBeUndefined();
  });

  it('response codes come from the profile: unknown codes are declined with the code shown; 97 and A0 by their category', async () => {
    const { session, host } = await signedOn();
    const answers: string[] = [];
    session.onAnswer = (a) => answers.push(`${a.code}:${a.category}`);
    host.faults.set('0200', [{ code: 'Q9' }, { code: '97' }]);
    const unknown = await session.sale(swiped);
    expect(unknown).toMatchObject({ kind: 'answered', answer: { code: 'Q9', category: 'declined' } });
    expect(unknown.kind === 'answered' && unknown.answer.text.en).toMatch(/Q9/);
    expect(await session.sale(swiped)).toMatchObject({ answer: { category: 'terminal-invalid' } });
    host.faults.set('0820', [{ code: 'A0' }]);
    await session.echo();
    expect(answers).toEqual(['Q9:declined', '97:terminal-invalid', 'A0:re-sign-on']);
    expect(session.status().needsSignOn).toBe(true);
  });

  it('processing request 3 in the answer header asks for a new sign-on', async () => {
    const { session, host } = await signedOn();
    host.processingRequest = 3;
    expect(await session.echo()).toMatchObject({ kind: 'answered', answer: { processingRequest: 3 } });
    expect(session.status().needsSignOn).toBe(true);
  });
});

describe('reversal resends and store-and-forward', () => {
  it('a reversal unanswered after 4 sends waits for settlement, never dropped; settlement sends it first', async () => {
    const { session, host } = await signedOn();
    host.faults.set('0200', ['hang']);
    await session.sale(swiped);
    host.faults.set('0400', ['hang', 'hang', 'hang', 'hang']);
    for (let i = 0; i < 3; i++) expect(await session.sale(swiped)).toMatchObject({ kind: 'refused', code: 'reversal-pending' });
    expect(await session.sale(swiped)).toMatchObject({ kind: 'answered' });
    expect(host.count('0400')).toBe(4);
    expect(session.status().pendingReversal).toEqual({ stan: '000002', reason: '98', attempts: 4 });
    expect(await session.settle()).toMatchObject({ kind: 'answered' });
    expect(host.count('0400')).toBe(5);
    expect(host.reversals).toEqual(['000002']);
    expect(session.status().pendingReversal).toBeUndefined();
  });

  it('an offline advice is queued durably and sent (0220, MACed) before the next sale', async () => {
    const { session, host, flash } = await signedOn();
    expect(session.adviseOffline({ amountMinor: 300, entry: 'manual', pan: '6222021234567890123' })).toMatchObject({ kind: 'queued' });
    const rebooted = bootTerminal(flash, new InProcessLink(host));
    expect(rebooted.session.status().advices).toBe(1);
    await rebooted.session.sale(swiped);
    expect(host.requests.slice(1).map((r) => r.mti)).toEqual(['0220', '0200']);
    expect(host.badMacs).toEqual([]);
    expect(rebooted.session.status().advices).toBe(0);
  });
});

describe('settlement', () => {
  it('totals agree: 0500 with field 48 and currency 156, then the batch-upload end 207; the batch moves on', async () => {
    const { session, host } = await signedOn();
    await session.sale(swiped);
    await session.sale({ ...swiped, amountMinor: 66 });
    expect(await session.settle()).toMatchObject({ kind: 'answered', uploaded: 0, answer: { mti: '0510' } });
    const settle = host.requests.find((r) => r.mti === '0500')!;
    expect(settle.fields.get(48)).toBe('000000001300' + '002' + '000000000000' + '000' + '0' + '0'.repeat(31));
    expect([settle.fields.get(49), settle.fields.get(60), settle.fields.get(63)]).toEqual(['156', '00000007201', '01 ']);
    const end = host.requests[host.requests.length - 1];
    expect([end.mti, end.fields.get(60), end.fields.get(48)]).toEqual(['0320', '00000007207', '0000']);
    expect(session.status().batch).toBe(8);
    expect(session.journal.totals).toEqual({ count: 0, amountMinor: 0 });
  });

  it('totals disagree: the batch is uploaded, 8 sales a message, then the end 202 with the count', async () => {
    const { session, host } = await signedOn();
    for (let i = 1; i <= 9; i++) await session.sale({ ...swiped, amountMinor: i });
    host.reconciliation = '2';
    expect(await session.settle()).toMatchObject({ kind: 'answered', uploaded: 9 });
    const uploads = host.requests.filter((r) => r.mti === '0320');
    expect(uploads.map((r) => (r.fields.get(60) as string).slice(8))).toEqual(['201', '201', '202']);
    const first = uploads[0].fields.get(48) as string;
    expect(first.slice(0, 2)).toBe('08');
    expect(first.slice(2, 42)).toBe('00' + '000002' + '06222021234567890123' + '000000000001');
    expect(uploads[1].fields.get(48)).toMatch(/^01/);
    expect(uploads[2].fields.get(48)).toBe('0009');
  });
});

describe('STAN and batch across reboots', () => {
  it('never reuses a STAN after a reboot, whatever messages used them', async () => {
    const { session, host, flash } = await signedOn();
    for (let i = 0; i < 20; i++) await session.echo();
    await session.sale(swiped);
    const used = host.requests.map((r) => r.fields.get(11));
    const rebooted = bootTerminal(flash, new InProcessLink(host));
    expect(rebooted.session.status()).toMatchObject({ signedOn: true, batch: 7 });
    await rebooted.session.echo();
    await rebooted.session.sale(swiped);
    const after = host.requests.slice(used.length).map((r) => r.fields.get(11));
    expect(after.filter((s) => used.includes(s))).toEqual([]);
    expect(new Set([...used, ...after]).size).toBe(used.length + after.length);
  });
});
