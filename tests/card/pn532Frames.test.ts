/**
 * PN532 frames against the byte sequences of NXP's PN532 User Manual (UM0701-02) as public
 * code quotes them, then a fuzz of the frame reader.
 *
 * Sources of the vectors (each quotes the manual's frames or a real chip's answers):
 * - [SR] github.com/delikely/Secure-Router test/nfc-find-card2.c: the HSU wake-up with
 *   SAMConfiguration "55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 03 FD D4 14 01 17 00"
 *   (UM0701-02 §7.2.11's example), the chip's "00 00 FF 00 FF 00 00 00 FF 02 FE D5 15 16 00",
 *   and InListPassiveTarget MaxTg 2 "00 00 FF 04 FC D4 4A 02 00 E0 00".
 * - [PY] a public pyserial PN532 example (comments "wake up reader / get firmware / read the
 *   tag"): GetFirmwareVersion "00 00 FF 02 FE D4 02 2A 00" answered "00 00 FF 00 FF 00 00 00 FF
 *   06 FA D5 03 32 01 06 07 E8 00", InListPassiveTarget "00 00 FF 04 FC D4 4A 01 00 E1 00".
 * - [RD] a public PN532 probe write-up (a CH340 USB reader): the card answer "00 00 ff 00 ff 00
 *   00 00 ff 0f f1 d5 4b 01 01 00 44 00 07 04 41 6d 41 2b 02 89 ea 00" (7-byte UID).
 * - [AS] github.com/martin-eden/Embedded_Scrapyard libraries/Adafruit-PN532/README.md: the
 *   syntax error frame "0x00 0x00 0xFF 0x01 0xFF 0x7F 0x81 0x00" (UM0701-02 §6.2.1.5).
 */
import { CardError } from '../../firmware/core/card/errors';
import { parseFirmwareVersion, parseListPassiveTarget } from '../../firmware/core/card/pn532/commands';
import {
  decodeFrame, encodeFrame, encodeHostFrame, PN532_ACK, PN532_ERROR_FRAME, PN532_NACK, Pn532FrameReader, type Pn532Frame, withWakeUp,
} from '../../firmware/core/card/pn532/frames';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');

function drain(reader: Pn532FrameReader): (Pn532Frame | string)[] {
  const out: (Pn532Frame | string)[] = [];
  for (let i = 0; i < 1000; i++) {
    try {
      const f = reader.next();
      if (!f) return out;
      out.push(f);
    } catch (e) {
      expect(e).toBeInstanceOf(CardError);
      out.push((e as CardError).code);
    }
  }
  throw new Error('reader did not stop');
}

describe('PN532 frames as the manual gives them', () => {
  it('sends the HSU wake-up with SAMConfiguration byte for byte [SR]', () => {
    const sent = withWakeUp(encodeHostFrame(0x14, new Uint8Array([0x01])));
    expect(toHex(sent)).toBe('55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 03 FD D4 14 01 17 00');
    expect(toHex(encodeHostFrame(0x14, new Uint8Array([0x01])))).toBe('00 00 FF 03 FD D4 14 01 17 00');
  });

  it('reads the ACK and SAMConfiguration answer [SR]', () => {
    const r = new Pn532FrameReader();
    r.push(hex('00 00 FF 00 FF 00 00 00 FF 02 FE D5 15 16 00'));
    expect(drain(r)).toEqual([{ kind: 'ack' }, { kind: 'info', tfi: 0xd5, data: new Uint8Array([0x15]) }]);
  });

  it('sends GetFirmwareVersion and reads its answer: PN532 v1.6, support 07 [PY]', () => {
    expect(toHex(encodeHostFrame(0x02, new Uint8Array(0)))).toBe('00 00 FF 02 FE D4 02 2A 00');
    const r = new Pn532FrameReader();
    r.push(hex('00 00 FF 00 FF 00 00 00 FF 06 FA D5 03 32 01 06 07 E8 00'));
    const [ack, info] = drain(r) as Pn532Frame[];
    expect(ack).toEqual({ kind: 'ack' });
    expect(info).toEqual({ kind: 'info', tfi: 0xd5, data: hex('03 32 01 06 07') });
    expect(parseFirmwareVersion((info as { data: Uint8Array }).data.subarray(1))).toEqual({ ic: 0x32, ver: 1, rev: 6, support: 7 });
    expect(decodeFrame(hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00'))).toEqual(info);
  });

  it('sends InListPassiveTarget 106 kbps type A and reads a 7-byte UID [PY][SR][RD]', () => {
    expect(toHex(encodeHostFrame(0x4a, hex('01 00')))).toBe('00 00 FF 04 FC D4 4A 01 00 E1 00');
    expect(toHex(encodeHostFrame(0x4a, hex('02 00')))).toBe('00 00 FF 04 FC D4 4A 02 00 E0 00');
    const r = new Pn532FrameReader();
    r.push(hex('00 00 ff 00 ff 00 00 00 ff 0f f1 d5 4b 01 01 00 44 00 07 04 41 6d 41 2b 02 89 ea 00'));
    const frames = drain(r) as { kind: string; data: Uint8Array }[];
    expect(frames.map((f) => f.kind)).toEqual(['ack', 'info']);
    expect(frames[1].data[0]).toBe(0x4b);
    const target = parseListPassiveTarget(frames[1].data.subarray(1), 0x00);
    expect(target && { tg: target.tg, uid: toHex(target.uid), atqa: toHex(target.atqa!), sak: target.sak }).toEqual({
      tg: 1, uid: '04 41 6D 41 2B 02 89', atqa: '00 44', sak: 0,
    });
  });

  it('knows the ACK, NACK and error frames [AS]', () => {
    expect(toHex(PN532_ACK)).toBe('00 00 FF 00 FF 00');
    expect(toHex(PN532_NACK)).toBe('00 00 FF FF 00 00');
    expect(toHex(PN532_ERROR_FRAME)).toBe('00 00 FF 01 FF 7F 81 00');
    expect(decodeFrame(hex('0x00 0x00 0xFF 0x01 0xFF 0x7F 0x81 0x00'.replace(/0x/g, '')))).toEqual({ kind: 'error' });
    expect(decodeFrame(PN532_NACK)).toEqual({ kind: 'nack' });
  });

  it('uses the extended frame past 255 bytes of TFI and data (UM0701-02 §6.2.1.2), up to 265', () => {
    const params = new Uint8Array(263).map((_, i) => i * 7);
    const frame = encodeHostFrame(0x40, params);
    // 00 00 FF FF FF LENm LENl LCS: 265 = 0x0109, LCS = 0x100 - 0x0A
    expect(toHex(frame.subarray(0, 8))).toBe('00 00 FF FF FF 01 09 F6');
    expect(frame.length).toBe(8 + 265 + 2);
    let sum = 0;
    for (let i = 8; i < 8 + 265 + 1; i++) sum += frame[i];
    expect(sum % 256).toBe(0);
    expect(frame[frame.length - 1]).toBe(0);
    expect(decodeFrame(frame, 0xd4)).toEqual({ kind: 'info', tfi: 0xd4, data: Uint8Array.from([0x40, ...params]) });
    // 254 data bytes still fit a normal frame (LEN FF, LCS 01).
    expect(toHex(encodeHostFrame(0x40, new Uint8Array(253)).subarray(0, 5))).toBe('00 00 FF FF 01');
    expect(() => encodeHostFrame(0x40, new Uint8Array(264))).toThrow(expect.objectContaining({ code: 'pn532-length' }));
  });
});

describe('the frame reader on bad input', () => {
  const good = hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00');
  const codeOf = (bytes: Uint8Array) => {
    try {
      decodeFrame(bytes);
      return 'ok';
    } catch (e) {
      return (e as CardError).code;
    }
  };

  it('names each fault', () => {
    expect(codeOf(hex('00 00 FF 06 FB D5 03 32 01 06 07 E8 00'))).toBe('pn532-checksum'); // LCS
    expect(codeOf(hex('00 00 FF 06 FA D5 03 32 01 06 07 E9 00'))).toBe('pn532-checksum'); // DCS
    expect(codeOf(hex('00 00 FF 02 FE D4 02 2A 00'))).toBe('pn532-tfi'); // a host frame where the chip's was due
    expect(codeOf(hex('00 00 FF 06 FA D5 03 32 01'))).toBe('pn532-truncated');
    expect(codeOf(hex('00 00 FF FF FF 02 00 FE D5'))).toBe('pn532-length'); // 512 bytes: refused before they come
    expect(codeOf(hex('00 00 FF FF FF 00 00 00 D5'))).toBe('pn532-length'); // extended length 0
    expect(codeOf(hex('00 00 FF FF FF 01 09 F5 D5'))).toBe('pn532-checksum'); // extended LCS
    expect(codeOf(hex('00 00 FF 00 00 00'))).toBe('pn532-length'); // LEN 0 is no frame
    expect(codeOf(hex('12 34 56'))).toBe('pn532-truncated'); // no start code at all
  });

  it('resyncs on the next start code after a bad frame, and skips noise before it', () => {
    const r = new Pn532FrameReader();
    r.push(hex('55 AA 00 00 FF 06 FB D5 03 32 01 06 07 E8 00 13'));
    r.push(good);
    expect(drain(r)).toEqual(['pn532-checksum', { kind: 'info', tfi: 0xd5, data: hex('03 32 01 06 07') }]);
  });

  it('gives the same frames fed one byte at a time', () => {
    const stream = hex('00 00 FF 00 FF 00 00 00 FF 06 FA D5 03 32 01 06 07 E8 00 00 00 FF FF 00 00 00 00 FF 01 FF 7F 81 00');
    const whole = new Pn532FrameReader();
    whole.push(stream);
    const one = new Pn532FrameReader();
    const got: (Pn532Frame | string)[] = [];
    for (const b of stream) {
      one.push(new Uint8Array([b]));
      got.push(...drain(one));
    }
    expect(got).toEqual(drain(whole));
    expect(got.map((f) => (typeof f === 'string' ? f : f.kind))).toEqual(['ack', 'info', 'nack', 'error']);
  });

  it('stays bounded under a flood without a frame, and says bytes were lost', () => {
    const r = new Pn532FrameReader();
    for (let i = 0; i < 100; i++) r.push(new Uint8Array(100).fill(0x55));
    expect(r.pending).toBeLessThanOrEqual(550);
    expect(drain(r)).toEqual(['pn532-unexpected']);
    r.push(good);
    expect(drain(r)).toEqual([{ kind: 'info', tfi: 0xd5, data: hex('03 32 01 06 07') }]);
  });
});

describe('the frame reader fuzzed with 10^6 inputs', () => {
  // xorshift32, seeded: the same million inputs every run.
  let state = 0x9e3779b9;
  const rand = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  const seeds = [
    hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00'),
    hex('00 00 ff 0f f1 d5 4b 01 01 00 44 00 07 04 41 6d 41 2b 02 89 ea 00'),
    PN532_ACK, PN532_NACK, PN532_ERROR_FRAME,
    encodeFrame(0xd5, 0x41, new Uint8Array(263).map((_, i) => i)),
    encodeFrame(0xd5, 0x41, new Uint8Array(253).fill(0x90)),
  ];

  function mutate(): Uint8Array {
    const kind = rand() % 5;
    if (kind === 0) {
      const out = new Uint8Array(rand() % 40);
      for (let i = 0; i < out.length; i++) out[i] = rand() & 1 ? 0x00 : rand() & 0xff;
      if (out.length > 3 && rand() & 1) out.set([0x00, 0xff], rand() % (out.length - 2)); // a start code somewhere
      return out;
    }
    const seed = seeds[rand() % seeds.length];
    const out = seed.slice();
    const flips = 1 + (rand() % 3);
    for (let i = 0; i < flips; i++) {
      const at = rand() % out.length;
      out[at] = kind === 1 ? out[at] ^ (1 << (rand() % 8)) : rand() & 0xff;
    }
    if (kind === 3) return out.subarray(0, rand() % (out.length + 1)); // truncated
    if (kind === 4) {
      // a length byte set to something past the end
      out[3] = rand() & 0xff;
      out[4] = (0x100 - out[3]) & 0xff;
    }
    return out;
  }

  it('answers every input with a frame, undefined or a CardError, nothing else', () => {
    // A million errors: their stack traces are the cost, not the reader.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      fuzz();
    } finally {
      Error.stackTraceLimit = limit;
    }
  });

  function fuzz(): void {
    const codes = new Map<string, number>();
    let frames = 0;
    const stream = new Pn532FrameReader();
    for (let n = 0; n < 1_000_000; n++) {
      const input = mutate();
      try {
        const f = decodeFrame(input);
        frames++;
        if (f.kind === 'info' && (f.tfi !== 0xd5 || f.data.length > 264)) throw new Error('accepted a frame the manual does not allow');
      } catch (e) {
        if (!(e instanceof CardError)) throw e;
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
      if (n % 8 === 0) {
        // The same inputs as a stream in uneven chunks through one long-lived reader.
        const cut = rand() % (input.length + 1);
        stream.push(input.subarray(0, cut));
        for (let i = 0; i < 2; i++) {
          for (let k = 0; k < 600; k++) {
            try {
              if (!stream.next()) break;
            } catch (e) {
              if (!(e instanceof CardError)) throw e;
            }
          }
          if (i === 0) stream.push(input.subarray(cut));
        }
        if (stream.pending > 550) throw new Error(`reader holds ${stream.pending} bytes`);
      }
    }
    expect(frames).toBeGreaterThan(10_000);
    expect([...codes.keys()].sort()).toEqual(['pn532-checksum', 'pn532-length', 'pn532-tfi', 'pn532-truncated']);
  }
});
