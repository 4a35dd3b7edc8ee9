import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { static as serveStatic, type NextFunction, type Request, type Response } from 'express';
import { htmlPage } from './html-page';

/** Paths the server answers itself; the console never shadows them, whatever their method. */
export const SERVER_PATHS = ['/v1', '/auth', '/a', '/docs', '/openapi.json', '/health', '/metrics', '/admin/queues'];

/**
 * The console's own policy: its scripts and styles are files of this site (no inline script nor
 * style element), it talks to this site only, and it may show a youth's photo from the https
 * link the foyer gave (the missing-person sheet prints it).
 */
export function consoleContentSecurityPolicy(https: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Case-insensitive, as Express routes are: `/V1/fugues` is the API's too. */
function isServerPath(path: string): boolean {
  const lower = path.toLowerCase();
  return SERVER_PATHS.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
}

/**
 * Serves the built console (`VIGIE_CONSOLE_DIR`) at `/`: its hashed files under /assets/ cached
 * for a year, anything else for a short time, and, for any other page a browser asks for (a GET
 * that accepts HTML, outside the server's own paths), index.html without caching, so that every
 * address of the console can be opened or reloaded. When the console is not built, those pages
 * answer a French 404 page saying so. Requests that are not for a page fall through to the API
 * (an unknown path stays its JSON 404).
 */
export function mountConsole(app: NestExpressApplication, directory: string, https: boolean): void {
  const root = resolve(directory);
  const index = join(root, 'index.html');
  const policy = consoleContentSecurityPolicy(https);
  const files = serveStatic(root, {
    index: false,
    redirect: false,
    fallthrough: true,
    dotfiles: 'ignore',
    setHeaders: (res, path) => {
      res.setHeader('Content-Security-Policy', policy);
      const immutable = path.startsWith(join(root, 'assets'));
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isServerPath(req.path)) return next();
    files(req, res, () => {
      if (!(req.headers.accept ?? '').includes('text/html') || /\.[a-z0-9]+$/i.test(req.path)) return next();
      if (!existsSync(index)) {
        return htmlPage(
          res,
          404,
          'Console non installée',
          'La console de Vigie n’est pas construite sur ce serveur. Lancez <code>npm start</code>, qui la construit, ou <code>node scripts/build-console.mjs</code>. L’API reste disponible sous /v1 (documentation : <a href="/docs">/docs</a>).',
        );
      }
      res.setHeader('Content-Security-Policy', policy);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index, { dotfiles: 'ignore' });
    });
  });
}
