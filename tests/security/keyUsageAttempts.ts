/**
 * Every key operation tried with every kind of key, through any crypto port: the Node adapter,
 * the device adapter, or the core on XS through the bridge (keyUsageXsEntry.ts). Engine-neutral
 * (no Node), so the same attempts run in both lanes. Each attempt answers the result's hex or
 * the refusal; the test judges them against its own expectations and node:crypto.
 */
import type { CryptoPort, KeyHandle, WorkingKeyUsage } from '../../firmware/core/ports';
import { ascii, fromHex, toHex } from '../../firmware/core/bytes';
import { cmac } from '../../firmware/core/security/cmac';
import { computeMac } from '../../firmware/core/security/mac';
import { pinBlockFormat0 } from '../../firmware/core/security/pinBlock';

export const KEY_KINDS = ['master', 'pin', 'mac', 'data', 'test'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** A block an attacker would choose: encrypting or decrypting it is an oracle. */
export const CHOSEN = '0011223344556677';
/** A valid format 0 PIN field and PAN field (PIN 1234, PAN 4111111111111111). */
export const PIN_FIELD = '041234ffffffffff';
export const PAN_FIELD = '0000111111111111';
export const MESSAGE = 'xspos message to MAC';

export const OPERATIONS = [
  'encrypt-ecb',
  'encrypt-cbc',
  'decrypt-ecb',
  'pin-block',
  'pin-block-core',
  'cbc-mac',
  'cmac',
  'cup-mac',
  'retail-mac',
  'unwrap',
  'check-value-zeros',
  'check-value-cmac',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface AttemptSetup {
  /** Slot of the master key the port was provisioned with. */
  masterSlot: string;
  /** Working keys wrapped under the master key (hex), and the clear test key (hex), all tdes2. */
  wrapped: Record<WorkingKeyUsage, string>;
  testKey: string;
}

/** `ok <hex>` or `refused <message>` (PortError 'crypto'), or `error <name> <message>` for anything else. */
export type Outcome = string;

function run(operation: Operation, crypto: CryptoPort, key: KeyHandle, setup: AttemptSetup): Uint8Array {
  const chosen = fromHex(CHOSEN);
  const message = ascii(MESSAGE);
  switch (operation) {
    case 'encrypt-ecb':
      return crypto.encrypt(key, 'ecb', chosen);
    case 'encrypt-cbc':
      return crypto.encrypt(key, 'cbc', fromHex(CHOSEN + CHOSEN), new Uint8Array(8));
    case 'decrypt-ecb':
      return crypto.decrypt(key, 'ecb', chosen);
    case 'pin-block':
      return crypto.encipherPinBlock(key, 0, fromHex(PIN_FIELD), fromHex(PAN_FIELD));
    case 'pin-block-core':
      return pinBlockFormat0(crypto, key, '1234', '4111111111111111');
    case 'cbc-mac':
      return crypto.cbcMac(key, chosen);
    case 'cmac':
      return cmac(crypto, key, message);
    case 'cup-mac':
      return computeMac(crypto, key, { algorithm: 'cup-ecb', padding: 1 }, message);
    case 'retail-mac':
      return computeMac(crypto, key, { algorithm: 'x9.19', padding: 1 }, message);
    case 'unwrap': {
      const unwrapped = crypto.unwrapKey(key, 'tdes2', fromHex(setup.wrapped.data), 'data');
      try {
        return crypto.checkValue(unwrapped, 'zeros');
      } finally {
        crypto.forgetKey(unwrapped);
      }
    }
    case 'check-value-zeros':
      return crypto.checkValue(key, 'zeros');
    case 'check-value-cmac':
      return crypto.checkValue(key, 'cmac');
  }
}

function outcome(attempt: () => Uint8Array): Outcome {
  try {
    return `ok ${toHex(attempt())}`;
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    return e.name === 'PortError' && e.code === 'crypto' ? `refused ${e.message}` : `error ${e.name} ${e.message}`;
  }
}

/** Every operation with every kind of key, plus unwraps into usages a working key cannot have. */
export function attemptAll(crypto: CryptoPort, setup: AttemptSetup): Record<string, Outcome> {
  const master = crypto.provisionedKey(setup.masterSlot);
  if (!master) throw new Error(`no key in slot ${setup.masterSlot}`);
  const keys: Record<KeyKind, KeyHandle> = {
    master,
    pin: crypto.unwrapKey(master, 'tdes2', fromHex(setup.wrapped.pin), 'pin'),
    mac: crypto.unwrapKey(master, 'tdes2', fromHex(setup.wrapped.mac), 'mac'),
    data: crypto.unwrapKey(master, 'tdes2', fromHex(setup.wrapped.data), 'data'),
    test: crypto.importKey('tdes2', fromHex(setup.testKey)),
  };
  const out: Record<string, Outcome> = {};
  for (const kind of KEY_KINDS) {
    out[`${kind}.usage`] = keys[kind].usage;
    for (const operation of OPERATIONS) out[`${kind}:${operation}`] = outcome(() => run(operation, crypto, keys[kind], setup));
  }
  for (const usage of ['master', 'test', 'admin'] as const)
    out[`unwrap-into:${usage}`] = outcome(() => crypto.checkValue(crypto.unwrapKey(master, 'tdes2', fromHex(setup.wrapped.pin), usage as WorkingKeyUsage), 'zeros'));
  return out;
}
