/**
 * The simulated acquirer's side of activation codes: the one range the terminal's keypad and
 * codec use (8–12 digits) in its registry and its request reader, a reader that refuses a tag
 * given twice (as the terminal's does), whole-code matches only, and a limit of wrong codes per
 * slot (or per serial number when the request names no TID).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activate, readActivationRequest } from '../../host-sim/acquirer/activation';
import { checkActivation, checkRegistry, type RegisteredTerminal } from '../../host-sim/acquirer/config';
import { ACTIVATION_TRIES, TerminalBook } from '../../host-sim/acquirer/terminalBook';
import { newDevice } from './activationClient';

const CODE = '20261202';
const TID = '10240002';
const SLOT: RegisteredTerminal = { tid: TID, mid: '898440154110001', status: 'registered', merchantStatus: 'ok', activation: { code: CODE, algorithm: 'tdes2' } };

const element = (tag: number, value: Buffer) => Buffer.concat([Buffer.from([tag, value.length]), value]);
const device = newDevice('SN-CODES-1');
const field62 = (code: string, serial = device.serial, extra: Buffer[] = []) =>
  new Uint8Array(Buffer.concat([element(0xc1, Buffer.from(serial)), element(0xc2, device.spki.subarray(0, 100)), element(0xc3, Buffer.from(code)), ...extra]));

describe('activation codes at the acquirer', () => {
  it.each(['12345678', '123456789012'])('a registry takes the code %s (the range\'s ends)', (code) => {
    expect(checkActivation({ code }, 'slot')).toMatchObject({ code });
  });

  it.each(['1234567', '1234567890123', '1234a678', 1234567890])('a registry refuses the code %j, naming the field', (code) => {
    expect(() => checkActivation({ code }, 'terminals[1].activation')).toThrow(expect.objectContaining({ message: expect.stringContaining('terminals[1].activation.code') }));
  });

  it("the demo registry's activation code is in the range", () => {
    const demo = JSON.parse(readFileSync(join(__dirname, '../../host-sim/acquirer/demo-registry.json'), 'utf8'));
    expect(checkRegistry(demo.terminals).filter((t) => t.activation).map((t) => t.activation!.code)).toEqual(['20261202']);
  });

  it('the request reader refuses a tag given twice and a code outside the range', () => {
    expect(readActivationRequest(field62(CODE))).toMatchObject({ serial: device.serial, code: CODE });
    expect(readActivationRequest(field62(CODE, undefined, [element(0xc1, Buffer.from('SN-OTHER'))]))).toBe('field 62: tag C1 appears twice');
    expect(readActivationRequest(field62(CODE, undefined, [element(0xc3, Buffer.from('99999999'))]))).toBe('field 62: tag C3 appears twice');
    expect(readActivationRequest(field62('1234567'))).toMatch(/^C3 activation code missing or not 8–12 digits/);
  });

  it('finds a slot by its whole code only: a prefix or a longer code is a wrong one', () => {
    const book = new TerminalBook([SLOT]);
    expect(book.slotByCode(CODE.slice(0, -1), undefined, 'A')).toBeUndefined();
    expect(book.slotByCode(`${CODE}0`, undefined, 'B')).toBeUndefined();
    expect(book.slotByCode(CODE, undefined, 'C')).toMatchObject({ tid: TID });
  });

  it(`locks a slot after ${ACTIVATION_TRIES} wrong codes naming its TID: then even the right code is refused`, () => {
    const book = new TerminalBook([SLOT]);
    for (let i = 0; i < ACTIVATION_TRIES - 1; i++) expect(book.slotByCode(`9999000${i}`, TID, 'SN-A')).toBeUndefined();
    // One try left: the right code still works, and does not count.
    expect(book.slotByCode(CODE, TID, 'SN-A')).toMatchObject({ tid: TID });
    expect(book.slotByCode('99990009', TID, 'SN-A')).toBeUndefined();
    expect(book.slotByCode(CODE, TID, 'SN-A')).toBe('locked');
    // A request naming no TID counts against its serial number.
    for (let i = 0; i < ACTIVATION_TRIES; i++) expect(book.slotByCode(`8888000${i}`, '00000000', 'SN-B')).toBeUndefined();
    expect(book.slotByCode(CODE, '00000000', 'SN-B')).toBe('locked');
    expect(book.slotByCode(CODE, '00000000', 'SN-C')).toMatchObject({ tid: TID });
  });

  it('answers a locked slot code-wrong (D5 1), saying why in its log note', () => {
    const book = new TerminalBook([SLOT]);
    const ctx = { book, now: 0, random: (n: number) => new Uint8Array(n).fill(7) };
    for (let i = 0; i < ACTIVATION_TRIES; i++) expect(activate(field62(`7777000${i}`), TID, ctx)).toMatchObject({ ok: false, reason: 'code-wrong' });
    expect(activate(field62(CODE), TID, ctx)).toMatchObject({ ok: false, reason: 'code-wrong', note: expect.stringMatching(/too many wrong codes for TID 10240002, locked/) });
  });
});
