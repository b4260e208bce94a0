/**
 * Field readers for scenario files: each checks one value and names its field in the error
 * ("flash.damage[0].sector: must be a whole number 0–15"). Engine-neutral.
 */

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly code = 'scenario-invalid';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function only(value: Obj, field: string, allowed: readonly string[]) {
  for (const key of Object.keys(value)) {
    const name = key === '' ? '""' : key;
    if (!allowed.includes(key)) throw new ScenarioError(field ? `${field}.${name}` : name, `unknown field (allowed: ${allowed.join(', ')})`);
  }
}
export function obj(value: unknown, field: string): Obj {
  if (value === undefined) return {};
  if (!isObj(value)) throw new ScenarioError(field, 'must be an object');
  return value;
}
export function int(value: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ScenarioError(field, `must be a whole number ${min}–${max}`);
  return value;
}
export function str(value: unknown, field: string, pattern: RegExp, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ScenarioError(field, `must be a string matching ${pattern}`);
  return value;
}
export function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ScenarioError(field, 'must be true or false');
  return value;
}
export function list(value: unknown, field: string, max: number): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max) throw new ScenarioError(field, `must be a list of at most ${max}`);
  return value;
}
