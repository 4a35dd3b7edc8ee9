/** The API's words for the refusals these forms meet most, in French; any other as it came. */
const API_MESSAGES: [RegExp, string][] = [
  [/^phone must be a phone number/, 'numéro de téléphone non valide (chiffres, espaces, points, tirets, un + au début)'],
  [/^phone must be in international format/, 'numéro au format international attendu, par exemple +33612345678'],
  [/^email must be an e-mail address|must be an email$/, 'adresse électronique non valide'],
  [/must be a URL address$/, 'adresse web non valide (https://…)'],
  [/^the foyer is closed$/, 'ce foyer est fermé'],
  [/^unknown foyer$/, 'foyer inconnu'],
  [/should not be empty$|must be longer than or equal to 1 (and shorter than or equal to \d+ )?characters$/, 'ce champ est obligatoire, ou trop long'],
  [/^property \w+ should not exist$/, 'ce champ n’est pas attendu'],
];
export function frenchApiMessage(message: string): string {
  return API_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? message;
}
