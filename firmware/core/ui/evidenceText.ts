/**
 * A piece of diagnosis evidence in human words. Self-test findings keep the words the report
 * pages use (probeStrings' CODE_TEXTS, detailTexts' Chinese forms); the evidence the diagnosis
 * adds (diagnosis/evidence.ts: host answers, resets, link events, activation and action
 * outcomes) is worded here. A code no table knows is shown as the code itself: language-neutral,
 * and what support asks for anyway.
 */
import type { Evidence } from '../diagnosis/types';
import { detailText, ZH_DETAIL_FALLBACK } from './detailTexts';
import { NEVER_ACTIVATED, REFUSAL_TEXTS } from './activationTexts';
import { actionName, label, labelKey } from './diagnosisTexts';
import { CODE_TEXTS, codeText, hasKey, runnerFailure } from './probeStrings';
import { STRINGS, type Lang, type StringKey } from './strings';
import { luhnValid, maskPan } from '../card/pan';

const ACTION_IDS = ['network-test', 'sign-on', 'restart', 'set-clock', 'self-test', 'activate'] as const;
const RESULT_LABELS = { done: 'step.done', failed: 'step.failed', refused: 'step.refused' } as const;

/**
 * One field of a language-neutral detail ("code=83 mti=0810 host=0 text=…"): the value after
 * `name=` up to the next space; `text`, always last, runs to the end. Read without a RegExp
 * (see detailTexts.ts on XS and preloaded patterns).
 */
export function detailField(detail: string | undefined, name: string): string | undefined {
  if (!detail) return undefined;
  const key = `${name}=`;
  let start = key.length;
  if (!detail.startsWith(key)) {
    const at = detail.indexOf(` ${key}`);
    if (at < 0) return undefined;
    start += at + 1;
  }
  if (name === 'text') return detail.slice(start);
  const end = detail.indexOf(' ', start);
  return detail.slice(start, end < 0 ? detail.length : end);
}

function hostWords(lang: Lang, category: string, detail: string | undefined): string {
  const key = `category.${category}`;
  const what = hasKey(STRINGS[lang], key) ? STRINGS[lang][key as StringKey] : category;
  const code = detailField(detail, 'code');
  return code ? label(lang, 'evidence.host', { code, what }) : label(lang, 'evidence.hostNoCode', { what });
}

function actionWords(lang: Lang, rest: string): string | undefined {
  for (const action of ACTION_IDS) {
    if (!rest.startsWith(`${action}.`)) continue;
    const result = rest.slice(action.length + 1);
    if (!hasKey(RESULT_LABELS, result)) return undefined;
    return label(lang, 'evidence.action', { action: actionName(lang, action), result: label(lang, RESULT_LABELS[result]) });
  }
  return undefined;
}

/**
 * Any run of 13 to 19 digits that passes the Luhn check masked as a PAN (first 6, last 4):
 * evidence never carries one by contract, but a host's own words are shown as they came, and a
 * screen is no place to find out. (A 15-digit merchant ID that happens to pass is masked too.)
 */
export function maskCardNumbers(text: string): string {
  return text.replace(/\d{13,19}/g, (digits) => (luhnValid(digits) ? maskPan(digits) : digits));
}

/** What a piece of evidence says, in one sentence. */
export function evidenceText(lang: Lang, evidence: Evidence): string {
  const { code, detail } = evidence;
  const own = labelKey(`evidence.${code}`);
  if (own) return label(lang, own);
  if (hasKey(CODE_TEXTS[lang], code) || runnerFailure(code)) return codeText(lang, code).message;
  const dot = code.indexOf('.');
  const kind = code.slice(0, dot);
  const rest = code.slice(dot + 1);
  if (dot > 0 && kind === 'host') return hostWords(lang, rest, detail);
  if (dot > 0 && kind === 'activation') {
    if (rest === 'not-activated') return NEVER_ACTIVATED[lang];
    if (hasKey(REFUSAL_TEXTS[lang], rest)) return REFUSAL_TEXTS[lang][rest].message;
  }
  if (dot > 0 && kind === 'action') return actionWords(lang, rest) ?? code;
  return code;
}

/**
 * The facts behind it, when the screen in `lang` can say them: a self-test finding's detail
 * (through the Chinese forms), the host's own words; otherwise nothing (the Chinese screen
 * never shows English, and the code is in the support summary anyway).
 */
export function evidenceFacts(lang: Lang, evidence: Evidence): string {
  const { code } = evidence;
  const detail = evidence.detail && maskCardNumbers(evidence.detail);
  if (!detail) return '';
  if (evidence.source === 'selftest') {
    const text = detailText(lang, code, detail);
    return text === ZH_DETAIL_FALLBACK ? '' : text;
  }
  if (evidence.source === 'host') return detailField(detail, 'text') ?? '';
  return lang === 'en' ? detail : '';
}
