/**
 * The words of the code-83 diagnosis screens, in zh and en: each cause's name and each remedy's
 * title and how-to, keyed by the stable ids of diagnosis/causes.ts and diagnosis/remedies.ts
 * (issue-8 contract §1, §2), and the screens' own labels. Names are short (a cause page's
 * title, one row of a list); a remedy's `how` is one plain sentence a merchant can act on.
 *
 * English defines the keys; the Chinese tables are typed against them, so a key missing from
 * either is a compile error. Every character must have a glyph in firmware/assets/ui-font.bin:
 * after editing, run `npm run font` (host-sim/tools/make-font.ts reads these tables).
 */
import { deepFreeze } from '../freeze';
import type { ActionId, Actor, CauseStatus } from '../diagnosis/types';
import { fillParams, type Lang, type StringParams } from './strings';

const EN_CAUSE_NAMES = deepFreeze({
  'net.link-down': 'Network link down',
  'net.dns': 'Host names do not resolve',
  'net.host-unreachable': 'Acquirer host unreachable',
  'net.primary-down': 'Primary host down',
  'net.unstable': 'Unstable connection',
  'net.tls': 'Host TLS root cert unusable',
  'dev.display': 'Display fault',
  'dev.keypad': 'Key stuck',
  'dev.reader': 'Card reader fault',
  'dev.power': 'Power supply too weak',
  'sys.clock': 'Clock cannot be trusted',
  'sys.config': 'Config missing or invalid',
  'sys.storage': 'Storage damaged or full',
  'sys.image': 'Firmware image damaged',
  'sys.crash': 'Recent crashes or resets',
  'sys.memory': 'Memory low',
  'sys.key-storage': 'Board refuses to store keys',
  'sys.update': 'Firmware update failed',
  'acct.restricted': 'Merchant account restricted',
  'auth.not-activated': 'Terminal not activated',
  'auth.activation-code': 'Activation code refused',
  'auth.tid-disabled': 'Terminal ID disabled',
  'auth.bound-elsewhere': 'Activated on another device',
  'auth.master-key': 'Master key missing',
  'auth.kcv-mismatch': 'Key check value mismatch',
  'auth.working-keys': 'Working keys stale or wrong',
  'auth.certificate': 'Certificate not valid',
  'auth.tid-mismatch': 'TID differs from the cert',
  'auth.host-not-registered': 'Host rejects this terminal',
});

export type CauseId = keyof typeof EN_CAUSE_NAMES;

const ZH_CAUSE_NAMES: Readonly<Record<CauseId, string>> = deepFreeze({
  'net.link-down': '网络未连接',
  'net.dns': '主机域名无法解析',
  'net.host-unreachable': '无法连接收单主机',
  'net.primary-down': '主用主机故障，备用正常',
  'net.unstable': '网络连接不稳定',
  'net.tls': '主机 TLS 根证书不可用',
  'dev.display': '显示屏故障',
  'dev.keypad': '按键卡住',
  'dev.reader': '读卡器故障',
  'dev.power': '电源供电不足',
  'sys.clock': '时钟不可信',
  'sys.config': '终端配置缺失或无效',
  'sys.storage': '存储损坏或已满',
  'sys.image': '固件映像损坏',
  'sys.crash': '近期异常重启',
  'sys.memory': '内存不足',
  'sys.key-storage': '本机拒绝保存密钥',
  'sys.update': '软件升级失败',
  'acct.restricted': '商户账户受限',
  'auth.not-activated': '终端未激活',
  'auth.activation-code': '激活码错误或已过期',
  'auth.tid-disabled': '终端号已被收单机构停用',
  'auth.bound-elsewhere': '已在其他设备上激活',
  'auth.master-key': '主密钥缺失',
  'auth.kcv-mismatch': '密钥校验值不符',
  'auth.working-keys': '工作密钥失效或错误',
  'auth.certificate': '终端证书无效',
  'auth.tid-mismatch': '终端号与证书不符',
  'auth.host-not-registered': '主机不接受本终端',
});

/** A step: what it is (a title for lists) and how it is done (one sentence). */
export interface RemedyText {
  readonly title: string;
  readonly how: string;
}

const EN_REMEDIES = deepFreeze({
  'check-network': { title: 'Test the network again', how: 'The terminal checks the link, the host names and the hosts again.' },
  'check-link': { title: 'Check the cable or Wi-Fi', how: 'Plug the network cable in, or check the Wi-Fi is in reach and its password is right.' },
  'check-dns': { title: 'Check the DNS settings', how: "Check the router's DNS and the host names in the acquirer profile." },
  'check-host-address': { title: 'Check host and port', how: "Check the profile's host addresses and ports, and that the firewall lets them through." },
  'renew-tls-anchor': { title: 'Install TLS root cert', how: "Install the acquirer's current TLS root certificate as the host root." },
  'service-display': { title: 'Service the display', how: 'Check the display cable and module; replace the module if it stays dark.' },
  'service-keypad': { title: 'Service the keypad', how: 'Free the stuck key; if it stays stuck, have the keypad replaced.' },
  'service-reader': { title: 'Service the card reader', how: "Check the reader's cable; replace the reader if it still fails." },
  'check-power': { title: 'Check the power supply', how: "Use the terminal's own adapter in a wall socket; replace the adapter or cable if it restarts again." },
  'set-clock': { title: 'Set the clock', how: 'The terminal sets its clock from network time, or you enter the date and time.' },
  restart: { title: 'Restart the terminal', how: 'The terminal restarts and runs its self-test.' },
  'rerun-self-test': { title: 'Run the self-test again', how: 'Every check runs again and this diagnosis is updated.' },
  'reprovision-config': { title: 'Re-provision terminal', how: 'Load the terminal ID, merchant ID and acquirer profile again.' },
  'service-storage': { title: 'Have the storage checked', how: 'The flash is damaged or full: the board may need replacing.' },
  'reflash-firmware': { title: 'Re-flash the firmware', how: 'Load a signed release image of the firmware again.' },
  'call-acquirer-account': { title: 'Call acquirer: account', how: 'The merchant account is restricted: only the acquirer can lift it.' },
  'sign-on-again': { title: 'Sign on again', how: 'The terminal fetches new working keys from the host.' },
  activate: { title: 'Activate the terminal', how: 'Enter the activation code the acquirer gave you.' },
  'new-activation-code': { title: 'New activation code', how: 'Ask the acquirer for a new code, then activate again.' },
  'reinject-master-key': { title: 'Re-inject the master key', how: 'At an authorised key-loading facility, or activate the terminal again.' },
  'replace-certificate': { title: 'Replace the certificate', how: 'Activate again, or install a new certificate from the acquirer.' },
  'fix-tid': { title: 'Correct the terminal ID', how: 'Set the terminal ID that the certificate and the acquirer know.' },
  'call-acquirer-terminal': { title: 'Call acquirer: TID', how: 'Ask the acquirer to enable this terminal ID, or to release it from the other device.' },
  'update-firmware': { title: 'Update the firmware again', how: 'Check the update server offers a signed image that passes its self-test, then update again or flash it by cable.' },
  'secure-build': { title: 'Flash a production build', how: 'Keys need flash and NVS encryption on: flash a production build with both enabled.' },
  'call-support': { title: 'Call support with code', how: 'Read out the support code on the last page, or let support scan its QR code.' },
});

export type RemedyId = keyof typeof EN_REMEDIES;

const ZH_REMEDIES: Readonly<Record<RemedyId, RemedyText>> = deepFreeze({
  'check-network': { title: '重新测试网络', how: '终端将重新检测网络连接、域名解析和主机。' },
  'check-link': { title: '检查网线或 Wi-Fi', how: '请插好网线，或确认 Wi-Fi 信号可达、密码正确。' },
  'check-dns': { title: '检查 DNS 设置', how: '请检查路由器的 DNS 设置和收单参数中的主机名。' },
  'check-host-address': { title: '检查主机地址和端口', how: '请检查收单参数中的主机地址和端口，并确认防火墙放行。' },
  'renew-tls-anchor': { title: '安装 TLS 根证书', how: '请将收单机构最新的 TLS 根证书安装为主机根证书。' },
  'service-display': { title: '检修显示屏', how: '请检查显示屏排线和模块；仍不显示时请更换模块。' },
  'service-keypad': { title: '检修键盘', how: '请松开卡住的按键；如仍卡住，请更换键盘。' },
  'service-reader': { title: '检修读卡器', how: '请检查读卡器排线；仍有故障时请更换读卡器。' },
  'check-power': { title: '检查电源', how: '请使用终端原装电源适配器并直接插在墙上插座；如仍重启，请更换适配器或电源线。' },
  'set-clock': { title: '校准时钟', how: '终端将通过网络时间校准时钟，或由您输入日期和时间。' },
  restart: { title: '重启终端', how: '终端将重启并运行自检。' },
  'rerun-self-test': { title: '重新自检', how: '重新运行全部检查并更新本诊断。' },
  'reprovision-config': { title: '重新下载终端参数', how: '请重新下载终端号、商户号和收单参数。' },
  'service-storage': { title: '检修存储', how: '闪存已损坏或已满，可能需要更换主板。' },
  'reflash-firmware': { title: '重新刷写固件', how: '请重新刷写经签名的正式版固件。' },
  'call-acquirer-account': { title: '联系收单机构处理账户', how: '商户账户受限，只有收单机构可以解除。' },
  'sign-on-again': { title: '重新签到', how: '终端将向主机重新获取工作密钥。' },
  activate: { title: '激活终端', how: '请输入收单机构提供的激活码。' },
  'new-activation-code': { title: '申请新的激活码', how: '请向收单机构申请新的激活码，然后重新激活。' },
  'reinject-master-key': { title: '重新灌装主密钥', how: '请到授权的密钥灌装点灌装，或重新激活终端。' },
  'replace-certificate': { title: '更换终端证书', how: '请重新激活终端，或安装收单机构签发的新证书。' },
  'fix-tid': { title: '更正终端号', how: '请将终端号设为证书和收单机构登记的终端号。' },
  'call-acquirer-terminal': { title: '联系收单机构启用终端', how: '请收单机构启用本终端号，或解除它与另一台设备的绑定。' },
  'update-firmware': { title: '重新升级固件', how: '请确认升级服务器提供的是经签名且能通过自检的固件，然后重新升级，或用数据线刷写。' },
  'secure-build': { title: '刷写正式版固件', how: '保存密钥需开启闪存加密和 NVS 加密：请刷写两者均已开启的正式版固件。' },
  'call-support': { title: '携诊断码联系客服', how: '请向客服报读最后一页的诊断码，或让客服扫描二维码。' },
});

const EN_LABELS = deepFreeze({
  'diag.title': 'Terminal diagnosis',
  'diag.status.confirmed': 'Confirmed',
  'diag.status.likely': 'Likely',
  'diag.status.ruled-out': 'Ruled out',
  'diag.evidence': 'Evidence',
  'diag.for': 'Evidence for',
  'diag.against': 'Evidence against',
  'diag.none': 'None',
  'diag.firstStep': 'First step',
  'diag.nextStep': 'Next step',
  'diag.remedies': 'What to do',
  'diag.noCause': 'No cause found',
  'diag.noCauseNote': 'The terminal found nothing wrong on its side.',
  'diag.selftest': 'Self-test: {counts}',
  'diag.noSelftest': 'No self-test result yet.',
  'diag.noCauseAdvice': 'Call support with the code on the last page.',
  'diag.ruledOut': 'Causes ruled out',
  'diag.steps': 'Steps',
  'diag.allTried': 'Every step the terminal can run was tried.',
  'diag.tried': 'Tried',
  'diag.cleared': 'Back in service',
  'diag.clearedNote': 'The self-test passes: the cause is cleared.',
  'act.activation-already-activated': 'This terminal is already activated: a new activation would replace its master key. Nothing was sent or changed.',
  'act.activation-already-activated.remedy': 'Sign on again first. If a new activation is really needed, a technician confirms it with the service tools.',
  'act.activation-busy': 'A step is under way: the activation was not started.',
  'act.activation-busy.remedy': 'Wait for the step to end, then activate again.',
  'step.done': 'Done',
  'step.failed': 'Failed',
  'step.refused': 'Not possible now',
  'step.running': 'Running…',
  'step.terminal': 'The terminal does this',
  'step.press': 'Press {n} to run',
  'step.actor': 'Needs the {actor}',
  'actor.merchant': 'merchant',
  'actor.technician': 'technician',
  'actor.acquirer': 'acquirer',
  'actor.support': 'support',
  'diag.keys.pad': 'Press 1–9 to run a step, ENTER the next',
  'diag.keys.one': 'Hold 1.5 s: run the next step',
  'diag.support': 'Call support',
  'action.network-test': 'Network test',
  'action.sign-on': 'Sign-on',
  'action.restart': 'Restart',
  'action.set-clock': 'Clock setting',
  'action.self-test': 'Self-test',
  'action.activate': 'Activation',
  'evidence.action': '{action}: {result}',
  'evidence.host': 'Host answered {code}: {what}',
  'evidence.hostNoCode': 'Host answered: {what}',
  'evidence.reset.panic': 'Restarted after a crash',
  'evidence.reset.watchdog': 'Restarted by the watchdog',
  'evidence.reset.brownout': 'Restarted on low supply voltage',
  'evidence.storage.corrupt': 'Damaged records found at boot',
  'evidence.link.reversal-pending': 'A reversal is waiting to be sent',
  'evidence.link.failover': 'Switched to the backup host',
  'evidence.link.timeout': 'The host did not answer in time',
  'evidence.host.refused-after-accept': 'The host refused the terminal after accepting it earlier',
  'evidence.host.sign-on-requested': 'The host asked the terminal to sign on again',
  'evidence.host.answer-mac-bad': "The MAC of the host's answer does not verify",
  'evidence.hosttext.account-restricted': "The host's message says the account is restricted",
  'evidence.hosttext.terminal-disabled': "The host's message says the terminal is disabled",
  'evidence.activation.done': 'The terminal was activated',
  'evidence.reader.repeated-error': 'Card reads kept failing with the same reader error',
  'evidence.power.brownout': 'Restarted: the supply voltage dropped too low',
  'evidence.reset.crash-loop': 'Crashed again and again: safe mode, acquirer link off',
  'evidence.update.ok': 'The firmware update passed its self-test',
  'evidence.update.failed': 'The new firmware failed its self-test: the old one was restored',
  'evidence.update.crashed': 'The new firmware crashed at its first boot: the old one was restored',
  'evidence.update.interrupted': 'A firmware update was interrupted by a restart',
  'evidence.update.refused': 'An offered firmware update was refused',
  'evidence.update.download-failed': 'A firmware download did not complete',
  'evidence.clock.jump': 'Network time moved the clock by more than 5 minutes',
  'evidence.clock.sntp-failed': 'No network time server answered',
});

export type DiagnosisLabel = keyof typeof EN_LABELS;

const ZH_LABELS: Readonly<Record<DiagnosisLabel, string>> = deepFreeze({
  'diag.title': '终端诊断',
  'diag.status.confirmed': '已确认',
  'diag.status.likely': '可能',
  'diag.status.ruled-out': '已排除',
  'diag.evidence': '依据',
  'diag.for': '支持的依据',
  'diag.against': '不支持的依据',
  'diag.none': '无',
  'diag.firstStep': '第一步',
  'diag.nextStep': '下一步',
  'diag.remedies': '处理方法',
  'diag.noCause': '未找到原因',
  'diag.noCauseNote': '终端未发现自身的问题。',
  'diag.selftest': '自检：{counts}',
  'diag.noSelftest': '尚无自检结果。',
  'diag.noCauseAdvice': '请携最后一页的诊断码联系客服。',
  'diag.ruledOut': '已排除的原因',
  'diag.steps': '处理步骤',
  'diag.allTried': '终端能执行的步骤均已尝试。',
  'diag.tried': '已尝试',
  'diag.cleared': '已恢复服务',
  'diag.clearedNote': '自检通过，故障已排除。',
  'act.activation-already-activated': '本终端已激活：重新激活会替换其主密钥。未发送任何请求，也未做任何更改。',
  'act.activation-already-activated.remedy': '请先重新签到。如确需重新激活，须由技术人员用维护工具确认。',
  'act.activation-busy': '正在执行其他步骤，未开始激活。',
  'act.activation-busy.remedy': '请等待该步骤完成，然后重新激活。',
  'step.done': '已完成',
  'step.failed': '未成功',
  'step.refused': '暂不能执行',
  'step.running': '正在执行…',
  'step.terminal': '终端可自动执行',
  'step.press': '按 {n} 执行',
  'step.actor': '需由{actor}处理',
  'actor.merchant': '商户',
  'actor.technician': '技术员',
  'actor.acquirer': '收单机构',
  'actor.support': '客服',
  'diag.keys.pad': '按 1–9 执行对应步骤，按确认执行下一步',
  'diag.keys.one': '长按 1.5 秒：执行下一步',
  'diag.support': '联系客服',
  'action.network-test': '网络测试',
  'action.sign-on': '签到',
  'action.restart': '重启',
  'action.set-clock': '校准时钟',
  'action.self-test': '自检',
  'action.activate': '激活',
  'evidence.action': '{action}：{result}',
  'evidence.host': '主机应答 {code}：{what}',
  'evidence.hostNoCode': '主机应答：{what}',
  'evidence.reset.panic': '程序崩溃后重启',
  'evidence.reset.watchdog': '看门狗超时重启',
  'evidence.reset.brownout': '电源电压过低重启',
  'evidence.storage.corrupt': '开机时发现损坏的记录',
  'evidence.link.reversal-pending': '有冲正等待发送',
  'evidence.link.failover': '已切换到备用主机',
  'evidence.link.timeout': '主机应答超时',
  'evidence.host.refused-after-accept': '主机先前接受本终端，现在拒绝',
  'evidence.host.sign-on-requested': '主机要求终端重新签到',
  'evidence.host.answer-mac-bad': '主机应答的 MAC 校验失败',
  'evidence.hosttext.account-restricted': '主机附言表示账户受限',
  'evidence.hosttext.terminal-disabled': '主机附言表示终端已停用',
  'evidence.activation.done': '终端已激活',
  'evidence.reader.repeated-error': '读卡连续多次因同一读卡器错误失败',
  'evidence.power.brownout': '电源电压过低导致重启',
  'evidence.reset.crash-loop': '反复故障重启：已进入安全模式，收单连接已断开',
  'evidence.update.ok': '固件升级已通过自检',
  'evidence.update.failed': '新固件未通过自检，已恢复原固件',
  'evidence.update.crashed': '新固件首次启动时崩溃，已恢复原固件',
  'evidence.update.interrupted': '固件升级因重启而中断',
  'evidence.update.refused': '已拒绝提供的固件升级',
  'evidence.update.download-failed': '固件下载未完成',
  'evidence.clock.jump': '网络时间将时钟调整了 5 分钟以上',
  'evidence.clock.sntp-failed': '网络时间服务器均无应答',
});

export const CAUSE_NAMES: Readonly<Record<Lang, Readonly<Record<CauseId, string>>>> = Object.freeze({ zh: ZH_CAUSE_NAMES, en: EN_CAUSE_NAMES });
export const REMEDY_TEXTS: Readonly<Record<Lang, Readonly<Record<RemedyId, RemedyText>>>> = Object.freeze({ zh: ZH_REMEDIES, en: EN_REMEDIES });
export const DIAGNOSIS_LABELS: Readonly<Record<Lang, Readonly<Record<DiagnosisLabel, string>>>> = Object.freeze({ zh: ZH_LABELS, en: EN_LABELS });

const own = (table: object, key: string): boolean => Object.prototype.hasOwnProperty.call(table, key);

/** A cause's name; its id when the table does not know it (a cause newer than the text). */
export function causeName(lang: Lang, id: string): string {
  const names = CAUSE_NAMES[lang];
  return own(names, id) ? names[id as CauseId] : id;
}

/** A remedy's texts; its id as the title when the table does not know it. */
export function remedyText(lang: Lang, id: string): RemedyText {
  const texts = REMEDY_TEXTS[lang];
  return own(texts, id) ? texts[id as RemedyId] : { title: id, how: '' };
}

/** `key` with each `{name}` filled in (an unknown name stays visible). */
export function label(lang: Lang, key: DiagnosisLabel, params?: StringParams): string {
  return fillParams(DIAGNOSIS_LABELS[lang][key], params);
}

/** The key of a label named at run time, if the table has it ("evidence.reset.panic"). */
export function labelKey(name: string): DiagnosisLabel | undefined {
  return own(EN_LABELS, name) ? (name as DiagnosisLabel) : undefined;
}

export const statusName = (lang: Lang, status: CauseStatus): string => DIAGNOSIS_LABELS[lang][`diag.status.${status}`];
export const actorName = (lang: Lang, actor: Actor): string => DIAGNOSIS_LABELS[lang][`actor.${actor}`];
export const actionName = (lang: Lang, action: ActionId): string => DIAGNOSIS_LABELS[lang][`action.${action}`];
