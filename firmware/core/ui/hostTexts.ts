/**
 * Findings and remedies for the probes of the acquirer link: the network family (link, names,
 * each host's connection, the echo round trip, the TLS trust anchor), the account evidence the host's answers give,
 * and a reversal left unacknowledged. Remedies follow the support order and say what to do
 * first on site. English defines the keys; the Chinese table must match (see probeStrings.ts).
 */
import { deepFreeze } from '../freeze';

export const EN_HOST_TITLES = deepFreeze({
  'network.link': 'Network link',
  'network.resolve': 'Host names',
  'network.primary': 'Primary host',
  'network.backup': 'Backup host',
  'network.echo': 'Echo test',
  'network.tls': 'TLS trust anchor',
  'account.host': 'Merchant and terminal (host)',
  'system.reversal': 'Pending reversal',
});

export const ZH_HOST_TITLES: Readonly<Record<keyof typeof EN_HOST_TITLES, string>> = deepFreeze({
  'network.link': '网络连接',
  'network.resolve': '主机域名解析',
  'network.primary': '主用主机',
  'network.backup': '备用主机',
  'network.echo': '回响测试',
  'network.tls': 'TLS 信任根证书',
  'account.host': '商户与终端（主机判定）',
  'system.reversal': '待发冲正',
});

const EN_NONE = 'No action needed.';
const ZH_NONE = '无需处理。';
const EN_AGAIN = 'Run the self-test again afterwards.';
const ZH_AGAIN = '然后重新自检。';
const EN_TLS_ROOT = "Ask the acquirer for its current TLS root certificate and have it installed as the host root (or re-provision the terminal).";
const ZH_TLS_ROOT = '请向收单机构获取其最新的 TLS 根证书，安装为主机根证书（或重新下载终端参数）。';

export const EN_HOST_CODES = deepFreeze({
  'link.ok': { message: 'The terminal is on the network with an address.', remedy: EN_NONE },
  'link.down': {
    message: 'The terminal is not on the network (Wi-Fi not joined, or the cable is out).',
    remedy: `Check the Wi-Fi is in reach and its password is right, or plug the network cable in. ${EN_AGAIN}`,
  },
  'link.no-address': {
    message: 'The terminal is on the network but got no address.',
    remedy: `Restart the router, or check that its DHCP gives addresses. ${EN_AGAIN}`,
  },
  'resolve.ok': { message: "The acquirer's host names resolve.", remedy: EN_NONE },
  'resolve.failed': {
    message: "An acquirer host name does not resolve to an address.",
    remedy: "Check the router's DNS settings and the host name in the acquirer profile; if both are right, call your network provider.",
  },
  'resolve.not-needed': { message: 'Not needed: the hosts are IP addresses.', remedy: EN_NONE },
  'host.no-link': { message: 'Not tried: the network link is down.', remedy: 'Fix the network link first (see the Network link check).' },
  'host.not-configured': {
    message: 'Not tried: the terminal has no acquirer profile or host link yet.',
    remedy: 'See the Configuration check; re-provision the terminal if its profile is missing or invalid.',
  },
  'connect.ok': { message: 'The host accepts a connection.', remedy: EN_NONE },
  'connect.failed': {
    message: 'The host does not accept a connection.',
    remedy: "Check that the firewall lets the terminal reach the host's address and port. If other sites work, the host may be down: call the acquirer with this code.",
  },
  'connect.no-backup': { message: 'The acquirer profile names no backup host.', remedy: 'No action needed. Ask the acquirer for a backup host if outages are frequent.' },
  'echo.ok': { message: 'The host answers an echo test.', remedy: EN_NONE },
  'echo.slow': {
    message: 'The host answers, but slowly.',
    remedy: 'Check the Wi-Fi signal or the load on the network: slow answers make sales time out and be reversed.',
  },
  'echo.no-answer': {
    message: 'The host accepts a connection but does not answer.',
    remedy: 'Check the TPDU and TLS settings of the acquirer profile. If they are right, call the acquirer with this code.',
  },
  'echo.refused': { message: 'Not sent: the terminal cannot send an echo test yet.', remedy: `Sign on first. ${EN_AGAIN}` },
  'echo.not-tried': { message: 'Not tried: no host accepted a connection.', remedy: 'Fix the connection first (see the host checks).' },
  'tls.ok': { message: "The root certificate the acquirer's TLS hosts are checked against is valid.", remedy: EN_NONE },
  'tls.not-used': { message: 'Not needed: no acquirer host is reached over TLS.', remedy: EN_NONE },
  'tls.no-anchor': {
    message: "The acquirer's hosts use TLS, but no root certificate to check them against is installed.",
    remedy: `${EN_TLS_ROOT} ${EN_AGAIN}`,
  },
  'tls.anchor-malformed': { message: "The installed TLS root certificate cannot be read.", remedy: `${EN_TLS_ROOT} ${EN_AGAIN}` },
  'tls.anchor-not-ca': { message: 'The installed TLS root certificate is not a CA certificate.', remedy: `${EN_TLS_ROOT} ${EN_AGAIN}` },
  'tls.anchor-signature': { message: "The TLS root certificate's own signature does not verify.", remedy: `${EN_TLS_ROOT} ${EN_AGAIN}` },
  'tls.anchor-expired': { message: 'The TLS root certificate has expired.', remedy: `First check the clock is right. ${EN_TLS_ROOT}` },
  'tls.anchor-not-yet-valid': { message: 'The TLS root certificate is not valid yet.', remedy: `First check the clock is right. ${EN_TLS_ROOT}` },
  'tls.anchor-undecided': { message: "The TLS root certificate's dates were not judged: the clock is not trusted.", remedy: `Set the clock (see the Clock check). ${EN_AGAIN}` },
  'tls.anchor-expiring': { message: 'The TLS root certificate expires within 30 days.', remedy: EN_TLS_ROOT },
  'account.ok': { message: "The host's last answer knew this terminal and its merchant.", remedy: EN_NONE },
  'account.merchant-restricted': {
    message: 'The host says this merchant may not trade here (invalid, restricted or frozen).',
    remedy: "Call the acquirer about the merchant account, quoting the host's code. The terminal itself is not at fault.",
  },
  'account.terminal-invalid': {
    message: 'The host does not accept this terminal (unknown, not registered or disabled).',
    remedy: "Check the terminal ID against the acquirer's records; ask the acquirer to register or activate it, then sign on again.",
  },
  'account.no-answer': { message: 'Not checked: the host has not answered since power-on.', remedy: 'Sign on or make a sale; the next self-test then judges the account.' },
  'account.not-judged': {
    message: "Not judged: the host's last answer was a fault of the host, not about the account.",
    remedy: 'Run the self-test again later.',
  },
  'reversal.none': { message: 'No reversal is waiting to be sent.', remedy: EN_NONE },
  'reversal.pending': { message: 'A reversal is waiting to be sent.', remedy: 'Keep the terminal online: the reversal goes out before the next sale.' },
  'reversal.stuck': {
    message: 'A reversal got no answer after every resend and waits for settlement.',
    remedy: 'Check the network, then settle the batch: settlement sends the reversal first. If it still fails, call the acquirer with this code.',
  },
});

export const ZH_HOST_CODES: Readonly<Record<keyof typeof EN_HOST_CODES, { message: string; remedy: string }>> = deepFreeze({
  'link.ok': { message: '终端已联网并获得地址。', remedy: ZH_NONE },
  'link.down': { message: '终端未联网（未连上 Wi-Fi 或网线未插好）。', remedy: `请确认 Wi-Fi 信号可达、密码正确，或插好网线，${ZH_AGAIN}` },
  'link.no-address': { message: '终端已联网，但没有获得地址。', remedy: `请重启路由器，或检查路由器的 DHCP 是否分配地址，${ZH_AGAIN}` },
  'resolve.ok': { message: '收单主机域名解析正常。', remedy: ZH_NONE },
  'resolve.failed': { message: '收单主机域名无法解析为地址。', remedy: '请检查路由器的 DNS 设置和收单参数中的主机名；两者都无误时，请联系网络服务商。' },
  'resolve.not-needed': { message: '无需解析：主机为 IP 地址。', remedy: ZH_NONE },
  'host.no-link': { message: '未尝试：网络未连接。', remedy: '请先排除网络连接故障（见“网络连接”一项）。' },
  'host.not-configured': { message: '未尝试：终端尚无收单参数或主机链路。', remedy: '请查看“配置”一项；收单参数缺失或无效时，请重新下载终端参数。' },
  'connect.ok': { message: '主机可以连接。', remedy: ZH_NONE },
  'connect.failed': { message: '主机无法连接。', remedy: '请确认防火墙允许终端访问主机的地址和端口；如其他网站正常，可能是主机故障，请携此代码联系收单机构。' },
  'connect.no-backup': { message: '收单参数未配置备用主机。', remedy: '无需处理；如经常断线，可向收单机构申请备用主机。' },
  'echo.ok': { message: '主机应答回响测试。', remedy: ZH_NONE },
  'echo.slow': { message: '主机有应答，但速度较慢。', remedy: '请检查 Wi-Fi 信号或网络负载：应答过慢会使交易超时并被冲正。' },
  'echo.no-answer': { message: '主机可以连接，但没有应答。', remedy: '请检查收单参数中的 TPDU 和 TLS 设置；无误时，请携此代码联系收单机构。' },
  'echo.refused': { message: '未发送：终端暂时无法发送回响测试。', remedy: `请先签到，${ZH_AGAIN}` },
  'echo.not-tried': { message: '未尝试：没有主机可以连接。', remedy: '请先排除连接故障（见各主机一项）。' },
  'tls.ok': { message: '用于验证收单主机 TLS 的根证书有效。', remedy: ZH_NONE },
  'tls.not-used': { message: '无需检查：收单主机均不使用 TLS。', remedy: ZH_NONE },
  'tls.no-anchor': { message: '收单主机使用 TLS，但未安装用于验证主机的根证书。', remedy: `${ZH_TLS_ROOT}${ZH_AGAIN}` },
  'tls.anchor-malformed': { message: '已安装的 TLS 根证书无法读取。', remedy: `${ZH_TLS_ROOT}${ZH_AGAIN}` },
  'tls.anchor-not-ca': { message: '已安装的 TLS 根证书不是 CA 证书。', remedy: `${ZH_TLS_ROOT}${ZH_AGAIN}` },
  'tls.anchor-signature': { message: 'TLS 根证书的自签名验证失败。', remedy: `${ZH_TLS_ROOT}${ZH_AGAIN}` },
  'tls.anchor-expired': { message: 'TLS 根证书已过期。', remedy: `请先确认时钟正确。${ZH_TLS_ROOT}` },
  'tls.anchor-not-yet-valid': { message: 'TLS 根证书尚未生效。', remedy: `请先确认时钟正确。${ZH_TLS_ROOT}` },
  'tls.anchor-undecided': { message: '时钟不可信，未判断 TLS 根证书的有效期。', remedy: `请设置正确的时钟（见“时钟”一项），${ZH_AGAIN}` },
  'tls.anchor-expiring': { message: 'TLS 根证书将在 30 天内到期。', remedy: ZH_TLS_ROOT },
  'account.ok': { message: '主机最近的应答认可本终端及其商户。', remedy: ZH_NONE },
  'account.merchant-restricted': { message: '主机表示本商户不能在此交易（无效、受限或冻结）。', remedy: '请携主机应答码联系收单机构处理商户账户问题；终端本身没有故障。' },
  'account.terminal-invalid': { message: '主机不接受本终端（未知、未登记或已停用）。', remedy: '请核对终端号与收单机构的记录是否一致，请收单机构登记或启用本终端，然后重新签到。' },
  'account.no-answer': { message: '未检查：开机后主机尚未应答。', remedy: '请签到或进行一笔交易，下次自检即可判断账户状态。' },
  'account.not-judged': { message: '未判断：主机最近的应答是主机自身故障，与账户无关。', remedy: '请稍后重新自检。' },
  'reversal.none': { message: '没有待发送的冲正。', remedy: ZH_NONE },
  'reversal.pending': { message: '有一笔冲正等待发送。', remedy: '请保持终端联网：冲正会在下一笔交易前发出。' },
  'reversal.stuck': { message: '一笔冲正多次重发仍无应答，等待结算处理。', remedy: '请检查网络后结算本批次：结算前会先发送冲正。如仍失败，请携此代码联系收单机构。' },
});
