/**
 * ISO/IEC 7816-4 T=0 case handling over a contact slot (EMV 4.4 Book 1 §9.3.1): a card that
 * answers 61xx has xx more bytes waiting (GET RESPONSE, repeated while it says 61xx); 6Cxx asks
 * for the same command again with Le = xx.
 */
import { CardError } from '../errors';
import { getResponseApdu, sw, withLe, type ApduChannel } from './apdu';
import { concatBytes } from './tlv';

/** GET RESPONSE rounds for one command (16 × 256 bytes: more than any EMV answer). */
export const T0_MAX_ROUNDS = 16;

export class T0Channel implements ApduChannel {
  constructor(private readonly inner: ApduChannel) {}

  /** @throws CardError 'card-status' when the card keeps answering 61xx past the bound */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    let r = await this.inner.transmit(apdu);
    let word = sw(r);
    if (word >> 8 === 0x6c) {
      r = await this.inner.transmit(withLe(apdu, word & 0xff)); // resent once with the Le the card asked
      word = sw(r);
    }
    if (word >> 8 !== 0x61) return r;
    const parts: Uint8Array[] = [r.subarray(0, r.length - 2)];
    let resent = false;
    for (let round = 0; round < T0_MAX_ROUNDS; round++) {
      const request = getResponseApdu(word & 0xff);
      r = await this.inner.transmit(request);
      word = sw(r);
      if (word >> 8 === 0x6c && !resent) {
        resent = true;
        r = await this.inner.transmit(withLe(request, word & 0xff));
        word = sw(r);
      }
      parts.push(r.subarray(0, r.length - 2));
      if (word >> 8 !== 0x61) {
        parts.push(r.subarray(r.length - 2));
        return concatBytes(parts);
      }
    }
    throw new CardError('card-status', `card still answered 61xx after ${T0_MAX_ROUNDS} GET RESPONSE`);
  }
}
