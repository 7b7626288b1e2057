//! The domain's typed errors, each with a message a person can act on, in French (the default,
//! used by `Display`) and in English.

use serde::{Deserialize, Serialize};

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Français (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "français" | "francais" => Ok(Lang::Fr),
            "en" | "english" | "anglais" => Ok(Lang::En),
            other => Err(format!("langue inconnue « {other} » (fr, en)")),
        }
    }
}

/// Every way a value or a rule of the domain can be broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// Text that is not a number.
    #[error("« {value} » n'est pas un nombre")]
    NotANumber { value: String },
    /// An amount with a fraction of a franc.
    #[error("{value} : le franc CFA n'a pas de centimes, saisissez un montant entier")]
    FractionalFranc { value: String },
    /// A weight or percentage with too many decimals.
    #[error("{value} : une seule décimale est permise")]
    TooPrecise { value: String },
    /// A computation beyond the representable range.
    #[error("montant ou poids hors limites (dépassement de capacité)")]
    Overflow,
    /// A value outside its allowed range.
    #[error("{field} : {value} est hors de la plage permise ({min} à {max})")]
    OutOfRange {
        field: &'static str,
        value: String,
        min: String,
        max: String,
    },
    /// Required text that is empty.
    #[error("{field} : ce champ est obligatoire")]
    EmptyText { field: &'static str },
    /// Text longer than allowed.
    #[error("{field} : {max} caractères au plus")]
    TextTooLong { field: &'static str, max: usize },
    /// Text with control characters (tabs, line breaks, escapes).
    #[error("{field} : caractères de contrôle interdits (retour à la ligne, tabulation…)")]
    ControlCharacter { field: &'static str },
    /// A phone number that is not a Malian number.
    #[error("téléphone « {value} » invalide : attendu +223 suivi de 8 chiffres")]
    InvalidPhone { value: String },
    /// A national identity number (NINA) of the wrong shape.
    #[error("NINA « {value} » invalide : 8 à 20 lettres ou chiffres")]
    InvalidNina { value: String },
    /// A code (cooperative code, member number, receipt prefix) of the wrong shape.
    #[error("{field} « {value} » invalide : lettres majuscules, chiffres et tirets, {max} caractères au plus")]
    InvalidCode {
        field: &'static str,
        value: String,
        max: usize,
    },
    /// A date outside the window the campaign allows.
    #[error("{field} : le {date} est hors de la période de la campagne ({start} au {end})")]
    DateOutsideWindow {
        field: &'static str,
        date: String,
        start: String,
        end: String,
    },
    /// A window whose end comes before its start.
    #[error("période invalide : la fin ({end}) précède le début ({start})")]
    WindowInverted { start: String, end: String },
    /// A contract state change that the life cycle does not allow.
    #[error("contrat « {from} » : passage à « {to} » impossible")]
    TransitionNotAllowed { from: String, to: String },
    /// A disbursement on a contract that is not approved.
    #[error("avance refusée : le contrat est « {state} », il doit être approuvé")]
    ContractNotApproved { state: String },
    /// A disbursement beyond what the contract allows.
    #[error("avance refusée : {requested} demandés, mais l'avance due est de {due} dont {already} déjà versés")]
    AboveAdvanceDue {
        due: String,
        already: String,
        requested: String,
    },
    /// A delivery whose tare is at least its gross weight.
    #[error("poids net nul ou négatif : brut {gross}, tare des sacs {tare}")]
    NetNotPositive { gross: String, tare: String },
    /// A crop that the campaign does not price.
    #[error("la culture « {crop} » n'a pas de prix dans cette campagne")]
    CropNotInCampaign { crop: String },
    /// Cash paid for fertilizer above its cost.
    #[error("paiement comptant ({paid}) supérieur au coût des sacs ({cost})")]
    CashAboveCost { paid: String, cost: String },
    /// Sale-lot sources that do not add up.
    #[error("un lot de vente doit prendre du stock dans au moins un magasin")]
    EmptyLot,
}

impl DomainError {
    /// The message in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.to_string(),
            Lang::En => self.message_en(),
        }
    }

    fn message_en(&self) -> String {
        use DomainError as E;
        match self {
            E::NotANumber { value } => format!("\"{value}\" is not a number"),
            E::FractionalFranc { value } => {
                format!("{value}: the CFA franc has no cents, enter a whole amount")
            }
            E::TooPrecise { value } => format!("{value}: only one decimal is allowed"),
            E::Overflow => "amount or weight out of bounds (overflow)".into(),
            E::OutOfRange {
                field,
                value,
                min,
                max,
            } => format!("{field}: {value} is outside the allowed range ({min} to {max})"),
            E::EmptyText { field } => format!("{field}: this field is required"),
            E::TextTooLong { field, max } => format!("{field}: at most {max} characters"),
            E::ControlCharacter { field } => {
                format!("{field}: control characters (line breaks, tabs…) are not allowed")
            }
            E::InvalidPhone { value } => {
                format!("invalid phone \"{value}\": expected +223 followed by 8 digits")
            }
            E::InvalidNina { value } => {
                format!("invalid NINA \"{value}\": 8 to 20 letters or digits")
            }
            E::InvalidCode { field, value, max } => format!(
                "invalid {field} \"{value}\": capital letters, digits and dashes, at most {max} characters"
            ),
            E::DateOutsideWindow {
                field,
                date,
                start,
                end,
            } => format!("{field}: {date} is outside the campaign period ({start} to {end})"),
            E::WindowInverted { start, end } => {
                format!("invalid period: the end ({end}) is before the start ({start})")
            }
            E::TransitionNotAllowed { from, to } => {
                format!("contract \"{from}\": cannot move to \"{to}\"")
            }
            E::ContractNotApproved { state } => {
                format!("advance refused: the contract is \"{state}\", it must be approved")
            }
            E::AboveAdvanceDue {
                due,
                already,
                requested,
            } => format!(
                "advance refused: {requested} requested, but the advance due is {due} of which {already} already paid"
            ),
            E::NetNotPositive { gross, tare } => {
                format!("net weight zero or negative: gross {gross}, bag tare {tare}")
            }
            E::CropNotInCampaign { crop } => {
                format!("the crop \"{crop}\" has no price in this campaign")
            }
            E::CashAboveCost { paid, cost } => {
                format!("cash paid ({paid}) above the cost of the bags ({cost})")
            }
            E::EmptyLot => "a sale lot must take stock from at least one warehouse".into(),
        }
    }
}
