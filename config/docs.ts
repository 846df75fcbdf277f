/** The README's configuration reference table, generated from the schema (`npm run docs:config`, scripts/config-docs.ts). */
import { CONFIG_FIELDS, type ConfigKey, type FieldSpec } from './schema';

/** The README's configuration reference, generated from {@link CONFIG_FIELDS}. */
export function configReferenceMarkdown(): string {
  const rows = (Object.keys(CONFIG_FIELDS) as ConfigKey[]).map((key) => {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const fallback = spec.default === undefined ? '**required**' : `\`${JSON.stringify(spec.default)}\``;
    return `| \`${key}\` | ${spec.doc} | ${fallback} | ${spec.allowed} |`;
  });
  return ['| Key | Meaning | Default | Allowed |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
