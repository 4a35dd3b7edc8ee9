import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, DomainError, PersonService, requireRole } from '@vigie/domain';
import { ApiClientRepository, Person } from '@vigie/persistence';
import { ApiConflict, ApiErrorResponses, ApiIdempotencyKey, ErrorResponse } from '../http/api-docs';
import { CurrentCaller } from '../http/auth.guard';
import { CreatedAt } from '../http/location.interceptor';
import { DEFAULT_LIMIT, PageQuery } from '../http/pagination.dto';
import type { VigieRequest } from '../http/request-context';
import { UuidPipe } from '../http/validators';
import { CreatePersonDto, UpdatePersonDto } from './people.dto';
import { MeResponse, PersonPageResponse, PersonResponse } from './people.response';

export const personView = (p: Person) => ({
  id: p.id,
  displayName: p.displayName,
  email: p.email,
  role: p.role,
  foyerIds: p.foyerIds,
  departmentCodes: p.departmentCodes,
  createdAt: p.createdAt,
  deactivatedAt: p.deactivatedAt,
});

const EMAIL_TAKEN = 'EMAIL_TAKEN: an active person already has this e-mail address (compared whatever the case)';

@ApiTags('people')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('v1')
export class PeopleController {
  constructor(
    private readonly people: PersonService,
    private readonly clients: ApiClientRepository,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'Who is calling: the signed-in person, or the API client of the bearer key' })
  @ApiOkResponse({ type: MeResponse })
  async me(@CurrentCaller() caller: Caller, @Req() req: VigieRequest): Promise<MeResponse> {
    const scope = { role: caller.role, foyerIds: caller.foyerIds, departmentCodes: caller.departmentCodes };
    if (req.personSession) {
      const { person, csrfToken } = req.personSession;
      return { id: person.id, displayName: person.displayName, email: person.email, ...scope, kind: 'person', csrfToken };
    }
    const client = await this.clients.findById(caller.clientId);
    if (!client) throw new DomainError('UNAUTHENTICATED', 'Invalid or revoked API key');
    return { id: client.id, displayName: client.name, email: null, ...scope, kind: 'apiClient', csrfToken: null };
  }

  @Post('people')
  @CreatedAt((body: { id: string }) => `/v1/people/${body.id}`)
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Create a person (admin): they sign in with an e-mailed link' })
  @ApiCreatedResponse({ type: PersonResponse, description: 'The person' })
  @ApiConflict(EMAIL_TAKEN)
  async create(@CurrentCaller() caller: Caller, @Body() dto: CreatePersonDto) {
    requireRole(caller, ['admin']);
    return personView(await this.people.create(dto));
  }

  @Get('people')
  @ApiOperation({ summary: 'List people (admin), newest first, deactivated ones included' })
  @ApiOkResponse({ type: PersonPageResponse })
  async list(@CurrentCaller() caller: Caller, @Query() q: PageQuery) {
    requireRole(caller, ['admin']);
    const page = await this.people.list(q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(personView), nextCursor: page.nextCursor };
  }

  @Get('people/:id')
  @ApiOperation({ summary: 'Read a person (admin)' })
  @ApiOkResponse({ type: PersonResponse })
  async get(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    return personView(await this.people.get(id));
  }

  @Patch('people/:id')
  @ApiOperation({ summary: 'Change a person (admin): name, e-mail, role or scope' })
  @ApiOkResponse({ type: PersonResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: `${EMAIL_TAKEN}; INVALID_TRANSITION: the person is deactivated` })
  async update(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdatePersonDto) {
    requireRole(caller, ['admin']);
    return personView(await this.people.update(id, dto));
  }

  @Delete('people/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deactivate a person (admin): every session of theirs ends at once' })
  @ApiNoContentResponse({ description: 'Deactivated' })
  async deactivate(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string) {
    requireRole(caller, ['admin']);
    await this.people.deactivate(id);
  }
}
