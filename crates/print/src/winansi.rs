//! WinAnsiEncoding (PDF 1.4, annex D): the one-byte encoding the standard Type 1 fonts are
//! used with here, so that French text (é è à ç ô û É Œ « » …) shows with no embedded font.
//!
//! Bytes 0x20–0x7E are ASCII, 0xA0–0xFF are Latin-1, 0x80–0x9F hold the Windows-1252 extras
//! (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ). Byte 0xA0 is the no-break space,
//! drawn as a space.

/// The characters of bytes 0x80–0x9F (`None`: unused code).
const HIGH: [Option<char>; 32] = [
    Some('\u{20ac}'), // 0x80 €
    None,             // 0x81
    Some('\u{201a}'), // 0x82 ‚
    Some('\u{0192}'), // 0x83 ƒ
    Some('\u{201e}'), // 0x84 „
    Some('\u{2026}'), // 0x85 …
    Some('\u{2020}'), // 0x86 †
    Some('\u{2021}'), // 0x87 ‡
    Some('\u{02c6}'), // 0x88 ˆ
    Some('\u{2030}'), // 0x89 ‰
    Some('\u{0160}'), // 0x8A Š
    Some('\u{2039}'), // 0x8B ‹
    Some('\u{0152}'), // 0x8C Œ
    None,             // 0x8D
    Some('\u{017d}'), // 0x8E Ž
    None,             // 0x8F
    None,             // 0x90
    Some('\u{2018}'), // 0x91 ‘
    Some('\u{2019}'), // 0x92 ’
    Some('\u{201c}'), // 0x93 “
    Some('\u{201d}'), // 0x94 ”
    Some('\u{2022}'), // 0x95 •
    Some('\u{2013}'), // 0x96 –
    Some('\u{2014}'), // 0x97 —
    Some('\u{02dc}'), // 0x98 ˜
    Some('\u{2122}'), // 0x99 ™
    Some('\u{0161}'), // 0x9A š
    Some('\u{203a}'), // 0x9B ›
    Some('\u{0153}'), // 0x9C œ
    None,             // 0x9D
    Some('\u{017e}'), // 0x9E ž
    Some('\u{0178}'), // 0x9F Ÿ
];

/// The byte of a character, when WinAnsiEncoding has it.
#[must_use]
pub fn byte_of(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7e | 0xa0..=0xff => u8::try_from(code).ok(),
        _ => HIGH
            .iter()
            .position(|h| *h == Some(c))
            .and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

/// Encodes text for a string shown with a WinAnsi font.
///
/// Characters the encoding lacks are replaced: the narrow and figure no-break spaces by the
/// no-break space, other spaces and control characters (tab, line breaks) by a space, the
/// non-breaking hyphen and the minus sign by `-`, the Bambara letters ɛ ɔ ɲ ŋ by è ò ny ng
/// (and their capitals), anything else by `?`.
#[must_use]
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if let Some(b) = byte_of(c) {
            out.push(b);
            continue;
        }
        match c {
            '\u{202f}' | '\u{2007}' => out.push(0xa0),
            '\u{2000}'..='\u{200a}' | '\u{205f}' | '\u{3000}' => out.push(b' '),
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            '\u{2010}' | '\u{2011}' | '\u{2212}' => out.push(b'-'),
            '\u{025b}' => out.push(0xe8), // ɛ -> è
            '\u{0190}' => out.push(0xc8), // Ɛ -> È
            '\u{0254}' => out.push(0xf2), // ɔ -> ò
            '\u{0186}' => out.push(0xd2), // Ɔ -> Ò
            '\u{0272}' => out.extend_from_slice(b"ny"),
            '\u{019d}' => out.extend_from_slice(b"Ny"),
            '\u{014b}' => out.extend_from_slice(b"ng"),
            '\u{014a}' => out.extend_from_slice(b"Ng"),
            c if c.is_control() || c.is_whitespace() => out.push(b' '),
            _ => out.push(b'?'),
        }
    }
    out
}

/// The character of a WinAnsi byte (unused codes and controls give U+FFFD).
#[must_use]
pub fn char_of(b: u8) -> char {
    match b {
        0x20..=0x7e | 0xa0..=0xff => char::from(b),
        0x80..=0x9f => HIGH[usize::from(b - 0x80)].unwrap_or('\u{fffd}'),
        _ => '\u{fffd}',
    }
}

/// Decodes WinAnsi bytes.
#[must_use]
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char_of(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_round_trips() {
        let s = "Reçu de décaissement d'avance : élève à l'école, où ça ? Côte d'Ivoire, \
                 Ségou, ÉTÉ, Œuvre, cœur, « guillemets », 200\u{a0}000\u{a0}FCFA, 5 €, l’été…";
        assert_eq!(decode(&encode(s)), s);
        for b in 0x20..=0xff_u8 {
            let c = char_of(b);
            if c != '\u{fffd}' {
                assert_eq!(byte_of(c), Some(b), "{b:#x}");
            }
        }
    }

    #[test]
    fn replacements() {
        assert_eq!(decode(&encode("1\u{202f}234")), "1\u{a0}234");
        assert_eq!(decode(&encode("a\tb\nc")), "a b c");
        assert_eq!(decode(&encode("−5")), "-5");
        assert_eq!(decode(&encode("ɲɛ Ŋɔ")), "nyè Ngò");
        assert_eq!(decode(&encode("中")), "?");
        assert_eq!(encode("é"), vec![0xe9]);
        assert_eq!(encode("€"), vec![0x80]);
    }
}
