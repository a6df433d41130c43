// Owns turning the helpers a generated module carries (src/emit/helpers/*.ts: ordinary,
// type-checked, unit-tested TypeScript) into the text the emitter copies into modules: each
// top-level declaration once as TypeScript and once as JavaScript (types removed by the
// TypeScript compiler), with the other helpers it refers to, in source order.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "prettier";
import ts from "typescript";

/** The helper files, in the order their declarations appear in a module. */
export const helperFiles = ["checks", "allocate", "random", "results", "kernels", "update", "wasm"] as const;

/** What every module declares itself, which the helper files import as stand-ins. */
const standIns = new Set(["Arr", "Tensor", "kernelBytes"]);

export interface HelperDeclaration {
  readonly name: string;
  readonly file: string;
  readonly ts: string;
  /** Empty for a declaration that is only a type. */
  readonly js: string;
  readonly uses: readonly string[];
}

function declaredName(statement: ts.Statement): string {
  if (
    (ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement)) &&
    statement.name
  ) {
    return statement.name.text;
  }
  if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const name = statement.declarationList.declarations[0]!.name;
    if (ts.isIdentifier(name)) return name.text;
  }
  throw new Error(`helpers: a top-level statement must declare one named thing:\n${statement.getText()}`);
}

/** Identifiers a declaration refers to (not property names), in order of first use. */
function referencedNames(statement: ts.Statement): string[] {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        ((ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodSignature(parent) || ts.isPropertyAssignment(parent)) &&
          parent.name === node);
      if (!isPropertyName) names.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(statement, visit);
  return [...names];
}

/** The text of a statement with its leading comments, without its `export` keyword. */
function statementText(statement: ts.Statement, source: ts.SourceFile): string {
  const full = statement.getFullText(source);
  const start = statement.getFullStart();
  const exported = ts.canHaveModifiers(statement)
    ? ts.getModifiers(statement)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    : undefined;
  const text = exported
    ? full.slice(0, exported.getStart(source) - start) + full.slice(exported.getEnd() - start).replace(/^\s+/, "")
    : full;
  return text.trim();
}

function toJavaScript(text: string): string {
  const out = ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
    reportDiagnostics: false,
  }).outputText;
  return out.replace(/^export \{\};\s*$/m, "").trim();
}

/**
 * Formatted as generated modules are (src/compile.ts formats the rest of a module the same way),
 * so compiling a graph need not format the helpers again.
 */
async function formatted(text: string, lang: "ts" | "js"): Promise<string> {
  if (text === "") return "";
  return (await format(text, { parser: lang === "ts" ? "babel-ts" : "babel", printWidth: 100 })).trim();
}

/** Every helper declaration of the files in `dir`, in order, formatted. */
export async function helperDeclarations(dir: string): Promise<HelperDeclaration[]> {
  const parsed: { file: string; statement: ts.Statement; source: ts.SourceFile }[] = [];
  for (const file of helperFiles) {
    const path = join(dir, `${file}.ts`);
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement)) continue;
      parsed.push({ file, statement, source });
    }
  }
  const names = parsed.map(({ statement }) => declaredName(statement));
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`helpers: "${duplicate}" is declared twice`);
  const known = new Set(names);
  return Promise.all(
    parsed.map(async ({ file, statement, source }, i) => {
      const name = names[i]!;
      const text = statementText(statement, source);
      const uses = referencedNames(statement).filter((n) => n !== name && known.has(n) && !standIns.has(n));
      return { name, file, ts: await formatted(text, "ts"), js: await formatted(toJavaScript(text), "js"), uses };
    }),
  );
}

/** The generated module src/generated/helpers.ts. */
export function helpersModule(declarations: readonly HelperDeclaration[]): string {
  const entries = declarations.map(
    (d) => `  ${d.name}: {\n    ts: ${JSON.stringify(d.ts)},\n    js: ${JSON.stringify(d.js)},\n    uses: ${JSON.stringify(d.uses)},\n  },`,
  );
  return `// Generated by \`npm run build\` (scripts/generate.ts) from src/emit/helpers/*.ts. Do not edit.

/** A helper declaration as generated modules carry it. */
export interface HelperText {
  /** The declaration as TypeScript, with its comments. */
  readonly ts: string;
  /** The same as JavaScript; empty for a declaration that is only a type. */
  readonly js: string;
  /** The other helpers it refers to. */
  readonly uses: readonly HelperName[];
}

export type HelperName =
${declarations.map((d) => `  | ${JSON.stringify(d.name)}`).join("\n")};

/** Every helper, in the order declarations appear in a module. */
export const helperTexts: Readonly<Record<HelperName, HelperText>> = {
${entries.join("\n")}
};
`;
}
