/**
 * Screen text of a card sale (ui/cardScreens.ts), merged into the string tables of strings.ts,
 * and the findings and remedies of the reader probes (device.reader, device.antenna,
 * device.contact, device.magstripe, device.scanner), merged into probeStrings.ts. English
 * defines the keys; the Chinese tables must match.
 */
import { deepFreeze } from '../freeze';

export const EN_CARD = deepFreeze({
  'card.present': 'Tap, insert, swipe or scan',
  'card.presentWait': 'The sale is cancelled after 30 s without a card.',
  'card.reading': 'Reading the card',
  'card.doNotRemove': 'Do not remove the card',
  'card.pin': 'Enter the PIN',
  'card.pinHint': 'The cardholder enters the PIN, then ENTER. CLEAR deletes a digit.',
  'card.pinUnavailable': 'The card asks for a PIN, but this terminal has no PIN pad.',
  'card.pinUnavailableHint': 'Pay with another card, by code, or at a terminal with a PIN pad.',
  'card.insert': 'Chip card: insert the card',
  'card.insertHint': 'This card has a chip: insert it instead of swiping.',
  'card.removed': 'Card removed: tap again',
  'card.removedHint': 'Hold the card still on the reader until the sale is processed.',
  'card.notPaymentCode': 'Not a payment code',
  'card.notPaymentCodeHint': 'Ask the customer to open the payment code (付款码) in WeChat, Alipay or UnionPay.',
  'card.readFailed': 'The card could not be read',
  'card.readFailedHint': 'Try again, or pay another way.',
  'card.timeout': 'No card presented: sale cancelled',
  'card.cancelled': 'Sale cancelled',
  'card.declinedByCard': 'The card declined the sale',
  'card.overLimit': 'Over the contactless limit: insert or swipe',
  'card.expired': 'The card has expired',
  'card.notAccepted': 'This card is not accepted here',
  'card.blocked': 'The card or its application is blocked',
  'card.noReader': 'No card reader, slot, magstripe reader or scanner is fitted.',
  'label.code': 'Code',
  'label.scheme': 'Pay by',
  'scheme.wechat': 'WeChat Pay',
  'scheme.alipay': 'Alipay',
  'scheme.unionpay': 'UnionPay QR',
  'keys.pad.cancel': 'CANCEL Cancel',
  'keys.pad.pin': 'ENTER OK · CLEAR · CANCEL',
  'keys.one.cancel': 'Press: cancel',
});

export const ZH_CARD: Readonly<Record<keyof typeof EN_CARD, string>> = deepFreeze({
  'card.present': '请挥卡、插卡、刷卡或扫码',
  'card.presentWait': '30 秒内未读到卡片，交易将自动取消。',
  'card.reading': '正在读卡',
  'card.doNotRemove': '请勿移开卡片',
  'card.pin': '请输入密码',
  'card.pinHint': '请持卡人输入密码后按【确认】键，按【更正】键删除一位。',
  'card.pinUnavailable': '此卡要求输入密码，但本终端没有密码键盘。',
  'card.pinUnavailableHint': '请换用其他卡片、扫码支付，或使用带密码键盘的终端。',
  'card.insert': '此卡为芯片卡，请插卡',
  'card.insertHint': '此卡带有芯片，请插卡交易，不要刷卡。',
  'card.removed': '卡片已移开，请重新挥卡',
  'card.removedHint': '交易处理完成前，请将卡片保持在读卡区不动。',
  'card.notPaymentCode': '不是付款码',
  'card.notPaymentCodeHint': '请顾客打开微信、支付宝或云闪付中的付款码。',
  'card.readFailed': '读卡失败',
  'card.readFailedHint': '请重试，或换用其他支付方式。',
  'card.timeout': '未读到卡片，交易已取消',
  'card.cancelled': '交易已取消',
  'card.declinedByCard': '卡片拒绝交易',
  'card.overLimit': '超过非接限额，请插卡或刷卡',
  'card.expired': '卡片已过期',
  'card.notAccepted': '本终端不受理此卡',
  'card.blocked': '卡片或其应用已锁定',
  'card.noReader': '本终端未安装读卡器、卡座、磁条读卡器或扫码器。',
  'label.code': '付款码',
  'label.scheme': '支付方式',
  'scheme.wechat': '微信支付',
  'scheme.alipay': '支付宝',
  'scheme.unionpay': '银联二维码',
  'keys.pad.cancel': '取消 退出',
  'keys.pad.pin': '确认 完成 · 更正 · 取消',
  'keys.one.cancel': '按键：取消',
});

export const EN_READER_TITLES = deepFreeze({
  'device.reader': 'Card reader',
  'device.antenna': 'Contactless antenna',
  'device.contact': 'Chip card slot',
  'device.magstripe': 'Magstripe reader',
  'device.scanner': 'Code scanner',
});

export const ZH_READER_TITLES: Readonly<Record<keyof typeof EN_READER_TITLES, string>> = deepFreeze({
  'device.reader': '读卡器',
  'device.antenna': '非接天线',
  'device.contact': '接触式卡座',
  'device.magstripe': '磁条读卡器',
  'device.scanner': '扫码器',
});

const EN_NONE = 'No action needed.';
const ZH_NONE = '无需处理。';
const EN_REPLACE = 'Restart the terminal. If it fails again, have the reader module replaced and call support with this code.';
const ZH_REPLACE = '请重启终端；如仍失败，请更换读卡模块并携此代码联系客服。';
const EN_MEANWHILE = 'Meanwhile customers can insert, swipe or scan where those are fitted.';
const ZH_MEANWHILE = '期间顾客可插卡、刷卡或扫码（如已安装）。';

export const EN_READER_CODES = deepFreeze({
  'reader.ok': { message: 'The card reader answers and passes its own tests.', remedy: EN_NONE },
  'reader.no-answer': {
    message: 'The card reader does not answer.',
    remedy: `Restart the terminal and check the reader's cable and connector. If it persists, call support with this code. ${EN_MEANWHILE}`,
  },
  'reader.line-failed': {
    message: 'The line to the card reader garbles data (its echo test failed).',
    remedy: "Check the reader's cable and connector, then restart. If it fails again, call support with this code.",
  },
  'reader.rom-failed': { message: "The reader chip failed its ROM test.", remedy: EN_REPLACE },
  'reader.ram-failed': { message: "The reader chip failed its RAM test.", remedy: EN_REPLACE },
  'reader.sam-refused': {
    message: 'The reader chip refused its configuration (SAM configuration).',
    remedy: 'Restart the terminal. If it persists, update the firmware, then call support with this code.',
  },
  'antenna.ok': { message: 'The contactless antenna passes its test.', remedy: EN_NONE },
  'antenna.failed': {
    message: 'The contactless antenna failed its test: contactless cards cannot be read.',
    remedy: `Take any metal or card off the reader and restart. If it fails again, have the antenna checked. ${EN_MEANWHILE}`,
  },
  'antenna.not-judged': { message: 'Not judged: the card reader did not answer.', remedy: 'Fix the card reader first (see the Card reader check).' },
  'contact.ok': { message: 'The chip card slot answers.', remedy: EN_NONE },
  'contact.no-answer': {
    message: 'The chip card slot does not answer.',
    remedy: 'Look for a card or dirt stuck in the slot, then restart. If it persists, call support with this code.',
  },
  'magstripe.ok': { message: 'The magstripe reader answers.', remedy: EN_NONE },
  'magstripe.no-answer': {
    message: 'The magstripe reader does not answer.',
    remedy: 'Check its cable, then restart. If it persists, call support with this code.',
  },
  'scanner.ok': { message: 'The code scanner answers.', remedy: EN_NONE },
  'scanner.no-answer': {
    message: 'The code scanner does not answer.',
    remedy: 'Check its cable, then restart. If it persists, call support with this code.',
  },
});

export const ZH_READER_CODES: Readonly<Record<keyof typeof EN_READER_CODES, { message: string; remedy: string }>> = deepFreeze({
  'reader.ok': { message: '读卡器应答正常，自身测试通过。', remedy: ZH_NONE },
  'reader.no-answer': { message: '读卡器无应答。', remedy: `请重启终端并检查读卡器排线和接口；如仍出现，请携此代码联系客服。${ZH_MEANWHILE}` },
  'reader.line-failed': { message: '读卡器通信线路测试失败（回显数据不一致）。', remedy: '请检查读卡器排线和接口后重启；如仍失败，请携此代码联系客服。' },
  'reader.rom-failed': { message: '读卡芯片 ROM 自检失败。', remedy: ZH_REPLACE },
  'reader.ram-failed': { message: '读卡芯片 RAM 自检失败。', remedy: ZH_REPLACE },
  'reader.sam-refused': { message: '读卡芯片拒绝配置（SAM 配置失败）。', remedy: '请重启终端；如仍出现，请升级固件，再携此代码联系客服。' },
  'antenna.ok': { message: '非接天线测试通过。', remedy: ZH_NONE },
  'antenna.failed': { message: '非接天线测试失败，无法读取非接卡片。', remedy: `请移开读卡区上的金属物品或卡片后重启；如仍失败，请检修天线。${ZH_MEANWHILE}` },
  'antenna.not-judged': { message: '未判断：读卡器无应答。', remedy: '请先排除读卡器故障（见“读卡器”一项）。' },
  'contact.ok': { message: '接触式卡座应答正常。', remedy: ZH_NONE },
  'contact.no-answer': { message: '接触式卡座无应答。', remedy: '请检查卡座内是否有卡片或异物卡住，然后重启；如仍出现，请携此代码联系客服。' },
  'magstripe.ok': { message: '磁条读卡器应答正常。', remedy: ZH_NONE },
  'magstripe.no-answer': { message: '磁条读卡器无应答。', remedy: '请检查其连接线后重启；如仍出现，请携此代码联系客服。' },
  'scanner.ok': { message: '扫码器应答正常。', remedy: ZH_NONE },
  'scanner.no-answer': { message: '扫码器无应答。', remedy: '请检查其连接线后重启；如仍出现，请携此代码联系客服。' },
});
