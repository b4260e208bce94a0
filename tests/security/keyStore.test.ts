/** The working-key store: sign-on key blocks wrapped by openssl, check values, persistence, wipe. */
import { createCipheriv, randomBytes } from 'node:crypto';
import { KeyStore } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { NorFlash } from '../../host-sim/ports/norFlash';

const ecb = (key: Buffer, data: Buffer) => {
  const c = createCipheriv(key.length === 16 ? 'des-ede-ecb' : 'des-ede3-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};

const TMK = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
/** A CUP field-62 style block: for each key, E(TMK, key) ‖ first 4 bytes of E(key, 0⁸). */
function keyBlock(keys: Buffer[], kcvOf: (k: Buffer) => Uint8Array = (k) => ecb(k, Buffer.alloc(8)).subarray(0, 4)) {
  return new Uint8Array(Buffer.concat(keys.flatMap((k) => [ecb(TMK, k), kcvOf(k)])));
}

function terminal(flash = new NorFlash({ sectors: 4, sectorSize: 4096 })) {
  const crypto = new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: TMK } });
  const log = RecordLog.open(flash);
  const store = new KeyStore(crypto, log, createCborCodec());
  return { crypto, log, store, flash };
}

const format = { algorithm: 'tdes2' as const, kcvLength: 4, mac: { algorithm: 'cup-ecb' as const, padding: 1 as const } };

describe('working keys', () => {
  const pik = randomBytes(16);
  const mak = randomBytes(16);
  const tdk = randomBytes(16);

  it('installs a sign-on key block whose check values match, and the keys work', () => {
    const { crypto, store } = terminal();
    expect(store.install(keyBlock([pik, mak, tdk]), format)).toEqual({ ok: true, generation: 1 });
    const status = store.status();
    expect(status.keys.map((k) => `${k.name}:${k.kcv}`)).toEqual([
      `pin:${ecb(pik, Buffer.alloc(8)).subarray(0, 4).toString('hex').toUpperCase()}`,
      `mac:${ecb(mak, Buffer.alloc(8)).subarray(0, 4).toString('hex').toUpperCase()}`,
      `data:${ecb(tdk, Buffer.alloc(8)).subarray(0, 4).toString('hex').toUpperCase()}`,
    ]);
    const probe = randomBytes(16);
    expect(store.key('mac')!.usage).toBe('mac');
    expect(Buffer.from(crypto.cbcMac(store.key('mac')!, probe.subarray(0, 8)))).toEqual(ecb(mak, probe.subarray(0, 8)));
  });

  it('rejects the whole set on one wrong check value, keeps the previous set, and logs why', () => {
    const { store, log } = terminal();
    store.install(keyBlock([pik, mak]), format);
    const before = store.status();
    const bad = keyBlock([randomBytes(16), randomBytes(16)], (k) => ecb(k, Buffer.alloc(8)).subarray(0, 4).map((b, i) => (i === 3 ? b ^ 1 : b)));
    const result = store.install(bad, format);
    expect(result).toMatchObject({ ok: false, code: 'keys.kcv-mismatch' });
    expect(store.status()).toEqual({ ...before, lastRejection: { code: 'keys.kcv-mismatch', detail: expect.stringMatching(/^pin key: check value [0-9A-F]{8}, host sent [0-9A-F]{8}$/) } });
    const events = [...log.records()].filter((r) => r.type === RecordType.event).map((r) => createCborCodec().decode(r.payload));
    expect(events).toEqual([expect.objectContaining({ kind: 'keys-rejected', code: 'keys.kcv-mismatch', generation: 1 })]);
  });

  it('refuses a block of the wrong length, and any block without a master key', () => {
    const { store } = terminal();
    expect(store.install(keyBlock([pik]), format)).toMatchObject({ ok: false, code: 'keys.block-length' });
    const bare = new KeyStore(new NodeCrypto(1), undefined, createCborCodec());
    expect(bare.install(keyBlock([pik, mak]), format)).toMatchObject({ ok: false, code: 'keys.no-master-key' });
  });

  it('persists only the wrapped keys, and restores them after a reboot with their check values re-checked', () => {
    const first = terminal();
    first.store.install(keyBlock([pik, mak]), format);
    const flashBytes = Buffer.from(first.flash.bytes);
    for (const clear of [pik, mak, TMK]) expect(flashBytes.indexOf(clear)).toBe(-1);
    expect(flashBytes.indexOf(ecb(TMK, mak))).toBeGreaterThan(0);
    const again = terminal(first.flash);
    again.store.restore();
    expect(again.store.status()).toEqual({ ...first.store.status() });
    expect(Buffer.from(again.crypto.checkValue(again.store.key('pin')!, 'zeros'))).toEqual(ecb(pik, Buffer.alloc(8)));
  });

  it('counts generations and wipes: keys gone, master key erased, an empty set recorded', () => {
    const { store, crypto, flash } = terminal();
    store.install(keyBlock([pik, mak]), format);
    store.install(keyBlock([mak, pik]), format);
    expect(store.status().generation).toBe(2);
    const mac = store.key('mac')!;
    store.wipe();
    expect(store.status()).toMatchObject({ generation: 3, masterKey: false, keys: [] });
    expect(() => crypto.encrypt(mac, 'ecb', Buffer.alloc(8))).toThrow(/forgotten/);
    const after = terminal(flash);
    after.store.restore();
    expect(after.store.status().keys).toEqual([]);
  });
});

describe('key checks the self-test runs', () => {
  const pik = randomBytes(16);
  const mak = randomBytes(16);

  it('rechecks held keys and the MAC recorded at install, across a reboot', () => {
    const first = terminal();
    expect(first.store.macSelfCheck()).toBe('no-key');
    first.store.install(keyBlock([pik, mak]), format);
    expect(first.store.recheck()).toEqual([{ name: 'pin', ok: true }, { name: 'mac', ok: true }]);
    expect(first.store.macSelfCheck()).toBe('ok');
    const again = terminal(first.flash);
    again.store.restore();
    expect(again.store.macSelfCheck()).toBe('ok');
  });

  it('remembers, across a reboot, a key block refused after the set in use', () => {
    const first = terminal();
    first.store.install(keyBlock([pik, mak]), format);
    first.store.install(keyBlock([mak, pik], () => new Uint8Array(4)), format);
    const again = terminal(first.flash);
    again.store.restore();
    expect(again.store.status().lastRejection).toMatchObject({ code: 'keys.kcv-mismatch' });
    again.store.install(keyBlock([mak, pik]), format);
    expect(again.store.status().lastRejection).toBeUndefined();
  });

  it('says the stored set no longer matches when the master key was replaced', () => {
    const first = terminal();
    first.store.install(keyBlock([pik, mak]), format);
    const crypto = new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: randomBytes(16) } });
    const store = new KeyStore(crypto, RecordLog.open(first.flash), createCborCodec());
    store.restore();
    expect(store.status()).toMatchObject({ keys: [], restoreProblem: { code: 'keys.kcv-mismatch' } });
  });
});

describe('key store under failure (review findings)', () => {
  const pik = randomBytes(16);
  const mak = randomBytes(16);

  it('a wipe erases the master key even when the log cannot record it', () => {
    const { store, crypto, flash } = terminal();
    store.install(keyBlock([pik, mak]), format);
    flash.write = () => {
      throw new Error('spi error');
    };
    expect(() => store.wipe()).toThrow();
    expect(crypto.provisionedKey('tmk')).toBeUndefined();
    expect(store.status().keys).toEqual([]);
  });

  it('refuses keys its MAC scheme cannot use, as a result, not an exception', () => {
    const { store } = terminal();
    const single = keyBlock([pik.subarray(0, 8), mak.subarray(0, 8)].map((k) => Buffer.concat([k, k])));
    const result = store.install(single, { ...format, mac: { algorithm: 'x9.19', padding: 1 }, algorithm: 'tdes3' });
    expect(result).toMatchObject({ ok: false, code: 'keys.unsupported' });
    expect(store.status().lastRejection).toMatchObject({ code: 'keys.unsupported' });
  });

  it('keeps the previous set when the new one cannot be stored', () => {
    const { store, flash } = terminal();
    store.install(keyBlock([pik, mak]), format);
    const before = store.status().keys;
    const write = flash.write.bind(flash);
    flash.write = () => {
      throw new Error('spi error');
    };
    expect(store.install(keyBlock([mak, pik]), format)).toMatchObject({ ok: false, code: 'keys.store-failed' });
    flash.write = write;
    expect(store.status().keys).toEqual(before);
  });
});
