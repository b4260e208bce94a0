/**
 * The durable evidence history: bytes written by hand from RFC 8949 (the reference, not the
 * codec), the cap at every input, numbers a newer firmware wrote kept as they were, and bad
 * bytes refused with a DiagnosisError and nothing else.
 */
import fc from 'fast-check';
import { DiagnosisError } from '../../firmware/core/diagnosis/errors';
import { EVIDENCE_CODES, evidenceNumber } from '../../firmware/core/diagnosis/evidence';
import { decodeHistory, encodeHistory, HISTORY_CAP } from '../../firmware/core/diagnosis/history';
import type { Evidence, EvidenceStatus } from '../../firmware/core/diagnosis/types';
import { createCborCodec } from '../../firmware/core/store/cbor';

const cbor = createCborCodec();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/ /g, ''), 'hex'));
const ev = (code: string, status: EvidenceStatus, wallMs: number, source: Evidence['source'] = 'selftest'): Evidence => ({ code, family: 'system', source, status, wallMs, uptimeMs: 1234 });
const S = 1_700_000_000;

describe('the history record', () => {
  it('is the flat CBOR array RFC 8949 gives for [1, base, number×4+status, age, …], newest first, no passes', () => {
    const record = encodeHistory(cbor, [
      ev('reset.panic', 'fail', (S - 10) * 1000, 'reset'),
      ev('rtc.ok', 'pass', S * 1000),
      ev('cert.cannot-decide', 'info', S * 1000 + 900),
      ev('rtc.before-build', 'fail', S * 1000 + 500),
    ]);
    // 88: array(8); 01; 1a 6553f100: 1,700,000,000; 19 0334: 205×4+0 (rtc.before-build, fail); 00;
    // 19 068e: 419×4+2 (cert.cannot-decide, info); 00; 19 0394: 229×4+0 (reset.panic); 0a: 10 s before.
    expect(hex(record)).toBe('88011a6553f1001903340019068e001903940a');
    expect(decodeHistory(cbor, record)).toEqual([
      { code: 'rtc.before-build', family: 'system', source: 'selftest', status: 'fail', wallMs: S * 1000, uptimeMs: 0 },
      { code: 'cert.cannot-decide', family: 'authentication', source: 'selftest', status: 'info', wallMs: S * 1000, uptimeMs: 0 },
      { code: 'reset.panic', family: 'system', source: 'reset', status: 'fail', wallMs: (S - 10) * 1000, uptimeMs: 0 },
    ]);
  });

  it('keeps the newest 12 items, the same code in one second once, and an empty history as [1, 0]', () => {
    const many = Array.from({ length: 20 }, (_, i) => ev('memory.tight', 'warn', (S + i) * 1000));
    const kept = decodeHistory(cbor, encodeHistory(cbor, [...many, ...many]));
    expect(kept.map((e) => e.wallMs / 1000)).toEqual(Array.from({ length: HISTORY_CAP.items }, (_, i) => S + 19 - i));
    expect(hex(encodeHistory(cbor, []))).toBe('820100');
    expect(decodeHistory(cbor, bytes('820100'))).toEqual([]);
  });

  it("keeps a newer firmware's numbers as numbers and writes them back as they were", () => {
    // [1, 100, 499×4+1 (#499, warn), 0, 16383×4+3 (#16383, pass), 7]
    const record = bytes('86 01 1864 1907cd 00 19ffff 07');
    const read = decodeHistory(cbor, record);
    expect(read.map((e) => [e.code, e.family, e.source, e.status, e.wallMs])).toEqual([
      ['#499', 'authentication', 'history', 'warn', 100_000],
      ['#16383', 'system', 'history', 'pass', 93_000],
    ]);
    // A pass is never written: the newer firmware's warning survives alone.
    expect(hex(encodeHistory(cbor, read))).toBe('8401186419' + '07cd00');
  });

  it.each([
    ['empty', ''],
    ['not CBOR', 'ff'],
    ['a map', 'a1616101'],
    ['text', '6161'],
    ['too short', '8101'],
    ['odd length', '83010000'],
    ['a negative base', '820120'],
    ['a fractional base', '8201f93e00'],
    ['a base past 2³²', '82011b0000000100000000'],
    ['a packed number past 16383×4+3', '8401001a0001000000'],
    ['an age past the base', '840105000a'],
    ['a text item', '8401056161 00'],
    ['truncated', '88011a6553f100190334001906'],
  ])('refuses %s with history-malformed', (_what, h) => {
    expect(() => decodeHistory(cbor, bytes(h))).toThrow(expect.objectContaining({ name: 'DiagnosisError', code: 'history-malformed' }));
  });

  it('refuses a format it does not know with history-format', () => {
    expect(() => decodeHistory(cbor, bytes('820200'))).toThrow(expect.objectContaining({ code: 'history-format' }));
  });
});

const CODES = EVIDENCE_CODES.map(([c]) => c);
const arbEvidence = fc.record({
  code: fc.oneof(fc.constantFrom(...CODES), fc.integer({ min: 0, max: 16383 }).map((n) => `#${n}`), fc.constantFrom('no.such-code', '#', '#99999')),
  status: fc.constantFrom<EvidenceStatus>('fail', 'warn', 'info', 'pass'),
  wallMs: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 * 1000 }), fc.integer({ min: -1e12, max: 2 ** 45 })),
}).map(({ code, status, wallMs }) => ev(code, status, wallMs));

/** What the record should keep, worked out directly: (number, status, second), newest first. */
function expected(evidence: Evidence[]): [number, EvidenceStatus, number][] {
  const second = (ms: number) => Math.min(2 ** 32 - 1, Math.max(0, Math.floor(ms / 1000)));
  const rank = ['fail', 'warn', 'info'];
  const items = evidence
    .filter((e) => e.status !== 'pass' && evidenceNumber(e.code) !== undefined)
    .map((e) => [evidenceNumber(e.code)!, e.status, second(e.wallMs)] as [number, EvidenceStatus, number]);
  const unique = [...new Map(items.map((i) => [i.join('/'), i])).values()];
  unique.sort((a, b) => b[2] - a[2] || a[0] - b[0] || rank.indexOf(a[1]) - rank.indexOf(b[1]));
  return unique.slice(0, 12);
}

describe('the history record, for any evidence', () => {
  it('stays within the cap and reads back what it should keep', () => {
    fc.assert(
      fc.property(fc.array(arbEvidence, { maxLength: 40 }), (evidence) => {
        const record = encodeHistory(cbor, evidence);
        expect(record.length).toBeLessThanOrEqual(HISTORY_CAP.bytes);
        const read = decodeHistory(cbor, record);
        expect(read.map((e) => [evidenceNumber(e.code), e.status, e.wallMs / 1000])).toEqual(expected(evidence));
        // Written again, the record is the same bytes.
        expect(hex(encodeHistory(cbor, read))).toBe(hex(record));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses damaged bytes with a DiagnosisError, never anything else', () => {
    const valid = fc.array(arbEvidence, { maxLength: 14 }).map((evidence) => encodeHistory(cbor, evidence));
    const damaged = fc.tuple(valid, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat()).map(([record, at, xor, cut]) => {
      const copy = record.slice();
      copy[at % copy.length] ^= xor;
      return cut % 3 === 0 ? copy.slice(0, cut % copy.length) : copy;
    });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.uint8Array({ maxLength: 120 })), (record) => {
        try {
          const read = decodeHistory(cbor, record);
          // What reads at all is history: whole items of known shape.
          for (const e of read) expect(['fail', 'warn', 'info', 'pass']).toContain(e.status);
        } catch (error) {
          expect(error).toBeInstanceOf(DiagnosisError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
