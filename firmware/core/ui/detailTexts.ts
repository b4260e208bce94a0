/**
 * Probe details in the screen's language. A probe's `detail` is the facts it found, written
 * once in English for the log, the trace and support (e.g. "rtc 2026-11-26T09:00:00Z, build
 * 2026-11-20T08:00:00Z"). English screens show it as it is; Chinese screens show it through
 * the forms below: each form matches one shape of English detail and says the same facts in
 * Chinese, carrying the values (dates, IDs, check values, counts) over unchanged.
 *
 * A detail no form matches (a probe newer than this table, or a detail cut at the report's
 * length limit) is never shown in English on a Chinese screen: the screen says that the facts
 * are kept in English in the report instead. tests/ui/detailTexts.test.ts runs every shipped
 * scenario and fails on any detail without a form: a probe whose wording changes needs its
 * form changed here too.
 *
 * Template syntax: `{name}` is the named group of the pattern, rendered by VALUES[name] when
 * the value needs words of its own; `[...]` is a part shown only when every group in it matched.
 */
import { deepFreeze } from '../freeze';
import { hasKey, runnerFailure } from './probeStrings';
import type { Lang } from './strings';

interface DetailForm {
  /** A RegExp, or a hand-written matcher with the same `exec` contract (named groups). */
  readonly en: { exec(detail: string): { groups?: Record<string, string> } | null };
  readonly zh: string;
}

const DAY = '\\d{4}-\\d\\d-\\d\\d';
const ISO = `${DAY}T\\d\\d:\\d\\d:\\d\\dZ`;
const FLASH_FACTS =
  '(?<sectors>\\d+)×(?<size>\\d+) B, (?<records>\\d+) records at boot, (?<torn>\\d+) torn, (?<cut>\\d+) erases cut, ' +
  '(?<damaged>\\d+) damaged records, (?<bad>\\d+) bad sector headers(?: \\((?<where>[^)]*)\\))?; durable (?<durable>\\d+)/(?<cap>\\d+) B' +
  '(?:; full, (?<reused>\\d+) oldest sector\\(s\\) reused since boot)?';
const ZH_FLASH_FACTS =
  '{sectors} 个 {size} 字节扇区，开机时 {records} 条记录，{torn} 条未写完，{cut} 次擦除被中断，{damaged} 条记录损坏，' +
  '{bad} 个扇区头损坏[（{where}）]；持久记录 {durable}/{cap} 字节[；已满，开机后重用了 {reused} 个最旧扇区]';

/**
 * A form's English pattern, compiled when a detail is read, never at module level: XS (SDK 8.2.3,
 * xsRegExp.c fx_RegExp_prototype_exec) reads a preloaded RegExp's named groups through its
 * never-allocated capture data and crashes (mcsim: SIGSEGV laying out the zh report page); a
 * RegExp made at run time has its own. A report page reads a few dozen details: the compile is cheap.
 */
const re = (source: string): DetailForm['en'] => ({ exec: (detail: string) => new RegExp(`^${source}$`).exec(detail) });
const form = (en: string, zh: string): DetailForm => ({ en: re(en), zh });

const IMAGE_FACTS = form('sha256 (?<actual>[0-9a-f]+…), expected (?<expected>[0-9a-f]+…), (?<bytes>\\d+) bytes', 'SHA-256 为 {actual}，应为 {expected}，共 {bytes} 字节');
const IMAGE_SIGNED_FACTS = 'version (?<version>\\S+) for (?<board>\\S+) signed by (?<keyId>\\S+), sha256 (?<sha>[0-9a-f]+…), (?<bytes>\\d+) bytes';
const ZH_IMAGE_SIGNED_FACTS = '版本 {version}（板型 {board}），由密钥 {keyId} 签名，SHA-256 为 {sha}，共 {bytes} 字节';
const IMAGE_SIGNED = form(IMAGE_SIGNED_FACTS, ZH_IMAGE_SIGNED_FACTS);
const RTC_FACTS = form(
  `rtc (?<rtc>${ISO}), build (?<build>${ISO})(?:, source (?:sntp (?<server>\\S+)|rtc(?<kept>)))?`,
  '时钟 {rtc}，固件构建于 {build}[，时间由 SNTP 服务器 {server} 校准][{kept}，时间取自本机时钟]',
);
const MEMORY_FACTS = form('chunks (?<chunkFree>\\d+)/(?<chunkTotal>\\d+) B free, slots (?<slotsFree>\\d+)/(?<slotsTotal>\\d+) free', '内存块空闲 {chunkFree}/{chunkTotal} 字节，槽位空闲 {slotsFree}/{slotsTotal}');
const CONFIG_FIELD = form('(?<field>[^\\s:]+): (?<why>.+)', '有误的字段：{field}');
const DISPLAY_FACTS = form('(?<controller>.+?), (?<width>\\d+)×(?<height>\\d+)(?:, expected (?<expectedWidth>\\d+)×(?<expectedHeight>\\d+))?', '控制器 {controller}，{width}×{height}[，应为 {expectedWidth}×{expectedHeight}]');
const KEY_PROBLEM = form('(?<problem>.+)', '{problem}');
/** What a reader or a slot reported, in its adapter's words (a device message, carried as a value). */
const READER_SAID = form('(?<said>.+)', '读卡器报告：{said}');
/** What a serial input module reported (its model and line, as its adapter says them). */
const MODULE_SAID = form('(?<said>.+)', '模块报告：{said}');
const CERT_FIX = '请先看上方说明';
const HOST_AT = '(?<role>primary|backup) (?<where>\\S+)(?<tls> \\(TLS\\))?';
const ECHO_FACTS = form(
  'round trip (?<ms>\\d+) ms to the (?<role>primary|backup), answer (?<code>[0-9A-Z]{2})(?:; response timeout (?<timeout>\\d+) ms)?',
  '往返 {ms} ms（{role}），应答码 {code}[；响应超时 {timeout} ms]',
);
/**
 * `host answered 03 (Invalid merchant | 无效商户) to 0200 from the primary at <ISO>`, read without
 * a RegExp: the profile's texts are non-ASCII and of any length, and a backtracking pattern over
 * them ran the device's XS regular-expression engine out of native stack (mcsim: SIGSEGV in
 * RegExp.prototype.exec while the zh report page was laid out).
 */
const ANSWER_FACTS: DetailForm = {
  en: {
    exec(detail: string) {
      const head = 'host answered ';
      const open = detail.indexOf(' (');
      const bar = detail.lastIndexOf(' | ');
      const close = detail.lastIndexOf(') to ');
      if (!detail.startsWith(head) || open !== head.length + 2 || bar < open || close < bar) return null;
      const tail = re(`(?<mti>\\d{4}) from the (?<role>primary|backup) at (?<at>${ISO})`).exec(detail.slice(close + 5));
      const code = detail.slice(head.length, open);
      if (!tail?.groups || !/^[0-9A-Z]{2}$/.test(code)) return null;
      return { groups: { code, en: detail.slice(open + 2, bar), zh: detail.slice(bar + 3, close), ...tail.groups } };
    },
  },
  zh: '{role}于 {at} 对 {mti} 应答 {code}（{zh}）',
};
/** The TLS anchor probe names the setting the anchor came from, then the certificate's name. */
const ANCHOR = '(?<anchor>host-root|root) (?<cert>.+?)';
const REVERSAL_FACTS = form('STAN (?<stan>\\d{6}), reason (?<reason>[0-9A-Z]{2}), sent (?<sent>\\d+) of (?<sends>\\d+) times', '流水号 {stan}，冲正原因 {reason}，已发送 {sent}/{sends} 次');

/** Forms by result code; a code's forms are tried in order. */
const FORMS: Readonly<Record<string, readonly DetailForm[]>> = deepFreeze({
  'image.ok': [IMAGE_SIGNED, IMAGE_FACTS],
  'image.digest-mismatch': [IMAGE_FACTS],
  'image.no-digest': [form('(?<bytes>\\d+) bytes, build recorded no SHA-256', '共 {bytes} 字节，构建未记录 SHA-256')],
  'image.read-error': [form('read failed: (?<error>.+)', '读取失败：{error}')],
  'image.unsigned': [
    form('no seal; build recorded no SHA-256; (?<bytes>\\d+) bytes', '未签名；构建未记录 SHA-256；共 {bytes} 字节'),
    form("no seal; sha256 (?<sha>[0-9a-f]+…) matches the build's digest; (?<bytes>\\d+) bytes", '未签名；SHA-256 为 {sha}，与构建摘要一致；共 {bytes} 字节'),
  ],
  'image.signature-bad': [form('seal refused \\((?<code>update-[a-z-]+)\\): .+', '签名校验未通过（错误代码 {code}）')],
  'image.demo-key': [form(`demo key: ${IMAGE_SIGNED_FACTS}`, `演示密钥：${ZH_IMAGE_SIGNED_FACTS}`)],
  'image.seal-mismatch': [
    form('manifest version (?<version>\\S+), running (?<running>\\S+)', '签名清单版本为 {version}，运行版本为 {running}'),
    form('manifest board (?<board>\\S+), this board (?<here>\\S+)', '签名清单板型为 {board}，本机板型为 {here}'),
    form('sha256 (?<actual>[0-9a-f]+…), manifest (?<expected>[0-9a-f]+…), (?<bytes>\\d+) bytes, manifest (?<size>\\d+) bytes', 'SHA-256 为 {actual}，签名清单为 {expected}；共 {bytes} 字节，签名清单为 {size} 字节'),
  ],
  'rtc.ok': [RTC_FACTS],
  'rtc.before-build': [RTC_FACTS],
  'rtc.implausible': [RTC_FACTS],
  'flash.ok': [form(FLASH_FACTS, ZH_FLASH_FACTS)],
  'flash.torn-record': [form(FLASH_FACTS, ZH_FLASH_FACTS)],
  'flash.corrupt': [form(FLASH_FACTS, ZH_FLASH_FACTS)],
  'flash.durable-full': [form(`(?<refused>\\d+) durable record\\(s\\) refused; ${FLASH_FACTS}`, `{refused} 条持久记录被拒绝；${ZH_FLASH_FACTS}`)],
  'flash.readback': [
    form('record log could not be opened: (?<error>.+)', '无法打开记录日志：{error}'),
    form(`scratch write failed: (?<error>.+?); ${FLASH_FACTS}`, `测试写入失败：{error}；${ZH_FLASH_FACTS}`),
    form(`scratch read failed: (?<error>.+?); ${FLASH_FACTS}`, `测试读回失败：{error}；${ZH_FLASH_FACTS}`),
    form(`scratch record (?<seq>\\d+) did not read back; ${FLASH_FACTS}`, `测试记录 {seq} 未能正确读回；${ZH_FLASH_FACTS}`),
  ],
  'memory.ok': [MEMORY_FACTS],
  'memory.tight': [MEMORY_FACTS],
  'memory.low': [MEMORY_FACTS],
  'config.ok': [form('tid (?<tid>.+), profile (?<profile>.+), (?<hosts>\\d+) host\\(s\\)', '终端号 {tid}，收单参数 {profile}，{hosts} 个主机')],
  'config.tid-invalid': [CONFIG_FIELD],
  'config.mid-invalid': [CONFIG_FIELD],
  'config.profile-missing': [CONFIG_FIELD],
  'config.profile-invalid': [CONFIG_FIELD],
  'display.ok': [DISPLAY_FACTS],
  'display.no-answer': [DISPLAY_FACTS],
  'display.wrong-size': [DISPLAY_FACTS],
  'keypad.ok': [form('no key held', '没有按键被按住')],
  'keypad.not-judged': [form('not judged when started from the keypad', '由按键启动自检时不判断')],
  'keypad.stuck': [form('held: (?<held>.+)', '被按住的键：{held}')],
  // The card reader and its inputs (selftest/probes/readerProbes.ts): the part's own words (model, firmware, what it
  // reported) are carried as values; a failure's words come from the reader's adapter.
  'reader.ok': [form('(?<model>\\S+) (?<firmware>\\S+), line, ROM, RAM, SAM ok', '{model} 固件 {firmware}，通信线路、ROM、RAM 与 SAM 配置均正常')],
  'reader.no-answer': [READER_SAID],
  'reader.line-failed': [form('echo of (?<got>\\d+) bytes differs from the (?<sent>\\d+) sent', '回显 {got} 字节，与发出的 {sent} 字节不一致'), READER_SAID],
  'reader.rom-failed': [form('ROM test result 0x(?<result>[0-9a-fA-F]{2})', 'ROM 自检结果 0x{result}'), READER_SAID],
  'reader.ram-failed': [form('RAM test result 0x(?<result>[0-9a-fA-F]{2})', 'RAM 自检结果 0x{result}'), READER_SAID],
  'reader.sam-refused': [READER_SAID],
  'antenna.ok': [form('antenna good', '天线测试正常')],
  'antenna.failed': [form('antenna test result 0x(?<result>[0-9a-fA-F]{2})', '天线测试结果 0x{result}'), READER_SAID],
  'antenna.not-judged': [form('the reader did not answer', '读卡器无应答'), form('the reader has no antenna test', '读卡器没有天线测试'), READER_SAID],
  'contact.ok': [form('(?<model>.+) (?<firmware>\\S+)', '卡座 {model}，版本 {firmware}')],
  'contact.no-answer': [READER_SAID],
  'magstripe.ok': [MODULE_SAID],
  'magstripe.no-answer': [MODULE_SAID],
  'scanner.ok': [MODULE_SAID],
  'scanner.no-answer': [MODULE_SAID],
  'crypto.ok': [form('(?<count>\\d+) known answers: (?<names>.+)', '{count} 项已知答案测试：{names}')],
  'crypto.kat-failed': [form('failed: (?<names>.+)', '未通过：{names}')],
  'master-key.ok': [form('terminal master key present \\(held by the crypto module\\)', '终端主密钥存在（由密码模块保管）')],
  'master-key.missing': [form('no key in slot "(?<slot>.+)"', '密钥槽“{slot}”中没有密钥')],
  'keys.not-activated': [form('no master key and no activation record', '没有主密钥，也没有激活记录')],
  'keys.unprotected': [form('terminal master key present, stored without flash and NVS encryption \\(devKeys=1\\)', '终端主密钥存在，未经闪存和 NVS 加密保存（devKeys=1）')],
  'keys.ok': [form('generation (?<generation>\\d+): (?<kcvs>.+)', '第 {generation} 代：{kcvs}')],
  'keys.missing': [form('never signed on', '从未签到')],
  'keys.wiped': [form('generation (?<generation>\\d+) was wiped: sign on again', '第 {generation} 代工作密钥已被清除：请重新签到')],
  'keys.lost': [form('generation (?<generation>\\d+) was installed; no working keys are stored now', '曾安装第 {generation} 代工作密钥，现已没有保存的工作密钥')],
  'keys.kcv-mismatch': [
    form('last key block refused: (?<problem>.+?)(?:; still using generation (?<generation>\\d+))?', '最近一次下发的密钥被拒绝：{problem}[；仍在使用第 {generation} 代]'),
    form('(?<key>[a-z, ]+) key no longer gives its check value', '{key}与其校验值不再一致'),
    KEY_PROBLEM,
  ],
  'keys.restore-failed': [
    form('last key block refused: (?<problem>.+?)(?:; still using generation (?<generation>\\d+))?', '最近一次下发的密钥被拒绝：{problem}[；仍在使用第 {generation} 代]'),
    KEY_PROBLEM,
  ],
  'mac.ok': [form('MAC of the check message matches the one recorded at sign-on', '校验报文的 MAC 与签到时记录的一致')],
  'mac.mismatch': [form('MAC of the check message differs from the one recorded at sign-on', '校验报文的 MAC 与签到时记录的不一致')],
  'mac.no-key': [form('no MAC key in use', '未使用 MAC 密钥')],
  'cert.ok': [form(`(?<count>\\d+) certificates to (?<root>.+); (?<cert>.+) expires (?<day>${DAY}) \\((?<days>-?\\d+) days\\)`, '{count} 张证书链接到 {root}；{cert} 于 {day} 到期（还有 {days} 天）')],
  'cert.expiring': [form(`(?<cert>.+) expires (?<day>${DAY}): (?<days>\\d+) day\\(s\\) left`, '{cert} 于 {day} 到期，还剩 {days} 天')],
  'cert.expired': [form(`(?<cert>.+) expired (?<day>${DAY})(?:, (?<ago>\\d+) day\\(s\\) ago)?`, '{cert} 已于 {day} 过期[（{ago} 天前）]')],
  'cert.not-yet-valid': [
    form(`(?<cert>.+) valid from (?<from>${DAY})(?:, in (?<days>\\d+) day\\(s\\))?[;,] clock says (?<now>${DAY})`, '{cert} 自 {from} 起生效[（{days} 天后）]；时钟为 {now}'),
  ],
  'cert.cannot-decide': [
    form(`(?<verified>chain verifies; )?validity not judged: the clock is not trusted \\(terminal cert (?<from>${DAY}) – (?<to>${DAY})\\)`, '[{verified}]时钟不可信，未判断有效期（终端证书 {from} 至 {to}）'),
  ],
  'cert.clock-untrusted': [
    form(`(?<verified>chain verifies; )?validity not judged: the clock is not trusted \\(terminal cert (?<from>${DAY}) – (?<to>${DAY})\\)`, '[{verified}]时钟不可信，未判断有效期（终端证书 {from} 至 {to}）'),
  ],
  'cert.wrong-terminal': [form('certificate is for (?<cert>.+), terminal is (?<tid>.*)', '证书属于 {cert}，本终端为 {tid}')],
  'cert.wrong-root': [
    form('(?<cert>.+) is issued by (?<issuer>.+), not by (?:the root )?(?<root>.+)', '{cert} 的签发者是 {issuer}，不是根证书 {root}'),
    form("(?<cert>.+) is not signed by the root's key \\(same name, other key\\)", '{cert} 不是由根证书的密钥签发（名称相同，密钥不同）'),
  ],
  'cert.chain-broken': [form('(?<cert>.+) is issued by (?<issuer>.+): no such certificate was given, and the root is (?<root>.+)', '{cert} 的签发者 {issuer} 的证书未提供；根证书为 {root}')],
  'cert.bad-signature': [
    form("signature of (?<cert>.+) does not verify with (?<issuer>.+)'s key", '{cert} 的签名无法用 {issuer} 的密钥验证'),
    form('root (?<root>.+) self-signature does not verify', '根证书 {root} 的自签名验证失败'),
  ],
  'cert.not-ca': [
    form('(?<ca>.+) signed (?<cert>.+) but may not issue certificates', '{ca} 签发了 {cert}，但它无权签发证书'),
    form('(?<ca>.+) allows (?<allowed>\\d+) intermediate\\(s\\) below it; this path has (?<has>\\d+)', '{ca} 之下最多允许 {allowed} 级中间证书，此路径有 {has} 级'),
  ],
  'cert.critical-extension': [form('(?<cert>.+): critical extension (?<oid>[0-9.]+) not understood', '{cert}：含有无法识别的关键扩展 {oid}')],
  'cert.bad-key': [form('(?<cert>.+): (?:its own key is unusable|key unusable) \\((?<why>.+)\\)', `{cert} 的公钥不可用（${CERT_FIX}）`)],
  'cert.path-limit': [
    form('no path to the root within (?<count>\\d+) intermediate certificates', '在 {count} 张中间证书内找不到通往根证书的路径'),
    form('no path to the root within (?<count>\\d+) signature checks', '在 {count} 次签名验证内找不到通往根证书的路径'),
    form("(?<count>\\d+) certificates given with the terminal's; at most (?<max>\\d+) are searched", '随终端证书提供了 {count} 张证书，最多只查找 {max} 张'),
  ],
  'cert.missing': [form('no terminal certificate installed', '未安装终端证书'), form('no acquirer root certificate installed', '未安装收单机构根证书')],
  'cert.malformed': [form('(?<error>[a-z][a-z0-9-]*): .+', '证书无法解析（错误代码 {error}）'), form('unreadable', '证书无法读取')],
  'capk.ok': [form('(?<count>\\d+) keys pass their checksum and dates', '{count} 个公钥的校验和与有效期均正确')],
  'capk.undecided': [form('(?<count>\\d+) keys pass their checksum; expiry not judged', '{count} 个公钥的校验和正确；未判断有效期')],
  'capk.empty': [form('no CA public keys loaded', '未加载 CA 公钥')],
  'capk.refused': [form('(?<refused>\\d+) of (?<count>\\d+) refused: (?<capks>.+)', '{count} 个公钥中有 {refused} 个被拒绝：{capks}')],
  'link.ok': [form('address (?<address>.+)', '地址 {address}')],
  'link.down': [form('link down', '网络未连接')],
  'link.no-address': [form('link up, no address', '网络已连接，没有地址')],
  'resolve.ok': [form('resolved (?<list>.+)', '已解析：{list}')],
  'resolve.failed': [form('no address for (?<names>.+?)(?:; resolved (?<list>.+))?', '无法解析：{names}[；已解析：{list}]')],
  'resolve.not-needed': [form('hosts are IPv4 addresses', '主机均为 IPv4 地址')],
  'host.no-link': [form('not tried: the network link is down', '未尝试：网络未连接')],
  'host.not-configured': [form('not configured: no (?<what>acquirer profile|acquirer link|host session)', '未配置：没有{what}')],
  'connect.ok': [form(`${HOST_AT} connected in (?<ms>\\d+) ms`, '{role} {where}[{tls}] 已连接，耗时 {ms} ms')],
  'connect.failed': [form(`${HOST_AT}: (?<stage>[a-z-]+): (?<error>.+)`, '{role} {where}[{tls}]：{stage}（{error}）')],
  'connect.no-backup': [form('the profile names no backup host', '收单参数未配置备用主机')],
  'echo.ok': [ECHO_FACTS],
  'echo.slow': [ECHO_FACTS],
  'echo.no-answer': [form('no answer: (?<stage>[a-z-]+): (?<error>.+)', '无应答：{stage}（{error}）')],
  'echo.refused': [form('not sent: (?<code>[^:]+): (?<why>.+)', '未发送（代码 {code}）')],
  'echo.not-tried': [form('not tried: neither host accepted a connection', '未尝试：两个主机都无法连接')],
  'account.ok': [ANSWER_FACTS],
  'account.merchant-restricted': [ANSWER_FACTS],
  'account.terminal-invalid': [ANSWER_FACTS],
  'account.not-judged': [ANSWER_FACTS],
  'account.no-answer': [form('the host has not answered since boot', '开机后主机尚未应答')],
  'reversal.none': [form('no reversal pending', '没有待发送的冲正')],
  'reversal.pending': [REVERSAL_FACTS],
  'reversal.stuck': [REVERSAL_FACTS],
  'tls.ok': [form(`(?<anchor>host-root|root) expires (?<day>${DAY}): (?<days>\\d+) days left; subject (?<subject>.+)`, '{anchor}于 {day} 到期，还有 {days} 天；使用者 {subject}')],
  'tls.not-used': [form('no host of the profile uses TLS', '收单参数中没有使用 TLS 的主机')],
  'tls.no-anchor': [form('neither host-root nor root is provisioned', '主机根证书（host-root）和终端根证书（root）均未安装')],
  'tls.anchor-malformed': [form('(?<anchor>host-root|root): (?<code>[a-z][a-z0-9-]*): .+', '{anchor}无法解析（错误代码 {code}）'), form('(?<anchor>host-root|root): unreadable', '{anchor}无法读取')],
  'tls.anchor-not-ca': [
    form(`${ANCHOR}: basicConstraints does not say CA`, '{anchor} {cert}：basicConstraints 未标明为 CA'),
    form(`${ANCHOR}: keyUsage lacks keyCertSign`, '{anchor} {cert}：keyUsage 不含 keyCertSign'),
  ],
  'tls.anchor-signature': [
    form(`${ANCHOR}: self-signature does not verify`, '{anchor} {cert} 的自签名验证失败'),
    form(`${ANCHOR}: key unusable \\((?<why>.+)\\)`, `{anchor} {cert} 的公钥不可用（${CERT_FIX}）`),
  ],
  'tls.anchor-expired': [form(`${ANCHOR} expired (?<day>${DAY}), (?<ago>\\d+) day\\(s\\) ago`, '{anchor} {cert} 已于 {day} 过期（{ago} 天前）')],
  'tls.anchor-not-yet-valid': [form(`${ANCHOR} valid from (?<from>${DAY}), in (?<days>\\d+) day\\(s\\); clock says (?<now>${DAY})`, '{anchor} {cert} 自 {from} 起生效（{days} 天后）；时钟为 {now}')],
  'tls.anchor-undecided': [form(`${ANCHOR} valid (?<from>${DAY}) – (?<to>${DAY}); not judged: the clock is not trusted`, '{anchor} {cert} 有效期 {from} 至 {to}；时钟不可信，未判断')],
  'tls.anchor-expiring': [form(`${ANCHOR} expires (?<day>${DAY}): (?<days>\\d+) day\\(s\\) left`, '{anchor} {cert} 于 {day} 到期，还剩 {days} 天')],
  'probe.timeout': [form('(?<probe>.+) gave no answer within (?<ms>\\d+) ms', '{probe} 在 {ms} ms 内没有结果')],
  'probe.crashed': [form('(?<probe>[^:]+): no outcome', '{probe} 没有给出结果'), form('(?<probe>[^:]+): (?<exception>.+)', '{probe} 出错：{exception}')],
});

/** Inner texts a form carries over (a refused key block's reason): forms of their own. */
const KEY_PROBLEMS: readonly DetailForm[] = deepFreeze([
  form('(?<key>[a-z]+) key: check value (?<kcv>[0-9A-F]+), host sent (?<sent>[0-9A-F]+)', '{key}的校验值为 {kcv}，主机下发的是 {sent}'),
  form('key set record (?<seq>\\d+) is unreadable', '密钥记录 {seq} 无法读取'),
  form('no terminal master key is provisioned', '未灌装终端主密钥'),
  form('(?<key>[a-z]+) key: (?<error>.+)', '{key}无法解开：{error}'),
  form('key block of (?<bytes>\\d+) bytes; expected (?<one>\\d+) or (?<other>\\d+)', '密钥块长 {bytes} 字节，应为 {one} 或 {other} 字节'),
  form('(?<mac>[\\w-]+) MAC cannot use (?<alg>[\\w-]+) keys', '{mac} MAC 不能使用 {alg} 密钥'),
]);

/** Words values are made of, in Chinese: key names, key caps, list punctuation. */
const KEY_NAMES: Readonly<Record<string, string>> = deepFreeze({ pin: 'PIN 密钥', mac: 'MAC 密钥', data: '数据密钥' });
const KEY_CAPS: Readonly<Record<string, string>> = deepFreeze({ down: '▼', up: '▲', menu: '菜单', cancel: '取消', enter: '确认', clear: '清除' });
const ZH_UNREADABLE = '无法读取';
const ZH_SECTOR = '扇区';
const ZH_OFFSET = '偏移';
const ZH_ERROR_CODE = '错误代码 {code}';
const ZH_ERROR_PLAIN = '原因仅有英文记录';
const ZH_VERIFIED = '证书链验证通过；';
/** The acquirer link's words: host roles, where a connection stopped, what is not configured. */
const LINK_WORDS: Readonly<Record<string, string>> = deepFreeze({
  primary: '主用主机',
  backup: '备用主机',
  ' (TLS)': '（TLS）',
  'link-down': '网络未连接',
  resolve: '域名解析失败',
  connect: '无法连接',
  closed: '连接被关闭',
  timeout: '应答超时',
  send: '发送失败',
  garbage: '收到无法识别的数据',
  busy: '链路繁忙',
  'acquirer profile': '收单参数',
  'acquirer link': '主机链路',
  'host session': '主机会话',
});

/** The settings the TLS anchor comes from (runtime/acquirerLink.ts hostTrustAnchor), named for a Chinese screen. */
const ANCHOR_WORDS: Readonly<Record<string, string>> = deepFreeze({ 'host-root': '主机根证书（host-root）', root: '终端根证书（root）' });

/** What a Chinese screen says for a detail no form knows. */
export const ZH_DETAIL_FALLBACK = '此项详细数据暂无中文说明，英文原文保存在自检报告中。';

/** "pin, mac" → "PIN 密钥、MAC 密钥"; undefined when a name is not a key. */
function keyNames(text: string): string | undefined {
  const names = text.split(/, | /).filter((n) => n !== '' && n !== 'and');
  return names.every((n) => hasKey(KEY_NAMES, n)) ? names.map((n) => KEY_NAMES[n]).join('、') : undefined;
}

/** An error as errorText() wrote it ("store-io: …" or a bare message): its code, the message left out. */
function errorCode(text: string): string {
  const code = /^([a-z][a-z0-9.-]*): /.exec(text);
  return code ? ZH_ERROR_CODE.replace('{code}', code[1]) : ZH_ERROR_PLAIN;
}

/** A group's value in Chinese: most values are language-neutral and stay as they are. */
function value(name: string, text: string): string | undefined {
  switch (name) {
    case 'error':
      return errorCode(text);
    case 'key':
      return keyNames(text);
    case 'kcvs': {
      const parts = text.split(', ').map((part) => /^([a-z]+) KCV ([0-9A-F]+)$/.exec(part));
      return parts.every((p) => p && hasKey(KEY_NAMES, p[1])) ? parts.map((p) => `${KEY_NAMES[(p as RegExpExecArray)[1]]} KCV ${(p as RegExpExecArray)[2]}`).join('，') : undefined;
    }
    case 'held':
      return text.split(' ').map((k) => (hasKey(KEY_CAPS, k) ? KEY_CAPS[k] : k)).join(' ');
    case 'names':
      return text.split(', ').join('、');
    case 'where':
      return text.replace(/sector (\d+) \+(\d+)/g, `${ZH_SECTOR} $1 ${ZH_OFFSET} $2`).split(', ').join('，');
    case 'capks':
      return text.replace(/ unreadable(?=;|$)/g, ` ${ZH_UNREADABLE}`).split('; ').join('；');
    case 'problem':
      return firstForm(KEY_PROBLEMS, text);
    case 'verified':
      return ZH_VERIFIED;
    case 'anchor':
      return hasKey(ANCHOR_WORDS, text) ? ANCHOR_WORDS[text] : undefined;
    case 'role':
    case 'tls':
    case 'stage':
    case 'what':
      return hasKey(LINK_WORDS, text) ? LINK_WORDS[text] : undefined;
    default:
      return text;
  }
}

/** Fills a template from a match; undefined when a value has no Chinese form. */
function fill(template: string, groups: Readonly<Record<string, string | undefined>>): string | undefined {
  let failed = false;
  const put = (part: string, optional: boolean): string => {
    let missing = false;
    const out = part.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
      const raw = groups[name];
      if (raw === undefined) {
        missing = true;
        return '';
      }
      const text = value(name, raw);
      if (text === undefined) failed = true;
      return text ?? '';
    });
    if (missing && !optional) failed = true;
    return missing ? '' : out;
  };
  const out = template.replace(/\[([^\]]*)\]|[^[]+/g, (whole, optional: string | undefined) => (optional === undefined ? put(whole, false) : put(optional, true)));
  return failed ? undefined : out;
}

function firstForm(forms: readonly DetailForm[], detail: string): string | undefined {
  for (const f of forms) {
    const match = f.en.exec(detail);
    if (!match) continue;
    const text = fill(f.zh, match.groups ?? {});
    if (text !== undefined) return text;
  }
  return undefined;
}

/** The forms for a code; the runner's generic failures also when a probe id prefixes them. */
function formsFor(code: string): readonly DetailForm[] | undefined {
  const generic = runnerFailure(code);
  return hasKey(FORMS, code) ? FORMS[code] : generic && FORMS[generic];
}

/** The Chinese form of a detail, or undefined when no form knows it. */
export function zhDetail(code: string, detail: string): string | undefined {
  const forms = formsFor(code);
  return forms ? firstForm(forms, detail) : undefined;
}

/** A probe's detail as the screen in `lang` shows it. */
export function detailText(lang: Lang, code: string, detail: string): string {
  if (lang === 'en' || detail === '') return detail;
  return zhDetail(code, detail) ?? ZH_DETAIL_FALLBACK;
}

/** Every Chinese word these forms can put on a screen (the font generator draws from it). */
export function zhDetailVocabulary(): string[] {
  const texts = [ZH_DETAIL_FALLBACK, ZH_UNREADABLE, ZH_SECTOR, ZH_OFFSET, ZH_ERROR_CODE, ZH_ERROR_PLAIN, ZH_VERIFIED, '、，；', ...Object.values(KEY_NAMES), ...Object.values(KEY_CAPS), ...Object.values(LINK_WORDS), ...Object.values(ANCHOR_WORDS)];
  for (const forms of Object.values(FORMS)) for (const f of forms) texts.push(f.zh);
  for (const f of KEY_PROBLEMS) texts.push(f.zh);
  return texts;
}
