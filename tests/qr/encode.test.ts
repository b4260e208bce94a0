/**
 * The QR encoder, read back by jsQR: whatever the payload, the decoder gets exactly the bytes
 * (or the text) that went in, in the smallest version the published capacity table allows.
 */
import fc from 'fast-check';
import { encodeQr, encodeQrText, QrError } from '../../firmware/core/qr/encode';
import { ALPHANUMERIC_CAPACITY_M, BYTE_CAPACITY_M, bytesRead, readMatrix, versionFor } from './qrRead';

const ALPHANUMERIC_SET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function expectRoundTrip(bytes: Uint8Array): void {
  const matrix = encodeQr(bytes);
  expect(matrix.version).toBe(versionFor(BYTE_CAPACITY_M, bytes.length));
  expect(matrix.size).toBe(17 + 4 * matrix.version);
  const code = readMatrix(matrix);
  expect(bytesRead(code)).toEqual([...bytes]);
  expect(code!.version).toBe(matrix.version);
  expect(code!.chunks.every((c) => c.type === 'byte')).toBe(true);
}

describe('byte mode, read back by jsQR', () => {
  test('random payloads of every length 0..213 land in the published smallest version and read back whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 213 }), (bytes) => expectRoundTrip(bytes)),
      { numRuns: 150 },
    );
  });

  test.each(BYTE_CAPACITY_M.map((capacity, i) => [i + 1, capacity]))('version %i boundary: %i bytes fit, one more needs the next version', (version, capacity) => {
    const filler = (n: number) => new Uint8Array(n).map((_, i) => (i * 151 + version) & 0xff);
    expectRoundTrip(filler(capacity));
    expect(encodeQr(filler(capacity)).version).toBe(version);
    if (version < 10) {
      expectRoundTrip(filler(capacity + 1));
      expect(encodeQr(filler(capacity + 1)).version).toBe(version + 1);
    }
  });

  test('a CBOR-like summary with 0x00 and 0xFF bytes survives byte for byte', () => {
    // {0: 1, 1: "10240001", 3: 1796198400, 4: [49, 3], 5: h'00FF00FF', 6: "SN-0000"} as a CBOR encoder writes it.
    const cbor = Uint8Array.from([
      0xa6, 0x00, 0x01, 0x01, 0x68, 0x31, 0x30, 0x32, 0x34, 0x30, 0x30, 0x30, 0x31, 0x03, 0x1a, 0x6b, 0x0f, 0x8a, 0x00, 0x04, 0x82, 0x18, 0x31, 0x03, 0x05,
      0x44, 0x00, 0xff, 0x00, 0xff, 0x06, 0x67, 0x53, 0x4e, 0x2d, 0x30, 0x30, 0x30, 0x30,
    ]);
    expectRoundTrip(cbor);
    expectRoundTrip(new Uint8Array(64).fill(0x00));
    expectRoundTrip(new Uint8Array(64).fill(0xff));
  });

  test('past version 10-M (213 bytes) the encoder refuses with a typed error', () => {
    const tooLong = () => encodeQr(new Uint8Array(214));
    expect(tooLong).toThrow(QrError);
    expect(tooLong).toThrow(expect.objectContaining({ code: 'qr-too-long', name: 'QrError' }));
  });

  test('every forced mask reads back, and a mask outside 0-7 is refused', () => {
    const bytes = Uint8Array.from([0x00, 0xff, 0x10, 0x20, 0x7f, 0x80]);
    for (let mask = 0; mask < 8; mask++) {
      const matrix = encodeQr(bytes, { mask });
      expect(matrix.mask).toBe(mask);
      expect(bytesRead(readMatrix(matrix))).toEqual([...bytes]);
    }
    for (const mask of [-1, 8, 1.5]) expect(() => encodeQr(bytes, { mask })).toThrow(expect.objectContaining({ code: 'qr-bad-mask' }));
  });
});

describe('text: alphanumeric when every character allows it', () => {
  test('random texts over the 45-character set use alphanumeric mode in the published smallest version', () => {
    const text = fc.string({ unit: fc.constantFrom(...ALPHANUMERIC_SET), minLength: 1, maxLength: 311 });
    fc.assert(
      fc.property(text, (t) => {
        const matrix = encodeQrText(t);
        expect(matrix.version).toBe(versionFor(ALPHANUMERIC_CAPACITY_M, t.length));
        const code = readMatrix(matrix);
        expect(code?.data).toBe(t);
        expect(code!.chunks.map((c) => c.type)).toEqual(['alphanumeric']);
      }),
      { numRuns: 100 },
    );
  });

  test.each(ALPHANUMERIC_CAPACITY_M.map((capacity, i) => [i + 1, capacity]))('version %i boundary: %i characters fit, one more needs the next', (version, capacity) => {
    const text = (n: number) => Array.from({ length: n }, (_, i) => ALPHANUMERIC_SET[(i * 7 + version) % 45]).join('');
    expect(encodeQrText(text(capacity)).version).toBe(version);
    expect(readMatrix(encodeQrText(text(capacity)))?.data).toBe(text(capacity));
    if (version < 10) expect(encodeQrText(text(capacity + 1)).version).toBe(version + 1);
    else expect(() => encodeQrText(text(capacity + 1))).toThrow(expect.objectContaining({ code: 'qr-too-long' }));
  });

  test('a support code reads back as alphanumeric; lower case and other characters go in byte mode as UTF-8', () => {
    expect(readMatrix(encodeQrText('XSPOS:7K3M-Q9TD-4'))?.chunks.map((c) => c.type)).toEqual(['alphanumeric']);
    for (const text of ['xspos 7k3m', '终端未激活 Terminal not activated', 'é€😀', 'lone \ud800 surrogate']) {
      const code = readMatrix(encodeQrText(text));
      expect(code?.chunks.map((c) => c.type)).toEqual(['byte']);
      expect(bytesRead(code)).toEqual([...Buffer.from(text, 'utf8')]);
    }
  });
});

describe('the matrix', () => {
  test('bits and dark(x, y) agree: row-major, MSB first, packed across row ends; light outside', () => {
    const matrix = encodeQrText('HELLO WORLD');
    expect(matrix.bits.length).toBe(Math.ceil((21 * 21) / 8));
    for (let y = 0; y < 21; y++)
      for (let x = 0; x < 21; x++) {
        const n = y * 21 + x;
        expect(matrix.dark(x, y)).toBe(((matrix.bits[Math.floor(n / 8)] >> (7 - (n % 8))) & 1) === 1);
      }
    expect([matrix.dark(-1, 0), matrix.dark(0, 21), matrix.dark(21, 5)]).toEqual([false, false, false]);
    // The top-left finder's outer ring (6.3.3) is dark, its separator light.
    expect([matrix.dark(0, 0), matrix.dark(6, 6), matrix.dark(7, 7), matrix.dark(1, 1)]).toEqual([true, true, false, false]);
  });
});
