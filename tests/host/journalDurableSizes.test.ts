/**
 * The durable set at its largest fits the record log's durable cap (1,304 B of footprint on
 * 4 KiB sectors: issue 7 to 9's quarter of a sector, 1,020 B, which the update and reset records of
 * issue 10 would pass, plus their footprints, 284 B). Every durable record the terminal keeps is made
 * as large as the firmware lets it be, all live at once:
 *
 * - keySet: three double-length keys (PIN, MAC, data: sign-on code 004; the session installs des or
 *   tdes2 keys only) with 4-byte check values and the MAC check;
 * - hostState: the counters, six-digit batch, a wall clock in 2038;
 * - journal: a pending reversal of a chip sale with PAN, 37-character track 2, card sequence,
 *   the reversal's ICC tags at their longest (9F10 of 32 bytes) and a 12-digit amount;
 * - advices: the store-and-forward queue filled until it refuses (bounded by one durable payload);
 * - lastTransaction: an approved sale with a 19-digit PAN and a 12-digit amount;
 * - evidence: the diagnosis history at its largest (diagnosis/history.ts: 12 items, the largest
 *   numbers a record may carry, ages past 2¹⁶ seconds, a base time in 2106);
 * - update: the firmware update's state at the contract's bound (a 200-byte payload: UPD's
 *   update/updateState.ts holds its record to it);
 * - resets: the reset history at its largest (runtime/resetHistory.ts: every count 65,535, the
 *   streak 255, three crash times in 2106): RESETS_RECORD_MAX_BYTES.
 *
 * A put past the cap would throw 'store-durable-full'; the test also sums the footprints itself.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { CupHost, InProcessLink, TMK, bootTerminal, newFlash } from './sessionHarness';
import { DurableKey, RecordType, recordFootprint } from '../../firmware/core/store/recordLog';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { encodeHistory, HISTORY_CAP } from '../../firmware/core/diagnosis/history';
import type { Evidence } from '../../firmware/core/diagnosis/types';
import { encodeResetCounts, RESET_REASONS, RESETS_RECORD_MAX_BYTES } from '../../firmware/core/runtime/resetHistory';

const PAN = '6222021234567890123';
const TRACK2 = `${PAN}=25121011234567890`;
const tlv = (tag: number[], value: number) => [...tag, value, ...new Array<number>(value).fill(0x5a)];
/** Field 55 with the four tags a CUP reversal keeps, each at its longest, and one it drops. */
const ICC = Uint8Array.from([...tlv([0x95], 5), ...tlv([0x9f, 0x1e], 8), ...tlv([0x9f, 0x10], 32), ...tlv([0x9f, 0x36], 2), ...tlv([0x9f, 0x26], 8)]);
/** The update record's bound (issue 10 contract: ≤ 200 B of CBOR). */
const UPDATE_RECORD_BOUND = 200;
const chip = { amountMinor: 999999999999, entry: 'contact' as const, pan: PAN, track2: TRACK2, cardSeq: '001', icc: ICC };

const ecb3 = (key: Buffer, data: Buffer) => {
  const c = createCipheriv(key.length === 16 ? 'des-ede-ecb' : 'des-ede3-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};

describe('the durable set at its largest', () => {
  it('keySet + hostState + journal + advices + lastTransaction + evidence + update + resets fit the 1,304 B cap', async () => {
    const host = new CupHost();
    const flash = newFlash();
    const t = bootTerminal(flash, new InProcessLink(host));
    await t.session.signOn();
    // The largest key set sign-on installs: three tdes2 keys (network code 004), KCV 4 bytes.
    const keys = [randomBytes(16), randomBytes(16), randomBytes(16)];
    const block = Buffer.concat(keys.flatMap((k) => [ecb3(TMK, k), ecb3(k, Buffer.alloc(8)).subarray(0, 4)]));
    expect(t.keys.install(new Uint8Array(block), { algorithm: 'tdes2', kcvLength: 4, mac: { algorithm: 'cup-ecb', padding: 1 } })).toEqual({ ok: true, generation: 2 });
    host.mak = keys[1];
    t.session.journal.recordSignOn(true, 2_147_483_647_000, t.keys.status().generation, 999999);

    // Advices stay queued: the host never answers them (the sales still go, after one try each).
    host.faults.set('0220', new Array(64).fill('hang'));
    let queued = 0;
    while (t.session.adviseOffline({ ...chip, entry: 'manual', track2: undefined, cardSeq: undefined }).kind === 'queued') queued++;
    // Then smaller ones, to take the queue as close to its bound as it goes.
    while (t.session.adviseOffline({ amountMinor: 1, entry: 'manual', pan: PAN }).kind === 'queued') queued++;
    expect(queued).toBeGreaterThan(0);
    expect(await t.session.sale(chip)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    host.faults.set('0200', ['hang']);
    await t.session.sale(chip);

    // The history at its largest: every item's packed number and age take their longest CBOR form.
    const worst: Evidence[] = Array.from({ length: HISTORY_CAP.items + 3 }, (_, i) => ({
      code: `#${16383 - i}`, family: 'system', source: 'history', status: 'fail', wallMs: (0xffffffff - i * 70_000) * 1000, uptimeMs: 0,
    }));
    const history = encodeHistory(createCborCodec(), worst);
    expect(history.length).toBe(HISTORY_CAP.bytes);
    t.log.put(DurableKey.evidence, RecordType.evidence, history);
    // The update record at its bound, and the reset history at its largest.
    t.log.put(DurableKey.update, RecordType.update, new Uint8Array(UPDATE_RECORD_BOUND).fill(0xa5));
    const resets = encodeResetCounts(createCborCodec(), { counts: RESET_REASONS.map(() => 0xffff), streak: 0xff, crashTimes: [0xffffffff, 0xfffffffe, 0xfffffffd] });
    expect(resets.length).toBe(RESETS_RECORD_MAX_BYTES);
    t.log.put(DurableKey.resets, RecordType.resets, resets);

    const sizes = Object.fromEntries(
      Object.entries(DurableKey).map(([name, key]) => [name, t.log.get(key) ? recordFootprint(t.log.get(key)!.payload.length) : 0]),
    );
    const { durableCapBytes, maxDurablePayload } = t.log.capacity();
    expect(durableCapBytes).toBe(1304);
    expect(Object.values(sizes).every((s) => s > 0)).toBe(true);
    expect(t.session.status().pendingReversal).toMatchObject({ reason: '98' });
    expect(t.session.status().advices).toBe(queued);
    expect(sizes.advices).toBeLessThanOrEqual(recordFootprint(maxDurablePayload));
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    expect(total).toBe(t.log.durableBytes);
    expect(total).toBeLessThanOrEqual(durableCapBytes);
    // The bound whatever the cards: keySet, hostState, lastTransaction, evidence, update and resets have fields of
    // bounded size (measured here at their largest); journal and advices are each held to one durable payload.
    const bound = sizes.keySet + sizes.hostState + sizes.lastTransaction + sizes.evidence + sizes.update + sizes.resets + 2 * recordFootprint(maxDurablePayload);
    // Issue 7 to 9's cap (a quarter of a sector) would not hold it.
    expect(bound).toBeGreaterThan(1020);
    expect(bound).toBeLessThanOrEqual(durableCapBytes);
    // For the report: footprints in bytes.
    process.stdout.write(`durable footprints (B): ${JSON.stringify(sizes)} total ${total}, bound ${bound}, of ${durableCapBytes}; ${queued} advices queued\n`);
  });
});
