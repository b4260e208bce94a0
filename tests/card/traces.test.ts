/**
 * The six recorded traces of ../shared/testdata/emv-traces replayed through the EMV flow: each
 * command is answered by the next unused recorded exchange with the same bytes (an unrecorded
 * command "" answers whatever comes at that point; anything else 6D00). What the terminal parses
 * must agree with the traces' `expected` section (derived there with two other BER-TLV parsers).
 * Skipped, and counted, where ../shared is absent.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_DEFAULTS, type CardProfile } from '../../firmware/core/config/cardProfile';
import { selectApdu, type ApduChannel } from '../../firmware/core/card/emv/apdu';
import { parseDol } from '../../firmware/core/card/emv/dol';
import { cardData, cryptogramType, parseAfl, parseGenerateAcResponse, parseGpoResponse, readEmvCard, type EmvReadOptions } from '../../firmware/core/card/emv/flow';
import { ApplicationSelection, directoryEntries } from '../../firmware/core/card/emv/select';
import { T0Channel } from '../../firmware/core/card/emv/t0';
import { collectPrimitives, findTag, parseTlv, tagHex } from '../../firmware/core/card/emv/tlv';

const DIR = join(__dirname, '../../../shared/testdata/emv-traces');
const shared = existsSync(DIR);
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

interface Trace { name: string; interface: string; exchanges: { capdu: string; rapdu: string }[]; expected: any }
const load = (f: string): Trace => JSON.parse(readFileSync(join(DIR, f), 'utf8'));

/** The replay rule, with recorded-but-unrecorded ("") commands taken in order after the last match. */
class Replayer implements ApduChannel {
  used: boolean[];
  last = -1;
  sent: string[] = [];
  constructor(private readonly t: Trace, private readonly alias: Record<string, string> = {}) {
    this.used = t.exchanges.map(() => false);
  }
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const c = h(apdu);
    this.sent.push(c);
    const want = this.alias[c] ?? c;
    const ex = this.t.exchanges;
    let i = ex.findIndex((e, k) => !this.used[k] && k > this.last && e.capdu === want);
    if (i < 0) i = ex.findIndex((e, k) => !this.used[k] && e.capdu === want);
    if (i < 0) i = ex.findIndex((e, k) => !this.used[k] && k > this.last && e.capdu === '');
    if (i < 0) return hex('6D00');
    this.used[i] = true;
    this.last = i;
    return hex(ex[i].rapdu);
  }
}

const masked = (pan: string): string => `${pan.slice(0, 6)}*${pan.slice(-4)}`;
const sha = (pan: string): string => createHash('sha256').update(pan).digest('hex');
const options = (profile: CardProfile = CARD_DEFAULTS): EmvReadOptions => ({
  interface: 'contactless',
  params: { amountMinor: 100, currency: '0978', txnType: 0, date: '250101', unpredictable: hex('01020304'), profile },
});

(shared ? describe : describe.skip)(`recorded EMV traces ${shared ? '(../shared/testdata/emv-traces)' : '(needs ../shared/testdata: absent)'}`, () => {
  it('devnied Visa PPSE: directory, selection of Visa, its PDOL; the GPO answered 6700 stops the read', async () => {
    const t = load('devnied-VisaCardPpse.json');
    const card = new Replayer(t);
    const sel = new ApplicationSelection(card, CARD_DEFAULTS, true);
    const cands = await sel.build();
    const ppse = parseTlv(hex(t.exchanges[1].rapdu.slice(0, -4)));
    expect(directoryEntries(ppse).map((e) => [e.aid, e.label, e.priority])).toEqual(t.expected.directory.entries.map((e: any) => [e.aid, e.label, parseInt(e.priority, 16)]));
    expect(cands.map((c) => c.aid)).toEqual(['A0000000031010']); // CB is not in the terminal's list
    const app = await sel.select();
    const visa = t.expected.applications.find((a: any) => a.aid === 'A0000000031010');
    expect(parseDol(findTag(app.fci, 0x9f38)!.value).map((e) => tagHex(e.tag))).toEqual(visa.pdol_tags);
    await expect(readEmvCard(new Replayer(t), options())).rejects.toMatchObject({ code: 'card-status', message: expect.stringContaining('6700') });
    // what the card said in its GPO answer (exchange 4) and record (28): PAN, expiry
    const gpo = parseGpoResponse(hex(t.exchanges[4].rapdu.slice(0, -4)));
    expect(h(gpo.aip)).toBe(t.expected.applications[0].gpo.aip);
    const d = cardData(collectPrimitives(gpo.nodes));
    expect([masked(d.pan), sha(d.pan), d.expiry]).toEqual([t.expected.pan_masked, t.expected.pan_sha256, t.expected.expiry]);
  });

  it('devnied Mastercard PPSE: Mastercard selected, format-2 GPO, AFL; the first record repeats the AIP (82) the GPO answer gave, so the read ends there (redundant data, EMV Book 3 §7.5)', async () => {
    const t = load('devnied-MasterCardPpse.json');
    const mc = t.expected.applications[1];
    const card = new Replayer(t);
    await expect(readEmvCard(card, options())).rejects.toMatchObject({ code: 'tlv-malformed', message: expect.stringContaining('82 appears twice') });
    expect(parseTlv(hex(t.exchanges[4].rapdu.slice(0, -4)))[0].children!.map((n) => n.tag)).toContain(0x82);
    expect(card.sent.slice(0, 4)).toEqual(['00A404000E325041592E5359532E444446303100', '00A4040007A000000004101000', '80A8000002830000', '00B2011400']);
    const gpo = parseGpoResponse(hex(t.exchanges[mc.gpo.exchange].rapdu.slice(0, -4)));
    expect([h(gpo.aip), h(gpo.afl)]).toEqual([mc.gpo.aip, mc.gpo.afl]);
    expect(parseAfl(gpo.afl)).toEqual(mc.gpo.afl_entries.map((e: any) => ({ sfi: e.sfi, first: e.first, last: e.last, oda: e.oda_records })));
    const d = cardData(collectPrimitives(parseTlv(hex(t.exchanges[9].rapdu.slice(0, -4)))));
    expect([masked(d.pan), sha(d.pan), d.expiry, d.track2!.includes('=')]).toEqual([mc.pan_masked, mc.pan_sha256, mc.expiry, true]);
  });

  it('binaryfoo Mastercard: no PPSE, the candidate list finds A0000000041010, GPO format 2; records give PAN, expiry, CDOL1; GENERATE AC is a TC', async () => {
    const t = load('binaryfoo-contactless-mastercard.json');
    const app = t.expected.applications[0];
    const card = new Replayer(t);
    await expect(readEmvCard(card, options())).rejects.toMatchObject({ code: 'card-status', message: expect.stringContaining('SFI 1 record 1') });
    expect(card.sent).toContain('80A8000002830000');
    const gpo = parseGpoResponse(hex(t.exchanges[1].rapdu.slice(0, -4)));
    expect([h(gpo.aip), h(gpo.afl)]).toEqual([app.gpo.aip, app.gpo.afl]);
    const tags = collectPrimitives(parseTlv(hex(t.exchanges[2].rapdu.slice(0, -4))));
    const d = cardData(tags);
    expect([masked(d.pan), sha(d.pan), d.expiry, d.cardholderName]).toEqual([app.pan_masked, app.pan_sha256, app.expiry, 'ETEC/PAYPASS']);
    expect(parseDol(tags.get(0x8c)!).map((e) => tagHex(e.tag))).toEqual(app.cdol1_tags);
    expect(h(tags.get(0x8c)!)).toBe(app.cdol1_raw);
    const ac = parseGenerateAcResponse(hex(t.exchanges[6].rapdu.slice(0, -4)));
    expect(h(ac.get(0x9f27)!)).toBe(app.other_commands[0].cid);
    expect(cryptogramType(ac.get(0x9f27)![0])).toBe(app.other_commands[0].cryptogram_type);
    expect(ac.has(0x9f4b)).toBe(app.other_commands[0].sdad_present);
  });

  it('devnied locked card: PPSE lists CB and Visa, the Visa SELECT is refused 6985: card blocked', async () => {
    const t = load('devnied-LockedCard.json');
    const card = new Replayer(t);
    await expect(readEmvCard(card, options())).rejects.toMatchObject({ code: 'card-blocked' });
    expect(directoryEntries(parseTlv(hex(t.exchanges[1].rapdu.slice(0, -4)))).map((e) => e.aid)).toEqual(t.expected.directory.entries.map((e: any) => e.aid));
  });

  it('devnied T=0 61xx: SELECT → 6133 → GET RESPONSE gives the FCI (the trace records GET RESPONSE with INS 0C)', async () => {
    const t = load('devnied-wrapperTestSW_61.json');
    const card = new Replayer(t, { '00C0000033': '000C000033' });
    const r = await new T0Channel(card).transmit(selectApdu(hex('A000000003')));
    expect(card.sent).toEqual(['00A4040005A00000000300', '00C0000033']);
    const fci = parseTlv(r.subarray(0, -2));
    expect(h(findTag(fci, 0x84)!.value)).toBe(t.expected.applications[0].aid);
    expect(Buffer.from(findTag(fci, 0x50)!.value).toString('latin1')).toBe(t.expected.applications[0].label);
  });

  it('devnied T=0 6Cxx: SELECT → 6C01 → the same SELECT with Le 01', async () => {
    const t = load('devnied-wrapperTestSW_6C.json');
    const card = new Replayer(t);
    const r = await new T0Channel(card).transmit(selectApdu(hex('A000000003')));
    expect(card.sent).toEqual(['00A4040005A00000000300', t.expected.t0_sequences[0].chain[0].follow_up]);
    expect(h(findTag(parseTlv(r.subarray(0, -2)), 0x84)!.value)).toBe(t.expected.applications[0].aid);
  });
});
