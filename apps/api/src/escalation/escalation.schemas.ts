import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALERT_STATES, NOTIFICATION_KINDS, NOTIFICATION_STATUSES, REFERENT_ROLES } from '@vigie/persistence';
import { PageCursor } from '../http/api-docs';

/**
 * OpenAPI descriptions of the escalation bodies (referents, policy, alerts, notifications): they
 * only describe JSON for /openapi.json; the bodies are validated in the domain and built by the
 * views of escalation.response.ts.
 */

export class ChannelResponse {
  @ApiProperty({ enum: ['email', 'sms', 'webhook'] }) type: string;
  @ApiPropertyOptional({ description: 'For type email' }) address?: string;
  @ApiPropertyOptional({ description: 'For type sms, international format' }) phone?: string;
  @ApiPropertyOptional({ description: 'For type webhook' }) url?: string;
}

export class ReferentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: REFERENT_ROLES }) role: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) foyerId: string | null;
  @ApiProperty({ type: [ChannelResponse], description: 'E-mail, SMS and webhook channels, in order' }) channels: ChannelResponse[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) apiClientId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ description: 'The secret that signs webhooks to this referent, shown once when a webhook channel is set', example: 'whsec_…' })
  webhookSecret?: string;
}

export class ReferentPageResponse extends PageCursor {
  @ApiProperty({ type: [ReferentResponse] }) items: ReferentResponse[];
}

export class PolicyStepSchema {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 604800, description: 'Seconds after the alert opened; increasing from step to step' }) afterSeconds: number;
  @ApiProperty({ enum: REFERENT_ROLES, isArray: true, minItems: 1, maxItems: 5, uniqueItems: true }) notify: string[];
}

export class WorryingPolicySchema {
  @ApiProperty({ type: [PolicyStepSchema], minItems: 1, maxItems: 20 }) steps: PolicyStepSchema[];
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 604800, nullable: true, description: 'Repeat the last step this often until acknowledged; null: never' })
  repeatLastStepEverySeconds?: number | null;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, default: 0 }) maxRepeats?: number;
}

export class NotifyRolesSchema {
  @ApiProperty({ enum: REFERENT_ROLES, isArray: true, maxItems: 5, uniqueItems: true }) notify: string[];
}

export class EscalationPolicySchema {
  @ApiProperty({ type: WorryingPolicySchema }) worrying: WorryingPolicySchema;
  @ApiProperty({ type: NotifyRolesSchema }) routine: NotifyRolesSchema;
  @ApiProperty({ type: NotifyRolesSchema }) disclosure: NotifyRolesSchema;
  @ApiProperty({ type: NotifyRolesSchema }) overdueInterview: NotifyRolesSchema;
}

export class PolicyInForceResponse {
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ type: EscalationPolicySchema }) policy: EscalationPolicySchema;
  @ApiProperty({ description: 'True when the département has set no policy and the default applies' }) isDefault: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
  @ApiProperty({ enum: REFERENT_ROLES, isArray: true, description: 'Roles the policy names that no reachable referent covers' }) uncoveredRoles: string[];
  @ApiProperty({ type: String, format: 'uuid', isArray: true, description: 'Foyers with no reachable foyer_duty referent, when the policy names that role' })
  foyersWithoutDuty: string[];
}

export class AcknowledgedByResponse {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) referentId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) apiClientId: string | null;
  @ApiProperty({ type: String, enum: ['api', 'link'], nullable: true }) via: string | null;
}

export class AlertSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) fugueId: string;
  @ApiProperty({ example: '75' }) departmentCode: string;
  @ApiProperty({ enum: ALERT_STATES }) state: string;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ type: AcknowledgedByResponse, nullable: true }) acknowledgedBy: AcknowledgedByResponse | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the alert ended without acknowledgement (the episode ended)' }) resolution: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The last step that fired (0-based), null before the first' }) currentStep: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextStepAt: string | null;
}

export class AlertPageResponse extends PageCursor {
  @ApiProperty({ type: [AlertSummaryResponse] }) items: AlertSummaryResponse[];
}

export class NotificationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: NOTIFICATION_KINDS }) kind: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) alertId: string | null;
  @ApiProperty({ format: 'uuid' }) fugueId: string;
  @ApiProperty({ format: 'uuid' }) referentId: string;
  @ApiProperty({ enum: ['email', 'sms', 'webhook'] }) channel: string;
  @ApiProperty({ type: 'integer', nullable: true }) step: number | null;
  @ApiProperty({ description: 'Sent on another channel because the first failed' }) fallback: boolean;
  @ApiProperty({ enum: NOTIFICATION_STATUSES }) status: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: "Addresses are masked for callers who are not administrators" }) lastError: string | null;
}

export class NotificationPageResponse extends PageCursor {
  @ApiProperty({ type: [NotificationResponse] }) items: NotificationResponse[];
}

export class AlertResponse extends AlertSummaryResponse {
  @ApiProperty({ type: EscalationPolicySchema, description: 'The policy the alert opened with' }) policy: EscalationPolicySchema;
  @ApiProperty({ type: [NotificationResponse] }) notifications: NotificationResponse[];
}
