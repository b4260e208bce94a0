/**
 * card/track2 against track-2 data quoted in public: the ISO/IEC 7813 layout example
 * ";4111111111111111=25121011234500000000?" (PAN, '=', YYMM 2512, service code 101, discretionary),
 * the track 2 of the published CUP 0200 in tests/host/codecVectors (field 35
 * 6224242900000113=28062013949031013, service code 201: a chip card) and the same data as an EMV
 * tag 57 holds it ('D' separator, 'F' pad). LRC characters (ISO/IEC 7811-2: XOR of the 4 data bits
 * of every character from ';' to '?') were computed outside the project with Python:
 *   x=0; for c in s: x ^= (ord(c)-0x30) & 15;  chr(0x30+x)
 */
import { CardError } from '../../firmware/core/card/errors';
import { chipCardSwiped, parseTrack2, track2Lrc, validateTrack2 } from '../../firmware/core/card/track2';

const ISO_EXAMPLE = ';4111111111111111=25121011234500000000?';
const CUP_FIELD_35 = '6224242900000113=28062013949031013';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CardError) return e.code;
    throw e;
  }
  return undefined;
}

describe('parseTrack2', () => {
  it('reads the ISO/IEC 7813 example as a magstripe module sends it', () => {
    expect(parseTrack2(ISO_EXAMPLE)).toEqual({
      pan: '4111111111111111',
      expiry: '2512',
      serviceCode: '101',
      discretionary: '1234500000000',
      chip: false,
      equivalent: '4111111111111111=25121011234500000000',
    });
  });

  it('checks the LRC when the module sends one (Python-computed: 9 and =)', () => {
    expect(track2Lrc(ISO_EXAMPLE)).toBe('9');
    expect(parseTrack2(`${ISO_EXAMPLE}9`).pan).toBe('4111111111111111');
    expect(track2Lrc(`;${CUP_FIELD_35}?`)).toBe('=');
    expect(parseTrack2(`;${CUP_FIELD_35}?=`).serviceCode).toBe('201');
    expect(code(() => parseTrack2(`${ISO_EXAMPLE}8`))).toBe('track2-malformed');
    // one digit misread: the LRC the module computed no longer matches
    expect(code(() => parseTrack2(`${ISO_EXAMPLE.replace('=2512', '=2513')}9`))).toBe('track2-malformed');
  });

  it('reads the CUP frame\'s field 35 and the chip\'s tag 57 form alike; service code 2xx is a chip card', () => {
    const field35 = parseTrack2(CUP_FIELD_35);
    const tag57 = parseTrack2('6224242900000113D28062013949031013F');
    expect(field35).toEqual({ pan: '6224242900000113', expiry: '2806', serviceCode: '201', discretionary: '3949031013', chip: true, equivalent: CUP_FIELD_35 });
    expect(tag57).toEqual(field35);
    expect(parseTrack2('6224242900000113d2806201394903101').equivalent).toBe('6224242900000113=2806201394903101');
    expect(parseTrack2(';6212345678901265=30126200000000000000?\r\n').chip).toBe(true);
  });

  test.each([
    ['no start or separator', '4111111111111111'],
    ['no end sentinel', ';4111111111111111=2512101'],
    ['two characters after the end sentinel', `${ISO_EXAMPLE}99`],
    ['letters in the PAN', ';41111111111A1111=2512101?'],
    ['11-digit PAN', ';41111111111=2512101?'],
    ['20-digit PAN', ';41111111111111111111=2512101?'],
    ['absent expiry (ISO allows "=", a payment card does not)', ';4111111111111111==101?'],
    ['month 13', ';4111111111111111=2513101?'],
    ['month 00', ';4111111111111111=2500101?'],
    ['no service code', ';4111111111111111=2512?'],
    ['41 characters', `;4111111111111111=2512101${'0'.repeat(15)}?9`],
    ['empty', ''],
    ['far too long', ';'.repeat(100000)],
    ['track 1 sent by mistake', '%B4111111111111111^SMITH/JOHN^2512101000000000?'],
  ])('%s: track2-malformed', (_, raw) => expect(code(() => parseTrack2(raw))).toBe('track2-malformed'));

  it('never shows the PAN in an error message', () => {
    for (const raw of [';4111111111111111=2513101?', ';4111111111111111=25121019?9', '4111111111111111X2512101']) {
      try {
        parseTrack2(raw);
        throw new Error('parsed');
      } catch (e) {
        expect(e).toBeInstanceOf(CardError);
        expect((e as Error).message).not.toMatch(/\d{7}/);
      }
    }
  });
});

describe('validateTrack2', () => {
  it('accepts a good card through the end of its expiry month', () => {
    expect(() => validateTrack2(parseTrack2(ISO_EXAMPLE), '2512')).not.toThrow();
    expect(() => validateTrack2(parseTrack2(CUP_FIELD_35), '2605')).not.toThrow();
  });

  it('refuses an expired card the month after, a Luhn failure, an undefined service code', () => {
    expect(code(() => validateTrack2(parseTrack2(ISO_EXAMPLE), '2601'))).toBe('card-expired');
    expect(code(() => validateTrack2(parseTrack2(';4111111111111112=2512101?'), '2501'))).toBe('pan-luhn');
    for (const sc of ['001', '301', '131', '108', '801']) {
      expect(code(() => validateTrack2(parseTrack2(`;4111111111111111=2512${sc}?`), '2501'))).toBe('track2-malformed');
    }
    for (const sc of ['101', '120', '201', '221', '501', '601', '702', '901', '126']) {
      expect(code(() => validateTrack2(parseTrack2(`;4111111111111111=2512${sc}?`), '2501'))).toBeUndefined();
    }
  });

  it('a chip card swiped: chip-card-swiped, naming the service code only', () => {
    const error = chipCardSwiped(parseTrack2(CUP_FIELD_35));
    expect(error.code).toBe('chip-card-swiped');
    expect(error.message).not.toContain('6224242900000113');
  });
});
