// ESLint (flat config) with typescript-eslint's recommended rules, and two rules that keep the
// shape of gradc: no import cycles, and nothing from Node in the browser-safe code (everything
// but the command line, src/cli/, and the Node-only entries, src/node/ and src/plugin/) nor in
// the playground's page, which uses only the browser-safe entries.
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

const nodeBuiltins = [
  "assert", "buffer", "child_process", "crypto", "events", "fs", "fs/promises", "http", "https", "module", "net", "os",
  "path", "process", "readline", "stream", "url", "util", "v8", "vm", "worker_threads", "zlib",
];

/** Rules that keep Node's modules and globals out of code that runs in browsers, and `patterns` out too. */
function nothingFromNode(message, patterns) {
  return {
    "no-restricted-imports": ["error", { paths: nodeBuiltins.map((name) => ({ name, message })), patterns: [{ group: ["node:*"], message }, ...patterns] }],
    "no-restricted-globals": [
      "error",
      ...["process", "Buffer", "require", "__dirname", "__filename", "global", "setImmediate"].map((name) => ({ name, message })),
    ],
  };
}

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
    rules: nothingFromNode("Browser-safe code uses nothing from Node (see src/node/).", [
      { group: ["**/cli/**", "**/node/**", "**/plugin/**"], message: "Browser-safe code must not reach the Node-only parts." },
    ]),
  },
  {
    // The playground's page, its training worker and its service worker run in browsers only
    // (its vite.config.ts is Node).
    files: ["playground/src/**/*.ts", "playground/public/**/*.js"],
    languageOptions: { globals: { ...globals.browser, ...globals.serviceworker } },
    rules: nothingFromNode("The playground runs in browsers: it uses nothing from Node.", [
      {
        regex: "(^|/)src/(?!index\\.js$|runtime/index\\.js$)",
        message: "The playground uses gradc's browser-safe entries only: src/index.ts and src/runtime/index.ts.",
      },
    ]),
  },
  {
    // Generated modules' helpers are copied into modules that declare `Arr` themselves.
    files: ["src/emit/helpers/**/*.ts"],
    rules: { "@typescript-eslint/no-redeclare": "off" },
  },
);
