/**
 * Every fault of the acquirer's plan, as a terminal on the other end of the TCP connection sees
 * it; and the byte ledger the simulator's network settles by. No timings: the tests wait on the
 * acquirer's change events and on what the client receives.
 */
import { startAcquirer, type Acquirer, type Fault } from '../../host-sim/acquirer/server';
import type { LoopbackLedger } from '../../host-sim/ports/loopbackLedger';
import { Iso8583Error } from '../../firmware/core/host/types';
import { config, decodeAnswer, echoFrame, field, HostClient, profile, referenceMac, saleFrame, signOn, signOnFrame, TID } from './hostClient';

let acquirer: Acquirer;
let client: HostClient;
let mac: string;
afterEach(async () => {
  client.close();
  await acquirer.close();
});

/** A ledger that records what the acquirer reports, and keeps the actions it schedules. */
class RecordingLedger implements LoopbackLedger {
  accepts: number[] = [];
  reads = 0;
  writes: number[] = [];
  closes: number[] = [];
  scheduled: { delayMs: number; action: () => void }[] = [];
  accepted(port: number) { this.accepts.push(port); }
  read(_port: number, n: number) { this.reads += n; }
  wrote(_port: number, n: number) { this.writes.push(n); }
  closed(port: number) { this.closes.push(port); }
  later(delayMs: number, action: () => void) { this.scheduled.push({ delayMs, action }); }
}

async function start(faults: Fault[] = [], ledger?: LoopbackLedger) {
  acquirer = await startAcquirer(config(profile('lakala-style')), { ledger });
  client = await HostClient.connect(acquirer.ports[0]);
  mac = (await signOn(client)).mac;
  acquirer.addFaults(faults);
}

/** Resolves once `ready()` holds, checked at every change the acquirer reports. */
function until(ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!ready()) return;
      stop();
      resolve();
    };
    const stop = acquirer.onChange(check);
    check();
  });
}

const held = (stan: string) => acquirer.log.some((e) => e.fault === 'delay' && e.stan === stan);

describe('acquirer fault plan, seen from the terminal', () => {
  it('refuse: the port refuses connections until the faults are cleared; the backup still answers', async () => {
    await start([{ kind: 'refuse', host: 0 }]);
    await expect(HostClient.connect(acquirer.ports[0])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const backup = await HostClient.connect(acquirer.ports[1]);
    expect(field(await backup.answer(echoFrame('000002')), 39)).toBe('00');
    backup.close();
    await acquirer.clearFaults();
    const again = await HostClient.connect(acquirer.ports[0]);
    expect(field(await again.answer(echoFrame('000003')), 39)).toBe('00');
    again.close();
  });

  it('refuse for delayMs: under the simulator\'s ledger the port opens again when its virtual time comes', async () => {
    const ledger = new RecordingLedger();
    await start([{ kind: 'refuse', host: 0, delayMs: 600_000 }], ledger);
    await expect(HostClient.connect(acquirer.ports[0])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(ledger.scheduled.map((s) => s.delayMs)).toEqual([600_000]);
    ledger.scheduled[0].action();
    await acquirer.whenQuiet();
    const again = await HostClient.connect(acquirer.ports[0]);
    expect(field(await again.answer(echoFrame('000002')), 39)).toBe('00');
    again.close();
  });

  it('hang: the request is read and never answered; the next one is', async () => {
    await start([{ kind: 'hang', mti: '0200' }]);
    client.send(saleFrame('000002', 100, mac));
    const next = await client.answer(echoFrame('000003'));
    expect([next.message.mti, field(next, 11)]).toEqual(['0830', '000003']);
    expect(acquirer.batch(TID)?.count).toBe(1); // booked: only the answer was lost
    expect(acquirer.quiet()).toBe(true);
  });

  it('delay: the answer is held (the acquirer stays quiet) until the next request, which it precedes', async () => {
    await start([{ kind: 'delay', mti: '0200' }]);
    client.send(saleFrame('000002', 100, mac));
    await until(() => held('000002'));
    expect(acquirer.quiet()).toBe(true);
    client.send(echoFrame('000003'));
    expect(decodeAnswer((await client.next())!).message.mti).toBe('0210');
    expect(decodeAnswer((await client.next())!).message.mti).toBe('0830');
  });

  it('delay: release() writes a held answer', async () => {
    await start([{ kind: 'delay' }]);
    client.send(echoFrame('000002'));
    await until(() => held('000002'));
    acquirer.release();
    expect(field(decodeAnswer((await client.next())!), 11)).toBe('000002');
  });

  it('delay with delayMs: real milliseconds without a ledger (not quiet meanwhile), the ledger\'s virtual time with one', async () => {
    await start([{ kind: 'delay', delayMs: 50 }]);
    client.send(echoFrame('000002'));
    await until(() => acquirer.log.some((e) => e.direction === 'in' && e.stan === '000002'));
    expect(acquirer.quiet()).toBe(false);
    expect(field(decodeAnswer((await client.next())!), 11)).toBe('000002');
    client.close();
    await acquirer.close();

    const ledger = new RecordingLedger();
    await start([{ kind: 'delay', delayMs: 45_000 }], ledger);
    client.send(echoFrame('000002'));
    await until(() => ledger.scheduled.length === 1);
    expect(acquirer.quiet()).toBe(true);
    expect(ledger.scheduled[0].delayMs).toBe(45_000);
    ledger.scheduled[0].action();
    expect(field(decodeAnswer((await client.next())!), 11)).toBe('000002');
  });

  it('reset-mid-frame: half the answer, then the connection closes', async () => {
    await start();
    // An echo answer's length, from a connection without the fault (the fault is used once).
    const other = await HostClient.connect(acquirer.ports[1]);
    await other.answer(echoFrame('000002'));
    const full = other.bytesReceived;
    other.close();
    const before = client.bytesReceived;
    acquirer.addFaults([{ kind: 'reset-mid-frame', mti: '0820' }]);
    client.send(echoFrame('000003'));
    await client.until(() => false); // until the connection ends
    expect(client.bytesReceived - before).toBe(full >> 1);
    expect(await client.next()).toBeUndefined();
  });

  it('split-bytes: the answer goes out one byte per write and still decodes', async () => {
    const ledger = new RecordingLedger();
    await start([{ kind: 'split-bytes' }], ledger);
    const before = ledger.writes.length;
    const answer = await client.answer(echoFrame('000002'));
    expect(field(answer, 39)).toBe('00');
    const writes = ledger.writes.slice(before);
    expect(writes.length).toBeGreaterThan(20);
    expect(writes.every((n) => n === 1)).toBe(true);
    await acquirer.whenQuiet();
    expect(ledger.writes.reduce((a, b) => a + b, 0)).toBe(client.bytesReceived);
  });

  it('garbage: a frame of random bytes the codec refuses', async () => {
    await start([{ kind: 'garbage' }]);
    client.send(echoFrame('000002'));
    const body = (await client.next())!;
    expect(body.length).toBe(16);
    expect(() => decodeAnswer(body)).toThrow(Iso8583Error);
  });

  it('wrong-mac: waits for an answer that carries a MAC, and that MAC does not verify', async () => {
    await start([{ kind: 'wrong-mac' }]);
    expect(field(await client.answer(echoFrame('000002')), 39)).toBe('00'); // no MAC to spoil
    const answer = await client.answer(saleFrame('000003', 100, mac));
    expect(field(answer, 39)).toBe('00');
    expect(Buffer.from(field(answer, 64) as Uint8Array)).not.toEqual(referenceMac(mac, answer.packed));
    const next = await client.answer(saleFrame('000004', 100, mac));
    expect(Buffer.from(field(next, 64) as Uint8Array)).toEqual(referenceMac(mac, next.packed));
  });

  it('duplicate: the same answer twice', async () => {
    await start([{ kind: 'duplicate' }]);
    client.send(saleFrame('000002', 100, mac));
    const one = (await client.next())!;
    const two = (await client.next())!;
    expect(Buffer.from(two)).toEqual(Buffer.from(one));
    expect(acquirer.batch(TID)?.count).toBe(1);
  });

  it('wrong-stan: an answer for another STAN, MACed as such', async () => {
    await start([{ kind: 'wrong-stan' }]);
    const answer = await client.answer(saleFrame('000002', 100, mac));
    expect(field(answer, 11)).toBe('000003');
    expect(Buffer.from(field(answer, 64) as Uint8Array)).toEqual(referenceMac(mac, answer.packed));
  });

  it('code: the next requests of that MTI get the code, `times` times, and book nothing', async () => {
    await start([{ kind: 'code', code: '96', mti: '0200', times: 2 }]);
    expect(field(await client.answer(echoFrame('000002')), 39)).toBe('00');
    expect(field(await client.answer(saleFrame('000003', 100, mac)), 39)).toBe('96');
    expect(field(await client.answer(saleFrame('000004', 100, mac)), 39)).toBe('96');
    expect(acquirer.batch(TID)).toBeUndefined();
    expect(field(await client.answer(saleFrame('000005', 100, mac)), 39)).toBe('00');
    acquirer.addFaults([{ kind: 'code', code: '83', mti: '0800' }]);
    const refused = await client.answer(signOnFrame('000006'));
    expect([field(refused, 39), field(refused, 62)]).toEqual(['83', undefined]);
    expect(acquirer.pendingFaults()).toEqual([]);
  });

  it('a fault for one host leaves the other alone', async () => {
    await start([{ kind: 'code', code: '98', host: 1 }]);
    expect(field(await client.answer(echoFrame('000002')), 39)).toBe('00');
    const backup = await HostClient.connect(acquirer.ports[1]);
    expect(field(await backup.answer(echoFrame('000003')), 39)).toBe('98');
    backup.close();
  });

  it('sign-on-again: the answer\'s CUP header asks for a new sign-on (processing request 3)', async () => {
    await start([{ kind: 'sign-on-again', mti: '0200' }]);
    expect((await client.answer(echoFrame('000002'))).header.processingRequest).toBe(0);
    expect((await client.answer(saleFrame('000003', 100, mac))).header.processingRequest).toBe(3);
  });
});

describe('acquirer byte ledger', () => {
  it('reports accept, every byte read and written, and the close, and is quiet only with no half frame', async () => {
    const ledger = new RecordingLedger();
    await start([], ledger);
    const request = echoFrame('000002');
    client.send(request.subarray(0, 7));
    await until(() => ledger.reads === signOnFrame('000001').length + 7);
    expect(acquirer.quiet()).toBe(false);
    client.send(request.subarray(7));
    await client.next();
    await acquirer.whenQuiet();
    const [stats] = acquirer.connections();
    // The ledger names a connection by the terminal's port and the server's (loopbackKey).
    expect(ledger.accepts).toEqual([client.socket.localPort! + 65536 * client.socket.remotePort!]);
    expect(stats).toMatchObject({ remotePort: client.socket.localPort, bytesRead: ledger.reads, bytesWritten: client.bytesReceived, open: true });
    expect(ledger.writes.reduce((a, b) => a + b, 0)).toBe(client.bytesReceived);
    client.close();
    await until(() => ledger.closes.length === 1);
    expect(acquirer.connections()[0].open).toBe(false);
  });
});
