import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Caller, YouthService } from '@vigie/domain';
import { AuditIdentity } from '../http/audit.interceptor';
import { CurrentCaller } from '../http/auth.guard';
import { UuidPipe } from '../http/validators';
import { CreateYouthDto, UpdateYouthDto } from './youth.dto';
import { youthView, YouthView } from './youth.response';

const auditYouth = (body: YouthView) => ({ youthId: body.id });

@ApiTags('youths')
@ApiBearerAuth()
@Controller('v1/youths')
export class YouthsController {
  constructor(private readonly youths: YouthService) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'The profile' })
  @AuditIdentity(auditYouth)
  async registerYouth(@CurrentCaller() caller: Caller, @Body() dto: CreateYouthDto) {
    return youthView(await this.youths.registerYouth(caller, dto));
  }

  @Get(':id')
  @AuditIdentity(auditYouth)
  async getYouth(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    return youthView(await this.youths.getYouth(caller, id));
  }

  @Patch(':id')
  @AuditIdentity(auditYouth)
  async updateYouth(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateYouthDto) {
    return youthView(await this.youths.updateYouth(caller, id, dto));
  }
}
