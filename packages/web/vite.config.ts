import { defineConfig } from 'vite';

// Preact's automatic JSX runtime; no endpoint is built in: the app reads /config.json at run time.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: true },
  server: { port: 5173 },
});
