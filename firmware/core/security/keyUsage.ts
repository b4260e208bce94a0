/**
 * Key separation (ANSI X9.24-1 / ISO 11568-2: a key has one function). Which crypto-port
 * operations each key usage allows, written once for every adapter: node:crypto (host-sim,
 * and the XS lane, whose bridge forwards to it) and the device's `crypt` adapter. A master key
 * that could decrypt chosen data would hand over every working key wrapped under it; a PIN
 * key that could encrypt chosen blocks would make PIN blocks forgeable.
 */
import { PortError, type KeyAlgorithm, type KeyUsage, type WorkingKeyUsage } from '../ports';
import { deepFreeze } from '../freeze';

/** The key operations of the crypto port, as the usage table names them. */
export type KeyOperation = 'unwrap' | 'check-value' | 'encrypt' | 'decrypt' | 'pin-block' | 'cbc-mac' | 'retail-mac' | 'store';

export const KEY_USAGE_ALLOWS: Readonly<Record<KeyUsage, readonly KeyOperation[]>> = deepFreeze({
  // 'store': only a master key (from the activation envelope) may be kept in a slot for good.
  master: ['unwrap', 'check-value', 'store'],
  pin: ['pin-block', 'check-value'],
  mac: ['cbc-mac', 'retail-mac', 'check-value'],
  data: ['encrypt', 'decrypt', 'check-value'],
  // Keys given in the clear (known answers, the toolbox) may do what any working key does, but
  // never wrap: a key that was once in the clear must not protect keys that never were.
  test: ['encrypt', 'decrypt', 'pin-block', 'cbc-mac', 'retail-mac', 'check-value'],
});

/** What a key may become when unwrapped under the master key. */
export const WORKING_KEY_USAGES: readonly WorkingKeyUsage[] = deepFreeze(['pin', 'mac', 'data']);

const DOING: Readonly<Record<KeyOperation, string>> = deepFreeze({
  unwrap: 'unwrap keys (key-encrypting key)',
  'check-value': 'give a check value',
  encrypt: 'encrypt data',
  decrypt: 'decrypt data',
  'pin-block': 'encipher PIN blocks',
  'cbc-mac': 'compute a CBC-MAC',
  'retail-mac': 'compute a retail MAC',
  store: 'be stored as the master key',
});

/** @throws PortError 'crypto' naming the usage and the operation when `usage` does not allow `operation` */
export function assertKeyUsage(usage: KeyUsage, operation: KeyOperation): void {
  const allowed = Object.prototype.hasOwnProperty.call(KEY_USAGE_ALLOWS, usage) ? KEY_USAGE_ALLOWS[usage] : undefined;
  if (!allowed) throw new PortError('crypto', `key usage ${String(usage)} is not a key usage`);
  if (!allowed.includes(operation)) throw new PortError('crypto', `key usage: a ${usage} key cannot ${DOING[operation]} (${operation} refused; ${usage} keys: ${allowed.join(', ')})`);
}

/** @throws PortError 'crypto' unless `usage` is one a key unwrapped under the master key can have */
export function assertWorkingKeyUsage(usage: unknown): asserts usage is WorkingKeyUsage {
  if (!WORKING_KEY_USAGES.includes(usage as WorkingKeyUsage)) throw new PortError('crypto', `key usage: an unwrapped key is pin, mac or data, not ${String(usage)}`);
}

/**
 * Single-length DES (56 bits, withdrawn by NIST in 2005) is accepted only from an acquirer
 * whose profile says `legacySingleDes: true`. Returns why `algorithm` is refused, or undefined.
 */
export function singleDesRefusal(algorithm: KeyAlgorithm, profile: { legacySingleDes: boolean }): string | undefined {
  return algorithm === 'des' && !profile.legacySingleDes ? 'single-length DES keys need legacySingleDes: true in the acquirer profile' : undefined;
}
