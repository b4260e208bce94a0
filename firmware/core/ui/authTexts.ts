/**
 * Findings and remedies for the terminal-authentication probes (keys, MACs, certificates) and
 * the CA key table: the causes of code 83 a terminal can see before the host says so.
 * English defines the keys; the Chinese table must match (see probeStrings.ts).
 */
import { deepFreeze } from '../freeze';
export const EN_AUTH_TITLES = deepFreeze({
  'auth.crypto': 'Crypto self-test',
  'auth.master-key': 'Master key',
  'auth.working-keys': 'Working keys',
  'auth.mac': 'MAC check',
  'auth.certificate': 'Certificate',
  'system.capk': 'CA key table',
});

export const ZH_AUTH_TITLES: Readonly<Record<keyof typeof EN_AUTH_TITLES, string>> = deepFreeze({
  'auth.crypto': '密码算法自检',
  'auth.master-key': '主密钥',
  'auth.working-keys': '工作密钥',
  'auth.mac': 'MAC 校验',
  'auth.certificate': '终端证书',
  'system.capk': 'CA 公钥表',
});

const EN_NONE = 'No action needed.';
const ZH_NONE = '无需处理。';
const EN_SIGN_ON = 'Sign on again to fetch new working keys. If it repeats, have the master key re-injected, then call support with this code.';
const ZH_SIGN_ON = '请重新签到以获取新的工作密钥；如反复出现，请重新灌装主密钥，再携此代码联系客服。';
const EN_REINJECT = 'Have the master key injected at an authorised key-loading facility, then sign on.';
const ZH_REINJECT = '请到授权的密钥灌装点重新灌装主密钥，然后签到。';
const EN_CERT = 'Replace the terminal certificate: re-activate the terminal or ask your acquirer for a new certificate.';
const ZH_CERT = '请更换终端证书：重新激活终端，或向收单机构申请新证书。';

export const EN_AUTH_CODES = deepFreeze({
  'crypto.ok': { message: 'Every crypto algorithm gave its known answer.', remedy: EN_NONE },
  'crypto.kat-failed': {
    message: 'A crypto algorithm gave a wrong answer on a known test.',
    remedy: 'Restart the terminal. If it fails again the board is unsafe: stop taking payments and call support with this code.',
  },
  'master-key.ok': { message: 'The terminal master key is present.', remedy: EN_NONE },
  'master-key.missing': { message: 'No terminal master key is loaded.', remedy: EN_REINJECT },
  'keys.not-activated': { message: 'The terminal has never been activated: no master key.', remedy: 'Activate the terminal with the activation code from your acquirer.' },
  'keys.unprotected': {
    message: 'The master key is stored without flash and NVS encryption (development build).',
    remedy: 'Do not take real payments: use a production build with flash and NVS encryption on.',
  },
  'keys.ok': { message: 'Working keys present; check values match.', remedy: EN_NONE },
  'keys.missing': { message: 'No working keys: the terminal has not signed on.', remedy: 'Sign on. If sign-on fails, check the network first, then the account.' },
  'keys.wiped': { message: 'The working keys and master key were wiped: out of service.', remedy: 'Have the master key injected again, then sign on. Call support with this code.' },
  'keys.lost': { message: 'The terminal had signed on, but its working keys are gone: out of service.', remedy: 'Sign on again. If the keys are lost again, the storage may be failing: call support with this code.' },
  'keys.kcv-mismatch': { message: 'A working key does not match its check value.', remedy: EN_SIGN_ON },
  'keys.restore-failed': { message: 'The stored working keys could not be restored.', remedy: EN_SIGN_ON },
  'keys.single-des': {
    message: 'The working keys are single-length DES (legacy acquirer profile): too weak for new terminals.',
    remedy: 'Ask the acquirer for 3DES or AES keys, then set legacySingleDes to false in the profile.',
  },
  'mac.ok': { message: 'The MAC key gives the MAC recorded at sign-on.', remedy: EN_NONE },
  'mac.mismatch': { message: 'The MAC key no longer gives the MAC recorded at sign-on.', remedy: EN_SIGN_ON },
  'mac.no-key': { message: 'Not checked: no MAC key.', remedy: 'Sign on first.' },
  'cert.ok': { message: 'Certificate valid and chained to the acquirer root.', remedy: EN_NONE },
  'cert.expiring': { message: 'The certificate expires within 30 days.', remedy: 'Renew the terminal certificate before it expires.' },
  'cert.expired': { message: 'A certificate in the chain has expired.', remedy: `First check the clock is right. ${EN_CERT}` },
  'cert.not-yet-valid': { message: 'A certificate in the chain is not valid yet.', remedy: `First check the clock is right. ${EN_CERT}` },
  'cert.cannot-decide': {
    message: 'Cannot decide: the clock is not trusted.',
    remedy: 'Correct the clock (see the clock check), then run the self-test again.',
  },
  'cert.chain-broken': { message: 'The certificate chain is broken.', remedy: EN_CERT },
  'cert.wrong-root': { message: 'The chain does not lead to this acquirer’s root.', remedy: `${EN_CERT} Check the terminal is set up for the right acquirer.` },
  'cert.bad-signature': { message: 'A certificate signature does not verify.', remedy: EN_CERT },
  'cert.not-ca': { message: 'A certificate in the chain may not issue certificates.', remedy: EN_CERT },
  'cert.critical-extension': { message: 'A certificate has a critical extension the terminal does not know.', remedy: EN_CERT },
  'cert.wrong-terminal': { message: 'The certificate belongs to another terminal ID.', remedy: EN_CERT },
  'cert.bad-key': { message: 'A certificate in the chain has a public key the terminal cannot use.', remedy: EN_CERT },
  'cert.path-limit': {
    message: 'No chain to the acquirer root within the search limits.',
    remedy: `${EN_CERT} Install only the certificates of this terminal's own chain.`,
  },
  'cert.missing': { message: 'No terminal certificate is installed.', remedy: 'Activate the terminal to install its certificate.' },
  'cert.malformed': { message: 'The installed certificate cannot be read.', remedy: EN_CERT },
  'capk.ok': { message: 'Every CA public key passes its checksum.', remedy: EN_NONE },
  'capk.refused': {
    message: 'CA public keys failed their checksum or expired.',
    remedy: 'Download the CA key table again from the terminal management system, then call support with this code.',
  },
  'capk.empty': { message: 'No CA public keys are loaded: chip cards cannot be authenticated.', remedy: 'Download the CA key table from the terminal management system.' },
  'capk.undecided': { message: 'Key expiry not judged: the clock is not trusted.', remedy: 'Correct the clock, then run the self-test again.' },
});

export const ZH_AUTH_CODES: Readonly<Record<keyof typeof EN_AUTH_CODES, { message: string; remedy: string }>> = deepFreeze({
  'crypto.ok': { message: '所有密码算法已通过已知答案测试。', remedy: ZH_NONE },
  'crypto.kat-failed': { message: '密码算法已知答案测试结果错误。', remedy: '请重启终端；如再次失败，此设备已不安全：请停止收款，并携此代码联系客服。' },
  'master-key.ok': { message: '终端主密钥存在。', remedy: ZH_NONE },
  'master-key.missing': { message: '未灌装终端主密钥。', remedy: ZH_REINJECT },
  'keys.not-activated': { message: '终端从未激活：没有主密钥。', remedy: '请使用收单机构提供的激活码激活终端。' },
  'keys.unprotected': { message: '主密钥未经闪存和 NVS 加密保存（开发版本）。', remedy: '请勿受理真实交易：请使用开启闪存和 NVS 加密的正式版本。' },
  'keys.ok': { message: '工作密钥存在，校验值一致。', remedy: ZH_NONE },
  'keys.missing': { message: '没有工作密钥：终端尚未签到。', remedy: '请签到；如签到失败，请先检查网络，再检查账户。' },
  'keys.wiped': { message: '工作密钥和主密钥已被清除，终端暂停服务。', remedy: '请重新注入主密钥后签到，并携此代码联系客服。' },
  'keys.lost': { message: '终端曾签到，但工作密钥已丢失，暂停服务。', remedy: '请重新签到；如密钥再次丢失，存储可能故障，请携此代码联系客服。' },
  'keys.kcv-mismatch': { message: '工作密钥与其校验值不符。', remedy: ZH_SIGN_ON },
  'keys.restore-failed': { message: '无法恢复已保存的工作密钥。', remedy: ZH_SIGN_ON },
  'keys.single-des': { message: '工作密钥是单 DES 密钥（旧收单配置），安全性不足。', remedy: '请联系收单机构换用 3DES 或 AES 密钥，然后将 legacySingleDes 设为 false。' },
  'mac.ok': { message: 'MAC 密钥计算结果与签到时记录一致。', remedy: ZH_NONE },
  'mac.mismatch': { message: 'MAC 密钥计算结果与签到时记录不一致。', remedy: ZH_SIGN_ON },
  'mac.no-key': { message: '未检查：没有 MAC 密钥。', remedy: '请先签到。' },
  'cert.ok': { message: '证书有效，可链接到收单机构根证书。', remedy: ZH_NONE },
  'cert.expiring': { message: '证书将在 30 天内到期。', remedy: '请在到期前更新终端证书。' },
  'cert.expired': { message: '证书链中有证书已过期。', remedy: `请先确认时钟正确。${ZH_CERT}` },
  'cert.not-yet-valid': { message: '证书链中有证书尚未生效。', remedy: `请先确认时钟正确。${ZH_CERT}` },
  'cert.cannot-decide': { message: '无法判断：时钟不可信。', remedy: '请先校正时钟（见时钟检查），再重新自检。' },
  'cert.chain-broken': { message: '证书链不完整。', remedy: ZH_CERT },
  'cert.wrong-root': { message: '证书链未指向本收单机构的根证书。', remedy: `${ZH_CERT}并确认终端配置的收单机构正确。` },
  'cert.bad-signature': { message: '证书签名验证失败。', remedy: ZH_CERT },
  'cert.not-ca': { message: '证书链中有证书无权签发证书。', remedy: ZH_CERT },
  'cert.critical-extension': { message: '证书含有终端无法识别的关键扩展。', remedy: ZH_CERT },
  'cert.wrong-terminal': { message: '证书属于其他终端号。', remedy: ZH_CERT },
  'cert.bad-key': { message: '证书链中有证书的公钥无法使用。', remedy: ZH_CERT },
  'cert.path-limit': { message: '在查找范围内找不到通往收单机构根证书的证书链。', remedy: `${ZH_CERT}并只安装本终端证书链中的证书。` },
  'cert.missing': { message: '未安装终端证书。', remedy: '请激活终端以安装证书。' },
  'cert.malformed': { message: '已安装的证书无法读取。', remedy: ZH_CERT },
  'capk.ok': { message: '所有 CA 公钥校验和正确。', remedy: ZH_NONE },
  'capk.refused': { message: '有 CA 公钥校验和错误或已过期。', remedy: '请从终端管理系统重新下载 CA 公钥表，再携此代码联系客服。' },
  'capk.empty': { message: '未加载 CA 公钥：无法认证芯片卡。', remedy: '请从终端管理系统下载 CA 公钥表。' },
  'capk.undecided': { message: '未判断公钥有效期：时钟不可信。', remedy: '请先校正时钟，再重新自检。' },
});
