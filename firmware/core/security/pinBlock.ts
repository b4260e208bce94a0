/**
 * PIN blocks (ISO 9564-1): format 0 under a DES-family PIN key, format 4 under an AES PIN key.
 * The core lays out the clear PIN field and PAN field; the crypto port enciphers them under
 * the PIN key (`encipherPinBlock`) after checking they are a PIN field and a PAN field, so a
 * PIN key never encrypts a block of the caller's choosing. The clear PIN exists only inside
 * these calls.
 */
import { PortError, type CryptoPort, type KeyHandle, type PinBlockFormat } from '../ports';
import { isDesFamily, xorInto } from './blocks';

export class PinBlockError extends Error {
  override readonly name = 'PinBlockError';
  constructor(readonly code: 'pin-format' | 'pan-format' | 'pin-key', message: string) {
    super(message);
  }
}

function checkInputs(pin: string, pan: string) {
  if (!/^\d{4,12}$/.test(pin)) throw new PinBlockError('pin-format', 'PIN must be 4–12 digits');
  if (!/^\d{12,19}$/.test(pan)) throw new PinBlockError('pan-format', 'PAN must be 12–19 digits');
}

/** Packs hex nibbles (0–15) two to a byte. */
function packNibbles(nibbles: number[]): Uint8Array {
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
  return out;
}

const digitsOf = (text: string) => [...text].map(Number);

/**
 * ISO 9564-1 format 0: (0 ‖ PIN length ‖ PIN ‖ F fill) XOR (0000 ‖ the 12 rightmost PAN digits
 * excluding the check digit, left-padded with zeros when the PAN has fewer: a 12-digit PAN
 * gives 11), enciphered under a DES-family PIN key.
 */
export function pinBlockFormat0(crypto: CryptoPort, pinKey: KeyHandle, pin: string, pan: string): Uint8Array {
  checkInputs(pin, pan);
  if (!isDesFamily(pinKey.algorithm)) throw new PinBlockError('pin-key', 'format 0 needs a DES or 3DES PIN key');
  const pinField = packNibbles([0, pin.length, ...digitsOf(pin), ...Array(14 - pin.length).fill(0xf)]);
  const account = pan.slice(0, -1).slice(-12).padStart(12, '0');
  const panField = packNibbles([0, 0, 0, 0, ...digitsOf(account)]);
  return crypto.encipherPinBlock(pinKey, 0, pinField, panField);
}

/**
 * ISO 9564-1 format 4 (AES): PIN field (4 ‖ PIN length ‖ PIN ‖ A fill to 16 nibbles, then 8
 * random bytes from the crypto port's generator) enciphered, XORed with the PAN field (PAN
 * length − 12 ‖ PAN ‖ zero fill to 32 nibbles), enciphered again.
 */
export function pinBlockFormat4(crypto: CryptoPort, pinKey: KeyHandle, pin: string, pan: string): Uint8Array {
  checkInputs(pin, pan);
  if (isDesFamily(pinKey.algorithm)) throw new PinBlockError('pin-key', 'format 4 needs an AES PIN key');
  const random = crypto.randomBytes(8);
  const pinField = new Uint8Array(16);
  pinField.set(packNibbles([4, pin.length, ...digitsOf(pin), ...Array(14 - pin.length).fill(0xa)]));
  pinField.set(random.subarray(0, 8), 8);
  const panField = packNibbles([pan.length - 12, ...digitsOf(pan), ...Array(31 - pan.length).fill(0)]);
  return crypto.encipherPinBlock(pinKey, 4, pinField, panField);
}

const nibble = (bytes: Uint8Array, i: number) => (i & 1 ? bytes[i >> 1] & 15 : bytes[i >> 1] >> 4);

/** True when nibbles [from, to) of `bytes` are all in [low, high]. */
function nibblesIn(bytes: Uint8Array, from: number, to: number, low: number, high: number): boolean {
  for (let i = from; i < to; i++) if (nibble(bytes, i) < low || nibble(bytes, i) > high) return false;
  return true;
}

/** Why `pinField` and `panField` are not a clear PIN field and PAN field of `format`, or undefined. */
function fieldProblem(format: PinBlockFormat, pinField: Uint8Array, panField: Uint8Array): string | undefined {
  const size = format === 0 ? 8 : 16;
  if (pinField.length !== size || panField.length !== size) return `format ${format} fields are ${size} bytes`;
  const length = nibble(pinField, 1);
  // Control nibble, PIN length 4–12, PIN digits, then the format's fill (F for 0, A for 4) up to nibble 16.
  if (nibble(pinField, 0) !== format || length < 4 || length > 12) return `not a format ${format} PIN field`;
  const fill = format === 0 ? 0xf : 0xa;
  if (!nibblesIn(pinField, 2, 2 + length, 0, 9) || !nibblesIn(pinField, 2 + length, 16, fill, fill)) return `not a format ${format} PIN field`;
  if (format === 0) return nibblesIn(panField, 0, 4, 0, 0) && nibblesIn(panField, 4, 16, 0, 9) ? undefined : 'not a format 0 PAN field';
  const panLength = 12 + nibble(panField, 0);
  return panLength <= 19 && nibblesIn(panField, 1, 1 + panLength, 0, 9) && nibblesIn(panField, 1 + panLength, 32, 0, 0) ? undefined : 'not a format 4 PAN field';
}

/**
 * Adapter side of `encipherPinBlock`, on the key's own block cipher (`encipher`: ECB, one
 * block): format 0 is E(PIN field ⊕ PAN field), format 4 E(E(PIN field) ⊕ PAN field).
 * @throws PortError 'crypto' for a format the key's block size cannot do, or fields that are not PIN and PAN fields
 */
export function encipherPinFields(format: PinBlockFormat, blockBytes: 8 | 16, pinField: Uint8Array, panField: Uint8Array, encipher: (block: Uint8Array) => Uint8Array): Uint8Array {
  if (format !== 0 && format !== 4) throw new PortError('crypto', `no PIN block format ${String(format)}`);
  if (blockBytes !== (format === 0 ? 8 : 16)) throw new PortError('crypto', `PIN block format ${format} needs ${format === 0 ? 'a DES-family' : 'an AES'} key`);
  const problem = fieldProblem(format, pinField, panField);
  if (problem) throw new PortError('crypto', `PIN block refused: ${problem}`);
  const block = format === 0 ? pinField.slice() : encipher(pinField);
  xorInto(block, panField);
  return encipher(block);
}
