/**
 * Lines out of the byte stream of a UART input module, bounded whatever arrives:
 * - a magstripe module sends each track as ';' … '?' (ISO/IEC 7813 track 2 in ASCII), with one
 *   LRC character after '?' when it is set to (`lrc: true`); a track 1 ('%' … '?') it may also
 *   send is skipped, and bytes between frames (CR, LF) are ignored;
 * - a code scanner sends each code as a line ended by CR, LF or both.
 * A frame longer than its cap is dropped whole (counted in `overlong`) and the framer waits for
 * its end (or, for a magstripe, the next ';': a frame cut short that way counts in `broken`);
 * no buffer ever grows past the cap. Finished lines wait in a queue of `maxLines`; a
 * line that finds it full is dropped (counted in `overflow`).
 */

export type LineKind = 'magstripe' | 'scanner';

export interface LineFramerOptions {
  kind: LineKind;
  /** Longest frame kept, start and end characters included (default 40 for a magstripe track 2 with LRC, 512 for a scanner). */
  maxChars?: number;
  /** Finished lines kept until read (default 4). */
  maxLines?: number;
  /** The magstripe module appends an LRC character after '?' (default false). */
  lrc?: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const TRACK2_START = 0x3b; // ';'
const TRACK1_START = 0x25; // '%'
const END = 0x3f; // '?'

/** No frame open. */
const IDLE = 0;
/** Inside a frame being kept. */
const KEEP = 1;
/** Inside a frame being dropped (too long, or a track 1): wait for its end. */
const SKIP = 2;
/** After a kept magstripe frame's '?', waiting for its LRC character. */
const LRC = 3;
/** After a dropped magstripe frame's '?': its LRC character is dropped too. */
const DROP_LRC = 4;

export class LineFramer {
  readonly kind: LineKind;
  /** Frames dropped for being longer than the cap. */
  overlong = 0;
  /** Finished lines dropped because the queue was full. */
  overflow = 0;
  /** Magstripe frames cut short by a new start sentinel (a lost '?'). */
  broken = 0;
  readonly #buffer: Uint8Array;
  readonly #maxLines: number;
  readonly #lrc: boolean;
  readonly #lines: string[] = [];
  #length = 0;
  #state = IDLE;

  constructor(options: LineFramerOptions) {
    this.kind = options.kind;
    const max = options.maxChars ?? (options.kind === 'magstripe' ? 40 : 512);
    this.#buffer = new Uint8Array(max > 0 && max <= 4096 ? Math.floor(max) : 512);
    this.#maxLines = options.maxLines !== undefined && options.maxLines >= 1 && options.maxLines <= 64 ? Math.floor(options.maxLines) : 4;
    this.#lrc = options.lrc === true;
  }

  /** Frames dropped so far, for a check of the line's health. */
  get dropped(): number {
    return this.overlong + this.overflow + this.broken;
  }

  /** Lines finished and not read yet. */
  get pending(): number {
    return this.#lines.length;
  }

  /** Takes bytes as the UART delivered them (any split). */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      if (this.kind === 'magstripe') this.#magstripe(bytes[i]);
      else this.#scanner(bytes[i]);
    }
  }

  /** The oldest finished line (a magstripe frame from ';' to '?' and its LRC; a scanned code without its CR/LF), or undefined. */
  next(): string | undefined {
    return this.#lines.shift();
  }

  /** Forgets a frame under way and every finished line (the counters stay). */
  reset(): void {
    this.#length = 0;
    this.#state = IDLE;
    this.#lines.length = 0;
  }

  #magstripe(b: number): void {
    switch (this.#state) {
      case IDLE:
        if (b === TRACK2_START) {
          this.#length = 0;
          this.#state = KEEP;
          this.#append(b);
        } else if (b === TRACK1_START) this.#state = SKIP;
        return;
      case KEEP:
        if (b === TRACK2_START) {
          // Track-2 data never holds ';': the frame before lost its end.
          this.broken++;
          this.#length = 0;
        }
        if (!this.#append(b)) return;
        if (b === END) {
          if (this.#lrc) this.#state = LRC;
          else this.#finish();
        }
        return;
      case LRC:
        // The LRC is any character (';' too); #append kept room for it.
        this.#buffer[this.#length++] = b;
        this.#finish();
        return;
      case DROP_LRC:
        this.#state = IDLE;
        return;
      default: // SKIP
        if (b === END) this.#state = this.#lrc ? DROP_LRC : IDLE;
        else if (b === TRACK2_START) {
          this.#length = 0;
          this.#state = KEEP;
          this.#append(b);
        }
    }
  }

  #scanner(b: number): void {
    if (b === CR || b === LF) {
      if (this.#state === KEEP && this.#length > 0) this.#finish();
      this.#state = IDLE;
      this.#length = 0;
      return;
    }
    if (this.#state === SKIP) return;
    if (this.#state === IDLE) {
      this.#length = 0;
      this.#state = KEEP;
    }
    this.#append(b);
  }

  /** Adds a byte to the kept frame; a frame past the cap is dropped and the rest skipped. */
  #append(b: number): boolean {
    const room = this.#buffer.length - (this.#lrc && this.kind === 'magstripe' ? 1 : 0);
    if (this.#length >= room) {
      this.overlong++;
      this.#length = 0;
      // A magstripe frame that ends with this very byte is over (but for its LRC); otherwise wait for its end.
      if (this.kind === 'magstripe' && b === END) this.#state = this.#lrc ? DROP_LRC : IDLE;
      else this.#state = SKIP;
      return false;
    }
    this.#buffer[this.#length++] = b;
    return true;
  }

  #finish(): void {
    if (this.#lines.length >= this.#maxLines) this.overflow++;
    else {
      let text = '';
      for (let i = 0; i < this.#length; i++) text += String.fromCharCode(this.#buffer[i]);
      this.#lines.push(text);
    }
    this.#length = 0;
    this.#state = IDLE;
  }
}
