/**
 * A card sale as the ECR asks for it (runtime/cardDuties.ts), beyond the shipped card-*
 * scenarios: CANCEL and the 30 s timeout on the present screen, a one-button board meeting a
 * card that asks for an online PIN, a swiped chip card when the profile forbids fallback, and
 * reader evidence after three reads in a row fail with the same reader error (judged by the
 * diagnosis as dev.reader, likely), with the real reader's errors (PortError 'reader' naming the
 * pn532 code; Pn532Reader over host-sim's virtual PN532 gone silent). Fallback's field 22 is CUP's 80.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTerminal, type Terminal } from '../../firmware/core/runtime/terminal';
import { CardDuties, PRESENT_TIMEOUT_MS, READER_EVIDENCE_RUN, type CardDutiesDeps } from '../../firmware/core/runtime/cardDuties';
import { CardError } from '../../firmware/core/card/errors';
import { adviceRequest, entryMode, saleField60 } from '../../firmware/core/host/messages';
import { gatherEvidence } from '../../firmware/core/diagnosis/gather';
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import type { TerminalEvent } from '../../firmware/core/runtime/events';
import { PortError, type CardPresence, type CardReaderPort, type ClockPort, type Ports } from '../../firmware/core/ports';
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import { VirtualLink } from '../../host-sim/cards/virtualLink';
import { VirtualPn532 } from '../../host-sim/cards/virtualPn532';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { cardFromFile } from '../../host-sim/cards/virtualCard';
import { drive, driveIdle } from '../../host-sim/scenario/hostSteps';
import { FakeClock } from '../card/pn532Fakes';
import { startWorld } from '../../host-sim/world';
import { driveUntil, scenarioWith, screenText } from './world';

const SAMPLES = join(__dirname, '../../host-sim/cards/samples');
const card = (name: string) => cardFromFile(JSON.parse(readFileSync(join(SAMPLES, `${name}.json`), 'utf8')));

async function booted(changes: Record<string, unknown>) {
  // Started with its acquirer on loopback (startWorld), as the scenario driver runs it.
  const world = await startWorld(scenarioWith({ capk: 'capk/cards.json', ...changes }));
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  await driveIdle(world, terminal);
  return { world, terminal };
}

async function sale(world: Awaited<ReturnType<typeof booted>>['world'], terminal: Terminal, amountMinor: number, during?: () => void) {
  const pending = terminal.cardSale(amountMinor);
  await driveUntil(world, () => terminal.view === 'card-present');
  during?.();
  return drive(world, pending);
}

describe('a card sale from the ECR', () => {
  it('CANCEL on the present screen ends the sale before any read, with its screen', async () => {
    const { world, terminal } = await booted({ lang: 'en', device: { keypad: 'pin-pad', reader: { pn532: { link: 'hsu' } } } });
    const outcome = await sale(world, terminal, 1000, () => world.keypad.press('cancel'));
    expect(outcome).toMatchObject({ kind: 'refused', code: 'card.cancelled' });
    expect(terminal.view).toBe('card-cancelled');
    expect(screenText(world)).toContain('Sale cancelled');
    terminal.stop();
    await world.close();
  });

  it('gives up after 30 s with no card, polling the reader meanwhile', async () => {
    const { world, terminal } = await booted({ lang: 'zh', device: { reader: { pn532: { link: 'i2c' } } } });
    const started = world.clock.uptimeMs();
    const outcome = await sale(world, terminal, 1000);
    expect(outcome).toMatchObject({ kind: 'refused', code: 'card.timeout' });
    expect(world.clock.uptimeMs() - started).toBeGreaterThanOrEqual(PRESENT_TIMEOUT_MS);
    expect(screenText(world)).toContain('未读到卡片，交易已取消');
    terminal.stop();
    await world.close();
  });

  it('a one-button board says it cannot take the PIN a card asks for, and sends nothing', async () => {
    const { world, terminal } = await booted({ lang: 'en', device: { keypad: 'one-button', reader: { contact: true } } });
    const outcome = await sale(world, terminal, 5000, () => world.cards!.insert(card('visa-contact-pin')));
    expect(outcome).toMatchObject({ kind: 'refused', code: 'card.pin-unavailable', card: { entry: 'contact', cvm: 'online-pin', pan: '476173******0010' } });
    expect(terminal.view).toBe('card-pinUnavailable');
    expect(screenText(world)).toContain('PIN pad');
    expect(world.acquirer?.log.some((e) => e.mti === '0200') ?? false).toBe(false);
    terminal.stop();
    await world.close();
  });

  it("asks for a swiped chip card to be inserted and, without a chip failure, never takes the swipe", async () => {
    const { world, terminal } = await booted({ lang: 'zh', device: { keypad: 'pin-pad', reader: { magstripe: true } } });
    const pending = terminal.cardSale(3000);
    await driveUntil(world, () => terminal.view === 'card-present');
    world.cards!.swipe(';6212345678901232=301220112345000000?');
    await driveUntil(world, () => terminal.view === 'card-insert');
    expect(screenText(world)).toContain('请插卡');
    world.cards!.swipe(';6212345678901232=301220112345000000?');
    await world.clock.settle();
    expect(terminal.view).toBe('card-insert');
    world.keypad.press('cancel');
    expect(await drive(world, pending)).toMatchObject({ kind: 'refused', code: 'card.cancelled' });
    terminal.stop();
    await world.close();
  });

  it('judges a card\'s expiry by the local date (profile card.utcOffsetMinutes, China +480), not by the RTC\'s UTC', async () => {
    // 2026-11-30T20:00Z is already 2026-12-01 in Beijing: a card good through November 2026 has expired.
    const track = ';6212345678901232=261110112345000000?';
    const late = await booted({ lang: 'en', rtc: '2026-11-30T20:00:00Z', device: { reader: { magstripe: true } } });
    const pending = late.terminal.cardSale(1000);
    await driveUntil(late.world, () => late.terminal.view === 'card-present');
    late.world.cards!.swipe(track);
    const refusedLate = await drive(late.world, pending);
    const lateScreen = screenText(late.world);
    late.terminal.stop();
    await late.world.close();
    expect(refusedLate).toMatchObject({ kind: 'refused', code: 'card.card-expired' });
    expect(lateScreen).toContain('The card has expired');
    // Five hours earlier it is still 30 November in Beijing: the swipe goes to the host.
    const early = await booted({ lang: 'en', rtc: '2026-11-30T15:00:00Z', device: { reader: { magstripe: true } } });
    const sold = early.terminal.cardSale(1000);
    await driveUntil(early.world, () => early.terminal.view === 'card-present');
    early.world.cards!.swipe(track);
    const answered = await drive(early.world, sold);
    early.terminal.stop();
    await early.world.close();
    expect(answered).toMatchObject({ kind: 'answered', card: { entry: 'magstripe' } });
  });

  it("writes field 22 as 80 for a fallback swipe (CUP: magnetic stripe, fallback from chip)", () => {
    expect(entryMode('magstripe', false, true)).toBe('802');
    expect(entryMode('magstripe', true, true)).toBe('801');
    expect(entryMode('magstripe', false)).toBe('022');
    expect(entryMode('contact', false, true)).toBe('052');
  });

  it('marks a fallback sale in field 60.5 too (2: the last read was of an IC card and failed), and its offline advice keeps it', () => {
    expect(saleField60(7, true)).toBe('22' + '000007' + '000' + '6' + '2');
    expect(saleField60(7)).toBe('22' + '000007' + '000' + '6' + '0');
    const ids = { terminalId: '10240001', merchantId: '898440154110001', currency: '156' };
    const advice = adviceRequest(ids, { stan: '000009', amountMinor: 100, entryMode: '802', field60: saleField60(7, true), ic: false, track2: '6212345678901234=27121010000000000' } as never, 7);
    expect(advice.fields.get(60)).toBe('30' + '000007' + '000' + '62');
  });
});

describe('reader evidence from failed reads', () => {
  /**
   * A reader that fails every command with `error`; a card is in its field for `sees` polls after
   * each presentation (the poll that finds it, the look after the failed read that finds it still there).
   */
  const failingReader = (error: () => Error) => {
    const reader = {
      sees: 0,
      fitted: true,
      identify: async () => ({ model: 'fake', firmware: '0' }),
      selfCheck: async () => [],
      detect: async () => (reader.sees-- > 0 ? { kind: 'contactless' as const, uid: Uint8Array.of(1, 2, 3, 4) } : { kind: 'none' as const }),
      transmit: async (): Promise<Uint8Array> => {
        throw error();
      },
      release: () => undefined,
    };
    return reader;
  };

  function duties<R extends CardReaderPort>(reader: R, clock: ClockPort = new FakeClock()) {
    const events: TerminalEvent[] = [];
    const traces: string[] = [];
    const unfitted = { fitted: false, check: async () => ({ ok: false, detail: '' }), start: () => undefined, stop: () => undefined };
    const ports = {
      clock,
      reader,
      contact: { ...reader, fitted: false },
      magstripe: unfitted,
      scanner: unfitted,
      keypad: { layout: 'pin-pad', start: () => undefined, stop: () => undefined, held: () => [] },
      crypto: { randomBytes: (n: number) => new Uint8Array(n) },
      settings: { get: () => undefined, set: () => undefined, delete: () => undefined },
      trace: (line: string) => traces.push(line),
    } as unknown as Ports;
    const shown: string[] = [];
    const deps: CardDutiesDeps = {
      ports,
      cbor: { encode: () => new Uint8Array(0), decode: () => undefined } as unknown as CardDutiesDeps['cbor'],
      state: () => 'ready',
      stopped: () => false,
      keys: () => ({ key: () => undefined }) as unknown as ReturnType<CardDutiesDeps['keys']>,
      acquirerProfile: () => undefined,
      showCard: (s) => shown.push(s.kind === 'notice' ? s.notice : s.kind),
      hostSale: async () => ({ kind: 'refused', code: 'unused', detail: '' }),
      record: (_type, value) => events.push(value as TerminalEvent),
    };
    return { cards: new CardDuties(deps), clock, events, shown, reader, traces };
  }

  /** One sale: the card is seen, the read fails, the terminal asks again; CANCEL ends it. */
  async function failedSale(d: ReturnType<typeof duties<ReturnType<typeof failingReader>>>) {
    d.shown.length = 0;
    d.reader.sees = 2;
    const pending = d.cards.sale(1000);
    for (let i = 0; i < 20 && !d.shown.includes('readFailed'); i++) {
      (d.clock as FakeClock).advance(250);
      await new Promise((r) => setImmediate(r));
    }
    d.cards.key('cancel');
    return pending;
  }

  it(`makes one reader-error event after ${READER_EVIDENCE_RUN} reads in a row fail with the same reader error, which the diagnosis weighs against the reader`, async () => {
    // As Pn532Reader throws: PortError 'reader' whose message starts with the chip's CardError code.
    const d = duties(failingReader(() => new PortError('reader', 'pn532-timeout: no answer to command 0x40 in 500 ms')));
    for (let i = 0; i < READER_EVIDENCE_RUN - 1; i++) expect(await failedSale(d)).toMatchObject({ code: 'card.cancelled' });
    expect(d.events).toEqual([]);
    await failedSale(d);
    expect(d.events).toEqual([expect.objectContaining({ kind: 'reader-error', error: 'pn532-timeout', reads: READER_EVIDENCE_RUN, interface: 'contactless' })]);
    const evidence = gatherEvidence({ events: d.events, history: [], now: { wallMs: 0, uptimeMs: 0 } });
    expect(evidence).toEqual([expect.objectContaining({ code: 'reader.repeated-error', family: 'device', source: 'reader', status: 'warn' })]);
    const judged = diagnose(evidence, [], { wallMs: 0, uptimeMs: 0 });
    expect(judged.causes.find((c) => c.id === 'dev.reader')).toMatchObject({ status: 'likely' });
  });

  it("counts no card's fault (malformed data, a refused command) as the reader's", async () => {
    const d = duties(failingReader(() => new CardError('tlv-malformed', 'bad record')));
    for (let i = 0; i < READER_EVIDENCE_RUN + 1; i++) await failedSale(d);
    expect(d.events).toEqual([]);
  });

  it('counts a different pn532 error as a new run: the same error means the same chip error, not any PortError', async () => {
    let n = 0;
    const d = duties(failingReader(() => new PortError('reader', n++ % 2 ? 'pn532-status: InDataExchange status 0x01' : 'pn532-timeout: no ACK')));
    for (let i = 0; i < READER_EVIDENCE_RUN + 1; i++) await failedSale(d);
    expect(d.events).toEqual([]);
  });

  /**
   * The real contract: Pn532Reader over the virtual PN532 (host-sim), the chip going silent
   * ('no-answer') once the read has started, so the look after the failed read throws too.
   */
  class SilencedOnRead implements CardReaderPort {
    readonly fitted = true;
    constructor(readonly inner: Pn532Reader, readonly chip: VirtualPn532) {}
    identify() { return this.inner.identify(); }
    selfCheck() { return this.inner.selfCheck(); }
    detect(): Promise<CardPresence> { return this.inner.detect(); }
    transmit(apdu: Uint8Array) {
      this.chip.setFaults(['no-answer']);
      return this.inner.transmit(apdu);
    }
    release() { this.inner.release(); }
  }

  it("a PN532 gone silent mid-read is the reader's failure (pn532-timeout evidence), not a removed card", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const chip = new VirtualPn532();
    chip.place(card('unionpay-contactless-dda'));
    const reader = new SilencedOnRead(new Pn532Reader(new VirtualLink(chip, clock, 'hsu', 2), clock), chip);
    const d = duties(reader, clock);
    for (let sale = 0; sale < READER_EVIDENCE_RUN; sale++) {
      chip.setFaults([]);
      d.shown.length = 0;
      const pending = d.cards.sale(1000);
      for (let i = 0; i < 2000 && !d.shown.includes('readFailed') && !d.shown.includes('removed'); i++) if (!(await clock.advanceToNextTimer())) await clock.settle();
      expect(d.shown).toContain('readFailed');
      expect(d.shown).not.toContain('removed');
      d.cards.key('cancel');
      let done = false;
      void pending.finally(() => (done = true));
      for (let i = 0; i < 2000 && !done; i++) if (!(await clock.advanceToNextTimer())) await clock.settle();
      expect(await pending).toMatchObject({ code: 'card.cancelled' });
    }
    expect(d.events).toEqual([expect.objectContaining({ kind: 'reader-error', error: 'pn532-timeout', reads: READER_EVIDENCE_RUN, interface: 'contactless' })]);
    expect(d.traces.filter((t) => t.startsWith('contactless look after the failed read'))).toEqual(Array(READER_EVIDENCE_RUN).fill(expect.stringContaining('pn532-timeout')));
  });
});

describe('a contact chip failure and the magstripe', () => {
  const CHIP_TRACK = ';6212345678901232=301220112345000000?';
  /** A contact slot whose card fails every command with `error` while inserted; a magstripe module the test swipes. */
  /** The fake clock with a wall time in 2026 (the swiped card expires 2030-12). */
  class WallClock extends FakeClock {
    override wallMs() {
      return Date.UTC(2026, 0, 1) + this.now;
    }
  }
  function slotDuties(error: () => Error, options: { magstripeStart?: () => void; atr?: Uint8Array } = {}) {
    const clock = new WallClock();
    const slot = {
      inserted: false,
      fitted: true,
      identify: async () => ({ model: 'slot', firmware: '0' }),
      selfCheck: async () => [],
      // ATR 3B 00: direct convention, no interface bytes, T=0 (ISO/IEC 7816-3).
      detect: async (): Promise<CardPresence> => (slot.inserted ? { kind: 'contact', atr: options.atr ?? Uint8Array.of(0x3b, 0x00) } : { kind: 'none' }),
      commands: 0,
      transmit: async (): Promise<Uint8Array> => {
        slot.commands++;
        throw error();
      },
      release: () => undefined,
    };
    const magstripe = {
      fitted: true,
      onSwipe: undefined as ((t: string) => void) | undefined,
      check: async () => ({ ok: true, detail: '' }),
      start(cb: (t: string) => void) {
        options.magstripeStart?.();
        magstripe.onSwipe = cb;
      },
      stop() {
        magstripe.onSwipe = undefined;
      },
    };
    const unfitted = { fitted: false, check: async () => ({ ok: false, detail: '' }), start: () => undefined, stop: () => undefined };
    const traces: string[] = [];
    const ports = {
      clock,
      reader: { ...slot, fitted: false },
      contact: slot,
      magstripe,
      scanner: unfitted,
      keypad: { layout: 'pin-pad', start: () => undefined, stop: () => undefined, held: () => [] },
      crypto: { randomBytes: (n: number) => new Uint8Array(n) },
      settings: { get: () => undefined, set: () => undefined, delete: () => undefined },
      trace: (line: string) => traces.push(line),
    } as unknown as Ports;
    const shown: string[] = [];
    const sent: unknown[] = [];
    const events: TerminalEvent[] = [];
    const deps: CardDutiesDeps = {
      ports,
      cbor: { encode: () => new Uint8Array(0), decode: () => undefined } as unknown as CardDutiesDeps['cbor'],
      state: () => 'ready',
      stopped: () => false,
      keys: () => ({ key: () => undefined }) as unknown as ReturnType<CardDutiesDeps['keys']>,
      acquirerProfile: () => undefined, // CARD_DEFAULTS: fallback 'after-chip-failure'
      showCard: (s) => shown.push(s.kind === 'notice' ? s.notice : s.kind),
      hostSale: async (request) => {
        sent.push(request);
        return { kind: 'answered', code: '00' } as never;
      },
      record: (_type, value) => events.push(value as TerminalEvent),
    };
    return { cards: new CardDuties(deps), clock, slot, magstripe, shown, sent, traces, events };
  }
  const turn = async (d: { clock: FakeClock }, ms = 250) => {
    d.clock.advance(ms);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };

  /** Inserts the failing card, waits for the read to fail, takes it out and swipes the chip card's track. */
  async function insertThenSwipe(d: ReturnType<typeof slotDuties>) {
    const pending = d.cards.sale(7000);
    d.slot.inserted = true;
    for (let i = 0; i < 20 && d.shown.length < 3; i++) await turn(d);
    d.slot.inserted = false;
    d.shown.length = 0;
    d.magstripe.onSwipe!(CHIP_TRACK);
    await turn(d);
    return pending;
  }

  it('a technical chip failure (malformed data) lets the swipe through as fallback', async () => {
    const d = slotDuties(() => new CardError('tlv-malformed', 'record SFI 1 1 is not a 70 template (offset 0)'));
    const outcome = await insertThenSwipe(d);
    expect(outcome).toMatchObject({ code: '00', card: { entry: 'fallback' } });
    expect(d.sent).toEqual([expect.objectContaining({ entry: 'magstripe', fallback: true })]);
  });

  it.each([
    ['card-removed', 'the card left the slot'],
    ['cardholder-cancelled', 'the cardholder cancelled the choice'],
    ['limit-exceeded', 'over the limit'],
  ] as const)('after %s the chip works: the swiped chip card is asked to be inserted, nothing is sent', async (code, message) => {
    const d = slotDuties(() => new CardError(code, message));
    const pending = insertThenSwipe(d);
    await turn(d);
    expect(d.shown).toEqual(['insert']);
    d.cards.key('cancel');
    expect(await pending).toMatchObject({ code: 'card.cancelled' });
    expect(d.sent).toEqual([]);
  });

  describe("the contact card's ATR", () => {
    // ISO/IEC 7816-3 §8.2: 3B 80 01 81 offers T=1 only (TD1 = 01), so TCK follows (80 ^ 01 = 81).
    it.each([
      ['a bad TCK', '3B800180', 'TCK'],
      ['T=1 only', '3B800181', 'T=1 only'],
      ['neither T=0 nor T=1 (T=2)', '3B800282', 'neither T=0 nor T=1'],
    ])('%s: atr-malformed before any command', async (_what, atrHex, says) => {
      const d = slotDuties(() => new CardError('card-status', 'unused'), { atr: Uint8Array.from(Buffer.from(atrHex, 'hex')) });
      const pending = d.cards.sale(7000);
      d.slot.inserted = true;
      for (let i = 0; i < 20 && !d.shown.includes('readFailed'); i++) await turn(d);
      d.cards.key('cancel');
      await turn(d);
      await pending;
      expect(d.slot.commands).toBe(0);
      expect(d.traces.some((t) => t.startsWith('contact read failed: ') && t.includes('atr-malformed') && t.includes(says))).toBe(true);
    });
  });
});

describe('a magstripe module whose UART will not start', () => {
  it('is traced and left out: the sale still takes the chip card in the slot', async () => {
    const { world, terminal } = await booted({ lang: 'en', device: { keypad: 'pin-pad', reader: { contact: true, magstripe: true } } });
    const traces: string[] = [];
    const trace = world.ports.trace;
    world.ports.trace = (line: string) => {
      traces.push(line);
      trace(line);
    };
    world.ports.magstripe.start = () => {
      throw new Error('UART 2 would not open');
    };
    const outcome = await sale(world, terminal, 5000, () => world.cards!.insert(card('visa-contact-pin')));
    // The chip read went on to the PIN entry the card asks for (the board has a PIN pad).
    expect(terminal.view).not.toBe('card-readFailed');
    expect(outcome).not.toMatchObject({ code: 'card.failed' });
    expect(traces.some((t) => t.startsWith('magstripe start failed: ') && t.includes('UART 2 would not open'))).toBe(true);
    terminal.stop();
    await world.close();
  });
});

describe('terminal.stop() during a card sale', () => {
  it('on the present screen: the sale settles now as card.stopped, its 30 s timer and poll gone', async () => {
    const { world, terminal } = await booted({ lang: 'en', device: { keypad: 'pin-pad', reader: { pn532: { link: 'hsu' }, contact: true, magstripe: true } } });
    const pending = terminal.cardSale(1000);
    await driveUntil(world, () => terminal.view === 'card-present');
    const started = world.clock.uptimeMs();
    let settled = false;
    void pending.then(() => (settled = true));
    terminal.stop();
    await world.clock.settle();
    expect(settled).toBe(true);
    expect(await pending).toMatchObject({ kind: 'refused', code: 'card.stopped' });
    expect(world.clock.uptimeMs() - started).toBeLessThan(PRESENT_TIMEOUT_MS);
    await world.close();
  });

  it('during the PIN entry: the sale settles as card.stopped and nothing goes to the host', async () => {
    const { world, terminal } = await booted({ lang: 'en', device: { keypad: 'pin-pad', reader: { contact: true } } });
    const pending = terminal.cardSale(5000);
    await driveUntil(world, () => terminal.view === 'card-present');
    world.cards!.insert(card('visa-contact-pin'));
    await driveUntil(world, () => terminal.view === 'card-pin');
    let settled = false;
    void pending.then(() => (settled = true));
    terminal.stop();
    await world.clock.settle();
    expect(settled).toBe(true);
    expect(await pending).toMatchObject({ kind: 'refused', code: 'card.stopped', card: { cvm: 'online-pin' } });
    expect(world.acquirer?.log.some((e) => e.mti === '0200') ?? false).toBe(false);
    await world.close();
  });
});

describe('the card poll', () => {
  it('reuses one timer callback for every 250 ms poll (no closure per poll)', async () => {
    const { world, terminal } = await booted({ lang: 'en', device: { keypad: 'pin-pad', reader: { pn532: { link: 'hsu' }, contact: true } } });
    const callbacks: (() => void)[] = [];
    const setTimer = world.ports.clock.setTimer.bind(world.ports.clock);
    world.ports.clock.setTimer = (delayMs: number, callback: () => void) => {
      if (delayMs === 250) callbacks.push(callback);
      return setTimer(delayMs, callback);
    };
    const outcome = await sale(world, terminal, 1000, () => world.keypad.press('cancel'));
    expect(outcome).toMatchObject({ code: 'card.cancelled' });
    // The first poll is scheduled at once (0 ms); each later one 250 ms after the last.
    const pending = terminal.cardSale(1000);
    await driveUntil(world, () => callbacks.length >= 4);
    world.keypad.press('cancel');
    await drive(world, pending);
    expect(new Set(callbacks).size).toBe(1);
    terminal.stop();
    await world.close();
  });
});
