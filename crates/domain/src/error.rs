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
    /// A delivery read from the scale with no capture.
    #[error("aucune pesée capturée : capturez le poids sur la balance, ou saisissez-le à la main avec un motif")]
    NoCapture,
    /// More captures than one delivery may sum.
    #[error("trop de pesées pour une livraison ({max} au plus) : enregistrez une autre livraison")]
    TooManyCaptures { max: usize },
    /// A capture the scale did not hold stable.
    #[error("pesée de {kg} kg instable refusée : attendez que le poids se stabilise")]
    CaptureNotStable { kg: String },
    /// A gross weight that is not the sum of the captures.
    #[error("le poids brut {gross} n'est pas la somme des pesées capturées ({captured})")]
    GrossNotCaptured { gross: String, captured: String },
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
        // the French label the rule wrote, in English
        let field = match self {
            E::OutOfRange { field, .. }
            | E::EmptyText { field }
            | E::TextTooLong { field, .. }
            | E::ControlCharacter { field }
            | E::InvalidCode { field, .. }
            | E::DateOutsideWindow { field, .. } => label_en(field),
            _ => "",
        };
        match self {
            E::NotANumber { value } => format!("\"{value}\" is not a number"),
            E::FractionalFranc { value } => {
                format!("{value}: the CFA franc has no cents, enter a whole amount")
            }
            E::TooPrecise { value } => format!("{value}: only one decimal is allowed"),
            E::Overflow => "amount or weight out of bounds (overflow)".into(),
            E::OutOfRange {
                field: _,
                value,
                min,
                max,
            } => format!("{field}: {value} is outside the allowed range ({min} to {max})"),
            E::EmptyText { .. } => format!("{field}: this field is required"),
            E::TextTooLong { max, .. } => format!("{field}: at most {max} characters"),
            E::ControlCharacter { .. } => {
                format!("{field}: control characters (line breaks, tabs…) are not allowed")
            }
            E::InvalidPhone { value } => {
                format!("invalid phone \"{value}\": expected +223 followed by 8 digits")
            }
            E::InvalidNina { value } => {
                format!("invalid NINA \"{value}\": 8 to 20 letters or digits")
            }
            E::InvalidCode { value, max, .. } => format!(
                "invalid {field} \"{value}\": capital letters, digits and dashes, at most {max} characters"
            ),
            E::DateOutsideWindow {
                field: _,
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
            E::NoCapture => "no weight captured: capture the weight on the scale, or type it by hand with a reason".into(),
            E::TooManyCaptures { max } => {
                format!("too many weighings for one delivery (at most {max}): record another delivery")
            }
            E::CaptureNotStable { kg } => {
                format!("unstable weighing of {kg} kg refused: wait until the weight settles")
            }
            E::GrossNotCaptured { gross, captured } => {
                format!("the gross weight {gross} is not the sum of the captured weighings ({captured})")
            }
        }
    }
}

/// The English of a French label that an error message names (a field, a record's kind, what
/// ran out): the labels are written in French where the rule is, and every message said in
/// English passes its labels through here. A label missing here would stay French in the
/// English window: `sene-api`'s test `every_label_named_in_an_error_has_its_english` finds
/// every label written in the sources and fails for one without its English.
#[must_use]
pub fn label_en(fr: &str) -> &str {
    match fr {
        // money, weights, prices
        "montant" => "amount",
        "montant de l'avance" => "advance amount",
        "montant du tirage" => "drawdown amount",
        "montant payé" => "amount paid",
        "montant rendu" => "amount handed back",
        "payé comptant" => "paid in cash",
        "comptant" => "cash",
        "frais" => "costs",
        "intérêts payés" => "interest paid",
        "principal" => "principal",
        "principal remboursé" => "principal repaid",
        "remboursement" => "repayment",
        "prix au kg" => "price per kg",
        "prix de base au kg" => "base price per kg",
        "prix du surplus au kg" => "surplus price per kg",
        "prix des cultures" => "crop prices",
        "complément au kg" => "complement per kg",
        "complément de prix" => "price complement",
        "complément de prix au kg" => "price complement per kg",
        "complément de prix au kg (surplus des lots net des frais, réparti sur les kg comptés)" => {
            "price complement per kg (the lots' surplus net of costs, spread over the counted kg)"
        }
        "dette reportée" => "carried debt",
        "part garantie" => "guaranteed share",
        "pourcentage" => "percentage",
        "taux" => "rate",
        "coût des sacs" => "cost of the bags",
        "poids" => "weight",
        "poids brut" => "gross weight",
        "poids brut (kg)" => "gross weight (kg)",
        "poids du sac" => "bag weight",
        "tare du sac" => "bag tare",
        "poids compté (kg)" => "counted weight (kg)",
        "poids vendu (kg)" => "weight sold (kg)",
        "kg du lot" => "kg of the lot",
        "quantité engagée" => "committed quantity",
        "quantité engagée (kg)" => "committed quantity (kg)",
        "stock compté" => "counted stock",
        "stock du magasin" => "the warehouse's stock",
        "capacité" => "capacity",
        "humidité (%)" => "moisture (%)",
        "impuretés (%)" => "impurities (%)",
        "nombre de sacs" => "number of bags",
        "sacs" => "bags",
        "sacs commandés" => "bags ordered",
        "sacs reçus sur le bon de commande" => "bags received on the purchase order",
        "tirage sur la ligne de crédit" => "drawdown on the credit line",
        "solde à payer au membre" => "balance owed to the member",
        "mode de paiement" => "payment mode",
        // people, places, records
        "nom" => "name",
        "nom complet" => "full name",
        "nom de l'agent" => "agent's name",
        "nom de l'appareil" => "device name",
        "nom de la campagne" => "campaign name",
        "le nom de campagne" => "the campaign name",
        "nom du magasin" => "warehouse name",
        "le nom de magasin" => "the warehouse name",
        "nom du produit" => "product name",
        "nom du prêteur" => "lender's name",
        "numéro" => "number",
        "numéro de membre" => "member number",
        "code de coopérative" => "cooperative code",
        "le code de coopérative" => "the cooperative code",
        "préfixe de reçu" => "receipt prefix",
        "le préfixe de reçu" => "the receipt prefix",
        "année de naissance" => "birth year",
        "téléphone" => "phone",
        "sexe" => "sex",
        "statut" => "status",
        "région" => "region",
        "cercle" => "district",
        "commune" => "municipality",
        "fournisseur" => "supplier",
        "acheteur" => "buyer",
        "motif" => "reason",
        "motif de la résolution" => "reason for the resolution",
        "date de décision" => "decision date",
        "culture" => "crop",
        "cultures" => "crops",
        "membre" => "member",
        "coopérative" => "cooperative",
        "magasin" => "warehouse",
        "appareil" => "device",
        "campagne" => "campaign",
        "contrat" => "contract",
        "avance" => "advance",
        "livraison" => "delivery",
        "paiement" => "payment",
        "annulation" => "reversal",
        "produit" => "product",
        "bon de commande" => "purchase order",
        "ligne de crédit" => "credit line",
        "prêteur" => "lender",
        "lot de vente" => "sale lot",
        "règlement" => "settlement run",
        "anomalie" => "anomaly",
        "conflit ouvert" => "open conflict",
        "type d'enregistrement" => "kind of record",
        "(doublon probable)" => "(probable duplicate)",
        "coût du sac" => "cost of a bag",
        "prix du sac" => "price of a bag",
        "sacs remis" => "bags handed over",
        "enregistrement" => "record",
        "montant de la dotation" => "allocation amount",
        "nom de l'union" => "union name",
        "type de reçu" => "kind of receipt",
        "langue" => "language",
        "pesée" => "weighing",
        "trame" => "frame",
        "protocole" => "protocol",
        "port série" => "serial port",
        "balance" => "scale",
        "motif de la saisie à la main" => "reason for typing the weight",
        other => other,
    }
}
