/** What every screen must satisfy, whatever its data: the panel's edges and legible text. */
import { PANEL_HEIGHT, PANEL_WIDTH, type DisplayList, type DisplayOp } from '../../firmware/core/ui/displayList';
import type { UiFont } from '../../firmware/core/ui/font';

type TextOp = Extract<DisplayOp, { op: 'text' }>;

export function textOps(list: DisplayList): TextOp[] {
  return list.ops.filter((op): op is TextOp => op.op === 'text');
}

/** Problems found, as readable sentences; empty when the screen is sound. */
export function screenProblems(list: DisplayList, font: UiFont): string[] {
  const problems: string[] = [];
  if (list.width !== PANEL_WIDTH || list.height !== PANEL_HEIGHT) problems.push(`list is ${list.width}×${list.height}`);
  for (const op of list.ops) {
    const [x, y, w, h] =
      op.op === 'rect' ? [op.x, op.y, op.w, op.h] : op.op === 'bits' ? [op.x, op.y, op.w * op.scale, op.h * op.scale] : [op.x, op.y, font.measure(op.text), font.lineHeight];
    if (![x, y, w, h].every(Number.isInteger)) problems.push(`${JSON.stringify(op)} is not on whole pixels`);
    if (x < 0 || y < 0 || x + w > PANEL_WIDTH || y + h > PANEL_HEIGHT) problems.push(`${JSON.stringify(op)} leaves the panel (${x},${y} ${w}×${h})`);
    if (op.op === 'text' && op.text === '') problems.push(`empty text op at ${x},${y}`);
  }
  // Text runs may not overlap, except a bold run's twin drawn 1 px to the right.
  const texts = textOps(list);
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i];
      const b = texts[j];
      if (a.text === b.text && a.y === b.y && Math.abs(a.x - b.x) === 1) continue;
      const overlap =
        a.x < b.x + font.measure(b.text) && b.x < a.x + font.measure(a.text) && a.y < b.y + font.lineHeight && b.y < a.y + font.lineHeight;
      if (overlap) problems.push(`"${a.text}" overlaps "${b.text}"`);
    }
  return problems;
}
