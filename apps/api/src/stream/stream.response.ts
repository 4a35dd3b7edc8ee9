import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FUGUE_EVENT_TYPES } from '@vigie/persistence';

/** OpenAPI description of the `data:` of one event of GET /v1/stream (LiveEvent). */
export class StreamEventResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The timeline entry id (as GET /v1/fugues/{id}/timeline gives it), also the SSE id; null for stream.resync' })
  eventId: string | null;

  @ApiProperty({ enum: [...FUGUE_EVENT_TYPES, 'stream.resync'], example: 'alert.acknowledged', description: 'The timeline entry type, also the SSE event name' })
  type: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Absent for stream.resync' }) fugueId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For alert.* events' }) alertId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For interview.* events' }) interviewId?: string;
}
