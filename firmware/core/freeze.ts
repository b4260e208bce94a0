/**
 * Freezes constant tables all the way down. On the device, a frozen table in a preloaded
 * module stays in flash; an unfrozen one is copied into the XS heap at boot (the linker warns
 * "not frozen"). Plain data only: objects and arrays, at most 8 levels deep.
 */
export function deepFreeze<T>(value: T, depth = 8): T {
  if (typeof value === 'object' && value !== null && depth > 0 && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], depth - 1);
  }
  return value;
}
