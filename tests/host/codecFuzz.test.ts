/**
 * 10^6 random and mutated frames thrown at the decoding path a received frame takes (frame
 * reader → frame → CUP header → message). Whatever the bytes, the decoder either returns a
 * message that packs back to the same bytes or throws an Iso8583Error: never a TypeError, a
 * RangeError, a hang or a huge allocation.
 */
import { CUP_POS_DIALECT } from '../../firmware/core/host/cupDialect';
import { decodeCupHeader, decodeFrame } from '../../firmware/core/host/frame';
import { FrameReader } from '../../firmware/core/host/frameReader';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import { Iso8583Error } from '../../firmware/core/host/types';
import { PUBLISHED_FRAMES } from './codecVectors';

const D = CUP_POS_DIALECT;
const FRAMES = 1_000_000;
const MAX_BODY = 2048;

/** xorshift32, seeded: a failure prints the iteration, which replays it. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const seeds = PUBLISHED_FRAMES.map((f) => new Uint8Array(Buffer.from(f.hex, 'hex')));

/** A frame body: random bytes, or a published frame's body with 1–4 mutations. */
function nextBody(r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const kind = int(10);
  if (kind < 2) {
    const out = new Uint8Array(int(kind ? 400 : 40));
    for (let i = 0; i < out.length; i++) out[i] = int(256);
    return out;
  }
  const seed = seeds[int(seeds.length)].subarray(2);
  let body = seed.slice();
  for (let m = 1 + int(4); m > 0; m--) {
    const at = int(body.length);
    switch (int(6)) {
      case 0:
        body[at] ^= 1 << int(8); // a bit flip anywhere (bitmaps, prefixes, digits)
        break;
      case 1:
        body[at] = int(256);
        break;
      case 2:
        body = body.slice(0, at); // cut short
        break;
      case 3: {
        const longer = new Uint8Array(body.length + 1 + int(8)); // trailing bytes
        longer.set(body);
        for (let i = body.length; i < longer.length; i++) longer[i] = int(256);
        body = longer;
        break;
      }
      case 4:
        body[11 + 2 + int(8)] |= 0x80 >> int(8); // another bitmap bit (after TPDU 5 + header 6 + MTI 2)
        break;
      default:
        body[11 + 10 + int(4)] = int(0x100); // a length prefix or first field byte
    }
  }
  return body;
}

/** Decodes a body the way the link does; true when it was a message. */
function decode(body: Uint8Array): boolean {
  try {
    const { header, message } = decodeFrame(body, D.headerLength);
    decodeCupHeader(header);
    const m = unpackMessage(D, message);
    const again = packMessage(D, m);
    if (Buffer.compare(Buffer.from(again), Buffer.from(message)) !== 0) throw new Error('decoded, but packs to other bytes');
    return true;
  } catch (e) {
    if (e instanceof Iso8583Error) return false;
    throw e;
  }
}

it(`${FRAMES.toLocaleString('en')} random and mutated frames: a message or an Iso8583Error, nothing else`, () => {
  const r = rng(0x8583);
  // A million throws: V8's stack capture would be most of the time, and no stack is looked at.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const reader = new FrameReader(MAX_BODY);
  const codes = new Map<string, number>();
  let messages = 0;
  try {
    for (let i = 0; i < FRAMES; i++) {
      const body = nextBody(r);
      try {
        if (i % 64 === 0) {
          // Every 64th goes through the reader as a framed stream, split at a random point.
          const frame = new Uint8Array(body.length + 2);
          frame[0] = body.length >> 8;
          frame[1] = body.length & 0xff;
          frame.set(body, 2);
          const split = Math.floor(r() * frame.length);
          const bodies = [...reader.push(frame.subarray(0, split)), ...reader.push(frame.subarray(split))];
          expect(bodies.length).toBe(1);
          if (decode(bodies[0])) messages++;
        } else if (decode(body)) messages++;
      } catch (e) {
        throw new Error(`frame ${i}: ${(e as Error).name}: ${(e as Error).message}`);
      }
      if (i % 1000 === 0) {
        try {
          unpackMessage(D, body.subarray(11));
        } catch (e) {
          const code = (e as Iso8583Error).code;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  expect(reader.pending).toBe(0);
  // The mutations reach every class of error, and some mutants are still messages.
  expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(['iso-bad-digit', 'iso-bad-length', 'iso-short', 'iso-trailing', 'iso-undefined-field']));
  expect(messages).toBeGreaterThan(FRAMES / 100);
});

it('an overlong declared length fails the reader at once, without allocating it', () => {
  const reader = new FrameReader(MAX_BODY);
  expect(() => reader.push(Uint8Array.of(0xff, 0xff, 1, 2, 3))).toThrow(expect.objectContaining({ code: 'iso-frame-overlong' }));
  expect(() => reader.push(Uint8Array.of(0, 1, 0))).toThrow(expect.objectContaining({ code: 'iso-frame-overlong' }));
});
