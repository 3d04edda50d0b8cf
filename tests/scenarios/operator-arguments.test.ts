/**
 * An operator adds an argument to a command that takes none (hoping for `--dry-run`): the command
 * stops naming it, exit 2, before doing its whole pass. (lists:import, lists:remove, audit:verify
 * and the worker check their own arguments in their scenarios.)
 */
import "./support/request-scope";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: an operator gives a command an argument it does not take", () => {
  it.each([
    ["db:migrate", "scripts/db-migrate.ts", /schema at/],
    ["keys:rotate", "scripts/keys-rotate.ts", /re-wrapped/],
    ["documents:seal", "scripts/documents-seal.ts", /sealed/],
  ])(
    "%s stops, naming it, and does nothing",
    async (name, script, didItsPass) => {
      const w = world();
      const run = await w.runCommand(script, ["--dry-run"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${name}: --dry-run: takes no arguments`);
      expect(run.stdout).not.toMatch(didItsPass);
      // Without the argument the same command does its pass.
      const plain = await w.runCommand(script);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toMatch(didItsPass);
    },
    120_000,
  );
});
