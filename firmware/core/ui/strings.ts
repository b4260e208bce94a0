/**
 * Screen text in the terminal's two languages. Both tables have exactly the same keys: the
 * English table defines `StringKey`, the Chinese one is typed against it, so a key missing
 * from (or extra in) either is a compile error. Parameters are written `{name}`.
 *
 * Every character here must have a glyph in firmware/assets/ui-font.bin: after editing,
 * regenerate the font (host-sim/tools/make-font.ts); tests/ui fail until you do.
 */
import type { CauseFamily, ProbeStatus, SelfTestTrigger } from '../selftest/types';
import { deepFreeze } from '../freeze';
import { EN_TRANSACTION, ZH_TRANSACTION } from './transactionTexts';
import { EN_CARD, ZH_CARD } from './cardTexts';
import { EN_RESETS, ZH_RESETS } from './resetTexts';
import { EN_UPDATE, ZH_UPDATE } from './updateTexts';

/** Screen language, a terminal setting: simplified Chinese (zh-CN) or English. */
export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = deepFreeze(['zh', 'en']);

const EN = deepFreeze({
  'selftest.title': 'Self-test',
  'selftest.running': 'Self-test running…',
  'selftest.wait': 'Please wait',
  'selftest.trigger': 'Trigger: {trigger}',
  'selftest.run': 'Run #{seq}',
  'trigger.boot': 'power-on',
  'trigger.periodic': 'daily',
  'trigger.demand': 'on demand',
  'trigger.host-83': 'after "invalid terminal"',
  'trigger.keys-wiped': 'keys wiped',

  'status.pass': 'PASS',
  'status.warn': 'WARN',
  'status.fail': 'FAIL',
  'status.skip': 'SKIP',
  'status.notTested': 'Not tested',

  'family.network': 'Network',
  'family.device': 'Device',
  'family.system': 'System',
  'family.account': 'Account limits',
  'family.authentication': 'Terminal auth',

  'summary.counts': '{fail} fail, {warn} warn, {pass} pass',
  'summary.diagnosticCode': 'Diagnostic code',
  'summary.quoteCode': 'Give this code to support',
  'summary.codeOnNextPage': 'Too long for this page: see the next page.',
  'summary.allPassed': 'All checks passed',
  'summary.ranPassed': 'Every check that ran passed',
  'summary.nothingRan': 'No check ran',
  'summary.notChecked': 'Not checked yet: {families}.',
  'summary.notCheckedRows': 'Rows marked "Not tested" were not checked yet.',
  'summary.skipped': 'Skipped: {count}, see their pages.',

  'detail.code': 'Code',
  'detail.remedy': 'What to do',
  'detail.facts': 'Details',
  'detail.duration': '{ms} ms',
  'detail.continued': 'cont. {part}/{parts}',

  'fault.title': 'Out of service',
  'fault.reason': 'Self-test found a fault',
  'fault.failing': 'Failed checks',
  'fault.more': '+{count} more',
  'fault.count': '{count} failed',
  'fault.supportOrder': 'Check network → device → system → account → re-authenticate → call support with the code.',

  'ready.title': 'Ready',
  'ready.waiting': 'Waiting for a sale',
  'ready.lastSelftest': 'Last self-test',
  'ready.noSelftest': 'none yet',

  'label.terminalId': 'Terminal ID',
  'label.merchantId': 'Merchant ID',
  'label.dateTime': 'Date/time (UTC)',
  'label.unset': 'not set',
  'firmware.version': 'Firmware {version}',

  'page.number': 'Page {page}/{pages}',
  'keys.pad.page': '▲▼ Page {page}/{pages}',
  'keys.pad.back': 'CANCEL Back',
  'keys.pad.home': '▼ Home',
  'keys.pad.details': 'Press ▼ for details',
  'keys.pad.report': 'Press ▼ for the last report',
  'keys.pad.selftest': 'Press MENU to run self-test',
  'keys.one.next': 'Press: next',
  'keys.one.home': 'Press: home',
  'keys.one.details': 'Press: details',
  'keys.one.report': 'Press: last report',
  'keys.one.selftest': 'Hold 1.5 s: run self-test',
  ...EN_TRANSACTION,
  ...EN_CARD,
  ...EN_RESETS,
  ...EN_UPDATE,
});

export type StringKey = keyof typeof EN;
export type StringTable = Readonly<Record<StringKey, string>>;

const ZH: StringTable = deepFreeze({
  'selftest.title': '自检',
  'selftest.running': '正在自检…',
  'selftest.wait': '请稍候',
  'selftest.trigger': '触发：{trigger}',
  'selftest.run': '第 {seq} 次',
  'trigger.boot': '开机',
  'trigger.periodic': '每日定时',
  'trigger.demand': '手动',
  'trigger.host-83': '主机应答无效终端后',
  'trigger.keys-wiped': '密钥清除后',

  'status.pass': '通过',
  'status.warn': '警告',
  'status.fail': '失败',
  'status.skip': '跳过',
  'status.notTested': '未检测',

  'family.network': '网络',
  'family.device': '设备',
  'family.system': '系统',
  'family.account': '账户限制',
  'family.authentication': '终端认证',

  'summary.counts': '失败 {fail}，警告 {warn}，通过 {pass}',
  'summary.diagnosticCode': '诊断代码',
  'summary.quoteCode': '联系客服时请提供此代码',
  'summary.codeOnNextPage': '代码较长，请见下一页。',
  'summary.allPassed': '全部检查通过',
  'summary.ranPassed': '已运行的检查均通过',
  'summary.nothingRan': '未运行任何检查',
  'summary.notChecked': '尚未检查：{families}。',
  'summary.notCheckedRows': '标为“未检测”的项目尚未检查。',
  'summary.skipped': '跳过 {count} 项，原因见各项页面。',

  'detail.code': '代码',
  'detail.remedy': '处理方法',
  'detail.facts': '详细信息',
  'detail.duration': '耗时 {ms} ms',
  'detail.continued': '续 {part}/{parts}',

  'fault.title': '终端暂停服务',
  'fault.reason': '自检发现故障',
  'fault.failing': '未通过项目',
  'fault.more': '另有 {count} 项',
  'fault.count': '{count} 项未通过',
  'fault.supportOrder': '请依次检查网络、设备、系统、账户，再重新认证终端；仍未解决，请携诊断代码联系客服。',

  'ready.title': '就绪',
  'ready.waiting': '等待交易',
  'ready.lastSelftest': '上次自检',
  'ready.noSelftest': '尚未运行',

  'label.terminalId': '终端号',
  'label.merchantId': '商户号',
  'label.dateTime': '日期时间 (UTC)',
  'label.unset': '未设置',
  'firmware.version': '固件版本 {version}',

  'page.number': '第 {page}/{pages} 页',
  'keys.pad.page': '▲▼ 第 {page}/{pages} 页',
  'keys.pad.back': '取消 返回',
  'keys.pad.home': '▼ 返回首页',
  'keys.pad.details': '按 ▼ 查看详情',
  'keys.pad.report': '按 ▼ 查看上次自检报告',
  'keys.pad.selftest': '按【菜单】键运行自检',
  'keys.one.next': '按键：下一页',
  'keys.one.home': '按键：返回首页',
  'keys.one.details': '按键：查看详情',
  'keys.one.report': '按键：查看上次报告',
  'keys.one.selftest': '长按 1.5 秒：运行自检',
  ...ZH_TRANSACTION,
  ...ZH_CARD,
  ...ZH_RESETS,
  ...ZH_UPDATE,
});

export const STRINGS: Readonly<Record<Lang, StringTable>> = Object.freeze({ zh: Object.freeze(ZH), en: Object.freeze(EN) });

/** Marks drawn before status words (never instead of them). */
export const UI_SYMBOLS = Object.freeze({
  pass: '✔',
  warn: '⚠',
  fail: '✘',
  skip: '–',
});

/** Between the items of a list in a sentence ("Network, Account limits" / "网络、账户限制"). */
export const LIST_SEPARATORS: Readonly<Record<Lang, string>> = Object.freeze({ zh: '、', en: ', ' });

/** Characters outside printable ASCII that probes put in their language-neutral `detail`. */
export const DETAIL_SYMBOLS = '×…·→≤≥±°µ';

export type StringParams = Readonly<Record<string, string | number>>;

/** The `key` string in `lang` with each `{name}` replaced; an unknown name stays visible as-is. */
export function localize(lang: Lang, key: StringKey, params?: StringParams): string {
  return fillParams(STRINGS[lang][key], params);
}

/** `template` with each `{name}` replaced from `params`; an unknown name stays visible as-is. */
export function fillParams(template: string, params?: StringParams): string {
  if (!params) return template;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function statusWord(lang: Lang, status: ProbeStatus): string {
  return STRINGS[lang][`status.${status}`];
}

export function familyName(lang: Lang, family: CauseFamily): string {
  return STRINGS[lang][`family.${family}`];
}

export function triggerName(lang: Lang, trigger: SelfTestTrigger): string {
  return STRINGS[lang][`trigger.${trigger}`];
}
