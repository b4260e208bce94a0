/**
 * Test fakes for the PN532 driver and reader (not a test file): a clock whose time moves only
 * when a test advances it, a link that answers the host's writes with scripted bytes one
 * microtask later, and a scripted chip answering by command.
 */
import { encodeFrame, PN532_ACK, Pn532FrameReader } from '../../firmware/core/card/pn532/frames';
import { PortError, type ClockPort, type ReaderLinkPort, type TimerToken } from '../../firmware/core/ports';

export const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
export const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
/** The chip's answer frame to `cmd` (answer code cmd + 1) carrying `data`. */
export const answer = (cmd: number, data: number[] | Uint8Array = []) => encodeFrame(0xd5, cmd + 1, Uint8Array.from(data));

export class FakeClock implements ClockPort {
  now = 0;
  timers: { due: number; callback: () => void; token: TimerToken }[] = [];
  uptimeMs() { return this.now; }
  wallMs() { return this.now; }
  setWallMs() {}
  setTimer(delayMs: number, callback: () => void): TimerToken {
    const token = { __timer: true } as TimerToken;
    this.timers.push({ due: this.now + delayMs, callback, token });
    return token;
  }
  clearTimer(token: TimerToken) { this.timers = this.timers.filter((t) => t.token !== token); }
  advance(ms: number) {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.due <= this.now).sort((a, b) => a.due - b.due)[0];
      if (!due) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.callback();
    }
  }
}

/** Bytes the host wrote are handed to `script`, whose chunks come back one microtask later. */
export class FakeLink implements ReaderLinkPort {
  writes: Uint8Array[] = [];
  onBytes: ((b: Uint8Array) => void) | undefined;
  closed = false;
  constructor(readonly kind: 'hsu' | 'i2c', public script: (written: Uint8Array, n: number) => Uint8Array[] = () => []) {}
  open(onBytes: (b: Uint8Array) => void) { this.onBytes = onBytes; }
  write(bytes: Uint8Array) {
    if (this.closed) throw new PortError('reader', 'closed');
    this.writes.push(bytes.slice());
    const chunks = this.script(bytes, this.writes.length - 1);
    for (const c of chunks) queueMicrotask(() => this.onBytes?.(c));
  }
  close() { this.closed = true; }
  deliver(bytes: Uint8Array) { this.onBytes?.(bytes); }
}

/** A scripted PN532 answering by command, for the reader port. */
export function chipLink(kind: 'hsu' | 'i2c', answers: Record<number, (params: Uint8Array) => Uint8Array | undefined>) {
  const host = new Pn532FrameReader(0xd4);
  const commands: string[] = [];
  const link = new FakeLink(kind, (w) => {
    if (toHex(w) === toHex(PN532_ACK)) return [];
    host.reset();
    host.push(w);
    const f = host.next();
    if (!f || f.kind !== 'info') throw new Error('not a command');
    commands.push(toHex(f.data));
    const a = answers[f.data[0]]?.(f.data.subarray(1));
    return a ? [PN532_ACK, a] : [];
  });
  return { link, commands };
}

export const healthy = {
  0x14: () => answer(0x14),
  0x32: () => answer(0x32),
  0x02: () => answer(0x02, [0x32, 0x01, 0x06, 0x07]),
  0x00: (p: Uint8Array) => answer(0x00, p[0] === 0 ? p : [0x00]),
  0x4a: (p: Uint8Array) => (p[1] === 0x00 ? answer(0x4a, hex('01 01 00 44 00 07 04 41 6d 41 2b 02 89')) : answer(0x4a, [0])),
  0x40: () => answer(0x40, [0x00, 0x90, 0x00]),
  0x52: () => answer(0x52, [0x00]),
};

