/**
 * The contactless card reader port on a PN532: identify, the chip's own tests, one poll for a
 * card (ISO/IEC 14443-A at 106 kbps, then B when the firmware supports it), APDUs through
 * InDataExchange and the card's release. Errors leave this boundary as PortError 'reader' whose
 * message starts with the CardError code ("pn532-timeout: no ACK to command 0x02 in 100 ms").
 */
import { PortError, type CardPresence, type CardReaderPort, type ClockPort, type ReaderCheck, type ReaderLinkPort } from '../../ports';
import { CardError } from '../errors';
import { hex2, sameBytes, SUPPORT_ISO14443B, TEST_ANTENNA, TEST_LINE, TEST_RAM, TEST_ROM } from './commands';
import { Pn532, type Pn532Options } from './driver';

/** IC byte of GetFirmwareVersion for a PN532 (§7.2.2). */
const IC_PN532 = 0x32;
/**
 * Diagnose antenna test threshold (§7.2.1): bit 0 enables the detection, bits 6…4 the high and
 * bits 2…1 the low current threshold (mid settings).
 */
const ANTENNA_THRESHOLD = 0x25;
/** InListPassiveTarget polls at most this many times per detect (MxRtyPassiveActivation; FF would wait for ever). */
const PASSIVE_RETRIES = 0x02;
/** The line test's pattern: both start-code bytes and alternating bits, so a framing slip shows. */
const LINE_PATTERN = Object.freeze([0x00, 0xff, 0x55, 0xaa, 0x01, 0x80, 0x7f, 0xfe]);

/** Whether an error means the chip said nothing at all (rather than something wrong). */
function silent(error: unknown): boolean {
  return error instanceof CardError && (error.code === 'pn532-timeout' || error.code === 'reader-fault');
}

function describe(error: unknown): string {
  if (error instanceof CardError) return `${error.code}: ${error.message}`;
  if (error instanceof PortError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function portError(error: unknown): PortError {
  return error instanceof PortError ? error : new PortError('reader', describe(error));
}

export class Pn532Reader implements CardReaderPort {
  readonly fitted = true;
  readonly #chip: Pn532;
  /** Woken, retries set and firmware read since construction (or the last failure). */
  #ready = false;
  #support = 0;
  /** The target of the last detect, 0 when none. */
  #tg = 0;
  /**
   * Held by the operation talking to the chip (the driver takes one command at a time): the
   * runtime's card poll, a self-test and a sale's APDUs queue behind it. Each hold ends within
   * the driver's timeouts.
   */
  #held: Promise<void> | undefined;
  #unlock: (() => void) | undefined;

  constructor(link: ReaderLinkPort, clock: ClockPort, options?: Pn532Options) {
    this.#chip = new Pn532(link, clock, options);
  }

  async identify(): Promise<{ model: string; firmware: string }> {
    await this.#acquire();
    try {
      // GetFirmwareVersion alone (on HSU the driver sends the wake-up before it): a chip whose
      // SAM configuration fails still says who it is.
      const fw = await this.#chip.firmwareVersion();
      this.#support = fw.support;
      return { model: fw.ic === IC_PN532 ? 'PN532' : `PN5xx IC 0x${hex2(fw.ic)}`, firmware: `v${fw.ver}.${fw.rev}` };
    } catch (error) {
      throw portError(error);
    } finally {
      this.#releaseHold();
    }
  }

  async selfCheck(): Promise<readonly ReaderCheck[]> {
    await this.#acquire();
    try {
      return await this.#selfCheck();
    } finally {
      this.#releaseHold();
    }
  }

  async #selfCheck(): Promise<readonly ReaderCheck[]> {
    this.#ready = false;
    let sam: ReaderCheck;
    try {
      await this.#chip.wake();
      sam = { test: 'sam', ok: true, detail: 'SAMConfiguration normal mode accepted' };
    } catch (error) {
      sam = { test: 'sam', ok: false, detail: describe(error) };
    }
    let firmware: ReaderCheck;
    try {
      const fw = await this.#chip.firmwareVersion();
      this.#support = fw.support;
      const version = `v${fw.ver}.${fw.rev}`;
      firmware = fw.ic === IC_PN532
        ? { test: 'firmware', ok: true, detail: `PN532 ${version}, support 0x${hex2(fw.support)}` }
        : { test: 'firmware', ok: false, detail: `IC 0x${hex2(fw.ic)} ${version} is not a PN532` };
    } catch (error) {
      if (silent(error)) throw portError(error);
      firmware = { test: 'firmware', ok: false, detail: describe(error) };
    }
    const pattern = new Uint8Array(LINE_PATTERN);
    let line: ReaderCheck;
    try {
      const echo = await this.#chip.diagnose(TEST_LINE, pattern);
      line = sameBytes(echo, pattern)
        ? { test: 'line', ok: true, detail: `echo of ${pattern.length} bytes matches` }
        : { test: 'line', ok: false, detail: `echo of ${echo.length} bytes differs from the ${pattern.length} sent` };
    } catch (error) {
      line = { test: 'line', ok: false, detail: describe(error) };
    }
    const rom = await this.#resultTest('rom', TEST_ROM, undefined, 'ROM checksum');
    const ram = await this.#resultTest('ram', TEST_RAM, undefined, 'RAM integrity');
    const antenna = await this.#resultTest('antenna', TEST_ANTENNA, new Uint8Array([ANTENNA_THRESHOLD]), 'antenna');
    this.#ready = sam.ok && firmware.ok;
    if (this.#ready) {
      try {
        await this.#chip.setRetries(0xff, 0x01, PASSIVE_RETRIES);
      } catch {
        this.#ready = false; // detect sets them again
      }
    }
    return [firmware, line, rom, ram, antenna, sam];
  }

  async detect(): Promise<CardPresence> {
    await this.#acquire();
    try {
      await this.#prepare();
      if (this.#tg !== 0) {
        const tg = this.#tg;
        this.#tg = 0;
        await this.#chip.release(tg).catch(() => undefined);
      }
      let target = await this.#chip.listPassiveTarget('A106');
      if (!target && this.#support & SUPPORT_ISO14443B) target = await this.#chip.listPassiveTarget('B106');
      if (!target) return { kind: 'none' };
      this.#tg = target.tg;
      return { kind: 'contactless', uid: target.uid };
    } catch (error) {
      this.#ready = false;
      throw portError(error);
    } finally {
      this.#releaseHold();
    }
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    await this.#acquire();
    try {
      if (this.#tg === 0) throw new PortError('reader', 'no card in the field: detect first');
      return await this.#chip.dataExchange(this.#tg, apdu);
    } catch (error) {
      throw portError(error);
    } finally {
      this.#releaseHold();
    }
  }

  /**
   * InRelease of the card detected last, in the background (queued like any operation; its
   * failure is nobody's): the promise settles, never rejecting, once the chip has answered.
   */
  release(): Promise<void> | undefined {
    const tg = this.#tg;
    if (tg === 0) return undefined;
    this.#tg = 0;
    return this.#releaseTarget(tg);
  }

  /** Closes the link to the chip; nothing fires afterwards. */
  close(): void {
    this.#chip.close();
  }

  async #releaseTarget(tg: number): Promise<void> {
    await this.#acquire();
    try {
      await this.#chip.release(tg);
    } catch {
      // The card or the chip is gone: the next detect starts afresh.
    } finally {
      this.#releaseHold();
    }
  }

  /** Waits until no operation holds the chip, then holds it. */
  /*
   * Always awaited, even for a free chip: the await ends the first synchronous run from the
   * sale down to the reader link. Taking a free chip without it (4c7c0f3) made that run deeper
   * and overflowed the board's 512-slot XS stack in mcsim at the tap's first detect.
   */
  async #acquire(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise<void>((resolve) => (this.#unlock = resolve));
  }

  #releaseHold(): void {
    const unlock = this.#unlock;
    this.#held = this.#unlock = undefined;
    unlock?.();
  }

  /** Wake-up, SAM normal mode, bounded retries and the firmware's support byte, once. */
  async #prepare(): Promise<void> {
    if (this.#ready) return;
    await this.#chip.wake();
    await this.#chip.setRetries(0xff, 0x01, PASSIVE_RETRIES);
    this.#support = (await this.#chip.firmwareVersion()).support;
    this.#ready = true;
  }

  async #resultTest(test: ReaderCheck['test'], numTst: number, data: Uint8Array | undefined, what: string): Promise<ReaderCheck> {
    try {
      const result = await this.#chip.diagnose(numTst, data);
      return result[0] === 0x00
        ? { test, ok: true, detail: `${what} good` }
        : { test, ok: false, detail: `${what} test result 0x${hex2(result[0])}` };
    } catch (error) {
      return { test, ok: false, detail: describe(error) };
    }
  }
}
