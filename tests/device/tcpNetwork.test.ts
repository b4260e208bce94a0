/**
 * The device's network port (firmware/device/networkAdapter.ts, bound to the SDK in
 * tcpNetwork.ts) over fakes of the SDK's TCP socket and resolver (networkFakes.ts): the link
 * gate, name resolution, the write queue against a socket that takes 1,536 bytes at a time,
 * and the contract of ports.ts: one onError, nothing after close().
 */
import { PortError, type TcpConnection, type TcpOptions } from '../../firmware/core/ports';
import { MAX_QUEUED_BYTES, NetworkAdapter } from '../../firmware/device/networkAdapter';
import { concat, FakeStack, SEND_BUFFER, settle } from './networkFakes';

type Link = { up: boolean; address?: string };
const UP: Link = { up: true, address: '192.168.7.23' };

function setUp(link: Link = UP) {
  const stack = new FakeStack();
  const state = { link };
  const network = new NetworkAdapter(() => state.link, stack);
  return { stack, network, state };
}

/** A caller that records what the connection tells it. */
function caller(host: string, port = 5000, extra: Partial<TcpOptions> = {}) {
  const events: string[] = [];
  const received: Uint8Array[] = [];
  const errors: PortError[] = [];
  const options: TcpOptions = {
    host,
    port,
    onConnect: () => events.push('connect'),
    onReadable: (bytes) => {
      events.push(`readable ${bytes.length}`);
      received.push(bytes);
    },
    onError: (error) => {
      events.push('error');
      errors.push(error);
    },
    onClose: () => events.push('close'),
    ...extra,
  };
  return { options, events, received, errors };
}

function resolveNow(network: NetworkAdapter, name: string): Promise<string | undefined> {
  return new Promise((done) => network.resolve(name, done));
}

describe('link and names', () => {
  it('reports the link the Wi-Fi join gives, as it changes', () => {
    const { network, state } = setUp({ up: false });
    expect(network.link()).toEqual({ up: false });
    state.link = UP;
    expect(network.link()).toEqual(UP);
  });

  it('answers undefined for a name while the link is down, without asking the resolver', async () => {
    const { network, stack } = setUp({ up: false });
    stack.names.set('pos.acquirer.example', '203.0.113.10');
    await expect(resolveNow(network, 'pos.acquirer.example')).resolves.toBeUndefined();
    expect(stack.lookups).toEqual([]);
  });

  it('resolves an IPv4 literal to itself, link or not, without asking the resolver', async () => {
    for (const link of [UP, { up: false }]) {
      const { network, stack } = setUp(link);
      await expect(resolveNow(network, '203.0.113.10')).resolves.toBe('203.0.113.10');
      expect(stack.lookups).toEqual([]);
    }
  });

  it('asks Net.resolve for a name while the link is up, and answers in a later job, never inside the call', async () => {
    const { network, stack } = setUp();
    stack.names.set('pos.acquirer.example', '203.0.113.10');
    const answers: Array<string | undefined> = [];
    network.resolve('pos.acquirer.example', (address) => answers.push(address));
    network.resolve('no-such.example', (address) => answers.push(address));
    network.resolve('10.1.2.3', (address) => answers.push(address));
    expect(answers).toEqual([]);
    stack.answer();
    await settle();
    expect(stack.lookups).toEqual(['pos.acquirer.example', 'no-such.example']);
    expect(answers).toEqual(['203.0.113.10', undefined, '10.1.2.3']);
  });

  it('answers undefined once when the resolver refuses the look-up (lwIP queue full)', async () => {
    const { network, stack } = setUp();
    stack.resolverFull = true;
    const answers: Array<string | undefined> = [];
    network.resolve('pos.acquirer.example', (address) => answers.push(address));
    await settle();
    expect(answers).toEqual([undefined]);
  });
});

describe('connecting', () => {
  it('fails with "link is down" in a later job and opens no socket while the link is down', async () => {
    const { network, stack } = setUp({ up: false });
    const c = caller('203.0.113.10');
    network.connect(c.options);
    expect(c.events).toEqual([]);
    await settle();
    expect(c.events).toEqual(['error']);
    expect(c.errors[0]).toBeInstanceOf(PortError);
    expect(c.errors[0]).toMatchObject({ code: 'socket', message: 'link is down' });
    expect(stack.sockets).toEqual([]);
  });

  it('opens the address with nodelay and reports connected at the first onWritable only', async () => {
    const { network, stack } = setUp();
    const c = caller('203.0.113.10', 5012);
    const connection = network.connect(c.options);
    expect(stack.last.options).toMatchObject({ address: '203.0.113.10', port: 5012, nodelay: true });
    expect(() => connection.write(Uint8Array.of(1))).toThrow(PortError);
    stack.last.drain();
    stack.last.drain();
    expect(c.events).toEqual(['connect']);
  });

  it('resolves a host name first and connects to its address; an unknown name is an error naming it', async () => {
    const { network, stack } = setUp();
    stack.names.set('pos.acquirer.example', '203.0.113.10');
    const good = caller('pos.acquirer.example');
    const bad = caller('no-such.example');
    network.connect(good.options);
    network.connect(bad.options);
    expect(stack.sockets).toEqual([]);
    stack.answer();
    await settle();
    expect(stack.sockets.map((s) => s.options.address)).toEqual(['203.0.113.10']);
    expect(bad.errors.map((e) => e.message)).toEqual(['cannot resolve no-such.example']);
  });

  it('reports a socket the SDK refuses to make as the connection’s error', async () => {
    const { network, stack } = setUp();
    stack.refuse = new Error('no sockets left');
    const c = caller('203.0.113.10');
    network.connect(c.options);
    await settle();
    expect(c.errors.map((e) => e.message)).toEqual(['no sockets left']);
  });

  it('calls a refused connection "cannot connect" and a broken one "closed or reset", once each', async () => {
    const { network, stack } = setUp();
    const refused = caller('203.0.113.10', 5000);
    network.connect(refused.options);
    stack.last.break();
    const broken = caller('203.0.113.11', 5001);
    network.connect(broken.options);
    const socket = stack.last;
    socket.drain();
    socket.break();
    socket.break();
    await settle();
    expect(refused.errors.map((e) => e.message)).toEqual(['cannot connect to 203.0.113.10:5000']);
    expect(broken.events).toEqual(['connect', 'error']);
    expect(broken.errors.map((e) => e.message)).toEqual(['connection closed or reset']);
    expect(stack.sockets.every((s) => s.closes === 1)).toBe(true);
  });
});

describe('sending and receiving', () => {
  async function connected(setup = setUp()) {
    const c = caller('203.0.113.10');
    const connection = setup.network.connect(c.options);
    const socket = setup.stack.last;
    socket.drain();
    return { ...setup, c, connection, socket };
  }

  /** Takes all the room the socket gave: what is written next waits in the queue. */
  function fill(connection: TcpConnection) {
    connection.write(new Uint8Array(SEND_BUFFER));
  }

  function pattern(length: number, seed: number): Uint8Array {
    return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
  }

  it('sends what the socket takes now and the rest at each onWritable, in order, byte for byte', async () => {
    const { connection, socket } = await connected();
    const frames = [pattern(1000, 1), pattern(3000, 2), pattern(10, 3)];
    for (const frame of frames) connection.write(frame);
    expect(socket.sent.length).toBe(SEND_BUFFER);
    while (socket.sent.length < 4010) socket.drain();
    expect(socket.sent).toEqual(concat(...frames));
    expect(socket.written.every((w) => w.length <= SEND_BUFFER)).toBe(true);
  });

  it('counts the room itself when the socket’s write returns nothing', async () => {
    const { connection, socket } = await connected();
    socket.quiet = true;
    connection.write(pattern(4000, 5));
    while (socket.sent.length < 4000) socket.drain();
    expect(socket.sent).toEqual(pattern(4000, 5));
  });

  it('sends the bytes as they were when written, not as the caller changed them later', async () => {
    const { connection, socket } = await connected();
    fill(connection);
    const frame = pattern(16, 9);
    connection.write(frame);
    frame.fill(0);
    socket.drain();
    expect(socket.sent.subarray(SEND_BUFFER)).toEqual(pattern(16, 9));
  });

  it('bounds the queue at MAX_QUEUED_BYTES: one byte more is refused, and room comes back as the socket drains', async () => {
    const { connection, socket } = await connected();
    fill(connection);
    connection.write(new Uint8Array(MAX_QUEUED_BYTES));
    expect(() => connection.write(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'socket', message: `send queue full (${MAX_QUEUED_BYTES} bytes)` }));
    socket.drain();
    expect(() => connection.write(new Uint8Array(SEND_BUFFER))).not.toThrow();
    expect(() => connection.write(Uint8Array.of(1))).toThrow(PortError);
  });

  it('passes received bytes on as they arrive, whatever the chunking', async () => {
    const { c, socket } = await connected();
    socket.deliver(Uint8Array.of(0, 5));
    socket.deliver(Uint8Array.of(0x60, 0, 1, 0, 0));
    expect(c.received).toEqual([Uint8Array.of(0, 5), Uint8Array.of(0x60, 0, 1, 0, 0)]);
  });

  it('fails the connection once when a write throws, and drops what was queued', async () => {
    const { connection, socket, c } = await connected();
    fill(connection);
    connection.write(pattern(100, 1));
    socket.writable = 10;
    socket.options.onWritable(50); // the socket claims more room than it has: its write throws
    socket.break();
    await settle();
    expect(c.errors.map((e) => e.message)).toEqual(['write failed: would block']);
    expect(() => connection.write(Uint8Array.of(1))).toThrow(PortError);
  });
});

describe('close()', () => {
  it('closes the socket once and nothing fires afterwards, not even an error already on its way', async () => {
    const { network, stack } = setUp();
    const c = caller('203.0.113.10');
    const connection: TcpConnection = network.connect(c.options);
    const socket = stack.last;
    socket.drain();
    socket.break(); // the error is reported in a later job…
    connection.close(); // …and the caller closes first
    connection.close();
    await settle();
    expect(c.events).toEqual(['connect']);
    expect(socket.closes).toBe(1);
    expect(() => connection.write(Uint8Array.of(1))).toThrow(PortError);
  });

  it('forgets a connection closed while its name was being resolved', async () => {
    const { network, stack } = setUp();
    stack.names.set('pos.acquirer.example', '203.0.113.10');
    const c = caller('pos.acquirer.example');
    network.connect(c.options).close();
    stack.answer();
    await settle();
    expect(stack.sockets).toEqual([]);
    expect(c.events).toEqual([]);
  });

  it('never calls onClose: a peer’s close arrives as the one onError (ECMA-419 cannot tell it from a reset)', async () => {
    const { network, stack } = setUp();
    const c = caller('203.0.113.10');
    network.connect(c.options);
    stack.last.drain();
    stack.last.deliver(Uint8Array.of(1, 2, 3));
    stack.last.break();
    await settle();
    expect(c.events).toEqual(['connect', 'readable 3', 'error']);
  });
});

describe('TLS option', () => {
  it('opens TLS with the caller’s server name and CA when `tls` is set, plain TCP otherwise', () => {
    const { network, stack } = setUp();
    const ca = Uint8Array.of(0x30, 0x82, 0x01, 0x0a);
    network.connect(caller('203.0.113.10', 5000, { tls: { serverName: 'pos.acquirer.example', ca } }).options);
    network.connect(caller('203.0.113.10').options);
    expect(stack.trusts).toEqual([{ serverName: 'pos.acquirer.example', ca }]);
    expect(stack.sessions).toHaveLength(1);
    expect(stack.sockets).toHaveLength(2);
  });
});
