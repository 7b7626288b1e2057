// Record ids minted by the window when a person confirms an action (issue #19: idempotent
// writes end to end). Rust's ids are UUIDv7 (time-ordered); the window mints the same kind, so a
// record's id sorts with the others. A retry of the same confirmed action sends the same id:
// Rust answers with the record already saved instead of recording it twice.

/** A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, variant 10, random bits. */
export function uuidv7(now: number = Date.now(), random?: Uint8Array): string {
  const b = random ?? crypto.getRandomValues(new Uint8Array(10));
  const bytes = new Uint8Array(16);
  let ms = Math.floor(now);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(b.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of a confirmed action: the same while the person confirms the same request again
 * (after an error, a retry); a new one for another request, or once the last one succeeded.
 */
export class ConfirmedId {
  private key: string | null = null;
  private id: string | null = null;

  /** The id to send with `request` (any JSON-serialisable value without the id). */
  for(request: unknown): string {
    const key = JSON.stringify(request);
    if (this.key !== key || this.id === null) {
      this.key = key;
      this.id = uuidv7();
    }
    return this.id;
  }

  /** The record was saved: the next confirmation is a new record. */
  done(): void {
    this.key = null;
    this.id = null;
  }
}
