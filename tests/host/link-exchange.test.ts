/**
 * The acquirer link over real TCP on 127.0.0.1, once connected: response timeouts with and
 * without resend, frames reassembled from any chunking, strays and duplicates dropped, an
 * answer for another STAN ignored, a reset or close mid-frame, garbage from the host.
 */
import fc from 'fast-check';
import type { Socket } from 'node:net';
import { linkTestKit, TIMING, answerTo, answers, frameOf, local, request, stanOf, until, watch } from './linkPeers';

const { peer, make } = linkTestKit();

/** What a host writes for one request: strays (alternately junk and an answer for another STAN), the answer, maybe a duplicate. */
function stream(body: Buffer, strays: number, duplicate: boolean): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < strays; i++) parts.push(i % 2 ? answerTo(body, '999999') : frameOf(Buffer.from('stray frame')));
  parts.push(answerTo(body));
  if (duplicate) parts.push(answerTo(body));
  return parts;
}

/** A host that answers only from its `from`-th request on. */
const answersFrom = (from: number) => (body: Buffer, socket: Socket, index: number) => {
  if (index >= from) socket.write(answerTo(body));
};

describe('response timeout', () => {
  it('resends a sign-on that got no answer, on a new connection, after a backoff wait', async () => {
    const host = await peer(answersFrom(2));
    const { link, clock, net, traces } = make([local(host.port)]);
    const req = request('0800', '000001');
    const exchange = watch(link.exchange(req, answers('0810', '000001'), true));
    await until(() => host.frames.length === 1, 'the first sign-on');
    await clock.advance(TIMING.responseTimeoutMs - 1);
    expect(exchange.settled()).toBe(false);
    await clock.advance(1);
    await clock.advance(await clock.backoffPending());
    const result = await exchange.promise;
    expect(result).toMatchObject({ ok: true, host: 0 });
    expect(host.frames.map((f) => new Uint8Array(frameOf(f)))).toEqual([req, req]);
    expect(net.connects).toHaveLength(2);
    expect(net.connects[0].events).toEqual(['connect', 'client-close']);
    expect(traces.some((l) => l.startsWith(`link: host 0 timeout (no answer within ${TIMING.responseTimeoutMs} ms)`))).toBe(true);
    // The host saw the request twice: one timeout, one resend (the diagnosis's "unstable link").
    expect(link.stats).toEqual({ failovers: 0, timeouts: 1, resends: 1, connectFailures: 0 });
  });

  it('never sends a sale again once it left: stage timeout, sent true, one request at the host', async () => {
    const host = await peer(() => undefined);
    const { link, clock, net, traces } = make([local(host.port), local(host.port)]);
    const exchange = link.exchange(request('0200', '000002'), answers('0210', '000002'), false);
    await until(() => host.frames.length === 1, 'the sale at the host');
    await clock.advance(TIMING.responseTimeoutMs);
    expect(await exchange).toMatchObject({ ok: false, stage: 'timeout', sent: true, host: 0 });
    expect(net.connects).toHaveLength(1);
    expect(host.frames).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    expect(traces.at(-1)).toContain('not sent again');
    expect(link.stats).toMatchObject({ timeouts: 1, resends: 0, failovers: 0 });
  });

  it('reports roundTripMs on the clock port, from the request written to the answer read', async () => {
    const held: (() => void)[] = [];
    const host = await peer((body, socket) => held.push(() => socket.write(answerTo(body))));
    const { link, clock } = make([local(host.port)]);
    const exchange = link.exchange(request('0820', '000003'), answers('0830', '000003'), true);
    await until(() => held.length === 1, 'the echo at the host');
    await clock.advance(1234);
    held[0]();
    expect(await exchange).toMatchObject({ ok: true, roundTripMs: 1234 });
  });
});

describe('frames from the byte stream', () => {
  it('reassembles an answer the host writes one byte at a time', async () => {
    const host = await peer((body, socket) => {
      const bytes = answerTo(body);
      void (async () => {
        for (const b of bytes) {
          socket.write(Buffer.from([b]));
          await new Promise((r) => setImmediate(r));
        }
      })();
    });
    const { link } = make([local(host.port)]);
    const result = await link.exchange(request('0800', '000004'), answers('0810', '000004'), true);
    expect(result.ok && Buffer.from(result.body)).toEqual(answerTo(host.frames[0]).subarray(2));
  });

  it('takes the matching body out of strays and another STAN, whatever the chunking; a duplicate read with the answer is traced', async () => {
    let scenario = { strays: 0, duplicate: false };
    const host = await peer((body, socket) => socket.write(Buffer.concat(stream(body, scenario.strays, scenario.duplicate))));
    let stan = 100;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (chunks, strays, duplicate) => {
          scenario = { strays, duplicate };
          const { link, net, traces } = make([local(host.port)]);
          const s = String(++stan).padStart(6, '0');
          const parts = stream(Buffer.from(request('0200', s)).subarray(2), strays, duplicate);
          net.chunks = chunks;
          net.gather = Buffer.concat(parts).length;
          const result = await link.exchange(request('0200', s), answers('0210', s), false);
          expect(result.ok && Buffer.from(result.body)).toEqual(answerTo(host.frames.at(-1) as Buffer).subarray(2));
          expect(traces.filter((l) => l.includes('dropped a stray frame (')).length).toBe(strays);
          // The exchange ends with the read that completes its answer: a duplicate is seen only if that read holds all of it.
          const answerEnd = Buffer.concat(parts.slice(0, strays + 1)).length;
          let readEnd = 0;
          for (let k = 0; readEnd < answerEnd; k++) readEnd += chunks[k % chunks.length];
          const seen = duplicate && readEnd >= net.gather;
          expect(traces.filter((l) => l.includes('dropped a duplicate of the answer')).length).toBe(seen ? 1 : 0);
          link.close();
        },
      ),
      { numRuns: 40, examples: [[[1], 3, true], [[1000], 2, true]] },
    );
  });

  it('drops a duplicate answer: traced when read with the answer, and never seen by the next exchange', async () => {
    const host = await peer((body, socket) => socket.write(Buffer.concat(stream(body, 0, true))));
    const { link, net, traces } = make([local(host.port)]);
    net.gather = 2 * answerTo(Buffer.from(request('0800', '000011')).subarray(2)).length;
    expect(await link.exchange(request('0800', '000011'), answers('0810', '000011'), true)).toMatchObject({ ok: true });
    expect(traces.filter((l) => l.includes('dropped a duplicate of the answer'))).toHaveLength(1);
    net.gather = 0;
    const next = await link.exchange(request('0800', '000012'), answers('0810', '000012'), true);
    expect(next.ok && stanOf(next.body)).toBe('000012');
    expect(traces.filter((l) => l.includes('stray'))).toEqual([]);
  });

  it('ignores an answer for another STAN and waits for the right one', async () => {
    const sockets: Socket[] = [];
    const host = await peer((body, socket) => {
      sockets.push(socket);
      socket.write(answerTo(body, '000999'));
    });
    const { link, traces } = make([local(host.port)]);
    const exchange = watch(link.exchange(request('0200', '000005'), answers('0210', '000005'), false));
    await until(() => traces.some((l) => l.includes('stray')), 'the stray traced');
    expect(exchange.settled()).toBe(false);
    sockets[0].write(answerTo(host.frames[0]));
    expect(await exchange.promise).toMatchObject({ ok: true });
  });

  it('times out when only answers for another STAN come (a sale: sent true)', async () => {
    const host = await peer((body, socket) => socket.write(answerTo(body, '000999')));
    const { link, clock, traces } = make([local(host.port)]);
    const exchange = link.exchange(request('0200', '000006'), answers('0210', '000006'), false);
    await until(() => traces.some((l) => l.includes('stray')), 'the stray traced');
    await clock.advance(TIMING.responseTimeoutMs);
    expect(await exchange).toMatchObject({ ok: false, stage: 'timeout', sent: true });
  });
});

describe('a host that breaks the stream', () => {
  /** Writes the first half of the answer; `end` closes or resets once the link has read it. */
  async function halfAnswer(end: 'reset' | 'close', resend: boolean) {
    const sockets: Socket[] = [];
    const host = await peer((body, socket, index) => {
      sockets.push(socket);
      const answer = answerTo(body);
      socket.write(index === 1 ? answer.subarray(0, 9) : answer);
    });
    const r = make([local(host.port)]);
    const exchange = r.link.exchange(request('0400', '000007'), answers('0410', '000007'), resend);
    await until(() => r.net.connects[0]?.read === 9, 'half an answer at the terminal');
    if (end === 'reset') sockets[0].resetAndDestroy();
    else sockets[0].end();
    return { ...r, host, exchange };
  }

  it('a reset mid-frame is stage closed, sent true, saying how much of a frame had come', async () => {
    const { exchange, clock } = await halfAnswer('reset', false);
    const result = await exchange;
    expect(result).toMatchObject({ ok: false, stage: 'closed', sent: true });
    expect(!result.ok && result.detail).toMatch(/mid-frame \(9 bytes\)$/);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a close mid-frame is stage closed too; a reversal (resend) tries again and gets its answer', async () => {
    const once = await halfAnswer('close', false);
    expect(await once.exchange).toMatchObject({ ok: false, stage: 'closed', sent: true, detail: 'the host closed the connection, mid-frame (9 bytes)' });

    const again = await halfAnswer('close', true);
    await again.clock.advance(await again.clock.backoffPending());
    expect(await again.exchange).toMatchObject({ ok: true });
    expect(again.host.frames).toHaveLength(2);
  });

  it('garbage (a length past the largest frame) is stage garbage and the connection is dropped', async () => {
    const host = await peer((_body, socket) => socket.write(Buffer.from('ffff00000000', 'hex')));
    const { link, net } = make([local(host.port)]);
    const result = await link.exchange(request('0200', '000008'), answers('0210', '000008'), false);
    expect(result).toMatchObject({ ok: false, stage: 'garbage', sent: true });
    expect(!result.ok && result.detail).toContain('iso-frame-overlong');
    expect(net.connects[0].events).toEqual(['connect', 'client-close']);
    await until(() => host.closed === 1, 'the host to see the connection dropped');
  });

  it('accepts a frame of exactly maxFrameBytes, and calls one byte more garbage', async () => {
    const size = { body: 2046 };
    const host = await peer((body, socket) => {
      const answer = answerTo(body);
      const padded = Buffer.concat([answer.subarray(2), Buffer.alloc(size.body - (answer.length - 2), 0x20)]);
      socket.write(frameOf(padded));
    });
    const { link } = make([local(host.port)], { retries: 0 });
    const fits = await link.exchange(request('0800', '000009'), answers('0810', '000009'), true);
    expect(fits.ok && fits.body.length).toBe(2046);
    size.body = 2047;
    expect(await link.exchange(request('0800', '000010'), answers('0810', '000010'), true)).toMatchObject({ ok: false, stage: 'garbage' });
  });
});
