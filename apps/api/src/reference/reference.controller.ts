import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { VOCABULARIES } from '@vigie/domain';
import { DepartmentRepository } from '@vigie/persistence';

@ApiTags('reference')
@ApiBearerAuth()
@Controller('v1')
export class ReferenceController {
  constructor(private readonly departments: DepartmentRepository) {}

  @Get('departments')
  @ApiOkResponse({ description: 'The 101 départements with INSEE code, name and IANA time zone' })
  async listDepartments() {
    const items = await this.departments.findAll();
    return { items: items.map((d) => ({ code: d.code, name: d.name, timeZone: d.timeZone })) };
  }

  @Get('vocabularies')
  @ApiOkResponse({ description: 'Indicator, vulnerability and rule codes with French labels and weights (ruleset 2026.1)' })
  vocabularies() {
    return VOCABULARIES;
  }
}
