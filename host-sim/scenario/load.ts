/** Reads a scenario file from disk: JSON, with `terminal.profile` optionally a path to a profile file. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseScenario, ScenarioError, type Scenario } from './schema';

export function loadScenario(path: string, overrides: { lang?: 'zh' | 'en' } = {}): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ScenarioError('(file)', `${path}: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
  const terminal = (raw as { terminal?: { profile?: unknown } })?.terminal;
  if (terminal && typeof terminal.profile === 'string') {
    const file = resolve(dirname(path), terminal.profile);
    try {
      terminal.profile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ScenarioError('terminal.profile', `${file}: ${error instanceof Error ? error.message : 'unreadable'}`);
    }
  }
  const scenario = parseScenario(raw);
  return overrides.lang ? { ...scenario, lang: overrides.lang } : scenario;
}
