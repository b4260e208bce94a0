/**
 * The simulator's network port on real loopback TCP: socket events wait for `settle()`, which
 * hands them over only once the loopback ledger balances, in the pieces the peer wrote; the
 * scenario's link, name table, unreachable hosts and routes; TLS against openssl-made certificates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { pemToDer } from '../../firmware/core/security/x509';
import type { TcpOptions } from '../../firmware/core/ports';
import { Loopback, loopbackKey } from '../../host-sim/ports/loopbackLedger';
import { QueuedNetwork } from '../../host-sim/ports/queuedNetwork';
import { SimNetwork, SimNetworkError, type SimNetworkOptions } from '../../host-sim/ports/simNetwork';

/** The terminal's port over a SimNetwork, as the world builds it. */
function simulated(options: SimNetworkOptions) {
  const sim = new SimNetwork(options);
  return { sim, network: new QueuedNetwork(sim) };
}

/** A peer that reports to the ledger as the simulated acquirer does; `reply` answers each chunk read. */
interface Peer {
  port: number;
  connections: number;
  busy: number;
  close(): Promise<void>;
}
function track(ledger: Loopback, reply: (socket: Socket, chunk: Buffer, send: (b: string) => void) => void, peer: Omit<Peer, 'port' | 'close'>) {
  return (socket: Socket) => {
    // The ledger's name for the connection: the terminal's port and this server's (loopbackKey).
    const port = loopbackKey(socket.remotePort!, socket.localPort!);
    peer.connections++;
    ledger.accepted(port);
    const send = (text: string) => {
      ledger.wrote(port, text.length);
      socket.write(text);
    };
    socket.on('data', (chunk: Buffer) => {
      ledger.read(port, chunk.length);
      reply(socket, chunk, send);
    });
    socket.on('close', () => ledger.closed(port));
    socket.on('error', () => undefined);
  };
}
async function listen(server: Server, peer: Omit<Peer, 'port' | 'close'>): Promise<Peer> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(peer, { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) });
}
function tcpPeer(ledger: Loopback, reply: Parameters<typeof track>[1]): Promise<Peer> {
  const peer = { connections: 0, busy: 0 };
  return listen(createServer(track(ledger, reply, peer)), peer);
}

/** Records what the terminal's callbacks were given. */
function recorder() {
  const seen: string[] = [];
  const options = (host: string, port: number, tls?: TcpOptions['tls']): TcpOptions => ({
    host,
    port,
    tls,
    onConnect: () => seen.push('connect'),
    onReadable: (b) => seen.push(`data:${Buffer.from(b).toString()}`),
    onError: (e) => seen.push(`error:${e.code}:${e.message}`),
    onClose: () => seen.push('close'),
  });
  return { seen, options };
}

const T0 = Date.parse('2026-11-26T09:00:00Z');

describe('SimNetwork', () => {
  it('hands over nothing until settle, then the peer’s writes as the pieces it wrote, in order', async () => {
    const ledger = new Loopback();
    let written!: () => void;
    const wroteAll = new Promise<void>((r) => (written = r));
    const peer = await tcpPeer(ledger, (socket, _chunk, send) => {
      for (const piece of ['a', 'bc', 'def']) send(piece);
      socket.write('', () => written());
    });
    const { sim, network } = simulated({ ledger, routes: { '127.0.0.1:5683': peer.port } });
    const { seen, options } = recorder();
    const connection = network.connect(options('127.0.0.1', 5683));
    expect(() => connection.write(Uint8Array.of(1))).toThrow('not connected');
    expect(await network.settle(T0)).toBe(true);
    expect(seen).toEqual(['connect']);
    connection.write(Buffer.from('hello'));
    await wroteAll;
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['connect']);
    expect(await network.settle(T0)).toBe(true);
    expect(seen).toEqual(['connect', 'data:a', 'data:bc', 'data:def']);
    connection.close();
    expect(await network.settle(T0)).toBe(false);
    await sim.collect(T0); // waits until the peer has seen the close
    expect(seen).toEqual(['connect', 'data:a', 'data:bc', 'data:def']);
    await peer.close();
  });

  it('waits for a peer still working, and reports the close that follows a half-written piece', async () => {
    const ledger = new Loopback();
    let peer!: Peer;
    peer = await tcpPeer(ledger, (socket, _chunk, send) => {
      peer.busy++;
      setTimeout(() => {
        send('answer');
        ledger.wrote(loopbackKey(socket.remotePort!, socket.localPort!), 10); // a piece of ten bytes of which three leave
        socket.end('123');
        peer.busy--;
      }, 20);
    });
    const { network } = simulated({ ledger, routes: { '127.0.0.1:5683': peer.port }, peerQuiet: () => peer.busy === 0 });
    const { seen, options } = recorder();
    const connection = network.connect(options('127.0.0.1', 5683));
    await network.settle(T0);
    connection.write(Buffer.from('ask'));
    await network.settle(T0);
    expect(seen).toEqual(['connect', 'data:answer', 'data:123', 'close']);
    await peer.close();
  });

  it('never completes a connect to an unreachable host, opens no socket, and lets the terminal give up', async () => {
    const ledger = new Loopback();
    const peer = await tcpPeer(ledger, () => undefined);
    const { network } = simulated({ ledger, dns: { 'pos.acquirer.test': '127.0.0.1' }, unreachable: ['pos.acquirer.test', '10.1.2.3'], routes: { '127.0.0.1:5683': peer.port } });
    const { seen, options } = recorder();
    const a = network.connect(options('pos.acquirer.test', 5683));
    const b = network.connect(options('10.1.2.3', 5683));
    const c = network.connect(options('203.0.113.9', 5683)); // no route off the loopback
    expect(await network.settle(T0)).toBe(false);
    expect(seen).toEqual([]);
    for (const x of [a, b, c]) x.close();
    expect(await network.settle(T0)).toBe(false);
    expect(peer.connections).toBe(0);
    await peer.close();
  });

  it('resolves from the scenario’s table, refuses a loopback port with no route, and fails everything while the link is down', async () => {
    const ledger = new Loopback();
    const peer = await tcpPeer(ledger, (_s, chunk, send) => send(`echo:${chunk}`));
    const { sim, network } = simulated({ ledger, dns: { 'pos.acquirer.test': '127.0.0.1' }, routes: { '127.0.0.1:5683': peer.port } });
    const resolved: (string | undefined)[] = [];
    for (const name of ['pos.acquirer.test', 'POS.Acquirer.Test', '10.9.8.7', 'other.test']) network.resolve(name, (a) => resolved.push(a));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toEqual(['127.0.0.1', '127.0.0.1', '10.9.8.7', undefined]);

    const { seen, options } = recorder();
    const byName = network.connect(options('pos.acquirer.test', 5683));
    network.connect(options('127.0.0.1', 5684));
    network.connect(options('nowhere.test', 5683));
    await network.settle(T0);
    expect(seen).toEqual(['connect', 'error:socket:connection refused', 'error:socket:cannot resolve nowhere.test']);
    byName.write(Buffer.from('x'));
    await network.settle(T0);
    expect(seen.slice(3)).toEqual(['data:echo:x']);

    sim.setLink(false);
    expect(network.link()).toEqual({ up: false });
    network.connect(options('127.0.0.1', 5683));
    network.resolve('pos.acquirer.test', (a) => resolved.push(a));
    await network.settle(T0);
    expect(seen.slice(4)).toEqual(['error:socket:link lost', 'error:socket:link is down']);
    expect(resolved.at(-1)).toBeUndefined();
    expect(peer.connections).toBe(1);
    await peer.close();
  });

  it('names what is unbalanced when the peer never answers its reads', async () => {
    const ledger = new Loopback();
    const held: Socket[] = [];
    const peer = await listen(createServer((socket) => held.push(socket) && ledger.accepted(loopbackKey(socket.remotePort!, socket.localPort!))), { connections: 0, busy: 0 });
    const { sim, network } = simulated({ ledger, routes: { '127.0.0.1:5683': peer.port }, capMs: 300 });
    const { options } = recorder();
    const connection = network.connect(options('127.0.0.1', 5683));
    await network.settle(T0);
    connection.write(Buffer.from('lost'));
    await expect(network.settle(T0)).rejects.toThrow(SimNetworkError);
    await expect(sim.collect(T0)).rejects.toThrow(/terminal wrote 4 bytes, the acquirer read 0/);
    connection.close();
    for (const socket of held) socket.destroy();
    await peer.close();
  });

  it('holds what the peer schedules for later until the virtual clock gets there', async () => {
    const ledger = new Loopback();
    const peer = await tcpPeer(ledger, (_s, _chunk, send) => ledger.later(5000, () => send('late')));
    const { network } = simulated({ ledger, routes: { '127.0.0.1:5683': peer.port } });
    const { seen, options } = recorder();
    const connection = network.connect(options('127.0.0.1', 5683));
    await network.settle(T0);
    connection.write(Buffer.from('?'));
    await network.settle(T0);
    expect(network.nextDueWallMs()).toBe(T0 + 5000);
    await network.settle(T0 + 4999);
    expect(seen).toEqual(['connect']);
    await network.settle(T0 + 5000);
    expect(seen).toEqual(['connect', 'data:late']);
    connection.close();
    await peer.close();
  });
});

describe('SimNetwork over TLS (certificates made by openssl)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xspos-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  beforeAll(() => {
    for (const name of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${name}`);
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=pos.acquirer.test');
    require('node:fs').writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:pos.acquirer.test\n');
    openssl('x509', '-req', '-in', 'host.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'host.pem', '-days', '30', '-extfile', 'san.ext');
  });
  const der = (file: string) => pemToDer(readFileSync(join(dir, file), 'latin1'))[0];

  async function tlsPeer(ledger: Loopback, maxVersion: 'TLSv1.1' | 'TLSv1.3' = 'TLSv1.3') {
    const peer = { connections: 0, busy: 0 };
    const server = createTlsServer(
      { cert: readFileSync(join(dir, 'host.pem')), key: readFileSync(join(dir, 'host.key')), maxVersion, minVersion: 'TLSv1' },
      track(ledger, (_s, chunk, send) => send(`tls:${chunk}`), peer),
    );
    server.on('tlsClientError', () => undefined);
    return listen(server as unknown as Server, peer);
  }

  it.each([
    { why: 'the anchor and the name match', serverName: 'pos.acquirer.test', ca: 'ca.pem', expected: ['connect', 'data:tls:hi'] },
    { why: 'the certificate names another host', serverName: 'other.acquirer.test', ca: 'ca.pem', expected: ['error:socket:tls: ERR_TLS_CERT_ALTNAME_INVALID'] },
    { why: 'another trust anchor', serverName: 'pos.acquirer.test', ca: 'other-ca.pem', expected: ['error:socket:tls: UNABLE_TO_VERIFY_LEAF_SIGNATURE'] },
  ])('$why', async ({ serverName, ca, expected }) => {
    const ledger = new Loopback();
    const peer = await tlsPeer(ledger);
    const { sim, network } = simulated({ ledger, dns: { 'pos.acquirer.test': '127.0.0.1' }, routes: { '127.0.0.1:5683': peer.port } });
    const { seen, options } = recorder();
    const connection = network.connect(options('pos.acquirer.test', 5683, { serverName, ca: der(ca) }));
    await network.settle(T0);
    if (seen[0] === 'connect') {
      connection.write(Buffer.from('hi'));
      await network.settle(T0);
    }
    expect(seen).toEqual(expected);
    connection.close();
    await sim.collect(T0);
    await peer.close();
  });

  it('refuses a host that offers nothing newer than TLS 1.1', async () => {
    const ledger = new Loopback();
    const peer = await tlsPeer(ledger, 'TLSv1.1');
    const { network } = simulated({ ledger, routes: { '127.0.0.1:5683': peer.port } });
    const { seen, options } = recorder();
    network.connect(options('127.0.0.1', 5683, { serverName: 'pos.acquirer.test', ca: der('ca.pem') }));
    await network.settle(T0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^error:socket:(tls|socket): /);
    await peer.close();
  });
});
