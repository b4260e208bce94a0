/**
 * The in-process reader link: what the core writes reaches the virtual chip at once; the chip's
 * ACK and answer arrive as two deliveries on the virtual clock, `latencyMs` apart, as bytes off
 * a UART. Frames are the NXP manual's GetFirmwareVersion example.
 */
import { VirtualLink } from '../../host-sim/cards/virtualLink';
import { VirtualPn532 } from '../../host-sim/cards/virtualPn532';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { PortError } from '../../firmware/core/ports';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
const GET_FIRMWARE = '00 00 FF 02 FE D4 02 2A 00';

test('ACK after one latency, the answer after the next, nothing before', async () => {
  const clock = new VirtualClock(0);
  const link = new VirtualLink(new VirtualPn532(), clock, 'hsu', 5);
  const got: { at: number; bytes: string }[] = [];
  link.open((bytes) => got.push({ at: clock.uptimeMs(), bytes: toHex(bytes) }));
  link.write(hex(GET_FIRMWARE));
  expect(got).toEqual([]);
  await clock.advance(4);
  expect(got).toEqual([]);
  await clock.advance(20);
  expect(got).toEqual([
    { at: 5, bytes: '00 00 FF 00 FF 00' },
    { at: 10, bytes: '00 00 FF 06 FA D5 03 32 01 06 07 E8 00' },
  ]);
});

test('nothing is delivered after close, and a write to a closed link is a PortError', async () => {
  const clock = new VirtualClock(0);
  const link = new VirtualLink(new VirtualPn532(), clock);
  const got: Uint8Array[] = [];
  link.open((bytes) => got.push(bytes));
  link.write(hex(GET_FIRMWARE));
  link.close();
  await clock.advance(100);
  expect(got).toEqual([]);
  expect(clock.pendingTimers).toBe(0);
  expect(() => link.write(hex(GET_FIRMWARE))).toThrow(PortError);
});

test('over I2C a sleeping chip wakes on any write (its address), over HSU only on 0x55', async () => {
  const clock = new VirtualClock(0);
  const sleepy = (): VirtualPn532 => {
    const chip = new VirtualPn532();
    chip.receive(hex('00 00 FF 04 FC D4 16 20 00 F6 00')); // PowerDown, wake on I2C
    expect(chip.asleep).toBe(true);
    return chip;
  };
  const i2c = new VirtualLink(sleepy(), clock, 'i2c', 1);
  const hsu = new VirtualLink(sleepy(), clock, 'hsu', 1);
  const fromI2c: Uint8Array[] = [];
  const fromHsu: Uint8Array[] = [];
  i2c.open((b) => fromI2c.push(b));
  hsu.open((b) => fromHsu.push(b));
  i2c.write(hex(GET_FIRMWARE));
  hsu.write(hex(GET_FIRMWARE));
  await clock.advance(10);
  expect(fromI2c.length).toBe(2);
  expect(fromHsu.length).toBe(0);
});
