/**
 * `apdu CARD.json`: a virtual card file (host-sim/cards: a recorded trace or a card profile)
 * read through the firmware's own EMV flow (card/emv/flow.ts: selection, GPO, records, ODA when
 * CA keys are given, GENERATE AC), printing what the terminal read — the PAN and track 2 masked,
 * field 55 as a tree — and each command with the card's status word (never the data).
 */
import { toHex } from '../../firmware/core/bytes';
import { CardError } from '../../firmware/core/card/errors';
import type { ApduChannel } from '../../firmware/core/card/emv/apdu';
import { sw, swHex } from '../../firmware/core/card/emv/apdu';
import { readEmvCard, type EmvReadResult } from '../../firmware/core/card/emv/flow';
import { performOda } from '../../firmware/core/card/emv/oda';
import { T0Channel } from '../../firmware/core/card/emv/t0';
import { parseTlv } from '../../firmware/core/card/emv/tlv';
import { maskPan } from '../../firmware/core/card/pan';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { parseCardProfile, type CardProfile } from '../../firmware/core/config/cardProfile';
import { PortError } from '../../firmware/core/ports';
import { parseCapkTable, type CaPublicKey } from '../../firmware/core/security/caPublicKeys';
import { VirtualContactReader } from '../cards/contactReader';
import { CardGone, cardFromFile, type VirtualCard } from '../cards/virtualCard';
import { InputError, shownPath, UsageError, type Args } from './args';
import { maskTrackHex, tlvNode } from './cards';
import { toolCrypto, type Command, type ToolResult } from './command';

const INS_NAMES: Readonly<Record<number, string>> = { 0xa4: 'SELECT', 0xa8: 'GET PROCESSING OPTIONS', 0xb2: 'READ RECORD', 0xae: 'GENERATE AC', 0x88: 'INTERNAL AUTHENTICATE', 0xc0: 'GET RESPONSE', 0xca: 'GET DATA' };

/** Commands listed at most (a card file holds at most 1,000 exchanges; a read takes a few dozen). */
const LOG_LIMIT = 200;

interface Exchange {
  command: string;
  sw: string;
}

/** Records each command's name and the card's status word; nothing of the data. */
class LoggingChannel implements ApduChannel {
  readonly log: Exchange[] = [];
  constructor(private readonly inner: ApduChannel) {}
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const answer = await this.inner.transmit(apdu);
    if (this.log.length < LOG_LIMIT) this.log.push({ command: INS_NAMES[apdu[1]] ?? `INS ${toHex(apdu.subarray(1, 2)).toUpperCase()}`, sw: swHex(sw(answer)) });
    return answer;
  }
}

/** A contactless card answers straight; a lost card is the reader's error, as on the board. */
class FieldChannel implements ApduChannel {
  constructor(private readonly card: VirtualCard) {}
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    try {
      return this.card.answer(apdu);
    } catch (error) {
      if (error instanceof CardGone) throw new CardError('card-removed', 'the card left the field mid-read');
      throw error;
    }
  }
}

function jsonFile(args: Args, option: string, path: string): unknown {
  try {
    return JSON.parse(Buffer.from(args.file(option, path)).toString('utf8'));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('input-malformed', `${option === 'FILE' ? 'file' : `--${option}`} ${shownPath(path)} is not JSON`);
  }
}

function cardProfile(args: Args): CardProfile {
  const path = args.optional('profile');
  if (path === undefined) {
    const defaults = parseCardProfile(undefined);
    if (!defaults.ok) throw new Error(`the built-in card profile does not parse: ${defaults.error.message}`);
    return defaults.value;
  }
  const parsed = parseAcquirerProfile(jsonFile(args, 'profile', path));
  if (!parsed.ok) throw new InputError('input-malformed', `--profile ${shownPath(path)}: ${parsed.error.message}`);
  return parsed.value.card;
}

function capks(args: Args): CaPublicKey[] | undefined {
  const path = args.optional('capk');
  return path === undefined ? undefined : parseCapkTable(jsonFile(args, 'capk', path));
}

/** --at as the terminal's date YYMMDD (9A). */
function emvDate(args: Args): string {
  const at = args.optional('at');
  if (at !== undefined && !/^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/.test(at)) throw new UsageError('--at must be a date YYYY-MM-DD');
  const iso = at ?? new Date().toISOString().slice(0, 10);
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

/**
 * The cardholder name (5F20) masked: each word ('/' and spaces part them, as in "SURNAME/GIVEN")
 * keeps its first character, the rest become '*'. The name is personal data; the tool shows only
 * that one was read and its shape.
 */
export function maskName(name: string): string {
  let out = '';
  let first = true;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === ' ' || c === '/') {
      out += c;
      first = true;
    } else {
      out += first ? c : '*';
      first = false;
    }
  }
  return out;
}

function shownResult(card: VirtualCard, r: EmvReadResult) {
  return {
    card: card.name,
    interface: card.interface,
    aid: r.aid,
    label: r.label,
    pan: maskPan(r.pan),
    ...(r.panSeq !== undefined ? { panSeq: r.panSeq } : {}),
    expiry: r.expiry,
    ...(r.track2 !== undefined ? { track2: maskTrackHex(r.track2) } : {}),
    ...(r.serviceCode !== undefined ? { serviceCode: r.serviceCode } : {}),
    ...(r.cardholderName !== undefined ? { cardholderName: maskName(r.cardholderName) } : {}),
    aip: toHex(r.aip).toUpperCase(),
    oda: r.oda,
    tvr: toHex(r.tvr).toUpperCase(),
    tsi: toHex(r.tsi).toUpperCase(),
    cvm: r.cvm,
    cryptogram: r.cryptogram,
    field55: parseTlv(r.icc).map(tlvNode),
  };
}

export const apduReplay: Command = {
  name: 'apdu',
  summary: "a virtual card file read through the firmware's EMV flow: what the terminal read, masked",
  synopsis: 'CARD.json [--amount N] [--at YYYY-MM-DD] [--capk FILE] [--profile FILE] [--json]',
  options: [
    { name: 'amount', value: 'N', help: 'the amount in minor units (9F02), 1 to 9999 (default 100).' },
    { name: 'at', value: 'YYYY-MM-DD', help: "the terminal's date (9A; default today, UTC)." },
    { name: 'capk', value: 'FILE', help: 'a CA public key table (JSON, as capk check reads it): offline data authentication runs with it; without it ODA is not performed.' },
    { name: 'profile', value: 'FILE', help: "an acquirer profile (JSON): its card section (AIDs, limits, terminal data, field 55's tags); default the built-in one." },
  ],
  notes: [
    'CARD.json is a card file of host-sim/cards: a recorded trace ({name, interface, uid or atr, exchanges}) or a card profile. Contact cards go through the T=0 handling (61xx, 6Cxx) of a virtual contact slot.',
    'Output: AID, label, the PAN masked (first six, last four), the cardholder name masked (first letter of each word), expiry, track 2 equivalent masked, service code, ODA outcome, TVR/TSI, CVM, cryptogram type, field 55 as a tree, and each command with its status word. Exit 1 when the read fails (the CardError code says why).',
    'Example: xspos-tool apdu host-sim/cards/samples/visa-contact-pin.json --capk host-sim/scenarios/capk/cards.json --at 2026-12-01',
  ],
  async run(args): Promise<ToolResult> {
    const [path] = args.positionals(['CARD.json']);
    const amountMinor = args.integer('amount', 1, 9999, 100);
    const date = emvDate(args);
    const profile = cardProfile(args);
    const keys = capks(args);
    const card = cardFromFile(jsonFile(args, 'FILE', path));
    const crypto = toolCrypto();
    let channel: ApduChannel;
    if (card.interface === 'contact') {
      const slot = new VirtualContactReader();
      slot.insert(card);
      await slot.detect();
      channel = new T0Channel(slot);
    } else channel = new FieldChannel(card);
    const logged = new LoggingChannel(channel);
    try {
      const result = await readEmvCard(logged, {
        interface: card.interface,
        params: { amountMinor, currency: '0156', txnType: 0x00, date, unpredictable: crypto.randomBytes(4), profile },
        ...(keys ? { oda: (input) => performOda(crypto, keys, profile.revoked, input) } : {}),
        choose: async () => 0,
      });
      const value = { ...shownResult(card, result), exchanges: logged.log };
      return { ok: true, value, text: textOf(value) };
    } catch (error) {
      if (!(error instanceof CardError) && !(error instanceof PortError)) throw error;
      const value = { card: card.name, interface: card.interface, error: error.code, problem: error.message, exchanges: logged.log };
      return { ok: false, value, text: [`card ${card.name} (${card.interface}): the read FAILED: ${error.code}: ${error.message}`, ...exchangeLines(logged.log)].join('\n') };
    }
  },
};

function exchangeLines(log: readonly Exchange[]): string[] {
  return ['commands:', ...log.map((e, i) => `  ${String(i + 1).padStart(2)}. ${e.command.padEnd(24)} ${e.sw}`)];
}

function textOf(v: ReturnType<typeof shownResult> & { exchanges: Exchange[] }): string {
  const oda = v.oda.ok ? `${v.oda.method} ok` : `${v.oda.method} FAILED: ${v.oda.failure} (${v.oda.detail})`;
  return [
    `card ${v.card} (${v.interface})`,
    `application  ${v.aid} ${v.label}`,
    `PAN          ${v.pan}${v.panSeq !== undefined ? ` sequence ${v.panSeq}` : ''}`,
    `expiry       ${v.expiry}`,
    ...(v.track2 !== undefined ? [`track 2      ${v.track2}`] : []),
    ...(v.serviceCode !== undefined ? [`service code ${v.serviceCode}`] : []),
    ...(v.cardholderName !== undefined ? [`cardholder   ${v.cardholderName}`] : []),
    `ODA          ${oda}`,
    `TVR ${v.tvr}  TSI ${v.tsi}  AIP ${v.aip}  CVM ${v.cvm}  cryptogram ${v.cryptogram}`,
    `field 55 (${v.field55.length} data objects): ${v.field55.map((n) => n.tag).join(' ')}`,
    ...exchangeLines(v.exchanges),
  ].join('\n');
}
