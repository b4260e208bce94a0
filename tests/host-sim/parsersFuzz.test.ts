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
        try {
          parseScenario(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ScenarioError);
          expect((error as ScenarioError).field.length).toBeGreaterThan(0);
        }
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
    fc.assert(fc.property(json, (value) => void parseAcquirerProfile(value)), { numRuns: 2000 });
    expect(parseAcquirerProfile(PROFILE).ok).toBe(true);
  });
});
