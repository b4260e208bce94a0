/**
 * The scenario file's side of activation and TID disabling: the acquirer spec's activation data
 * and the `acquirer` step's `disableTid`, parsed field by field, and a day in a simulated world
 * where the host disables the terminal's TID (by a step, and mid-day in virtual time).
 */
import { resolveReferences, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { parseScenario } from '../../host-sim/scenario/schema';
import { runInWorld } from '../../host-sim/world';

const TID = '10240001';
const MID = '898440154110001';
/** A scenario as a file in host-sim/scenarios would be (the demo certificates, the Lakala-style profile). */
const scenario = (acquirer: Record<string, unknown>, steps: unknown[]) =>
  parseScenario(resolveReferences({ name: 'x', seed: 5, terminal: { tid: TID, mid: MID, profile: 'profiles/lakala-style.json' }, acquirer, steps }, SCENARIO_DIR));

describe('scenario acquirer spec: activation data', () => {
  it('reads a slot waiting for its activation (no master key), its expiry, algorithm and binding', () => {
    const s = scenario({ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: '20261202', expires: '2026-12-31T16:00:00Z', algorithm: 'aes128', boundSerial: 'SN-X' } }] }, [
      { do: 'boot' },
      { do: 'acquirer', disableTid: TID },
      { do: 'acquirer', faults: [{ kind: 'wrong-kcv' }] },
    ]);
    expect(s.acquirer!.terminals).toEqual([{ tid: TID, mid: MID, status: 'registered', merchantStatus: 'ok', activation: { code: '20261202', expiresMs: Date.parse('2026-12-31T16:00:00Z'), algorithm: 'aes128', boundSerial: 'SN-X' } }]);
    expect(s.steps[1]).toEqual({ do: 'acquirer', faults: [{ kind: 'disable-tid', tid: TID }] });
    expect(s.steps[2]).toEqual({ do: 'acquirer', faults: [{ kind: 'wrong-kcv' }] });
  });

  it.each([
    [{ terminals: [{ tid: TID, mid: MID, status: 'activated', activation: { code: '20261202' } }] }, [{ do: 'boot' }], 'acquirer.terminals[0].masterKey'],
    [{ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: 'x1' } }] }, [{ do: 'boot' }], 'acquirer.terminals[0].activation.code'],
    // The terminal's range (activation/activationCode.ts): 8 to 12 digits.
    [{ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: '1234567' } }] }, [{ do: 'boot' }], 'acquirer.terminals[0].activation.code'],
    [{ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: '1234567890123' } }] }, [{ do: 'boot' }], 'acquirer.terminals[0].activation.code'],
    [{ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: '12345678', expires: 'tomorrow' } }] }, [{ do: 'boot' }], 'acquirer.terminals[0].activation.expires'],
    [{ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: '12345678', state: 'issued' } }] }, [{ do: 'boot' }], 'acquirer.terminals[0].activation.state'],
    [{ terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: '12345678' } }, { tid: '10240002', mid: MID, status: 'registered', activation: { code: '12345678' } }] }, [{ do: 'boot' }], 'acquirer.terminals[1].activation.code'],
    [{}, [{ do: 'acquirer', disableTid: '123' }], 'steps[0].disableTid'],
    [{}, [{ do: 'acquirer', faults: [{ kind: 'disable-tid' }] }], 'steps[0].faults[0].tid'],
  ])('refuses %j with steps %j, naming %s', (acquirer, steps, field) => {
    expect(() => scenario(acquirer, steps)).toThrow(field);
  });
});

describe('a TID disabled in a simulated day', () => {
  it('by a step: the next sale is answered 83 (terminal-invalid), the host\'s log says why', async () => {
    const { outcome, world } = await runInWorld(
      scenario({}, [
        { do: 'boot' },
        { do: 'sale', amountMinor: 100, expect: { code: '00' } },
        { do: 'acquirer', disableTid: TID },
        { do: 'sale', amountMinor: 200, expect: { kind: 'answered', code: '83', category: 'terminal-invalid' } },
      ]),
    );
    expect(outcome.report.transactions.map((t) => t.code)).toEqual(['00', '83']);
    const answers = world.acquirer!.log.filter((e) => e.direction === 'out' && e.tid === TID);
    expect(answers.at(-1)).toMatchObject({ mti: '0210', code: '83', note: 'disabled' });
  });

  it('mid-day (a disable-tid fault with delayMs): served before, 83 once the virtual clock passes it', async () => {
    const { outcome } = await runInWorld(
      scenario({}, [
        { do: 'boot' },
        { do: 'acquirer', faults: [{ kind: 'disable-tid', tid: TID, delayMs: 3_600_000 }] },
        { do: 'sale', amountMinor: 100, expect: { code: '00' } },
        { do: 'advance', ms: 3_700_000 },
        { do: 'sale', amountMinor: 200, expect: { code: '83' } },
      ]),
    );
    expect(outcome.report.transactions.map((t) => t.code)).toEqual(['00', '83']);
  });
});
