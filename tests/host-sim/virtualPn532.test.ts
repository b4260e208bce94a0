/**
 * The virtual PN532 answers the host's frames byte for byte as the chip does. References, none
 * of them this project's code:
 * - NXP UM0701-02's frame examples as quoted in public code: GetFirmwareVersion
 *   (00 00 FF 02 FE D4 02 2A 00 → ACK, 00 00 FF 06 FA D5 03 32 01 06 07 E8 00), the HSU wake-up
 *   and SAMConfiguration frame, InListPassiveTarget 106 A (00 00 FF 04 FC D4 4A 01 00 E1 00),
 *   ACK, NACK and the syntax error frame (00 00 FF 01 FF 7F 81 00);
 * - libnfc 1.8.0's own frames, from its debug log (LIBNFC_LOG_LEVEL=3) against a PN532: the
 *   communication line test it opens with, its ReadRegister of five CIU registers;
 * - checksums summed by hand in `frame` below (LCS: LEN + LCS = 0; DCS: TFI + data + DCS = 0).
 */
import { VirtualPn532, type Pn532Card } from '../../host-sim/cards/virtualPn532';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');

const ACK = '00 00 FF 00 FF 00';
const NACK = '00 00 FF FF 00 00';
const ERROR_FRAME = '00 00 FF 01 FF 7F 81 00';

/** A normal information frame built by hand from the manual's layout (§6.2.1.1), for frames no public example shows. */
function frame(tfi: number, body: number[]): string {
  const data = [tfi, ...body];
  const len = data.length;
  const dcs = (0x100 - (data.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
  return toHex(Uint8Array.from([0x00, 0x00, 0xff, len, (0x100 - len) & 0xff, ...data, dcs, 0x00]));
}
const host = (code: number, params: number[] = []): Uint8Array => hex(frame(0xd4, [code, ...params]));

/** A card for these tests: answers 90 00 after echoing the command's data field reversed; or `long` bytes. */
class EchoCard implements Pn532Card {
  readonly interface = 'contactless' as const;
  readonly seen: Uint8Array[] = [];
  resets = 0;
  constructor(readonly uid: Uint8Array, private readonly long = 0) {}
  answer(capdu: Uint8Array): Uint8Array {
    this.seen.push(capdu.slice());
    if (this.long > 0) return Uint8Array.from({ length: this.long }, (_, i) => i & 0xff);
    return Uint8Array.from([...capdu.slice(5).reverse(), 0x90, 0x00]);
  }
  reset(): void {
    this.resets++;
  }
}

const UID4 = [0x04, 0xa1, 0xb2, 0xc3];

/** Activates the card with InListPassiveTarget 106 A and returns the chip. */
function withCard(card: Pn532Card, faults: ConstructorParameters<typeof VirtualPn532>[0] = {}): VirtualPn532 {
  const chip = new VirtualPn532(faults);
  chip.place(card);
  const parts = chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'));
  expect(parts[1][8]).toBe(0x01); // NbTg
  return chip;
}

describe('frames of the NXP manual', () => {
  test('GetFirmwareVersion: ACK, then IC 32, Ver 01, Rev 06, Support 07', () => {
    const chip = new VirtualPn532();
    const parts = chip.receiveParts(hex('00 00 FF 02 FE D4 02 2A 00'));
    expect(parts.map(toHex)).toEqual([ACK, '00 00 FF 06 FA D5 03 32 01 06 07 E8 00']);
    expect(toHex(new VirtualPn532().receive(hex('00 00 FF 02 FE D4 02 2A 00')))).toBe(`${ACK} 00 00 FF 06 FA D5 03 32 01 06 07 E8 00`);
  });

  test('HSU wake-up preamble then SAMConfiguration normal mode, as libnfc sends it', () => {
    const chip = new VirtualPn532();
    expect(chip.receiveParts(hex('55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00'))).toEqual([]);
    expect(chip.receiveParts(hex('00 00 FF 03 FD D4 14 01 17 00')).map(toHex)).toEqual([ACK, '00 00 FF 02 FE D5 15 16 00']);
  });

  test('the wake-up and the frame in one write (the manual\'s example as one buffer)', () => {
    const chip = new VirtualPn532();
    const parts = chip.receiveParts(hex('55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 03 FD D4 14 01 17 00'));
    expect(parts.map(toHex)).toEqual([ACK, '00 00 FF 02 FE D5 15 16 00']);
  });

  test("libnfc's communication line test is echoed (Diagnose NumTst 00)", () => {
    const chip = new VirtualPn532();
    const parts = chip.receiveParts(hex('00 00 ff 09 f7 d4 00 00 6c 69 62 6e 66 63 be 00'));
    expect(parts.map(toHex)).toEqual([ACK, '00 00 FF 09 F7 D5 01 00 6C 69 62 6E 66 63 BC 00']);
  });

  test("libnfc's ReadRegister of TxMode, RxMode, ManualRCV, Status2, BitFraming reads the reset values, then what was written", () => {
    const chip = new VirtualPn532();
    const read = hex('00 00 ff 0c f4 d4 06 63 02 63 03 63 0d 63 38 63 3d b0 00');
    expect(toHex(chip.receiveParts(read)[1])).toBe(frame(0xd5, [0x07, 0x80, 0x80, 0x00, 0x00, 0x00]));
    // libnfc's WriteRegister frame (TxMode and RxMode = 80), then one of ours into the CIU and the SFR space.
    expect(chip.receiveParts(hex('00 00 ff 08 f8 d4 08 63 02 80 63 03 80 59 00')).map(toHex)).toEqual([ACK, '00 00 FF 02 FE D5 09 22 00']);
    chip.receive(host(0x08, [0x63, 0x3d, 0x07, 0xff, 0xf4, 0x12]));
    expect(toHex(chip.receiveParts(host(0x06, [0x63, 0x3d, 0xff, 0xf4, 0x12, 0x34]))[1])).toBe(frame(0xd5, [0x07, 0x07, 0x12, 0x00]));
  });

  test('InListPassiveTarget 106 A: Tg 1, SENS_RES 00 04 / 00 44, SEL_RES 20, the NFCID1 and the ATS', () => {
    const chip = new VirtualPn532();
    chip.place(new EchoCard(Uint8Array.from(UID4)));
    const parts = chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'));
    expect(parts.map(toHex)).toEqual([ACK, frame(0xd5, [0x4b, 0x01, 0x01, 0x00, 0x04, 0x20, 0x04, ...UID4, 0x06, 0x75, 0x77, 0x81, 0x02, 0x80])]);
    const uid7 = [0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66];
    chip.place(new EchoCard(Uint8Array.from(uid7)));
    expect(toHex(chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'))[1])).toBe(
      frame(0xd5, [0x4b, 0x01, 0x01, 0x00, 0x44, 0x20, 0x07, ...uid7, 0x06, 0x75, 0x77, 0x81, 0x02, 0x80]),
    );
  });

  test('no card, a contact card, or another modulation: NbTg 0', () => {
    const chip = new VirtualPn532();
    expect(toHex(chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'))[1])).toBe(frame(0xd5, [0x4b, 0x00]));
    chip.place({ interface: 'contact', answer: () => Uint8Array.of(0x90, 0x00) });
    expect(toHex(chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'))[1])).toBe(frame(0xd5, [0x4b, 0x00]));
    chip.place(new EchoCard(Uint8Array.from(UID4)));
    // libnfc's FeliCa 212 poll and ISO 14443-B poll (its frames).
    expect(toHex(chip.receiveParts(hex('00 00 ff 09 f7 d4 4a 01 01 00 ff ff 01 00 e1 00'))[1])).toBe(frame(0xd5, [0x4b, 0x00]));
    expect(toHex(chip.receiveParts(hex('00 00 ff 05 fb d4 4a 01 03 00 de 00'))[1])).toBe(frame(0xd5, [0x4b, 0x00]));
  });

  test('an unknown command is ACKed, then answered with the syntax error frame', () => {
    const chip = new VirtualPn532();
    expect(chip.receiveParts(host(0x7e)).map(toHex)).toEqual([ACK, ERROR_FRAME]);
    // Wrong parameters too: SAMConfiguration mode 9.
    expect(chip.receiveParts(host(0x14, [0x09])).map(toHex)).toEqual([ACK, ERROR_FRAME]);
  });

  test('Diagnose: ROM and RAM fine, antenna fine', () => {
    const chip = new VirtualPn532();
    expect(toHex(chip.receiveParts(host(0x00, [0x01]))[1])).toBe(frame(0xd5, [0x01, 0x00]));
    expect(toHex(chip.receiveParts(host(0x00, [0x02]))[1])).toBe(frame(0xd5, [0x01, 0x00]));
    expect(toHex(chip.receiveParts(host(0x00, [0x07, 0x2a]))[1])).toBe(frame(0xd5, [0x01, 0x00]));
  });

  test('RFConfiguration, SetParameters and PowerDown answer with their codes + 1', () => {
    const chip = new VirtualPn532();
    expect(chip.receiveParts(hex('00 00 ff 04 fc d4 32 01 01 f8 00')).map(toHex)).toEqual([ACK, '00 00 FF 02 FE D5 33 F8 00']);
    expect(chip.receiveParts(hex('00 00 ff 06 fa d4 32 05 ff ff ff f8 00')).map(toHex)).toEqual([ACK, '00 00 FF 02 FE D5 33 F8 00']);
    expect(chip.receiveParts(hex('00 00 ff 03 fd d4 12 14 06 00')).map(toHex)).toEqual([ACK, '00 00 FF 02 FE D5 13 18 00']);
    expect(toHex(chip.receiveParts(host(0x16, [0xf0]))[1])).toBe(frame(0xd5, [0x17, 0x00]));
  });
});

describe('the link layer from the chip side', () => {
  test('a bad LCS, a bad DCS, or TFI D5 from the host: the chip says nothing, then answers the next good frame', () => {
    const chip = new VirtualPn532();
    expect(chip.receive(hex('00 00 FF 02 FD D4 02 2A 00'))).toEqual(new Uint8Array(0));
    expect(chip.receive(hex('00 00 FF 02 FE D4 02 2B 00'))).toEqual(new Uint8Array(0));
    expect(chip.receive(hex('00 00 FF 02 FE D5 02 29 00'))).toEqual(new Uint8Array(0));
    expect(chip.commands).toBe(0);
    expect(chip.receiveParts(hex('00 00 FF 02 FE D4 02 2A 00')).map(toHex)).toEqual([ACK, '00 00 FF 06 FA D5 03 32 01 06 07 E8 00']);
  });

  test('a frame arriving a byte at a time is answered once complete', () => {
    const chip = new VirtualPn532();
    const bytes = hex('00 00 FF 02 FE D4 02 2A 00');
    for (let i = 0; i < bytes.length - 1; i++) expect(chip.receiveParts(bytes.subarray(i, i + 1))).toEqual([]);
    expect(chip.receiveParts(bytes.subarray(bytes.length - 1)).length).toBe(2);
  });

  test('NACK from the host: the last answer again, without an ACK', () => {
    const chip = new VirtualPn532();
    chip.receive(hex('00 00 FF 02 FE D4 02 2A 00'));
    expect(chip.receiveParts(hex(NACK)).map(toHex)).toEqual(['00 00 FF 06 FA D5 03 32 01 06 07 E8 00']);
    expect(chip.receiveParts(hex(ACK))).toEqual([]);
  });

  test('extended frames both ways: a 260-byte line test in one extended frame comes back in one; past 265 bytes the chip takes nothing', () => {
    const chip = new VirtualPn532();
    const echo = Array.from({ length: 260 }, (_, i) => (i * 7) & 0xff);
    const body = [0xd4, 0x00, 0x00, ...echo];
    const len = body.length; // 263 = 0x0107
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0) & 0xff;
    const request = Uint8Array.from([0x00, 0x00, 0xff, 0xff, 0xff, len >> 8, len & 0xff, (0x100 - sum([len >> 8, len & 0xff])) & 0xff, ...body, (0x100 - sum(body)) & 0xff, 0x00]);
    const parts = chip.receiveParts(request);
    expect(toHex(parts[0])).toBe(ACK);
    const answer = parts[1];
    const back = [0xd5, 0x01, 0x00, ...echo];
    expect(Array.from(answer.subarray(0, 8))).toEqual([0x00, 0x00, 0xff, 0xff, 0xff, 0x01, 0x07, (0x100 - sum([0x01, 0x07])) & 0xff]);
    expect(Array.from(answer.subarray(8, 8 + back.length))).toEqual(back);
    expect(Array.from(answer.subarray(8 + back.length))).toEqual([(0x100 - sum(back)) & 0xff, 0x00]);
    // TFI + 265 bytes is past the chip's frame limit (UM0701-02 §6.2.1.2: 265 bytes in all).
    const tooLong = [0xd4, 0x00, 0x00, ...Array.from({ length: 264 }, () => 0x11)];
    const n = tooLong.length;
    expect(chip.receive(Uint8Array.from([0x00, 0x00, 0xff, 0xff, 0xff, n >> 8, n & 0xff, (0x100 - sum([n >> 8, n & 0xff])) & 0xff, ...tooLong, (0x100 - sum(tooLong)) & 0xff, 0x00]))).toEqual(new Uint8Array(0));
  });

  test('PowerDown: the chip sleeps, ignores frames until the HSU wake-up 0x55, then answers', () => {
    const chip = new VirtualPn532();
    chip.receive(host(0x16, [0x20]));
    expect(chip.asleep).toBe(true);
    expect(chip.receive(hex('00 00 FF 02 FE D4 02 2A 00'))).toEqual(new Uint8Array(0));
    const parts = chip.receiveParts(hex('55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 02 FE D4 02 2A 00'));
    expect(parts.map(toHex)).toEqual([ACK, '00 00 FF 06 FA D5 03 32 01 06 07 E8 00']);
    expect(chip.asleep).toBe(false);
  });
});

describe('InDataExchange', () => {
  test('an APDU goes to the card and its answer comes back after status 00', () => {
    const card = new EchoCard(Uint8Array.from(UID4));
    const chip = withCard(card);
    const apdu = [0x00, 0xa4, 0x04, 0x00, 0x03, 0x01, 0x02, 0x03, 0x00];
    expect(toHex(chip.receiveParts(host(0x40, [0x01, ...apdu]))[1])).toBe(frame(0xd5, [0x41, 0x00, 0x00, 0x03, 0x02, 0x01, 0x90, 0x00]));
    expect(card.seen.map(toHex)).toEqual([toHex(Uint8Array.from(apdu))]);
  });

  test('MI from the host: the chip gathers the chained parts and passes one APDU to the card', () => {
    const card = new EchoCard(Uint8Array.from(UID4));
    const chip = withCard(card);
    const apdu = Array.from({ length: 300 }, (_, i) => (i === 4 ? 0xff : i & 0xff));
    expect(toHex(chip.receiveParts(host(0x40, [0x41, ...apdu.slice(0, 200)]))[1])).toBe(frame(0xd5, [0x41, 0x00]));
    expect(card.seen).toEqual([]);
    chip.receive(host(0x40, [0x01, ...apdu.slice(200)]));
    expect(card.seen.map((c) => Array.from(c))).toEqual([apdu]);
  });

  test('MI from the chip: a 600-byte answer comes as 262 + 262 + 76 bytes, status 40 40 00', () => {
    const chip = withCard(new EchoCard(Uint8Array.from(UID4), 600));
    const first = chip.receiveParts(host(0x40, [0x01, 0x00, 0xb2, 0x01, 0x0c, 0x00]))[1];
    // Extended frame: LEN = TFI + code + status + 262 = 265.
    expect(Array.from(first.subarray(5, 7))).toEqual([0x01, 0x09]);
    expect(Array.from(first.subarray(8, 11))).toEqual([0xd5, 0x41, 0x40]);
    const got: number[] = Array.from(first.subarray(11, 11 + 262));
    const second = chip.receiveParts(host(0x40, [0x01]))[1];
    expect(Array.from(second.subarray(8, 11))).toEqual([0xd5, 0x41, 0x40]);
    got.push(...second.subarray(11, 11 + 262));
    const last = chip.receiveParts(host(0x40, [0x01]))[1];
    expect(toHex(last)).toBe(frame(0xd5, [0x41, 0x00, ...Array.from({ length: 76 }, (_, i) => (524 + i) & 0xff)]));
    expect(got).toEqual(Array.from({ length: 524 }, (_, i) => i & 0xff));
  });

  test('no target listed, or after InRelease: status 27 (not in this context)', () => {
    const chip = new VirtualPn532();
    chip.place(new EchoCard(Uint8Array.from(UID4)));
    expect(toHex(chip.receiveParts(host(0x40, [0x01, 0x00, 0x84, 0x00, 0x00, 0x08]))[1])).toBe(frame(0xd5, [0x41, 0x27]));
    chip.receive(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'));
    expect(toHex(chip.receiveParts(host(0x52, [0x00]))[1])).toBe(frame(0xd5, [0x53, 0x00]));
    expect(toHex(chip.receiveParts(host(0x40, [0x01, 0x00, 0x84, 0x00, 0x00, 0x08]))[1])).toBe(frame(0xd5, [0x41, 0x27]));
  });

  test('a card that throws mid-answer (CardGone) left the field: status 01, and polling finds nothing', () => {
    const chip = withCard({ interface: 'contactless', uid: Uint8Array.from(UID4), answer: () => { throw new Error('CardGone'); } });
    expect(toHex(chip.receiveParts(host(0x40, [0x01, 0x00, 0xb2, 0x01, 0x0c, 0x00]))[1])).toBe(frame(0xd5, [0x41, 0x01]));
    expect(toHex(chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'))[1])).toBe(frame(0xd5, [0x4b, 0x00]));
  });
});

describe('faults', () => {
  test("'no-answer': silence, even to GetFirmwareVersion", () => {
    const chip = new VirtualPn532({ faults: ['no-answer'] });
    expect(chip.receive(hex('00 00 FF 02 FE D4 02 2A 00'))).toEqual(new Uint8Array(0));
    chip.setFaults([]);
    expect(chip.receiveParts(hex('00 00 FF 02 FE D4 02 2A 00')).length).toBe(2);
  });

  test("'nack-storm': every command is answered with NACK", () => {
    const chip = new VirtualPn532({ faults: ['nack-storm'] });
    expect(toHex(chip.receive(hex('00 00 FF 02 FE D4 02 2A 00')))).toBe(NACK);
    expect(toHex(chip.receive(hex('00 00 FF 03 FD D4 14 01 17 00')))).toBe(NACK);
  });

  test("'checksum': the ACK is intact, the answer's DCS is not", () => {
    const chip = new VirtualPn532({ faults: ['checksum'] });
    const [ack, answer] = chip.receiveParts(hex('00 00 FF 02 FE D4 02 2A 00'));
    expect(toHex(ack)).toBe(ACK);
    expect(toHex(answer.subarray(0, 11))).toBe('00 00 FF 06 FA D5 03 32 01 06 07');
    expect(answer[11]).not.toBe(0xe8);
  });

  test("'antenna': the self antenna test reports a fault; ROM, RAM and line test still pass", () => {
    const chip = new VirtualPn532({ faults: ['antenna'] });
    expect(toHex(chip.receiveParts(host(0x00, [0x07, 0x2a]))[1])).not.toBe(frame(0xd5, [0x01, 0x00]));
    expect(chip.receiveParts(host(0x00, [0x07, 0x2a]))[1][7]).not.toBe(0x00);
    expect(toHex(chip.receiveParts(host(0x00, [0x01]))[1])).toBe(frame(0xd5, [0x01, 0x00]));
    expect(chip.receiveParts(hex('00 00 ff 09 f7 d4 00 00 6c 69 62 6e 66 63 be 00')).map(toHex)).toEqual([ACK, '00 00 FF 09 F7 D5 01 00 6C 69 62 6E 66 63 BC 00']);
  });

  test("'remove-mid-exchange': the next InDataExchange times out (01), the card is gone; a new card works", () => {
    const card = new EchoCard(Uint8Array.from(UID4));
    const chip = withCard(card, { faults: ['remove-mid-exchange'] });
    expect(toHex(chip.receiveParts(host(0x40, [0x01, 0x00, 0xb2, 0x01, 0x0c, 0x00]))[1])).toBe(frame(0xd5, [0x41, 0x01]));
    expect(card.seen).toEqual([]);
    expect(chip.card).toBeUndefined();
    expect(toHex(chip.receiveParts(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'))[1])).toBe(frame(0xd5, [0x4b, 0x00]));
    chip.place(card);
    chip.receive(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'));
    expect(toHex(chip.receiveParts(host(0x40, [0x01, 0x00, 0xb2, 0x01, 0x0c, 0x00]))[1])).toBe(frame(0xd5, [0x41, 0x00, 0x90, 0x00]));
  });
});
