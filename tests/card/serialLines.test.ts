/**
 * card/serialLines: what a magstripe module and a code scanner send over their UART, in any
 * split, framed into lines; overlong and unterminated input dropped and counted, never kept past
 * the cap. Track data from the ISO/IEC 7813 layout example (see track2.test.ts); LRC '9' computed
 * with Python there.
 */
import fc from 'fast-check';
import { LineFramer } from '../../firmware/core/card/serialLines';
import { parseTrack2 } from '../../firmware/core/card/track2';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const TRACK = ';4111111111111111=25121011234500000000?';

function drain(framer: LineFramer): string[] {
  const lines: string[] = [];
  for (let line = framer.next(); line !== undefined; line = framer.next()) lines.push(line);
  return lines;
}

describe('magstripe frames', () => {
  it('one swipe split at every byte boundary gives the same frame; CR LF between frames ignored', () => {
    const bytes = ascii(`\r\n${TRACK}\r\n`);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const framer = new LineFramer({ kind: 'magstripe' });
      framer.push(bytes.subarray(0, cut));
      framer.push(bytes.subarray(cut));
      expect(drain(framer)).toEqual([TRACK]);
      expect(framer.dropped).toBe(0);
    }
  });

  it('with an LRC: the character after "?" belongs to the frame, even when it is ";"', () => {
    const framer = new LineFramer({ kind: 'magstripe', lrc: true });
    framer.push(ascii(`${TRACK}9;4111111111111111=2512101?;`));
    expect(drain(framer)).toEqual([`${TRACK}9`, ';4111111111111111=2512101?;']);
    expect(parseTrack2(`${TRACK}9`).pan).toBe('4111111111111111');
  });

  it('a track 1 is skipped, the track 2 after it kept', () => {
    const framer = new LineFramer({ kind: 'magstripe' });
    framer.push(ascii(`%B4111111111111111^SMITH/JOHN^2512101000000000?\r${TRACK}\r`));
    expect(drain(framer)).toEqual([TRACK]);
  });

  it('a frame past 40 characters is dropped and counted; the next swipe is read', () => {
    const framer = new LineFramer({ kind: 'magstripe' });
    framer.push(ascii(`;4111111111111111=2512101${'0'.repeat(200)}?${TRACK}`));
    expect(drain(framer)).toEqual([TRACK]);
    expect(framer.overlong).toBe(1);
  });

  it('a frame that lost its "?" is cut by the next ";" and counted', () => {
    const framer = new LineFramer({ kind: 'magstripe' });
    framer.push(ascii(`;41111111${TRACK}`));
    expect(drain(framer)).toEqual([TRACK]);
    expect(framer.broken).toBe(1);
  });

  it('finished frames wait in a queue of maxLines; more are dropped and counted', () => {
    const framer = new LineFramer({ kind: 'magstripe', maxLines: 2 });
    framer.push(ascii(TRACK.repeat(5)));
    expect(framer.pending).toBe(2);
    expect(framer.overflow).toBe(3);
    expect(drain(framer)).toEqual([TRACK, TRACK]);
  });
});

describe('scanner lines', () => {
  it('lines end at CR, LF or CR LF; empty lines are not lines', () => {
    const framer = new LineFramer({ kind: 'scanner' });
    framer.push(ascii('120061098828009406\r\n28763443825664394\n\n\r6212345678901234567\r'));
    expect(drain(framer)).toEqual(['120061098828009406', '28763443825664394', '6212345678901234567']);
  });

  it('a line without its end is not given until the end comes', () => {
    const framer = new LineFramer({ kind: 'scanner' });
    framer.push(ascii('1200610988'));
    expect(framer.next()).toBeUndefined();
    framer.push(ascii('28009406\r'));
    expect(framer.next()).toBe('120061098828009406');
  });

  it('a line past the cap is dropped whole, up to its end, and counted', () => {
    const framer = new LineFramer({ kind: 'scanner', maxChars: 24 });
    framer.push(ascii(`${'9'.repeat(25)}\r\n${'9'.repeat(24)}\r`));
    expect(drain(framer)).toEqual(['9'.repeat(24)]);
    expect(framer.overlong).toBe(1);
  });
});

describe('bounded whatever arrives', () => {
  it('random bytes in random splits: every line within its cap, the queue within its bound, no exception', () => {
    fc.assert(
      fc.property(fc.constantFrom<'magstripe' | 'scanner'>('magstripe', 'scanner'), fc.boolean(), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (kind, lrc, chunks) => {
        const framer = new LineFramer({ kind, lrc, maxChars: 40, maxLines: 3 });
        for (const chunk of chunks) {
          framer.push(chunk);
          expect(framer.pending).toBeLessThanOrEqual(3);
        }
        for (const line of drain(framer)) {
          expect(line.length).toBeLessThanOrEqual(40);
          if (kind === 'scanner') expect(line).not.toMatch(/[\r\n]/);
          else expect(line[0]).toBe(';');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
