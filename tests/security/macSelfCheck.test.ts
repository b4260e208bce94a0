/**
 * The MAC self-check (auth.mac) judged by MACs computed outside the code: the MAC a terminal
 * records at sign-on must be the one openssl computes for the check message under the MAC key
 * the host sent, and a terminal whose stored set records that independent MAC passes while one
 * recording any other value fails. (Comparing the key store's MAC with itself would prove nothing.)
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { KeyStore } from '../../firmware/core/security/keyStore';
import { padIso9797, type MacScheme } from '../../firmware/core/security/mac';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { PROFILE, scenarioWith } from '../runtime/world';
import { buildWorld } from '../../host-sim/world';
import { cupMacReference, retailMacReference } from './macReferences';

/** The message the key store MACs at install and again at every self-check (keyStore.ts). */
const CHECK_MESSAGE = Buffer.from('xspos MAC check', 'latin1');

const ecb = (key: Buffer, data: Buffer) => {
  const c = createCipheriv('des-ede-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};

/** The MAC of the check message under `mak`, by openssl (macReferences.ts). */
function independentMac(scheme: MacScheme, mak: Buffer): Buffer {
  return scheme.algorithm === 'cup-ecb'
    ? Buffer.from(cupMacReference(mak.toString('hex'), CHECK_MESSAGE), 'latin1')
    : retailMacReference(mak.toString('hex'), Buffer.from(padIso9797(CHECK_MESSAGE, scheme.padding)));
}

const SCHEMES: [string, MacScheme][] = [
  ['CUP ECB MAC', { algorithm: 'cup-ecb', padding: 1 }],
  ['X9.19, padding 1', { algorithm: 'x9.19', padding: 1 }],
  ['X9.19, padding 2', { algorithm: 'x9.19', padding: 2 }],
];

describe('MAC self-check against MACs computed by openssl', () => {
  it.each(SCHEMES)('%s: a terminal signed on with this profile records the MAC openssl computes, and its probe passes', async (_, scheme) => {
    const scenario = scenarioWith({ terminal: { tid: '10240001', mid: '898440154110001', profile: { ...PROFILE, mac: scheme.algorithm, macPadding: scheme.padding } } });
    const world = buildWorld(scenario);
    const stored = RecordLog.open(world.flash).get(DurableKey.keySet)!;
    const recorded = (createCborCodec().decode(stored.payload) as { macCheck: Uint8Array }).macCheck;
    expect(Buffer.from(recorded).toString('hex')).toBe(independentMac(scheme, Buffer.from(scenario.keys.workingKeys!.mac, 'hex')).toString('hex'));
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(terminal.lastReport!.results.find((r) => r.id === 'auth.mac')).toMatchObject({ status: 'pass', code: 'mac.ok' });
  });

  describe.each(SCHEMES)('%s, from a stored key set', (_, scheme) => {
    const tmk = randomBytes(16);
    const [pik, mak] = [randomBytes(16), randomBytes(16)];
    /** Boots a key store from a key set recorded with `macCheck`, as a sign-on would have left it. */
    function storeRecording(macCheck: Buffer) {
      const crypto = new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: tmk } });
      const cbor = createCborCodec();
      const log = RecordLog.open(new NorFlash({ sectors: 4, sectorSize: 4096 }));
      const keys = (['pin', 'mac'] as const).map((name, i) => ({ name, wrapped: ecb(tmk, [pik, mak][i]), kcv: ecb([pik, mak][i], Buffer.alloc(8)).subarray(0, 4) }));
      log.put(DurableKey.keySet, RecordType.keySet, cbor.encode({ generation: 1, algorithm: 'tdes2', keys, mac: scheme, macCheck }));
      const store = new KeyStore(crypto, log, cbor);
      store.restore();
      return store;
    }

    it('passes when the recorded MAC is the one openssl computes', () => {
      expect(storeRecording(independentMac(scheme, mak)).macSelfCheck()).toBe('ok');
    });

    it('fails when the recorded MAC differs in one bit, or was made under another key', () => {
      const flipped = independentMac(scheme, mak);
      flipped[flipped.length - 1] ^= 1;
      expect(storeRecording(flipped).macSelfCheck()).toBe('mismatch');
      expect(storeRecording(independentMac(scheme, pik)).macSelfCheck()).toBe('mismatch');
    });
  });
});
