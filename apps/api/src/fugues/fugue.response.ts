import type { FugueRecord, TimelineEntry } from '@vigie/domain';
import type { FugueEntity } from '@vigie/persistence';

/** Identity-free view: lists, declaration and transition responses. */
export function fugueSummary(f: FugueEntity) {
  return {
    id: f.id,
    youthId: f.youthId,
    foyerId: f.foyerId,
    departmentCode: f.departmentCode,
    status: f.status,
    noticedMissingAt: f.noticedMissingAt,
    lastSeenAt: f.lastSeenAt,
    locatedAt: f.locatedAt,
    returnedAt: f.returnedAt,
    classification: f.classification,
    override: f.overrideLevel ? { level: f.overrideLevel, by: f.overrideBy, at: f.overrideAt } : null,
    effectiveLevel: f.effectiveLevel,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

/** The whole episode with the youth's identity: audited on every response. */
export function fugueView(r: FugueRecord) {
  const f = r.fugue;
  const summary = fugueSummary(f);
  return {
    ...summary,
    lastSeenPlace: r.details.lastSeenPlace ?? null,
    clothing: r.details.clothing ?? null,
    circumstances: r.details.circumstances ?? null,
    departedWith: f.departedWith,
    vehicle: r.details.vehicle ?? null,
    belongings: f.belongings,
    indicators: f.indicators,
    staffConcern: f.staffConcernWorrying === null ? null : { worrying: f.staffConcernWorrying, note: r.details.staffConcernNote ?? null },
    policeReport: r.details.policeReport ?? null,
    located: f.locatedAt ? { at: f.locatedAt, place: r.located?.place ?? null } : null,
    returned: f.returnedAt
      ? { at: f.returnedAt, foundBy: f.foundBy, place: r.returned?.place ?? null, condition: r.returned?.condition ?? null }
      : null,
    ended: f.endedAt ? { at: f.endedAt, reason: r.endReason } : null,
    override: summary.override ? { ...summary.override, reason: r.overrideReason } : null,
    nextReviewAt: f.nextReviewAt,
    youth: r.youth
      ? {
          id: r.youth.id,
          firstName: r.identity?.firstName ?? null,
          lastName: r.identity?.lastName ?? null,
          birthDate: r.identity?.birthDate ?? null,
          sex: r.youth.sex,
          description: r.identity?.description ?? null,
          photoUrl: r.identity?.photoUrl ?? null,
          phone: r.identity?.phone ?? null,
          usualPlaces: r.identity?.usualPlaces ?? [],
          medical: { vitalTreatment: r.youth.vitalTreatment, details: r.identity?.medicalDetails ?? null },
          vulnerabilities: r.youth.vulnerabilities,
        }
      : null,
  };
}
export type FugueView = ReturnType<typeof fugueView>;

export function timelineView(entries: TimelineEntry[]) {
  return {
    items: entries.map(({ event, text }) => ({
      id: String(event.id),
      type: event.type,
      at: event.at,
      actorId: event.actorId,
      data: event.data,
      text,
    })),
  };
}
