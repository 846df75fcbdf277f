/**
 * The construct's props and the JSON configuration are one set of settings under two names (CONFIG_PROPS in
 * schema.ts): props map onto the configuration's keys and are validated by its parser, a configuration maps onto
 * props, and texts (problems, docs) name the keys as props.
 */
import { isDeepStrictEqual } from 'node:util';
import { CONFIG_FIELDS, CONFIG_PROPS, SOURCE_ACCOUNT_PROPS, type FieldSpec, type MirroringConfig } from './schema';
import { closestKey } from './parse';
import { nameOf, show } from './show';

export type PropKey = keyof typeof CONFIG_PROPS;

/** Keys whose value is a list of objects, with the props of the objects' keys. */
const ENTRY_PROPS: Partial<Record<PropKey, Readonly<Record<string, string>>>> = { SourceAccounts: SOURCE_ACCOUNT_PROPS };

const PROP_KEYS = Object.keys(CONFIG_PROPS) as PropKey[];
/** `provider` is the construct's own (not a configuration key). */
const PROP_NAMES = ['provider', ...Object.values(CONFIG_PROPS)];
/** Every key a prop renames (top level and inside entries), with its prop. */
const PROP_OF_KEY = new Map<string, string>([...Object.entries(SOURCE_ACCOUNT_PROPS), ...Object.entries(CONFIG_PROPS)]);
const KEY_OF_PROP = new Map([...PROP_OF_KEY].map(([key, prop]) => [prop, key]));
const KEY_WORDS = new RegExp(`\\b(${[...PROP_OF_KEY.keys()].join('|')})\\b`, 'g');

/** Keys renamed to entry keys (or the reverse); `problems` gets the old names found in `value`. */
function renameEntries(value: unknown, names: ReadonlyMap<string, string>, oldNames: ReadonlyMap<string, string>, path: string, problems: string[]): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    return Object.fromEntries(
      Object.entries(entry).map(([key, inner]) => {
        if (oldNames.has(key)) problems.push(renamedProblem(`${path}[${index}].${key}`, inner, `${path}[${index}].${oldNames.get(key)}`, key));
        return [names.get(key) ?? key, inner];
      }),
    );
  });
}

/** A configuration key given as a prop (the props of 0.2.x were the keys). */
function renamedProblem(name: string, value: unknown, prop: string, key: string): string {
  return `${name}: got ${show(value)}; expected it as ${prop} (props are camelCase since 1.0.0; ${key} is the JSON configuration's name, which TraceableTrafficMirroring.fromConfig takes)`;
}

/**
 * The props of a validated configuration: each value that differs from its default, under its prop's name (Backend,
 * not a prop, is left out).
 */
export function propsOfConfig(config: MirroringConfig): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const key of PROP_KEYS) {
    const spec: FieldSpec<unknown> = CONFIG_FIELDS[key];
    const value = config[key];
    if (isDeepStrictEqual(value, spec.default)) continue;
    const entries = ENTRY_PROPS[key];
    props[CONFIG_PROPS[key]] = entries ? renameEntries(value, new Map(Object.entries(entries)), new Map(), key, []) : value;
  }
  return props;
}

/**
 * The configuration the props stand for, to validate with parseConfig; `problems` names what no prop is: a JSON key
 * given as a prop (also inside SourceAccounts), Backend and unknown props.
 */
export function configOfProps(props: object): { readonly config: Record<string, unknown>; readonly problems: readonly string[] } {
  const config: Record<string, unknown> = Object.create(null);
  const problems: string[] = [];
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const key = KEY_OF_PROP.get(name) as PropKey | undefined;
    if (key !== undefined && Object.hasOwn(CONFIG_PROPS, key)) {
      const entries = ENTRY_PROPS[key];
      config[key] = entries ? renameEntries(value, new Map(Object.entries(entries).map(([k, p]) => [p, k])), new Map(Object.entries(entries)), CONFIG_PROPS[key], problems) : value;
    } else if (name === 'Backend') {
      problems.push(`Backend: got ${show(value)}; expected it unset: the construct's resources live in the state of the stack you add it to, whose backend you configure on that stack`);
    } else if (Object.hasOwn(CONFIG_PROPS, name)) {
      problems.push(renamedProblem(name, value, CONFIG_PROPS[name as PropKey], name));
    } else {
      const suggestion = closestKey(name, PROP_NAMES);
      problems.push(`${nameOf(name)}: unknown prop${suggestion ? ` (did you mean ${suggestion}?)` : ''}; allowed props: ${PROP_NAMES.join(', ')}`);
    }
  }
  return { config, problems };
}

/** A text (a problem, a doc) with the configuration keys it names written as props; quoted values stay as given. */
export function withPropNames(text: string): string {
  return text
    .split(/("(?:[^"\\]|\\.)*")/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(KEY_WORDS, (key) => PROP_OF_KEY.get(key)!)))
    .join('');
}
