import { frenchApiMessage } from '../src/screens/admin/api-messages';

describe("the administration forms' words for the API's refusals", () => {
  it.each([
    ['phone must be a phone number (digits, spaces, dots, dashes, an optional leading +)', 'numéro de téléphone non valide (chiffres, espaces, points, tirets, un + au début)'],
    ['phone must be in international format, e.g. +33612345678', 'numéro au format international attendu, par exemple +33612345678'],
    ['email must be an e-mail address', 'adresse électronique non valide'],
    ['address must be an email', 'adresse électronique non valide'],
    ['url must be a URL address', 'adresse web non valide (https://…)'],
    ['the foyer is closed', 'ce foyer est fermé'],
    ['unknown foyer', 'foyer inconnu'],
    ['name must be longer than or equal to 1 and shorter than or equal to 200 characters', 'ce champ est obligatoire, ou trop long'],
    ['property departmentCode should not exist', 'ce champ n’est pas attendu'],
  ])('puts "%s" in French', (message, french) => {
    expect(frenchApiMessage(message)).toBe(french);
  });

  it('shows any other refusal as the API wrote it', () => {
    expect(frenchApiMessage('departmentCodes must contain INSEE département codes')).toBe('departmentCodes must contain INSEE département codes');
  });
});
