/**
 * Track 2 (ISO/IEC 7813), as a UART magstripe module sends it in ASCII:
 *   ';' PAN (12–19 digits) '=' YYMM SSS discretionary '?' [LRC]
 * or as a chip card holds its track-2 equivalent (EMV tag 57, digits with 'D' as the separator
 * and an 'F' pad nibble) or as field 35 carries it (PAN '=' …, no sentinels).
 * At most 40 characters with sentinels and LRC (ISO/IEC 7813 track 2 record length).
 * Errors are CardErrors whose messages say what was wrong and never show the PAN.
 */
import { CardError } from './errors';
import { luhnValid, PAN_MAX_DIGITS } from './pan';

export interface Track2 {
  /** 12 to 19 digits, in clear: mask it (maskPan) before it goes anywhere but the sale message. */
  readonly pan: string;
  /** YYMM, the card is valid through the end of that month. */
  readonly expiry: string;
  /** Three digits (ISO/IEC 7813): 1st interchange, 2nd authorisation, 3rd services and PIN. */
  readonly serviceCode: string;
  readonly discretionary: string;
  /** The service code says the card has a chip (first digit 2 or 6): insert it rather than swipe. */
  readonly chip: boolean;
  /** PAN '=' YYMM SSS discretionary: digits and '=', what field 35 carries. */
  readonly equivalent: string;
}

/** ISO/IEC 7813: 40 characters including ';', '?' and the LRC. */
export const TRACK2_MAX_CHARS = 40;
/** The longest raw input read at all (room for a trailing CR LF and a chip's 'F' pad). */
const RAW_MAX_CHARS = 48;
const PAN_MIN_DIGITS = 12;

const START = 0x3b; // ';'

function malformed(why: string): CardError {
  return new CardError('track2-malformed', `track 2: ${why}`);
}

function digitsOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * The LRC character of ISO/IEC 7811-2 for a track-2 record from ';' to '?' inclusive: each
 * character is 4 data bits (its ASCII code − 0x30: ';' = B, '=' = D, '?' = F) and the LRC's data
 * bits make every bit position even across the record, i.e. the XOR of all of them.
 */
export function track2Lrc(record: string): string {
  let lrc = 0;
  for (let i = 0; i < record.length; i++) lrc ^= (record.charCodeAt(i) - 0x30) & 0x0f;
  return String.fromCharCode(0x30 + lrc);
}

/**
 * Reads a track 2 in any of its three forms. Checks the layout only (digits where digits go,
 * PAN length, expiry month, the LRC when the module sent one); validateTrack2 judges the card.
 * @throws CardError track2-malformed
 */
export function parseTrack2(raw: string): Track2 {
  if (typeof raw !== 'string') throw malformed('not text');
  if (raw.length > RAW_MAX_CHARS) throw malformed(`${raw.length} characters, longer than any track 2`);
  let text = raw;
  while (text.length > 0 && (text.charCodeAt(text.length - 1) === 0x0d || text.charCodeAt(text.length - 1) === 0x0a)) text = text.slice(0, -1);
  let body: string;
  if (text.charCodeAt(0) === START) {
    if (text.length > TRACK2_MAX_CHARS) throw malformed(`${text.length} characters, ISO/IEC 7813 allows ${TRACK2_MAX_CHARS}`);
    const end = text.indexOf('?');
    if (end < 0) throw malformed("no end sentinel '?'");
    const after = text.length - end - 1;
    if (after > 1) throw malformed(`${after} characters after the end sentinel`);
    if (after === 1 && text[end + 1] !== track2Lrc(text.slice(0, end + 1))) throw malformed('LRC does not match (a misread swipe: swipe again)');
    body = text.slice(1, end);
  } else {
    // The chip's track-2 equivalent (tag 57 as hex: 'D' separator, 'F' pad) or field 35's digits.
    body = text.toUpperCase();
    if (body.length > 0 && body.charCodeAt(body.length - 1) === 0x46) body = body.slice(0, -1); // one 'F' pad nibble
    const d = body.indexOf('D');
    if (d >= 0) body = `${body.slice(0, d)}=${body.slice(d + 1)}`;
    if (body.length > TRACK2_MAX_CHARS - 3) throw malformed(`${body.length} characters, longer than any track 2`);
  }
  const sep = body.indexOf('=');
  if (sep < 0) throw malformed("no separator '='");
  const pan = body.slice(0, sep);
  const rest = body.slice(sep + 1);
  if (!digitsOnly(pan)) throw malformed('the PAN holds a character that is not a digit');
  if (pan.length < PAN_MIN_DIGITS || pan.length > PAN_MAX_DIGITS) throw malformed(`the PAN has ${pan.length} digits, not ${PAN_MIN_DIGITS} to ${PAN_MAX_DIGITS}`);
  if (!digitsOnly(rest)) throw malformed('a character that is not a digit after the separator');
  if (rest.length < 7) throw malformed('no expiry date and service code after the separator');
  const expiry = rest.slice(0, 4);
  const month = (expiry.charCodeAt(2) - 0x30) * 10 + (expiry.charCodeAt(3) - 0x30);
  if (month < 1 || month > 12) throw malformed(`expiry month ${expiry.slice(2)} is not 01 to 12`);
  const serviceCode = rest.slice(4, 7);
  const first = serviceCode.charCodeAt(0);
  return {
    pan,
    expiry,
    serviceCode,
    discretionary: rest.slice(7),
    chip: first === 0x32 || first === 0x36,
    equivalent: `${pan}=${rest}`,
  };
}

/**
 * Judges the card a track 2 describes: its service code is one ISO/IEC 7813 defines (1st digit
 * 1, 2, 5, 6, 7 or 9; 2nd 0, 2 or 4; 3rd 0 to 7), the PAN passes Luhn, and it is not past its
 * expiry month (`todayYYMM`: the terminal's date as YYMM; both years in 2000–2099).
 * @throws CardError track2-malformed, pan-luhn, card-expired
 */
export function validateTrack2(track: Track2, todayYYMM: string): void {
  const s = track.serviceCode;
  if (s.length !== 3 || !digitsOnly(s) || '125679'.indexOf(s[0]) < 0 || '024'.indexOf(s[1]) < 0 || s[2] > '7') {
    throw malformed(`service code ${s} is not one ISO/IEC 7813 defines`);
  }
  if (!luhnValid(track.pan)) throw new CardError('pan-luhn', 'the card number fails its check digit (Luhn): a misread or not a payment card');
  if (todayYYMM.length !== 4 || !digitsOnly(todayYYMM)) throw new RangeError("today's date must be YYMM");
  if (track.expiry < todayYYMM) throw new CardError('card-expired', `the card expired at the end of 20${track.expiry.slice(0, 2)}-${track.expiry.slice(2)}`);
}

/** What a swipe of a chip card (service code 2xx or 6xx) is: insert it instead, fallback only under the profile's rules. */
export function chipCardSwiped(track: Track2): CardError {
  return new CardError('chip-card-swiped', `service code ${track.serviceCode}: the card has a chip; insert it`);
}
