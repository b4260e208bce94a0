/**
 * ISO 9564-1 PIN blocks. Format 0 against openssl for every PAN length from 12 to 19, the
 * clear block composed here from the standard's layout; format 4 deciphered with node:crypto
 * AES, its random fill from the unseeded adapter (node:crypto's CSPRNG), as the toolbox runs it.
 */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { pinBlockFormat0, pinBlockFormat4, PinBlockError } from '../../firmware/core/security/pinBlock';
import { PortError } from '../../firmware/core/ports';

/** A PAN of `length` digits whose digits all differ from their neighbours, so a shifted field shows. */
const panOf = (length: number) => Array.from({ length }, (_, i) => String((i * 7 + 3) % 10)).join('');
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]));

describe('PIN block format 0', () => {
  const keyHex = '0123456789abcdeffedcba9876543210';
  const crypto = new NodeCrypto(1);
  const key = crypto.importKey('tdes2', Buffer.from(keyHex, 'hex'));

  it.each([12, 13, 14, 15, 16, 17, 18, 19])('agrees with openssl for a %i-digit PAN', (length) => {
    const pan = panOf(length);
    const pin = '4921';
    // ISO 9564-1 format 0: PIN field 0 ‖ N ‖ PIN ‖ F…; PAN field 0000 ‖ the 12 rightmost digits
    // of the PAN excluding its check digit, left-filled with zeros when there are fewer.
    const pinField = Buffer.from(`0${pin.length}${pin}`.padEnd(16, 'F'), 'hex');
    const accountDigits = pan.slice(0, pan.length - 1);
    const panField = Buffer.from(`0000${accountDigits.slice(Math.max(0, accountDigits.length - 12)).padStart(12, '0')}`, 'hex');
    const expected = execFileSync('openssl', ['enc', '-des-ede', '-nopad', '-K', keyHex], { input: xor(pinField, panField) });
    expect(Buffer.from(pinBlockFormat0(crypto, key, pin, pan)).toString('hex')).toBe(expected.toString('hex'));
  });

  it('for a 12-digit PAN uses its 11 account digits behind a zero', () => {
    const block = pinBlockFormat0(crypto, key, '1234', '412345678903');
    const clear = execFileSync('openssl', ['enc', '-d', '-des-ede', '-nopad', '-K', keyHex], { input: Buffer.from(block) });
    // 041234FFFFFFFFFF XOR 0000 041234567890
    expect(clear.toString('hex')).toBe('041230edcba9876f');
  });

  it('deciphers to the published example: PIN 1234, PAN 43219876543210987 → 0412AC89ABCDEF67', () => {
    const block = pinBlockFormat0(crypto, key, '1234', '43219876543210987');
    const clear = execFileSync('openssl', ['enc', '-d', '-des-ede', '-nopad', '-K', keyHex], { input: Buffer.from(block) });
    expect(clear.toString('hex').toUpperCase()).toBe('0412AC89ABCDEF67');
  });
});

describe('PIN block format 4 (AES)', () => {
  const keyBytes = randomBytes(16);
  const crypto = NodeCrypto.secure();
  const key = crypto.importKey('aes128', keyBytes);
  const decipher = (block: Buffer) => {
    const d = createDecipheriv('aes-128-ecb', keyBytes, null);
    d.setAutoPadding(false);
    return Buffer.concat([d.update(block), d.final()]);
  };
  /** ISO 9564-1 format 4 PAN field: PAN length − 12 ‖ PAN ‖ zeros to 32 nibbles. */
  const panField = (pan: string) => Buffer.from(`${pan.length - 12}${pan}`.padEnd(32, '0'), 'hex');
  /** Deciphers, XORs the PAN field, deciphers again: the clear PIN field. */
  const clearPinField = (block: Uint8Array, pan: string) => decipher(xor(decipher(Buffer.from(block)), panField(pan)));

  it('20 blocks for the same PIN and PAN are all different, and each deciphers to the PIN', () => {
    const pan = '43219876543210987';
    const blocks = Array.from({ length: 20 }, () => pinBlockFormat4(crypto, key, '1234', pan));
    expect(new Set(blocks.map((b) => Buffer.from(b).toString('hex'))).size).toBe(20);
    const fields = blocks.map((b) => clearPinField(b, pan));
    for (const field of fields) expect(field.subarray(0, 8).toString('hex')).toBe('441234aaaaaaaaaa');
    // The difference is the random fill, each one its own.
    expect(new Set(fields.map((f) => f.subarray(8).toString('hex'))).size).toBe(20);
  });

  it.each([12, 13, 14, 15, 16, 17, 18, 19])('deciphers to the PIN for a %i-digit PAN', (length) => {
    const pan = panOf(length);
    expect(clearPinField(pinBlockFormat4(crypto, key, '987654321012', pan), pan).subarray(0, 8).toString('hex')).toBe('4c987654321012aa');
  });

  it('takes its fill from the seeded generator only in a scenario: two secure adapters never repeat, two seeded ones do', () => {
    expect(Buffer.from(NodeCrypto.secure().randomBytes(16)).equals(Buffer.from(NodeCrypto.secure().randomBytes(16)))).toBe(false);
    expect(Buffer.from(new NodeCrypto(5).randomBytes(16)).equals(Buffer.from(new NodeCrypto(5).randomBytes(16)))).toBe(true);
  });
});

describe('PIN block refusals', () => {
  const crypto = new NodeCrypto(1);
  const tdes = crypto.importKey('tdes2', Buffer.from('0123456789abcdeffedcba9876543210', 'hex'));
  const aes = crypto.importKey('aes128', Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));

  it('refuses bad PINs, PANs and the wrong kind of key with a typed error', () => {
    expect(() => pinBlockFormat0(crypto, tdes, '12a4', '4111111111111111')).toThrow(PinBlockError);
    expect(() => pinBlockFormat0(crypto, tdes, '123', '4111111111111111')).toThrow(expect.objectContaining({ code: 'pin-format' }));
    expect(() => pinBlockFormat0(crypto, tdes, '1234', '41111111111')).toThrow(expect.objectContaining({ code: 'pan-format' }));
    expect(() => pinBlockFormat0(crypto, tdes, '1234', '41111111111111111111')).toThrow(expect.objectContaining({ code: 'pan-format' }));
    expect(() => pinBlockFormat0(crypto, aes, '1234', '4111111111111111')).toThrow(expect.objectContaining({ code: 'pin-key' }));
    expect(() => pinBlockFormat4(crypto, tdes, '1234', '4111111111111111')).toThrow(expect.objectContaining({ code: 'pin-key' }));
  });

  it.each([
    ['a chosen block as the PIN field', 0, '0011223344556677', '0000000000000000'],
    ['a PIN length of 3', 0, '03123FFFFFFFFFFF', '0000411111111111'],
    ['a non-digit in the PIN', 0, '0412A4FFFFFFFFFF', '0000411111111111'],
    ['a PAN field with a non-zero lead', 0, '041234FFFFFFFFFF', '1000411111111111'],
    ['a format 4 PIN field with the wrong fill', 4, '441234FFFFFFFFFF0102030405060708', '44111111111111111000000000000000'],
    ['a format 4 PAN field with digits after the PAN', 4, '441234AAAAAAAAAA0102030405060708', '44111111111111111000000000000001'],
  ] as const)('the port refuses %s (no encryption oracle under a PIN key)', (_, format, pin, pan) => {
    const k = format === 0 ? tdes : aes;
    expect(() => crypto.encipherPinBlock(k, format, Buffer.from(pin, 'hex'), Buffer.from(pan, 'hex'))).toThrow(PortError);
    expect(() => crypto.encipherPinBlock(k, format, Buffer.from(pin, 'hex'), Buffer.from(pan, 'hex'))).toThrow(/PIN block refused/);
  });

  it('the port refuses a format its key cannot do', () => {
    expect(() => crypto.encipherPinBlock(aes, 0, Buffer.from('041234FFFFFFFFFF', 'hex'), Buffer.from('0000411111111111', 'hex'))).toThrow(/format 0 needs a DES-family key/);
  });
});
