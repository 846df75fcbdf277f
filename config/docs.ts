/**
 * The settings' documentation, generated from the schema (`npm run docs:config`, scripts/config-docs.ts): the README's
 * configuration reference table and the JSDoc of the construct's props, one text per key.
 */
import { withPropNames, type PropKey } from './props';
import { CONFIG_FIELDS, CONFIG_PROPS, type ConfigKey, type FieldSpec } from './schema';

/** The README's configuration reference, generated from {@link CONFIG_FIELDS}. */
export function configReferenceMarkdown(): string {
  const rows = (Object.keys(CONFIG_FIELDS) as ConfigKey[]).map((key) => {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const fallback = spec.default === undefined ? '**required**' : `\`${JSON.stringify(spec.default)}\``;
    const prop = Object.hasOwn(CONFIG_PROPS, key) ? `\`${CONFIG_PROPS[key as PropKey]}\`` : '(none: your stack has its own)';
    return `| \`${key}\` | ${prop} | ${spec.doc} | ${fallback} | ${spec.allowed} |`;
  });
  return ['| Key | Construct prop | Meaning | Default | Allowed |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The lines of a prop's JSDoc (without `/**` and `*\/`): its doc as the construct says it, and its `@default`. */
function propDocLines(key: PropKey): string[] {
  const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
  const lines = [withPropNames(spec.propDoc ?? spec.doc)];
  if (spec.default !== undefined) lines.push(`@default ${spec.default === '' ? '- none' : JSON.stringify(spec.default)}`);
  return lines;
}

/** The props interface's name in modules/traceable-traffic-mirroring.ts, whose JSDoc {@link withPropDocs} writes. */
const PROPS_INTERFACE = 'export interface TraceableTrafficMirroringProps {';

/** A module's source with the JSDoc of each prop in the props interface written from the schema (`npm run docs:config`). */
export function withPropDocs(source: string): string {
  const start = source.indexOf(PROPS_INTERFACE);
  const end = source.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error(`no "${PROPS_INTERFACE}" ... "}" in the source`);
  let body = source.slice(start, end);
  for (const key of Object.keys(CONFIG_PROPS) as PropKey[]) {
    const comment = new RegExp(`  /\\*\\*\\n(?:   \\*.*\\n)*?   \\*/\\n(?=  readonly ${CONFIG_PROPS[key]}\\??:)`);
    if (!comment.test(body)) throw new Error(`the props interface has no documented prop ${CONFIG_PROPS[key]} (for the key ${key})`);
    body = body.replace(comment, () => ['  /**', ...propDocLines(key).map((line) => `   * ${line}`), '   */', ''].join('\n'));
  }
  return source.slice(0, start) + body + source.slice(end);
}
