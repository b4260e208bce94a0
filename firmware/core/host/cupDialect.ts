/**
 * The CUP POS dialect: China UnionPay's terminal-to-acquirer ISO 8583 (中国银联 POS 终端规范,
 * 报文接口 "POS 终端—POS 中心"), as the public field tables describe it, e.g.
 * https://www.csdndocs.com/article/7712474 (银联常用8583报文域说明): numeric fields packed BCD and
 * left-aligned (左靠) with a trailing 0 nibble, except field 23 (卡片序列号, 右靠); LL/LLL prefixes in
 * BCD; field 35/36 track data with '=' as D. Published CUP POS traces confirm the shapes, e.g.
 * https://www.codetd.com/article/5053461 (a 0200 with fields 2…64: 22 = "07 10", 60 = "00 14 22000024000600").
 *
 * Fields 52 and 64 are b8 (64 bits), 55 and 62 are binary (IC data, key blocks), 63 is ans (hosts
 * put GBK issuer names there, so ans admits bytes 0x80–0xFF, see iso8583.ts).
 */
import { deepFreeze } from '../freeze';
import type { Dialect, FieldSpec } from './types';

const fixed = (name: string, format: FieldSpec['format'], length: number, pad?: 'left'): FieldSpec => (pad ? { name, format, prefix: 0, length, pad } : { name, format, prefix: 0, length });
const llvar = (name: string, format: FieldSpec['format'], max: number): FieldSpec => ({ name, format, prefix: 2, length: max });
const lllvar = (name: string, format: FieldSpec['format'], max: number): FieldSpec => ({ name, format, prefix: 3, length: max });

export const CUP_POS_DIALECT: Dialect = deepFreeze({
  id: 'cup-pos',
  name: 'China UnionPay POS (terminal ↔ acquirer)',
  numericPad: 'right',
  // 应用类别 60/61, 版本 31, 终端状态 + 处理要求, 软件版本号 (6 BCD bytes).
  headerLength: 6,
  fields: {
    2: llvar('primary account number', 'n', 19), // n..19 LLVAR, 主账号
    3: fixed('processing code', 'n', 6), // n6, 交易处理码
    4: fixed('amount', 'n', 12), // n12, 交易金额 (minor units)
    11: fixed('stan', 'n', 6), // n6, 受卡方系统跟踪号 (凭证号)
    12: fixed('local time', 'n', 6), // n6 hhmmss, 受卡方所在地时间
    13: fixed('local date', 'n', 4), // n4 MMDD, 受卡方所在地日期
    14: fixed('expiry date', 'n', 4), // n4 YYMM, 卡有效期
    15: fixed('settlement date', 'n', 4), // n4 MMDD, 清算日期
    22: fixed('pos entry mode', 'n', 3), // n3 左靠, 服务点输入方式码
    23: fixed('card sequence number', 'n', 3, 'left'), // n3 右靠, 卡片序列号
    25: fixed('pos condition code', 'n', 2), // n2, 服务点条件码
    26: fixed('pin capture code', 'n', 2), // n2, 服务点 PIN 获取码
    32: llvar('acquiring institution id', 'n', 11), // n..11 LLVAR, 受理机构标识码
    35: llvar('track 2', 'z', 37), // z..37 LLVAR, 2 磁道数据
    36: lllvar('track 3', 'z', 104), // z...104 LLLVAR, 3 磁道数据
    37: fixed('retrieval reference number', 'an', 12), // an12, 检索参考号
    38: fixed('authorization code', 'an', 6), // an6, 授权标识应答码
    39: fixed('response code', 'an', 2), // an2, 应答码
    41: fixed('terminal id', 'ans', 8), // ans8, 受卡机终端标识码
    42: fixed('merchant id', 'ans', 15), // ans15, 受卡方标识码
    44: llvar('additional response data', 'an', 25), // an..25 LLVAR, 附加响应数据 (issuer + acquirer ids)
    48: lllvar('additional data', 'n', 322), // n...322 LLLVAR, 附加数据 (settlement totals)
    49: fixed('currency code', 'an', 3), // an3, 交易货币代码 ("156")
    52: fixed('pin block', 'b', 8), // b64, 个人标识码数据
    53: fixed('security control', 'n', 16), // n16, 安全控制信息
    54: lllvar('balance', 'an', 20), // an...020 LLLVAR, 余额
    55: lllvar('icc data', 'b', 255), // b...255 LLLVAR, IC 卡数据域 (BER-TLV)
    59: lllvar('acquirer private data', 'ans', 999), // ans...999 LLLVAR, 自定义域 (acquirers carry location / device data)
    60: lllvar('reserved private 60', 'n', 17), // n...017 LLLVAR, 自定义域: type n2, batch n6, network code n3, …
    61: lllvar('original message data', 'n', 29), // n...029 LLLVAR, 原始信息域
    62: lllvar('reserved private 62', 'b', 512), // ...512 LLLVAR, 自定义域 (sign-on: working key block)
    63: lllvar('reserved private 63', 'ans', 163), // ans...163 LLLVAR, 自定义域 (operator, issuer name)
    64: fixed('mac', 'b', 8), // b64, 报文鉴别码
  },
});
