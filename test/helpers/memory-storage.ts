/** A `Storage` over a Map, as browsers have it; `entries` shows what was written. */
export interface MemoryStorage extends Storage {
  entries: Map<string, string>
}

/** A `localStorage` stand-in for Node, where there is none (install it with `vi.stubGlobal`). */
export function createMemoryStorage(): MemoryStorage {
  const entries = new Map<string, string>()
  return {
    entries,
    get length() {
      return entries.size
    },
    key: (index) => [...entries.keys()][index] ?? null,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, String(value)),
    removeItem: (key) => void entries.delete(key),
    clear: () => entries.clear(),
  }
}
