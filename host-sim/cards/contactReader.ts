/**
 * A virtual ISO 7816 contact slot: a CardReaderPort over a VirtualCard, with the T=0
 * behaviour of ISO 7816-3/-4 for cards whose file says `"t0": true`: a command that gets
 * data back in a case-3 or case-4 TPDU is answered 61xx and the data waits for GET RESPONSE
 * (00 C0 00 00 Le); a case-2 command with the wrong Le is answered 6Cxx (resend with Le = xx).
 * Engine-neutral (the XS lane runs it in XS).
 */
import { PortError, type CardPresence, type CardReaderPort, type ReaderCheck } from '../../firmware/core/ports';
import { concatBytes } from '../../firmware/core/bytes';
import { CardGone, DEFAULT_ATR, type VirtualCard } from './virtualCard';

export interface ContactReaderOptions {
  /** The slot's controller does not answer at all (identify, selfCheck and detect reject). */
  noAnswer?: boolean;
}

export class VirtualContactReader implements CardReaderPort {
  readonly fitted = true;
  #card: VirtualCard | undefined;
  #powered = false;
  /** Response data waiting for GET RESPONSE, and the status word it came with. */
  #pending: { data: Uint8Array; sw: Uint8Array } | undefined;
  readonly #noAnswer: boolean;

  constructor(options: ContactReaderOptions = {}) {
    this.#noAnswer = options.noAnswer ?? false;
  }

  /** A card goes into the slot (undefined: the slot is emptied). */
  insert(card: VirtualCard | undefined): void {
    this.#card = card;
    this.#powered = false;
    this.#pending = undefined;
    card?.reset();
  }
  remove(): void {
    this.insert(undefined);
  }

  async identify(): Promise<{ model: string; firmware: string }> {
    this.#check();
    return { model: 'virtual ISO 7816 slot', firmware: 'sim 1.0' };
  }

  /** The slot's power-up (VCC, clock, reset line): the one test a contact slot has. */
  async selfCheck(): Promise<readonly ReaderCheck[]> {
    this.#check();
    return [{ test: 'firmware', ok: true, detail: 'virtual ISO 7816 slot, power-up ok (5 V, 3.57 MHz)' }];
  }

  async detect(): Promise<CardPresence> {
    this.#check();
    const card = this.#card;
    if (!card) return { kind: 'none' };
    if (!this.#powered) {
      card.reset();
      this.#powered = true;
      this.#pending = undefined;
    }
    return { kind: 'contact', atr: (card.atr ?? DEFAULT_ATR).slice() };
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    this.#check();
    const card = this.#card;
    if (!card || !this.#powered) throw new PortError('reader', 'no powered card in the contact slot');
    try {
      return card.t0 ? this.#t0(card, apdu) : card.answer(apdu);
    } catch (e) {
      if (!(e instanceof CardGone)) throw e;
      this.#card = undefined;
      this.#powered = false;
      this.#pending = undefined;
      throw new PortError('reader', 'the card left the contact slot');
    }
  }

  release(): void {
    this.#powered = false;
    this.#pending = undefined;
  }

  #check(): void {
    if (this.#noAnswer) throw new PortError('reader', 'the contact slot does not answer');
  }

  /** T=0 procedure bytes (ISO 7816-3 §10.3.3) as the terminal's APDU layer sees them. */
  #t0(card: VirtualCard, apdu: Uint8Array): Uint8Array {
    if (apdu.length === 5 && apdu[0] === 0x00 && apdu[1] === 0xc0 && apdu[2] === 0 && apdu[3] === 0) return this.#getResponse(apdu[4]);
    this.#pending = undefined;
    const response = card.answer(apdu);
    if (response.length <= 2) return response;
    const data = response.subarray(0, response.length - 2);
    const sw = response.subarray(response.length - 2);
    if (apdu.length === 5) {
      // Case 2: P3 is Le (00 means 256); a different length than the card has is refused with 6Cxx.
      const le = apdu[4] || 256;
      if (le !== data.length) return Uint8Array.of(0x6c, data.length & 0xff);
      return response;
    }
    // Case 1, 3 and 4: the TPDU carries no Le, so data comes back only through GET RESPONSE.
    this.#pending = { data: data.slice(), sw: sw.slice() };
    return Uint8Array.of(0x61, data.length & 0xff);
  }

  #getResponse(p3: number): Uint8Array {
    const pending = this.#pending;
    if (!pending) return Uint8Array.of(0x69, 0x85);
    const le = p3 || 256;
    if (le > pending.data.length) return Uint8Array.of(0x6c, pending.data.length & 0xff);
    const part = pending.data.subarray(0, le);
    const rest = pending.data.subarray(le);
    if (rest.length === 0) {
      this.#pending = undefined;
      return concatBytes([part, pending.sw]);
    }
    this.#pending = { data: rest.slice(), sw: pending.sw };
    return concatBytes([part, Uint8Array.of(0x61, rest.length & 0xff)]);
  }
}
