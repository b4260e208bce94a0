/**
 * A CBOR writer for the flat records the sale path puts on every sale (the host journal's
 * pending sale and its lastTransaction): the bytes cbor-x writes for the same object with the
 * record codec's options (./cbor.ts), written by hand. On XS cbor-x costs about 9 k computrons
 * for a 170-byte record; this writer about a third (issue 7, item 11: a sale's budget). The
 * records stay CBOR, so the codec reads them back as before.
 *
 * What it writes (RFC 8949): definite-length maps (major 5), text strings (major 3, UTF-8),
 * byte strings (major 2), and non-negative integers (major 0) up to 2³² − 1; a larger one as a
 * float64 (0xfb), as cbor-x does. Callers write a map's header with its pair count, then each
 * key and value, in the order cbor-x would (the object's key order).
 */

export class CborWriter {
  #out: Uint8Array;
  #at = 0;

  /** `capacity`: a first guess at the size (the buffer grows when a record is larger). */
  constructor(capacity = 256) {
    this.#out = new Uint8Array(capacity);
  }

  /** A map of `pairs` key/value pairs follows. */
  map(pairs: number): this {
    this.#head(0xa0, pairs);
    return this;
  }

  /** A non-negative integer (a number past 2³² − 1 as cbor-x writes it: float64). @throws RangeError for a negative or fractional number */
  uint(value: number): this {
    if (value < 24 && value >>> 0 === value && this.#at < this.#out.length) {
      this.#out[this.#at++] = value;
      return this;
    }
    if (value >>> 0 === value) {
      this.#head(0x00, value);
      return this;
    }
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} is not a non-negative integer`);
    this.#room(9);
    this.#out[this.#at] = 0xfb;
    new DataView(this.#out.buffer).setFloat64(this.#at + 1, value);
    this.#at += 9;
    return this;
  }

  /** A text string (keys too). ASCII byte for byte, in one pass; any other character sends it to UTF-8. */
  text(value: string): this {
    const n = value.length;
    if (n >= 0x100) return this.#utf8(value);
    let at = this.#at;
    if (at + n + 2 > this.#out.length) this.#room(n + 2);
    const out = this.#out;
    if (n < 24) out[at++] = 0x60 | n;
    else {
      out[at++] = 0x78;
      out[at++] = n;
    }
    // The codes OR-ed together: past 0x7F, a character needs more than one byte.
    let codes = 0;
    for (let i = 0; i < n; i++) codes |= out[at + i] = value.charCodeAt(i);
    if (codes > 0x7f) return this.#utf8(value);
    this.#at = at + n;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#head(0x40, value.length);
    this.#room(value.length);
    this.#out.set(value, this.#at);
    this.#at += value.length;
    return this;
  }

  /** A copy of the bytes written (the writer can be dropped). */
  finish(): Uint8Array {
    return this.#out.slice(0, this.#at);
  }

  /** Major type ‖ argument in the shortest form (RFC 8949 §3, as cbor-x writes it). */
  #head(major: number, value: number) {
    this.#room(5);
    const out = this.#out;
    let at = this.#at;
    if (value < 24) out[at++] = major | value;
    else if (value < 0x100) {
      out[at++] = major | 24;
      out[at++] = value;
    } else if (value < 0x10000) {
      out[at++] = major | 25;
      out[at++] = value >> 8;
      out[at++] = value & 0xff;
    } else {
      out[at++] = major | 26;
      out[at++] = value >>> 24;
      out[at++] = (value >> 16) & 0xff;
      out[at++] = (value >> 8) & 0xff;
      out[at++] = value & 0xff;
    }
    this.#at = at;
  }

  /** Text past ASCII or 255 characters long: UTF-8 (a lone surrogate as U+FFFD, as TextEncoder and cbor-x write it). */
  #utf8(value: string): this {
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      let c = value.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = value.charCodeAt(i + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else c = 0xfffd;
      }
      if (c < 0x80) bytes.push(c);
      else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    this.#head(0x60, bytes.length);
    this.#room(bytes.length);
    this.#out.set(bytes, this.#at);
    this.#at += bytes.length;
    return this;
  }

  /** Makes room for `n` more bytes. */
  #room(n: number) {
    if (this.#at + n <= this.#out.length) return;
    const grown = new Uint8Array(Math.max(this.#out.length * 2, this.#at + n));
    grown.set(this.#out.subarray(0, this.#at));
    this.#out = grown;
  }
}
