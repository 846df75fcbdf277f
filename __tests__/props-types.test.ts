/**
 * The props' strict types: __tests__/types/strict-props.ts compiles (every `@ts-expect-error` meets its error), and
 * without the directives each marked line, and only those, is an error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');
const file = join(__dirname, 'types', 'strict-props.ts');
/** The same file without its directives: a virtual file beside it (same imports). */
const stripped = join(__dirname, 'types', 'strict-props.stripped.ts');

/** tsc's diagnostics of the file and of its copy without the directives, by file: one program (one type-check of the libraries). */
function diagnostics(source: string): { readonly original: ts.Diagnostic[]; readonly stripped: ts.Diagnostic[] } {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const strippedText = source.replace(/\/\/ @ts-expect-error/g, '// (expected error)');
  host.getSourceFile = (name, version, ...rest) => (name === stripped ? ts.createSourceFile(name, strippedText, version) : getSourceFile(name, version, ...rest));
  host.fileExists = ((exists) => (name: string) => name === stripped || exists(name))(host.fileExists.bind(host));
  const all = ts.getPreEmitDiagnostics(ts.createProgram([file, stripped], options, host));
  return { original: all.filter((d) => d.file?.fileName !== stripped), stripped: all.filter((d) => d.file?.fileName === stripped) };
}

const lineOf = (diagnostic: ts.Diagnostic) => diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start!).line + 1;
const message = (diagnostic: ts.Diagnostic) => `${diagnostic.file?.fileName}:${diagnostic.file ? lineOf(diagnostic) : ''} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;

describe('strict prop types', () => {
  const source = readFileSync(file, 'utf8');
  const marked = source.split('\n').flatMap((line, index) => (line.trim().startsWith('// @ts-expect-error') ? [index + 2] : []));
  let result: ReturnType<typeof diagnostics>;
  beforeAll(() => {
    result = diagnostics(source);
  }, 120_000);

  test('the file compiles: each wrong value is refused', () => {
    expect(result.original.map(message)).toEqual([]);
  });

  test('without the directives, exactly the marked lines are errors', () => {
    expect(marked.length).toBe(14);
    expect([...new Set(result.stripped.map(lineOf))].sort((a, b) => a - b)).toEqual(marked);
  });
});
