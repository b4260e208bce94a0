/** host-sim's Node adapters against independent references: real TCP on 127.0.0.1, and openssl. */
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { PortError } from '../../firmware/core/ports';

describe('network adapter (node:net)', () => {
  it('connects to a loopback peer, writes, reads, and reports the peer closing', async () => {
    const server = createServer((socket) => socket.on('data', (d) => socket.end(Buffer.concat([Buffer.from('echo:'), d]))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const received: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const connection = new NodeNetwork().connect({
        host: '127.0.0.1',
        port,
        onConnect: () => connection.write(Uint8Array.of(0x00, 0x02, 0x60, 0x00)),
        onReadable: (bytes) => received.push(...bytes),
        onError: reject,
        onClose: resolve,
      });
    });
    server.close();
    expect(Buffer.from(received)).toEqual(Buffer.concat([Buffer.from('echo:'), Buffer.from([0x00, 0x02, 0x60, 0x00])]));
  });

  it('reports a refused connection as a PortError and nothing after it', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const calls: string[] = [];
    const error = await new Promise<PortError>((resolve) =>
      new NodeNetwork().connect({ host: '127.0.0.1', port, onConnect: () => calls.push('connect'), onReadable: () => calls.push('data'), onError: resolve, onClose: () => calls.push('close') }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(error).toBeInstanceOf(PortError);
    expect(error.code).toBe('socket');
    expect(calls).toEqual([]);
  });

  it('fails at once when the link is down', async () => {
    const network = new NodeNetwork(false);
    expect(network.link()).toEqual({ up: false });
    const error = await new Promise<PortError>((resolve) =>
      network.connect({ host: '127.0.0.1', port: 9, onConnect: () => undefined, onReadable: () => undefined, onError: resolve, onClose: () => undefined }),
    );
    expect(error.message).toMatch(/link is down/);
  });
});

describe('crypto adapter (node:crypto) against openssl', () => {
  const openssl = (cipher: string, keyHex: string, data: Buffer, decrypt = false, ivHex?: string) =>
    execFileSync('openssl', ['enc', `-${cipher}`, ...(decrypt ? ['-d'] : []), '-K', keyHex, ...(ivHex ? ['-iv', ivHex] : []), '-nopad',
      // Single DES lives in OpenSSL 3's legacy provider.
      ...(/^des-(ecb|cbc)$/.test(cipher) ? ['-provider', 'legacy', '-provider', 'default'] : [])], { input: data });

  it.each([
    ['des', 'des', '0123456789abcdef', 8],
    ['tdes2', 'des-ede', '0123456789abcdeffedcba9876543210', 8],
    ['tdes3', 'des-ede3', '0123456789abcdeffedcba987654321089abcdef01234567', 8],
    ['aes128', 'aes-128', '2b7e151628aed2a6abf7158809cf4f3c', 16],
    ['aes256', 'aes-256', '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 16],
  ] as const)('%s ECB and CBC agree with openssl, and keys stay behind handles', (algorithm, cipher, keyHex, block) => {
    const crypto = new NodeCrypto(1);
    const key = crypto.importKey(algorithm, Buffer.from(keyHex, 'hex'));
    expect(JSON.stringify(key)).not.toContain(keyHex.slice(0, 8));
    const data = Buffer.from(Array.from({ length: block * 3 }, (_, i) => (i * 29) & 0xff));
    expect(Buffer.from(crypto.encrypt(key, 'ecb', data))).toEqual(openssl(`${cipher}-ecb`, keyHex, data));
    const iv = Buffer.alloc(block, 0x5a);
    expect(Buffer.from(crypto.encrypt(key, 'cbc', data, iv))).toEqual(openssl(`${cipher}-cbc`, keyHex, data, false, iv.toString('hex')));
    expect(Buffer.from(crypto.decrypt(key, 'ecb', crypto.encrypt(key, 'ecb', data)))).toEqual(data);
    expect(() => crypto.encrypt(key, 'ecb', data.subarray(1))).toThrow(PortError);
    crypto.forgetKey(key);
    expect(() => crypto.encrypt(key, 'ecb', data)).toThrow(/forgotten/);
  });

  it('unwraps a working key under the master key (ECB), as a sign-on key block does', () => {
    const tmkHex = '0123456789abcdeffedcba9876543210';
    const pikHex = '1111111111111111222222222222222';
    const pik = Buffer.from(pikHex + '2', 'hex');
    const wrapped = openssl('des-ede-ecb', tmkHex, pik);
    const crypto = new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: Buffer.from(tmkHex, 'hex') } });
    const handle = crypto.unwrapKey(crypto.provisionedKey('tmk')!, 'tdes2', wrapped, 'data');
    const zeros = Buffer.alloc(8);
    // The unwrapped key encrypts like the clear key would: its check value matches openssl's.
    expect(Buffer.from(crypto.encrypt(handle, 'ecb', zeros))).toEqual(openssl('des-ede-ecb', pik.toString('hex'), zeros));
  });

  it('digests agree with openssl, and random bytes repeat for the same seed only', () => {
    const crypto = new NodeCrypto(7);
    const d = crypto.digest('SHA-256');
    d.update(Buffer.from('ab'));
    d.update(Buffer.from('c'));
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: 'abc' }).toString().split(' ')[0];
    expect(Buffer.from(d.close()).toString('hex')).toBe(hex);
    expect(new NodeCrypto(7).randomBytes(40)).toEqual(new NodeCrypto(7).randomBytes(40));
    expect(new NodeCrypto(8).randomBytes(40)).not.toEqual(new NodeCrypto(7).randomBytes(40));
  });
});
