//! The national page's accounts and sessions (`web_accounts`, `web_sessions`, migration 2).
//!
//! A password is kept as Argon2id (the crate's default parameters: 19 MiB, 2 passes) of it
//! under a random 16-byte salt. A session is a random 32-byte token, given to the browser in
//! an `HttpOnly; Secure; SameSite=Strict` cookie and kept as its SHA-256 only, for 12 hours.
//! A lender account is bound to one lender institution by its `lender_key`, the folded name
//! that matches that institution across unions (`lenders.name_key`, `replica::name_key`).

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::WebError;

/// What an account may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The federation's staff: every union, every lender.
    Staff,
    /// A lender's read-only account: its own lines only (the lender's folded name).
    Lender(String),
}

/// A signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub role: Role,
}

/// How long a session lasts.
pub const SESSION_HOURS: i32 = 12;
/// The shortest password taken.
pub const MIN_PASSWORD: usize = 8;

fn random<const N: usize>() -> Result<[u8; N], WebError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| WebError::Hash(e.to_string()))?;
    Ok(b)
}

fn hash(password: &str, salt: &[u8]) -> Result<Vec<u8>, WebError> {
    let mut out = vec![0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| WebError::Hash(e.to_string()))?;
    Ok(out)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// Adds an account. A lender account's `lender` is matched by its folded name against the
/// lenders the federation holds (refused when no union has it: a typing mistake would
/// otherwise make an account that sees nothing).
///
/// # Errors
/// [`WebError::BadName`], [`WebError::ShortPassword`], [`WebError::UnknownLender`],
/// [`WebError::AccountExists`], PostgreSQL.
pub async fn add_account(
    c: &Client,
    name: &str,
    role: &Role,
    password: &str,
) -> Result<Account, WebError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(WebError::BadName);
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(WebError::ShortPassword);
    }
    let role = match role {
        Role::Staff => Role::Staff,
        Role::Lender(l) => {
            let key = crate::replica::name_key(l);
            let known: Vec<String> = c
                .query("SELECT DISTINCT name FROM lenders ORDER BY 1", &[])
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if !known.iter().any(|n| crate::replica::name_key(n) == key) {
                return Err(WebError::UnknownLender {
                    given: l.clone(),
                    known,
                });
            }
            Role::Lender(key)
        }
    };
    let (kind, key) = match &role {
        Role::Staff => ("staff", None),
        Role::Lender(k) => ("lender", Some(k.as_str())),
    };
    let salt = random::<16>()?;
    let h = hash(password, &salt)?;
    let n = c
        .execute(
            "INSERT INTO web_accounts (name, role, lender_key, salt, hash) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &kind, &key, &salt.as_slice(), &h],
        )
        .await?;
    if n == 0 {
        return Err(WebError::AccountExists(name.to_owned()));
    }
    Ok(Account {
        name: name.to_owned(),
        role,
    })
}

fn account_of(name: String, role: &str, key: Option<String>) -> Account {
    Account {
        name,
        role: match (role, key) {
            ("lender", Some(k)) => Role::Lender(k),
            _ => Role::Staff,
        },
    }
}

/// Checks a name and password; a new session's token when they match.
///
/// # Errors
/// [`WebError::BadCredentials`] (unknown name or wrong password: the same answer), PostgreSQL.
pub async fn sign_in(c: &Client, name: &str, password: &str) -> Result<String, WebError> {
    let row = c
        .query_opt(
            "SELECT salt, hash FROM web_accounts WHERE name = $1",
            &[&name.trim()],
        )
        .await?;
    // an unknown name costs the same hash as a known one
    let (salt, expected): (Vec<u8>, Vec<u8>) = match row {
        Some(r) => (r.get(0), r.get(1)),
        None => (vec![0u8; 16], Vec::new()),
    };
    let got = hash(password, &salt)?;
    if !same(&got, &expected) {
        return Err(WebError::BadCredentials);
    }
    let token = hex(&random::<32>()?);
    c.execute(
        "INSERT INTO web_sessions (token_hash, account, expires_at)
         VALUES ($1, $2, now() + make_interval(hours => $3))",
        &[&token_hash(&token), &name.trim(), &SESSION_HOURS],
    )
    .await?;
    c.execute("DELETE FROM web_sessions WHERE expires_at < now()", &[])
        .await?;
    Ok(token)
}

/// The account of a live session.
///
/// # Errors
/// PostgreSQL.
pub async fn session(c: &Client, token: &str) -> Result<Option<Account>, WebError> {
    Ok(c
        .query_opt(
            "SELECT a.name, a.role, a.lender_key FROM web_sessions s JOIN web_accounts a ON a.name = s.account
             WHERE s.token_hash = $1 AND s.expires_at > now()",
            &[&token_hash(token)],
        )
        .await?
        .map(|r| account_of(r.get(0), r.get::<_, &str>(1), r.get(2))))
}

/// Ends a session.
///
/// # Errors
/// PostgreSQL.
pub async fn sign_out(c: &Client, token: &str) -> Result<(), WebError> {
    c.execute(
        "DELETE FROM web_sessions WHERE token_hash = $1",
        &[&token_hash(token)],
    )
    .await?;
    Ok(())
}

/// Removes an account; its sessions end with it.
///
/// # Errors
/// [`WebError::UnknownAccount`], PostgreSQL.
pub async fn remove_account(c: &Client, name: &str) -> Result<(), WebError> {
    let n = c
        .execute("DELETE FROM web_accounts WHERE name = $1", &[&name.trim()])
        .await?;
    if n == 0 {
        return Err(WebError::UnknownAccount(name.trim().to_owned()));
    }
    Ok(())
}

/// Every account, by name (no secret).
///
/// # Errors
/// PostgreSQL.
pub async fn accounts(c: &Client) -> Result<Vec<Account>, WebError> {
    Ok(c.query(
        "SELECT name, role, lender_key FROM web_accounts ORDER BY name",
        &[],
    )
    .await?
    .iter()
    .map(|r| account_of(r.get(0), r.get::<_, &str>(1), r.get(2)))
    .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hashes_differ_by_salt_and_compare_whole() {
        let a = hash("mot de passe", &[1; 16]).unwrap();
        let b = hash("mot de passe", &[2; 16]).unwrap();
        assert_ne!(a, b);
        assert!(same(&a, &hash("mot de passe", &[1; 16]).unwrap()));
        assert!(!same(&a, &a[..31]));
        assert!(!same(&a, &[]));
    }
}
