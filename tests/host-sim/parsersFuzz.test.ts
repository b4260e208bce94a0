/** Property tests: untrusted scenario files and acquirer profiles give typed errors, never a crash. */
import fc from 'fast-check';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { parseScenario, ScenarioError } from '../../host-sim/scenario/schema';
import { PROFILE } from '../runtime/world';

const json = fc.jsonValue({ maxDepth: 4 });

describe('parsers on arbitrary input', () => {
  it('parseScenario: a scenario or a ScenarioError naming a field', () => {
    const mutated = fc.record({ name: fc.oneof(fc.constant('x'), fc.string()), steps: fc.oneof(json, fc.array(fc.record({ do: fc.constantFrom('boot', 'advance', 'press', 'fly'), key: json, ms: json }))), flash: json, device: json, firmware: json, rtc: json });
    fc.assert(
      fc.property(fc.oneof(json, mutated), (input) => {
        let scenario;
        try {
          scenario = parseScenario(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ScenarioError);
          const { field, message } = error as ScenarioError;
          expect(message.startsWith(`${field}: `)).toBe(true);
          // The field named is one the input has, or one a scenario cannot do without.
          const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
          // (An empty key is shown as "".)
          const named = isObject ? [...Object.keys(input), 'name', 'steps'].map((k) => k || '""') : ['(scenario)'];
          expect({ field, named: named.some((k) => field === k || field.startsWith(`${k}.`) || field.startsWith(`${k}[`)) }).toEqual({ field, named: true });
          return;
        }
        expect(scenario.name).toBe((input as { name: unknown }).name);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseAcquirerProfile: a profile or a ConfigError naming a field, for any value of any field', () => {
    const keys = Object.keys(PROFILE);
    fc.assert(
      fc.property(fc.constantFrom(...keys), json, (key, value) => {
        const result = parseAcquirerProfile({ ...PROFILE, [key]: value });
        if (!result.ok) expect(result.error.field.startsWith(`profile.${key}`) || result.error.field === 'profile').toBe(true);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(json, (value) => {
        const result = parseAcquirerProfile(value);
        // Arbitrary JSON is never a whole profile; the error names the profile or one of its fields.
        expect(result.ok).toBe(false);
        if (!result.ok) expect(/^profile(\.|$)/.test(result.error.field)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(parseAcquirerProfile(PROFILE).ok).toBe(true);
  });
});
