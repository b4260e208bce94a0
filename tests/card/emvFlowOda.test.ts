/**
 * readEmvCard with offline data authentication, over the synthetic DDA card of
 * host-sim/tools/make-cards.ts: the DDOL data INTERNAL AUTHENTICATE carries is the unpredictable
 * number field 55 carries (9F37, read back with the published ber-tlv parser), and a terminal
 * whose 9F33 allows SDA only never sends INTERNAL AUTHENTICATE.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TlvFactory } from 'ber-tlv';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { cardFromFile } from '../../host-sim/cards/virtualCard';
import { CARDS_CAPK, SAMPLES } from '../../host-sim/tools/make-cards';
import { readEmvCard } from '../../firmware/core/card/emv/flow';
import { performOda } from '../../firmware/core/card/emv/oda';
import { parseCapkTable } from '../../firmware/core/security/caPublicKeys';
import { CARD_DEFAULTS, type CardProfile } from '../../firmware/core/config/cardProfile';

const crypto = new NodeCrypto(5);
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const capks = parseCapkTable(read(CARDS_CAPK).keys);
const UN = Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4);

async function readDda(profile: CardProfile) {
  const card = cardFromFile(read(join(SAMPLES, 'unionpay-contactless-dda.json')));
  const sent: Uint8Array[] = [];
  const channel = { transmit: async (apdu: Uint8Array) => (sent.push(apdu), card.answer(apdu)) };
  const result = await readEmvCard(channel, {
    interface: 'contactless',
    params: { amountMinor: 2500, currency: '0156', txnType: 0, date: '261126', unpredictable: UN, profile },
    oda: (input) => performOda(crypto, capks, [], input),
  });
  return { result, internalAuthenticate: sent.filter((a) => a[0] === 0x00 && a[1] === 0x88) };
}

describe('readEmvCard with ODA (synthetic DDA card)', () => {
  it('signs the field-55 unpredictable number with DDA', async () => {
    const { result, internalAuthenticate } = await readDda(CARD_DEFAULTS as CardProfile);
    expect(result.oda).toEqual({ method: 'dda', ok: true });
    expect(internalAuthenticate).toHaveLength(1);
    const field55 = TlvFactory.parse(Buffer.from(result.icc));
    const un = field55.find((t: { tag: string }) => t.tag === '9F37');
    expect(Buffer.from(un!.value).toString('hex')).toBe('a1b2c3d4');
    // 00 88 00 00 Lc <DDOL data> 00: the DDOL names 9F37 04, so the data is the same 4 bytes.
    const ia = internalAuthenticate[0];
    expect(Buffer.from(ia.subarray(5, 5 + ia[4])).toString('hex')).toContain('a1b2c3d4');
  });

  it('runs no DDA when 9F33 allows SDA only', async () => {
    const sdaOnly = { ...CARD_DEFAULTS, terminal: { ...CARD_DEFAULTS.terminal, capabilities: 'E0F888' } } as CardProfile;
    const { result, internalAuthenticate } = await readDda(sdaOnly);
    expect(internalAuthenticate).toHaveLength(0);
    expect(result.oda.method).not.toBe('dda');
  });
});
