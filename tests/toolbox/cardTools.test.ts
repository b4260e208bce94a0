/**
 * `tlv decode`, `track2`, `pan` and `qr` as processes: the structure `tlv decode` finds agrees
 * with openssl asn1parse on the same bytes (BER, written apart from the firmware's parser); card
 * numbers come out masked, from the command line or from standard input; results exit 0, failed
 * checks 1, unreadable input 2. Data: a PPSE answer as EMV Book B and card-reader guides quote it
 * (Visa AID A0000000031010), the PAN and track 2 of the published CUP 0200 (tests/host/codecVectors),
 * published test PANs, the ISO/IEC 7813 layout example, WeChat Pay's and Alipay's documented codes;
 * `apdu` on the synthetic cards of host-sim/cards/samples with the CA keys they were made under.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tool, type Run } from './cli';

const json = (r: Run) => JSON.parse(r.stdout);
const PPSE = '6F23840E325041592E5359532E4444463031A511BF0C0E610C4F07A0000000031010870101';
const CUP_PAN = '6224242900000113';
// A READ RECORD answer (70) holding the CUP frame's track 2 as tag 57, its PAN as 5A, expiry 5F24.
const RECORD = '7023' + '5711' + CUP_PAN + 'D28062013949031013' + '5A08' + CUP_PAN + '5F2403280630';

/** openssl asn1parse's objects: [depth, header length + length, constructed]. */
function openssl(hex: string): [number, number, boolean][] {
  const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-i'], { input: Buffer.from(hex, 'hex') }).toString();
  return out.trim().split('\n').map((line) => {
    const m = /d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(cons|prim)/.exec(line)!;
    return [Number(m[1]), Number(m[3]), m[4] === 'cons'];
  });
}

interface Node { tag: string; name: string | null; length: number; value?: string; children?: Node[] }
function walk(nodes: Node[], depth = 0, into: [number, number, boolean][] = []): [number, number, boolean][] {
  for (const n of nodes) {
    into.push([depth, n.length, n.children !== undefined]);
    if (n.children) walk(n.children, depth + 1, into);
  }
  return into;
}

describe('tlv decode', () => {
  it('a PPSE answer: the tree openssl asn1parse sees, with EMV names', async () => {
    const r = await tool(['tlv', 'decode', PPSE, '--json']);
    expect(r.status).toBe(0);
    const { objects } = json(r);
    expect(walk(objects)).toEqual(openssl(PPSE));
    expect(objects[0]).toMatchObject({ tag: '6F', name: 'FCI Template', length: 35 });
    const app = objects[0].children[1].children[0].children[0];
    expect(app.children.map((c: Node) => [c.tag, c.name, c.value])).toEqual([['4F', 'Application Identifier (AID)', 'A0000000031010'], ['87', 'Application Priority Indicator', '01']]);
  });

  it('a record with PAN and track 2: masked in JSON and text, from standard input too', async () => {
    const [j, text, stdin] = await Promise.all([tool(['tlv', 'decode', RECORD, '--json']), tool(['tlv', 'decode', RECORD]), tool(['tlv', 'decode', '-'], `${RECORD.slice(0, 20)}\n ${RECORD.slice(20)}\n`)]);
    for (const r of [j, text, stdin]) {
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain(CUP_PAN);
      expect(r.stdout).not.toContain('3949031013'); // discretionary data
    }
    expect(walk(json(j).objects)).toEqual(openssl(RECORD));
    const values = Object.fromEntries(json(j).objects[0].children.map((c: Node) => [c.tag, c.value]));
    expect(values).toEqual({ '57': '622424******0113=' + '*'.repeat(17), '5A': '622424******0113', '5F24': '280630' });
    expect(text.stdout).toContain('5A Application PAN [8]: 622424******0113');
    expect(stdin.stdout).toBe(text.stdout);
  });

  it('malformed TLV, an indefinite length, odd hex: exit 2 with the parser\'s code', async () => {
    const [short, indefinite, odd] = await Promise.all([tool(['tlv', 'decode', '6F05840301']), tool(['tlv', 'decode', '6F800000']), tool(['tlv', 'decode', '6F0'])]);
    expect([short.status, indefinite.status, odd.status]).toEqual([2, 2, 2]);
    expect(short.stderr).toContain('tlv-malformed');
    expect(indefinite.stderr).toContain('tlv-indefinite');
  });
});

describe('track2, pan, qr', () => {
  it('track2: the ISO example read, PAN masked, discretionary data not shown; expired exits 1', async () => {
    const track = ';4111111111111111=25121011234500000000?';
    const [good, expired, piped, bad] = await Promise.all([
      tool(['track2', '--at', '2501', '--json', track]),
      tool(['track2', '--at', '2601', track]),
      tool(['track2', '-', '--at', '2805', '--json'], `;${CUP_PAN}=28062013949031013?\r\n`),
      tool(['track2', ';4111111111111111=2513101?']),
    ]);
    expect(good.status).toBe(0);
    expect(json(good)).toMatchObject({ pan: '411111******1111', expiry: '2512', serviceCode: '101', chip: false, discretionaryDigits: 13, valid: true });
    expect(expired.status).toBe(1);
    expect(expired.stdout).toContain('card-expired');
    expect(piped.status).toBe(0);
    expect(json(piped)).toMatchObject({ pan: '622424******0113', chip: true, serviceCode: '201' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('track2-malformed');
    for (const r of [good, expired, piped, bad]) {
      expect(r.stdout + r.stderr).not.toMatch(/4111111111111111|6224242900000113|1234500000000|3949031013/);
    }
  });

  it('pan: published test PANs pass Luhn, a changed digit fails (exit 1); stdin keeps it off the command line', async () => {
    const [visa, mc, wrong, stdin, letters] = await Promise.all([
      tool(['pan', '4111111111111111', '--json']),
      tool(['pan', '5555 5555 5555 4444']),
      tool(['pan', '5555555555554445', '--json']),
      tool(['pan', '-', '--json'], '6205500000000000004\n'),
      tool(['pan', '411111111111111x']),
    ]);
    expect([visa.status, mc.status, wrong.status, stdin.status, letters.status]).toEqual([0, 0, 1, 0, 2]);
    expect(json(visa)).toEqual({ pan: '411111******1111', digits: 16, luhn: true, lengthOk: true });
    expect(mc.stdout.trim()).toBe('PAN 555555******4444 (16 digits): Luhn check passes');
    expect(json(wrong)).toMatchObject({ luhn: false });
    expect(json(stdin)).toMatchObject({ pan: '620550*********0004', digits: 19, luhn: true });
    for (const r of [visa, mc, wrong, stdin, letters]) expect(r.stdout + r.stderr).not.toMatch(/\d{7}/);
  });

  it('qr: each family classified, masked; anything else exits 1 in plain words', async () => {
    const [wechat, alipay, unionpay, card, url] = await Promise.all([
      tool(['qr', '120061098828009406', '--json']),
      tool(['qr', '-', '--json'], '28763443825664394\r\n'),
      tool(['qr', '6212345678901234567']),
      tool(['qr', '4111111111111111']),
      tool(['qr', '-'], 'https://example.com/pay?id=123\r\n'),
    ]);
    expect(json(wechat)).toEqual({ scheme: 'wechat', code: '120061********9406', digits: 18 });
    expect(json(alipay)).toEqual({ scheme: 'alipay', code: '287634*******4394', digits: 17 });
    expect(unionpay.stdout.trim()).toBe('UnionPay payment code 621234*********4567 (19 digits)');
    expect([wechat.status, alipay.status, unionpay.status, card.status, url.status]).toEqual([0, 0, 0, 1, 1]);
    expect(card.stdout).toContain('not a WeChat Pay, Alipay or UnionPay payment code');
    for (const r of [wechat, alipay, unionpay, card, url]) expect(r.stdout + r.stderr).not.toMatch(/\d{7}/);
  });
});

describe('apdu', () => {
  const SAMPLES = 'host-sim/cards/samples';
  const CAPK = 'host-sim/scenarios/capk/cards.json';
  /** The card file's own PAN (tag 5A as the file holds it), which must never come out in clear. */
  const clearPan = (file: string) => /6212\d{12}|6223\d{12}/.exec(readFileSync(join(ROOT, SAMPLES, file), 'utf8'))![0];

  it('a DDA card read through the EMV flow: what the terminal read, PAN and track 2 masked, DDA ok with the CA keys', async () => {
    const file = 'unionpay-contactless-dda.json';
    const [withKeys, without, text] = await Promise.all([
      tool(['apdu', `${SAMPLES}/${file}`, '--capk', CAPK, '--at', '2026-12-01', '--json']),
      tool(['apdu', `${SAMPLES}/${file}`, '--at', '2026-12-01', '--json']),
      tool(['apdu', `${SAMPLES}/${file}`, '--capk', CAPK, '--at', '2026-12-01']),
    ]);
    expect([withKeys.status, without.status, text.status]).toEqual([0, 0, 0]);
    const v = json(withKeys);
    expect(v).toMatchObject({ aid: 'A000000333010101', pan: '621234******1232', expiry: '3012', serviceCode: '201', cryptogram: 'ARQC', oda: { method: 'dda', ok: true } });
    expect(v.track2).toMatch(/^621234\*{6}1232=\*+$/);
    expect(v.exchanges.map((e: { command: string }) => e.command)).toEqual(expect.arrayContaining(['SELECT', 'GET PROCESSING OPTIONS', 'READ RECORD', 'INTERNAL AUTHENTICATE', 'GENERATE AC']));
    expect(v.field55.map((n: Node) => n.tag)).toContain('9F26');
    // No CA keys: ODA not performed, TVR byte 1 bit 8 (EMV Book 3 Annex C5).
    expect(parseInt(json(without).tvr.slice(0, 2), 16) & 0x80).toBe(0x80);
    const pan = clearPan(file);
    for (const r of [withKeys, without, text]) expect(r.stdout + r.stderr).not.toContain(pan);
    expect(text.stdout).toContain('PAN          621234******1232');
    // 5F20 "TEST/CARDHOLDER": each word's first letter only, in JSON and text.
    expect(v.cardholderName).toBe('T***/C*********');
    expect(text.stdout).toContain('cardholder   T***/C*********');
    for (const r of [withKeys, without, text]) expect(r.stdout + r.stderr).not.toMatch(/CARDHOLDER|TEST\//);
  });

  it('a card taken away mid-read: exit 1, card-removed, the commands it answered', async () => {
    const r = await tool(['apdu', `${SAMPLES}/unionpay-contactless-removed.json`, '--json']);
    expect(r.status).toBe(1);
    expect(json(r)).toMatchObject({ error: 'card-removed', exchanges: expect.arrayContaining([{ command: 'GET PROCESSING OPTIONS', sw: '9000' }]) });
  });

  it('a file that is not a card: exit 2', async () => {
    const r = await tool(['apdu', CAPK]);
    expect(r.status).toBe(2);
  });
});
