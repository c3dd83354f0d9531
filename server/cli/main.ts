/**
 * `livery <command>`: runs the app in the current directory (its `app.ts`), or scaffolds one.
 * Each command's module is imported only when run, so `livery new` and `--help` load nothing
 * of the server (and run on any Node, see livery.js).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const USAGE = `Usage: livery <command> [flags]

Commands (run in the app's folder, the one holding app.ts):
  new <dir> [--livery <spec>]          create an app in <dir> (new or empty)
  start [--workers N]                  serve the app (development migrates and seeds first)
  dev                                  serve the app, restarting on changes
  migrate [--create <name>] [--seed]   apply migrations (or write the next one; --seed loads the app's seed)
  build                                build (or check) the client bundle
  --help                               this text
`;

interface Command {
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: number;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  new: {
    options: { livery: { type: 'string' } },
    positionals: 1,
    run: async (values, [dir]) => (await import('./new-app.ts')).newApp(dir, { livery: values.livery as string | undefined }),
  },
  start: {
    options: { workers: { type: 'string' } },
    positionals: 0,
    run: async (_values, _positionals, argv) => (await import('./start.ts')).startCommand(argv),
  },
  dev: {
    options: {},
    positionals: 0,
    run: async () => (await import('./dev.ts')).devCommand(),
  },
  migrate: {
    options: { create: { type: 'string' }, seed: { type: 'boolean' }, 'allow-drop': { type: 'boolean' } },
    positionals: 0,
    run: async (values) => (await import('./migrate.ts')).migrateCommand({ create: values.create as string | undefined, seed: Boolean(values.seed), allowDrop: Boolean(values['allow-drop']) }),
  },
  build: {
    options: {},
    positionals: 0,
    run: async () => (await import('./build.ts')).buildCommand(),
  },
};

/** Runs `livery <argv>`; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 1 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) return usageError(`unknown command \`${name}\``);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    return usageError(`livery ${name}: ${(error as Error).message}`);
  }
  if (parsed.positionals.length !== command.positionals) {
    return usageError(
      command.positionals === 0
        ? `livery ${name} takes no arguments, got \`${parsed.positionals.join(' ')}\``
        : `livery ${name} needs ${command.positionals} argument(s), e.g. \`livery new my-app\``,
    );
  }
  return command.run(parsed.values, parsed.positionals, rest);
}

function usageError(message: string): number {
  console.error(`livery.C027: ${message}\n  hint: run \`livery --help\` for the commands and their flags.`);
  return 2;
}
