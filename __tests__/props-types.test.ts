/**
 * The props' strict types: __tests__/types/strict-props.ts compiles (every `@ts-expect-error` meets its error), and
 * without the directives each marked line, and only those, is an error. The README's examples of the construct compile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..');
const file = join(__dirname, 'types', 'strict-props.ts');
/** The same file without its directives: a virtual file beside it (same imports). */
const stripped = join(__dirname, 'types', 'strict-props.stripped.ts');
/** The README's examples (each TypeScript block that imports the package), importing the entry point from the sources. */
const readmeExamples = new Map(
  [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .filter((code) => code.includes("from 'traceable-traffic-mirroring-cdktf'"))
    .map((code, index) => [join(__dirname, 'types', `readme-example-${index + 1}.ts`), code.replace("from 'traceable-traffic-mirroring-cdktf'", "from '../../index'")]),
);

/** tsc's diagnostics of the file and of its copy without the directives, by file: one program (one type-check of the libraries). */
function diagnostics(source: string): { readonly original: ts.Diagnostic[]; readonly stripped: ts.Diagnostic[]; readonly readme: ts.Diagnostic[] } {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const strippedText = source.replace(/\/\/ @ts-expect-error/g, '// (expected error)');
  const virtual = new Map([[stripped, strippedText], ...readmeExamples]);
  host.getSourceFile = (name, version, ...rest) => (virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, version) : getSourceFile(name, version, ...rest));
  host.fileExists = ((exists) => (name: string) => virtual.has(name) || exists(name))(host.fileExists.bind(host));
  const all = ts.getPreEmitDiagnostics(ts.createProgram([file, ...virtual.keys()], options, host));
  const of = (name: string) => all.filter((d) => d.file?.fileName === name);
  return { original: all.filter((d) => !virtual.has(d.file?.fileName ?? '')), stripped: of(stripped), readme: [...readmeExamples.keys()].flatMap(of) };
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

  test("the README's examples (quick start, In your own cdktf stack) compile against the package's entry point", () => {
    expect(readmeExamples.size).toBe(2);
    expect(result.readme.map(message)).toEqual([]);
  });
});
