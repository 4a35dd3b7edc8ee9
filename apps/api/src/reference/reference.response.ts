import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI descriptions of the reference data responses. */

export class DepartmentResponse {
  @ApiProperty({ description: 'INSEE code', example: '2A' }) code: string;
  @ApiProperty({ example: 'Corse-du-Sud' }) name: string;
  @ApiProperty({ description: 'IANA time zone', example: 'Europe/Paris' }) timeZone: string;
}

export class DepartmentListResponse {
  @ApiProperty({ type: [DepartmentResponse] }) items: DepartmentResponse[];
}

export class VocabularyEntryResponse {
  @ApiProperty({ example: 'SUICIDE_RISK' }) code: string;
  @ApiProperty({ description: 'French label' }) label: string;
  @ApiPropertyOptional({ enum: ['critical', 'aggravating'], description: 'For codes that are also triage rules' }) kind?: string;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Weight of an aggravating rule; null for a critical one' }) weight?: number | null;
}

export class VocabulariesResponse {
  @ApiProperty({ example: '2026.1' }) rulesetVersion: string;
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Episode indicator codes' }) indicators: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Vulnerability codes of a youth' }) vulnerabilities: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse] }) departedWith: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse] }) exploitationIndicators: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Every rule of the ruleset with its kind and weight' }) rules: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Return interview: why the youth left' }) pushFactors: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Return interview: what drew the youth away' }) pullFactors: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Return interview: the follow-up decided' }) referrals: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Kinds of places of an episode (connections)' }) placeKinds: VocabularyEntryResponse[];
  @ApiProperty({ type: [VocabularyEntryResponse], description: 'Why two episodes are linked' }) linkReasons: VocabularyEntryResponse[];
}
