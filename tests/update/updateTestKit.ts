/**
 * What the update tests over real loopback sockets share: the wall-clock ports (real timers), an
 * UpdateCheckHost over any slot, and a network port with TLS as the device's SecureSocket does it.
 */
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { PortError, type Ports, type TcpConnection, type TcpOptions, type UpdatePort } from '../../firmware/core/ports';
import type { UpdateCheckHost } from '../../firmware/core/update/updateFlow';
import { IDLE_UPDATE_STATE, type UpdateState } from '../../firmware/core/update/updateState';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';

/** Real timers: the exchanges are real loopback sockets. */
export const wallClock = {
  uptimeMs: () => Date.now(),
  wallMs: () => Date.now(),
  setWallMs: () => undefined,
  setTimer: (ms: number, cb: () => void) => setTimeout(cb, ms) as unknown as ReturnType<Ports['clock']['setTimer']>,
  clearTimer: (t: ReturnType<Ports['clock']['setTimer']>) => clearTimeout(t as unknown as NodeJS.Timeout),
};

/** An idle, never busy terminal running 1.0.0 over `slot`: the record, the facts and each record put's `written` kept. */
export class CheckHost<S extends UpdatePort> implements UpdateCheckHost {
  readonly ports: Ports;
  state: UpdateState = IDLE_UPDATE_STATE;
  facts: string[] = [];
  puts: number[] = [];
  constructor(readonly slot: S) {
    this.ports = { clock: wallClock, network: new NodeNetwork(), crypto: NodeCrypto.secure(), system: { firmwareVersion: '1.0.0' }, trace: () => undefined, update: slot } as unknown as Ports;
  }
  updateState() {
    return this.state;
  }
  saveUpdateState(state: UpdateState) {
    this.state = state;
    this.puts.push(state.written);
  }
  fact(code: string, status: string) {
    this.facts.push(`${code} ${status}`);
  }
  progress() {}
  busyReason() {
    return undefined;
  }
  baseline() {
    return [];
  }
  stopped() {
    return false;
  }
}

/** NodeNetwork with TLS as the device's SecureSocket does it: TLS 1.2+, the anchor given, the name checked; updates.test is 127.0.0.1. */
export class TlsNetwork extends NodeNetwork {
  override connect(options: TcpOptions): TcpConnection {
    if (!options.tls) return super.connect(options);
    const { serverName, ca } = options.tls;
    let done = false;
    const socket = tlsConnect({ host: options.host, port: options.port, ca: [new X509Certificate(ca).toString()], minVersion: 'TLSv1.2', servername: serverName, checkServerIdentity: (_h, cert) => checkServerIdentity(serverName, cert) });
    socket.once('secureConnect', () => !done && options.onConnect());
    socket.on('data', (chunk: Buffer) => !done && options.onReadable(new Uint8Array(chunk)));
    socket.on('error', (e) => { if (!done) { done = true; options.onError(new PortError('socket', e.message)); } });
    socket.on('close', () => { if (!done) { done = true; options.onClose(); } });
    return { write: (b) => void socket.write(b), close: () => { done = true; socket.destroy(); } };
  }
  override resolve(name: string, callback: (address: string | undefined) => void): void {
    queueMicrotask(() => callback(name === 'updates.test' ? '127.0.0.1' : undefined));
  }
}
