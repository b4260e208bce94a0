/**
 * The words of the activation screens (申请 → 审核 → 发放: the terminal applies with its
 * serial number, public key and the code; the acquirer reviews the code and binds TID and MID;
 * it issues the master key, wrapped, with its check value), in zh and en, and what each refusal
 * means with its remedy (issue-8 contract §6). English defines the keys; the Chinese tables are
 * typed against them. After editing, run `npm run font`.
 */
import type { ActivationRefusal } from '../activation/activate';
import { deepFreeze } from '../freeze';
import { fillParams, type Lang, type StringParams } from './strings';

export type { ActivationRefusal } from '../activation/activate';

/** The three stages of activation, in order. */
export type ActivationStage = 'apply' | 'review' | 'issue';
export const ACTIVATION_STAGES: readonly ActivationStage[] = deepFreeze(['apply', 'review', 'issue']);

/** Marks of the progress rows: the stage under way, and those still to come (done ones get ✔). */
export const STAGE_MARKS = Object.freeze({ current: '▶', pending: '·' });

/** The one-button code entry's choices besides the digits: activate with the code typed, delete the last digit. */
export const CODE_MARKS = Object.freeze({ submit: '✓', delete: '⌫' });

/** An activation code as typed on the keypad: the one range (activation/activationCode.ts). Not a secret: shown as typed. */
export { ACTIVATION_CODE_MAX, ACTIVATION_CODE_MIN } from '../activation/activationCode';

const EN_ACTIVATION = deepFreeze({
  'act.notActivated': 'Terminal not activated',
  'act.notActivated.band': 'Not activated',
  'act.notActivated.why': 'This terminal has no master key yet and cannot take payments.',
  'act.notActivated.how': 'Ask the acquirer for an activation code, then enter it here.',
  'act.label.serial': 'Serial number',
  'act.keys.pad': 'ENTER: type the code',
  'act.keys.one': 'Hold 1.5 s: enter the code',
  'act.entry': 'Activation code',
  'act.entry.count': '{count} digits ({min}–{max})',
  'act.entry.enter': 'ENTER activate',
  'act.entry.clear': 'CLEAR delete',
  'act.entry.cancel': 'CANCEL back',
  'act.entry.notSecret': 'The code is not secret: check it against the one you were given.',
  'act.entry.one': 'Press: next choice (0–9, ✓ activate, ⌫ delete)',
  'act.choice.digit': 'Hold 1.5 s: enter {digit}',
  'act.choice.submit': 'Hold 1.5 s: activate',
  'act.choice.delete': 'Hold 1.5 s: delete the last digit',
  'act.choice.back': 'Hold 1.5 s: leave',
  'act.progress': 'Activating',
  'act.stage.apply': 'Apply: request sent',
  'act.stage.review': 'Review: the acquirer checks the code',
  'act.stage.issue': 'Issue: master key received and stored',
  'act.wait': 'Please wait. Do not switch off.',
  'act.result': 'Activation',
  'act.ok': 'Activated',
  'act.ok.next': 'The master key is stored. The terminal signs on now.',
  'act.refused': 'Activation refused',
  'act.remedy': 'What to do',
});

export type ActivationLabel = keyof typeof EN_ACTIVATION;

const ZH_ACTIVATION: Readonly<Record<ActivationLabel, string>> = deepFreeze({
  'act.notActivated': '终端未激活',
  'act.notActivated.band': '未激活',
  'act.notActivated.why': '本终端尚未获得主密钥，不能受理交易。',
  'act.notActivated.how': '请向收单机构申请激活码，然后在本机输入。',
  'act.label.serial': '序列号',
  'act.keys.pad': '按确认键输入激活码',
  'act.keys.one': '长按 1.5 秒：输入激活码',
  'act.entry': '输入激活码',
  'act.entry.count': '已输入 {count} 位（{min}–{max} 位）',
  'act.entry.enter': '确认 激活',
  'act.entry.clear': '清除 删除',
  'act.entry.cancel': '取消 返回',
  'act.entry.notSecret': '激活码不需保密，请与收到的激活码核对。',
  'act.entry.one': '按键：切换选项（0–9、✓ 激活、⌫ 删除）',
  'act.choice.digit': '长按 1.5 秒：输入 {digit}',
  'act.choice.submit': '长按 1.5 秒：激活',
  'act.choice.delete': '长按 1.5 秒：删除最后一位',
  'act.choice.back': '长按 1.5 秒：退出',
  'act.progress': '正在激活',
  'act.stage.apply': '申请：已发送激活请求',
  'act.stage.review': '审核：收单机构核验激活码',
  'act.stage.issue': '发放：接收并保存主密钥',
  'act.wait': '请稍候，请勿断电。',
  'act.result': '终端激活',
  'act.ok': '激活成功',
  'act.ok.next': '主密钥已保存，终端现在签到。',
  'act.refused': '激活未成功',
  'act.remedy': '处理方法',
});

/** A refusal in words: what happened and what to do. */
export interface RefusalText {
  readonly message: string;
  readonly remedy: string;
}

const EN_SUPPORT = 'If it repeats, call support with the code.';
const ZH_SUPPORT = '如反复出现，请携诊断码联系客服。';

const EN_REFUSALS: Readonly<Record<ActivationRefusal, RefusalText>> = deepFreeze({
  'code-wrong': { message: 'The activation code is wrong.', remedy: 'Check the code and enter it again. If it is refused again, ask the acquirer for a new code.' },
  'code-expired': { message: 'The activation code has expired.', remedy: 'Ask the acquirer for a new activation code, then activate again.' },
  'tid-disabled': { message: 'The acquirer has disabled this terminal ID.', remedy: 'Call the acquirer to enable the terminal ID, then activate again.' },
  'bound-elsewhere': {
    message: 'This terminal ID is already activated on another device.',
    remedy: 'Ask the acquirer to release the old device, or use the code issued for this device.',
  },
  'kcv-mismatch': { message: 'The master key received does not match its check value: it was not stored.', remedy: `Activate again. ${EN_SUPPORT}` },
  unreachable: { message: 'The acquirer host could not be reached.', remedy: 'Check the network (cable or Wi-Fi), then activate again.' },
  malformed: { message: "The host's answer could not be read.", remedy: `Activate again. ${EN_SUPPORT}` },
  'device-refused': {
    message: 'The terminal could not store the master key: it is not activated.',
    remedy: 'Have a technician check the key storage (flash encryption and NVS encryption), then activate again.',
  },
});

const ZH_REFUSALS: Readonly<Record<ActivationRefusal, RefusalText>> = deepFreeze({
  'code-wrong': { message: '激活码错误。', remedy: '请核对后重新输入；如再次被拒，请向收单机构申请新的激活码。' },
  'code-expired': { message: '激活码已过期。', remedy: '请向收单机构申请新的激活码，然后重新激活。' },
  'tid-disabled': { message: '收单机构已停用本终端号。', remedy: '请联系收单机构启用本终端号，然后重新激活。' },
  'bound-elsewhere': { message: '本终端号已在其他设备上激活。', remedy: '请联系收单机构解除旧设备的绑定，或使用为本设备签发的激活码。' },
  'kcv-mismatch': { message: '收到的主密钥与其校验值不符，未保存。', remedy: `请重新激活；${ZH_SUPPORT}` },
  unreachable: { message: '无法连接收单主机。', remedy: '请检查网络（网线或 Wi-Fi），然后重新激活。' },
  malformed: { message: '主机应答无法解析。', remedy: `请重新激活；${ZH_SUPPORT}` },
  'device-refused': { message: '终端无法保存主密钥，未激活。', remedy: '请技术人员检查终端的密钥存储（闪存加密与 NVS 加密），然后重新激活。' },
});

/** The evidence `activation.not-activated` (factory state), beside the refusals. */
const EN_NEVER = 'The terminal was never activated.';
const ZH_NEVER = '终端从未激活。';

export const ACTIVATION_LABELS: Readonly<Record<Lang, Readonly<Record<ActivationLabel, string>>>> = Object.freeze({ zh: ZH_ACTIVATION, en: EN_ACTIVATION });
export const REFUSAL_TEXTS: Readonly<Record<Lang, Readonly<Record<ActivationRefusal, RefusalText>>>> = Object.freeze({ zh: ZH_REFUSALS, en: EN_REFUSALS });
export const NEVER_ACTIVATED: Readonly<Record<Lang, string>> = Object.freeze({ zh: ZH_NEVER, en: EN_NEVER });

/** `key` with each `{name}` filled in. */
export function activationLabel(lang: Lang, key: ActivationLabel, params?: StringParams): string {
  return fillParams(ACTIVATION_LABELS[lang][key], params);
}
