/**
 * The XS lane, Node side: bundles the core and the scenario driver with esbuild, runs the
 * bundle in an `xsnap-worker` (the real XS engine, built from source by @agoric/xsnap at
 * install), and serves the worker's port calls from a Node world.
 *
 * The worker is driven directly over its pipes (netstrings: commands on fd 3, replies on fd 4)
 * rather than through @agoric/xsnap's API, which needs SES lockdown of the calling realm.
 * Messages: Node→XS "e<code>" evaluate, "?<bytes>" command; XS→Node "." ok
 * (optionally "<meter JSON>\x01" then the reply), "!" error, "?" a query that Node answers with "/".
 */
import { spawn } from 'node:child_process';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { PortError } from '../../firmware/core/ports';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { ScenarioOutcome } from '../scenario/driver';
import type { Scenario } from '../scenario/schema';
import { startWorld, type NodeWorld } from '../world';
import { serveCrypto, serveNetwork, serveUpdate, type BridgeReply, type BridgeRequest } from './bridge';

const WORKER = join(require.resolve('@agoric/xsnap/package.json'), '..', 'xsnap-native', 'xsnap', 'build', 'bin', 'lin', 'release', 'xsnap-worker');

/**
 * Makes the XS lane as strict as the device: keeps the text codecs for the bridge, then removes
 * them (the device has none unless its manifest adds them), and freezes the built-ins, as
 * Moddable's preload does (in ROM every preloaded object, the primordials included, is
 * read-only: `this.name = …` on an Error subclass throws there, and so it must here).
 */
export const PRELUDE = `(() => {
  const E = globalThis.TextEncoder, D = globalThis.TextDecoder;
  globalThis.__xsLaneText = { encode: (s) => new E().encode(s), decode: (b) => new D().decode(b) };
  delete globalThis.TextEncoder; delete globalThis.TextDecoder;
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  for (const C of [Object, Function, Array, String, Number, Boolean, Symbol, BigInt, Date, RegExp, Map, Set, WeakMap, WeakSet, Promise,
      Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError,
      ArrayBuffer, DataView, TypedArray, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array,
      BigInt64Array, BigUint64Array, Uint8ClampedArray]) {
    Object.freeze(C.prototype);
    Object.freeze(C);
  }
  Object.freeze(Math); Object.freeze(JSON); Object.freeze(Reflect);
})();`;

let bundled: string | undefined;

/** The core + driver as one script for XS (built once per process); `inject`: esbuild's, for a bench peer's polyfills. */
export function xsBundle(entry = join(__dirname, 'xsEntry.ts'), inject: string[] = []): string {
  if (bundled && entry === join(__dirname, 'xsEntry.ts')) return bundled;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    inject,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  if (entry === join(__dirname, 'xsEntry.ts')) bundled = code;
  return code;
}

export interface XsRun<T> {
  value: T;
  /** XS computrons metered for the command (a machine-independent cost). */
  computrons: number;
}

/**
 * Answers one query from the XS side. A promise is awaited: XS stays blocked in its
 * `issueCommand` while Node's event loop runs (the sockets and the acquirer work meanwhile).
 */
export type QueryHandler = (query: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** One xsnap worker with a handler for the queries the XS side issues. */
export class XsWorker {
  readonly #child;
  #buffer = Buffer.alloc(0);
  #waiting: ((message: Buffer) => void) | undefined;
  #queue: Buffer[] = [];
  #onQuery: QueryHandler;
  #stderr = '';

  constructor(onQuery: QueryHandler) {
    this.#onQuery = onQuery;
    this.#child = spawn(WORKER, ['xspos-xs-lane'], { stdio: ['ignore', 'inherit', 'pipe', 'pipe', 'pipe'] });
    this.#child.stderr!.on('data', (d: Buffer) => (this.#stderr += d.toString()));
    const fromXs = this.#child.stdio[4] as NodeJS.ReadableStream;
    fromXs.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#child.on('error', (error) => this.#fail(`worker could not start: ${error.message}`));
    this.#child.on('exit', (code, signal) => this.#waiting?.(Buffer.from(`!worker exited (code ${code}, signal ${signal}): ${this.#stderr.slice(-500)}`)));
  }

  #fail(message: string) {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(Buffer.from(`!${message}`));
    else this.#queue.push(Buffer.from(`!${message}`));
  }

  /** Evaluates a script; resolves with the computrons it took. */
  async evaluate(code: string): Promise<number> {
    return (await this.#exchange(Buffer.concat([Buffer.from('e'), Buffer.from(code, 'utf8')]))).computrons;
  }

  /** Sends a command to the XS `handleCommand`; resolves with its reply. */
  async command(message: Uint8Array): Promise<XsRun<Uint8Array>> {
    const run = await this.#exchange(Buffer.concat([Buffer.from('?'), Buffer.from(message)]));
    return { value: run.value, computrons: run.computrons };
  }

  close() {
    this.#child.kill();
  }

  async #exchange(message: Buffer): Promise<XsRun<Uint8Array>> {
    this.#send(message);
    for (;;) {
      const reply = await this.#next();
      const kind = String.fromCharCode(reply[0]);
      if (kind === '?') {
        const answer = this.#onQuery(new Uint8Array(reply.subarray(1)));
        this.#send(Buffer.concat([Buffer.from('/'), Buffer.from(answer instanceof Uint8Array ? answer : await answer)]));
        continue;
      }
      if (kind === '!') throw new Error(`XS: ${reply.subarray(1).toString('utf8')}`);
      if (kind !== '.') throw new Error(`xsnap protocol: unexpected message ${kind}`);
      const separator = reply.indexOf(1, 1);
      const meter = separator >= 0 ? (JSON.parse(reply.subarray(1, separator).toString('utf8')) as { compute?: number }) : {};
      return { value: new Uint8Array(reply.subarray(separator >= 0 ? separator + 1 : 1)), computrons: meter.compute ?? 0 };
    }
  }

  #send(message: Buffer) {
    const toXs = this.#child.stdio[3] as NodeJS.WritableStream;
    toXs.write(Buffer.concat([Buffer.from(`${message.length}:`), message, Buffer.from(',')]));
  }

  #next(): Promise<Buffer> {
    const ready = this.#queue.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  #receive(chunk: Buffer) {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.#buffer.subarray(0, colon).toString('ascii'));
      if (!Number.isInteger(length)) throw new Error('xsnap protocol: bad netstring length');
      if (this.#buffer.length < colon + 1 + length + 1) return;
      const message = this.#buffer.subarray(colon + 1, colon + 1 + length);
      this.#buffer = this.#buffer.subarray(colon + 1 + length + 1);
      const waiting = this.#waiting;
      if (waiting) {
        this.#waiting = undefined;
        waiting(Buffer.from(message));
      } else this.#queue.push(Buffer.from(message));
    }
  }
}

/** Answers the XS side's port calls from `world`. */
export function serveWorld(world: NodeWorld): QueryHandler {
  const u8 = (v: unknown) => new Uint8Array(v as Uint8Array);
  const { flash, settings, crypto, display, ports } = world;
  const handlers: Record<BridgeRequest['p'], (...a: any[]) => unknown> = {
    'flash.geometry': () => ({ byteLength: flash.byteLength, sectorSize: flash.sectorSize }),
    'flash.read': (o, l) => flash.read(o, l),
    'flash.write': (o, b) => flash.write(o, u8(b)),
    'flash.erase': (s) => flash.eraseSector(s),
    'settings.get': (d, k) => settings.get(d, k) ?? null,
    'settings.set': (d, k, v) => settings.set(d, k, v instanceof Uint8Array ? u8(v) : v),
    'settings.delete': (d, k) => settings.delete(d, k),
    ...serveCrypto(crypto),
    'display.info': () => ({ width: display.width, height: display.height, font: display.font }),
    'display.status': () => display.status(),
    'system.info': () => ({
      firmwareVersion: ports.system.firmwareVersion,
      serialNumber: ports.system.serialNumber,
      buildTime: ports.system.buildTime,
      imageBytes: ports.system.image.byteLength,
      expectedSha256: ports.system.image.expectedSha256 ?? null,
    }),
    'system.memory': () => ports.system.memory(),
    'system.resetReason': () => ports.system.resetReason(),
    'system.imageRead': (o, l) => ports.system.image.read(o, l),
    'system.seal': () => ports.system.image.seal() ?? null,
    ...serveUpdate(ports.update!),
    'world.powerOn': () => world.powerOn(),
    'world.outside': (command) => world.outside(command),
    ...serveNetwork(world.network),
    trace: (uptimeMs, line) => world.recordTrace(uptimeMs, line),
  };
  return serveCalls(handlers);
}

/** A query handler from bridge handlers: one CBOR request in, one CBOR reply out (later, for a promise). */
export function serveCalls(handlers: Partial<Record<BridgeRequest['p'], (...a: any[]) => unknown>>): QueryHandler {
  const cbor = createCborCodec();
  const fail = (error: unknown): BridgeReply =>
    // Every failure becomes a reply: the worker is blocked until it gets one.
    error instanceof PortError ? { e: { code: error.code, message: error.message } } : { x: error instanceof Error ? error.message : String(error) };
  return (query: Uint8Array): Uint8Array | Promise<Uint8Array> => {
    try {
      const request = cbor.decode(query) as BridgeRequest;
      const handler = handlers[request.p];
      if (!handler) throw new PortError('crypto', `unknown bridge call ${String(request.p)}`);
      const v = handler(...request.a);
      // Only the network's collect answers later (XS waits in issueCommand meanwhile).
      if (v instanceof Promise) return v.then((w: unknown) => cbor.encode({ v: w ?? null }), (error: unknown) => cbor.encode(fail(error)));
      return cbor.encode({ v: v === undefined ? null : v });
    } catch (error) {
      return cbor.encode(fail(error));
    }
  };
}

/** Runs `scenario` on XS against a fresh Node world; resolves with the outcome and its cost. */
export async function runOnXs(scenario: Scenario, font?: Uint8Array): Promise<XsRun<ScenarioOutcome> & { world: NodeWorld }> {
  const world = await startWorld(scenario, font);
  const worker = new XsWorker(serveWorld(world));
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle());
    const run = await worker.command(Buffer.from(JSON.stringify(scenario), 'utf8'));
    const value = JSON.parse(Buffer.from(run.value).toString('utf8')) as ScenarioOutcome | { error: string };
    if ('error' in value) throw new Error(`scenario failed on XS: ${value.error}`);
    return { value, computrons: run.computrons, world };
  } finally {
    worker.close();
    await world.close();
  }
}
