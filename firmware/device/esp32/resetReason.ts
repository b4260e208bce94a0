/**
 * Why the ESP32 last reset, from esp_reset_reason() (ESP-IDF esp_reset_reason_t), mapped to
 * the core's words. The external reset pin (EN, pressed or pulled by a supervisor) restarts
 * the chip from cold like a power cycle, so it reads as 'power-on'. What the reset history
 * (runtime/resetHistory.ts) counts as crashes is 'panic' and 'watchdog': an exception or abort,
 * the interrupt and task watchdogs and the others (RTC, main system); a CPU lock-up is a crash
 * too. A brownout and a power glitch are the supply ('brownout': device evidence power.brownout).
 */
import getResetReason from 'resetReason';
import type { ResetReason } from '../../core/ports';

/** Indexed by esp_reset_reason_t (esp_system.h, IDF 5.x); codes past the end are 'unknown'. */
const REASONS: readonly ResetReason[] = Object.freeze([
  'unknown', // ESP_RST_UNKNOWN
  'power-on', // ESP_RST_POWERON
  'power-on', // ESP_RST_EXT: reset pin
  'software', // ESP_RST_SW: esp_restart()
  'panic', // ESP_RST_PANIC: exception or abort
  'watchdog', // ESP_RST_INT_WDT
  'watchdog', // ESP_RST_TASK_WDT
  'watchdog', // ESP_RST_WDT: other watchdogs
  'deep-sleep', // ESP_RST_DEEPSLEEP
  'brownout', // ESP_RST_BROWNOUT
  'unknown', // ESP_RST_SDIO
  'software', // ESP_RST_USB: a reset asked for over USB (S2/S3/C3 targets)
  'software', // ESP_RST_JTAG: a debugger's reset
  'unknown', // ESP_RST_EFUSE: eFuse error
  'brownout', // ESP_RST_PWR_GLITCH: a glitch on the supply
  'panic', // ESP_RST_CPU_LOCKUP: the CPU locked up
]);

export function readResetReason(): ResetReason {
  const { reason } = getResetReason();
  return REASONS[reason] ?? 'unknown';
}
