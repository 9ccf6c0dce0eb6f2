// A small argv parser shared by the subcommands: --flag, --key value, --key=value, -f value, repeatable keys.

export interface ParsedArgs {
  positional: string[];
  /** Every value given for a key, in order ("--dns a --dns b" → ["a", "b"]); flags map to ["true"]. */
  values: Map<string, string[]>;
}

/** `withValue` lists the options that take a value; any other `--x` is a boolean flag. */
export function parseArgs(argv: string[], withValue: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  const add = (k: string, v: string): void => {
    const list = values.get(k);
    if (list) list.push(v);
    else values.set(k, [v]);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    if (eq > 0) add(key, a.slice(eq + 1));
    else if (withValue.includes(key)) {
      if (i + 1 >= argv.length) throw Object.assign(new Error(`option ${a} needs a value`), { code: 'LW_ERR_USAGE' });
      add(key, argv[++i]);
    } else add(key, 'true');
  }
  return { positional, values };
}

export function last(args: ParsedArgs, key: string): string | undefined {
  const v = args.values.get(key);
  return v ? v[v.length - 1] : undefined;
}

export function has(args: ParsedArgs, key: string): boolean {
  return args.values.has(key);
}
