/** The update half of a scenario file (host-sim/scenario/updateSteps.ts): defaults, and every bad field named. */
import { parseScenario, ScenarioError } from '../../host-sim/scenario/schema';

const base = { name: 'x', steps: [{ do: 'boot' }] };

describe('scenario update section and steps', () => {
  it('fills in image defaults: security 0, minVersion 0.0.0, 64 KB, normal, sealed, built a day after the running image per offer', () => {
    const s = parseScenario({ ...base, firmware: { built: '2026-11-20T08:00:00Z' }, update: { server: { images: [{ version: '1.1.0' }, { version: '1.2.0', board: 'moddable_two' }] }, hour: 4 } });
    expect(s.update).toEqual({
      server: {
        images: [
          { version: '1.1.0', security: 0, minVersion: '0.0.0', behaviour: 'normal', bytes: 65536, builtMs: Date.UTC(2026, 10, 21, 8), sealed: true },
          { version: '1.2.0', security: 0, minVersion: '0.0.0', board: 'moddable_two', behaviour: 'normal', bytes: 65536, builtMs: Date.UTC(2026, 10, 22, 8), sealed: true },
        ],
        faults: [],
      },
      hour: 4,
    });
    expect(parseScenario(base).update).toBeNull();
    expect(parseScenario(base).firmware.sealed).toBe(true);
  });

  it('reads the steps, and keeps the host power cut (when) apart from the slots power cut (afterOps)', () => {
    const s = parseScenario({
      ...base,
      steps: [
        { do: 'boot' },
        { do: 'update-check', expect: { kind: 'refused', code: 'update-hash' } },
        { do: 'update-server', faults: [{ kind: 'truncate', afterBytes: 10, times: 2 }, { kind: 'slow', chunkBytes: 512 }] },
        { do: 'crash', reason: 'watchdog' },
        { do: 'power-cut', afterOps: 3 },
        { do: 'power-cut', when: 'after-send' },
        { do: 'update', expect: { phase: 'trial', last: null, safeMode: false } },
      ],
    });
    expect(s.steps.slice(1)).toEqual([
      { do: 'update-check', expect: { kind: 'refused', code: 'update-hash' } },
      { do: 'update-server', faults: [{ kind: 'truncate', afterBytes: 10, times: 2 }, { kind: 'slow', chunkBytes: 512 }] },
      { do: 'crash', reason: 'watchdog' },
      { do: 'power-cut', afterOps: 3 },
      { do: 'power-cut', when: 'after-send' },
      { do: 'update', expect: { phase: 'trial', last: null, safeMode: false } },
    ]);
  });

  it.each([
    [{ update: { colour: 1 } }, 'update.colour'],
    [{ update: { hour: 24 } }, 'update.hour'],
    [{ update: { server: { images: [{}] } } }, 'update.server.images[0].version'],
    [{ update: { server: { images: [{ version: '1.1.0', behaviour: 'explodes' }] } } }, 'update.server.images[0].behaviour'],
    [{ update: { server: { images: [{ version: '1.1.0', bytes: 10 }] } } }, 'update.server.images[0].bytes'],
    [{ update: { server: { images: [{ version: '1.1.0', built: 'yesterday' }] } } }, 'update.server.images[0].built'],
    [{ update: { server: { images: [], faults: [{ kind: 'flood' }] } } }, 'update.server.faults[0].kind'],
    [{ update: { server: { images: [], faults: [{ kind: 'truncate' }] } } }, 'update.server.faults[0].afterBytes'],
    [{ firmware: { sealed: 'yes' } }, 'firmware.sealed'],
    [{ steps: [{ do: 'boot' }, { do: 'update-check', expect: { kind: 'maybe' } }] }, 'steps[1].expect.kind'],
    [{ steps: [{ do: 'boot' }, { do: 'crash', reason: 'bored' }] }, 'steps[1].reason'],
    [{ steps: [{ do: 'boot' }, { do: 'power-cut', afterOps: -1 }] }, 'steps[1].afterOps'],
    [{ steps: [{ do: 'boot' }, { do: 'update', expect: { phase: 'flying' } }] }, 'steps[1].expect.phase'],
    [{ steps: [{ do: 'boot' }, { do: 'update-server', faults: [{ kind: 'slow' }] }] }, 'steps[1].faults[0].chunkBytes'],
  ])('refuses %j naming %s', (patch, field) => {
    let error: unknown;
    try {
      parseScenario({ ...base, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).field).toBe(field);
  });
});
