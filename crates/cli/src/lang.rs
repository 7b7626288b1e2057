//! The session's language (`--lang`, French by default): a text said in French or English, the
//! domain's labelled values in its words, and numbers written as each reads them. Every line
//! `sene` prints for people goes through here or carries both languages (`CliError::msg`).
//! Imports no command module.

use std::fmt::Display;

use sene_domain::*;

/// The text in the session's language.
pub fn tr(lang: Lang, fr: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Fr => fr.into(),
        Lang::En => en.into(),
    }
}

/// A labelled value (state, crop, role…) in the session's language.
pub fn word<T: Labelled>(lang: Lang, v: T) -> &'static str {
    match lang {
        Lang::Fr => v.fr(),
        Lang::En => v.en(),
    }
}

/// A weight, percentage or rate as the domain writes it in French (`1 234,5 kg`, `14,5 %`),
/// with a decimal point and no space before `%` in English.
pub fn num(lang: Lang, v: impl Display) -> String {
    let s = v.to_string();
    match lang {
        Lang::Fr => s,
        Lang::En => s
            .replace(',', ".")
            .replace("\u{a0}%", "%")
            .replace(" %", "%"),
    }
}

/// A decimal figure computed in the app (a recovery rate: `92.5`): decimal comma in French.
pub fn decimal(lang: Lang, v: impl Display) -> String {
    let s = v.to_string();
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

/// An amount in words, said in French only (there is no English spelling of it): ` (cent mille
/// francs CFA)` in French, nothing in English.
pub fn in_words(lang: Lang, m: Money) -> String {
    match lang {
        Lang::Fr => format!(
            " ({})",
            sene_domain::words::fcfa_in_words(i128::from(m.francs()))
        ),
        Lang::En => String::new(),
    }
}

/// A campaign's fee model in words.
pub fn fee(lang: Lang, f: FeeModel) -> String {
    match (f, lang) {
        (FeeModel::None, Lang::Fr) => "aucun".into(),
        (FeeModel::None, Lang::En) => "none".into(),
        (FeeModel::Flat { rate }, Lang::Fr) => format!("forfait {rate}"),
        (FeeModel::Flat { rate }, Lang::En) => format!("flat {}", num(lang, rate)),
        (FeeModel::Interest { annual_rate }, Lang::Fr) => format!("intérêt {annual_rate} par an"),
        (FeeModel::Interest { annual_rate }, Lang::En) => {
            format!("interest {} a year", num(lang, annual_rate))
        }
    }
}

/// A crop the app's report names by its French label (« toutes » on the total line), in the
/// session's language.
pub fn crop_said(lang: Lang, fr: &str) -> String {
    match lang {
        Lang::Fr => fr.to_owned(),
        Lang::En => Crop::ALL
            .iter()
            .find(|c| c.label_fr() == fr)
            .map_or(if fr == "toutes" { "all" } else { fr }, |c| c.label_en())
            .to_owned(),
    }
}

/// A contract's advance from its terms: « avance due » once approved (owed), « avance prévue »
/// while it is not (requested, rejected, cancelled: not owed, or not yet). Shown beside the
/// contract's state.
pub fn advance(lang: Lang, due: Money, approved: bool) -> String {
    match (approved, lang) {
        (true, Lang::Fr) => format!("avance due {due}"),
        (true, Lang::En) => format!("advance due {due}"),
        (false, Lang::Fr) => format!("avance prévue {due}"),
        (false, Lang::En) => format!("planned advance {due}"),
    }
}

/// The labelled enums of the domain, read by code, French or English label, accents and case
/// ignored.
pub trait Labelled: Copy + 'static {
    /// Every value.
    fn all() -> &'static [Self];
    /// The stable code.
    fn code(self) -> &'static str;
    /// French label.
    fn fr(self) -> &'static str;
    /// English label.
    fn en(self) -> &'static str;
    /// Extra spellings accepted (folded), with their value.
    fn aliases() -> &'static [(&'static str, Self)] {
        &[]
    }
}

macro_rules! labelled {
    ($($t:ty),*) => {$(
        impl Labelled for $t {
            fn all() -> &'static [Self] { <$t>::ALL }
            fn code(self) -> &'static str { <$t>::code(self) }
            fn fr(self) -> &'static str { self.label_fr() }
            fn en(self) -> &'static str { self.label_en() }
        }
    )*};
}

labelled!(
    Crop,
    CropFamily,
    Role,
    PayMode,
    LenderKind,
    RecordKind,
    ContractState,
    MemberStatus,
    RegistryAction
);

impl Labelled for Sex {
    fn all() -> &'static [Self] {
        Sex::ALL
    }
    fn code(self) -> &'static str {
        Sex::code(self)
    }
    fn fr(self) -> &'static str {
        self.label_fr()
    }
    fn en(self) -> &'static str {
        self.label_en()
    }
    fn aliases() -> &'static [(&'static str, Self)] {
        &[
            ("h", Sex::Male),
            ("homme", Sex::Male),
            ("male", Sex::Male),
            ("female", Sex::Female),
        ]
    }
}
