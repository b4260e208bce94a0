/**
 * The cross-check the issue asks for: the core's PN532 driver (firmware/core/card/pn532, host
 * side) and the virtual PN532 (host-sim/cards, chip side) were written apart, each from the
 * NXP manual; here they meet on the wire, over the in-process link on the virtual clock.
 * libnfc (tests/host-sim/nfcList.test.ts) is the third party that checks the chip side alone.
 */
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import { PortError } from '../../firmware/core/ports';
import { VirtualLink } from '../../host-sim/cards/virtualLink';
import { VirtualPn532, type Pn532Card, type Pn532Fault } from '../../host-sim/cards/virtualPn532';
import { VirtualClock } from '../../host-sim/ports/virtualClock';

const UID = Uint8Array.of(0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6);

/** Answers SELECT with `size` bytes of data and 90 00; records what it got. */
class BigCard implements Pn532Card {
  readonly interface = 'contactless' as const;
  readonly uid = UID;
  readonly seen: Uint8Array[] = [];
  constructor(private readonly size: number) {}
  answer(capdu: Uint8Array): Uint8Array {
    this.seen.push(capdu.slice());
    return Uint8Array.from([...Array.from({ length: this.size }, (_, i) => (i * 3) & 0xff), 0x90, 0x00]);
  }
  reset(): void {}
}

/** Runs `work` to completion, moving the virtual clock from timer to timer. */
async function drive<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  result.catch(() => undefined);
  await clock.settle();
  for (let steps = 0; !done && steps < 10_000; steps++) if (!(await clock.advanceToNextTimer())) await clock.settle();
  return result;
}

function setup(faults: Pn532Fault[] = [], card: Pn532Card | 'empty field' = new BigCard(2)) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const chip = new VirtualPn532({ faults });
  chip.place(card === 'empty field' ? undefined : card);
  const reader = new Pn532Reader(new VirtualLink(chip, clock, 'hsu', 2), clock);
  return { clock, chip, reader };
}

test('identify: PN532 v1.6', async () => {
  const { clock, reader } = setup();
  await expect(drive(clock, reader.identify())).resolves.toEqual({ model: 'PN532', firmware: 'v1.6' });
});

test('selfCheck: firmware, line, ROM, RAM, antenna and SAM all pass', async () => {
  const { clock, reader } = setup();
  const checks = await drive(clock, reader.selfCheck());
  expect(checks.map((c) => [c.test, c.ok])).toEqual([
    ['firmware', true], ['line', true], ['rom', true], ['ram', true], ['antenna', true], ['sam', true],
  ]);
});

test("selfCheck with the 'antenna' fault: only the antenna fails", async () => {
  const { clock, reader } = setup(['antenna']);
  const checks = await drive(clock, reader.selfCheck());
  expect(checks.filter((c) => !c.ok).map((c) => c.test)).toEqual(['antenna']);
});

test('detect finds the card by its UID; a 600-byte answer comes back whole through MI chaining; a 300-byte APDU arrives whole', async () => {
  const card = new BigCard(598);
  const { clock, reader } = setup([], card);
  const presence = await drive(clock, reader.detect());
  expect(presence).toEqual({ kind: 'contactless', uid: UID });
  const answer = await drive(clock, reader.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x0e, ...Buffer.from('2PAY.SYS.DDF01'), 0x00)));
  expect(answer.length).toBe(600);
  expect(Array.from(answer.subarray(598))).toEqual([0x90, 0x00]);
  expect(answer[597]).toBe((597 * 3) & 0xff);
  const long = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  await drive(clock, reader.transmit(long));
  expect(Array.from(card.seen[1])).toEqual(Array.from(long));
});

test('no card: detect says none', async () => {
  const { clock, reader } = setup([], 'empty field');
  await expect(drive(clock, reader.detect())).resolves.toEqual({ kind: 'none' });
});

test.each<[Pn532Fault, string]>([
  ['no-answer', 'pn532-timeout'],
  ['nack-storm', 'pn532-nack'],
  ['checksum', 'pn532-checksum'],
])("'%s': identify fails with PortError 'reader' naming %s", async (fault, code) => {
  const { clock, reader } = setup([fault]);
  const failure = drive(clock, reader.identify());
  await expect(failure).rejects.toBeInstanceOf(PortError);
  await expect(failure).rejects.toThrow(new RegExp(`^${code}`));
});

test("'remove-mid-exchange': the APDU fails with PortError 'reader', then detect finds no card", async () => {
  const { clock, reader } = setup(['remove-mid-exchange']);
  await drive(clock, reader.detect());
  await expect(drive(clock, reader.transmit(Uint8Array.of(0x00, 0xb2, 0x01, 0x0c, 0x00)))).rejects.toBeInstanceOf(PortError);
  await expect(drive(clock, reader.detect())).resolves.toEqual({ kind: 'none' });
});
