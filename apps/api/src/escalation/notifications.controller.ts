import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, NotificationAdminService, requireRole } from '@vigie/domain';
import { ApiConflict, ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { DEFAULT_LIMIT, PageQuery } from '../http/pagination.dto';
import { UuidPipe } from '../http/validators';
import { notificationView } from './escalation.response';
import { NotificationPageResponse, NotificationResponse } from './escalation.schemas';

@ApiTags('escalation')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationAdminService) {}

  @Get('dead-letter')
  @ApiOkResponse({ type: NotificationPageResponse, description: 'Notifications that failed for good (after 24 h of retries, or interrupted mid-send)' })
  async listDeadLetter(@CurrentCaller() caller: Caller, @Query() q: PageQuery) {
    requireRole(caller, ['admin']);
    const page = await this.notifications.listDeadLetter(q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map((n) => notificationView(n)), nextCursor: page.nextCursor };
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiConflict('Only a failed notification can be replayed (INVALID_TRANSITION), or an Idempotency-Key conflict')
  @ApiOkResponse({ type: NotificationResponse, description: 'The failed notification is sent again now' })
  async replay(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    return notificationView(await this.notifications.replay(id));
  }
}
