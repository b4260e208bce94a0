/**
 * The update flow on the real XS engine (xsnap) and on Node, byte for byte (tests/xs/parityCheck):
 * the report, every screen, the trace and the record log's flash after a healthy update, a
 * resumed download and an image whose self-test fails. The core's update code runs inside XS;
 * the slots and the server are host-sim's, bridged.
 */
import { parseScenario } from '../../host-sim/scenario/schema';
import { expectSameOnBothLanes } from '../xs/parityCheck';

const scenario = (name: string, lang: 'zh' | 'en', update: object, steps: object[]) =>
  parseScenario({ name, lang, acquirer: null, firmware: { version: '1.0.0', imageBytes: 64 * 1024 }, update, steps: [{ do: 'boot' }, ...steps] });

describe('the update flow on XS and on Node', () => {
  it('a download cut short, resumed, installed and confirmed (zh screens)', async () => {
    const node = await expectSameOnBothLanes(scenario('xs-update-resume', 'zh', { server: { images: [{ version: '1.1.0', bytes: 140 * 1024 }], faults: [{ kind: 'truncate', afterBytes: 90_000, times: 1 }] } }, [
      { do: 'update-check', expect: { kind: 'failed', code: 'update-truncated' } },
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'snapshot', name: 'installed' },
      { do: 'update', expect: { phase: 'idle', running: '1.1.0', last: 'update.ok' } },
    ]));
    expect(node.report.update).toMatchObject({ running: '1.1.0', last: { code: 'update.ok' } });
  });

  it('an image whose self-test fails, rolled back (en screens)', async () => {
    const node = await expectSameOnBothLanes(scenario('xs-update-rollback', 'en', { server: { images: [{ version: '1.1.0', behaviour: 'selftest-fails' }] } }, [
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'snapshot', name: 'rolled-back' },
      { do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.failed' } },
    ]));
    expect(node.report.update).toMatchObject({ running: '1.0.0', last: { code: 'update.failed' } });
  });
});
