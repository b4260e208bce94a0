/**
 * The simulated acquirer: a real TCP (or TLS 1.2+) server on 127.0.0.1, a primary and a backup
 * port, speaking the profile's ISO 8583 dialect through the terminal's own codec
 * (firmware/core/host), answering from its terminal registry and books (dialogue.ts), and
 * following a fault plan (faultPlan.ts). It logs what it received and answered (MTI, STAN,
 * TID, code; never keys, never PANs) and keeps a byte ledger per connection for the
 * simulator's network quiescence.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame, swapTpdu } from '../../firmware/core/host/frame';
import { dialectById } from '../../firmware/core/host/dialects';
import { unpackMessage } from '../../firmware/core/host/iso8583';
import type { Iso8583Message } from '../../firmware/core/host/types';
import { AcquirerConfigError, answerCodes, type AcquirerConfig, type RegisteredTerminal } from './config';
import { HostDialogue, sealAnswer } from './dialogue';
import { FaultPlan, type Fault } from './faultPlan';
import { HostConnection, type ConnectionStats, type Delivery } from './hostConnection';
import { systemRandom } from './activationEnvelope';
import { SeededBytes } from './seededBytes';
import { TerminalBook, type BatchTotals } from './terminalBook';
import type { LoopbackLedger } from '../ports/loopbackLedger';

export type { Fault, FaultKind } from './faultPlan';
export type { ConnectionStats } from './hostConnection';

export interface AcquirerLogEntry {
  seq: number;
  host: number;
  connection: number;
  direction: 'in' | 'out' | 'note';
  mti?: string;
  stan?: string;
  tid?: string;
  code?: string;
  fault?: string;
  note?: string;
}

export interface AcquirerHooks {
  /** Wall-clock milliseconds for the answers' date and time fields (the scenario's virtual clock). Default Date.now. */
  now?: () => number;
  /** Each log entry as it is made (npm run acquirer prints them). */
  onLog?: (entry: AcquirerLogEntry) => void;
  /** The simulator's loopback ledger (host-sim/ports/loopbackLedger.ts); 'delay' faults then run in its virtual time. */
  ledger?: LoopbackLedger;
  /** Its listeners and connections do not keep the process alive (worlds built for unit tests, never closed). */
  unref?: boolean;
}

export interface Acquirer {
  /** Primary, backup: the ports listening on 127.0.0.1. */
  readonly ports: number[];
  addFaults(faults: Fault[]): void;
  /** Drops the faults not yet used and reopens refused ports. */
  clearFaults(): Promise<void>;
  /** Reopens one refused port. */
  restore(host: number): Promise<void>;
  /** Writes the answers a 'delay' fault holds (the next request releases them too). */
  release(): void;
  pendingFaults(): Fault[];
  /** A terminal's batch totals (its latest batch unless one is named). */
  batch(tid: string, batchNo?: string): BatchTotals | undefined;
  /** Changes a registration between scenario steps. */
  updateTerminal(tid: string, change: Partial<Pick<RegisteredTerminal, 'status' | 'merchantStatus' | 'mid'>>): void;
  readonly log: readonly AcquirerLogEntry[];
  connections(): ConnectionStats[];
  /** No connection with a half frame, a write under way, or a timed answer waiting; no port being reopened. */
  quiet(): boolean;
  /** Called after every change of the ledger (bytes in or out, connection opened or closed). */
  onChange(listener: () => void): () => void;
  whenQuiet(): Promise<void>;
  close(): Promise<void>;
}

const HOST_ADDRESS = '127.0.0.1';
/** The largest frame body the host reads (CUP messages stay far below). */
const MAX_BODY = 8192;
/** Log entries kept (the oldest go first). */
const LOG_CAP = 10_000;
const GARBAGE_BYTES = 16;
/** Connection ledgers kept after their connection closed. */
const LEDGERS_KEPT = 1024;

const DELIVERY: Partial<Record<Fault['kind'], Delivery>> = { 'split-bytes': 'split-bytes', duplicate: 'duplicate', 'reset-mid-frame': 'reset-mid-frame' };

/**
 * Starts the acquirer's listeners.
 * @throws AcquirerConfigError for a profile the host cannot serve (unknown dialect, missing code category)
 */
export async function startAcquirer(config: AcquirerConfig, hooks: AcquirerHooks = {}): Promise<Acquirer> {
  const dialect = dialectById(config.profile.dialect);
  if (!dialect) throw new AcquirerConfigError('acquirer-config', 'profile.dialect', `no dialect ${config.profile.dialect}`);
  const book = new TerminalBook(config.terminals);
  const random = new SeededBytes(config.seed);
  const keyRandom = config.keySource === 'system' ? systemRandom : undefined;
  const now = hooks.now ?? Date.now;
  const dialogue = new HostDialogue({ book, profile: config.profile, dialect, codes: answerCodes(config.profile, config.codes), random, now, institution: config.institution ?? '48020000', keyRandom });
  const plan = new FaultPlan();
  const log: AcquirerLogEntry[] = [];
  const listeners = new Set<() => void>();
  const connections = new Set<HostConnection>();
  /** Every connection's ledger, closed ones too (the simulator balances bytes after a close), newest kept. */
  const ledgers: HostConnection[] = [];
  const held: { connection: HostConnection; frame: Uint8Array; entry: AcquirerLogEntry }[] = [];
  const wantedPorts = config.ports ?? [0, 0];
  const servers: (Server | undefined)[] = [];
  const ports: number[] = [];
  let nextConnection = 1;
  let seq = 0;

  const changed = () => listeners.forEach((l) => l());
  const record = (entry: Omit<AcquirerLogEntry, 'seq'>): AcquirerLogEntry => {
    const full = { seq: ++seq, ...entry };
    log.push(full);
    if (log.length > LOG_CAP) log.shift();
    hooks.onLog?.(full);
    return full;
  };

  const releaseHeld = () => {
    for (const h of held.splice(0)) {
      if (!h.connection.open) {
        record({ host: h.connection.host, connection: h.connection.id, direction: 'note', note: `held ${h.entry.mti} for STAN ${h.entry.stan} dropped: connection closed` });
        continue;
      }
      h.connection.deliver(h.frame, 'normal');
      record({ ...h.entry, fault: 'delay (released)' });
    }
  };

  const answerBody = (connection: HostConnection, body: Uint8Array) => {
    releaseHeld();
    const at = { host: connection.host, connection: connection.id };
    let parts: ReturnType<typeof decodeFrame>;
    let request: Iso8583Message;
    try {
      parts = decodeFrame(body, dialect.headerLength);
      request = unpackMessage(dialect, parts.message);
    } catch (error) {
      record({ ...at, direction: 'note', note: `undecodable frame of ${body.length} bytes dropped: ${(error as Error).message}` });
      return;
    }
    const stan = typeof request.fields.get(11) === 'string' ? (request.fields.get(11) as string) : undefined;
    const tid = typeof request.fields.get(41) === 'string' ? (request.fields.get(41) as string) : undefined;
    record({ ...at, direction: 'in', mti: request.mti, stan, tid });
    if (!HostDialogue.isRequest(request.mti)) {
      record({ ...at, direction: 'note', note: `${request.mti} is not a request: dropped` });
      return;
    }
    const macked = dialogue.verifiesMac(request, parts.message);
    const activation = HostDialogue.isActivation(request);
    const fault = plan.take(connection.host, request.mti, (kind) => (kind !== 'wrong-mac' || macked) && (kind !== 'wrong-kcv' || activation));
    const answer = dialogue.answer(request, parts.message, { code: fault?.kind === 'code' ? fault.code : undefined, breakCheckValue: fault?.kind === 'wrong-kcv' });
    if (fault?.kind === 'wrong-stan') answer.message.fields.set(11, String((Number(stan ?? 0) + 1) % 1_000_000).padStart(6, '0'));
    const entry: Omit<AcquirerLogEntry, 'seq'> = { ...at, direction: 'out', mti: answer.message.mti, stan: answer.message.fields.get(11) as string | undefined, tid, code: answer.code, fault: fault?.kind, note: answer.note };
    if (fault?.kind === 'hang') {
      record({ ...entry, mti: undefined, code: undefined, note: `${request.mti} not answered` });
      return;
    }
    if (fault?.kind === 'garbage') {
      const junk = random.next(GARBAGE_BYTES);
      connection.deliver(Uint8Array.of(0, GARBAGE_BYTES, ...junk), 'normal');
      record({ ...entry, code: undefined, note: `${GARBAGE_BYTES} random bytes instead of the ${answer.message.mti}` });
      return;
    }
    let header: Uint8Array = parts.header;
    try {
      header = encodeCupHeader({ ...decodeCupHeader(parts.header), processingRequest: fault?.kind === 'sign-on-again' ? 3 : 0 });
    } catch {
      // Not a CUP header: answered as it came.
    }
    const frame = encodeFrame(swapTpdu(parts.tpdu), header, sealAnswer(dialect, dialogue.macScheme, answer, fault?.kind === 'wrong-mac'));
    const how = (fault && DELIVERY[fault.kind]) ?? 'normal';
    if (fault?.kind === 'delay') {
      if (fault.delayMs !== undefined) connection.deliverLater(frame, fault.delayMs, how, () => record({ ...entry, note: `${answer.note}; after ${fault.delayMs} ms` }));
      else {
        held.push({ connection, frame, entry: { seq: 0, ...entry } });
        record({ ...entry, direction: 'note', note: `${answer.message.mti} held until the next request` });
      }
      return;
    }
    connection.deliver(frame, how);
    record(entry);
  };

  /** A request the host cannot answer (an answer that does not pack) is logged, never thrown out of a socket handler. */
  const onBody = (connection: HostConnection, body: Uint8Array) => {
    try {
      answerBody(connection, body);
    } catch (error) {
      record({ host: connection.host, connection: connection.id, direction: 'note', note: `not answered: ${(error as Error).message}` });
    }
  };

  const accept = (host: number) => (socket: Socket) => {
    const onBroken = (c: HostConnection, why: string) => record({ host, connection: c.id, direction: 'note', note: why });
    const connection = new HostConnection(socket, { id: nextConnection++, host, maxBody: MAX_BODY, onBody, onBroken, changed, ledger: hooks.ledger });
    connections.add(connection);
    ledgers.push(connection);
    if (ledgers.length > LEDGERS_KEPT) ledgers.shift();
    socket.on('close', () => connections.delete(connection));
    if (hooks.unref) socket.unref();
    changed();
  };

  const listen = (host: number, port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = config.tls
        ? createTlsServer({ cert: config.tls.cert, key: config.tls.key, minVersion: 'TLSv1.2' }, accept(host))
        : createTcpServer(accept(host));
      server.once('error', reject);
      server.listen(port, HOST_ADDRESS, () => {
        server.off('error', reject);
        server.on('error', (error: Error) => record({ host, connection: 0, direction: 'note', note: `listener: ${error.message}` }));
        servers[host] = server;
        if (hooks.unref) server.unref();
        resolve((server.address() as { port: number }).port);
      });
    });

  const refuse = (host: number) => {
    const server = servers[host];
    if (!server) return;
    servers[host] = undefined;
    server.close();
    for (const c of connections) if (c.host === host) c.destroy();
    record({ host, connection: 0, direction: 'note', note: `port ${ports[host]} refuses connections`, fault: 'refuse' });
  };

  /** Ports being opened again: the acquirer is not quiet until they listen (a connect would be refused). */
  const reopening = new Map<number, Promise<void>>();
  const restore = (host: number): Promise<void> => {
    if (servers[host] || ports[host] === undefined) return Promise.resolve();
    let done = reopening.get(host);
    if (!done) {
      done = listen(host, ports[host]).then(
        () => {
          reopening.delete(host);
          record({ host, connection: 0, direction: 'note', note: `port ${ports[host]} listening again` });
          changed();
        },
        (error: Error) => {
          reopening.delete(host);
          changed();
          throw error;
        },
      );
      reopening.set(host, done);
    }
    return done;
  };

  /** Real-time timers of the plan (reopens, TIDs disabled later) without a ledger, cleared at close. */
  const reopenTimers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    if (hooks.ledger) return hooks.ledger.later(ms, run);
    const timer = setTimeout(() => {
      reopenTimers.delete(timer);
      run();
    }, ms);
    reopenTimers.add(timer);
  };
  const reopenLater = (host: number, ms: number) =>
    later(ms, () => void restore(host).catch((error: Error) => record({ host, connection: 0, direction: 'note', note: `port ${ports[host]} could not listen again: ${error.message}` })));

  /** The host disables a TID: every request from it gets the terminal-invalid code from then on. */
  const disableTid = (tid: string) => {
    book.update(tid, { status: 'disabled' });
    record({ host: 0, connection: 0, direction: 'note', tid, fault: 'disable-tid', note: `TID ${tid} disabled` });
    changed();
  };

  for (let host = 0; host < wantedPorts.length; host++) ports.push(await listen(host, wantedPorts[host]));

  const quiet = () => reopening.size === 0 && [...connections].every((c) => c.quiet);
  return {
    ports,
    log,
    addFaults(faults) {
      for (const f of faults) if (f.kind === 'disable-tid' && !book.known(f.tid ?? '')) throw new RangeError(`no terminal ${f.tid} in the registry`);
      plan.add(faults);
      for (const f of faults) {
        if (f.kind === 'disable-tid') {
          const tid = f.tid as string;
          if (f.delayMs === undefined) disableTid(tid);
          else later(f.delayMs, () => disableTid(tid));
        }
        if (f.kind !== 'refuse') continue;
        for (let host = 0; host < ports.length; host++) {
          if (f.host !== undefined && f.host !== host) continue;
          refuse(host);
          if (f.delayMs !== undefined) reopenLater(host, f.delayMs);
        }
      }
    },
    async clearFaults() {
      plan.clear();
      for (let host = 0; host < ports.length; host++) await restore(host);
    },
    restore,
    release() {
      releaseHeld();
      changed();
    },
    pendingFaults: () => plan.pending(),
    batch: (tid, batchNo) => book.totals(tid, batchNo),
    updateTerminal: (tid, change) => book.update(tid, change),
    connections: () => ledgers.map((c) => c.stats()),
    quiet,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    whenQuiet() {
      if (quiet()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const check = () => {
          if (!quiet()) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    async close() {
      held.length = 0;
      reopenTimers.forEach(clearTimeout);
      for (const c of connections) c.destroy();
      await Promise.all(servers.map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
      servers.length = 0;
    },
  };
}
