/**
 * What the screens say about each self-test probe: its title (keyed by probe id) and, for
 * each result code, a one-line finding and a remedy. Remedies follow the product's support
 * order: network → device → system → account → re-authenticate the terminal → only then
 * call support, quoting the diagnostic code the screen shows.
 *
 * Same rule as strings.ts: the English tables define the keys, the Chinese ones must match.
 */
import type { Lang } from './strings';
import { EN_AUTH_CODES, EN_AUTH_TITLES, ZH_AUTH_CODES, ZH_AUTH_TITLES } from './authTexts';
import { EN_READER_CODES, EN_READER_TITLES, ZH_READER_CODES, ZH_READER_TITLES } from './cardTexts';
import { EN_HOST_CODES, EN_HOST_TITLES, ZH_HOST_CODES, ZH_HOST_TITLES } from './hostTexts';
import { deepFreeze } from '../freeze';

const EN_TITLES = deepFreeze({
  'system.image': 'Firmware integrity',
  'system.rtc': 'Clock',
  'system.flash': 'Storage',
  'system.memory': 'Memory',
  'system.config': 'Configuration',
  'device.display': 'Display',
  'device.keypad': 'Keypad',
  ...EN_AUTH_TITLES,
  ...EN_HOST_TITLES,
  ...EN_READER_TITLES,
});

export type ProbeId = keyof typeof EN_TITLES;

const ZH_TITLES: Readonly<Record<ProbeId, string>> = deepFreeze({
  'system.image': '固件完整性',
  'system.rtc': '时钟',
  'system.flash': '存储',
  'system.memory': '内存',
  'system.config': '配置',
  'device.display': '显示屏',
  'device.keypad': '键盘',
  ...ZH_AUTH_TITLES,
  ...ZH_HOST_TITLES,
  ...ZH_READER_TITLES,
});

export const PROBE_TITLES: Readonly<Record<Lang, Readonly<Record<ProbeId, string>>>> = Object.freeze({
  zh: Object.freeze(ZH_TITLES),
  en: Object.freeze(EN_TITLES),
});

/** A finding in one line and what the technician should do about it. */
export interface CodeText {
  readonly message: string;
  readonly remedy: string;
}

const EN_NONE = 'No action needed.';
const ZH_NONE = '无需处理。';
const EN_REPROVISION = 'Re-provision the terminal, or contact your acquirer for its parameters.';
const ZH_REPROVISION = '请重新下载终端参数，或联系收单机构。';

const EN_CODES = deepFreeze({
  'image.ok': { message: 'Firmware is signed by a trusted key and matches what was signed.', remedy: EN_NONE },
  'image.digest-mismatch': {
    message: 'Firmware does not match its build digest.',
    remedy: 'Re-flash or update the firmware. If it fails again, call support with this code.',
  },
  'image.no-digest': {
    message: 'The build recorded no digest; firmware not verified.',
    remedy: 'Update to a release build when convenient.',
  },
  'image.unsigned': {
    message: 'Firmware carries no vendor signature (a factory or development flash).',
    remedy: 'Install a signed release (update the firmware) when convenient.',
  },
  'image.signature-bad': {
    message: "The firmware's signature is invalid or not from a trusted key.",
    remedy: 'Re-flash or update to a signed release. If it fails again, call support with this code.',
  },
  'image.demo-key': {
    message: 'Firmware is signed by the public demo key: anyone can sign an update this terminal accepts.',
    remedy: "Install a release signed by the vendor's own key before the terminal takes payments.",
  },
  'image.seal-mismatch': {
    message: 'Firmware differs from what its vendor signed.',
    remedy: 'Re-flash or update the firmware. If it fails again, call support with this code.',
  },
  'image.read-error': {
    message: 'The firmware image could not be read.',
    remedy: 'Restart the terminal. If it persists, re-flash the firmware, then call support with this code.',
  },

  'rtc.ok': { message: 'The clock is plausible.', remedy: EN_NONE },
  'rtc.before-build': {
    message: 'The clock is earlier than the firmware build.',
    remedy: 'Set the clock. If it resets at power-off, replace the RTC battery: certificate checks depend on it.',
  },
  'rtc.implausible': {
    message: 'The clock is implausibly far ahead.',
    remedy: 'Set the date and time. If it drifts again, replace the RTC battery.',
  },
  'cert.clock-untrusted': {
    message: 'Certificate dates not judged: the clock could not be trusted or set from the network.',
    remedy: 'Set the clock (see the Clock check), then run the self-test again.',
  },

  'flash.ok': { message: 'Storage writes and reads back correctly.', remedy: EN_NONE },
  'flash.readback': {
    message: 'A scratch write did not read back: the flash is failing.',
    remedy: 'Replace the board. Call support with this code.',
  },
  'flash.corrupt': {
    message: 'Stored records or sector headers are damaged (not by a power cut): storage is corrupt.',
    remedy: 'Call support with this code before taking payments; the board may need replacing.',
  },
  'flash.torn-record': {
    message: 'A power cut interrupted a write; the unfinished record or erase was dropped.',
    remedy: 'Check the power supply and cable. Do not switch off during a sale.',
  },
  'flash.durable-full': {
    message: 'The store for keys, counters and journals is full: a record was refused.',
    remedy: 'Settle the batch and sign on again; if it recurs, call support with this code.',
  },

  'memory.ok': { message: 'Enough free memory.', remedy: EN_NONE },
  'memory.tight': {
    message: 'Free memory is getting low.',
    remedy: 'Restart the terminal. If it recurs, call support with this code.',
  },
  'memory.low': {
    message: 'Free memory is too low to run safely.',
    remedy: 'Restart the terminal. If it persists, update the firmware, then call support with this code.',
  },

  'config.ok': { message: 'The terminal configuration is valid.', remedy: EN_NONE },
  'config.tid-invalid': { message: 'The terminal ID must be 8 characters.', remedy: EN_REPROVISION },
  'config.mid-invalid': { message: 'The merchant ID must be 15 characters.', remedy: EN_REPROVISION },
  'config.profile-missing': { message: 'No acquirer profile is provisioned.', remedy: EN_REPROVISION },
  'config.profile-invalid': { message: 'The acquirer profile is invalid.', remedy: EN_REPROVISION },

  'display.ok': { message: 'The display answers at the expected size.', remedy: EN_NONE },
  'display.no-answer': {
    message: 'The display controller does not answer.',
    remedy: 'Restart the terminal and check the display cable. If it persists, call support with this code.',
  },
  'display.wrong-size': {
    message: 'The display reports an unexpected size.',
    remedy: 'Check the display module matches this board, then call support with this code.',
  },

  'keypad.ok': { message: 'No key is held down.', remedy: EN_NONE },
  'keypad.not-judged': {
    message: 'Not judged: the test was started from the keypad.',
    remedy: 'Restart the terminal to check the keypad.',
  },
  'keypad.stuck': {
    message: 'A key is held down at boot.',
    remedy: 'Free the stuck key and restart. If it stays stuck, have the keypad checked.',
  },

  'probe.timeout': {
    message: 'The check did not finish in time.',
    remedy: 'Restart the terminal and run the self-test again. If it recurs, call support with this code.',
  },
  'probe.crashed': {
    message: 'The check raised an error.',
    remedy: 'Run the self-test again. If it recurs, update the firmware, then call support with this code.',
  },
  'code.unknown': {
    message: 'This result code is not described on the terminal.',
    remedy: 'Check network, device, system and account, re-authenticate the terminal, then call support with this code.',
  },
  ...EN_AUTH_CODES,
  ...EN_HOST_CODES,
  ...EN_READER_CODES,
});

/** A result code the screens describe; `code.unknown` stands in for any other. */
export type ProbeCode = keyof typeof EN_CODES;

const ZH_CODES: Readonly<Record<ProbeCode, CodeText>> = deepFreeze({
  'image.ok': { message: '固件签名可信，与签名内容一致。', remedy: ZH_NONE },
  'image.digest-mismatch': { message: '固件与构建摘要不一致。', remedy: '请重新刷写或升级固件；如仍失败，请携此代码联系客服。' },
  'image.no-digest': { message: '构建未记录摘要，固件未经校验。', remedy: '方便时请升级到正式发布版本。' },
  'image.unsigned': { message: '固件未经厂商签名（出厂或开发版本）。', remedy: '方便时请安装已签名的正式版本（升级固件）。' },
  'image.signature-bad': { message: '固件签名无效，或不是可信密钥签发的。', remedy: '请重新刷写或升级到已签名的正式版本；如仍失败，请携此代码联系客服。' },
  'image.demo-key': { message: '固件由公开的演示密钥签名，任何人都能签发本终端接受的升级。', remedy: '投入收款前，请安装由厂商自有密钥签名的正式版本。' },
  'image.seal-mismatch': { message: '固件与厂商签名的内容不一致。', remedy: '请重新刷写或升级固件；如仍失败，请携此代码联系客服。' },
  'image.read-error': { message: '无法读取固件映像。', remedy: '请重启终端；如仍出现，请重新刷写固件，再携此代码联系客服。' },

  'rtc.ok': { message: '时钟正常。', remedy: ZH_NONE },
  'rtc.before-build': {
    message: '时钟早于固件构建时间。',
    remedy: '请设置日期和时间；如断电后复位，请更换时钟电池。证书校验依赖时钟。',
  },
  'rtc.implausible': { message: '时钟超前过多，明显不合理。', remedy: '请设置日期和时间；如再次偏差，请更换时钟电池。' },
  'cert.clock-untrusted': { message: '未判断证书有效期：时钟不可信，也未能从网络校准。', remedy: '请先校正时钟（见时钟检查），再重新自检。' },

  'flash.ok': { message: '存储写入和读回正常。', remedy: ZH_NONE },
  'flash.readback': { message: '测试写入后无法正确读回，闪存故障。', remedy: '请更换主板，并携此代码联系客服。' },
  'flash.corrupt': { message: '存储中的记录或扇区头已损坏（并非断电所致），存储已损坏。', remedy: '收款前请携此代码联系客服；可能需要更换主板。' },
  'flash.torn-record': { message: '断电中断了一次写入，未完成的记录或擦除已丢弃。', remedy: '请检查电源和电源线；交易过程中请勿断电。' },
  'flash.durable-full': { message: '密钥、计数器和日志的存储区已满，有记录被拒绝。', remedy: '请结算批次并重新签到；如反复出现，请携此代码联系客服。' },

  'memory.ok': { message: '可用内存充足。', remedy: ZH_NONE },
  'memory.tight': { message: '可用内存偏少。', remedy: '请重启终端；如反复出现，请携此代码联系客服。' },
  'memory.low': { message: '可用内存过少，无法安全运行。', remedy: '请重启终端；如仍出现，请升级固件，再携此代码联系客服。' },

  'config.ok': { message: '终端配置有效。', remedy: ZH_NONE },
  'config.tid-invalid': { message: '终端号必须为 8 位。', remedy: ZH_REPROVISION },
  'config.mid-invalid': { message: '商户号必须为 15 位。', remedy: ZH_REPROVISION },
  'config.profile-missing': { message: '未配置收单参数。', remedy: ZH_REPROVISION },
  'config.profile-invalid': { message: '收单参数无效。', remedy: ZH_REPROVISION },

  'display.ok': { message: '显示屏应答正常，尺寸正确。', remedy: ZH_NONE },
  'display.no-answer': { message: '显示屏控制器无应答。', remedy: '请重启终端并检查显示屏排线；如仍出现，请携此代码联系客服。' },
  'display.wrong-size': { message: '显示屏尺寸与预期不符。', remedy: '请确认显示模块与主板匹配，再携此代码联系客服。' },

  'keypad.ok': { message: '没有按键被按住。', remedy: ZH_NONE },
  'keypad.not-judged': { message: '未判断：本次自检由键盘启动。', remedy: '重启终端即可检查键盘。' },
  'keypad.stuck': { message: '开机时有按键被按住。', remedy: '请松开卡住的按键后重启；如仍卡住，请检修键盘。' },

  'probe.timeout': { message: '检测未在规定时间内完成。', remedy: '请重启终端并重新自检；如反复出现，请携此代码联系客服。' },
  'probe.crashed': { message: '检测过程出错。', remedy: '请重新自检；如反复出现，请升级固件，再携此代码联系客服。' },
  'code.unknown': {
    message: '终端上没有此结果代码的说明。',
    remedy: '请依次检查网络、设备、系统、账户，再重新认证终端，然后携此代码联系客服。',
  },
  ...ZH_AUTH_CODES,
  ...ZH_HOST_CODES,
  ...ZH_READER_CODES,
});

export const CODE_TEXTS: Readonly<Record<Lang, Readonly<Record<ProbeCode, CodeText>>>> = Object.freeze({
  zh: Object.freeze(ZH_CODES),
  en: Object.freeze(EN_CODES),
});

/** The probe's title, or its id when the tables do not know it (a probe newer than the text). */
export function probeTitle(lang: Lang, id: string): string {
  const titles = PROBE_TITLES[lang];
  return hasKey(titles, id) ? titles[id] : id;
}

/**
 * The finding and remedy for a result code. Codes ending in ".timeout"/".crashed" (the
 * runner's generic failures, also when prefixed by a probe id) share the generic texts.
 */
export function codeText(lang: Lang, code: string): CodeText {
  const texts = CODE_TEXTS[lang];
  if (hasKey(texts, code)) return texts[code];
  return texts[runnerFailure(code) ?? 'code.unknown'];
}

/** The runner's generic failure a code stands for ("system.rtc.timeout" → "probe.timeout"), if any. */
export function runnerFailure(code: string): 'probe.timeout' | 'probe.crashed' | undefined {
  return code.endsWith('.timeout') ? 'probe.timeout' : code.endsWith('.crashed') ? 'probe.crashed' : undefined;
}

/** `key` is the table's own (not inherited from Object.prototype, like "toString"). */
export function hasKey<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(table, key);
}
