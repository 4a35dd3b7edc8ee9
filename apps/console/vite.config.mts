import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The foyer staff's console. Built by scripts/build-console.mjs and served by the API process at
 * `/` (apps/api/src/http/console.ts). During development, `npx vite apps/console` serves it with
 * the API proxied to a running `npm start` on port 3000.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    target: 'es2022',
    // The modulepreload polyfill would be an inline script, which the console's CSP refuses.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/auth', '/openapi.json'].map((path) => [path, 'http://localhost:3000'])),
  },
});
