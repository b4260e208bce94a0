/**
 * A virtual NXP PN532 as a host controller sees it on its HSU or I2C link: it takes the
 * host's frames (virtualPn532Frames.ts), answers ACK and then the D5 answer, byte for byte as
 * UM0701-02 §7 describes, with a contactless card in its field or none. Enough of the command
 * set for the core's driver and for libnfc's pn532_uart driver (nfc-list): GetFirmwareVersion,
 * SAMConfiguration, RFConfiguration, SetParameters, Read/WriteRegister over a CIU register
 * file, PowerDown, Diagnose, InListPassiveTarget (106 kbps type A), InAutoPoll,
 * InDataExchange with MI chaining both ways, InSelect, InDeselect, InRelease, GetGeneralStatus,
 * Read/WriteGPIO; DEP and raw commands find no target. Unknown commands get the syntax error
 * frame. Faults make it misbehave as broken readers do. Engine-neutral: the XS lane runs it in XS.
 */
import { concatBytes } from '../../firmware/core/bytes';
import { CHIP_ACK, CHIP_NACK, ChipFrameReader, chipErrorFrame, encodeChipFrame } from './virtualPn532Frames';

export type Pn532Fault =
  /** The chip is silent: no ACK, no answer. */
  | 'no-answer'
  /** Every command is answered with NACK. */
  | 'nack-storm'
  /** Answers carry a wrong data checksum (DCS). */
  | 'checksum'
  /** Diagnose's self antenna test (NumTst 07) reports a fault. */
  | 'antenna'
  /** The card leaves the field during the next InDataExchange: status 01 (timeout), card gone. */
  | 'remove-mid-exchange';

/**
 * What the chip needs of a card in its field: the VirtualCard of host-sim/cards/virtualCard.ts
 * fits. A card without a UID, or a contact card, is not seen by the RF polling.
 */
export interface Pn532Card {
  readonly interface?: 'contactless' | 'contact';
  readonly uid?: Uint8Array;
  /** ISO/IEC 14443-4 ATS with its length byte TL first; a typical payment card's when absent. */
  readonly ats?: Uint8Array;
  /** One C-APDU in, one R-APDU out; throws when the card left the field mid-exchange. */
  answer(capdu: Uint8Array): Uint8Array;
  reset?(): void;
}

/** Version IC 32 (PN532), Ver 1, Rev 6, Support 07 (ISO/IEC 14443 A and B, ISO 18092): UM0701-02 §7.2.2. */
const FIRMWARE = Uint8Array.of(0x32, 0x01, 0x06, 0x07);
/** ATS of a typical contactless payment card: TL 06, T0 75 (TA TB TC, FSCI 5), TA 77, TB 81, TC 02, historical 80. */
const DEFAULT_ATS = Uint8Array.of(0x06, 0x75, 0x77, 0x81, 0x02, 0x80);
/** SEL_RES of an ISO/IEC 14443-4 (ISO-DEP) card. */
const SAK_ISO_DEP = 0x20;
/** DataIn in one InDataExchange answer (UM0701-02 §7.3.8: up to 262 bytes); beyond it the chip sets MI. */
const MAX_DATA_IN = 262;
/** A command the host chains with MI may total this much before the chip refuses it (internal buffer). */
const MAX_CHAINED_OUT = 4096;
/** Distinct registers the host may write (the CIU and SFR spaces together are smaller than this). */
const MAX_REGISTERS = 1024;

// Status bytes (UM0701-02 §7.1, table 7-1).
const ST_OK = 0x00;
const ST_TIMEOUT = 0x01;
const ST_INTERNAL_OVERFLOW = 0x0e;
const ST_INVALID_PARAM = 0x10;
const ST_NOT_IN_CONTEXT = 0x27;
const MI = 0x40;

// Command codes (UM0701-02 §7).
const CMD = Object.freeze({
  Diagnose: 0x00,
  GetFirmwareVersion: 0x02,
  GetGeneralStatus: 0x04,
  ReadRegister: 0x06,
  WriteRegister: 0x08,
  ReadGPIO: 0x0c,
  WriteGPIO: 0x0e,
  SetSerialBaudRate: 0x10,
  SetParameters: 0x12,
  SAMConfiguration: 0x14,
  PowerDown: 0x16,
  RFConfiguration: 0x32,
  InDataExchange: 0x40,
  InCommunicateThru: 0x42,
  InDeselect: 0x44,
  InJumpForPSL: 0x46,
  InListPassiveTarget: 0x4a,
  InPSL: 0x4e,
  InATR: 0x50,
  InRelease: 0x52,
  InSelect: 0x54,
  InJumpForDEP: 0x56,
  InAutoPoll: 0x60,
});

/**
 * CIU registers at reset (PN532 CIU = the PN512's contactless interface, mapped at 0x6301…):
 * RF field off (TxControl 80), CRC on in TxMode/RxMode, the usual receiver settings. Any other
 * address reads 00 until written.
 */
const REGISTER_RESET: readonly (readonly [number, number])[] = Object.freeze([
  [0x6301, 0x3b], // Mode
  [0x6302, 0x80], // TxMode: TxCRCEn
  [0x6303, 0x80], // RxMode: RxCRCEn
  [0x6304, 0x80], // TxControl: field off
  [0x6305, 0x00], // TxAuto
  [0x6306, 0x10], // TxSel
  [0x6307, 0x84], // RxSel
  [0x6308, 0x84], // RxThreshold
  [0x6309, 0x4d], // Demod
  [0x630c, 0x62], // MifNFC
  [0x6313, 0x88], // GsNOff
  [0x6314, 0x26], // ModWidth
  [0x6315, 0x87], // TxBitPhase
  [0x6316, 0x48], // RFCfg
  [0x6317, 0x88], // GsNOn
  [0x6318, 0x20], // CWGsP
  [0x6319, 0x20], // ModGsP
  [0x6331, 0x20], // Command: idle, receiver off
  [0x6332, 0x80], // CommIEn
  [0x6334, 0x14], // CommIrq
  [0x6337, 0x21], // Status1
  [0x633b, 0x08], // WaterLevel
  [0x633c, 0x10], // Control
  [0x633e, 0x80], // Coll
]);
const REG_TX_CONTROL = 0x6304;

type Power = 'normal' | 'power-down';

interface Target {
  card: Pn532Card;
  /** False after InDeselect: the card is halted until it is selected again. */
  active: boolean;
}

export class VirtualPn532 {
  #reader = new ChipFrameReader();
  #faults = new Set<Pn532Fault>();
  #card: Pn532Card | undefined;
  #target: Target | undefined;
  #power: Power = 'normal';
  #registers = new Map<number, number>();
  /** SetParameters flags; at reset fAutomaticATR_RES (bit 2) and fAutomaticRATS (bit 4) are set. */
  #parameters = 0x14;
  /** The PowerDown answer is out: sleep now. */
  #goingDown = false;
  #lastAnswer: Uint8Array | undefined;
  /** DataOut the host sent with MI set, waiting for the rest of the command. */
  #chainedOut: number[] = [];
  /** DataIn not yet handed over: the rest of an answer longer than one frame. */
  #chainedIn: Uint8Array | undefined;
  /** Commands taken (a count for tests: a bad frame takes none). */
  commands = 0;

  constructor(options?: { faults?: Pn532Fault[] }) {
    this.setFaults(options?.faults ?? []);
    for (const [address, value] of REGISTER_RESET) this.#registers.set(address, value);
  }

  setFaults(faults: Pn532Fault[]): void {
    this.#faults = new Set(faults);
  }

  /** Puts a card in the field, or takes it away (undefined). The chip forgets the target it had. */
  place(card: Pn532Card | undefined): void {
    this.#card = card;
    this.#target = undefined;
    this.#chainedIn = undefined;
    this.#chainedOut = [];
  }

  /** The card in the field, if any. */
  get card(): Pn532Card | undefined {
    return this.#card;
  }

  /** Whether the chip sleeps after PowerDown (it wakes on an HSU 0x55). */
  get asleep(): boolean {
    return this.#power === 'power-down';
  }

  /** Wakes the chip from power-down as the I2C address match does (HSU wakes on 0x55 in `receive`). */
  wake(): void {
    this.#power = 'normal';
    this.#reader.clear();
  }

  /** Bytes from the host in, bytes to the host out: what the chip sends, all at once. */
  receive(bytes: Uint8Array): Uint8Array {
    return concatBytes(this.receiveParts(bytes));
  }

  /**
   * Bytes from the host in; what the chip sends, as the separate transmissions a UART would
   * show (the ACK, then the answer once the command has run), in order.
   */
  receiveParts(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let from = 0;
    if (this.#power === 'power-down') {
      // Asleep the HSU listens for a wake-up byte only (UM0701-02 §7.2.11: 0x55); what comes before is lost.
      while (from < bytes.length && bytes[from] !== 0x55) from++;
      if (from === bytes.length) return out;
      this.#power = 'normal';
      this.#reader.clear();
    }
    this.#reader.push(from === 0 ? bytes : bytes.subarray(from));
    for (let frame = this.#reader.next(); frame; frame = this.#reader.next()) {
      if (this.#faults.has('no-answer')) continue;
      if (frame.kind === 'bad' || frame.kind === 'ack') continue; // a bad frame gets silence; an ACK aborts nothing here
      if (frame.kind === 'nack') {
        if (this.#lastAnswer) out.push(this.#lastAnswer);
        continue;
      }
      if (this.#faults.has('nack-storm')) {
        out.push(CHIP_NACK.slice());
        continue;
      }
      this.commands++;
      out.push(CHIP_ACK.slice());
      const answer = this.#execute(frame.code, frame.params);
      this.#lastAnswer = answer;
      out.push(answer);
      if (this.#goingDown) {
        this.#goingDown = false;
        this.#power = 'power-down';
        this.#reader.clear();
        return out;
      }
    }
    return out;
  }

  #answer(code: number, data: ArrayLike<number>): Uint8Array {
    return encodeChipFrame(code, Uint8Array.from(data), this.#faults.has('checksum'));
  }

  #error(): Uint8Array {
    return chipErrorFrame(this.#faults.has('checksum'));
  }

  #execute(code: number, p: Uint8Array): Uint8Array {
    switch (code) {
      case CMD.Diagnose:
        return this.#diagnose(p);
      case CMD.GetFirmwareVersion:
        return this.#answer(code, FIRMWARE);
      case CMD.GetGeneralStatus: {
        const field = (this.#register(REG_TX_CONTROL) & 0x03) !== 0 || this.#target ? 1 : 0;
        // Err, Field, NbTg, [Tg, BrRx, BrTx, Type], SAM status.
        const tg = this.#target ? [1, 0x01, 0x00, 0x00, 0x00] : [0];
        return this.#answer(code, [0x00, field, ...tg, 0x00]);
      }
      case CMD.ReadRegister: {
        if (p.length === 0 || p.length % 2 !== 0) return this.#error();
        const values: number[] = [];
        for (let i = 0; i < p.length; i += 2) values.push(this.#register((p[i] << 8) | p[i + 1]));
        return this.#answer(code, values);
      }
      case CMD.WriteRegister: {
        if (p.length === 0 || p.length % 3 !== 0) return this.#error();
        for (let i = 0; i < p.length; i += 3) this.#writeRegister((p[i] << 8) | p[i + 1], p[i + 2]);
        return this.#answer(code, []);
      }
      case CMD.ReadGPIO:
        return this.#answer(code, [0x3f, 0x06, 0x00]); // P3, P7, I0I1 (UM0701-02 §7.2.6)
      case CMD.WriteGPIO:
      case CMD.SetSerialBaudRate:
        return p.length >= 1 ? this.#answer(code, []) : this.#error();
      case CMD.SetParameters:
        if (p.length !== 1) return this.#error();
        this.#parameters = p[0];
        return this.#answer(code, []);
      case CMD.SAMConfiguration:
        // Mode 01 normal, 02 virtual card, 03 wired card, 04 dual card; [timeout]; [IRQ].
        if (p.length < 1 || p[0] < 1 || p[0] > 4) return this.#error();
        return this.#answer(code, []);
      case CMD.PowerDown:
        // WakeUpEnable, [GenerateIRQ]; the chip sleeps once the answer is out.
        if (p.length < 1 || p.length > 2) return this.#error();
        this.#target = undefined;
        this.#goingDown = true;
        return this.#answer(code, [ST_OK]);
      case CMD.RFConfiguration:
        return this.#rfConfiguration(p);
      case CMD.InListPassiveTarget:
        return this.#inListPassiveTarget(p);
      case CMD.InAutoPoll:
        return this.#inAutoPoll(p);
      case CMD.InDataExchange:
        return this.#inDataExchange(p);
      case CMD.InSelect:
        if (p.length !== 1) return this.#error();
        if (!this.#target || p[0] !== 1) return this.#answer(code, [ST_NOT_IN_CONTEXT]);
        this.#target.active = true;
        return this.#answer(code, [ST_OK]);
      case CMD.InDeselect:
      case CMD.InRelease:
        if (p.length !== 1) return this.#error();
        // Tg 0 means every target; the chip has at most one here.
        if (this.#target && (p[0] === 0 || p[0] === 1)) {
          if (code === CMD.InRelease) this.#target = undefined;
          else this.#target.active = false;
        }
        this.#chainedIn = undefined;
        this.#chainedOut = [];
        return this.#answer(code, [ST_OK]);
      case CMD.InJumpForDEP:
      case CMD.InJumpForPSL:
      case CMD.InATR:
      case CMD.InPSL:
      case CMD.InCommunicateThru:
        // No NFCIP-1 target and no raw-frame card in the field: the chip times out.
        return this.#answer(code, [ST_TIMEOUT]);
      default:
        return this.#error();
    }
  }

  #register(address: number): number {
    return this.#registers.get(address) ?? 0x00;
  }

  #writeRegister(address: number, value: number): void {
    if (!this.#registers.has(address) && this.#registers.size >= MAX_REGISTERS) return;
    this.#registers.set(address, value);
  }

  #diagnose(p: Uint8Array): Uint8Array {
    if (p.length < 1) return this.#error();
    switch (p[0]) {
      case 0x00: // communication line test: NumTst and InParam echoed
        return this.#answer(CMD.Diagnose, p);
      case 0x01: // ROM checksum
      case 0x02: // RAM integrity
        return this.#answer(CMD.Diagnose, [0x00]);
      case 0x04: // polling test to target (FeliCa): failures at 212 and 424 kbps, none to find
        return this.#answer(CMD.Diagnose, [0x00]);
      case 0x06: // attention request / ISO-DEP card presence: status 00 when the target still answers
        return this.#answer(CMD.Diagnose, [this.#target && this.#card === this.#target.card ? ST_OK : ST_TIMEOUT]);
      case 0x07: // self antenna test, InParam = the detector's thresholds: 00 fine, else a fault
        if (p.length !== 2) return this.#error();
        return this.#answer(CMD.Diagnose, [this.#faults.has('antenna') ? 0xff : 0x00]);
      default:
        return this.#error();
    }
  }

  #rfConfiguration(p: Uint8Array): Uint8Array {
    // CfgItem and the length of its ConfigurationData (UM0701-02 §7.3.1).
    const lengths: Record<number, number> = { 0x01: 1, 0x02: 3, 0x04: 1, 0x05: 3, 0x0a: 11, 0x0b: 8, 0x0c: 3, 0x0d: 9 };
    if (p.length < 1 || lengths[p[0]] === undefined || p.length !== 1 + lengths[p[0]]) return this.#error();
    if (p[0] === 0x01) {
      // Bit 0 RF field on, bit 1 Auto RFCA.
      const tx = this.#register(REG_TX_CONTROL);
      this.#writeRegister(REG_TX_CONTROL, p[1] & 0x01 ? tx | 0x03 : tx & ~0x03);
      if ((p[1] & 0x01) === 0) this.#target = undefined; // field off: the card loses power
    }
    return this.#answer(CMD.RFConfiguration, []);
  }

  /** The card the RF polling sees at 106 kbps type A. */
  #typeACard(): Pn532Card | undefined {
    const card = this.#card;
    if (!card || card.interface === 'contact' || !card.uid || card.uid.length === 0) return undefined;
    return card;
  }

  /** Activates the card in the field and returns its 106 kbps type A target data (Tg first). */
  #activateTypeA(card: Pn532Card): number[] {
    card.reset?.();
    this.#target = { card, active: true };
    this.#chainedIn = undefined;
    this.#chainedOut = [];
    const uid = card.uid as Uint8Array;
    // SENS_RES (ATQA) tells the UID size: single 00 04, double 00 44, triple 00 84 (ISO/IEC 14443-3 §6.5.2).
    const sens = uid.length <= 4 ? 0x04 : uid.length <= 7 ? 0x44 : 0x84;
    // Tg, SENS_RES (2), SEL_RES, NFCIDLength, NFCID1, then the ATS (with TL) when the chip sends RATS itself (SetParameters bit 4).
    const ats = this.#parameters & 0x10 ? Array.from(card.ats ?? DEFAULT_ATS) : [];
    return [0x01, 0x00, sens, SAK_ISO_DEP, uid.length, ...uid, ...ats];
  }

  #inListPassiveTarget(p: Uint8Array): Uint8Array {
    // MaxTg (1 or 2), BrTy, [InitiatorData].
    if (p.length < 2 || p[0] < 1 || p[0] > 2 || p[1] > 0x04) return this.#error();
    const card = p[1] === 0x00 ? this.#typeACard() : undefined;
    if (!card) return this.#answer(CMD.InListPassiveTarget, [0x00]);
    // InitiatorData for type A: the UID of the one card to select (cascade levels included or not).
    if (p.length > 2 && !endsWith(p.subarray(2), card.uid as Uint8Array)) return this.#answer(CMD.InListPassiveTarget, [0x00]);
    return this.#answer(CMD.InListPassiveTarget, [0x01, ...this.#activateTypeA(card)]);
  }

  #inAutoPoll(p: Uint8Array): Uint8Array {
    // PollNr, Period, Type1 … TypeN (UM0701-02 §7.3.13). Types for a 106 kbps type A card:
    // 00 generic passive 106 kbps, 10 MIFARE, 20 ISO/IEC 14443-4 type A.
    if (p.length < 3 || p.length > 17) return this.#error();
    const card = this.#typeACard();
    for (let i = 2; card && i < p.length; i++) {
      if (p[i] === 0x00 || p[i] === 0x10 || p[i] === 0x20) {
        const data = this.#activateTypeA(card);
        return this.#answer(CMD.InAutoPoll, [0x01, p[i], data.length, ...data]);
      }
    }
    return this.#answer(CMD.InAutoPoll, [0x00]);
  }

  #inDataExchange(p: Uint8Array): Uint8Array {
    if (p.length < 1) return this.#error();
    const tg = p[0] & 0x3f;
    const moreFromHost = (p[0] & MI) !== 0;
    const data = p.subarray(1);
    const target = this.#target;
    if (!target || tg !== 1 || !target.active) return this.#answer(CMD.InDataExchange, [ST_NOT_IN_CONTEXT]);
    if (this.#card !== target.card) {
      this.#target = undefined;
      return this.#answer(CMD.InDataExchange, [ST_TIMEOUT]);
    }
    // The host asks for the rest of a long answer: an empty DataOut while DataIn is pending.
    if (data.length === 0 && !moreFromHost && this.#chainedIn) return this.#handIn(this.#chainedIn);
    this.#chainedIn = undefined;
    for (let i = 0; i < data.length; i++) this.#chainedOut.push(data[i]);
    if (this.#chainedOut.length > MAX_CHAINED_OUT) {
      this.#chainedOut = [];
      return this.#answer(CMD.InDataExchange, [ST_INTERNAL_OVERFLOW]);
    }
    if (moreFromHost) return this.#answer(CMD.InDataExchange, [ST_OK]);
    const capdu = Uint8Array.from(this.#chainedOut);
    this.#chainedOut = [];
    if (capdu.length === 0) return this.#answer(CMD.InDataExchange, [ST_INVALID_PARAM]);
    if (this.#faults.has('remove-mid-exchange')) {
      this.#faults.delete('remove-mid-exchange');
      this.place(undefined);
      return this.#answer(CMD.InDataExchange, [ST_TIMEOUT]);
    }
    let rapdu: Uint8Array;
    try {
      rapdu = target.card.answer(capdu);
    } catch {
      // The card left the field mid-exchange (CardGone): no answer on the RF side.
      this.place(undefined);
      return this.#answer(CMD.InDataExchange, [ST_TIMEOUT]);
    }
    return this.#handIn(rapdu);
  }

  /** One InDataExchange answer's worth of DataIn; MI set while more remains. */
  #handIn(dataIn: Uint8Array): Uint8Array {
    if (dataIn.length <= MAX_DATA_IN) {
      this.#chainedIn = undefined;
      return this.#answer(CMD.InDataExchange, [ST_OK, ...dataIn]);
    }
    this.#chainedIn = dataIn.slice(MAX_DATA_IN);
    return this.#answer(CMD.InDataExchange, [ST_OK | MI, ...dataIn.subarray(0, MAX_DATA_IN)]);
  }
}

function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  if (bytes.length < tail.length) return false;
  const at = bytes.length - tail.length;
  for (let i = 0; i < tail.length; i++) if (bytes[at + i] !== tail[i]) return false;
  return true;
}
