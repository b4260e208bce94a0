/**
 * PIN blocks (ISO 9564-1): format 0 under a 3DES PIN key, format 4 under an AES PIN key.
 * The clear PIN exists only inside this call; the result is the enciphered block.
 */
import type { CryptoPort, KeyHandle } from '../ports';
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

/** ISO 9564 format 0: (0 ‖ len ‖ PIN ‖ F…) XOR (0000 ‖ 12 rightmost PAN digits before the check digit), then 3DES. */
export function pinBlockFormat0(crypto: CryptoPort, pinKey: KeyHandle, pin: string, pan: string): Uint8Array {
  checkInputs(pin, pan);
  if (!isDesFamily(pinKey.algorithm)) throw new PinBlockError('pin-key', 'format 0 needs a DES or 3DES PIN key');
  const pinField = packNibbles([0, pin.length, ...[...pin].map(Number), ...Array(14 - pin.length).fill(0xf)]);
  const digits = pan.slice(-13, -1);
  const panField = packNibbles([0, 0, 0, 0, ...[...digits].map(Number)]);
  xorInto(pinField, panField);
  return crypto.encrypt(pinKey, 'ecb', pinField);
}

/**
 * ISO 9564 format 4 (AES): PIN field (4 ‖ len ‖ PIN ‖ A… to 16 nibbles, then 8 random bytes)
 * enciphered, XORed with the PAN field (PAN length − 12 ‖ PAN, zero-filled), enciphered again.
 * `random` supplies the 8 fill bytes (the crypto port's generator in production).
 */
export function pinBlockFormat4(crypto: CryptoPort, pinKey: KeyHandle, pin: string, pan: string, random = crypto.randomBytes(8)): Uint8Array {
  checkInputs(pin, pan);
  if (isDesFamily(pinKey.algorithm)) throw new PinBlockError('pin-key', 'format 4 needs an AES PIN key');
  if (random.length !== 8) throw new PinBlockError('pin-format', 'format 4 needs 8 random bytes');
  const pinField = new Uint8Array(16);
  pinField.set(packNibbles([4, pin.length, ...[...pin].map(Number), ...Array(14 - pin.length).fill(0xa)]));
  pinField.set(random, 8);
  const panField = packNibbles([pan.length - 12, ...[...pan].map(Number), ...Array(31 - pan.length).fill(0)]);
  const intermediate = crypto.encrypt(pinKey, 'ecb', pinField);
  xorInto(intermediate, panField);
  return crypto.encrypt(pinKey, 'ecb', intermediate);
}
