/** The configuration: its schema and parser, file loading, regions and the reference docs. Import from here, not a file. */
export * from './config';
export * from './config-file';
export * from './regions';
// Vocabulary that moved to shared/, re-exported so configuration importers keep working.
export {
  MIRROR_SOURCE_TYPES,
  SESSION_SOURCE_TYPES,
  STACK_TAG_KEY,
  TOKEN_VARIABLE_NAME,
  type MirrorSourceType,
  type SessionSourceType,
} from '../shared';
