import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AlertService, Caller } from '@vigie/domain';
import { ApiConflict, ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { UuidPipe } from '../http/validators';
import { AcknowledgeDto, AlertListQuery } from './escalation.dto';
import { alertSummary, alertView } from './escalation.response';
import { AlertPageResponse, AlertResponse, AlertSummaryResponse } from './escalation.schemas';

@ApiTags('escalation')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertService) {}

  @Get()
  @ApiOkResponse({ type: AlertPageResponse })
  async listAlerts(@CurrentCaller() caller: Caller, @Query() q: AlertListQuery) {
    const page = await this.alerts.listAlerts(caller, { state: q.state, departmentCode: q.departmentCode, fugueId: q.fugueId }, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(alertSummary), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: AlertResponse, description: "The alert with every notification's status, attempts and last error" })
  async getAlert(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return alertView(await this.alerts.getAlert(caller, id), caller);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiBody({ type: AcknowledgeDto, required: false })
  @ApiConflict('The alert is already resolved (INVALID_TRANSITION), or an Idempotency-Key conflict')
  @ApiOkResponse({ type: AlertSummaryResponse, description: 'Acknowledged: later steps do not fire. Idempotent.' })
  async acknowledgeAlert(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: AcknowledgeDto) {
    return alertSummary(await this.alerts.acknowledgeAlert(id, { via: 'api', caller }, dto.note));
  }
}
