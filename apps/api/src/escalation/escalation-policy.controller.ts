import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, DomainError, EscalationPolicyService } from '@vigie/domain';
import { ApiErrorResponses } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { DEPARTMENT_CODE } from '../admin/admin.dto';
import { EscalationPolicyDto } from './escalation.dto';
import { PolicyInForceResponse } from './escalation.schemas';

function departmentCode(code: string): string {
  if (!DEPARTMENT_CODE.test(code)) throw DomainError.notFound('Département');
  return code;
}

@ApiTags('escalation')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/departments/:code/escalation-policy')
export class EscalationPolicyController {
  constructor(private readonly policies: EscalationPolicyService) {}

  @Get()
  @ApiOkResponse({ type: PolicyInForceResponse, description: 'The policy in force (the default when none was set), with the roles no reachable referent covers' })
  getPolicy(@CurrentCaller() caller: Caller, @Param('code') code: string) {
    return this.policies.getPolicy(caller, departmentCode(code));
  }

  @Put()
  @ApiOkResponse({ type: PolicyInForceResponse, description: 'The new policy; alerts already running keep the one they opened with' })
  putPolicy(@CurrentCaller() caller: Caller, @Param('code') code: string, @Body() dto: EscalationPolicyDto) {
    return this.policies.putPolicy(caller, departmentCode(code), dto);
  }
}
