import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { VOCABULARIES } from '@vigie/domain';
import { DepartmentRepository } from '@vigie/persistence';
import { ApiErrorResponses } from '../http/api-docs';
import { DepartmentListResponse, VocabulariesResponse } from './reference.response';

@ApiTags('reference')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1')
export class ReferenceController {
  constructor(private readonly departments: DepartmentRepository) {}

  @Get('departments')
  @ApiOkResponse({ type: DepartmentListResponse, description: 'The 101 départements with INSEE code, name and IANA time zone' })
  async listDepartments() {
    const items = await this.departments.findAll();
    return { items: items.map((d) => ({ code: d.code, name: d.name, timeZone: d.timeZone })) };
  }

  @Get('vocabularies')
  @ApiOkResponse({ type: VocabulariesResponse, description: 'Indicator, vulnerability and rule codes with French labels and weights (ruleset 2026.1)' })
  vocabularies() {
    return VOCABULARIES;
  }
}
