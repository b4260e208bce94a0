/**
 * Reassembles length-prefixed frames (2-byte big-endian length ‖ body, frame.ts) from whatever
 * chunks TCP delivers: a frame split over many reads, several frames in one read, a length
 * prefix split between two reads. Bounded: a declared length past `maxBody` is an error at once,
 * before anything is allocated for it, and the reader stays failed (the byte stream has lost its
 * framing; the link drops the connection and starts a new reader with the next one).
 */
import { Iso8583Error } from './types';

export class FrameReader {
  readonly #maxBody: number;
  /** The first byte of a length prefix split between reads, or -1. */
  #lengthHigh = -1;
  /** The body being filled, or undefined between frames. */
  #body: Uint8Array | undefined;
  #filled = 0;
  #failed = false;

  constructor(maxBody: number) {
    this.#maxBody = maxBody;
  }

  /**
   * Takes one chunk; returns the bodies it completes (copies the caller owns), in order.
   * A zero-length frame comes back as an empty body (the caller's frame decoder rejects it).
   * @throws Iso8583Error('iso-frame-overlong', 0) for a declared length past maxBody (and on every push after)
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw new Iso8583Error('iso-frame-overlong', 0, 'the reader failed on an overlong frame; the connection has lost its framing');
    const done: Uint8Array[] = [];
    const end = chunk.length;
    let i = 0;
    while (i < end) {
      const body = this.#body;
      if (body !== undefined) {
        const take = Math.min(body.length - this.#filled, end - i);
        body.set(chunk.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === body.length) {
          done.push(body);
          this.#body = undefined;
        }
        continue;
      }
      let length: number;
      if (this.#lengthHigh >= 0) {
        length = (this.#lengthHigh << 8) | chunk[i++];
        this.#lengthHigh = -1;
      } else if (i + 1 < end) {
        length = (chunk[i] << 8) | chunk[i + 1];
        i += 2;
      } else {
        this.#lengthHigh = chunk[i++];
        continue;
      }
      if (length > this.#maxBody) {
        this.#failed = true;
        throw new Iso8583Error('iso-frame-overlong', 0, `a frame of ${length} bytes, more than the ${this.#maxBody} the link accepts`);
      }
      if (i + length <= end) {
        // The whole body is in this chunk: one copy, no staging.
        done.push(chunk.slice(i, i + length));
        i += length;
      } else {
        this.#body = new Uint8Array(length);
        this.#filled = 0;
      }
    }
    return done;
  }

  /** Bytes received that are not yet part of a complete frame (length prefix included). */
  get pending(): number {
    if (this.#lengthHigh >= 0) return 1;
    return this.#body === undefined ? 0 : 2 + this.#filled;
  }
}
