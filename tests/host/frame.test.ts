/**
 * The CUP wire frame (length ‖ TPDU ‖ header ‖ message) and its reassembly from TCP chunks.
 */
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame, swapTpdu } from '../../firmware/core/host/frame';
import { FrameReader } from '../../firmware/core/host/frameReader';
import { Iso8583Error } from '../../firmware/core/host/types';
import { PUBLISHED_FRAMES } from './codecVectors';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Iso8583Error);
    return [(e as Iso8583Error).code, (e as Iso8583Error).field];
  }
  return 'no error';
};

describe('frame', () => {
  it('length is big-endian and counts TPDU, header and message', () => {
    const frame = encodeFrame(bytes('6000030000'), bytes('603100310730'), bytes('08000000000000000000'));
    expect(hex(frame)).toBe('0015' + '6000030000' + '603100310730' + '08000000000000000000');
    const parts = decodeFrame(frame.subarray(2), 6);
    expect([hex(parts.tpdu), hex(parts.header), hex(parts.message)]).toEqual(['6000030000', '603100310730', '08000000000000000000']);
  });

  it('the response TPDU swaps destination and source', () => {
    expect(hex(swapTpdu(bytes('6000030012')))).toBe('6000120003');
    // The published 0800 went to 6004010000; its host answers to 6000000401.
    expect(hex(swapTpdu(bytes(PUBLISHED_FRAMES[0].hex.slice(4, 14))))).toBe('6000000401');
  });

  it('the CUP header: type, version, status and processing-request nibbles, software version in BCD', () => {
    const h = { appType: 0x61, version: 0x31, terminalStatus: 0, processingRequest: 3, softwareVersion: '310730' };
    expect(hex(encodeCupHeader(h))).toBe('613103310730');
    expect(decodeCupHeader(bytes('613103310730'))).toEqual(h);
  });

  it('refuses what does not fit', () => {
    expect(codeOf(() => decodeFrame(bytes('6000030000603100310730080000'), 6))).toEqual(['iso-frame-short', 0]);
    expect(codeOf(() => encodeFrame(bytes('60000300'), new Uint8Array(6), new Uint8Array(10)))).toEqual(['iso-bad-value', 0]);
    expect(codeOf(() => encodeFrame(bytes('6000030000'), new Uint8Array(6), new Uint8Array(0x10000)))).toEqual(['iso-frame-overlong', 0]);
    expect(codeOf(() => swapTpdu(new Uint8Array(4)))).toEqual(['iso-bad-value', 0]);
    expect(codeOf(() => decodeCupHeader(bytes('6031a0310730')))).toEqual(['iso-bad-digit', 0]);
    expect(codeOf(() => decodeCupHeader(bytes('60310031073a')))).toEqual(['iso-bad-digit', 0]);
    expect(codeOf(() => decodeCupHeader(bytes('6031003107')))).toEqual(['iso-frame-short', 0]);
    expect(codeOf(() => encodeCupHeader({ appType: 0x60, version: 0x31, terminalStatus: 10, processingRequest: 0, softwareVersion: '000000' }))).toEqual(['iso-bad-value', 0]);
    expect(codeOf(() => encodeCupHeader({ appType: 0x60, version: 0x31, terminalStatus: 0, processingRequest: 0, softwareVersion: '00000' }))).toEqual(['iso-bad-value', 0]);
    expect(codeOf(() => encodeCupHeader({ appType: 0x60, version: 0x31, terminalStatus: 0, processingRequest: 0, softwareVersion: '00000x' }))).toEqual(['iso-bad-value', 0]);
  });
});

describe('frame reader', () => {
  const stream = Buffer.concat(PUBLISHED_FRAMES.map((f) => Buffer.from(f.hex, 'hex')));
  const bodies = PUBLISHED_FRAMES.map((f) => Buffer.from(f.hex, 'hex').subarray(2).toString('hex'));

  it('one byte at a time', () => {
    const reader = new FrameReader(1024);
    const out: string[] = [];
    for (const b of stream) out.push(...reader.push(Uint8Array.of(b)).map(hex));
    expect(out).toEqual(bodies);
    expect(reader.pending).toBe(0);
  });

  it('all frames in one chunk, and every split into two chunks', () => {
    expect(new FrameReader(1024).push(new Uint8Array(stream)).map(hex)).toEqual(bodies);
    for (let split = 0; split <= stream.length; split += 7) {
      const reader = new FrameReader(1024);
      const out = [...reader.push(new Uint8Array(stream.subarray(0, split))), ...reader.push(new Uint8Array(stream.subarray(split)))].map(hex);
      expect(out).toEqual(bodies);
    }
  });

  it('counts what it holds: the split length prefix, then the prefix and the bytes of the body so far', () => {
    const reader = new FrameReader(1024);
    expect(reader.push(Uint8Array.of(0x00))).toEqual([]);
    expect(reader.pending).toBe(1);
    expect(reader.push(Uint8Array.of(0x04, 1, 2))).toEqual([]);
    expect(reader.pending).toBe(4);
    expect(reader.push(Uint8Array.of(3, 4, 0x00)).map(hex)).toEqual(['01020304']);
    expect(reader.pending).toBe(1);
  });

  it('the bodies it returns are copies: the caller may reuse its receive buffer', () => {
    const chunk = Uint8Array.of(0, 2, 0xaa, 0xbb);
    const [body] = new FrameReader(16).push(chunk);
    chunk.fill(0);
    expect(hex(body)).toBe('aabb');
  });

  it('a zero-length frame is an empty body (the frame decoder refuses it)', () => {
    const [body] = new FrameReader(16).push(Uint8Array.of(0, 0));
    expect(body.length).toBe(0);
    expect(codeOf(() => decodeFrame(body, 6))).toEqual(['iso-frame-short', 0]);
  });

  it('a length past the maximum is iso-frame-overlong, and the reader stays failed', () => {
    const reader = new FrameReader(100);
    expect(reader.push(Uint8Array.of(0, 100, ...new Uint8Array(100))).length).toBe(1);
    expect(codeOf(() => reader.push(Uint8Array.of(0, 101)))).toEqual(['iso-frame-overlong', 0]);
    expect(codeOf(() => reader.push(Uint8Array.of(0, 1, 0)))).toEqual(['iso-frame-overlong', 0]);
  });
});
