// The device adapter's SDK modules (crypt, ec, ecp) and `native`, as the device build declares them.
/// <reference path="../../firmware/device/moddable-extra.d.ts" />
/**
 * Key usage: a master key only unwraps, a PIN key only makes PIN blocks, a MAC key only MACs,
 * a data key only encrypts and decrypts, a test key (given in the clear) does anything but
 * unwrap, and every key gives its check value. Each pairing is tried on three lanes: the Node
 * adapter, the core on XS through the bridge, and the device adapter (cryptCrypto.ts) on a
 * stand-in for kcl's block ciphers made of node:crypto. What is allowed must also give the
 * answer node:crypto and openssl give.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { CryptCrypto } from '../../firmware/device/cryptCrypto';
import type { KeyVault } from '../../firmware/device/keyVault';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { parseScenario } from '../../host-sim/scenario/schema';
import { buildWorld } from '../../host-sim/world';
import { PRELUDE, XsWorker, serveWorld, xsBundle } from '../../host-sim/xs/xsLane';
import { singleDesRefusal } from '../../firmware/core/security/keyUsage';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { KeyStore } from '../../firmware/core/security/keyStore';
import { workingKeysProbe } from '../../firmware/core/selftest/probes/authProbes';
import type { ProbeContext } from '../../firmware/core/selftest/types';
import { attemptAll, CHOSEN, KEY_KINDS, MESSAGE, OPERATIONS, PAN_FIELD, PIN_FIELD, type AttemptSetup, type KeyKind, type Operation } from './keyUsageAttempts';
import { PROFILE } from '../runtime/world';

// kcl's ciphers (Moddable `crypt`) for the device adapter, on node:crypto (tests/device/sdkStandIns.ts).
jest.mock('crypt', () => require('../device/sdkStandIns').crypt, { virtual: true });
jest.mock('../../firmware/device/entropy', () => ({ randomBytes: (n: number) => new Uint8Array(require('node:crypto').randomBytes(n)) }));
jest.mock('../../firmware/device/signature/verifySignature', () => ({ verifySignature: () => false }));
// The activation key pair runs on the SDK's `ec` (checked in tests/device/activationCrypto.test.ts).
jest.mock('../../firmware/device/deviceKey/deviceKeyPair', () => ({ DeviceKeyPair: class {} }));

const ecb = (key: Buffer, data: Buffer, decrypt = false) => {
  const c = decrypt ? createDecipheriv('des-ede-ecb', key, null) : createCipheriv('des-ede-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};
const cbc = (key: Buffer, data: Buffer) => {
  const c = createCipheriv('des-ede-cbc', key, Buffer.alloc(8));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};
const opensslCmac = (keyHex: string, data: Buffer) =>
  execFileSync('openssl', ['mac', '-cipher', 'DES-EDE-CBC', '-macopt', `hexkey:${keyHex}`, 'CMAC'], { input: data }).toString().trim().toLowerCase();

const TMK = randomBytes(16);
const CLEAR: Record<KeyKind, Buffer> = { master: TMK, pin: randomBytes(16), mac: randomBytes(16), data: randomBytes(16), test: randomBytes(16) };
const SETUP: AttemptSetup = {
  masterSlot: 'tmk',
  wrapped: { pin: ecb(TMK, CLEAR.pin).toString('hex'), mac: ecb(TMK, CLEAR.mac).toString('hex'), data: ecb(TMK, CLEAR.data).toString('hex') },
  testKey: CLEAR.test.toString('hex'),
};

const CHECK_VALUES: Operation[] = ['check-value-zeros', 'check-value-cmac'];
/** A board's key vault (firmware/device/keyVault.ts) holding `tmk` as the terminal master key, for the device adapter. */
function vaultHolding(tmk: Uint8Array): KeyVault {
  return { protection: 'encrypted', note: '', load: (slot) => (slot === 'tmk' ? { algorithm: 'tdes2', key: tmk.slice() } : undefined), store() {}, erase() {} };
}

/** The rule, as this test states it (ANSI X9.24-1 key separation), independent of the code's table. */
const ALLOWED: Record<KeyKind, Operation[]> = {
  master: ['unwrap', ...CHECK_VALUES],
  pin: ['pin-block', 'pin-block-core', ...CHECK_VALUES],
  mac: ['cbc-mac', 'cmac', 'cup-mac', 'retail-mac', ...CHECK_VALUES],
  data: ['encrypt-ecb', 'encrypt-cbc', 'decrypt-ecb', ...CHECK_VALUES],
  test: OPERATIONS.filter((op) => op !== 'unwrap'),
};

/** What node:crypto and openssl say an allowed operation gives under `key` (undefined: checked in macs.test.ts). */
function expected(operation: Operation, key: Buffer): string | undefined {
  const chosen = Buffer.from(CHOSEN, 'hex');
  switch (operation) {
    case 'encrypt-ecb':
    case 'cbc-mac':
      return ecb(key, chosen).toString('hex');
    case 'encrypt-cbc':
      return cbc(key, Buffer.concat([chosen, chosen])).toString('hex');
    case 'decrypt-ecb':
      return ecb(key, chosen, true).toString('hex');
    case 'pin-block':
    case 'pin-block-core': {
      const [pin, pan] = [Buffer.from(PIN_FIELD, 'hex'), Buffer.from(PAN_FIELD, 'hex')];
      return ecb(key, Buffer.from(pin.map((b, i) => b ^ pan[i]))).toString('hex');
    }
    case 'cmac':
      return opensslCmac(key.toString('hex'), Buffer.from(MESSAGE, 'latin1'));
    case 'unwrap':
      return ecb(CLEAR.data, Buffer.alloc(8)).toString('hex');
    case 'check-value-zeros':
      return ecb(key, Buffer.alloc(8)).toString('hex');
    case 'check-value-cmac':
      return opensslCmac(key.toString('hex'), Buffer.alloc(8));
    default:
      return undefined;
  }
}

async function onXs(): Promise<Record<string, string>> {
  const world = buildWorld(parseScenario({ name: 'key-usage', keys: { masterKey: TMK.toString('hex'), workingKeys: null }, steps: [{ do: 'boot' }] }));
  const worker = new XsWorker(serveWorld(world));
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, 'keyUsageXsEntry.ts')));
    const reply = await worker.command(Buffer.from(JSON.stringify(SETUP), 'utf8'));
    return JSON.parse(Buffer.from(reply.value).toString('utf8'));
  } finally {
    worker.close();
  }
}

const lanes: [string, () => Promise<Record<string, string>>][] = [
  ['the Node adapter', async () => attemptAll(new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: TMK } }), SETUP)],
  ['the core on XS, through the bridge', onXs],
  ['the device adapter', async () => attemptAll(new CryptCrypto(vaultHolding(Uint8Array.from(TMK))), SETUP)],
];

describe.each(lanes)('key usage on %s', (_, attempt) => {
  let outcomes: Record<string, string>;
  beforeAll(async () => {
    outcomes = await attempt();
  });
  const refused = (kinds: KeyKind[], operations: Operation[]) => {
    const pairs = kinds.flatMap((kind) => operations.map((op) => `${kind}:${op}`));
    expect(pairs.map((pair) => [pair, outcomes[pair].split(' ')[0]])).toEqual(pairs.map((pair) => [pair, 'refused']));
  };

  it('handles carry their usage: provisioned → master, unwrapped → as asked, imported → test', () => {
    expect(KEY_KINDS.map((kind) => outcomes[`${kind}.usage`])).toEqual(['master', 'pin', 'mac', 'data', 'test']);
  });

  it('the master key does nothing but unwrap and give its check value: no chosen block encrypted or decrypted, no PIN block, no MAC', () => {
    refused(['master'], ['encrypt-ecb', 'encrypt-cbc', 'decrypt-ecb', 'pin-block', 'pin-block-core', 'cbc-mac', 'cmac', 'cup-mac', 'retail-mac']);
  });

  it('data encryption and decryption are refused under the master, PIN and MAC keys', () => {
    refused(['master', 'pin', 'mac'], ['encrypt-ecb', 'encrypt-cbc', 'decrypt-ecb']);
  });

  it('MACs (CBC-MAC, CMAC, CUP MAC, X9.19) are refused under the master, PIN and data keys', () => {
    refused(['master', 'pin', 'data'], ['cbc-mac', 'cmac', 'cup-mac', 'retail-mac']);
  });

  it('PIN blocks are refused under the master, MAC and data keys', () => {
    refused(['master', 'mac', 'data'], ['pin-block', 'pin-block-core']);
  });

  it('unwrapping is refused under the PIN, MAC, data and test keys, and into any usage but pin, mac or data', () => {
    refused(['pin', 'mac', 'data', 'test'], ['unwrap']);
    expect([outcomes['unwrap-into:master'], outcomes['unwrap-into:test'], outcomes['unwrap-into:admin']].map((o) => o.split(' ')[0])).toEqual(['refused', 'refused', 'refused']);
  });

  it('a refusal names the usage and the operation', () => {
    expect(outcomes['master:encrypt-ecb']).toMatch(/^refused key usage: a master key cannot encrypt data/);
    expect(outcomes['pin:decrypt-ecb']).toMatch(/^refused key usage: a pin key cannot decrypt data/);
    expect(outcomes['data:cbc-mac']).toMatch(/^refused key usage: a data key cannot compute a CBC-MAC/);
    expect(outcomes['mac:pin-block']).toMatch(/^refused key usage: a mac key cannot encipher PIN blocks/);
    expect(outcomes['test:unwrap']).toMatch(/^refused key usage: a test key cannot unwrap keys/);
  });

  it('everything allowed is done, and gives what node:crypto and openssl give', () => {
    const done = KEY_KINDS.flatMap((kind) => ALLOWED[kind].map((op) => [`${kind}:${op}`, outcomes[`${kind}:${op}`]] as const));
    expect(done.map(([pair, o]) => [pair, o.split(' ')[0]])).toEqual(done.map(([pair]) => [pair, 'ok']));
    for (const [pair, o] of done) {
      const [kind, op] = pair.split(':') as [KeyKind, Operation];
      const reference = expected(op, CLEAR[kind]);
      if (reference !== undefined) expect([pair, o]).toEqual([pair, `ok ${reference}`]);
    }
  });

  it('every pairing the rule does not allow is refused', () => {
    const forbidden = KEY_KINDS.flatMap((kind) => OPERATIONS.filter((op) => !ALLOWED[kind].includes(op)).map((op) => `${kind}:${op}`));
    expect(forbidden.length).toBe(5 * OPERATIONS.length - KEY_KINDS.reduce((n, kind) => n + ALLOWED[kind].length, 0));
    expect(forbidden.filter((pair) => !outcomes[pair].startsWith('refused '))).toEqual([]);
  });
});

describe('the XS bridge, Node side', () => {
  it('refuses a raw request to encrypt under the master key, whatever the XS side sends', () => {
    const world = buildWorld(parseScenario({ name: 'key-usage', keys: { masterKey: TMK.toString('hex'), workingKeys: null }, steps: [{ do: 'boot' }] }));
    const serve = serveWorld(world);
    const cbor = createCborCodec();
    const ask = (p: string, ...a: unknown[]) => cbor.decode(serve(cbor.encode({ p, a })) as Uint8Array) as { v?: { id: number; usage: string }; e?: { code: string; message: string } };
    const master = ask('crypto.provisioned', 'tmk').v!;
    expect(master.usage).toBe('master');
    expect(ask('crypto.encrypt', master.id, 'ecb', Buffer.from(CHOSEN, 'hex'), null).e).toEqual({ code: 'crypto', message: expect.stringMatching(/master key cannot encrypt/) });
    expect(ask('crypto.decrypt', master.id, 'ecb', Buffer.from(CHOSEN, 'hex'), null).e).toMatchObject({ code: 'crypto' });
  });
});

describe('single-length DES', () => {
  it('is allowed only when the acquirer profile says legacySingleDes: true', () => {
    expect(parseAcquirerProfile(PROFILE)).toMatchObject({ ok: true, value: { legacySingleDes: false } });
    expect(parseAcquirerProfile({ ...PROFILE, legacySingleDes: true })).toMatchObject({ ok: true, value: { legacySingleDes: true } });
    expect(parseAcquirerProfile({ ...PROFILE, legacySingleDes: 'yes' })).toMatchObject({ ok: false, error: { field: 'profile.legacySingleDes' } });
    expect(singleDesRefusal('des', { legacySingleDes: false })).toMatch(/legacySingleDes/);
    expect(singleDesRefusal('des', { legacySingleDes: true })).toBeUndefined();
    expect(singleDesRefusal('tdes2', { legacySingleDes: false })).toBeUndefined();
  });

  it('single-DES working keys install only under legacySingleDes, and the working-keys probe then warns', async () => {
    const crypto = new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: TMK } });
    const store = new KeyStore(crypto, undefined, createCborCodec());
    const des = (key: Buffer) => {
      const c = createCipheriv('des-ede3-ecb', Buffer.concat([key, key, key]), null);
      c.setAutoPadding(false);
      return Buffer.concat([c.update(Buffer.alloc(8)), c.final()]);
    };
    const [pik, mak] = [randomBytes(8), randomBytes(8)];
    const block = new Uint8Array(Buffer.concat([pik, mak].flatMap((k) => [ecb(TMK, k), des(k).subarray(0, 4)])));
    const format = { algorithm: 'des' as const, kcvLength: 4, mac: { algorithm: 'cup-ecb' as const, padding: 1 as const } };
    expect(store.install(block, format)).toMatchObject({ ok: false, code: 'keys.unsupported', detail: expect.stringMatching(/legacySingleDes/) });
    expect(store.install(block, { ...format, legacySingleDes: true })).toMatchObject({ ok: true });
    const outcome = await workingKeysProbe(store).run({} as ProbeContext);
    expect(outcome).toMatchObject({ status: 'warn', code: 'keys.single-des' });
    expect(outcome.detail).toContain(des(pik).subarray(0, 4).toString('hex').toUpperCase());
  });
});
