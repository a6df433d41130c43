// Vite's client types: `?raw` and `?url` imports, `import.meta.glob`, CSS imports.
/// <reference types="vite/client" />
