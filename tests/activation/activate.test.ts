/**
 * Activation end to end over real TCP on 127.0.0.1: the terminal's flow (activation/activate.ts)
 * through the real link and the node:crypto adapter, against the minimal host of
 * referenceHost.ts, which decodes the request by hand and seals the key on node:crypto.
 * Given a factory terminal and this host behaviour, the outcome is this, and this is stored.
 */
import { activate, ActivationDeviceError, type ActivationDeps } from '../../firmware/core/activation/activate';
import { activationState, readActivationRecord } from '../../firmware/core/activation/activationState';
import { SETTINGS_DOMAIN } from '../../firmware/core/config/terminalConfig';
import { HostLink } from '../../firmware/core/host/link';
import { PortError, type KeyHandle, type Ports } from '../../firmware/core/ports';
import { KeyStore } from '../../firmware/core/security/keyStore';
import { masterKeyProbe } from '../../firmware/core/selftest/probes/authProbes';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { NodeCrypto, type KeyProtection } from '../../host-sim/ports/nodeCrypto';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { SimSettings } from '../../host-sim/ports/simDevices';
import { cupProfile, realClock } from '../host/sessionHarness';
import { answerBody, decodeRequest, grant62, kcv, seal, startHost, tlv, type Algorithm, type AnswerParts, type DecodedRequest } from './referenceHost';

const SERIAL = '3C71BF0A12CD';
const CODE = '58204417';
const BOUND = { tid: '87654321', mid: '898100000000001' };
const KEYS: Record<Algorithm, Buffer> = {
  tdes2: Buffer.from('0123456789abcdeffedcba9876543210', 'hex'),
  tdes3: Buffer.from('0123456789abcdeffedcba987654321089abcdef01234567', 'hex'),
  aes128: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'),
};
const OLD_TMK = Buffer.from('1111111111111111aaaaaaaaaaaaaaaa', 'hex');

type Host = Awaited<ReturnType<typeof startHost>>;
const cbor = createCborCodec();
const open: { host?: Host; link?: HostLink }[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    o.link?.close();
    await o.host?.close();
  }
});

interface Terminal {
  crypto: NodeCrypto;
  settings: SimSettings;
  trace: string[];
  ports: Ports;
  deps: ActivationDeps;
  keys: KeyStore;
}

function terminal(port: number, options: { crypto?: NodeCrypto; protection?: KeyProtection } = {}): Terminal {
  const crypto = options.crypto ?? new NodeCrypto(21, {}, options.protection);
  const settings = new SimSettings();
  const trace: string[] = [];
  const system = { serialNumber: SERIAL };
  const ports = { crypto, settings, clock: realClock, system, trace: (line: string) => trace.push(line) } as unknown as Ports;
  const profile = cupProfile({ hosts: [{ host: '127.0.0.1', port }], timeoutMs: 3000, connectTimeoutMs: 3000, retries: 0 });
  const link = new HostLink({
    network: new NodeNetwork(), clock: realClock, random: (n) => new Uint8Array(n), trace: (line) => trace.push(line), hosts: profile.hosts,
    connectTimeoutMs: profile.connectTimeoutMs, responseTimeoutMs: profile.timeoutMs, retries: 0, backoff: profile.backoff,
    failbackMs: profile.failbackMs, maxFrameBytes: 2048,
  });
  open.push({ link });
  return { crypto, settings, trace, ports, deps: { ports, cbor, link, profile }, keys: new KeyStore(crypto, undefined, cbor, settings) };
}

/** A host answering each request with `reply(request)` (built by hand), after decoding it by hand. */
async function host(reply: (request: DecodedRequest) => AnswerParts | undefined): Promise<Host> {
  const h = await startHost((body) => {
    const request = decodeRequest(body);
    const parts = reply(request);
    return parts && answerBody(request, parts);
  });
  open.push({ host: h });
  return h;
}

const granting = (algorithm: Algorithm, check?: (r: DecodedRequest) => Buffer) => (r: DecodedRequest): AnswerParts => {
  const { point, wrapped } = seal(r.publicKey, r.serial, KEYS[algorithm]);
  return { code39: '00', ...BOUND, field62: grant62(point, wrapped, check ? check(r) : kcv(KEYS[algorithm], algorithm), algorithm) };
};

const checkValueOf = (t: Terminal, key: KeyHandle | undefined) => key && Buffer.from(t.crypto.checkValue(key, key.algorithm === 'aes128' ? 'cmac' : 'zeros').subarray(0, 4)).toString('hex');

async function probe(t: Terminal) {
  return masterKeyProbe(t.keys).run({ ports: t.ports, trigger: 'demand', resultOf: () => undefined } as never);
}

/** Nothing of an activation is stored: no key (or the old one), no IDs, no record. */
function expectNothingStored(t: Terminal, keyBefore?: string) {
  expect(checkValueOf(t, t.crypto.provisionedKey('tmk'))).toBe(keyBefore);
  expect(t.settings.get(SETTINGS_DOMAIN, 'tid')).toBeUndefined();
  expect(t.settings.get(SETTINGS_DOMAIN, 'mid')).toBeUndefined();
  expect(readActivationRecord(t.settings, cbor)).toBeUndefined();
}

describe('activation over TCP', () => {
  it.each(['tdes2', 'tdes3', 'aes128'] as const)('a factory terminal activates (%s master key): key, IDs and record stored; the master-key probe passes only after', async (algorithm) => {
    const h = await host(granting(algorithm));
    const t = terminal(h.port);
    expect(await probe(t)).toMatchObject({ status: 'fail', code: 'keys.not-activated' });
    expect(activationState(t.ports, cbor, t.keys)).toMatchObject({ factory: true, activated: false });
    const before = Date.now();

    expect(await activate(CODE, t.deps)).toEqual({ kind: 'activated', ...BOUND });

    const request = decodeRequest(h.requests[0]);
    expect(request).toMatchObject({ mti: '0800', tid: '00000000', mid: ' '.repeat(15), serial: SERIAL, code: CODE, field60: '00000000370' });
    expect(checkValueOf(t, t.crypto.provisionedKey('tmk'))).toBe(kcv(KEYS[algorithm], algorithm).toString('hex'));
    expect(t.settings.get(SETTINGS_DOMAIN, 'tid')).toBe(BOUND.tid);
    expect(t.settings.get(SETTINGS_DOMAIN, 'mid')).toBe(BOUND.mid);
    const record = readActivationRecord(t.settings, cbor)!;
    expect(record).toMatchObject({ serial: SERIAL, host: 0, ...BOUND });
    expect(record.activatedAt).toBeGreaterThanOrEqual(before);
    expect(activationState(t.ports, cbor, t.keys)).toMatchObject({ factory: false, activated: true, masterKey: true });
    expect(await probe(t)).toMatchObject({ status: 'pass', code: 'master-key.ok' });
    // The trace names the check value, never the code or a key.
    const trace = t.trace.join('\n');
    expect(trace).toContain(kcv(KEYS[algorithm], algorithm).toString('hex').toUpperCase());
    expect(trace).not.toContain(CODE);
    expect(trace.toLowerCase()).not.toContain(KEYS[algorithm].toString('hex').slice(0, 16));
  });

  it("sends the configured IDs, and the session's STAN and batch when given its counters", async () => {
    const h = await host(granting('tdes2'));
    const t = terminal(h.port);
    t.settings.set(SETTINGS_DOMAIN, 'tid', '11112222');
    t.settings.set(SETTINGS_DOMAIN, 'mid', '333344445555666');
    const outcome = await activate(CODE, { ...t.deps, counters: { nextStan: () => '004711', batch: 12 } });
    expect(outcome).toEqual({ kind: 'activated', ...BOUND });
    expect(decodeRequest(h.requests[0])).toMatchObject({ stan: '004711', tid: '11112222', mid: '333344445555666', field60: '00000012370' });
  });

  it.each([
    [1, 'code-wrong', 'activation code wrong'],
    [2, 'code-expired', 'activation code expired'],
    [3, 'tid-disabled', 'TID disabled'],
    [4, 'bound-elsewhere', 'bound to another device'],
  ])('D5 = %i: refused %s, nothing stored', async (d5, reason, text) => {
    const h = await host(() => ({ code39: 'A7', text44: text, field62: tlv(0xd5, Buffer.of(d5)) }));
    const t = terminal(h.port);
    const outcome = await activate(CODE, t.deps);
    expect(outcome).toEqual({ kind: 'refused', reason, detail: `response code A7, reason ${reason}: ${text}` });
    expectNothingStored(t);
    expect(await probe(t)).toMatchObject({ code: 'keys.not-activated' });
  });

  it("masks a card number in the host's field 44 text, in the detail and the trace", async () => {
    // 6214830000000017 passes the Luhn check (a test PAN); 12 is no card number.
    const h = await host(() => ({ code39: 'A7', text44: 'pan 6214830000000017 12', field62: tlv(0xd5, Buffer.of(1)) }));
    const t = terminal(h.port);
    const outcome = await activate(CODE, t.deps);
    expect(outcome).toEqual({ kind: 'refused', reason: 'code-wrong', detail: 'response code A7, reason code-wrong: pan 621483******0017 12' });
    expect(t.trace.join('\n')).not.toContain('6214830000000017');
    expect(t.trace.join('\n')).toContain('621483******0017');
  });

  it('a check value that does not match: kcv-mismatch, the key forgotten, the old master key kept', async () => {
    const h = await host(granting('tdes2', () => Buffer.from('00000000', 'hex')));
    const t = terminal(h.port, { crypto: new NodeCrypto(22, { tmk: { algorithm: 'tdes2', key: OLD_TMK } }) });
    const old = checkValueOf(t, t.crypto.provisionedKey('tmk'));
    const outcome = await activate(CODE, t.deps);
    expect(outcome).toEqual({ kind: 'refused', reason: 'kcv-mismatch', detail: `master key check value ${kcv(KEYS.tdes2, 'tdes2').toString('hex').toUpperCase()}, the host's 00000000` });
    expectNothingStored(t, old);
  });

  it.each<[string, (r: DecodedRequest) => AnswerParts, RegExp]>([
    ['a grant without D3', (r) => {
      const { point, wrapped } = seal(r.publicKey, r.serial, KEYS.tdes2);
      return { code39: '00', ...BOUND, field62: Buffer.concat([tlv(0xd5, Buffer.of(0)), tlv(0xd1, point), tlv(0xd2, wrapped), tlv(0xd4, Buffer.of(1))]) };
    }, /62\.D3: missing/],
    ['an ephemeral point off the curve', (r) => ({ ...granting('tdes2')(r), field62: grant62(Buffer.concat([Buffer.of(4), Buffer.alloc(64, 1)]), Buffer.alloc(16), Buffer.alloc(4), 'tdes2') }), /62\.D1\/D2.*not a point/],
    ['a grant with response code 96', (r) => ({ ...granting('tdes2')(r), code39: '96' }), /field 39/],
  ])('%s: refused malformed, with the field in the detail, nothing stored', async (_what, reply, detail) => {
    const h = await host(reply);
    const t = terminal(h.port);
    const outcome = await activate(CODE, t.deps);
    expect(outcome).toEqual({ kind: 'refused', reason: 'malformed', detail: expect.stringMatching(detail) });
    expectNothingStored(t);
  });

  it('no host listening: unreachable, nothing stored', async () => {
    const h = await host(() => undefined);
    const port = h.port;
    await h.close();
    const t = terminal(port);
    const outcome = await activate(CODE, t.deps);
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'unreachable', detail: expect.stringMatching(/^connect: /) });
    expectNothingStored(t);
  });

  it('a code that is not digits never leaves the terminal: code-wrong', async () => {
    const h = await host(granting('tdes2'));
    const t = terminal(h.port);
    expect(await activate('12-34', t.deps)).toMatchObject({ kind: 'refused', reason: 'code-wrong' });
    expect(h.requests).toHaveLength(0);
  });

  it('a board that refuses to store the key: ActivationDeviceError, and no IDs or record', async () => {
    class NoStorage extends NodeCrypto {
      override storeMasterKey(): void {
        throw new PortError('crypto', 'key storage is not encrypted and the build does not say devKeys=1');
      }
    }
    const h = await host(granting('tdes2'));
    const t = terminal(h.port, { crypto: new NoStorage(23) });
    await expect(activate(CODE, t.deps)).rejects.toThrow(ActivationDeviceError);
    expectNothingStored(t);
  });

  it('a dev board (keys unprotected): activated, and the master-key probe warns', async () => {
    const h = await host(granting('tdes2'));
    const t = terminal(h.port, { protection: 'unprotected' });
    expect(await activate(CODE, t.deps)).toMatchObject({ kind: 'activated' });
    expect(await probe(t)).toMatchObject({ status: 'warn', code: 'keys.unprotected' });
  });

  it('a terminal that signed on before and lost its key is not in the factory state: master-key.missing', async () => {
    const t = terminal(1);
    t.settings.set('keys', 'generation', 3);
    const keys = new KeyStore(t.crypto, undefined, cbor, t.settings);
    expect(await masterKeyProbe(keys).run({ ports: t.ports, trigger: 'demand', resultOf: () => undefined } as never)).toMatchObject({ status: 'fail', code: 'master-key.missing' });
    expect(activationState(t.ports, cbor, keys).factory).toBe(false);
  });
});
