/**
 * The journal writes its sale-path records (hostState, journal, lastTransaction) with the
 * hand-written CBOR writer; these are the bytes the record codec (cbor-x) writes for the objects
 * the records are documented to hold (journal.ts), so a reader with any CBOR decoder sees the
 * same records as before. The expected objects are spelled out here, key order included.
 */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog } from '../../firmware/core/store/recordLog';
import { HostJournal } from '../../firmware/core/host/journal';
import type { SaleRecord } from '../../firmware/core/host/messages';
import { newFlash } from './sessionHarness';

const cbor = createCborCodec();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const chip: SaleRecord = {
  stan: '000001', amountMinor: 999999999999, entryMode: '051', field60: '2200000700060', ic: true,
  pan: '6222021234567890123', track2: '6222021234567890123=25121011234567890', cardSeq: '001', icc: Uint8Array.of(0x95, 5, 0, 0, 0, 0, 0),
};
const keyed: SaleRecord = { stan: '000002', amountMinor: 5, entryMode: '012', field60: '2200000700060', ic: false, pan: '6222021234567890', expiry: '2512' };

describe('journal records', () => {
  it('hostState, journal (pending, reversal) and lastTransaction hold what the codec writes for their objects', () => {
    const log = RecordLog.open(newFlash());
    const j = new HostJournal(log, cbor);
    const payload = (key: number) => hex(log.get(key)!.payload);

    j.recordSignOn(true, 1795000000123, 3, 7);
    expect(payload(DurableKey.hostState)).toBe(hex(cbor.encode({ s: 0, b: 7, w: 1795000000123, g: 3, o: 1 })));

    j.beginSale(chip);
    expect(payload(DurableKey.journal)).toBe(
      hex(cbor.encode({ b: 7, n: 0, m: 0, s: 1, p: { s: '000001', a: 999999999999, e: '051', f: '2200000700060', c: 1, p: chip.pan, t: chip.track2, q: '001', i: chip.icc } })),
    );
    j.completeSale(true, '00');
    expect(payload(DurableKey.lastTransaction)).toBe(hex(cbor.encode({ b: 7, s: '000001', a: 999999999999, p: chip.pan, ok: 1, c: '00' })));

    j.beginSale(keyed);
    j.reverseSale('98');
    j.reversalAttempt();
    expect(payload(DurableKey.journal)).toBe(
      hex(cbor.encode({ b: 7, n: 1, m: 999999999999, s: 2, r: { s: '000002', a: 5, e: '012', f: '2200000700060', c: 0, p: keyed.pan, x: '2512', r: '98', k: 1 } })),
    );
    // A sale begun with the reversal still pending: both maps, the pending sale first.
    j.beginSale({ ...keyed, stan: '000003' });
    expect(payload(DurableKey.journal)).toBe(
      hex(cbor.encode({
        b: 7, n: 1, m: 999999999999, s: 3,
        p: { s: '000003', a: 5, e: '012', f: '2200000700060', c: 0, p: keyed.pan, x: '2512' },
        r: { s: '000002', a: 5, e: '012', f: '2200000700060', c: 0, p: keyed.pan, x: '2512', r: '98', k: 1 },
      })),
    );
    // A STAN for another message reserves a block in hostState.
    expect(j.nextStan()).toBe('000004');
    expect(payload(DurableKey.hostState)).toBe(hex(cbor.encode({ s: 19, b: 7, w: 1795000000123, g: 3, o: 1 })));
  });

  it('a journal restored from its records reads the same state', () => {
    const flash = newFlash();
    const j = new HostJournal(RecordLog.open(flash), cbor);
    j.recordSignOn(true, 1795000000123, 3, 7);
    j.beginSale(chip);
    j.completeSale(false, '51');
    j.beginSale(keyed);
    const back = new HostJournal(RecordLog.open(flash), cbor);
    back.restore();
    expect(back.reversal).toEqual({ sale: keyed, reason: '98', attempts: 0 });
    expect(back.totals).toEqual({ count: 0, amountMinor: 0 });
    expect(back.signedOn).toEqual({ signedOn: true, wallMs: 1795000000123, generation: 3 });
  });
});
