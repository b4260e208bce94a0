/**
 * device/magstripeSerial and scannerSerial over a fake ECMA-419 serial port (format "buffer",
 * onReadable(count) then read() until undefined, as modules/io/serial does): the UART is opened
 * at 9600 unless configured, swipes and scans are delivered whole whatever the chunking, and
 * check() reports a garbled line (framing errors) and a port that does not open.
 */
import { MagstripeSerial } from '../../firmware/device/magstripeSerial';
import { ScannerSerial } from '../../firmware/device/scannerSerial';
import type { SerialLike, SerialLikeOptions } from '../../firmware/device/serialInput';

class FakeSerial implements SerialLike {
  readonly queue: ArrayBuffer[] = [];
  closed = false;
  constructor(readonly options: SerialLikeOptions) {}
  read(): ArrayBuffer | undefined {
    return this.queue.shift();
  }
  close(): void {
    this.closed = true;
  }
  /** The module sends `text` in chunks of `size` bytes, one onReadable per chunk. */
  send(text: string, size = 7): void {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    for (let i = 0; i < bytes.length; i += size) {
      const chunk = bytes.slice(i, i + size);
      this.queue.push(chunk.buffer);
      this.options.onReadable.call(this, chunk.length);
    }
  }
}

function opener() {
  const opened: FakeSerial[] = [];
  return { opened, open: (options: SerialLikeOptions) => { const s = new FakeSerial(options); opened.push(s); return s; } };
}

const TRACK = ';4111111111111111=25121011234500000000?';

describe('MagstripeSerial', () => {
  it('opens the UART at 9600 by default and hands each swipe over whole', () => {
    const { opened, open } = opener();
    const magstripe = new MagstripeSerial({ port: 2, receive: 16 }, open);
    expect(magstripe.fitted).toBe(true);
    const swipes: string[] = [];
    magstripe.start((t) => swipes.push(t));
    expect(opened[0].options).toMatchObject({ port: 2, receive: 16, baud: 9600, format: 'buffer' });
    opened[0].send(`${TRACK}\r\n${TRACK}`, 5);
    expect(swipes).toEqual([TRACK, TRACK]);
    magstripe.stop();
    opened[0].send(TRACK);
    expect(swipes).toHaveLength(2);
    magstripe.close();
    expect(opened[0].closed).toBe(true);
  });

  it('check(): healthy, then garbled after framing errors (overlong frames), then healthy again', async () => {
    const { opened, open } = opener();
    const magstripe = new MagstripeSerial({ port: 1, receive: 4, baud: 19200, lrc: true }, open);
    expect(await magstripe.check()).toEqual({ ok: true, detail: 'UART 1 19200 8N1, 0 framing errors since the last check' });
    magstripe.start(() => undefined);
    opened[0].send(`;${'1'.repeat(50)}?0`.repeat(3));
    const garbled = await magstripe.check();
    expect(garbled.ok).toBe(false);
    expect(garbled.detail).toContain('3 framing errors');
    expect((await magstripe.check()).ok).toBe(true);
  });

  it('a UART that does not open: check() says so, start() throws PortError reader', async () => {
    const magstripe = new MagstripeSerial({ port: 9, receive: 99 }, () => {
      throw new Error('invalid port');
    });
    const status = await magstripe.check();
    expect(status.ok).toBe(false);
    expect(status.detail).toContain('UART 9');
    expect(() => magstripe.start(() => undefined)).toThrow(expect.objectContaining({ name: 'PortError', code: 'reader' }));
  });
});

describe('ScannerSerial', () => {
  it('one scanned line = one call with its bytes, CR/LF taken off', () => {
    const { opened, open } = opener();
    const scanner = new ScannerSerial({ port: 1, receive: 5, baud: 115200 }, open);
    const codes: string[] = [];
    scanner.start((bytes) => codes.push(String.fromCharCode(...bytes)));
    expect(opened[0].options.baud).toBe(115200);
    opened[0].send('120061098828009406\r\n28763443825664394\r', 3);
    expect(codes).toEqual(['120061098828009406', '28763443825664394']);
  });
});
