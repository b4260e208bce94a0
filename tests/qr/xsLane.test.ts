/**
 * The QR encoder on the real XS engine (xsnap, with the device's frozen built-ins and no
 * TextEncoder): its symbols read back by jsQR to the payload, module for module as on Node.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { encodeQr, encodeQrText, QrMatrix } from '../../firmware/core/qr/encode';
import { PRELUDE, XsWorker, xsBundle } from '../../host-sim/xs/xsLane';
import { BYTE_CAPACITY_M, bytesRead, readMatrix } from './qrRead';

let worker: XsWorker;

beforeAll(async () => {
  worker = new XsWorker(() => new Uint8Array(0));
  await worker.evaluate(PRELUDE);
  await worker.evaluate(xsBundle(join(__dirname, 'qrXsEntry.ts')));
});

afterAll(() => worker.close());

async function onXs(kind: 0 | 1, payload: Uint8Array): Promise<QrMatrix | string> {
  const reply = (await worker.command(Uint8Array.from([kind, ...payload]))).value;
  if (reply[0] === 0xff) return Buffer.from(reply.subarray(1)).toString('latin1');
  const version = reply[0];
  return new QrMatrix(17 + 4 * version, version, reply[1], reply.slice(2));
}

// Every version's largest and one-past-largest payloads, and random ones, the same each run.
const BYTE_PAYLOADS = [
  ...BYTE_CAPACITY_M.flatMap((n) => [n, n + 1]).filter((n) => n <= 213).map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff)),
  ...fc.sample(fc.uint8Array({ maxLength: 213 }), { seed: 1804, numRuns: 20 }),
];

test('byte payloads encoded on XS read back through jsQR, with the modules Node draws', async () => {
  for (const bytes of BYTE_PAYLOADS) {
    const matrix = await onXs(0, bytes);
    if (typeof matrix === 'string') throw new Error(`XS refused ${bytes.length} bytes: ${matrix}`);
    expect(bytesRead(readMatrix(matrix))).toEqual([...bytes]);
    const node = encodeQr(bytes);
    expect([matrix.version, matrix.mask, Buffer.from(matrix.bits).toString('hex')]).toEqual([node.version, node.mask, Buffer.from(node.bits).toString('hex')]);
  }
});

test('alphanumeric and byte-mode text on XS, and the typed refusal past version 10', async () => {
  for (const text of ['HELLO WORLD', 'XSPOS:7K3M-Q9TD-4', 'https://support.example/7k3m']) {
    const matrix = await onXs(1, Buffer.from(text, 'latin1'));
    if (typeof matrix === 'string') throw new Error(`XS refused "${text}": ${matrix}`);
    expect(readMatrix(matrix)?.data).toBe(text);
    expect(Buffer.from(matrix.bits).equals(Buffer.from(encodeQrText(text).bits))).toBe(true);
  }
  expect(await onXs(0, new Uint8Array(214))).toBe('qr-too-long');
});
