/**
 * Fault injection, not state: the database refuses a write the way a crash or a killed process
 * would leave it, so a scenario can follow what the next run or a person does about it.
 */
import { sql } from "drizzle-orm";
import type { World } from "./world";

/**
 * The database refuses the write of any re-screening run after the first `done`, so a
 * re-screening stops there (each case's runs commit alone). Undo with `restoreRescreening`.
 */
export async function cutRescreeningAfter(w: World, done: number): Promise<void> {
  await w.db.db.execute(
    sql.raw(`create or replace function test_cut_rescreen() returns trigger language plpgsql as $$
      begin
        if (select count(*) from check_runs where reason = 'rescreen') >= ${done} then
          raise exception 'injected cut: the process stops here';
        end if;
        return new;
      end $$`),
  );
  await w.db.db.execute(
    sql.raw(`create trigger test_cut_rescreen before insert on check_runs
      for each row when (new.reason = 'rescreen') execute function test_cut_rescreen()`),
  );
}

export async function restoreRescreening(w: World): Promise<void> {
  await w.db.db.execute(sql.raw(`drop trigger test_cut_rescreen on check_runs`));
}
