/**
 * The core's PN532 driver and reader port against host-sim's virtual PN532 (its own chip-side
 * framing, written separately from the driver's): the two sides agree on every frame, and each
 * of the chip's faults reaches the reader as the typed error it should.
 */
import { Pn532 } from '../../firmware/core/card/pn532/driver';
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import { PortError } from '../../firmware/core/ports';
import { VirtualLink } from '../../host-sim/cards/virtualLink';
import { VirtualPn532, type Pn532Card, type Pn532Fault } from '../../host-sim/cards/virtualPn532';
import { FakeClock, hex, toHex } from './pn532Fakes';

/** A card answering any command with `size` bytes of its own and 90 00. */
function card(size: number): Pn532Card & { seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  return {
    interface: 'contactless',
    uid: hex('04 41 6D 41 2B 02 89'),
    seen,
    answer(capdu: Uint8Array) {
      seen.push(capdu);
      const out = new Uint8Array(size + 2).map((_, i) => (i * 5 + capdu.length) & 0xff);
      out[size] = 0x90;
      out[size + 1] = 0x00;
      return out;
    },
  };
}

/** Runs `work` while moving the clock, as the simulator's world does. */
async function onVirtualTime<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => (done = true));
  for (let i = 0; i < 5_000 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(1);
  }
  return settled;
}

function setup(kind: 'hsu' | 'i2c', faults: Pn532Fault[] = [], placed?: Pn532Card) {
  const clock = new FakeClock();
  const chip = new VirtualPn532({ faults });
  if (placed) chip.place(placed);
  const reader = new Pn532Reader(new VirtualLink(chip, clock, kind), clock);
  return { clock, chip, reader };
}

describe('the PN532 reader against the virtual PN532', () => {
  it.each(['hsu', 'i2c'] as const)('identifies it, passes its self-check, reads a card and chains 300 bytes each way (%s)', async (kind) => {
    const tapped = card(300);
    const { clock, reader } = setup(kind, [], tapped);
    expect(await onVirtualTime(clock, reader.identify())).toEqual({ model: 'PN532', firmware: 'v1.6' });
    const checks = await onVirtualTime(clock, reader.selfCheck());
    expect(checks.map((c) => `${c.test}:${c.ok}`)).toEqual(['firmware:true', 'line:true', 'rom:true', 'ram:true', 'antenna:true', 'sam:true']);
    const presence = await onVirtualTime(clock, reader.detect());
    expect(presence.kind === 'contactless' && toHex(presence.uid)).toBe('04 41 6D 41 2B 02 89');
    const apdu = new Uint8Array(300).map((_, i) => i & 0xff);
    const rapdu = await onVirtualTime(clock, reader.transmit(apdu));
    expect(rapdu.length).toBe(302);
    expect(toHex(rapdu.subarray(300))).toBe('90 00');
    expect(toHex(tapped.seen[0])).toBe(toHex(apdu));
    reader.release();
  });

  it('queues operations that overlap (a card poll during a self-test), one command at a time', async () => {
    const { clock, reader } = setup('hsu', [], card(4));
    const all = Promise.all([reader.detect(), reader.selfCheck(), reader.identify(), reader.detect()]);
    reader.release();
    const [first, checks, who, again] = await onVirtualTime(clock, all);
    expect(first.kind).toBe('contactless');
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(who).toEqual({ model: 'PN532', firmware: 'v1.6' });
    expect(again.kind).toBe('contactless');
    expect(toHex(await onVirtualTime(clock, reader.transmit(hex('00 B2 01 0C 00'))))).toMatch(/90 00$/);
  });

  it('says none with no card, after polling A (and B, which the firmware reports)', async () => {
    const { clock, reader } = setup('hsu');
    expect(await onVirtualTime(clock, reader.detect())).toEqual({ kind: 'none' });
  });

  it.each([
    ['no-answer', /^pn532-timeout: /],
    ['nack-storm', /^pn532-nack: /],
    ['checksum', /^pn532-checksum: /],
  ] as const)('turns the chip fault %s into PortError reader naming the code', async (fault, message) => {
    const { clock, reader } = setup('hsu', [fault], card(10));
    const e = await onVirtualTime(clock, reader.identify().catch((x) => x));
    expect(e).toBeInstanceOf(PortError);
    expect(e.message).toMatch(message);
  });

  it('reports a failed antenna test, and a card that left mid-exchange as status 01', async () => {
    const { clock, chip, reader } = setup('i2c', ['antenna'], card(10));
    const checks = await onVirtualTime(clock, reader.selfCheck());
    expect(checks.find((c) => c.test === 'antenna')).toMatchObject({ ok: false });
    chip.setFaults(['remove-mid-exchange']);
    await onVirtualTime(clock, reader.detect());
    const e = await onVirtualTime(clock, reader.transmit(hex('00 A4 04 00 00')).catch((x) => x));
    expect(e).toBeInstanceOf(PortError);
    expect(e.message).toMatch(/^pn532-status: InDataExchange: status 0x01: time out/);
  });

  it('answers the line test with the echo through the driver alone', async () => {
    const clock = new FakeClock();
    const driver = new Pn532(new VirtualLink(new VirtualPn532(), clock, 'hsu'), clock);
    await onVirtualTime(clock, driver.wake());
    const data = new Uint8Array(262).map((_, i) => 255 - i);
    expect(toHex(await onVirtualTime(clock, driver.diagnose(0, data)))).toBe(toHex(data));
  });
});
