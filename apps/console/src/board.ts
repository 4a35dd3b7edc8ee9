import type { components } from './api/schema';

/** An open episode as the board lists it (GET /v1/fugues?status=open&include=youth). */
export type BoardItem = components['schemas']['FugueListItemResponse'];

export interface BoardSections {
  /** Worrying: unacknowledged alerts first, then the longest missing first. */
  worrying: BoardItem[];
  /** Not triaged yet (a few seconds after the declaration): could be either. */
  pending: BoardItem[];
  /** Routine: the longest missing first. */
  routine: BoardItem[];
}

const missingSince = (item: BoardItem) => new Date(item.noticedMissingAt).getTime();
const longestFirst = (a: BoardItem, b: BoardItem) => missingSince(a) - missingSince(b) || a.id.localeCompare(b.id);

/** The board's order: what needs someone now on top. Pure: the console's unit tests run it. */
export function boardSections(items: BoardItem[]): BoardSections {
  const open = items.filter((i) => i.status === 'missing' || i.status === 'located');
  const unacknowledgedFirst = (a: BoardItem, b: BoardItem) => Number(b.alertState === 'open') - Number(a.alertState === 'open') || longestFirst(a, b);
  return {
    worrying: open.filter((i) => i.effectiveLevel === 'worrying').sort(unacknowledgedFirst),
    pending: open.filter((i) => !i.effectiveLevel).sort(longestFirst),
    routine: open.filter((i) => i.effectiveLevel === 'routine').sort(longestFirst),
  };
}

/** What the live region says after a refresh that changed the board; null when nothing changed. */
export function boardChange(before: BoardSections | null, after: BoardSections): string | null {
  if (!before) return null;
  const key = (s: BoardSections) =>
    JSON.stringify([s.worrying, s.pending, s.routine].map((list) => list.map((i) => [i.id, i.effectiveLevel, i.alertState, i.status])));
  if (key(before) === key(after)) return null;
  const waiting = after.worrying.filter((i) => i.alertState === 'open').length;
  const total = after.worrying.length + after.pending.length + after.routine.length;
  return (
    `Tableau mis à jour : ${total} fugue${total > 1 ? 's' : ''} en cours, dont ${after.worrying.length} préoccupante${after.worrying.length > 1 ? 's' : ''}` +
    (waiting ? ` ; ${waiting} alerte${waiting > 1 ? 's' : ''} non prise${waiting > 1 ? 's' : ''} en compte.` : ' ; toutes les alertes sont prises en compte.')
  );
}

/**
 * The events that can change a row of the board (its level, its alert, its being open). Others
 * (messages sent, alert steps, updates before their triage) do not: the board is not read again
 * for them, since each reading of it is audited, one entry per episode shown.
 */
const BOARD_EVENTS = new Set([
  'declared',
  'classified',
  'override.set',
  'override.withdrawn',
  'override.superseded',
  'located',
  'returned',
  'closed',
  'cancelled',
  'alert.opened',
  'alert.acknowledged',
  'alert.resolved',
  'personal_data.erased',
]);

export function changesBoard(event: { type: string }): boolean {
  return BOARD_EVENTS.has(event.type);
}
