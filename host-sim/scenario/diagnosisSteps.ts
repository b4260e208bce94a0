/**
 * The scenario steps of the code-83 diagnosis and activation (issue 8), parsed and run:
 *
 *   { "do": "diagnosis", "name": "dns", "expect": { "top": "net.dns" | null, "firstRemedy": "check-network" } }
 *     the diagnosis the terminal holds (computed now if it holds none), checked against what the
 *     scenario expects, and every page of it captured in zh and en (`<name>-<lang>-NN`).
 *   { "do": "action", "id": "network-test", "expect": { "result": "done" } }
 *     a step's action run as the keypad runs it (progress, result, the diagnosis again).
 *   { "do": "activate", "code": "20261202", "expect": { "kind": "refused", "reason": "code-wrong" } }
 *     activation with the code, then (on success) the sign-on and self-test that follow it.
 * Engine-neutral: the XS lane runs these too.
 */
import type { ActionId, Diagnosis } from '../../firmware/core/diagnosis/types';
import type { Terminal } from '../../firmware/core/runtime/terminal';
import { diagnosisPageList } from '../../firmware/core/runtime/views';
import { readTerminalId } from '../../firmware/core/config/terminalConfig';
import { createDiagnosisScreens } from '../../firmware/core/ui/diagnosisScreens';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { parseFont } from '../../firmware/core/ui/font';
import { obj, only, ScenarioError, str } from './fields';
import { drive, driveIdle, DriveError } from './hostSteps';
import type { SimWorld } from './driver';

const ACTIONS: readonly ActionId[] = ['network-test', 'sign-on', 'restart', 'set-clock', 'self-test', 'activate'];
const REASONS = ['code-wrong', 'code-expired', 'tid-disabled', 'bound-elsewhere', 'kcv-mismatch', 'unreachable', 'malformed', 'device-refused'] as const;
const NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;
const ID = /^[a-z]+(\.[a-z0-9-]+)?$|^[a-z][a-z0-9-]*$/;
/** Pages captured per language at most (a diagnosis has a dozen or so). */
const MAX_PAGES = 40;

export type DiagnosisStep =
  | { do: 'diagnosis'; name: string; expect?: { top?: string | null; firstRemedy?: string } }
  | { do: 'action'; id: ActionId; expect?: { result?: 'done' | 'failed' | 'refused' } }
  | { do: 'activate'; code: string; expect?: { kind?: 'activated' | 'refused'; reason?: (typeof REASONS)[number] } };

export const DIAGNOSIS_STEP_NAMES: readonly string[] = ['diagnosis', 'action', 'activate'];

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ScenarioError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** The step, or undefined when `value.do` is not one of these. @throws ScenarioError naming the field */
export function diagnosisStep(value: Record<string, unknown>, field: string): DiagnosisStep | undefined {
  const expect = value.expect === undefined ? undefined : obj(value.expect, `${field}.expect`);
  switch (value.do) {
    case 'diagnosis': {
      only(value, field, ['do', 'name', 'expect']);
      if (expect) only(expect, `${field}.expect`, ['top', 'firstRemedy']);
      return {
        do: 'diagnosis',
        name: str(value.name, `${field}.name`, NAME),
        ...(expect
          ? {
              expect: {
                ...(expect.top === undefined ? {} : { top: expect.top === null ? null : str(expect.top, `${field}.expect.top`, ID) }),
                ...(expect.firstRemedy === undefined ? {} : { firstRemedy: str(expect.firstRemedy, `${field}.expect.firstRemedy`, ID) }),
              },
            }
          : {}),
      };
    }
    case 'action':
      only(value, field, ['do', 'id', 'expect']);
      if (expect) only(expect, `${field}.expect`, ['result']);
      return {
        do: 'action',
        id: oneOf(value.id, `${field}.id`, ACTIONS),
        ...(expect ? { expect: expect.result === undefined ? {} : { result: oneOf(expect.result, `${field}.expect.result`, ['done', 'failed', 'refused'] as const) } } : {}),
      };
    case 'activate':
      only(value, field, ['do', 'code', 'expect']);
      if (expect) only(expect, `${field}.expect`, ['kind', 'reason']);
      return {
        do: 'activate',
        code: str(value.code, `${field}.code`, /^\d{0,32}$/),
        ...(expect
          ? {
              expect: {
                ...(expect.kind === undefined ? {} : { kind: oneOf(expect.kind, `${field}.expect.kind`, ['activated', 'refused'] as const) }),
                ...(expect.reason === undefined ? {} : { reason: oneOf(expect.reason, `${field}.expect.reason`, REASONS) }),
              },
            }
          : {}),
      };
    default:
      return undefined;
  }
}

/** What the report keeps of a diagnosis step: the ranking, the steps, what was tried. */
export interface DiagnosisRecord {
  step: number;
  name: string;
  top: string | null;
  causes: string[];
  steps: string[];
  tried: string[];
}

export function diagnosisRecord(step: number, name: string, d: Diagnosis): DiagnosisRecord {
  return {
    step,
    name,
    top: d.top?.id ?? null,
    causes: d.causes.map((c) => `${c.id}:${c.status}`),
    steps: d.steps.map((s) => s.id),
    tried: d.tried.map((t) => `${t.action}:${t.result}`),
  };
}

/** Every page of `d` in zh and en, as the terminal draws them (the same function the panel uses). */
export function diagnosisPages(world: SimWorld, name: string, d: Diagnosis): { name: string; list: DisplayList }[] {
  const own = createDiagnosisScreens(parseFont(world.ports.display.font), world.ports.keypad.layout);
  const out: { name: string; list: DisplayList }[] = [];
  const pages = Math.min(MAX_PAGES, own.pageCount(d));
  for (const lang of ['zh', 'en'] as const) {
    const context = { lang, firmwareVersion: world.ports.system.firmwareVersion, ...(readTerminalId(world.ports.settings) ? { terminalId: readTerminalId(world.ports.settings) } : {}) };
    for (let n = 0; n < pages; n++) out.push({ name: `${name}-${lang}-${String(n + 1).padStart(2, '0')}`, list: diagnosisPageList(own, d, n, context, world.ports.system.serialNumber) });
  }
  return out;
}

/**
 * Runs one of these steps. `reboot` is called when the restart action asks the board to restart.
 * @throws DriveError for an outcome the step did not expect
 */
export async function runDiagnosisStep(step: DiagnosisStep, world: SimWorld, terminal: Terminal): Promise<Diagnosis | undefined> {
  switch (step.do) {
    case 'diagnosis': {
      const d = terminal.diagnosis ?? terminal.diagnose();
      const top = d.top?.id ?? null;
      if (step.expect?.top !== undefined && top !== step.expect.top)
        throw new DriveError(`expected top cause ${step.expect.top ?? 'none'}, got ${top ?? 'none'} (${d.causes.map((c) => `${c.id} ${c.status}`).join(', ')})`);
      const first = d.steps[0]?.id;
      if (step.expect?.firstRemedy !== undefined && first !== step.expect.firstRemedy)
        throw new DriveError(`expected first step ${step.expect.firstRemedy}, got ${first ?? 'none'} (${d.steps.map((s) => s.id).join(', ')})`);
      return d;
    }
    case 'action': {
      const outcome = await drive(world, terminal.runAction(step.id));
      if (typeof outcome === 'symbol') throw new DriveError('the power went during the action');
      if (step.expect?.result && outcome.result !== step.expect.result)
        throw new DriveError(`expected ${step.id} ${step.expect.result}, got ${outcome.result}${outcome.detail ? `: ${outcome.detail}` : ''}`);
      await driveIdle(world, terminal);
      return terminal.diagnosis;
    }
    case 'activate': {
      const outcome = await drive(world, terminal.activate(step.code));
      if (typeof outcome === 'symbol') throw new DriveError('the power went during the activation');
      await driveIdle(world, terminal);
      const got = outcome.kind === 'refused' ? `refused (${outcome.reason}: ${outcome.detail})` : `activated as ${outcome.tid}`;
      if (step.expect?.kind && outcome.kind !== step.expect.kind) throw new DriveError(`expected ${step.expect.kind}, got ${got}`);
      if (step.expect?.reason && (outcome.kind !== 'refused' || outcome.reason !== step.expect.reason)) throw new DriveError(`expected refusal ${step.expect.reason}, got ${got}`);
      return terminal.diagnosis;
    }
  }
}
