import { RequestFailed } from '../src/api/failure';
import {
  apiFieldProblems,
  buildConnections,
  connectionMessage,
  connectionProblems,
  emptyRows,
  frenchList,
  hiddenLinkSentence,
  linkReasonsSentence,
  newCompanion,
  newPlace,
  newVehicle,
  plateWords,
  rowProblem,
  type ConnectionRows,
} from '../src/connections';

/** The API's words (GET /v1/vocabularies, linkReasons). */
const REASONS = [
  { code: 'NAMED_COMPANION', label: 'Jeune désigné comme compagnon de fugue' },
  { code: 'SAME_VEHICLE', label: 'Même véhicule' },
  { code: 'SAME_PLACE', label: 'Même lieu (hôtel, location de courte durée, domicile)' },
  { code: 'SAME_ALIAS', label: 'Même surnom de compagnon dans le département' },
  { code: 'LEFT_TOGETHER', label: 'Partis ensemble du même foyer' },
];

const refusal = (details: { field: string; message: string }[]) => new RequestFailed(400, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'refused', details });

describe('the connections a form sends', () => {
  it('sends nothing when no row says anything, blank rows included', () => {
    const rows: ConnectionRows = { companions: [newCompanion()], vehicles: [{ ...newVehicle(), plate: '   ' }], places: [newPlace()] };
    expect(buildConnections(rows, 'Europe/Paris').connections).toBeUndefined();
    expect(buildConnections(emptyRows(), 'Europe/Paris')).toEqual({ connections: undefined, keys: { companions: [], vehicles: [], places: [] } });
  });

  it('trims texts, leaves empty fields out, turns the age into a number and the place time into an instant of the zone', () => {
    const companion = { ...newCompanion(), youthId: '00000000-0000-4000-8000-000000000001', age: ' 15 ' };
    const alias = { ...newCompanion(), alias: '  Testa  ' };
    const vehicle = { ...newVehicle(), plate: ' ab-123-cd ' };
    const described = { ...newVehicle(), description: 'Clio grise' };
    const place = { ...newPlace(), kind: 'hotel' as const, communeCode: '75056', address: ' Hôtel des Essais ', at: '2026-07-01T22:30' };
    const built = buildConnections({ companions: [companion, alias], vehicles: [vehicle, described], places: [place] }, 'Europe/Paris');
    expect(built.connections).toEqual({
      companions: [{ youthId: '00000000-0000-4000-8000-000000000001', approximateAge: 15 }, { alias: 'Testa' }],
      vehicles: [{ plate: 'ab-123-cd' }, { description: 'Clio grise' }],
      // 22:30 in Paris in summer is 20:30 UTC.
      places: [{ kind: 'hotel', communeCode: '75056', address: 'Hôtel des Essais', at: '2026-07-01T20:30:00.000Z' }],
    });
    expect(built.keys).toEqual({ companions: [companion.key, alias.key], vehicles: [vehicle.key, described.key], places: [place.key] });
  });

  it('sends what is left wrong as written, for the API to name the field', () => {
    const onlyAge = { ...newCompanion(), age: 'quinze' };
    const noKind = { ...newPlace(), address: 'Rue des Essais' };
    const built = buildConnections({ companions: [onlyAge], vehicles: [], places: [noKind] }, 'Europe/Paris');
    expect(built.connections).toEqual({ companions: [{ approximateAge: 'quinze' }], places: [{ kind: '', address: 'Rue des Essais' }] });
  });

  it('remembers which row each item came from once blank rows are dropped', () => {
    const blank = newVehicle();
    const plate = { ...newVehicle(), plate: 'AB#123' };
    expect(buildConnections({ companions: [], vehicles: [blank, plate], places: [] }, 'Europe/Paris').keys.vehicles).toEqual([plate.key]);
  });
});

describe('the API’s refusals placed at their rows', () => {
  const keys = { companions: ['c-a', 'c-b'], vehicles: ['v-a'], places: ['p-a'] };

  it('puts each refusal at the row it came from and its field, in French', () => {
    const problems = connectionProblems(
      refusal([
        { field: 'connections.vehicles.0.plate', message: 'plate must be a vehicle plate: letters and digits, groups separated by a space or a dash (e.g. AB-123-CD, 1234 AB 75)' },
        { field: 'connections.companions.1.approximateAge', message: 'approximateAge must not be greater than 80' },
        { field: 'connections.places.0.communeCode', message: 'communeCode must be an INSEE commune code (e.g. 75056)' },
      ]),
      keys,
    )!;
    expect(rowProblem(problems, 'v-a', 'plate')).toMatch(/^plaque non reconnue/);
    expect(rowProblem(problems, 'c-b', 'approximateAge')).toBe('âge approximatif : au plus 80 ans');
    expect(rowProblem(problems, 'c-a', 'approximateAge')).toBeUndefined();
    expect(rowProblem(problems, 'p-a', 'communeCode')).toMatch(/^code commune INSEE attendu/);
    expect(problems.other).toEqual({});
  });

  it('reads the hotline report’s fields under data., a refused list as the list’s, and other fields apart', () => {
    const problems = connectionProblems(
      refusal([
        { field: 'data.connections.places.0.kind', message: 'kind must be one of the following values: hotel, short_let' },
        { field: 'connections.companions', message: 'companions must contain no more than 20 elements' },
        { field: 'connections.vehicles.3.plate', message: 'plate must be a string (give plate or description)' },
        { field: 'lastSeenAt', message: 'lastSeenAt must not be after noticedMissingAt' },
      ]),
      keys,
    )!;
    expect(rowProblem(problems, 'p-a', 'kind')).toBe('choisissez le type de lieu');
    expect(problems.lists).toEqual({ companions: 'au plus 20 à la fois', vehicles: 'indiquez une plaque ou une description' });
    expect(problems.other).toEqual({ lastSeenAt: 'lastSeenAt must not be after noticedMissingAt' });
  });

  it('joins two refusals of one field, and gives a refusal of the whole row to its first field', () => {
    const problems = connectionProblems(
      refusal([
        { field: 'connections.companions.0.alias', message: 'alias must not be blank' },
        { field: 'connections.companions.0.alias', message: 'alias must be longer than or equal to 1 and shorter than or equal to 60 characters' },
        { field: 'connections.vehicles.0', message: 'an unknown refusal' },
      ]),
      keys,
    )!;
    expect(rowProblem(problems, 'c-a', 'alias')).toBe('prénom ou surnom de 1 à 60 caractères ; prénom ou surnom de 1 à 60 caractères');
    expect(rowProblem(problems, 'v-a', 'plate', true)).toBe('an unknown refusal');
    expect(rowProblem(problems, 'v-a', 'plate')).toBeUndefined();
  });

  it('has nothing to place for an error that names no field', () => {
    expect(connectionProblems(new RequestFailed(409, { code: 'INVALID_TRANSITION', message: 'x' }), keys)).toBeNull();
    expect(connectionProblems(new RequestFailed(400, { code: 'VALIDATION_FAILED', message: 'x', details: [] }), keys)).toBeNull();
    expect(connectionProblems(new Error('x'), keys)).toBeNull();
  });

  it('words the refusals of any form by field, and has none for an error that names no field', () => {
    expect(
      apiFieldProblems(
        refusal([
          { field: 'approximateAge', message: 'approximateAge must be an integer number' },
          { field: 'firstName', message: 'firstName must not be blank' },
          { field: 'firstName', message: 'property lastName should not exist' },
        ]),
      ),
    ).toEqual({ approximateAge: 'âge approximatif : un nombre entier d’années', firstName: 'firstName must not be blank ; ce champ n’est pas attendu' });
    expect(apiFieldProblems(new RequestFailed(403, { code: 'FORBIDDEN', message: 'x' }))).toBeNull();
  });

  it('says a companion that is not known in words', () => {
    expect(connectionMessage('must be the id of an existing youth')).toBe('ce jeune n’est pas connu de Vigie');
    expect(connectionMessage('property nickname should not exist')).toBe('ce champ n’est pas attendu');
    expect(connectionMessage('approximateAge must not be less than 8')).toBe('âge approximatif : au moins 8 ans');
    expect(connectionMessage('approximateAge must not be greater than 25')).toBe('âge approximatif : au plus 25 ans');
  });
});

describe('links in words', () => {
  it('says the reasons in the vocabulary’s order and words, as a French list', () => {
    expect(linkReasonsSentence(['SAME_VEHICLE'], REASONS)).toBe('Même véhicule');
    expect(linkReasonsSentence(['LEFT_TOGETHER', 'SAME_VEHICLE'], REASONS)).toBe('Même véhicule et partis ensemble du même foyer');
    expect(frenchList(['a', 'b', 'c'])).toBe('a, b et c');
    expect(linkReasonsSentence(['NEW_REASON'], REASONS)).toBe('NEW_REASON');
  });

  it('says a link to an episode out of scope as spec/links.md does', () => {
    expect(hiddenLinkSentence(['SAME_VEHICLE'], REASONS)).toBe('Même véhicule qu’un autre épisode hors de votre périmètre.');
    expect(hiddenLinkSentence(['SAME_PLACE', 'SAME_VEHICLE'], REASONS)).toBe('Même véhicule et même lieu (hôtel, location de courte durée, domicile) qu’un autre épisode hors de votre périmètre.');
    expect(hiddenLinkSentence(['LEFT_TOGETHER'], REASONS)).toBe('Lié à un autre épisode hors de votre périmètre : partis ensemble du même foyer.');
    expect(hiddenLinkSentence(['SAME_VEHICLE', 'NAMED_COMPANION'], REASONS)).toBe(
      'Lié à un autre épisode hors de votre périmètre : jeune désigné comme compagnon de fugue et même véhicule.',
    );
  });

  it('gives a French plate its dashes back', () => {
    expect(plateWords('AB123CD')).toBe('AB-123-CD');
    expect(plateWords('1234AB75')).toBe('1234AB75');
  });
});
