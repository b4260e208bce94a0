/**
 * Screen text of the crash loop's safe mode (ui/safeModeScreen.ts, runtime/resetHistory.ts),
 * merged into the string tables of strings.ts. English defines the keys; the Chinese table must
 * match. Every character needs a glyph in firmware/assets/ui-font.bin (`npm run font`).
 */
import { deepFreeze } from '../freeze';

export const EN_RESETS = deepFreeze({
  'safe.title': 'Safe mode',
  'safe.reason': '{crashes} crashes within {minutes} minutes',
  'safe.reasonStreak': '{crashes} crashes in a row',
  'safe.lastCrash': 'Last crash: {time} UTC',
  'safe.linkOff': 'The acquirer link is off: no sales in safe mode.',
  'safe.restart': 'Leave the terminal on for {minutes} minutes, then restart it: it comes back in service.',
  'safe.support': 'If it crashes again, call support with the diagnosis code.',
  'safe.keys.pad': 'Press ENTER for the diagnosis',
});

export const ZH_RESETS: Readonly<Record<keyof typeof EN_RESETS, string>> = deepFreeze({
  'safe.title': '安全模式',
  'safe.reason': '{minutes} 分钟内故障重启 {crashes} 次',
  'safe.reasonStreak': '连续故障重启 {crashes} 次',
  'safe.lastCrash': '最近一次故障：{time} UTC',
  'safe.linkOff': '已断开收单连接：安全模式下不能交易。',
  'safe.restart': '请保持开机 {minutes} 分钟，然后重启终端，即可恢复服务。',
  'safe.support': '如再次故障重启，请携诊断代码联系客服。',
  'safe.keys.pad': '按【确认】键查看诊断',
});
