import { explain } from '../src/api/errors';
import { RequestFailed } from '../src/api/failure';

describe('console error messages', () => {
  const failed = (status: number, code?: string, extra: Record<string, unknown> = {}) =>
    new RequestFailed(status, code ? { statusCode: status, code: code as never, message: 'm', correlationId: 'c-1', ...extra } : null);

  it('explains each failure in French words, the open fugue in particular', () => {
    expect(explain(failed(409, 'FUGUE_ALREADY_OPEN'))).toMatch(/^Une fugue est déjà en cours pour ce jeune/);
    expect(explain(failed(0))).toMatch(/^Le serveur ne répond pas/);
    expect(explain(failed(403, 'FORBIDDEN'))).toMatch(/^Votre rôle ne permet pas/);
    expect(explain(failed(404, 'NOT_FOUND'))).toMatch(/^Introuvable/);
    expect(explain(failed(409, 'INVALID_TRANSITION'))).toMatch(/n’est plus possible/);
    expect(explain(failed(403, 'CSRF_FAILED'))).toMatch(/session n’a pas pu être vérifiée/);
    expect(explain(failed(500, 'INTERNAL_ERROR'))).toContain('référence c-1');
    expect(explain(new Error('boom'))).toMatch(/erreur inattendue/);
  });

  it('names the fields the API refused', () => {
    expect(explain(failed(400, 'VALIDATION_FAILED', { details: [{ field: 'birthDate', message: 'must be a date' }] }))).toContain('birthDate : must be a date');
  });
});
