/** The ISO 8583 dialects the firmware knows, by the id an acquirer profile names (`dialect`). */
import { deepFreeze } from '../freeze';
import { CUP_POS_DIALECT } from './cupDialect';
import type { Dialect } from './types';

export const DIALECTS: Readonly<Record<string, Dialect>> = deepFreeze({ [CUP_POS_DIALECT.id]: CUP_POS_DIALECT });

export function dialectById(id: string): Dialect | undefined {
  return Object.prototype.hasOwnProperty.call(DIALECTS, id) ? DIALECTS[id] : undefined;
}
