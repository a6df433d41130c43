// Vite's client types: `?raw` and `?url` imports, `import.meta.glob`, CSS imports.
/// <reference types="vite/client" />

/** Whether the page registers its service worker (the built site does; playground/vite.config.ts). */
declare const __OFFLINE__: boolean;
