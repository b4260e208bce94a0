/**
 * The QR summary: bytes written out by hand from RFC 8949 for a field case, the map an
 * independent decoder (cbor-x, integer keys kept) reads, the caps that keep the worst case
 * within a version-10 QR symbol at level M (213 bytes in byte mode, ISO/IEC 18004 table 7),
 * round trips, and the typed errors for bytes that are not a summary.
 */
import { Decoder, Encoder, encode as taggedEncode } from 'cbor-x';
import fc from 'fast-check';
import { CAUSES } from '../../firmware/core/diagnosis/causes';
import { EVIDENCE_CODES } from '../../firmware/core/diagnosis/evidence';
import { decodeSummary, encodeSummary, SUMMARY_MAX_BYTES } from '../../firmware/core/diagnosis/summary';
import { encodeQr } from '../../firmware/core/qr/encode';
import { cause, diagnosis, errorOf, evidence, WALL_MS } from './supportFixtures';

/** cbor-x as a reader that keeps integer keys (a Map), not the core's codec. */
const independent = new Decoder({ mapsAsObjects: false } as ConstructorParameters<typeof Decoder>[0]);
/** cbor-x writing plain maps (without it, a Map goes out under tag 259). */
const plain = new Encoder({ useTag259ForMaps: false } as ConstructorParameters<typeof Encoder>[0]);
const cborEncode = (value: unknown) => plain.encode(value);
const ascii = (text: string) => Buffer.from(text, 'latin1').toString('hex');

/** Every local check passed, the host answers 83 to everything, and the RTC is before the build. */
const HOST_SIDE = diagnosis(
  [cause('auth.host-not-registered', 49, 'likely'), cause('net.dns', 2, 'ruled-out'), cause('sys.clock', 20, 'likely')],
  [evidence('host.terminal-invalid', 'fail', 'authentication'), evidence('rtc.before-build', 'warn', 'system'), evidence('link.ok', 'pass'), evidence('host.terminal-invalid', 'fail', 'authentication')],
);
const IDS = { terminalId: '10240001', firmwareVersion: '1.4.0', serialNumber: 'A4CF12345678' };

describe('diagnosis summary', () => {
  it('writes the map of contract §4, byte for byte', () => {
    const seconds = Math.floor(WALL_MS / 1000); // 1,796,197,290 = 0x6B0FCBAA
    const expected = [
      'a7', // map, 7 pairs
      '00', '01', // 0: format 1
      '01', `68${ascii('10240001')}`, // 1: TID, text of 8
      '02', `65${ascii('1.4.0')}`, // 2: firmware
      '03', `1a${seconds.toString(16).padStart(8, '0')}`, // 3: seconds, uint32
      '04', '82', '1831', '14', // 4: [49, 20] (ruled out left out)
      '05', '82', '1901b0', '18cd', // 5: [432 host.terminal-invalid, 205 rtc.before-build] (fail, then warn, once each; passes left out)
      '06', `6c${ascii('A4CF12345678')}`, // 6: serial
    ].join('');
    expect(seconds).toBe(0x6b0fcbaa);
    expect(Buffer.from(encodeSummary(HOST_SIDE, IDS)).toString('hex')).toBe(expected);
  });

  it('reads back through an independent decoder as an integer-keyed map', () => {
    const map = independent.decode(encodeSummary(HOST_SIDE, IDS)) as Map<number, unknown>;
    expect(map).toEqual(
      new Map<number, unknown>([[0, 1], [1, '10240001'], [2, '1.4.0'], [3, Math.floor(WALL_MS / 1000)], [4, [49, 20]], [5, [432, 205]], [6, 'A4CF12345678']]),
    );
    expect(decodeSummary(encodeSummary(HOST_SIDE, IDS))).toEqual({
      version: 1,
      terminalId: '10240001',
      firmwareVersion: '1.4.0',
      wallSeconds: Math.floor(WALL_MS / 1000),
      time: '2026-12-02T07:41:30.000Z',
      causes: [49, 20],
      evidence: [432, 205],
      serialNumber: 'A4CF12345678',
    });
  });

  it('without a TID or serial number (a factory-state terminal), only keys 0, 2, 3, 4, 5', () => {
    const map = independent.decode(encodeSummary(diagnosis([cause('auth.not-activated', 40, 'confirmed')]), { firmwareVersion: '1.4.0' })) as Map<number, unknown>;
    expect([...map.keys()]).toEqual([0, 2, 3, 4, 5]);
    expect(map.get(4)).toEqual([40]);
    expect(map.get(5)).toEqual([]);
  });

  it('the worst case (every cause open, every evidence code failing, long non-ASCII ids) stays within a version-10 QR at level M, caps counted', () => {
    // Cause numbers of two bytes (the largest a summary takes is 255), evidence numbers of three first.
    const causes = [...CAUSES.map((c) => cause(c.id, c.number + 200, 'likely')), ...CAUSES.map((c) => cause(c.id, c.number, 'likely'))];
    const wide = [...EVIDENCE_CODES.filter(([, n]) => n > 255), ...EVIDENCE_CODES.filter(([, n]) => n <= 255)];
    const found = [...wide.map(([code]) => evidence(code, 'fail')), evidence('no.such-code', 'fail'), evidence('#16383', 'warn')];
    const long = 'Ω'.repeat(40);
    const bytes = encodeSummary(diagnosis(causes, found, 0xffffffff * 1000 + 999), { terminalId: long, firmwareVersion: long, serialNumber: long });
    expect(bytes.length).toBe(205); // the bound is 207: key 7's counts take 3 bytes only past 255
    expect(SUMMARY_MAX_BYTES).toBe(213);
    const summary = decodeSummary(bytes);
    expect(summary.causes).toEqual(CAUSES.slice(0, 16).map((c) => c.number + 200));
    expect(summary.evidence).toEqual(wide.slice(0, 24).map(([, n]) => n));
    // Left out: the causes past 16; the evidence past 24 plus the one code without a number ("#16383" has one).
    expect(summary.omitted).toEqual({ causes: 2 * CAUSES.length - 16, evidence: EVIDENCE_CODES.length + 1 - 24 + 1 });
    expect(summary.terminalId).toBe('?'.repeat(24));
    expect(encodeQr(bytes).version).toBeLessThanOrEqual(10);
    // One byte more than the cap would not fit version 10-M: the cap is the symbol's.
    expect(() => encodeQr(new Uint8Array(SUMMARY_MAX_BYTES + 1))).toThrow();
  });

  it('round-trips any ids, causes and evidence', () => {
    const numbers = EVIDENCE_CODES.map(([code, n]) => ({ code, n }));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...CAUSES), { maxLength: 20, selector: (c) => c.number }),
        fc.uniqueArray(fc.constantFrom(...numbers), { maxLength: 30, selector: (e) => e.n }),
        fc.string({ maxLength: 30 }),
        fc.option(fc.stringMatching(/^[0-9A-Z]{0,24}$/), { nil: undefined }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (open, failing, firmwareVersion, terminalId, wallMs) => {
          const d = diagnosis(open.map((c) => cause(c.id, c.number, 'likely')), failing.map((e) => evidence(e.code, 'fail')), wallMs);
          const read = decodeSummary(encodeSummary(d, { firmwareVersion, terminalId }));
          expect(read.causes).toEqual(open.slice(0, 16).map((c) => c.number));
          expect(read.evidence).toEqual(failing.slice(0, 24).map((e) => e.n));
          expect(read.terminalId).toBe(terminalId);
          expect(read.firmwareVersion).toBe(firmwareVersion.slice(0, 24).replace(/[^\x20-\x7e]/g, '?'));
          expect(read.time).toBe(new Date(Math.floor(wallMs / 1000) * 1000).toISOString());
          expect(read.omitted !== undefined).toBe(open.length > 16 || failing.length > 24);
        },
      ),
      { numRuns: 300 },
    );
  });

  const valid = new Map<number, unknown>([[0, 1], [2, '1.4.0'], [3, 5], [4, []], [5, []]]);
  const mapWith = (key: number, value: unknown) => cborEncode(new Map([...valid, [key, value]]));
  it.each([
    ['not CBOR', Uint8Array.from([0xff, 0x00]), 'summary-malformed', 'not a diagnosis summary'],
    ['a list', cborEncode([1, 2, 3]), 'summary-malformed', 'not a plain CBOR map'],
    ['a text', cborEncode('10240001'), 'summary-malformed', 'not a plain CBOR map'],
    ['a map under tag 259', taggedEncode(valid), 'summary-malformed', 'not a plain CBOR map'],
    ['format 2', mapWith(0, 2), 'summary-version', 'summary format 2'],
    ['an unknown key', mapWith(9, 1), 'summary-malformed', 'unknown key 9'],
    ['the time missing', cborEncode(new Map([...valid].filter(([k]) => k !== 3))), 'summary-malformed', 'key 3 missing'],
    ['a negative time', mapWith(3, -1), 'summary-malformed', 'key 3 is not an integer'],
    ['a cause that is text', mapWith(4, ['net.dns']), 'summary-malformed', 'key 4 is not an integer'],
    ['17 causes', mapWith(4, Array(17).fill(1)), 'summary-malformed', 'key 4 is not a list of at most 16'],
    ['a TID of 25 characters', mapWith(1, 'X'.repeat(25)), 'summary-malformed', 'key 1 is not a text'],
    ['key 7 with one count', mapWith(7, [1]), 'summary-malformed', 'key 7 is not two counts'],
    ['214 bytes', new Uint8Array(214), 'summary-malformed', '214 bytes'],
  ])('refuses %s', (_, bytes, code, why) => {
    const error = errorOf(() => decodeSummary(Uint8Array.from(bytes)));
    expect({ code: error.code, why: error.message.includes(why) }).toEqual({ code, why: true });
  });

  it('reads a minimal summary written by another encoder', () => {
    expect(decodeSummary(cborEncode(valid))).toEqual({ version: 1, firmwareVersion: '1.4.0', wallSeconds: 5, time: '1970-01-01T00:00:05.000Z', causes: [], evidence: [] });
  });

  it('refuses a cause number no wire field holds', () => {
    expect(errorOf(() => encodeSummary(diagnosis([cause('x.future', 256, 'likely')]), IDS)).code).toBe('diagnosis-range');
  });
});
