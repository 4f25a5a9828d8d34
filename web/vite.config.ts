import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The Python server serves the built files at "/" and the API under "/api".
// During development (and `vite preview`) the API and its WebSocket are proxied
// to a locally running server.
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const apiTarget = env.OWLISTIC_API_URL ?? 'http://127.0.0.1:8000';

const proxy = {
  '/api': { target: apiTarget, changeOrigin: true, ws: true },
  '/openapi.json': { target: apiTarget, changeOrigin: true },
};

export default defineConfig({
  base: '/',
  plugins: [
    // The service worker is src/sw.ts; the plugin gives it the list of built files to
    // precache. public/manifest.webmanifest stays the app's manifest.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'] },
    }),
  ],
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
});
