import { Injectable } from '@nestjs/common';
import { DepartmentRepository } from '@vigie/persistence';
import { DomainError } from '../errors/domain-error';
import { previewClassification } from '../triage/triage.rules';
import { Classification } from '../triage/triage.types';
import { Clock } from '../clock/clock';

export interface TriagePreviewRequest {
  youth: { birthDate: string; vulnerabilities?: string[]; medical?: { vitalTreatment: boolean } };
  departmentCode: string;
  episode: {
    noticedMissingAt: string;
    lastSeenAt?: string;
    departedWith?: string;
    belongings?: { phone?: boolean; money?: boolean; idDocument?: boolean };
    indicators?: string[];
    staffConcern?: { worrying: boolean };
  };
}

/** The same ruleset on facts that are not stored, with no history and `now` = the request time. */
@Injectable()
export class TriagePreviewService {
  constructor(private readonly departments: DepartmentRepository, private readonly clock: Clock) {}

  async previewTriage(request: TriagePreviewRequest, now = this.clock.now()): Promise<Classification> {
    const department = await this.departments.findByCode(request.departmentCode);
    if (!department) throw DomainError.invalid('departmentCode', 'unknown département');
    const t0 = new Date(request.episode.noticedMissingAt);
    const lastSeenAt = request.episode.lastSeenAt ? new Date(request.episode.lastSeenAt) : null;
    if (lastSeenAt && lastSeenAt > t0) throw DomainError.invalid('episode.lastSeenAt', 'must not be after noticedMissingAt');
    return previewClassification({
      now,
      timeZone: department.timeZone,
      youth: {
        birthDate: request.youth.birthDate,
        vulnerabilities: request.youth.vulnerabilities ?? [],
        vitalTreatment: request.youth.medical?.vitalTreatment ?? false,
      },
      episode: {
        noticedMissingAt: t0,
        lastSeenAt,
        departedWith: request.episode.departedWith ?? null,
        belongings: request.episode.belongings ?? null,
        indicators: request.episode.indicators ?? [],
        staffConcern: request.episode.staffConcern ?? null,
        updates: [],
        locatedAt: null,
        returnedAt: null,
      },
    });
  }
}
