/**
 * Edit distance (optimal string alignment: substitutions, insertions, deletions and swaps of two
 * neighbouring letters, each one edit) with an upper bound. Used to tell a typo in a joined name
 * ("martinezlopes") from a different name that merely starts the same way ("martinsanchez"),
 * which Jaro-Winkler over a long word does not. Runs on char codes with reused rows.
 */

let before = new Int32Array(32);
let prev = new Int32Array(32);
let cur = new Int32Array(32);

/** Edit distance of `a` and `b`, or `max + 1` as soon as it is known to exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (lb + 1 > cur.length) {
    before = new Int32Array((lb + 1) * 2);
    prev = new Int32Array((lb + 1) * 2);
    cur = new Int32Array((lb + 1) * 2);
  }
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb)
        d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const free = before;
    before = prev;
    prev = cur;
    cur = free;
  }
  return Math.min(prev[lb]!, max + 1);
}
