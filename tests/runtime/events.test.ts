/** Events read back from the log are checked field by field before anything uses them. */
import { encode } from 'cbor-x';
import { decodeEvent, EventError } from '../../firmware/core/runtime/events';
import { createCborCodec } from '../../firmware/core/store/cbor';

const cbor = createCborCodec();
const transition = { kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-periodic', uptimeMs: 5, wallMs: 1_795_000_000_000 };
const boot = { kind: 'boot', firmwareVersion: '0.1.0', resetReason: 'power-on', recovery: { records: 3, tornRecords: 0 }, uptimeMs: 0, wallMs: 1_795_000_000_000 };

describe('stored events', () => {
  it('reads the events this firmware writes, as an independent CBOR encoder wrote them', () => {
    expect(decodeEvent(cbor, encode(transition))).toEqual(transition);
    expect(decodeEvent(cbor, encode(boot))).toEqual(boot);
  });

  const bad: [string, unknown, RegExp][] = [
    ['a list', [1, 2], /is not a map|unknown event kind/],
    ['an unknown kind', { ...transition, kind: 'reboot' }, /unknown event kind reboot/],
    ['a kind that is a number', { ...transition, kind: 7 }, /unknown event kind number/],
    ['a state that is a map', { ...transition, to: { x: 1 } }, /transition event: to is not text/],
    ['a time of 1e400', { ...transition, wallMs: Infinity }, /wallMs is not a number/],
    ['a time as text', { ...transition, uptimeMs: '5' }, /uptimeMs is not a number/],
    ['recovery counts as text', { ...boot, recovery: { records: 'many' } }, /boot event: records is not a number/],
    ['no recovery', { ...boot, recovery: null }, /recovery is not a map/],
  ];
  for (const [name, value, message] of bad)
    it(`refuses ${name} with an EventError`, () => {
      let thrown: unknown;
      try {
        decodeEvent(cbor, encode(value));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EventError);
      expect((thrown as EventError).message).toMatch(message);
    });

  it('refuses bytes that are not CBOR', () => {
    expect(() => decodeEvent(cbor, Uint8Array.of(0xff, 0xff))).toThrow(EventError);
  });
});
