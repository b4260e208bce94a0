/**
 * The one typed error of the card room (card/): every parser and every flow step that meets
 * bad card data, a bad reader frame or a card that went away throws or returns a CardError
 * with a stable code. Messages name what was wrong and never carry a clear PAN or a key.
 */
export type CardErrorCode =
  // PN532 frames and the reader link (card/pn532)
  | 'pn532-checksum' // LCS or DCS does not sum to zero
  | 'pn532-tfi' // TFI is not D5 (chip to host)
  | 'pn532-truncated' // the frame ended before its length said
  | 'pn532-length' // a length past the end or past the frame limit
  | 'pn532-unexpected' // an answer to another command, or bytes where no answer was due
  | 'pn532-error-frame' // the chip's application error frame (00 00 FF 01 FF 7F 81 00)
  | 'pn532-nack' // the chip answered NACK again after the one retry
  | 'pn532-timeout' // no ACK or no answer in time
  | 'pn532-status' // the chip's status byte reports an error (timeout, CRC, collision…)
  // APDU exchange and cards (card/emv)
  | 'card-removed' // the card left the field or the slot mid-read
  | 'card-status' // a status word the step cannot go on from (6985, 6A82…)
  | 'card-blocked' // card or application blocked (6283 / 6A81 on SELECT)
  | 'tlv-malformed' // BER-TLV that does not parse (EMV Book 3 Annex B)
  | 'tlv-indefinite' // an indefinite length (0x80), which EMV does not allow
  | 'missing-tag' // a mandatory data object is absent
  | 'no-application' // no mutually supported application
  | 'atr-malformed'
  | 'limit-exceeded' // the contactless transaction limit
  | 'card-declined' // the card answered AAC to GENERATE AC
  | 'dol-malformed' // a DOL that does not parse, or DOL data past what a short APDU carries
  | 'cardholder-cancelled' // the cardholder cancelled the choice of application
  | 'field55-overflow' // the profile's field 55 tags with the card's values pass 255 bytes (CUP/ISO LLLVAR b…255)
  | 'afl-malformed' // an AFL entry outside EMV Book 3 §10.2 (SFI 1–30, first ≥ 1, last ≥ first, ODA count ≤ records)
  // Magstripe, PAN and payment codes
  | 'track2-malformed'
  | 'pan-luhn' // the PAN fails the Luhn check
  | 'card-expired'
  | 'chip-card-swiped' // service code 2xx/6xx: insert the card (fallback only under the profile's rules)
  | 'unknown-code' // a scanned code that is no payment code the terminal knows
  // The reader itself
  | 'reader-fault'; // the reader did not answer or failed its own tests

export class CardError extends Error {
  // A field, not `this.name = …`: the device's preloaded Error.prototype is frozen.
  override readonly name = 'CardError';
  constructor(readonly code: CardErrorCode, message: string) {
    super(message);
  }
}
