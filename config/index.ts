/** The configuration: its schema and parser, file loading, regions and the reference docs. Import from here, not a file. */
export * from './config';
export * from './config-file';
export * from './regions';
