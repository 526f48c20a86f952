import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Absolute asset URLs, so deep links such as /cases/:id load the same bundles as /.
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The API serves the app; source maps would publish the sources next to it.
    sourcemap: false,
    // The budget that matters is checked by scripts/bundle-size.mjs (initial JavaScript, gzipped).
    chunkSizeWarningLimit: 800,
    // No inline <script> (the CSP allows scripts from our origin only), so no module preload polyfill either.
    modulePreload: { polyfill: false },
    rollupOptions: {
      // Mantine marks its modules "use client" for React Server Components; meaningless in a client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  // `npm run dev:web` / `vite preview` against an API on PASSAGE_API_PORT.
  server: { proxy: { '/api': `http://127.0.0.1:${process.env.PASSAGE_API_PORT ?? '3000'}` } },
  preview: { proxy: { '/api': `http://127.0.0.1:${process.env.PASSAGE_API_PORT ?? '3000'}` } },
});
