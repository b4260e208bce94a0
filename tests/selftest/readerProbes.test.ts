/**
 * The card hardware probes: a PN532 (the real driver and reader port over a scripted chip)
 * that is healthy, silent, or fails one of its own tests; the contact slot, magstripe module
 * and code scanner; and the plan, which has these probes only for parts the board has fitted.
 */
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import type { CardReaderPort, CodeScannerPort, MagstripePort, Ports } from '../../firmware/core/ports';
import { PortError } from '../../firmware/core/ports';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { ANTENNA_PROBE, CONTACT_PROBE, MAGSTRIPE_PROBE, READER_PROBE, SCANNER_PROBE } from '../../firmware/core/selftest/probes/readerProbes';
import { runSelfTest } from '../../firmware/core/selftest/runner';
import type { KeyStore } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { answer, chipLink, FakeClock, healthy } from '../card/pn532Fakes';

const unfitted: CardReaderPort = {
  fitted: false,
  identify: () => Promise.reject(new PortError('reader', 'no card reader fitted')),
  selfCheck: () => Promise.reject(new PortError('reader', 'no card reader fitted')),
  detect: () => Promise.reject(new PortError('reader', 'no card reader fitted')),
  transmit: () => Promise.reject(new PortError('reader', 'no card reader fitted')),
  release: () => undefined,
};
const input = (fitted: boolean, ok: boolean, detail: string): MagstripePort & CodeScannerPort => ({
  fitted, check: async () => ({ ok, detail }), start: () => undefined, stop: () => undefined,
});

function portsWith(parts: Partial<Pick<Ports, 'reader' | 'contact' | 'magstripe' | 'scanner'>>): Ports {
  return { clock: new FakeClock(), reader: unfitted, contact: unfitted, magstripe: input(false, false, ''), scanner: input(false, false, ''), ...parts } as unknown as Ports;
}

async function run(parts: Parameters<typeof portsWith>[0]) {
  const probes = [READER_PROBE, ANTENNA_PROBE, CONTACT_PROBE, MAGSTRIPE_PROBE, SCANNER_PROBE];
  const report = await runSelfTest(portsWith(parts), probes, 'boot', 1);
  return Object.fromEntries(report.results.map((r) => [r.id, `${r.status} ${r.code}: ${r.detail}`]));
}

describe('the reader probes', () => {
  it('pass a healthy PN532, naming its firmware', async () => {
    const { link } = chipLink('i2c', healthy);
    const r = await run({ reader: new Pn532Reader(link, new FakeClock()) });
    expect(r['device.reader']).toBe('pass reader.ok: PN532 v1.6, line, ROM, RAM, SAM ok');
    expect(r['device.antenna']).toBe('pass antenna.ok: antenna good');
  });

  it('fail an antenna the chip finds open, and say which test failed otherwise', async () => {
    const antenna = chipLink('i2c', { ...healthy, 0x00: (p: Uint8Array) => answer(0x00, p[0] === 0 ? p : [p[0] === 7 ? 0x01 : 0x00]) });
    let r = await run({ reader: new Pn532Reader(antenna.link, new FakeClock()) });
    expect(r['device.reader']).toMatch(/^pass reader\.ok/);
    expect(r['device.antenna']).toBe('fail antenna.failed: antenna test result 0x01');

    const rom = chipLink('i2c', { ...healthy, 0x00: (p: Uint8Array) => answer(0x00, p[0] === 0 ? p : [p[0] === 1 ? 0xff : 0x00]) });
    r = await run({ reader: new Pn532Reader(rom.link, new FakeClock()) });
    expect(r['device.reader']).toBe('fail reader.rom-failed: ROM checksum test result 0xff');

    const line = chipLink('i2c', { ...healthy, 0x00: (p: Uint8Array) => answer(0x00, p[0] === 0 ? [0, 1, 2, 3] : [0x00]) });
    r = await run({ reader: new Pn532Reader(line.link, new FakeClock()) });
    expect(r['device.reader']).toBe('fail reader.line-failed: echo of 3 bytes differs from the 8 sent');

    const sam = chipLink('i2c', { ...healthy, 0x14: () => answer(0x00, [0x00]) });
    r = await run({ reader: new Pn532Reader(sam.link, new FakeClock()) });
    expect(r['device.reader']).toMatch(/^fail reader\.sam-refused: pn532-unexpected: /);
  });

  it('fail a silent reader as no answer and leave its antenna not judged', async () => {
    const clock = new FakeClock();
    const { link } = chipLink('hsu', {});
    const reader = new Pn532Reader(link, clock);
    const ports = portsWith({ reader });
    (ports as unknown as { clock: FakeClock }).clock = clock;
    const done = runSelfTest(ports, [READER_PROBE, ANTENNA_PROBE], 'boot', 1);
    for (let i = 0; i < 20; i++) {
      await new Promise((res) => setImmediate(res));
      clock.advance(100);
    }
    const report = await done;
    expect(report.results.map((x) => `${x.status} ${x.code}`)).toEqual(['fail reader.no-answer', 'skip antenna.not-judged']);
    expect(report.results[0].detail).toMatch(/^pn532-timeout: no ACK to command 0x/);
  });

  it('check the contact slot, the magstripe module and the scanner', async () => {
    const contact: CardReaderPort = {
      ...unfitted, fitted: true,
      identify: async () => ({ model: 'ISO 7816 slot', firmware: 'v2' }),
      selfCheck: async () => [{ test: 'firmware', ok: true, detail: 'slot powers up' }],
    };
    let r = await run({ contact, magstripe: input(true, true, 'MSR v3, 0 framing errors'), scanner: input(true, false, 'no answer to the status query') });
    expect(r['device.contact']).toBe('pass contact.ok: ISO 7816 slot v2');
    expect(r['device.magstripe']).toBe('pass magstripe.ok: MSR v3, 0 framing errors');
    expect(r['device.scanner']).toBe('fail scanner.no-answer: no answer to the status query');
    r = await run({ contact: { ...contact, identify: () => Promise.reject(new PortError('reader', 'slot does not answer')) } });
    expect(r['device.contact']).toBe('fail contact.no-answer: slot does not answer');
  });
});

describe('the plan with card hardware', () => {
  const subjects = { log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore };
  const ids = (parts?: Parameters<typeof portsWith>[0]) =>
    standardProbes({ ...subjects, ...(parts ? { parts: portsWith(parts) } : {}) }).map((p) => p.id);

  it('is the plan it was when nothing is fitted', () => {
    expect(standardProbes({ ...subjects, parts: portsWith({}) })).toBe(standardProbes(subjects));
    expect(ids({})).not.toContain('device.reader');
  });

  it('has each fitted part\'s probes after the keypad\'s, and only those', () => {
    const { link } = chipLink('i2c', healthy);
    const all = ids({ reader: new Pn532Reader(link, new FakeClock()), contact: { ...unfitted, fitted: true }, magstripe: input(true, true, ''), scanner: input(true, true, '') });
    const at = all.indexOf('device.keypad');
    expect(all.slice(at, at + 6)).toEqual(['device.keypad', 'device.reader', 'device.antenna', 'device.contact', 'device.magstripe', 'device.scanner']);
    expect(all.filter((id) => !id.match(/^device\.(reader|antenna|contact|magstripe|scanner)$/))).toEqual(ids());
    expect(ids({ scanner: input(true, true, '') }).filter((id) => id.startsWith('device.'))).toEqual(['device.display', 'device.keypad', 'device.scanner']);
    expect(Object.isFrozen(standardProbes({ ...subjects, parts: portsWith({ scanner: input(true, true, '') }) }))).toBe(true);
  });
});
