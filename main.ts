/**
 * The cdktf app: validates every configuration first and synthesizes only when all are valid, so a bad file
 * never leaves a half-written cdktf.out behind. MIRRORING_CONFIG names one file, a comma-separated list of files
 * or a directory of them (one stack per file); without it, the shipped example.
 */
import { runApp } from './stacks/app';
import { DEFAULT_CONFIG_PATH } from './config';

const { exitCode, stderr } = runApp(process.env.MIRRORING_CONFIG || DEFAULT_CONFIG_PATH);
process.stderr.write(stderr);
process.exitCode = exitCode;
