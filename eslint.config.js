// ESLint (flat config) with typescript-eslint's recommended rules, and two rules that keep the
// shape of gradc: no import cycles, and nothing from Node in the browser-safe code (everything
// but the command line, src/cli/, and the Node-only entries, src/node/ and src/plugin/).
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

const nodeBuiltins = [
  "assert", "buffer", "child_process", "crypto", "events", "fs", "fs/promises", "http", "https", "module", "net", "os",
  "path", "process", "readline", "stream", "url", "util", "v8", "vm", "worker_threads", "zlib",
];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/generated/", "src/onnx/proto/", "grammar/cst.d.ts", "playground/dist/", "editors/**/out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { "import-x": importX },
    settings: {
      // Which files import-x reads to follow imports, and with which parser.
      "import-x/extensions": [".ts", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      // Sources import each other as `./x.js`, which TypeScript resolves to `./x.ts`.
      "import-x/resolver-next": [createNodeResolver({ extensionAlias: { ".js": [".ts", ".js"] } })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The browser-safe entries (`gradc`, `gradc/runtime`) and everything they reach.
    files: ["src/**/*.ts", "grammar/**/*.ts"],
    ignores: ["src/cli/**", "src/node/**", "src/plugin/**"],
    languageOptions: { globals: { ...globals["shared-node-browser"] } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: nodeBuiltins.map((name) => ({ name, message: "Browser-safe code imports nothing from Node (see src/node/)." })),
          patterns: [
            { group: ["node:*"], message: "Browser-safe code imports nothing from Node (see src/node/)." },
            { group: ["**/cli/**", "**/node/**", "**/plugin/**"], message: "Browser-safe code must not reach the Node-only parts." },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        ...["process", "Buffer", "require", "__dirname", "__filename", "global", "setImmediate"].map((name) => ({
          name,
          message: "Browser-safe code uses no Node globals.",
        })),
      ],
    },
  },
  {
    // Generated modules' helpers are copied into modules that declare `Arr` themselves.
    files: ["src/emit/helpers/**/*.ts"],
    rules: { "@typescript-eslint/no-redeclare": "off" },
  },
);
