import type { Response } from 'express';

/**
 * A small French page for people who follow a link from a message (acknowledgement, sign-in):
 * no script, no external resource, not indexed. `title`, `message` and `extra` are the server's
 * own text, never a caller's input.
 */
export function htmlPage(res: Response, status: number, title: string, message: string, extra = ''): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<meta name="robots" content="noindex"><title>Vigie – ${title}</title></head>` +
        `<body style="font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem"><h1>${title}</h1><p>${message}</p>${extra}</body></html>`,
    );
}
