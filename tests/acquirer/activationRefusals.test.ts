/**
 * What the acquirer refuses at activation (issue-8 contract §6, D5 reasons 1–4) and a TID it
 * disables mid-day: each refusal is the profile's terminal-invalid code with field 44's text and
 * no key; a disabled TID gets it on sign-on and sale alike. Over real TCP on 127.0.0.1, with the
 * device of activationClient.ts.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, generateKeyPairSync } from 'node:crypto';
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { checkRegistry, type RegisteredTerminal } from '../../host-sim/acquirer/config';
import { masterCheckValue } from '../../host-sim/acquirer/hostCrypto';
import type { LoopbackLedger } from '../../host-sim/ports/loopbackLedger';
import { activateOver, activationFrame, newDevice, openEnvelope } from './activationClient';
import { config, field, HostClient, MID, profile, saleFrame, signOn, signOnFrame, TID, TMK } from './hostClient';

const CODE = '55667788';
const NOON = Date.parse('2026-12-02T12:00:00Z');

let acquirer: Acquirer | undefined;
let client: HostClient | undefined;
afterEach(async () => {
  client?.close();
  await acquirer?.close();
});

async function start(slots: Partial<RegisteredTerminal>[], name: 'lakala-style' | 'cup-style' = 'lakala-style', ledger?: LoopbackLedger) {
  const terminals = slots.map((s) => ({ masterKey: undefined, status: 'registered' as const, activation: { code: CODE, algorithm: 'tdes2' as const }, ...s }));
  acquirer = await startAcquirer(config(profile(name), terminals), { now: () => NOON, ledger });
  client = await HostClient.connect(acquirer.ports[0]);
  return client;
}

/** The refusal as the terminal sees it: code, D5, field 44, and no key. */
async function refusal(c: HostClient, serial: string, code: string, tid?: string) {
  const { answer, tlv } = await activateOver(c, '000009', newDevice(serial), code, tid);
  expect([...tlv.keys()]).toEqual([0xd5]);
  return { code: field(answer, 39), reason: tlv.get(0xd5)![0], text: field(answer, 44), tid: field(answer, 41) };
}

describe('activation refusals', () => {
  it.each([
    ['lakala-style', '83'],
    ['cup-style', '97'],
  ] as const)('a code no slot has: the %s terminal-invalid code %s, D5 1, "activation code wrong"', async (name, code) => {
    const c = await start([{}], name);
    expect(await refusal(c, 'SN-1', '12345678')).toEqual({ code, reason: 1, text: 'activation code wrong', tid: '00000000' });
  });

  it('a terminal with a TID cannot use the code of another slot: D5 1', async () => {
    const c = await start([{}, { tid: '10240009', activation: { code: '99887766', algorithm: 'tdes2' } }]);
    expect(await refusal(c, 'SN-1', '99887766', TID)).toMatchObject({ reason: 1 });
    expect(field((await activateOver(c, '000002', newDevice('SN-1'), CODE, TID)).answer, 39)).toBe('00');
  });

  it('a code past its expiry: D5 2, "activation code expired"; one minute before it, activated', async () => {
    const c = await start([{ activation: { code: CODE, algorithm: 'tdes2', expiresMs: NOON - 1 } }, { tid: '10240002', activation: { code: '11112222', algorithm: 'tdes2', expiresMs: NOON + 60_000 } }]);
    expect(await refusal(c, 'SN-1', CODE)).toMatchObject({ code: '83', reason: 2, text: 'activation code expired' });
    expect(field((await activateOver(c, '000002', newDevice('SN-1'), '11112222')).answer, 39)).toBe('00');
  });

  it('a disabled slot: D5 3, "TID disabled"', async () => {
    const c = await start([{ status: 'disabled' }]);
    expect(await refusal(c, 'SN-1', CODE)).toMatchObject({ code: '83', reason: 3, text: 'TID disabled' });
  });

  it('a slot bound to serial X refuses another serial (D5 4, "bound to another device") and serves X', async () => {
    const c = await start([{ status: 'activated', masterKey: TMK, activation: { code: CODE, algorithm: 'tdes2', boundSerial: 'SERIAL-X' } }]);
    expect(await refusal(c, 'SERIAL-Y', CODE)).toMatchObject({ code: '83', reason: 4, text: 'bound to another device' });
    // Refused: the terminal's master key is the old one still.
    expect(field((await signOn(c)).answer, 39)).toBe('00');
    expect(field((await activateOver(c, '000003', newDevice('SERIAL-X'), CODE)).answer, 39)).toBe('00');
  });

  it('a second device after the first activated: D5 4; the first device\'s key still signs on', async () => {
    const c = await start([{}]);
    const first = newDevice('SN-FIRST');
    const { tlv } = await activateOver(c, '000001', first, CODE);
    const { keyHex } = openEnvelope(first, tlv);
    expect(await refusal(c, 'SN-SECOND', CODE)).toMatchObject({ reason: 4 });
    expect(field((await signOn(c, keyHex)).answer, 39)).toBe('00');
  });

  it('a request it cannot read (no public key, an RSA key, no code) is a format error with no 62', async () => {
    const c = await start([{}]);
    const device = newDevice('SN-1');
    const rsa = { ...device, spki: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }) };
    for (const frame of [activationFrame('000001', device, CODE, undefined, undefined, 0xc2), activationFrame('000002', rsa, CODE), activationFrame('000003', device, CODE, undefined, undefined, 0xc3)]) {
      const answer = await c.answer(frame);
      expect(field(answer, 39)).toBe('30');
      expect(field(answer, 62)).toBeUndefined();
    }
    // Nothing was bound: the slot still activates.
    expect(field((await activateOver(c, '000004', device, CODE)).answer, 39)).toBe('00');
  });
});

describe('a TID disabled mid-day', () => {
  const activated = { status: 'activated' as const, masterKey: TMK, activation: undefined };

  it('from the disable-tid fault on, sign-on and sale get the terminal-invalid code with "TID disabled"', async () => {
    const c = await start([activated]);
    const keys = await signOn(c);
    expect(field(await c.answer(saleFrame('000002', 100, keys.mac)), 39)).toBe('00');
    acquirer!.addFaults([{ kind: 'disable-tid', tid: TID }]);
    const sale = await c.answer(saleFrame('000003', 100, keys.mac));
    expect([field(sale, 39), field(sale, 44)]).toEqual(['83', 'TID disabled']);
    const again = await c.answer(signOnFrame('000004', '004', TID, MID));
    expect([field(again, 39), field(again, 44), field(again, 62)]).toEqual(['83', 'TID disabled', undefined]);
    expect(acquirer!.batch(TID)?.count).toBe(1);
  });

  it('with delayMs, under the simulator\'s ledger: served until its virtual time comes, refused after', async () => {
    const scheduled: { delayMs: number; action: () => void }[] = [];
    const ledger: LoopbackLedger = { accepted() {}, read() {}, wrote() {}, closed() {}, later: (delayMs, action) => void scheduled.push({ delayMs, action }) };
    const c = await start([activated], 'cup-style', ledger);
    acquirer!.addFaults([{ kind: 'disable-tid', tid: TID, delayMs: 4 * 3600_000 }]);
    expect(field((await signOn(c)).answer, 39)).toBe('00');
    expect(scheduled.map((s) => s.delayMs)).toEqual([4 * 3600_000]);
    scheduled[0].action();
    expect(field(await c.answer(signOnFrame('000002', '004', TID, MID)), 39)).toBe('97');
    expect(acquirer!.log.some((e) => e.fault === 'disable-tid' && e.note === `TID ${TID} disabled`)).toBe(true);
  });

  it('refuses to disable a TID it does not know', async () => {
    await start([activated]);
    expect(() => acquirer!.addFaults([{ kind: 'disable-tid', tid: '99999999' }])).toThrow('no terminal 99999999');
    expect(() => acquirer!.addFaults([{ kind: 'disable-tid' }])).toThrow(RangeError);
  });
});

describe('registry activation data', () => {
  const base = { tid: TID, mid: MID, status: 'registered', activation: { code: CODE, expires: '2026-12-31T16:00:00Z', algorithm: 'aes128', boundSerial: 'SN-1' } };

  it('reads a slot without a master key, its expiry as ISO 8601, its algorithm and binding', () => {
    expect(checkRegistry([base])[0]).toEqual({ tid: TID, mid: MID, status: 'registered', merchantStatus: 'ok', activation: { code: CODE, expiresMs: Date.parse('2026-12-31T16:00:00Z'), algorithm: 'aes128', boundSerial: 'SN-1' } });
  });

  it.each([
    [{ ...base, status: 'activated' }, 'terminals[0].masterKey'],
    [{ ...base, activation: { code: '12ab' } }, 'terminals[0].activation.code'],
    [{ ...base, activation: { code: CODE, expires: 'next week' } }, 'terminals[0].activation.expires'],
    [{ ...base, activation: { code: CODE, algorithm: 'des' } }, 'terminals[0].activation.algorithm'],
    [{ ...base, masterKey: TMK, masterKeyAlgorithm: 'tdes3' }, 'terminals[0].masterKey'],
  ])('refuses %j, naming %s', (entry, name) => {
    expect(() => checkRegistry([entry])).toThrow(name);
  });

  it('refuses one code for two slots', () => {
    expect(() => checkRegistry([base, { ...base, tid: '10240002' }])).toThrow('terminals[1].activation.code: is the code of another slot');
  });
});

describe('the host\'s master-key check values against openssl', () => {
  // AES-CMAC's subkey takes the 0x87 step when E(K, 0¹⁶) starts with a 1 bit: keys on both sides of it.
  const keys = ['2b7e151628aed2a6abf7158809cf4f3c', '000102030405060708090a0b0c0d0e0f', 'ffeeddccbbaa99887766554433221100', '0f1e2d3c4b5a69788796a5b4c3d2e1f0'];
  it('AES-128: CMAC(K, 0¹⁶), both subkey cases', () => {
    const msb = keys.map((k) => createCipheriv('aes-128-ecb', Buffer.from(k, 'hex'), null).update(Buffer.alloc(16))[0] >> 7);
    expect(new Set(msb)).toEqual(new Set([0, 1]));
    for (const k of keys) {
      const reference = execFileSync('openssl', ['mac', '-cipher', 'AES-128-CBC', '-macopt', `hexkey:${k}`, 'CMAC'], { input: Buffer.alloc(16) }).toString('latin1').trim();
      expect(Buffer.from(masterCheckValue({ key: Buffer.from(k, 'hex'), algorithm: 'aes128' })).toString('hex').toUpperCase()).toBe(reference);
    }
  });

  it('3DES: E(K, 0⁸) with two and three keys', () => {
    const k3 = '0123456789ABCDEFFEDCBA987654321089ABCDEF01234567';
    for (const [hex, algorithm, openKey] of [[TMK, 'tdes2', TMK + TMK.slice(0, 16)], [k3, 'tdes3', k3]] as const) {
      const reference = execFileSync('openssl', ['enc', '-des-ede3', '-K', openKey, '-nopad'], { input: Buffer.alloc(8) });
      expect(Buffer.from(masterCheckValue({ key: Buffer.from(hex, 'hex'), algorithm }))).toEqual(reference);
    }
  });
});
