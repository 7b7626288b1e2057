//! The use cases' errors: every one says what was wrong and what to do, in French and English.

use sene_domain::{DomainError, Lang};
use sene_store::StoreError;

/// Everything a use case can refuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A value or rule of the domain.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Sync: documents, merges, exchanges.
    #[error(transparent)]
    Sync(#[from] sene_sync::SyncError),
    /// The store has no union yet.
    #[error(
        "cette base est vide : créez d'abord l'union (sene init) ou chargez la démo (sene demo)"
    )]
    NotInitialized,
    /// The store already has a union.
    #[error("cette base contient déjà l'union « {0} »")]
    AlreadyInitialized(String),
    /// An id that names nothing.
    #[error("{kind} introuvable : {id}")]
    NotFound { kind: &'static str, id: String },
    /// The role does not allow the action.
    #[error("action refusée : le rôle « {role} » ne permet pas de {action}")]
    Forbidden { role: String, action: &'static str },
    /// Maker-checker: the one who made a record may not also approve, reverse or settle it.
    #[error("il faut une seconde personne : qui a fait l'enregistrement ne peut pas aussi {action} (contrôle à quatre yeux) ; demandez à un membre du comité (CTC) ou du secrétariat de se connecter")]
    SecondPersonRequired { action: &'static str },
    /// A record id reused with other content.
    #[error("l'identifiant {id} ({kind}) existe déjà avec un autre contenu : rien n'a été enregistré. Utilisez un nouvel identifiant")]
    IdConflict { kind: &'static str, id: String },
    /// A member number already used in the cooperative.
    #[error("le numéro de membre {number} existe déjà dans la coopérative {cooperative}")]
    DuplicateMemberNumber { number: String, cooperative: String },
    /// A code (cooperative, receipt prefix, name) already taken.
    #[error("{what} « {value} » est déjà utilisé")]
    Taken { what: &'static str, value: String },
    /// A member who looks like one already registered.
    #[error("doublon probable : {candidates} ; vérifiez, puis confirmez l'enregistrement si c'est bien une autre personne")]
    ProbableDuplicate { candidates: String },
    /// A delivery at a warehouse of another cooperative than the member's.
    #[error("le membre {member} appartient à la coopérative {member_coop}, pas à {warehouse_coop} (magasin {warehouse})")]
    OtherCooperative {
        member: String,
        member_coop: String,
        warehouse_coop: String,
        warehouse: String,
    },
    /// Records that do not belong together.
    #[error("incohérence : {0}")]
    Mismatch(String),
    /// A conflict's resolution its kind does not allow (a value chosen among duplicates, a
    /// merge across cooperatives…), said in French and English.
    #[error("{fr}")]
    Resolution { fr: String, en: String },
    /// A correction whose values are those the record already holds (an import row that
    /// changes nothing reads as « inchangé »).
    #[error("rien à corriger : {what_fr} porte déjà ces valeurs")]
    NothingToCorrect { what_fr: String, what_en: String },
    /// A change of the registry refused (a member no longer in the
    /// cooperative, a date before her registration, a transfer with open contracts…), said in
    /// French and English.
    #[error("{fr}")]
    Registry { fr: String, en: String },
    /// A record already reversed.
    #[error("cet enregistrement a déjà été annulé (reçu {receipt}) : une annulation ne s'annule pas deux fois")]
    AlreadyReversed { receipt: String },
    /// More than what is available.
    #[error("{what} : {requested} demandés, {available} disponibles")]
    AboveAvailable {
        what: &'static str,
        requested: String,
        available: String,
    },
    /// A file export (XLSX) could not be made.
    #[error("export impossible : {0}")]
    Export(String),
}

impl AppError {
    /// A stable code for scripts and the UI.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(_) => "invalid_value",
            AppError::Store(StoreError::NotADatabase { .. }) => "store_unreadable",
            AppError::Store(StoreError::TooNew { .. }) => "store_too_new",
            AppError::Store(_) => "store_error",
            AppError::Sync(sene_sync::SyncError::Refused(_)) => "sync_refused",
            AppError::Sync(sene_sync::SyncError::Unauthentic(_)) => "sync_unauthentic",
            AppError::Sync(_) => "sync_error",
            AppError::NotInitialized => "not_initialized",
            AppError::AlreadyInitialized(_) => "already_initialized",
            AppError::NotFound { .. } => "not_found",
            AppError::Forbidden { .. } => "forbidden",
            AppError::SecondPersonRequired { .. } => "second_person_required",
            AppError::IdConflict { .. } => "id_conflict",
            AppError::DuplicateMemberNumber { .. } => "duplicate_member_number",
            AppError::Taken { .. } => "taken",
            AppError::ProbableDuplicate { .. } => "probable_duplicate",
            AppError::OtherCooperative { .. } => "other_cooperative",
            AppError::Mismatch(_) | AppError::Resolution { .. } => "mismatch",
            AppError::Registry { .. } => "registry_refused",
            AppError::NothingToCorrect { .. } => "nothing_to_correct",
            AppError::AlreadyReversed { .. } => "already_reversed",
            AppError::AboveAvailable { .. } => "above_available",
            AppError::Export(_) => "export_failed",
        }
    }

    /// The message in the given language.
    #[must_use]
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::Fr {
            return self.to_string();
        }
        match self {
            AppError::Domain(e) => e.message(lang),
            AppError::Store(e) => e.message(lang),
            // a store error inside a merge (a full disk…) in the session's language
            AppError::Sync(sene_sync::SyncError::Store(e)) => e.message(lang),
            AppError::Sync(e) => e.to_string(),
            AppError::NotInitialized => "this store is empty: create the union first (sene init) or load the demo (sene demo)".into(),
            AppError::AlreadyInitialized(n) => format!("this store already holds the union \"{n}\""),
            AppError::NotFound { kind, id } => format!("{} not found: {id}", en_kind(kind)),
            AppError::Forbidden { role, action } => format!("refused: the role \"{role}\" may not {}", en_action(action)),
            AppError::SecondPersonRequired { action } => format!("a second person is needed: who made the record may not also {} (four-eyes check); ask a committee (CTC) or secretariat member to sign in", en_action(action)),
            AppError::IdConflict { kind, id } => format!("the id {id} ({}) already exists with other content: nothing was saved. Use a new id", en_kind(kind)),
            AppError::DuplicateMemberNumber { number, cooperative } => format!("member number {number} already exists in cooperative {cooperative}"),
            AppError::Taken { what, value } => format!("{} \"{value}\" is already in use", sene_domain::label_en(what)),
            AppError::ProbableDuplicate { candidates } => format!("probable duplicate: {candidates}; check, then confirm if this is really another person"),
            AppError::OtherCooperative { member, member_coop, warehouse_coop, warehouse } => format!("member {member} belongs to cooperative {member_coop}, not {warehouse_coop} (warehouse {warehouse})"),
            AppError::Mismatch(m) => format!("inconsistent records: {m}"),
            AppError::Resolution { en, .. } | AppError::Registry { en, .. } => en.clone(),
            AppError::NothingToCorrect { what_en, .. } => format!("nothing to correct: {what_en} already holds these values"),
            AppError::AlreadyReversed { receipt } => format!("this record was already reversed (receipt {receipt}): a record is reversed once"),
            AppError::AboveAvailable { what, requested, available } => format!("{}: {requested} requested, {available} available", sene_domain::label_en(what)),
            AppError::Export(m) => format!("export failed: {m}"),
        }
    }
}

fn en_kind(kind: &str) -> &str {
    match kind {
        "membre" => "member",
        "coopérative" => "cooperative",
        "magasin" => "warehouse",
        "agent" => "agent",
        "appareil" => "device",
        "campagne" => "campaign",
        "contrat" => "contract",
        "avance" => "disbursement",
        "livraison" => "delivery",
        "produit" => "product",
        "bon de commande" => "purchase order",
        "ligne de crédit" => "credit line",
        "prêteur" => "lender",
        "changement du registre" => "registry change",
        other => sene_domain::label_en(other),
    }
}

fn en_action(action: &str) -> &str {
    match action {
        "enregistrer" => "record anything",
        "approuver ou rejeter un contrat" => "approve or reject a contract",
        "configurer l'union" => "configure the union",
        "arrêter un règlement" => "lock a settlement run",
        "approuver le contrat qu'il a demandé" => "approve the contract they requested",
        "annuler l'enregistrement d'argent qu'il a fait" => "reverse the money record they made",
        "résoudre un conflit d'argent sur ses propres enregistrements" => {
            "resolve a money conflict over their own records"
        }
        "résoudre un conflit sur de l'argent" => "resolve a conflict over money",
        "fusionner deux inscriptions d'un membre" => "merge two registrations of a member",
        "arrêter le règlement qu'il a proposé" => "lock the settlement they proposed",
        "arrêter un règlement qu'aucune autre personne n'a proposé" => {
            "lock a settlement that no other person proposed"
        }
        "consulter le bureau de l'union" => "see the union office's figures",
        "enregistrer un retour de caisse" => "record cash returned to the office",
        "fixer un complément de prix" => "set a price complement",
        "donner un compte sur un appareil" => "give an account on a device",
        "résoudre une anomalie" => "resolve an anomaly",
        "transférer un membre" => "transfer a member to another cooperative",
        other => other,
    }
}

/// Shorthand.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every action a refusal names (`action: "…"` or `require(…, "…")` in the app and api
    /// sources) has its English words.
    #[test]
    fn every_refused_action_is_said_in_english() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("app/src"), root.join("api/src")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let mut seen = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let named = text.split("action: \"").skip(1).map(str::to_owned);
            let required = text.split(".require(").skip(1).filter_map(|p| {
                let call = &p[..p.find(")?").unwrap_or(p.len()).min(300)];
                let start = call.rfind(", \"")? + 3;
                Some(call[start..].to_owned())
            });
            for part in named.chain(required) {
                let action = &part[..part.find('"').unwrap()];
                // audit rows name their action in snake case: not a refusal
                if action.starts_with('{') || action.is_empty() || !action.contains(' ') {
                    continue;
                }
                seen += 1;
                assert_ne!(en_action(action), action, "{}: « {action} »", f.display());
            }
        }
        assert!(seen > 5, "{seen}");
    }

    #[test]
    fn a_full_disk_inside_a_merge_is_said_in_the_sessions_language() {
        let e = AppError::Sync(sene_sync::SyncError::Store(StoreError::DiskFull));
        assert!(
            e.message(Lang::En).starts_with("the disk is full"),
            "{}",
            e.message(Lang::En)
        );
        assert_eq!(e.message(Lang::Fr), e.to_string());
        assert!(!e.message(Lang::Fr).starts_with("the disk"));
    }
}
