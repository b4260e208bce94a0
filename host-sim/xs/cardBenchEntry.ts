/**
 * XS side of the card bench (bench/card.ts; issue 9, item 11), in the lane's device-strict worker
 * (frozen built-ins). A contactless read as the runtime does it (cardDuties' #readChip): the
 * core's Pn532Reader over a VirtualLink to a VirtualPn532 with a ProfileCard in its field, all on
 * a VirtualClock, readEmvCard from PPSE to field 55 with performOda bound to the bridged crypto
 * port and the card CA table. So the terminal's RSA public operations are BigInt in XS
 * (security/rsaPublic.ts) and its SHA-1 goes through the crypto port, bridged to Node; the card's
 * own DDA signature (rsaPrivate.ts, BigInt) and SHA-1 (cards/sha1.ts) run in XS.
 *
 * To take the simulator out of the figure, a read is recorded once (the bytes the core wrote to
 * the link and the C-APDUs the card got, unmetered) and replayed: "sim" writes the recorded bytes
 * to a second chip over its own link and clock (chip + card + link + clock, no terminal), "card"
 * gives the recorded C-APDUs to a card alone.
 *
 * Commands (JSON):
 *   {"what":"setup","card":{…},"capk":[…],"today":"YYMMDD"}   fresh reader, chip, card
 *   {"what":"record"}        two reads (the first wakes the chip), the second recorded; replies what it read
 *   {"what":"read","n":N}    N steady-state reads: detect, readEmvCard, release (async: holder reply)
 *   {"what":"sim","n":N}     N replays of the recorded link writes into the replay chip (async)
 *   {"what":"card","n":N}    N replays of the recorded C-APDUs into the card alone
 *   {"what":"direct","n":N}  N reads by readEmvCard straight to the card alone (no PN532, no clock): the
 *                            EMV flow and ODA plus the card; less "card", the flow's own share
 *   {"what":"tlvSetup","inputs":[hex…]}, {"what":"tlvCheck"}, {"what":"tlv","n":N}   our TLV parser
 */
import { readEmvCard, type EmvReadResult } from '../../firmware/core/card/emv/flow';
import { performOda } from '../../firmware/core/card/emv/oda';
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import { parseTlv } from '../../firmware/core/card/emv/tlv';
import type { ApduChannel } from '../../firmware/core/card/emv/apdu';
import { fromHex } from '../../firmware/core/bytes';
import { parseCardProfile, type CardProfile } from '../../firmware/core/config/cardProfile';
import { parseCapkTable, type CaPublicKey } from '../../firmware/core/security/caPublicKeys';
import type { CryptoPort, ReaderLinkPort } from '../../firmware/core/ports';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { cardFromFile, type VirtualCard } from '../cards/virtualCard';
import { VirtualLink } from '../cards/virtualLink';
import { VirtualPn532 } from '../cards/virtualPn532';
import { VirtualClock } from '../ports/virtualClock';
import { parseScenario } from '../scenario/schema';
import { ourParses, shapeOurs } from '../../bench/tlvAgreement';
import { makeCaller } from './bridge';
import { bridgedWorld } from './xsPorts';

declare const globalThis: Record<string, unknown>;
declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };
const call = makeCaller(createCborCodec(), (request) => new Uint8Array(issueCommand(request.slice().buffer)));
const WALL = Date.UTC(2026, 10, 26, 10, 0);
/** Timer steps in one drive: a read takes a few dozen; more is a hang. */
const MAX_STEPS = 100_000;

/** Records what the core writes, for the replay. */
class RecordingLink implements ReaderLinkPort {
  readonly kind = 'hsu' as const;
  writes: Uint8Array[] | undefined;
  constructor(private readonly inner: VirtualLink) {}
  open(onBytes: (bytes: Uint8Array) => void): void {
    this.inner.open(onBytes);
  }
  write(bytes: Uint8Array): void {
    this.writes?.push(bytes.slice());
    this.inner.write(bytes);
  }
  close(): void {
    this.inner.close();
  }
}

/** Records the C-APDUs the card gets. */
class RecordingCard {
  capdus: Uint8Array[] | undefined;
  constructor(private readonly inner: VirtualCard) {}
  get interface() {
    return this.inner.interface;
  }
  get uid() {
    return this.inner.uid;
  }
  answer(capdu: Uint8Array): Uint8Array {
    this.capdus?.push(capdu.slice());
    return this.inner.answer(capdu);
  }
  reset(): void {
    this.inner.reset();
  }
}

interface Terminal {
  clock: VirtualClock;
  reader: Pn532Reader;
}
interface Bench {
  crypto: CryptoPort;
  capks: CaPublicKey[];
  profile: CardProfile;
  today: string;
  /** Metered reads: no recording wrappers. */
  metered: Terminal;
  recorder: Terminal & { link: RecordingLink; card: RecordingCard };
  replay: { clock: VirtualClock; link: VirtualLink };
  lone: VirtualCard;
  warmWrites: Uint8Array[];
  writes: Uint8Array[];
  capdus: Uint8Array[];
}
let bench: Bench | undefined;
let tlvInputs: Uint8Array[] = [];

/** Runs `work` on virtual time until it settles and no timer is left (the release's InRelease included). */
async function drive<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  result.catch(() => undefined);
  await clock.settle();
  for (let steps = 0; (!done || clock.pendingTimers > 0) && steps < MAX_STEPS; steps++) if (!(await clock.advanceToNextTimer())) await clock.settle();
  return result;
}

/** One contactless read as cardDuties' #readChip does it (detect, readEmvCard with ODA bound, release). */
async function readOnce(t: Terminal): Promise<EmvReadResult> {
  const presence = await t.reader.detect();
  if (presence.kind === 'none') throw new Error('no card in the field');
  const read = await emvRead(t.reader);
  t.reader.release();
  return read;
}

/** readEmvCard with ODA bound as cardDuties binds it (the card's AIP says whether it runs). */
function emvRead(channel: ApduChannel): Promise<EmvReadResult> {
  const { crypto, capks, profile, today } = bench!;
  return readEmvCard(channel, {
    interface: 'contactless',
    params: { amountMinor: 1234, currency: '0156', txnType: 0x00, date: today, unpredictable: crypto.randomBytes(4), profile },
    oda: (input) => performOda(crypto, capks, profile.revoked, input),
  });
}

function terminal(card: VirtualCard | RecordingCard, wrap?: (l: VirtualLink) => ReaderLinkPort): Terminal & { link: ReaderLinkPort } {
  const clock = new VirtualClock(WALL);
  const chip = new VirtualPn532();
  chip.place(card);
  const inner = new VirtualLink(chip, clock, 'hsu', 2);
  const link = wrap ? wrap(inner) : inner;
  return { clock, reader: new Pn532Reader(link, clock), link };
}

function setup(c: { card: unknown; capk: unknown; today: string }): string {
  const crypto = bridgedWorld(call, parseScenario({ name: 'card-bench', steps: [{ do: 'boot' }] })).ports.crypto;
  const profile = parseCardProfile(undefined);
  if (!profile.ok) throw new Error('card profile defaults refused');
  const card = new RecordingCard(cardFromFile(c.card));
  const recorder = terminal(card, (l) => new RecordingLink(l)) as Terminal & { link: RecordingLink };
  const replayClock = new VirtualClock(WALL);
  const replayChip = new VirtualPn532();
  replayChip.place(cardFromFile(c.card));
  const replayLink = new VirtualLink(replayChip, replayClock, 'hsu', 2);
  replayLink.open(() => undefined);
  bench = {
    crypto, capks: parseCapkTable(c.capk), profile: profile.value, today: c.today,
    metered: terminal(cardFromFile(c.card)), recorder: { ...recorder, card }, replay: { clock: replayClock, link: replayLink },
    lone: cardFromFile(c.card), warmWrites: [], writes: [], capdus: [],
  };
  return 'ok';
}

const summary = (r: EmvReadResult) => `${r.cryptogram}, ODA ${r.oda.method} ${r.oda.ok ? 'ok' : r.oda.failure}, field 55 of ${r.icc.length} B`;

async function record(): Promise<string> {
  const b = bench!;
  const { recorder } = b;
  recorder.link.writes = b.warmWrites;
  await drive(recorder.clock, readOnce(recorder));
  recorder.link.writes = b.writes;
  recorder.card.capdus = b.capdus;
  const read = await drive(recorder.clock, readOnce(recorder));
  recorder.link.writes = undefined;
  recorder.card.capdus = undefined;
  // The replay chip starts where the metered one does after its first read: woken, configured.
  await replayWrites(b.warmWrites);
  return `${summary(read)}; ${b.capdus.length} APDUs, ${b.writes.length} link writes of ${b.writes.reduce((s, w) => s + w.length, 0)} B`;
}

async function replayWrites(writes: readonly Uint8Array[]): Promise<void> {
  const { clock, link } = bench!.replay;
  for (const w of writes) {
    link.write(w);
    for (let steps = 0; clock.pendingTimers > 0 && steps < MAX_STEPS; steps++) await clock.advanceToNextTimer();
  }
}

function run(command: { what: string; n: number; inputs?: string[] } & Parameters<typeof setup>[0], holder: { result?: ArrayBuffer }): string | undefined {
  const reply = (s: string) => (holder.result = text.encode(s).slice().buffer);
  const later = (work: () => Promise<string>) => {
    work().then(reply, (e: unknown) => reply(`error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`));
    return undefined;
  };
  const { what, n } = command;
  if (what === 'setup') return setup(command);
  if (what === 'tlvSetup') return ((tlvInputs = command.inputs!.map(fromHex)), `${tlvInputs.length} inputs`);
  if (what === 'tlvCheck') return tlvInputs.map((i) => shapeOurs(parseTlv(i))).join('\n');
  if (what === 'tlv') return String(ourParses(tlvInputs, n));
  const b = bench!;
  if (what === 'record') return later(record);
  if (what === 'read')
    return later(async () => {
      let last: EmvReadResult | undefined;
      for (let i = 0; i < n; i++) last = await drive(b.metered.clock, readOnce(b.metered));
      return summary(last!);
    });
  if (what === 'sim')
    return later(async () => {
      for (let i = 0; i < n; i++) await replayWrites(b.writes);
      return 'ok';
    });
  if (what === 'direct')
    return later(async () => {
      const channel: ApduChannel = { transmit: async (apdu) => b.lone.answer(apdu) };
      let last: EmvReadResult | undefined;
      for (let i = 0; i < n; i++) {
        b.lone.reset();
        last = await emvRead(channel);
      }
      return summary(last!);
    });
  if (what === 'card') {
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      b.lone.reset();
      for (const c of b.capdus) bytes += b.lone.answer(c).length;
    }
    return `${bytes / n} B answered`;
  }
  throw new Error(`unknown card bench command ${what}`);
}

globalThis.handleCommand = (message: ArrayBuffer) => {
  const holder: { result?: ArrayBuffer } = {};
  try {
    const reply = run(JSON.parse(text.decode(new Uint8Array(message))), holder);
    if (reply !== undefined) holder.result = text.encode(reply).slice().buffer;
  } catch (e) {
    holder.result = text.encode(`error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`).slice().buffer;
  }
  return holder;
};
