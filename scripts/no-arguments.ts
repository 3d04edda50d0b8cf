/**
 * For an operator command that takes no arguments: one given (a hoped-for `--dry-run`, a file
 * name) would be ignored and the whole pass run, so the command stops with exit 2, naming it.
 */
export function refuseArguments(command: string, hint = ""): void {
  const [arg] = process.argv.slice(2);
  if (arg === undefined) return;
  console.error(`${command}: ${arg}: takes no arguments${hint}`);
  process.exit(2);
}
