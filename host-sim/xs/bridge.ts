/**
 * The XS lane's bridge: port calls from the core running on XS cross to Node through xsnap's
 * synchronous `issueCommand`, one CBOR request per call, one CBOR reply. Engine-neutral (each
 * side imports it). A PortError raised on the Node side is raised again on the XS side with
 * the same code.
 *
 * Keys cross as numbers. The Node adapter behind `serveCrypto` holds each key with its usage
 * and refuses what the usage does not allow; the bridge forwards the refusal, and a handle the
 * XS side makes only mirrors the usage Node reports, so nothing on the XS side can widen it.
 */
import { PortError, type CryptoPort, type KeyAlgorithm, type KeyHandle, type KeyUsage, type PortErrorCode, type UpdatePort } from '../../firmware/core/ports';
import type { CborCodec } from '../../firmware/core/store/cbor';
import type { Collected, NetworkBackend, SntpReply } from '../ports/queuedNetwork';

export type BridgeCall =
  | 'flash.geometry' | 'flash.read' | 'flash.write' | 'flash.erase'
  | 'settings.get' | 'settings.set' | 'settings.delete'
  | CryptoCall
  | 'display.info' | 'display.status'
  | 'system.info' | 'system.memory' | 'system.resetReason' | 'system.imageRead' | 'system.seal'
  | UpdateCall
  | NetCall
  | 'world.powerOn' | 'world.outside' | 'trace';

/** The update slots (host-sim/update/otaSlots.ts on Node): the UpdatePort of the running boot. */
export type UpdateCall = 'update.info' | 'update.running' | 'update.erase' | 'update.write' | 'update.read' | 'update.activate' | 'update.markValid' | 'update.rollback';

/** The network backend (SimNetwork on Node); `net.collect` is answered asynchronously. */
export type NetCall = 'net.link' | 'net.lookup' | 'net.open' | 'net.write' | 'net.close' | 'net.collect' | 'net.sntp';

export type CryptoCall =
  | 'crypto.digestOpen' | 'crypto.digestUpdate' | 'crypto.digestClose' | 'crypto.random'
  | 'crypto.provisioned' | 'crypto.eraseProvisioned' | 'crypto.import' | 'crypto.unwrap' | 'crypto.checkValue'
  | 'crypto.encrypt' | 'crypto.decrypt' | 'crypto.pinBlock' | 'crypto.cbcMac' | 'crypto.retailMac' | 'crypto.verify' | 'crypto.forget'
  | 'crypto.createDeviceKey' | 'crypto.openEnvelope' | 'crypto.storeMaster' | 'crypto.keyProtection';

/** A key as the Node side describes it to the XS side. */
export interface BridgedKey {
  id: number;
  algorithm: KeyAlgorithm;
  usage: KeyUsage;
}

export interface BridgeRequest {
  p: BridgeCall;
  a: unknown[];
}
/** A value, a PortError to raise on the XS side, or a bridge failure (a bug on the Node side). */
export type BridgeReply = { v: unknown } | { e: { code: PortErrorCode; message: string } } | { x: string };

/** The XS side: a synchronous call that either returns the value or throws the PortError. */
export function makeCaller(cbor: CborCodec, send: (request: Uint8Array) => Uint8Array) {
  return function call<T>(p: BridgeCall, ...a: unknown[]): T {
    const reply = cbor.decode(send(cbor.encode({ p, a } satisfies BridgeRequest))) as BridgeReply;
    if ('e' in reply) throw new PortError(reply.e.code, reply.e.message);
    if ('x' in reply) throw new Error(`bridge: ${reply.x}`);
    return reply.v as T;
  };
}

/**
 * The Node side of the crypto calls: answers them from `crypto`, which enforces key usage.
 * Arguments arrive as cbor-x decoded them (byte strings as Buffer or Uint8Array).
 */
export function serveCrypto(crypto: CryptoPort): Record<CryptoCall, (...a: any[]) => unknown> {
  const digests = new Map<number, ReturnType<CryptoPort['digest']>>();
  const keys = new Map<number, KeyHandle>();
  let nextId = 1;
  const keep = (h: KeyHandle): BridgedKey => {
    keys.set(nextId, h);
    return { id: nextId++, algorithm: h.algorithm, usage: h.usage };
  };
  const key = (id: unknown) => {
    const h = keys.get(id as number);
    if (!h) throw new PortError('crypto', 'unknown key handle');
    return h;
  };
  const u8 = (v: unknown) => new Uint8Array(v as Uint8Array);
  const iv = (v: unknown) => (v === null ? undefined : u8(v));
  return {
    'crypto.digestOpen': (algorithm) => {
      digests.set(nextId, crypto.digest(algorithm));
      return nextId++;
    },
    'crypto.digestUpdate': (id, b) => digests.get(id)!.update(u8(b)),
    'crypto.digestClose': (id) => {
      const d = digests.get(id)!;
      digests.delete(id);
      return d.close();
    },
    'crypto.random': (n) => crypto.randomBytes(n),
    'crypto.provisioned': (slot) => {
      const h = crypto.provisionedKey(slot);
      return h ? keep(h) : null;
    },
    'crypto.eraseProvisioned': (slot) => crypto.eraseProvisionedKey(slot),
    'crypto.import': (algorithm, material) => keep(crypto.importKey(algorithm, u8(material))),
    'crypto.unwrap': (kek, algorithm, wrapped, usage) => keep(crypto.unwrapKey(key(kek), algorithm, u8(wrapped), usage)),
    'crypto.checkValue': (id, method) => crypto.checkValue(key(id), method),
    'crypto.encrypt': (id, mode, data, v) => crypto.encrypt(key(id), mode, u8(data), iv(v)),
    'crypto.decrypt': (id, mode, data, v) => crypto.decrypt(key(id), mode, u8(data), iv(v)),
    'crypto.pinBlock': (id, format, pinField, panField) => crypto.encipherPinBlock(key(id), format, u8(pinField), u8(panField)),
    'crypto.cbcMac': (id, data) => crypto.cbcMac(key(id), u8(data)),
    'crypto.retailMac': (id, data) => crypto.retailMac(key(id), u8(data)),
    'crypto.verify': (scheme, spki, data, signature) => crypto.verifySignature(scheme, u8(spki), u8(data), u8(signature)),
    'crypto.forget': (id) => {
      crypto.forgetKey(key(id));
      keys.delete(id);
    },
    // The device key's private half stays in the Node adapter: only the public key crosses.
    'crypto.createDeviceKey': () => crypto.createDeviceKey(),
    'crypto.openEnvelope': (point, wrapped, algorithm, sharedInfo) => keep(crypto.openMasterKeyEnvelope(u8(point), u8(wrapped), algorithm, u8(sharedInfo))),
    'crypto.storeMaster': (slot, id) => crypto.storeMasterKey(slot, key(id)),
    'crypto.keyProtection': () => crypto.keyProtection(),
  };
}

/** The Node side of the update calls: answers them from the world's UpdatePort. */
export function serveUpdate(update: UpdatePort): Record<UpdateCall, (...a: any[]) => unknown> {
  return {
    'update.info': () => ({ board: update.board, slotBytes: update.slotBytes, sectorSize: update.sectorSize }),
    'update.running': () => update.running(),
    'update.erase': (index) => update.eraseSector(index),
    'update.write': (offset, data) => update.write(offset, new Uint8Array(data as Uint8Array)),
    'update.read': (offset, length) => update.read(offset, length),
    'update.activate': () => update.activate(),
    'update.markValid': () => update.markValid(),
    'update.rollback': () => update.rollback(),
  };
}

/** The XS side: the UpdatePort across the bridge. */
export function bridgedUpdatePort(call: ReturnType<typeof makeCaller>): UpdatePort {
  const bytes = (v: unknown) => (v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(0));
  const info = call<{ board: string; slotBytes: number; sectorSize: number }>('update.info');
  return {
    board: info.board,
    slotBytes: info.slotBytes,
    sectorSize: info.sectorSize,
    running: () => call('update.running'),
    eraseSector: (index) => void call('update.erase', index),
    write: (offset, data) => void call('update.write', offset, data),
    read: (offset, length) => bytes(call('update.read', offset, length)),
    activate: () => void call('update.activate'),
    markValid: () => void call('update.markValid'),
    rollback: () => void call('update.rollback'),
  };
}

/**
 * The Node side of the network calls: the XS lane's port drives the same SimNetwork the Node
 * lane's does. `net.collect` returns a promise: Node's loop runs the sockets and the acquirer
 * while XS waits for the reply.
 */
export function serveNetwork(network: NetworkBackend): Record<NetCall, (...a: any[]) => unknown> {
  const u8 = (v: unknown) => new Uint8Array(v as Uint8Array);
  return {
    'net.link': () => network.link(),
    'net.lookup': (name) => network.lookup(name) ?? null,
    'net.open': (host, port, tls) => network.open(host, port, tls === null ? undefined : { serverName: tls.serverName, ca: u8(tls.ca) }),
    'net.write': (id, bytes) => network.write(id, u8(bytes)),
    'net.close': (id) => network.close(id),
    'net.collect': async (nowWallMs) => {
      const { events, nextDueWallMs } = await network.collect(nowWallMs);
      return { events, nextDueWallMs: nextDueWallMs ?? null };
    },
    'net.sntp': (host, elapsedMs) => network.sntp(host, elapsedMs),
  };
}

/** The XS side: the network backend across the bridge (the collect blocks XS until Node answers). */
export function bridgedNetworkBackend(call: ReturnType<typeof makeCaller>): NetworkBackend {
  const bytes = (v: unknown) => (v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(0));
  return {
    link: () => call('net.link'),
    lookup: (name) => call<string | null>('net.lookup', name) ?? undefined,
    open: (host, port, tls) => call<number>('net.open', host, port, tls ?? null),
    write: (id, data) => void call('net.write', id, data),
    close: (id) => void call('net.close', id),
    sntp: (host, elapsedMs) => call<SntpReply>('net.sntp', host, elapsedMs),
    collect(nowWallMs) {
      const reply = call<{ events: Collected['events']; nextDueWallMs: number | null }>('net.collect', nowWallMs);
      const events = reply.events.map((e) => (e.kind === 'data' ? { ...e, bytes: bytes(e.bytes) } : e));
      return Promise.resolve({ events, nextDueWallMs: reply.nextDueWallMs ?? undefined });
    },
  };
}
