/**
 * The scheduled update check (runtime/updateDuties.ts schedule): at the configured local hour
 * (settings update.hour, local = UTC + the profile's card.utcOffsetMinutes, 480 by default), then
 * every 24 h; none when update.enabled is false. The due times come from Date's own parsing of
 * ISO times with a UTC offset, not from the code under test. Each check here meets an older
 * offer, so it leaves an update.refused fact stamped with the virtual wall time it ran at.
 */
import { parseScenario } from '../../host-sim/scenario/schema';
import { runInWorld } from '../../host-sim/world';
import { msUntilLocalHour } from '../../firmware/core/update/updateSettings';
import type { TerminalEvent } from '../../firmware/core/runtime/events';

const RTC = '2026-11-26T09:00:00Z';

async function checksAt(update: object, hours: number) {
  const s = parseScenario({
    name: 'update-schedule', acquirer: null, rtc: RTC, firmware: { version: '1.0.0' },
    update: { server: { images: [{ version: '0.9.0' }] }, ...update },
    steps: [{ do: 'boot' }, { do: 'advance', hours }],
  });
  const { outcome } = await runInWorld(s);
  return outcome.report.recentEvents
    .filter((e): e is Extract<TerminalEvent, { kind: 'fact' }> => e.kind === 'fact' && e.code === 'update.refused')
    .map((e) => new Date(e.wallMs).toISOString());
}

describe('the scheduled check', () => {
  it('runs at 03:00 China time (UTC+8 by default), then a day later', async () => {
    // 09:00Z is 17:00 in Beijing: the next 03:00 there is the 27th.
    const first = new Date('2026-11-27T03:00:00+08:00').toISOString();
    const second = new Date('2026-11-28T03:00:00+08:00').toISOString();
    expect(await checksAt({ hour: 3 }, 40)).toEqual([first, second]);
  });

  it('an hour later in the day: 18:00 local is 10:00Z, within the same day', async () => {
    expect(await checksAt({ hour: 18 }, 2)).toEqual([new Date('2026-11-26T18:00:00+08:00').toISOString()]);
  });

  it('none when update.enabled is false', async () => {
    expect(await checksAt({ hour: 3, enabled: false }, 50)).toEqual([]);
  });
});

describe('msUntilLocalHour against Date with UTC offsets', () => {
  const cases: [string, number, number, string][] = [
    ['2026-11-26T09:00:00Z', 3, 480, '2026-11-27T03:00:00+08:00'],
    ['2026-11-26T19:00:00Z', 3, 480, '2026-11-28T03:00:00+08:00'],
    ['2026-11-26T18:59:59Z', 3, 480, '2026-11-27T03:00:00+08:00'],
    ['2026-11-26T02:30:00Z', 23, -300, '2026-11-25T23:00:00-05:00'],
    ['2026-11-26T00:00:00Z', 0, 0, '2026-11-27T00:00:00Z'],
    ['2026-12-31T20:00:00Z', 4, 345, '2027-01-01T04:00:00+05:45'],
  ];
  it.each(cases)('from %s to local %i:00 at offset %i min: %s', (from, hour, offset, due) => {
    expect(msUntilLocalHour(Date.parse(from), hour, offset)).toBe(Date.parse(due) - Date.parse(from));
  });
});
