//! French-language number formatting for receipts and reports.
//!
//! Everything here is pure, allocation-light `std` code with no floating
//! point: amounts are FCFA (XOF, no minor unit) held as integers, weights are
//! integer tenths of a kilogram.
//!
//! * [`group_thousands`], [`format_fcfa`] and [`format_kg_tenths`] produce the
//!   French digit presentation (groups of three separated by a NO-BREAK SPACE
//!   U+00A0, comma as decimal separator).
//! * [`number_in_french_words`] and [`fcfa_in_words`] write amounts out in
//!   full, as required on French-language West African receipts, using the
//!   traditional spelling (the 1990 reform is *not* applied: hyphens only
//!   between tens and units below one hundred).

/// NO-BREAK SPACE (U+00A0), used between digit groups and before units.
const NBSP: char = '\u{a0}';

/// Groups the decimal digits of an unsigned value by three, separated by
/// [`NBSP`].
fn group_thousands_u128(n: u128) -> String {
    let digits = n.to_string();
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3 * NBSP.len_utf8());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(NBSP);
        }
        out.push(c);
    }
    out
}

/// Formats an integer with French digit grouping.
///
/// Groups of three digits are separated by a NO-BREAK SPACE (U+00A0);
/// negative numbers get a leading HYPHEN-MINUS (`-`, U+002D).
///
/// Examples (with `⍽` standing for U+00A0):
/// `200000` → `200⍽000`, `1234567` → `1⍽234⍽567`, `999` → `999`,
/// `0` → `0`, `-1500` → `-1⍽500`.
#[must_use]
pub fn group_thousands(n: i128) -> String {
    let grouped = group_thousands_u128(n.unsigned_abs());
    if n < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Formats an amount in francs CFA with French digit grouping, followed by a
/// NO-BREAK SPACE and `FCFA`.
///
/// Example (with `⍽` standing for U+00A0): `200000` → `200⍽000⍽FCFA`.
#[must_use]
pub fn format_fcfa(francs: i128) -> String {
    format!("{}{NBSP}FCFA", group_thousands(francs))
}

/// Formats a weight given in tenths of a kilogram, French style: digit
/// grouping by U+00A0, a comma as decimal separator, always exactly one
/// decimal, then U+00A0 and `kg`.
///
/// Examples (with `⍽` standing for U+00A0): `12345` → `1⍽234,5⍽kg`,
/// `10` → `1,0⍽kg`, `0` → `0,0⍽kg`, `-25` → `-2,5⍽kg`.
#[must_use]
pub fn format_kg_tenths(tenths: i64) -> String {
    let abs = tenths.unsigned_abs();
    let whole = group_thousands_u128(u128::from(abs / 10));
    let frac = abs % 10;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{whole},{frac}{NBSP}kg")
}

/// Words for 0..=19 (index 0 is unused by the composition helpers).
const UNITS: [&str; 20] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
];

/// Words for the tens 20..=60 (index = tens digit); other indices unused.
const TENS: [&str; 7] = [
    "",
    "",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

/// Scale names for groups of three digits above the thousands, indexed by
/// group position (2 = 10^6, … 6 = 10^18), French long scale.
const SCALES: [&str; 7] = [
    "", "", "million", "milliard", "billion", "billiard", "trillion",
];

/// Writes `n` (1..=99) in words.
///
/// `is_final` tells whether nothing follows that would block the plural of
/// `quatre-vingts` (i.e. it is false only when `mille` follows).
fn below_hundred(n: u64, is_final: bool) -> String {
    let n = usize::try_from(n % 100).unwrap_or(0);
    if n < 20 {
        return UNITS[n].to_owned();
    }
    let tens = n / 10;
    let units = n % 10;
    match tens {
        2..=6 => match units {
            0 => TENS[tens].to_owned(),
            1 => format!("{} et un", TENS[tens]),
            _ => format!("{}-{}", TENS[tens], UNITS[units]),
        },
        7 => {
            if units == 1 {
                "soixante et onze".to_owned()
            } else {
                format!("soixante-{}", UNITS[10 + units])
            }
        }
        8 => {
            if units == 0 {
                if is_final {
                    "quatre-vingts".to_owned()
                } else {
                    "quatre-vingt".to_owned()
                }
            } else {
                format!("quatre-vingt-{}", UNITS[units])
            }
        }
        _ => format!("quatre-vingt-{}", UNITS[10 + units]),
    }
}

/// Writes `n` (1..=999) in words.
///
/// `is_final` is false only when the group is followed by the invariable
/// `mille`, which blocks the plural of `cents` and `quatre-vingts`.
fn below_thousand(n: u64, is_final: bool) -> String {
    let n = n % 1000;
    let hundreds = n / 100;
    let rest = n % 100;
    let rest_words = if rest == 0 {
        None
    } else {
        Some(below_hundred(rest, is_final))
    };
    match (hundreds, rest_words) {
        (0, Some(r)) => r,
        (0, None) => String::new(),
        (1, Some(r)) => format!("cent {r}"),
        (1, None) => "cent".to_owned(),
        (h, Some(r)) => format!("{} cent {r}", UNITS[digit_index(h)]),
        (h, None) => {
            let plural = if is_final { "s" } else { "" };
            format!("{} cent{plural}", UNITS[digit_index(h)])
        }
    }
}

/// Converts a single decimal digit to a table index.
fn digit_index(d: u64) -> usize {
    usize::try_from(d % 10).unwrap_or(0)
}

/// Writes a non-negative integer as a French cardinal number in words.
///
/// Traditional spelling (1990 reform not applied), as used on
/// French-language West African receipts:
///
/// * hyphens only between tens and units below 100 (`vingt-deux`,
///   `soixante-dix-sept`, `quatre-vingt-dix-neuf`);
/// * `et` for 21, 31, 41, 51, 61, 71 (`vingt et un`, `soixante et onze`);
/// * `quatre-vingts` takes an *s* only when final (`quatre-vingts`,
///   `quatre-vingt-un`, `quatre-vingt mille`);
/// * `cent` takes an *s* when multiplied and final (`deux cents`,
///   `deux cent un`, `deux cent mille`);
/// * `mille` is invariable and never preceded by `un`;
/// * `million`, `milliard`, `billion`, `billiard`, `trillion` (French long
///   scale) are nouns and take an *s* when plural (`deux cents millions`);
/// * `0` is `zéro`.
///
/// The whole `u64` range is supported.
#[must_use]
pub fn number_in_french_words(n: u64) -> String {
    if n == 0 {
        return UNITS[0].to_owned();
    }
    // Split into groups of three digits, least significant first.
    let mut groups = [0_u64; 7];
    let mut rest = n;
    for g in &mut groups {
        *g = rest % 1000;
        rest /= 1000;
    }
    let mut parts: Vec<String> = Vec::new();
    for (pos, &g) in groups.iter().enumerate().rev() {
        if g == 0 {
            continue;
        }
        match pos {
            0 => parts.push(below_thousand(g, true)),
            1 => {
                if g == 1 {
                    parts.push("mille".to_owned());
                } else {
                    parts.push(format!("{} mille", below_thousand(g, false)));
                }
            }
            _ => {
                let plural = if g > 1 { "s" } else { "" };
                parts.push(format!(
                    "{} {}{plural}",
                    below_thousand(g, true),
                    SCALES[pos]
                ));
            }
        }
    }
    parts.join(" ")
}

/// Writes an amount of francs CFA in words, for receipts.
///
/// * `200000` → `deux cent mille francs CFA`
/// * `1` → `un franc CFA`, `0` → `zéro franc CFA`
/// * `1000000` → `un million de francs CFA` (the preposition `de` is
///   inserted when the words end with `million(s)`, `milliard(s)`, …)
/// * negative amounts are prefixed with `moins `
/// * amounts whose absolute value exceeds `u64::MAX` are written with
///   grouped digits instead of words (e.g. `moins 340⍽282⍽…⍽728 francs CFA`,
///   with `⍽` standing for U+00A0).
#[must_use]
pub fn fcfa_in_words(francs: i128) -> String {
    let sign = if francs < 0 { "moins " } else { "" };
    let abs = francs.unsigned_abs();
    match u64::try_from(abs) {
        Ok(value) => {
            let words = number_in_french_words(value);
            let unit = if value <= 1 { "franc" } else { "francs" };
            let de = if value != 0 && value % 1_000_000 == 0 {
                "de "
            } else {
                ""
            };
            format!("{sign}{words} {de}{unit} CFA")
        }
        Err(_) => format!("{sign}{} francs CFA", group_thousands_u128(abs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        assert_eq!(group_thousands(200_000), "200\u{a0}000");
        assert_eq!(group_thousands(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1\u{a0}000");
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(-1500), "-1\u{a0}500");
        assert_eq!(group_thousands(-999), "-999");
        assert_eq!(
            group_thousands(i128::MIN),
            "-170\u{a0}141\u{a0}183\u{a0}460\u{a0}469\u{a0}231\u{a0}731\u{a0}687\u{a0}303\u{a0}715\u{a0}884\u{a0}105\u{a0}728"
        );
    }

    #[test]
    fn fcfa_digits() {
        assert_eq!(format_fcfa(200_000), "200\u{a0}000\u{a0}FCFA");
        assert_eq!(format_fcfa(0), "0\u{a0}FCFA");
        assert_eq!(format_fcfa(-50), "-50\u{a0}FCFA");
    }

    #[test]
    fn kg_tenths() {
        assert_eq!(format_kg_tenths(12_345), "1\u{a0}234,5\u{a0}kg");
        assert_eq!(format_kg_tenths(10), "1,0\u{a0}kg");
        assert_eq!(format_kg_tenths(0), "0,0\u{a0}kg");
        assert_eq!(format_kg_tenths(-25), "-2,5\u{a0}kg");
        assert_eq!(format_kg_tenths(-5), "-0,5\u{a0}kg");
        assert_eq!(
            format_kg_tenths(i64::MIN),
            "-922\u{a0}337\u{a0}203\u{a0}685\u{a0}477\u{a0}580,8\u{a0}kg"
        );
    }

    #[test]
    fn words_required_examples() {
        let cases: &[(u64, &str)] = &[
            (0, "zéro"),
            (1, "un"),
            (16, "seize"),
            (17, "dix-sept"),
            (21, "vingt et un"),
            (70, "soixante-dix"),
            (71, "soixante et onze"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (91, "quatre-vingt-onze"),
            (100, "cent"),
            (101, "cent un"),
            (200, "deux cents"),
            (201, "deux cent un"),
            (1000, "mille"),
            (1001, "mille un"),
            (2000, "deux mille"),
            (80_000, "quatre-vingt mille"),
            (200_000, "deux cent mille"),
            (1_000_000, "un million"),
            (2_500_000, "deux millions cinq cent mille"),
            (1_000_000_000, "un milliard"),
            (
                123_456_789,
                "cent vingt-trois millions quatre cent cinquante-six mille sept cent quatre-vingt-neuf",
            ),
        ];
        for &(n, expected) in cases {
            assert_eq!(number_in_french_words(n), expected, "n = {n}");
        }
    }

    #[test]
    fn words_more_cases() {
        let cases: &[(u64, &str)] = &[
            (10, "dix"),
            (11, "onze"),
            (19, "dix-neuf"),
            (20, "vingt"),
            (22, "vingt-deux"),
            (31, "trente et un"),
            (41, "quarante et un"),
            (51, "cinquante et un"),
            (61, "soixante et un"),
            (72, "soixante-douze"),
            (77, "soixante-dix-sept"),
            (90, "quatre-vingt-dix"),
            (99, "quatre-vingt-dix-neuf"),
            (180, "cent quatre-vingts"),
            (280, "deux cent quatre-vingts"),
            (300, "trois cents"),
            (999, "neuf cent quatre-vingt-dix-neuf"),
            (1100, "mille cent"),
            (1200, "mille deux cents"),
            (21_000, "vingt et un mille"),
            (81_000, "quatre-vingt-un mille"),
            (100_000, "cent mille"),
            (180_000, "cent quatre-vingt mille"),
            (200_200, "deux cent mille deux cents"),
            (1_001_000, "un million mille"),
            (80_000_000, "quatre-vingts millions"),
            (200_000_000, "deux cents millions"),
            (201_000_000, "deux cent un millions"),
            (2_000_000_000, "deux milliards"),
            (1_000_000_000_000, "un billion"),
            (1_000_000_000_000_000, "un billiard"),
            (1_000_000_000_000_000_000, "un trillion"),
            (2_000_000_000_000_000_000, "deux trillions"),
        ];
        for &(n, expected) in cases {
            assert_eq!(number_in_french_words(n), expected, "n = {n}");
        }
    }

    #[test]
    fn words_u64_max() {
        assert_eq!(
            number_in_french_words(u64::MAX),
            "dix-huit trillions quatre cent quarante-six billiards \
             sept cent quarante-quatre billions soixante-treize milliards \
             sept cent neuf millions cinq cent cinquante et un mille six cent quinze"
        );
    }

    #[test]
    fn fcfa_words() {
        assert_eq!(fcfa_in_words(200_000), "deux cent mille francs CFA");
        assert_eq!(fcfa_in_words(1), "un franc CFA");
        assert_eq!(fcfa_in_words(0), "zéro franc CFA");
        assert_eq!(fcfa_in_words(2), "deux francs CFA");
        assert_eq!(fcfa_in_words(-1), "moins un franc CFA");
        assert_eq!(
            fcfa_in_words(-2500),
            "moins deux mille cinq cents francs CFA"
        );
        assert_eq!(fcfa_in_words(1_000_000), "un million de francs CFA");
        assert_eq!(fcfa_in_words(2_000_000), "deux millions de francs CFA");
        assert_eq!(fcfa_in_words(1_000_000_000), "un milliard de francs CFA");
        assert_eq!(
            fcfa_in_words(3_000_000_000_000),
            "trois billions de francs CFA"
        );
        assert_eq!(
            fcfa_in_words(2_500_000),
            "deux millions cinq cent mille francs CFA"
        );
        assert_eq!(fcfa_in_words(1_000_001), "un million un francs CFA");
    }

    #[test]
    fn fcfa_words_beyond_u64() {
        let big = i128::from(u64::MAX) + 1;
        assert_eq!(
            fcfa_in_words(big),
            "18\u{a0}446\u{a0}744\u{a0}073\u{a0}709\u{a0}551\u{a0}616 francs CFA"
        );
        assert_eq!(
            fcfa_in_words(-big),
            "moins 18\u{a0}446\u{a0}744\u{a0}073\u{a0}709\u{a0}551\u{a0}616 francs CFA"
        );
        assert!(fcfa_in_words(i128::MIN).starts_with("moins 170\u{a0}141"));
        assert!(fcfa_in_words(i128::MAX).ends_with("727 francs CFA"));
        assert_eq!(
            fcfa_in_words(i128::from(u64::MAX)),
            format!("{} francs CFA", number_in_french_words(u64::MAX))
        );
    }

    fn assert_well_formed(n: u64) {
        let w = number_in_french_words(n);
        assert!(!w.is_empty(), "empty for {n}");
        assert!(!w.contains("  "), "double space for {n}: {w:?}");
        assert!(
            !w.starts_with(' ') && !w.ends_with(' '),
            "edge space for {n}: {w:?}"
        );
        assert!(
            !w.starts_with('-') && !w.ends_with('-'),
            "edge hyphen for {n}: {w:?}"
        );
        assert!(
            !w.contains("--") && !w.contains(" -") && !w.contains("- "),
            "bad hyphen for {n}: {w:?}"
        );
        assert!(
            w.chars()
                .all(|c| c.is_ascii_lowercase() || c == 'é' || c == '-' || c == ' '),
            "unexpected character for {n}: {w:?}"
        );
        if n != 0 {
            assert!(!w.contains("zéro"), "zéro inside {n}: {w:?}");
        }
        if (n / 1000) % 1000 == 1 {
            assert!(!w.contains("un mille"), "un mille for {n}: {w:?}");
        }
    }

    #[test]
    fn property_well_formed() {
        for n in 0..=100_000_u64 {
            assert_well_formed(n);
        }
        let large: &[u64] = &[
            999_999,
            1_000_000,
            1_000_001,
            80_080_080,
            200_200_200,
            999_999_999,
            1_000_000_000,
            1_234_567_890_123,
            999_999_999_999_999,
            1_000_000_000_000_000_000,
            10_000_000_000_000_000_000,
            u64::MAX - 1,
            u64::MAX,
        ];
        for &n in large {
            assert_well_formed(n);
        }
        // A deterministic spread over the whole range (simple LCG).
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            assert_well_formed(x);
            assert_well_formed(x >> 20);
        }
    }
}
