import { boardChange, boardSections, changesBoard, type BoardItem } from '../src/board';
import { elapsedSince } from '../src/format';

let n = 0;
/** An open episode of the board; only what the order reads matters. */
function item(overrides: Partial<BoardItem>): BoardItem {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    youthId: '00000000-0000-4000-8000-000000000000',
    foyerId: '00000000-0000-4000-8000-000000000000',
    departmentCode: '75',
    status: 'missing',
    noticedMissingAt: '2026-12-03T10:00:00.000Z',
    lastSeenAt: null,
    locatedAt: null,
    returnedAt: null,
    classification: null,
    override: null,
    effectiveLevel: 'routine',
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:00.000Z',
    foyerName: 'Foyer',
    alertState: 'none',
    ...overrides,
  } as BoardItem;
}

describe('the live board', () => {
  it('puts worrying episodes first, unacknowledged alerts on top, then the longest missing; routine after', () => {
    const acknowledgedOld = item({ effectiveLevel: 'worrying', alertState: 'acknowledged', noticedMissingAt: '2026-12-01T08:00:00.000Z' });
    const waitingRecent = item({ effectiveLevel: 'worrying', alertState: 'open', noticedMissingAt: '2026-12-03T09:00:00.000Z' });
    const waitingOld = item({ effectiveLevel: 'worrying', alertState: 'open', noticedMissingAt: '2026-12-02T09:00:00.000Z' });
    const acknowledgedRecent = item({ effectiveLevel: 'worrying', alertState: 'acknowledged', noticedMissingAt: '2026-12-03T11:00:00.000Z' });
    const routineRecent = item({ noticedMissingAt: '2026-12-03T11:30:00.000Z' });
    const routineOld = item({ noticedMissingAt: '2026-12-02T11:30:00.000Z', status: 'located' });
    const pending = item({ effectiveLevel: null });
    const returned = item({ status: 'returned', effectiveLevel: 'worrying', alertState: 'open' });

    const sections = boardSections([routineRecent, acknowledgedOld, pending, waitingRecent, returned, routineOld, acknowledgedRecent, waitingOld]);
    expect(sections.worrying.map((i) => i.id)).toEqual([waitingOld.id, waitingRecent.id, acknowledgedOld.id, acknowledgedRecent.id]);
    expect(sections.pending.map((i) => i.id)).toEqual([pending.id]);
    expect(sections.routine.map((i) => i.id)).toEqual([routineOld.id, routineRecent.id]);
  });

  it('announces a change of the board in words, and nothing when nothing changed', () => {
    const alert = item({ effectiveLevel: 'worrying', alertState: 'open' });
    const calm = item({});
    const before = boardSections([alert, calm]);
    expect(boardChange(null, before)).toBeNull();
    expect(boardChange(before, boardSections([alert, calm]))).toBeNull();
    expect(boardChange(before, boardSections([{ ...alert, alertState: 'acknowledged' }, calm]))).toBe(
      'Tableau mis à jour : 2 fugues en cours, dont 1 préoccupante ; toutes les alertes sont prises en compte.',
    );
    expect(boardChange(boardSections([calm]), before)).toBe('Tableau mis à jour : 2 fugues en cours, dont 1 préoccupante ; 1 alerte non prise en compte.');
  });

  it('is read again for the events that change a row, not for messages and steps', () => {
    for (const type of ['declared', 'classified', 'alert.opened', 'alert.acknowledged', 'alert.resolved', 'located', 'returned', 'override.set']) expect({ type, changes: changesBoard({ type }) }).toEqual({ type, changes: true });
    for (const type of ['notification.sent', 'notification.failed', 'alert.step', 'routine.notified', 'updated', 'interview.scheduled']) expect({ type, changes: changesBoard({ type }) }).toEqual({ type, changes: false });
  });

  it('says how long a youth has been missing', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    expect(elapsedSince('2026-12-03T11:48:30Z', now)).toBe('11 min');
    expect(elapsedSince('2026-12-03T08:40:00Z', now)).toBe('3 h 20');
    expect(elapsedSince('2026-12-03T09:00:00Z', now)).toBe('3 h');
    expect(elapsedSince('2026-12-01T08:00:00Z', now)).toBe('2 jours et 4 h');
    expect(elapsedSince('2026-12-03T12:05:00Z', now)).toBe('0 min');
  });
});
