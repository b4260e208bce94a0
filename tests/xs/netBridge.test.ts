/**
 * The XS lane's network bridge: the same conversation (netExchange.ts) on the real XS engine,
 * across the bridge to a SimNetwork, and on Node, each against its own loopback peer, hands the
 * terminal side the same events at the same virtual times, and those are what the peer did.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { QueuedNetwork } from '../../host-sim/ports/queuedNetwork';
import { Loopback, loopbackKey } from '../../host-sim/ports/loopbackLedger';
import { SimNetwork } from '../../host-sim/ports/simNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { serveNetwork } from '../../host-sim/xs/bridge';
import { PRELUDE, serveCalls, XsWorker, xsBundle } from '../../host-sim/xs/xsLane';
import { converse } from './netExchange';

const RTC = Date.parse('2026-11-26T09:00:00Z');

/** A peer reporting to the ledger: 'ping' → "pong" in three writes, then "late" 5 s later; 'bye' → "ok" and FIN. */
async function startPeer(ledger: Loopback) {
  const server = createServer((socket: Socket) => {
    // The ledger names a connection by the terminal's port and this server's (loopbackKey).
    const port = loopbackKey(socket.remotePort!, socket.localPort!);
    ledger.accepted(port);
    const send = (t: string) => {
      ledger.wrote(port, t.length);
      socket.write(t);
    };
    socket.on('data', (chunk) => {
      ledger.read(port, chunk.length);
      if (String(chunk) === 'ping') {
        for (const piece of ['p', 'on', 'g']) send(piece);
        ledger.later(5000, () => send('late'));
      } else if (String(chunk) === 'bye') {
        ledger.wrote(port, 2);
        socket.end('ok');
      }
    });
    socket.on('close', () => ledger.closed(port));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function simulated() {
  const ledger = new Loopback();
  const peer = await startPeer(ledger);
  const sim = new SimNetwork({ ledger, dns: { 'pos.acquirer.test': '127.0.0.1' }, routes: { '127.0.0.1:5683': peer.port } });
  return { sim, peer };
}

const EXPECTED = [
  '0 resolved 127.0.0.1',
  '0 A connect',
  '0 B error connection refused',
  '0 A data p',
  '0 A data on',
  '0 A data g',
  '5000 A data late',
  '5000 A data ok',
  '5000 A close',
  '10000 C timeout',
];

it('a TCP conversation through the bridge gives XS the events Node gets, at the same virtual times', async () => {
  const node = await simulated();
  const network = new QueuedNetwork(node.sim);
  const onNode = await converse(network, new VirtualClock(RTC, network));
  await node.peer.close();

  const xs = await simulated();
  const worker = new XsWorker(serveCalls(serveNetwork(xs.sim)));
  let onXs: unknown;
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, 'netBridgeEntry.ts')));
    onXs = JSON.parse(Buffer.from((await worker.command(Buffer.from(String(RTC)))).value).toString());
  } finally {
    worker.close();
    await xs.peer.close();
  }
  expect(onNode).toEqual(EXPECTED);
  expect(onXs).toEqual(EXPECTED);
});
