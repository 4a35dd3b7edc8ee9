import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TriagePreviewService } from '@vigie/domain';
import { TriagePreviewDto } from './triage.dto';

@ApiTags('triage')
@ApiBearerAuth()
@Controller('v1/triage')
export class TriageController {
  constructor(private readonly preview: TriagePreviewService) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The classification of ruleset 2026.1, without history; nothing is stored' })
  previewTriage(@Body() dto: TriagePreviewDto) {
    return this.preview.previewTriage(dto);
  }
}
