/** Id of the start of a stream, before its first entry. */
export const STREAM_START = '0-0'

// Written as Redis writes entry ids: no sign, no leading zeros, both parts at most 2^64 - 1.
const ENTRY_ID = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/
const MAX_PART = BigInt('18446744073709551615')

/** Whether `id` is a stream entry id exactly as Redis writes one. */
export function isEntryId(id: string): boolean {
  const match = ENTRY_ID.exec(id)
  return match !== null && BigInt(match[1]) <= MAX_PART && BigInt(match[2]) <= MAX_PART
}

function compareParts(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

/** Orders two entry ids as the stream does: negative when `a` comes first. */
export function compareIds(a: string, b: string): number {
  const dashA = a.indexOf('-')
  const dashB = b.indexOf('-')
  return compareParts(a.slice(0, dashA), b.slice(0, dashB)) || compareParts(a.slice(dashA + 1), b.slice(dashB + 1))
}
