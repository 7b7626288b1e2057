//! Sync errors.

use sene_store::StoreError;

/// What can go wrong while writing, merging or exchanging documents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Automerge refused a document or a message.
    #[error("document ou message de synchronisation illisible : {0}")]
    Automerge(String),
    /// A payload that is not what it claims to be.
    #[error("données de synchronisation invalides : {0}")]
    Malformed(String),
    /// A record referring to one that does not exist.
    #[error("référence inconnue : {table} {key}")]
    UnknownReference { table: &'static str, key: String },
    /// A change outside the sender's scope, or breaking the record rules: nothing was merged.
    #[error("modification refusée, rien n'a été fusionné : {0}")]
    Refused(String),
    /// A file that is not authentic.
    #[error("fichier de synchronisation non authentique ou altéré : {0}")]
    Unauthentic(String),
}

impl From<automerge::AutomergeError> for SyncError {
    fn from(e: automerge::AutomergeError) -> Self {
        SyncError::Automerge(e.to_string())
    }
}
