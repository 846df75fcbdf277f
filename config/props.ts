/**
 * The construct's props and the JSON configuration are one set of settings under two names (CONFIG_PROPS in
 * schema.ts): props map onto the configuration's keys and are validated by its parser, a configuration maps onto
 * props, and texts (problems, docs) name the keys as props.
 */
import { isDeepStrictEqual } from 'node:util';
import { CONFIG_FIELDS, CONFIG_PROPS, ENDPOINT_VPC_PROPS, SOURCE_ACCOUNT_PROPS, type FieldSpec, type MirroringConfig } from './schema';
import { closestKey } from './parse';
import { nameOf, show } from './show';

export type PropKey = keyof typeof CONFIG_PROPS;

/** Keys whose value is a list of objects, with the props of the objects' keys (a source account's endpoint VPCs are such a list in turn). */
const ENTRY_PROPS: Partial<Record<string, Readonly<Record<string, string>>>> = { SourceAccounts: SOURCE_ACCOUNT_PROPS, GatewayLoadBalancerEndpoints: ENDPOINT_VPC_PROPS };

const PROP_KEYS = Object.keys(CONFIG_PROPS) as PropKey[];
/** `provider` is the construct's own (not a configuration key). */
const PROP_NAMES = ['provider', ...Object.values(CONFIG_PROPS)];
/** Every key a prop renames (top level and inside entries), with its prop. */
const PROP_OF_KEY = new Map<string, string>([...Object.entries(ENDPOINT_VPC_PROPS), ...Object.entries(SOURCE_ACCOUNT_PROPS), ...Object.entries(CONFIG_PROPS)]);
const KEY_OF_PROP = new Map([...PROP_OF_KEY].map(([key, prop]) => [prop, key]));
const KEY_WORDS = new RegExp(`\\b(${[...PROP_OF_KEY.keys()].join('|')})\\b`, 'g');

/**
 * The entries of the list key `key` with their keys renamed to props (`toProps`) or back; `problems` gets the JSON
 * names found where props were expected. Lists inside entries are renamed too.
 */
function renameEntries(value: unknown, key: string, toProps: boolean, path: string, problems: string[]): unknown {
  const entryProps = Object.hasOwn(ENTRY_PROPS, key) ? ENTRY_PROPS[key] : undefined;
  if (entryProps === undefined || !Array.isArray(value)) return value;
  const pairs = Object.entries(entryProps);
  const names = new Map(toProps ? pairs : pairs.map(([jsonKey, prop]) => [prop, jsonKey]));
  const oldNames = new Map(toProps ? [] : pairs);
  return value.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    return Object.fromEntries(
      Object.entries(entry).map(([name, inner]) => {
        if (oldNames.has(name)) problems.push(renamedProblem(`${path}[${index}].${name}`, inner, `${path}[${index}].${oldNames.get(name)}`, name));
        const renamed = names.get(name) ?? name;
        return [renamed, renameEntries(inner, toProps ? name : renamed, toProps, `${path}[${index}].${renamed}`, problems)];
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
    props[CONFIG_PROPS[key]] = renameEntries(value, key, true, key, []);
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
      config[key] = renameEntries(value, key, false, CONFIG_PROPS[key], problems);
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
