import { RequestFailed } from './failure';

/** What went wrong, in words a foyer's staff can act on. */
export function explain(error: unknown): string {
  if (!(error instanceof RequestFailed)) return 'Une erreur inattendue est survenue dans la console. Rechargez la page ; si cela recommence, prévenez votre administrateur.';
  const { status, body } = error;
  const code = body?.code;
  if (status === 0) return 'Le serveur ne répond pas : vérifiez votre connexion à Internet, puis réessayez. Rien n’a été enregistré.';
  if (code === 'FUGUE_ALREADY_OPEN') {
    return 'Une fugue est déjà en cours pour ce jeune (disparu ou localisé). On ne peut pas en déclarer une seconde : ouvrez l’épisode en cours pour y ajouter une information, ou déclarez d’abord son retour.';
  }
  if (code === 'INVALID_TRANSITION') return 'Cette action n’est plus possible dans l’état actuel de l’épisode (il a peut-être été modifié entre-temps). Rechargez la page pour voir son état.';
  if (code === 'CSRF_FAILED') return 'Votre session n’a pas pu être vérifiée. Rechargez la page, puis recommencez.';
  if (code?.startsWith('IDEMPOTENCY_')) return 'Cette demande a déjà été envoyée : rechargez la page pour voir si elle a été enregistrée avant de recommencer.';
  if (status === 400) {
    const fields = (body?.details ?? []).map((d) => `${d.field} : ${d.message}`).join(' ; ');
    return `Certaines informations ne sont pas acceptées${fields ? ` (${fields})` : ''}. Corrigez-les, puis réessayez.`;
  }
  if (status === 401) return 'Votre session a pris fin. Reconnectez-vous pour continuer.';
  if (status === 403) return 'Votre rôle ne permet pas cette action. Si vous pensez en avoir besoin, demandez-le à votre administrateur.';
  if (status === 404) return 'Introuvable : cette fiche n’existe pas, ou elle ne fait pas partie de votre foyer.';
  if (status === 409) return 'Cette action entre en conflit avec l’état actuel. Rechargez la page, puis recommencez.';
  if (status === 413) return 'Le texte saisi est trop long.';
  if (status === 429) return 'Trop de demandes en peu de temps. Patientez une minute, puis réessayez.';
  if (status === 503) return 'Le service est momentanément indisponible. Réessayez dans quelques instants.';
  return `Le serveur a rencontré une erreur (code ${status}${body?.correlationId ? `, référence ${body.correlationId}` : ''}). Réessayez ; si cela recommence, donnez cette référence à votre administrateur.`;
}
