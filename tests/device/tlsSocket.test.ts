/**
 * TLS on the device (firmware/device/tlsSocket.ts) over fakes of the SDK's TCP socket and TLS
 * session (networkFakes.ts, written from modules/io/socket/lin/tcp.c and
 * modules/crypt/ssl/session_419.js): the session's options (TLS 1.2 = ProtocolVersion {3, 3},
 * RFC 5246 §6.2.1; the server name; the CA), the handshake driven across any chunking,
 * records in and out, and failures as one onError with the session's words.
 */
import type { PortError, TcpOptions } from '../../firmware/core/ports';
import { NetworkAdapter, type StreamSocketOptions } from '../../firmware/device/networkAdapter';
import { RECORD_OVERHEAD, TLS_1_2, TlsSocket, tlsSessionOptions } from '../../firmware/device/tlsSocket';
import { ALERT, APPLICATION_DATA, concat, FakeSession, FakeStack, FakeTcp, HANDSHAKE, record, SEND_BUFFER, SERVER_FINISHED, SERVER_FLIGHT, settle } from './networkFakes';

const NAME = 'pos.acquirer.example';
/** Stand-in DER: the adapter hands the bytes over and never parses them (the SDK's x509 does). */
const CA = Uint8Array.of(0x30, 0x82, 0x01, 0x0a, 0x02, 0x01, 0x01);

describe('session options', () => {
  it('ask for TLS 1.2, ProtocolVersion {3, 3} (RFC 5246 §6.2.1), check the server name, and trust the CA', () => {
    const options = tlsSessionOptions({ serverName: NAME, ca: CA });
    expect(TLS_1_2).toBe((3 << 8) | 3);
    expect(options.protocolVersion).toBe(0x0303);
    expect(options.serverName).toBe(NAME);
    expect(options.certificate).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(options.certificate)).toEqual(CA);
  });

  it('hand over exactly the CA’s bytes, a copy, when the CA is a view into a larger buffer', () => {
    const store = concat(Uint8Array.of(0xde, 0xad), CA, Uint8Array.of(0xbe, 0xef));
    const ca = store.subarray(2, 2 + CA.length);
    const options = tlsSessionOptions({ serverName: NAME, ca });
    expect(options.certificate.byteLength).toBe(CA.length);
    store.fill(0);
    expect(new Uint8Array(options.certificate)).toEqual(CA);
  });

  it('refuse to make a session with no server name or no CA (the SDK would refuse every certificate)', () => {
    expect(() => tlsSessionOptions({ serverName: '', ca: CA })).toThrow('TLS needs a server name to check');
    expect(() => tlsSessionOptions({ serverName: NAME, ca: new Uint8Array(0) })).toThrow('TLS needs a trust anchor');
  });
});

/** A TlsSocket on fakes, with what it tells its user. */
function open(refuseCertificate = false) {
  const events: string[] = [];
  const received: Uint8Array[] = [];
  let tcp: FakeTcp | undefined;
  let session: FakeSession | undefined;
  const state = { closeOnData: false };
  const user: StreamSocketOptions = {
    address: '203.0.113.10',
    port: 5443,
    nodelay: true,
    onWritable: (count) => events.push(`writable ${count}`),
    onReadable: (count) => {
      events.push(`readable ${count}`);
      received.push(new Uint8Array(tls.read() as ArrayBuffer));
      if (state.closeOnData) tls.close();
    },
    onError: (detail) => events.push(`error ${detail}`),
  };
  const tls = new TlsSocket(
    user,
    { serverName: NAME, ca: CA },
    (options) => (tcp = new FakeTcp(options)),
    (options) => {
      session = new FakeSession(options);
      session.refuseCertificate = refuseCertificate;
      return session;
    },
  );
  return {
    tls,
    tcp: tcp as FakeTcp,
    session: session as FakeSession,
    events,
    received,
    set closeOnData(on: boolean) {
      state.closeOnData = on;
    },
  };
}

/** Splits bytes into chunks of `size` (the network's segmentation). */
function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Runs the handshake to its end, the server's bytes `size` at a time. */
function handshake(t: ReturnType<typeof open>, size = 1 << 16) {
  t.tcp.drain();
  for (const chunk of chunks(SERVER_FLIGHT, size)) t.tcp.deliver(chunk);
  for (const chunk of chunks(SERVER_FINISHED, size)) t.tcp.deliver(chunk);
}

/** The records in `bytes`, as [type, body]. */
function records(bytes: Uint8Array): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (let at = 0; at < bytes.length; ) {
    const length = (bytes[at + 3] << 8) | bytes[at + 4];
    out.push([bytes[at], [...bytes.subarray(at + 5, at + 5 + length)]]);
    at += 5 + length;
  }
  return out;
}

describe('handshake', () => {
  it('opens the TCP socket it was asked for and gives the session the TLS 1.2 options', () => {
    const t = open();
    expect(t.tcp.options).toMatchObject({ address: '203.0.113.10', port: 5443, nodelay: true });
    expect(t.session.options).toMatchObject({ serverName: NAME, protocolVersion: 0x0303 });
  });

  it.each([1, 2, 5, 7, 1000])('sends ClientHello at connect, its flight after ServerHelloDone, and says connected only after Finished (server bytes %i at a time)', (size) => {
    const t = open();
    t.tcp.drain();
    expect(records(t.tcp.sent).map(([type, body]) => [type, body[0]])).toEqual([[HANDSHAKE, 1]]);
    for (const chunk of chunks(SERVER_FLIGHT, size)) t.tcp.deliver(chunk);
    expect(records(t.tcp.sent).map(([type, body]) => [type, body[0]])).toEqual([
      [HANDSHAKE, 1],
      [HANDSHAKE, 16],
      [20, 1],
      [HANDSHAKE, 20],
    ]);
    expect(t.events).toEqual([]);
    for (const chunk of chunks(SERVER_FINISHED, size)) t.tcp.deliver(chunk);
    // What the socket still takes, less a record's overhead.
    expect(t.events).toEqual([`writable ${SEND_BUFFER - t.tcp.sent.length - RECORD_OVERHEAD}`]);
  });

  it('delivers data that arrives in the same segment as the server’s Finished, after connected', () => {
    const t = open();
    t.tcp.drain();
    t.tcp.deliver(SERVER_FLIGHT);
    t.tcp.deliver(concat(SERVER_FINISHED, record(APPLICATION_DATA, [...Uint8Array.of(7, 8, 9), ...new Uint8Array(40)])));
    expect(t.events.map((e) => e.split(' ')[0])).toEqual(['writable', 'readable']);
    expect(t.received).toEqual([Uint8Array.of(7, 8, 9)]);
  });
});

describe('records', () => {
  const data = (bytes: number[]) => record(APPLICATION_DATA, [...bytes, ...new Uint8Array(40)]);

  it('sends each write as one application-data record and reports the room left less the overhead', () => {
    const t = open();
    handshake(t);
    const before = t.tcp.sent.length;
    const room = t.tls.write(Uint8Array.of(0, 5, 0x60));
    const sent = records(t.tcp.sent.subarray(before));
    expect(sent).toEqual([[APPLICATION_DATA, [0, 5, 0x60, ...new Uint8Array(40)]]]);
    expect(room).toBe(t.tcp.writable - RECORD_OVERHEAD);
  });

  it('refuses a write before the handshake ends, and one the socket could not take as a record', () => {
    const t = open();
    t.tcp.drain();
    expect(() => t.tls.write(Uint8Array.of(1))).toThrow('TLS: not connected');
    t.tcp.deliver(SERVER_FLIGHT);
    t.tcp.deliver(SERVER_FINISHED);
    expect(() => t.tls.write(new Uint8Array(t.tcp.writable - RECORD_OVERHEAD + 1))).toThrow('TLS: would block');
  });

  it.each([1, 3, 64])('passes on each record’s data once it is whole (%i bytes at a time)', (size) => {
    const t = open();
    handshake(t);
    t.events.length = 0;
    for (const chunk of chunks(concat(data([1, 2]), data([3, 4, 5])), size)) t.tcp.deliver(chunk);
    expect(t.received).toEqual([Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5)]);
    expect(t.events).toEqual(['readable 2', 'readable 3']);
  });

  it('stops passing data on as soon as its user closes it, even within one segment', () => {
    const t = open();
    handshake(t);
    t.events.length = 0;
    t.closeOnData = true;
    t.tcp.deliver(concat(data([1]), data([2, 3])));
    expect(t.received).toEqual([Uint8Array.of(1)]);
    expect(t.tcp.closes).toBe(1);
  });
});

describe('failures: one onError, then nothing', () => {
  it('reports a refused certificate in the session’s words and never says connected', () => {
    const t = open(true);
    handshake(t);
    expect(t.events).toEqual(['error TLS: certificate: auth err']);
    expect(t.tcp.closes).toBe(1);
  });

  it('reports the server’s fatal alert (protocol_version, as the SDK’s session answers a host below 1.2)', () => {
    const t = open();
    t.tcp.drain();
    t.tcp.deliver(record(ALERT, [2, 70]));
    t.tcp.break();
    expect(t.events).toEqual(['error TLS: alert: 2, 70']);
  });

  it('treats a close_notify in the middle of the handshake as a failure, not a connection', () => {
    const t = open();
    t.tcp.drain();
    t.tcp.deliver(record(ALERT, [1, 0]));
    expect(t.events).toEqual(['error TLS: alert 1, 0']);
  });

  it('reports the host’s close_notify after the handshake as the end of the connection', () => {
    const t = open();
    handshake(t);
    t.events.length = 0;
    t.tcp.deliver(record(ALERT, [1, 0]));
    t.tcp.break();
    expect(t.events).toEqual(['error TLS: the host closed the connection (close_notify)']);
  });

  it('names a TCP failure during the handshake, and leaves a later one to its user’s wording', () => {
    const early = open();
    early.tcp.drain();
    early.tcp.break();
    expect(early.events).toEqual(['error connection closed during the TLS handshake']);
    const late = open();
    handshake(late);
    late.events.length = 0;
    late.tcp.break();
    expect(late.events).toEqual(['error undefined']);
  });

  it('reports garbage from the host (a record type TLS does not have)', () => {
    const t = open();
    handshake(t);
    t.events.length = 0;
    t.tcp.deliver(record(99, [1]));
    expect(t.events).toEqual(['error TLS: recordProtocol: bad data']);
    expect(t.tcp.closes).toBe(1);
  });
});

describe('close()', () => {
  it('sends close_notify when connected (RFC 5246 §7.2.1), closes the socket once, and says nothing afterwards', () => {
    const t = open();
    handshake(t);
    t.events.length = 0;
    const before = t.tcp.sent.length;
    t.tls.close();
    t.tls.close();
    expect(records(t.tcp.sent.subarray(before))).toEqual([[ALERT, [1, 0]]]);
    expect(t.tcp.closes).toBe(1);
    t.tcp.options.onReadable(5);
    t.tcp.options.onError();
    expect(t.events).toEqual([]);
  });

  it('sends nothing when closed during the handshake', () => {
    const t = open();
    t.tcp.drain();
    const before = t.tcp.sent.length;
    t.tls.close();
    expect(t.tcp.sent.length).toBe(before);
    expect(t.tcp.closes).toBe(1);
  });
});

describe('through the network port', () => {
  function connect(stack: FakeStack, tls: TcpOptions['tls']) {
    const network = new NetworkAdapter(() => ({ up: true, address: '192.168.7.23' }), stack);
    const events: string[] = [];
    const received: Uint8Array[] = [];
    const errors: PortError[] = [];
    const connection = network.connect({
      host: '203.0.113.10',
      port: 5443,
      tls,
      onConnect: () => events.push('connect'),
      onReadable: (bytes) => received.push(bytes),
      onError: (error) => errors.push(error),
      onClose: () => events.push('close'),
    });
    return { connection, events, received, errors };
  }

  it('connects after the handshake, sends the queue as records no larger than the socket takes, and passes data on', () => {
    const stack = new FakeStack();
    const c = connect(stack, { serverName: NAME, ca: CA });
    const tcp = stack.last;
    tcp.drain();
    tcp.deliver(SERVER_FLIGHT);
    expect(c.events).toEqual([]);
    tcp.deliver(SERVER_FINISHED);
    expect(c.events).toEqual(['connect']);
    expect(stack.sessions[0].options).toMatchObject({ serverName: NAME, protocolVersion: TLS_1_2 });
    const frame = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    const handshakeBytes = tcp.sent.length;
    c.connection.write(frame);
    while (tcp.written.length < 100 && records(tcp.sent.subarray(handshakeBytes)).reduce((n, [, body]) => n + body.length - 40, 0) < frame.length) tcp.drain();
    const sent = records(tcp.sent.subarray(handshakeBytes));
    expect(sent.every(([type]) => type === APPLICATION_DATA)).toBe(true);
    expect(concat(...sent.map(([, body]) => Uint8Array.from(body.slice(0, -40))))).toEqual(frame);
    expect(tcp.written.every((w) => w.length <= SEND_BUFFER)).toBe(true);
    tcp.deliver(record(APPLICATION_DATA, [0, 2, 0x60, 0x01, ...new Uint8Array(40)]));
    expect(c.received).toEqual([Uint8Array.of(0, 2, 0x60, 0x01)]);
  });

  it('counts each record’s overhead against the socket’s room: many small frames go out whole, none refused', async () => {
    const stack = new FakeStack();
    const c = connect(stack, { serverName: NAME, ca: CA });
    const tcp = stack.last;
    tcp.drain();
    tcp.deliver(SERVER_FLIGHT);
    tcp.deliver(SERVER_FINISHED);
    const frames = Array.from({ length: 200 }, (_, i) => Uint8Array.of(0, 8, i, i, i, i, i, i, i, i));
    const handshakeBytes = tcp.sent.length;
    for (const frame of frames) c.connection.write(frame);
    for (let i = 0; i < 20; i++) tcp.drain();
    await settle();
    expect(c.errors).toEqual([]);
    const sent = records(tcp.sent.subarray(handshakeBytes)).map(([, body]) => Uint8Array.from(body.slice(0, -40)));
    expect(concat(...sent)).toEqual(concat(...frames));
  });

  it('makes a refused certificate the connection’s one PortError, with the session’s words', async () => {
    const stack = new FakeStack();
    stack.refuseCertificate = true;
    const c = connect(stack, { serverName: NAME, ca: CA });
    stack.last.drain();
    stack.last.deliver(SERVER_FLIGHT);
    stack.last.break();
    await settle();
    expect(c.events).toEqual([]);
    expect(c.errors.map((e) => [e.code, e.message])).toEqual([['socket', 'TLS: certificate: auth err']]);
  });

  it('makes a TLS option with no CA an error of the connection, not an exception of connect()', async () => {
    const stack = new FakeStack();
    const c = connect(stack, { serverName: NAME, ca: new Uint8Array(0) });
    await settle();
    expect(c.errors.map((e) => e.message)).toEqual(['TLS needs a trust anchor']);
    expect(stack.sockets).toEqual([]);
  });
});
