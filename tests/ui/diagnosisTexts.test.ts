/**
 * The diagnosis and activation words: every cause of diagnosis/causes.ts, every remedy of
 * diagnosis/remedies.ts and every evidence code of diagnosis/evidence.ts has its words in zh and
 * en (never the bare code), every character is in the committed font, both languages take the
 * same parameters, and the tables cannot change at run time.
 */
import { CAUSES } from '../../firmware/core/diagnosis/causes';
import { EVIDENCE_CODES } from '../../firmware/core/diagnosis/evidence';
import { REMEDIES } from '../../firmware/core/diagnosis/remedies';
import { ACTIVATION_LABELS, NEVER_ACTIVATED, REFUSAL_TEXTS, STAGE_MARKS } from '../../firmware/core/ui/activationTexts';
import { CAUSE_NAMES, causeName, DIAGNOSIS_LABELS, REMEDY_TEXTS, remedyText } from '../../firmware/core/ui/diagnosisTexts';
import { detailField, evidenceFacts, evidenceText, maskCardNumbers } from '../../firmware/core/ui/evidenceText';
import { LANGS } from '../../firmware/core/ui/strings';
import { CONTRACT_CAUSES, CONTRACT_REMEDIES, ev } from './diagnosisFixtures';
import { committedFont } from './uiFont';

const font = committedFont();
const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;
const placeholders = (text: string): string[] => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]).sort();
const hex = (codePoints: number[]): string[] => codePoints.map((c) => `U+${c.toString(16).toUpperCase()} ${String.fromCodePoint(c)}`);

function everyText(): [string, string][] {
  const all: [string, string][] = [];
  for (const lang of LANGS) {
    for (const [id, name] of Object.entries(CAUSE_NAMES[lang])) all.push([`${lang} cause ${id}`, name]);
    for (const [id, text] of Object.entries(REMEDY_TEXTS[lang])) all.push([`${lang} remedy ${id} title`, text.title], [`${lang} remedy ${id} how`, text.how]);
    for (const [key, text] of Object.entries(DIAGNOSIS_LABELS[lang])) all.push([`${lang} ${key}`, text]);
    for (const [key, text] of Object.entries(ACTIVATION_LABELS[lang])) all.push([`${lang} ${key}`, text]);
    for (const [reason, text] of Object.entries(REFUSAL_TEXTS[lang])) all.push([`${lang} refusal ${reason} message`, text.message], [`${lang} refusal ${reason} remedy`, text.remedy]);
    all.push([`${lang} never activated`, NEVER_ACTIVATED[lang]]);
  }
  return all;
}

describe('every id has its words', () => {
  test.each(CAUSES.map((c) => [c.id]))('cause %s is named in zh and en', (id) => {
    for (const lang of LANGS) expect([lang, causeName(lang, id) !== id]).toEqual([lang, true]);
    expect(causeName('zh', id)).not.toBe(causeName('en', id));
  });

  test.each(REMEDIES.map((r) => [r.id]))('remedy %s has a title and a how-to in zh and en', (id) => {
    for (const lang of LANGS) expect([lang, remedyText(lang, id).title !== id && remedyText(lang, id).how !== '']).toEqual([lang, true]);
  });

  test('the tables name exactly the catalogue: no text for a cause or remedy that does not exist', () => {
    for (const lang of LANGS) {
      expect(Object.keys(CAUSE_NAMES[lang]).sort()).toEqual(CAUSES.map((c) => c.id).sort());
      expect(Object.keys(REMEDY_TEXTS[lang]).sort()).toEqual(REMEDIES.map((r) => r.id).sort());
    }
  });

  test('the screen tests build their diagnoses from the same catalogue (contract §1, §2)', () => {
    for (const cause of CAUSES) expect([cause.id, CONTRACT_CAUSES[cause.id]]).toEqual([cause.id, [cause.number, cause.family]]);
    for (const remedy of REMEDIES) expect(CONTRACT_REMEDIES[remedy.id]).toEqual(remedy);
  });

  test.each(EVIDENCE_CODES.map(([code, , source]) => [code, source]))('evidence %s (%s) is said in words in zh and en', (code, source) => {
    const evidence = ev(code, 'fail', 'system', source);
    const zh = evidenceText('zh', evidence);
    const en = evidenceText('en', evidence);
    expect([zh, en].includes(code)).toBe(false);
    expect(zh).not.toBe(en);
    expect(hex(font.missing(zh + en))).toEqual([]);
  });

  test('an evidence code this firmware does not know is shown as the code itself', () => {
    expect(evidenceText('zh', ev('#9999', 'warn', 'system', 'history'))).toBe('#9999');
    expect(evidenceText('en', ev('action.self-test.exploded', 'fail', 'system', 'action'))).toBe('action.self-test.exploded');
  });
});

describe('evidence in words', () => {
  const host = ev('host.terminal-invalid', 'fail', 'authentication', 'host', 'code=83 mti=0810 host=0 nibble=3 text=TERMINAL 10240001 NOT ACTIVATED');

  test("a host answer: its code and category in the screen's language, the host's own words as facts", () => {
    expect(evidenceText('en', host)).toBe('Host answered 83: Terminal not accepted');
    expect(evidenceText('zh', host)).toBe('主机应答 83：终端不被接受');
    expect(evidenceFacts('zh', host)).toBe('TERMINAL 10240001 NOT ACTIVATED');
    expect(evidenceText('en', ev('host.merchant-restricted', 'fail', 'account', 'host'))).toBe('Host answered: Merchant restricted');
  });

  test('self-test findings keep the report\'s words; their facts go through the Chinese forms or are left out', () => {
    const dns = ev('resolve.failed', 'fail', 'network', 'selftest', 'no address for pos.acquirer.example');
    expect(evidenceText('en', dns)).toBe('An acquirer host name does not resolve to an address.');
    expect(evidenceFacts('zh', dns)).toBe('无法解析：pos.acquirer.example');
    expect(evidenceFacts('zh', ev('resolve.failed', 'fail', 'network', 'selftest', 'a shape no form knows'))).toBe('');
    expect(evidenceFacts('en', ev('reset.panic', 'warn', 'system', 'reset', 'count=3'))).toBe('count=3');
    expect(evidenceFacts('zh', ev('reset.panic', 'warn', 'system', 'reset', 'count=3'))).toBe('');
  });

  test('actions, resets and activation outcomes', () => {
    expect(evidenceText('en', ev('action.sign-on.failed', 'fail', 'authentication', 'action'))).toBe('Sign-on: Failed');
    expect(evidenceText('zh', ev('action.network-test.done', 'pass', 'network', 'action'))).toBe('网络测试：已完成');
    expect(evidenceText('zh', ev('reset.watchdog', 'warn', 'system', 'reset'))).toBe('看门狗超时重启');
    expect(evidenceText('en', ev('activation.code-expired', 'fail', 'authentication', 'activation'))).toBe('The activation code has expired.');
  });

  test('a card number in the facts (a host text quoting one) is masked, never shown whole', () => {
    const pan = ev('host.declined', 'fail', 'account', 'host', 'code=05 text=CARD 4111111111111111 BLOCKED');
    expect(evidenceFacts('en', pan)).toBe('CARD 411111******1111 BLOCKED');
    expect(maskCardNumbers('STAN 000042 TID 10240001 MID 898440154110001')).toBe('STAN 000042 TID 10240001 MID 898440154110001');
  });

  test('detail fields are read by name; text runs to the end', () => {
    const detail = 'code=83 mti=0810 host=0 text=NOT code=99';
    expect([detailField(detail, 'code'), detailField(detail, 'mti'), detailField(detail, 'text'), detailField(detail, 'nibble'), detailField(undefined, 'code')]).toEqual([
      '83', '0810', 'NOT code=99', undefined, undefined,
    ]);
  });
});

describe('the tables themselves', () => {
  test.each(everyText())('%s: every glyph in ui-font.bin, no stray white space', (_, text) => {
    expect(hex(font.missing(text.replace(PLACEHOLDER, 'Az09')))).toEqual([]);
    expect(text.trim() === text && text.length > 0).toBe(true);
  });

  test('the progress marks are in the font', () => {
    expect(hex(font.missing(Object.values(STAGE_MARKS).join('')))).toEqual([]);
  });

  test('both languages take the same parameters', () => {
    for (const table of [DIAGNOSIS_LABELS, ACTIVATION_LABELS] as Record<string, Record<string, string>>[])
      for (const key of Object.keys(table.en)) expect([key, placeholders(table.zh[key])]).toEqual([key, placeholders(table.en[key])]);
  });

  test('the tables cannot be changed at run time', () => {
    for (const lang of LANGS)
      for (const table of [CAUSE_NAMES[lang], REMEDY_TEXTS[lang], DIAGNOSIS_LABELS[lang], ACTIVATION_LABELS[lang], REFUSAL_TEXTS[lang], REMEDY_TEXTS[lang]['call-support']])
        expect(Object.isFrozen(table)).toBe(true);
  });
});
