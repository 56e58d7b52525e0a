/**
 * Fails when a module under packages/<name>/src exports something that no other file imports:
 * an export nobody uses is dead code that still looks like API. The packages' entry points are
 * their public API and count as used. Run by `npm run lint`, on the TypeScript program of
 * tsconfig.check.json (sources, tests, examples and the bench) and on the console's, with the
 * compiler's own checker.
 */
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const ENTRY_POINTS = new Set(
  [
    "packages/contract/src/index.ts",
    "packages/sdk/src/index.ts",
    // The contract, compiled into the SDK as one of its own modules.
    "packages/sdk/src/contract.ts",
    "packages/sdk/src/permissions.ts",
    "packages/server/src/index.ts",
    "packages/console/src/main.tsx",
  ].map((file) => resolve(ROOT, file)),
);

/** Exports under packages/<name>/src that no file of the config's program imports. */
function unusedExports(configPath: string): string[] {
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const checker = program.getTypeChecker();
  const files = program.getSourceFiles().filter((file) => !file.isDeclarationFile);

  const original = (symbol: ts.Symbol): ts.Symbol =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

  const used = new Set<ts.Symbol>();
  const wholeModulesUsed = new Set<string>();

  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) {
        const symbol = checker.getSymbolAtLocation(node.name);
        if (symbol) used.add(original(symbol));
      } else if (ts.isNamespaceImport(node) || ts.isImportClause(node)) {
        const declaration = node.parent;
        const importDeclaration = ts.isImportDeclaration(declaration)
          ? declaration
          : ts.isImportClause(declaration)
            ? declaration.parent
            : undefined;
        if (ts.isNamespaceImport(node) && importDeclaration) {
          const target = checker.getSymbolAtLocation(importDeclaration.moduleSpecifier);
          const source = target?.valueDeclaration?.getSourceFile().fileName;
          if (source) wholeModulesUsed.add(source);
        }
        if (ts.isImportClause(node) && node.name) {
          const symbol = checker.getSymbolAtLocation(node.name);
          if (symbol) used.add(original(symbol));
        }
      } else if (ts.isPropertyAccessExpression(node)) {
        // `(await import("./module.js")).name`: a module loaded on demand uses what it reads.
        const symbol = checker.getSymbolAtLocation(node.name);
        if (symbol) used.add(original(symbol));
      } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        // `const { name } = await import("./module.js")`: likewise, what it takes out.
        const declaration = node.parent.parent;
        const source = ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined;
        const key = node.propertyName ?? node.name;
        if (source && ts.isIdentifier(key)) {
          const property = checker.getTypeAtLocation(source).getProperty(key.text);
          if (property) used.add(original(property));
        }
      } else if (ts.isImportTypeNode(node) && node.qualifier) {
        const symbol = checker.getSymbolAtLocation(node.qualifier);
        if (symbol) used.add(original(symbol));
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    if (ENTRY_POINTS.has(resolve(file.fileName))) {
      const moduleSymbol = checker.getSymbolAtLocation(file);
      for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
        used.add(original(symbol));
      }
    }
  }

  const unused: string[] = [];
  for (const file of files) {
    const path = resolve(file.fileName);
    if (!/\/packages\/[^/]+\/src\//.test(path) || ENTRY_POINTS.has(path)) continue;
    if (wholeModulesUsed.has(file.fileName)) continue;
    const moduleSymbol = checker.getSymbolAtLocation(file);
    for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      const target = original(symbol);
      const declaredHere = target.declarations?.some(
        (declaration) => resolve(declaration.getSourceFile().fileName) === path,
      );
      if (declaredHere && !used.has(target)) {
        unused.push(`${relative(ROOT, path)}: ${symbol.getName()} is exported but never imported`);
      }
    }
  }
  return unused;
}

const unused = [
  ...unusedExports(resolve(ROOT, "tsconfig.check.json")),
  // The console compiles for the browser (DOM, JSX), as a program of its own.
  ...unusedExports(resolve(ROOT, "packages/console/tsconfig.json")),
];

if (unused.length > 0) {
  process.stderr.write(`${unused.join("\n")}\n`);
  process.exit(1);
}
