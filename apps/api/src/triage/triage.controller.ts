import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TriagePreviewService } from '@vigie/domain';
import { ClassificationResponse } from '../fugues/fugue.response';
import { ApiErrorResponses } from '../http/api-docs';
import { TriagePreviewDto } from './triage.dto';

@ApiTags('triage')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1/triage')
export class TriageController {
  constructor(private readonly preview: TriagePreviewService) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOkResponse({ type: ClassificationResponse, description: 'The classification of ruleset 2026.1, without history; nothing is stored' })
  previewTriage(@Body() dto: TriagePreviewDto) {
    return this.preview.previewTriage(dto);
  }
}
