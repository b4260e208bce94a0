/**
 * The diagnosis steps of a scenario file, as the CLI and the XS lane run them: the diagnosis
 * checked against what the file expects and every page captured in zh and en, a step's action
 * (the restart step reboots the world), and activation from the factory state.
 */
import { parseScenario } from '../../host-sim/scenario/schema';
import { resolveReferences, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { runInWorld } from '../../host-sim/world';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { causeName } from '../../firmware/core/ui/diagnosisTexts';
import { PROFILE } from './world';

const scenario = (steps: unknown[], changes: Record<string, unknown> = {}) =>
  parseScenario(resolveReferences({ name: 'diag', lang: 'zh', terminal: { tid: '10240001', mid: '898440154110001', profile: PROFILE }, steps, ...changes }, SCENARIO_DIR));

/** Boot, then the acquirer answers the next sign-on with 83; the refusal's screen time passes. */
const REFUSED = [
  { do: 'boot' },
  { do: 'acquirer', faults: [{ kind: 'code', code: '83', mti: '0800', times: 50 }] },
  { do: 'sign-on', expect: { code: '83' } },
  { do: 'advance', ms: 6000 },
];

const said = (list: DisplayList) => list.ops.flatMap((op) => (op.op === 'text' ? [op.text] : [])).join(' ');

describe('diagnosis scenario steps', () => {
  it('checks the top cause and first step, captures every page in zh and en, and keeps the diagnosis in the report', async () => {
    const { outcome } = await runInWorld(scenario([...REFUSED, { do: 'diagnosis', name: 'after-83', expect: { top: 'auth.tid-disabled', firstRemedy: 'call-acquirer-terminal' } }]));
    const names = outcome.screens.map((s) => s.name);
    const zh = names.filter((n) => n.startsWith('after-83-zh-'));
    const en = names.filter((n) => n.startsWith('after-83-en-'));
    expect(zh.length).toBeGreaterThan(2);
    expect(en).toHaveLength(zh.length);
    const page = (name: string) => said(outcome.screens.find((s) => s.name === name)!.list);
    expect(page('after-83-zh-01')).toContain(causeName('zh', 'auth.tid-disabled'));
    expect(page('after-83-en-01')).toContain(causeName('en', 'auth.tid-disabled'));
    expect(outcome.report.diagnoses).toEqual([expect.objectContaining({ name: 'after-83', top: 'auth.tid-disabled', steps: expect.arrayContaining(['call-support']) })]);
    expect(outcome.report.finalState).toBe('fault');
  });

  it('fails the run, naming the step, when the diagnosis is not the one expected', async () => {
    await expect(runInWorld(scenario([...REFUSED, { do: 'diagnosis', name: 'x', expect: { top: 'net.dns' } }]))).rejects.toThrow(/steps\[4\]: diagnosis: expected top cause net.dns, got auth.tid-disabled/);
  });

  it('runs an action and, for restart, reboots the world once the outcome is recorded', async () => {
    const { outcome } = await runInWorld(
      scenario([...REFUSED, { do: 'action', id: 'network-test', expect: { result: 'done' } }, { do: 'action', id: 'restart', expect: { result: 'done' } }, { do: 'diagnosis', name: 'after-restart' }]),
    );
    const boots = outcome.report.recentEvents.filter((e) => e.kind === 'boot');
    expect(boots.map((e) => e.kind === 'boot' && e.resetReason)).toEqual(['power-on', 'software']);
    // After the reboot the history still says what the host answered.
    expect(outcome.report.diagnoses[0].causes.some((c) => c.startsWith('auth.tid-disabled'))).toBe(true);
  });

  it('activates a factory-state terminal from a scenario and refuses a wrong code', async () => {
    const factory = {
      terminal: { tid: '10240001', mid: '898440154110001', profile: PROFILE },
      keys: { masterKey: null, workingKeys: null },
      acquirer: { terminals: [{ tid: '10240001', mid: '898440154110001', status: 'registered', activation: { code: '20261202' } }] },
    };
    const refused = await runInWorld(scenario([{ do: 'boot' }, { do: 'activate', code: '11112222', expect: { kind: 'refused', reason: 'code-wrong' } }, { do: 'diagnosis', name: 'wrong-code', expect: { top: 'auth.activation-code' } }], factory));
    expect(refused.outcome.report.finalState).toBe('fault');
    const done = await runInWorld(scenario([{ do: 'boot' }, { do: 'activate', code: '20261202', expect: { kind: 'activated' } }], factory));
    expect(done.outcome.report.finalState).toBe('ready');
    expect(done.outcome.report.selfTests.map((r) => `${r.trigger}:${r.verdict}`)).toEqual(['boot:fail', 'demand:pass']);
  });
});
