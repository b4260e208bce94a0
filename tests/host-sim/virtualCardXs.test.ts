/**
 * The virtual cards run inside XS (xsnap, the real engine, with the XS lane's frozen
 * built-ins): a contactless read with GENERATE AC and a DDA INTERNAL AUTHENTICATE give the
 * same bytes as on Node, and the DDA signature made in XS opens with node:crypto to the
 * EMV Book 2 §6.5 layout (its BigInt RSA and SHA-1 are XS's).
 */
import { constants, createHash, createPublicKey, publicDecrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cardFromFile } from '../../host-sim/cards/virtualCard';
import { PRELUDE, XsWorker, xsBundle } from '../../host-sim/xs/xsLane';

const SAMPLES = join(__dirname, '../../host-sim/cards/samples');
const PDOL_DATA = '36000000' + '000000001234' + '000000000000' + '0156' + '0000000000' + '0156' + '261202' + '00' + 'A1B2C3D4';
const CDOL1_DATA = '000000001234' + '000000000000' + '0156' + '0000000000' + '0156' + '261202' + '00' + 'A1B2C3D4' + '22' + '420300';
const SCRIPT = [
  '00A404000E325041592E5359532E444446303100',
  '00A4040008A00000033301010100',
  `80A80000238321${PDOL_DATA}00`,
  '00B2010C00',
  '00B2011400',
  '80CA9F3600',
  `80AE800021${CDOL1_DATA}00`,
  '0088000004A1B2C3D400',
  '0088000004A1B2C3D400',
];

let worker: XsWorker;
beforeAll(async () => {
  worker = new XsWorker(() => new Uint8Array(0));
  await worker.evaluate(PRELUDE);
  await worker.evaluate(xsBundle(join(__dirname, 'virtualCardXsEntry.ts')));
});
afterAll(() => worker.close());

async function inXs(json: string, script: string[]): Promise<string[]> {
  const run = await worker.command(new Uint8Array(Buffer.from(`${json}\n${script.join(',')}`)));
  const reply = JSON.parse(Buffer.from(run.value).toString('utf8')) as string[] | { error: string };
  if (!Array.isArray(reply)) throw new Error(reply.error);
  return reply;
}
const onNode = (json: string, script: string[]) => {
  const card = cardFromFile(JSON.parse(json));
  return script.map((h) => Buffer.from(card.answer(new Uint8Array(Buffer.from(h, 'hex')))).toString('hex').toUpperCase());
};

describe('virtual cards in XS', () => {
  it('a no-ODA contactless card answers the read in XS byte for byte as on Node; an unknown command gets 6D00', async () => {
    const json = readFileSync(join(SAMPLES, 'unionpay-contactless-nooda.json'), 'utf8');
    const script = [...SCRIPT.slice(0, 7), '0084000008'];
    const xs = await inXs(json, script);
    expect(xs).toEqual(onNode(json, script));
    expect(xs.slice(0, 7).every((r) => r.endsWith('9000'))).toBe(true);
    expect(xs[7]).toBe('6D00');
  });

  it('a DDA card signs in XS; the signature opens with node:crypto to 6A 05 01 … BC with the SHA-1 of the data and the DDOL data', async () => {
    const json = readFileSync(join(SAMPLES, 'unionpay-contactless-dda.json'), 'utf8');
    const xs = await inXs(json, SCRIPT);
    expect(xs).toEqual(onNode(json, SCRIPT));
    const key = (JSON.parse(json) as { applications: { dda: { iccPrivateTest: { modulus: string; publicExponent: string } } }[] }).applications[0].dda.iccPrivateTest;
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(key.modulus, 'hex').toString('base64url'), e: Buffer.from(key.publicExponent, 'hex').toString('base64url') }, format: 'jwk' });
    for (const answer of xs.slice(7)) {
      expect(answer.endsWith('9000')).toBe(true);
      // 80 L SDAD (format 1) or 77 L 9F4B L SDAD (format 2): the SDAD is the last modulus-length bytes.
      const sdad = Buffer.from(answer.slice(0, -4), 'hex').subarray(-key.modulus.length / 2);
      const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, sdad);
      expect([recovered[0], recovered[1], recovered[2], recovered[recovered.length - 1]]).toEqual([0x6a, 0x05, 0x01, 0xbc]);
      const hashAt = recovered.length - 21;
      const hash = createHash('sha1').update(Buffer.concat([recovered.subarray(1, hashAt), Buffer.from('A1B2C3D4', 'hex')])).digest('hex');
      expect(recovered.subarray(hashAt, hashAt + 20).toString('hex')).toBe(hash);
    }
    expect(xs[7]).not.toBe(xs[8]); // a fresh ICC dynamic number each time
  });
});
