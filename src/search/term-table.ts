/**
 * Term → id lookup for the keyword index: an open-addressing hash table over
 * one Int32Array, built from the stored term list. It answers as a
 * `Map<string, number>` built from the same list would, but building it is a
 * hash of each term and one array write, where a Map of 700k terms (a
 * million passages) took a second of the load: most of it the Map growing.
 *
 * @example
 * const ids = new TermTable(['rubio', 'riyadh']);
 * ids.get('riyadh'); // 1
 * ids.get('moscow'); // undefined
 * ids.has('rubio');   // true
 */
export class TermTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** `terms[id]` is the term with that id; of two equal terms, the later one's id is found (as a Map's `set` would keep). */
  constructor(private readonly terms: readonly string[]) {
    // At most half full, so a probe ends after a slot or two.
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, terms.length * 2)));
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let id = 0; id < terms.length; id++) this.slots[this.slotOf(terms[id]!)] = id;
  }

  /** The id of `term`, or undefined when it is not in the list. */
  get(term: string): number | undefined {
    const id = this.slots[this.slotOf(term)]!;
    return id < 0 ? undefined : id;
  }

  /** True when `term` is in the list. */
  has(term: string): boolean {
    return this.get(term) !== undefined;
  }

  /** The slot holding `term`, or the empty slot where it would go. */
  private slotOf(term: string): number {
    let slot = hashOf(term) & this.mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0 || this.terms[id] === term) return slot;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
