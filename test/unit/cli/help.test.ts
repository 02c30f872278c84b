// `baton --help` and `baton <command> --help` as a trainer reads them: every option a command's
// usage names is described, every command has an example that runs that command, and the local
// stack's environment variables are named. The help is static (cli/catalogue.ts), so this needs
// no process.
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, overallHelp, type CommandName } from '#cli/catalogue';

const names = Object.keys(COMMANDS) as CommandName[];

describe('help', () => {
  it.each(names)('baton %s --help describes every option its usage names, with an example', (name) => {
    const help = commandHelp(name);
    const info = COMMANDS[name];
    const flags = [...new Set([...info.usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))];
    // Below the usage line: the Arguments and Options sections.
    const described = help.slice(help.indexOf('\n\n'));
    for (const flag of flags) expect(described, `${name}: ${flag}`).toMatch(new RegExp(`^  ${flag}\\b.*\\S\\s{2,}\\S`, 'm'));
    // Every positional the usage names (<dir>, <series-id>, …) is explained too.
    const positionals = [...info.usage.split(/\s+\[|\n/)[0]!.matchAll(/(?<!--[a-z-]+ )<[^>]+>/g)].map((m) => m[0]);
    for (const arg of positionals) expect(described, `${name}: ${arg}`).toMatch(new RegExp(`^  ${arg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}…?\\s{2,}\\S`, 'm'));
    expect(help).toMatch(new RegExp(`^Examples?:\\n  baton ${name}\\b`, 'm'));
  });

  it('names BATON_DATA_DIR and BATON_PORT_OFFSET, with the ports the banner prints', () => {
    for (const help of [overallHelp(), commandHelp('dev'), commandHelp('status')]) {
      expect(help).toMatch(/BATON_DATA_DIR\s+the local stack's data folder/);
      expect(help).toMatch(/BATON_PORT_OFFSET\s+moves every local port \(.*links 8787.*SMTP 2525|SMTP 2525.*links 8787/);
    }
  });
});
