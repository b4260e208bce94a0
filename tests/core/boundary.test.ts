/**
 * The core is engine-neutral: it imports nothing from outside firmware/core (but cbor-x, which
 * runs on XS), and uses no global that XS lacks. Checked two ways: by reading every import and
 * identifier with the TypeScript parser, and by compiling the core with ECMAScript's library only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const CORE = resolve(__dirname, '../../firmware/core');
const ALLOWED_PACKAGES = ['cbor-x'];
/** Host globals that Node or browsers have and XS (on the device) does not. */
const FOREIGN_GLOBALS = [
  'Buffer', 'process', 'require', 'module', '__dirname', '__filename', 'global',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask',
  'console', 'fetch', 'window', 'document', 'navigator', 'TextEncoder', 'TextDecoder', 'performance',
  'crypto', 'structuredClone', 'atob', 'btoa', 'URL',
];

function coreFiles(dir = CORE): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return coreFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Finding {
  file: string;
  line: number;
  what: string;
}

/** Imports that leave the core, and free identifiers naming foreign globals. */
function scan(file: string, text = readFileSync(file, 'utf8')): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const findings: Finding[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const declared = new Set<string>();
  const collect = (node: ts.Node) => {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isParameter(node)) && node.name && ts.isIdentifier(node.name))
      declared.add(node.name.text);
    ts.forEachChild(node, collect);
  };
  collect(source);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(CORE + '/') && target !== CORE) findings.push({ file, line: at(node), what: `import leaves the core: ${spec}` });
        if (/\.(ts|js)$/.test(spec)) findings.push({ file, line: at(node), what: `import with an extension: ${spec}` });
      } else if (!ALLOWED_PACKAGES.includes(spec)) findings.push({ file, line: at(node), what: `import of a package or host module: ${spec}` });
    }
    // On the device preloaded built-ins are frozen: `this.name = …` in an Error subclass throws there.
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && /^this\.name$/.test(node.left.getText(source)))
      findings.push({ file, line: at(node), what: 'assignment to this.name (use a class field)' });
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) findings.push({ file, line: at(node), what: 'dynamic import()' });
    if (ts.isIdentifier(node) && FOREIGN_GLOBALS.includes(node.text) && !declared.has(node.text)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isPropertySignature(parent) && parent.name === node) ||
        (ts.isMethodDeclaration(parent) && parent.name === node) ||
        (ts.isPropertyDeclaration(parent) && parent.name === node);
      if (!isPropertyName) findings.push({ file, line: at(node), what: `global XS lacks: ${node.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

describe('core boundary', () => {
  const files = coreFiles();

  it('reads every TypeScript file of the core (the ones the TypeScript compiler’s own directory walk finds)', () => {
    expect([...files].sort()).toEqual(ts.sys.readDirectory(CORE, ['.ts']).map((f) => resolve(f)).sort());
    expect(files).toContain(join(CORE, 'selftest', 'probes', 'systemProbes.ts'));
  });

  it('imports nothing from outside firmware/core but cbor-x, and uses no global XS lacks', () => {
    const findings = files.flatMap((f) => scan(f)).map((f) => `${relative(CORE, f.file)}:${f.line} ${f.what}`);
    expect(findings).toEqual([]);
  });

  it('the checker itself catches each kind of violation', () => {
    const fake = join(CORE, 'store', 'probe.ts');
    const found = scan(
      fake,
      `import { readFileSync } from 'node:fs';\nimport { x } from '../../device/clock';\nimport { y } from './crc32.ts';\n` +
        `const a = Buffer.from('x');\nsetTimeout(() => 0, 1);\nconsole.log(a);\nnew TextEncoder();\nconst ok = { console: 1 }.console;\n` +
        `class E extends Error { constructor() { super(); this.name = 'E'; } }\n`,
    ).map((f) => f.what);
    expect(found).toEqual([
      'import of a package or host module: node:fs',
      'import leaves the core: ../../device/clock',
      'import with an extension: ./crc32.ts',
      'global XS lacks: Buffer',
      'global XS lacks: setTimeout',
      'global XS lacks: console',
      'global XS lacks: TextEncoder',
      'assignment to this.name (use a class field)',
    ]);
  });

  it('compiles with the ECMAScript library alone (no Node, DOM or Moddable types)', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', join(CORE, 'tsconfig.json')], { stdio: 'pipe' })).not.toThrow();
  });
});
