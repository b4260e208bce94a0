/**
 * The activation codec and crypto operations on XS (xsnap), the crypto and system ports across
 * the bridge to a Node world: the request packed on XS decodes by hand as on Node, and a key
 * the reference host sealed for the XS side's device key opens there to the host's check value
 * and is stored in the Node world's adapter; a malformed answer names its field on XS too.
 */
import { join } from 'node:path';
import { parseScenario } from '../../host-sim/scenario/schema';
import { buildWorld } from '../../host-sim/world';
import { PRELUDE, XsWorker, serveWorld, xsBundle } from '../../host-sim/xs/xsLane';
import { answerBody, decodeRequest, grant62, kcv, seal, tlv } from './referenceHost';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const BOUND = { tid: '10240002', mid: '898440154110001' };

describe('activation on XS', () => {
  const world = buildWorld(parseScenario({ name: 'activation', keys: { masterKey: null, workingKeys: null }, device: { serial: 'XS-SERIAL-7' }, steps: [{ do: 'boot' }] }));
  const worker = new XsWorker(serveWorld(world));
  const send = async (command: object) => JSON.parse(Buffer.from((await worker.command(Buffer.from(JSON.stringify(command), 'utf8'))).value).toString('utf8'));

  beforeAll(async () => {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, 'activationXsEntry.ts')));
  });
  afterAll(() => worker.close());

  it('packs the request, opens the sealed key to its check value and stores it on the Node side', async () => {
    const { serial, message } = await send({ op: 'request', code: '20261202', stan: '000042' });
    expect(serial).toBe('XS-SERIAL-7');
    // The hand decoder reads a frame body: a TPDU and header go in front of the packed message.
    const request = decodeRequest(Buffer.concat([Buffer.from('6000030000603100000000', 'hex'), Buffer.from(message, 'hex')]));
    expect(request).toMatchObject({ mti: '0800', stan: '000042', tid: '00000000', serial: 'XS-SERIAL-7', code: '20261202', field60: '00000000370' });

    const { point, wrapped } = seal(request.publicKey, serial, KEY);
    const body = answerBody(request, { code39: '00', ...BOUND, field62: grant62(point, wrapped, kcv(KEY, 'aes128'), 'aes128') });
    const opened = await send({ op: 'answer', hex: body.subarray(11).toString('hex') });
    expect(opened).toEqual({ kind: 'granted', tid: BOUND.tid, kcv: kcv(KEY, 'aes128').toString('hex'), stored: 'master', protection: 'encrypted' });
    const stored = world.crypto.provisionedKey('tmk')!;
    expect(Buffer.from(world.crypto.checkValue(stored, 'cmac').subarray(0, 4)).equals(kcv(KEY, 'aes128'))).toBe(true);
  });

  it('names the malformed field on XS', async () => {
    const { message } = await send({ op: 'request', code: '12345678', stan: '000043' });
    const request = decodeRequest(Buffer.concat([Buffer.from('6000030000603100000000', 'hex'), Buffer.from(message, 'hex')]));
    const body = answerBody(request, { code39: '00', ...BOUND, field62: tlv(0xd5, Buffer.of(9)) });
    expect(await send({ op: 'answer', hex: body.subarray(11).toString('hex') })).toEqual({ error: 'activation-answer: field 62.D5: reason 9 is not 0–4', field: '62.D5' });
  });
});
