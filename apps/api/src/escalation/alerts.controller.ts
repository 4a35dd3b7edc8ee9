import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AlertService, Caller } from '@vigie/domain';
import { CurrentCaller } from '../http/auth.guard';
import { DEFAULT_LIMIT } from '../http/pagination.dto';
import { UuidPipe } from '../http/validators';
import { AcknowledgeDto, AlertListQuery } from './escalation.dto';
import { alertSummary, alertView } from './escalation.response';

@ApiTags('escalation')
@ApiBearerAuth()
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertService) {}

  @Get()
  async listAlerts(@CurrentCaller() caller: Caller, @Query() q: AlertListQuery) {
    const page = await this.alerts.listAlerts(caller, { state: q.state, departmentCode: q.departmentCode }, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(alertSummary), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ description: "The alert with every notification's status, attempts and last error" })
  async getAlert(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return alertView(await this.alerts.getAlert(caller, id), caller);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ description: 'Acknowledged: later steps do not fire. Idempotent.' })
  async acknowledgeAlert(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: AcknowledgeDto) {
    return alertSummary(await this.alerts.acknowledgeAlert(id, { via: 'api', caller }, dto.note));
  }
}
