// What a card or ticket reader types. A reader is an ordinary keyboard: it types the QR
// code's text into whatever field has the focus, fast, then Enter. Rust reads the text
// (`read_scan`: one place for the payloads and their checks); this only tells a scan from a
// name typed in the same field, so the field does not search for « SENE1:… » as a name.

/** Whether `text` is a Sene code (a member card `SENE1:…`, a ticket `SENE2:…`), as typed by a
 *  reader set for this keyboard, with the caps lock on, or set for QWERTY on an AZERTY
 *  keyboard (`SENE&M…`). */
export function looksLikeCode(text: string): boolean {
  return /^\s*sene[0-9&é"'(\-è_çà]/i.test(text);
}
