/**
 * The device links of the PN532 on stand-ins for the SDK's ECMA-419 serial and I2C (the links
 * take their opener; pn532Sdk.ts binds the SDK's) (behaving
 * as modules/io/serial/esp32 and modules/io/i2c do: a serial write past the transmit FIFO's
 * room throws "output full"; onWritable says the room; an I2C read returns an ArrayBuffer),
 * each carrying the core's driver end to end: GetFirmwareVersion and its answer as NXP's
 * manual gives them (sources in pn532Frames.test.ts).
 */
import { Pn532 } from '../../firmware/core/card/pn532/driver';
import { Pn532Hsu, type HsuSerialOptions } from '../../firmware/device/pn532Hsu';
import { Pn532I2c, type I2cBusOptions } from '../../firmware/device/pn532I2c';
import { FakeClock, hex, toHex } from './pn532Fakes';

type Options = Record<string, unknown> & { onReadable?: (n: number) => void; onWritable?: (n: number) => void };

class MockSerial {
  static opened: MockSerial[] = [];
  readonly target: unknown;
  sent: number[] = [];
  inbox: number[] = [];
  writes: number[] = [];
  room = 128;
  closed = false;
  constructor(readonly options: Options) {
    this.target = options.target;
    MockSerial.opened.push(this);
    options.onWritable?.call(this, this.room); // "invoked immediately following instantiation"
  }
  write(bytes: Uint8Array) {
    if (bytes.length > this.room) throw new Error('output full');
    this.room -= bytes.length;
    this.writes.push(bytes.length);
    this.sent.push(...bytes);
  }
  read(count: number) {
    const out = this.inbox.splice(0, count);
    return out.length ? Uint8Array.from(out).buffer : undefined;
  }
  close() { this.closed = true; }
  /** The FIFO empties onto the wire. */
  transmitted() {
    this.room = 128;
    this.options.onWritable?.call(this, this.room);
  }
  receive(bytes: Uint8Array) {
    this.inbox.push(...bytes);
    this.options.onReadable?.call(this, bytes.length);
  }
}

class MockI2C {
  static opened: MockI2C[] = [];
  /** What the chip has to say: each read gives the status byte, then (when ready) the frame. */
  pending: number[][] = [];
  busyPolls = 0;
  written: number[][] = [];
  reads: number[] = [];
  closed = false;
  constructor(readonly options: Options) { MockI2C.opened.push(this); }
  write(bytes: Uint8Array) { this.written.push([...bytes]); }
  read(count: number): ArrayBuffer {
    this.reads.push(count);
    const ready = this.pending.length > 0 && this.busyPolls-- <= 0;
    if (count === 1) return Uint8Array.of(ready ? 0x01 : 0x00).buffer;
    const frame = ready ? (this.pending.shift() as number[]) : [];
    const out = new Uint8Array(count).fill(0xa5); // what follows the frame is not the frame's
    out[0] = ready ? 0x01 : 0x00;
    out.set(frame.slice(0, count - 1), 1);
    return out.buffer;
  }
  close() { this.closed = true; }
}
const openSerial = (options: HsuSerialOptions) => new MockSerial(options as unknown as Options);
const openI2c = (options: I2cBusOptions) => new MockI2C(options as unknown as Options);

const FW_ANSWER = hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00');
const ACK = hex('00 00 FF 00 FF 00');

describe('the PN532 HSU link', () => {
  it('opens the UART at 115,200 in buffer format and carries a command and its answer', async () => {
    const link = new Pn532Hsu({ port: 2, receive: 16, transmit: 17 }, openSerial);
    const chip = new Pn532(link, new FakeClock());
    const answer = chip.firmwareVersion();
    const serial = MockSerial.opened.at(-1)!;
    expect(serial.options).toMatchObject({ port: 2, receive: 16, transmit: 17, baud: 115200, format: 'buffer' });
    // The first command on HSU carries the wake-up (UM0701-02 §7.2.11).
    expect(toHex(Uint8Array.from(serial.sent))).toBe('55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 02 FE D4 02 2A 00');
    serial.receive(ACK.subarray(0, 4));
    serial.receive(ACK.subarray(4));
    serial.receive(FW_ANSWER);
    expect(await answer).toEqual({ ic: 0x32, ver: 1, rev: 6, support: 7 });
    chip.close();
    expect(serial.closed).toBe(true);
  });

  it('feeds a frame longer than the transmit FIFO as the FIFO empties', () => {
    const link = new Pn532Hsu({ port: 1, receive: 4, transmit: 5 }, openSerial);
    link.open(() => undefined);
    const serial = MockSerial.opened.at(-1)!;
    const frame = new Uint8Array(300).map((_, i) => i & 0xff);
    link.write(frame);
    expect(serial.writes).toEqual([128]);
    serial.transmitted();
    serial.transmitted();
    serial.transmitted();
    expect(serial.writes).toEqual([128, 128, 44]);
    expect(toHex(Uint8Array.from(serial.sent))).toBe(toHex(frame));
    link.close();
    expect(() => link.write(frame)).toThrow(expect.objectContaining({ code: 'reader' }));
  });
});

describe('the PN532 I2C link', () => {
  it('writes frames to 0x24, polls the ready byte on the clock and hands over only the frame', async () => {
    const clock = new FakeClock();
    const link = new Pn532I2c({ data: 21, clock: 22 }, clock, openI2c);
    const chip = new Pn532(link, clock);
    const answer = chip.firmwareVersion();
    const bus = MockI2C.opened.at(-1)!;
    expect(bus.options).toMatchObject({ address: 0x24, data: 21, clock: 22 });
    expect(bus.written.map((w: number[]) => toHex(Uint8Array.from(w)))).toEqual(['00 00 FF 02 FE D4 02 2A 00']);
    bus.pending.push([...ACK], [...FW_ANSWER]);
    bus.busyPolls = 2;
    for (let i = 0; i < 10; i++) {
      clock.advance(5);
      await new Promise((r) => setImmediate(r));
    }
    expect(await answer).toEqual({ ic: 0x32, ver: 1, rev: 6, support: 7 });
    // Busy twice (one-byte status reads), then the status and the largest frame in one read.
    expect(bus.reads.slice(0, 4)).toEqual([1, 1, 1, 276]);
    chip.close();
    expect(bus.closed).toBe(true);
    const reads = bus.reads.length;
    clock.advance(10_000);
    expect(bus.reads.length).toBe(reads);
  });

  it('stops polling when nothing is due', () => {
    const clock = new FakeClock();
    const link = new Pn532I2c({ data: 21, clock: 22 }, clock, openI2c);
    link.open(() => undefined);
    const bus = MockI2C.opened.at(-1)!;
    link.write(ACK);
    for (let t = 0; t < 3_000; t += 5) clock.advance(5);
    const reads = bus.reads.length;
    // Every 5 ms for the 2.5 s window after the write, then no more.
    expect(reads).toBe(500);
    for (let t = 0; t < 3_000; t += 5) clock.advance(5);
    expect(bus.reads.length).toBe(reads);
  });
});
