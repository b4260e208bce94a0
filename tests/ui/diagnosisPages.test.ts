/**
 * The pages of real diagnoses: diagnosis/diagnose.ts run on each evidence code alone (as a
 * failure, then as a warning), and on every failure at once, each page drawn in zh and en on
 * both keypads: on the panel, no overlap, every glyph in the font, the top cause named in words.
 */
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { EVIDENCE_CODES } from '../../firmware/core/diagnosis/evidence';
import type { Diagnosis, Evidence, EvidenceStatus } from '../../firmware/core/diagnosis/types';
import type { KeypadLayout } from '../../firmware/core/ports';
import { encodeQr } from '../../firmware/core/qr/encode';
import { encodeSummary } from '../../firmware/core/diagnosis/summary';
import { supportCode } from '../../firmware/core/diagnosis/supportCode';
import { createDiagnosisScreens } from '../../firmware/core/ui/diagnosisScreens';
import { causeName } from '../../firmware/core/ui/diagnosisTexts';
import { LANGS } from '../../firmware/core/ui/strings';
import { ev, shownWords, T } from './diagnosisFixtures';
import { screenProblems, textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();
const NOW = { wallMs: T, uptimeMs: 60_000 };
const familyOf = (n: number) => (['network', 'device', 'system', 'account', 'authentication'] as const)[Math.floor(n / 100)] ?? 'system';
const evidenceOf = (status: EvidenceStatus) =>
  EVIDENCE_CODES.map(([code, n, source]): Evidence => ev(code, status, familyOf(n), source, source === 'host' ? 'code=83 mti=0810 host=0 text=SEE ACQUIRER' : undefined));

function problems(d: Diagnosis): string[] {
  const found: string[] = [];
  const bytes = encodeSummary(d, { terminalId: '10240001', firmwareVersion: '0.7.0' });
  const context = { terminalId: '10240001', firmwareVersion: '0.7.0', supportCode: supportCode(d), qr: encodeQr(bytes) };
  for (const keys of ['pin-pad', 'one-button'] as KeypadLayout[]) {
    const screens = createDiagnosisScreens(font, keys);
    for (const lang of LANGS)
      for (let n = 0; n < screens.pageCount(d); n++) {
        const list = screens.page(d, n, { ...context, lang });
        for (const p of screenProblems(list, font)) found.push(`${keys} ${lang} page ${n}: ${p}`);
        for (const c of textOps(list).flatMap((op) => font.missing(op.text))) found.push(`${keys} ${lang} page ${n}: U+${c.toString(16)} missing`);
        if (n === 0 && d.top && !shownWords(list).includes(causeName(lang, d.top.id).replace(/\s+/g, ''))) found.push(`${keys} ${lang}: top cause not named`);
      }
  }
  return found;
}

describe('pages of diagnose() on each evidence code alone', () => {
  test.each(evidenceOf('fail').map((e) => [e.code, e]))('%s failing', (_, e) => {
    expect(problems(diagnose([e], [], NOW))).toEqual([]);
  });
  test.each(evidenceOf('warn').map((e) => [e.code, e]))('%s warning', (_, e) => {
    expect(problems(diagnose([e], [], NOW))).toEqual([]);
  });
});

test('pages of diagnose() on every failure at once, with every action tried', () => {
  const tried = (['network-test', 'sign-on', 'restart', 'set-clock', 'self-test', 'activate'] as const).map((action, i) => ({ action, result: (['done', 'failed', 'refused'] as const)[i % 3], wallMs: T }));
  const d = diagnose(evidenceOf('fail'), tried, NOW);
  expect(d.top).toBeDefined();
  expect(problems(d)).toEqual([]);
});
