import type { YouthProfile } from '@vigie/domain';

/** The profile with identity: only for callers in scope, and every such response is audited. */
export function youthView({ youth, identity }: YouthProfile) {
  return {
    id: youth.id,
    foyerId: youth.foyerId,
    firstName: identity?.firstName ?? null,
    lastName: identity?.lastName ?? null,
    birthDate: identity?.birthDate ?? null,
    sex: youth.sex,
    description: identity?.description ?? null,
    photoUrl: identity?.photoUrl ?? null,
    phone: identity?.phone ?? null,
    usualPlaces: identity?.usualPlaces ?? [],
    medical: { vitalTreatment: youth.vitalTreatment, details: identity?.medicalDetails ?? null },
    vulnerabilities: youth.vulnerabilities,
    externalRef: youth.externalRef,
    erased: youth.erasedAt !== null,
    createdAt: youth.createdAt,
    updatedAt: youth.updatedAt,
  };
}
export type YouthView = ReturnType<typeof youthView>;
