/**
 * The working-key set as it is stored: a durable record (CBOR map) holding the keys as the host
 * sent them (wrapped under the master key) with their check values, the generation counter, the
 * MAC scheme and the MAC recorded at install. Everything read back from flash is checked here
 * before any of it is used: a record another firmware or a bad sector left must be a typed error,
 * never a TypeError, a huge allocation or a long loop at boot.
 */
import type { KeyAlgorithm } from '../ports';
import { KEY_LENGTH } from './blocks';
import type { MacScheme } from './mac';

export type WorkingKeyName = 'pin' | 'mac' | 'data';

export interface StoredKey {
  name: WorkingKeyName;
  wrapped: Uint8Array;
  kcv: Uint8Array;
}

export interface KeySetRecord {
  generation: number;
  algorithm: KeyAlgorithm;
  /** Empty after a wipe. */
  keys: StoredKey[];
  mac?: MacScheme;
  /** MAC of the check message under the MAC key when it was installed (not secret). */
  macCheck?: Uint8Array;
}

export class KeySetRecordError extends Error {
  override readonly name = 'KeySetRecordError';
  readonly code = 'keys-record-invalid';
  constructor(readonly field: string, message: string) {
    super(`stored key set: ${field} ${message}`);
  }
}

const NAMES: readonly string[] = ['pin', 'mac', 'data'];
/** A check value is 3 to 8 bytes (the first bytes of an encrypted block or a CMAC). */
const KCV_BYTES = { min: 3, max: 8 };
const MAC_BYTES = { min: 4, max: 16 };

const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function bytes(value: unknown, field: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new KeySetRecordError(field, 'is not a byte string');
  if (value.length < min || value.length > max) throw new KeySetRecordError(field, `has ${value.length} bytes (allowed ${min}..${max})`);
  return new Uint8Array(value); // a copy: the decoder may hand back a view of its buffer
}

/** @throws KeySetRecordError naming the first field that is not what this firmware writes */
export function validateKeySetRecord(value: unknown): KeySetRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KeySetRecordError('record', 'is not a map');
  const v = value as Record<string, unknown>;
  const { generation, algorithm, keys, mac, macCheck } = v;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) throw new KeySetRecordError('generation', 'is not a whole number ≥ 0');
  if (typeof algorithm !== 'string' || !own(KEY_LENGTH, algorithm)) throw new KeySetRecordError('algorithm', 'is not a key algorithm');
  const keyLength = KEY_LENGTH[algorithm as KeyAlgorithm];
  if (!Array.isArray(keys) || keys.length > NAMES.length) throw new KeySetRecordError('keys', `is not a list of at most ${NAMES.length} keys`);
  const seen = new Set<string>();
  const stored = keys.map((k: unknown, i): StoredKey => {
    const field = `keys[${i}]`;
    if (typeof k !== 'object' || k === null) throw new KeySetRecordError(field, 'is not a map');
    const { name, wrapped, kcv } = k as Record<string, unknown>;
    if (typeof name !== 'string' || !NAMES.includes(name) || seen.has(name)) throw new KeySetRecordError(`${field}.name`, 'is not pin, mac or data (once each)');
    seen.add(name);
    return {
      name: name as WorkingKeyName,
      wrapped: bytes(wrapped, `${field}.wrapped`, keyLength, keyLength),
      kcv: bytes(kcv, `${field}.kcv`, KCV_BYTES.min, KCV_BYTES.max),
    };
  });
  const record: KeySetRecord = { generation, algorithm: algorithm as KeyAlgorithm, keys: stored };
  if (mac !== undefined) {
    if (typeof mac !== 'object' || mac === null) throw new KeySetRecordError('mac', 'is not a map');
    const { algorithm: macAlgorithm, padding } = mac as Record<string, unknown>;
    if (macAlgorithm !== 'cup-ecb' && macAlgorithm !== 'x9.19') throw new KeySetRecordError('mac.algorithm', 'is not cup-ecb or x9.19');
    if (padding !== 1 && padding !== 2) throw new KeySetRecordError('mac.padding', 'is not 1 or 2');
    record.mac = { algorithm: macAlgorithm, padding };
  }
  if (macCheck !== undefined) record.macCheck = bytes(macCheck, 'macCheck', MAC_BYTES.min, MAC_BYTES.max);
  return record;
}
