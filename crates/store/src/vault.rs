//! The store's key, and who may unwrap it.
//!
//! A device's SQLite file (and its WAL) is encrypted by SQLCipher with a random 256-bit
//! *data key*. The data key is never written in clear: the *key file* beside the store
//! (`<store>.keys`) holds one *slot* per agent who signs in on the device, each the data key
//! sealed (XChaCha20-Poly1305) under a key derived with Argon2id from that agent's
//! passphrase. A wrong passphrase fails the seal's tag: nothing is opened, nothing written.
//!
//! The *recovery key*, shown once when the vault is made, is the data key itself written in
//! 13 groups of 4 letters with a check group: with it the store opens even if the key file
//! is lost, and a new passphrase can be set.
//!
//! The key file also records the store's SQLCipher salt (the file's first 16 bytes, the only
//! bytes SQLCipher leaves in clear), so a store file from another device is named as such
//! instead of "damaged".

use std::io::Write as _;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::error::StoreError;
use crate::Store;

/// Bytes of the data key.
pub const KEY_LEN: usize = 32;
/// Bytes of SQLCipher's clear salt at the head of an encrypted file.
pub const FILE_SALT_LEN: usize = 16;
const FORMAT: &str = "sene-keys/1";
/// The first 16 bytes of a plain SQLite file (an encrypted one starts with its random salt).
const PLAIN_HEADER: &[u8; FILE_SALT_LEN] = b"SQLite format 3\0";
/// Crockford's base 32 alphabet (no I, L, O, U): what a recovery key is written in.
const B32: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The store's data key. Zeroed when dropped; never printed by `Debug`.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A new random key.
    ///
    /// # Errors
    /// [`StoreError::Vault`] when the system's random source fails.
    pub fn random() -> Result<DataKey, StoreError> {
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(&mut k[..])?;
        Ok(DataKey(k))
    }

    /// The recovery key: the data key in 13 groups of 4 base-32 letters and one check group.
    #[must_use]
    pub fn recovery_text(&self) -> String {
        let mut bits = Zeroizing::new(Vec::with_capacity(KEY_LEN * 8 + 4));
        for b in self.0.iter() {
            for i in (0..8).rev() {
                bits.push((b >> i) & 1);
            }
        }
        bits.extend_from_slice(&[0, 0, 0, 0]); // 256 bits -> 52 letters of 5 bits
        let mut letters = Zeroizing::new(Vec::with_capacity(56));
        for chunk in bits.chunks(5) {
            let v = chunk.iter().fold(0usize, |a, &b| (a << 1) | usize::from(b));
            letters.push(B32[v]);
        }
        let check = check_group(&self.0[..]);
        letters.extend_from_slice(&check);
        let mut out = String::with_capacity(70);
        for (i, c) in letters.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(char::from(*c));
        }
        out
    }

    /// Reads a recovery key as typed: case, spaces and dashes do not matter; O reads as 0,
    /// I and L as 1.
    ///
    /// # Errors
    /// [`StoreError::BadRecoveryKey`] for a wrong length, a letter outside the alphabet or a
    /// failed check group (a typo).
    pub fn from_recovery_text(text: &str) -> Result<DataKey, StoreError> {
        let mut vals = Zeroizing::new(Vec::with_capacity(56));
        for c in text.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' | '\n' | '\r' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            let v = B32
                .iter()
                .position(|&b| char::from(b) == c)
                .ok_or(StoreError::BadRecoveryKey)?;
            vals.push(v);
        }
        if vals.len() != 56 {
            return Err(StoreError::BadRecoveryKey);
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        let mut acc: u32 = 0;
        let mut nbits = 0;
        let mut out = 0;
        for &v in &vals[..52] {
            acc = (acc << 5) | u32::try_from(v).map_err(|_| StoreError::BadRecoveryKey)?;
            nbits += 5;
            while nbits >= 8 && out < KEY_LEN {
                nbits -= 8;
                key[out] =
                    u8::try_from((acc >> nbits) & 0xff).map_err(|_| StoreError::BadRecoveryKey)?;
                out += 1;
            }
            acc &= (1 << nbits) - 1;
        }
        let check = check_group(&key[..]);
        let typed: Vec<u8> = vals[52..].iter().map(|&v| B32[v]).collect();
        if typed != check {
            return Err(StoreError::BadRecoveryKey);
        }
        Ok(DataKey(key))
    }

    /// The key as `ATTACH … KEY` takes it: the same raw-key text, without SQL quoting.
    pub(crate) fn pragma_blob_text(&self) -> Zeroizing<String> {
        let p = self.pragma();
        Zeroizing::new(format!("x'{}'", &p[2..p.len() - 1]))
    }

    /// The `PRAGMA key` value: a raw key, so SQLCipher skips its own key derivation.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(KEY_LEN * 2 + 3));
        s.push_str("x'");
        for b in self.0.iter() {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 15)]));
        }
        s.push('\'');
        s
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Four letters from a SHA-256 of the key: catches a mistyped recovery key.
fn check_group(key: &[u8]) -> [u8; 4] {
    use sha2::Digest as _;
    let h = sha2::Sha256::digest(key);
    let v = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    [
        B32[((v >> 27) & 31) as usize],
        B32[((v >> 22) & 31) as usize],
        B32[((v >> 17) & 31) as usize],
        B32[((v >> 12) & 31) as usize],
    ]
}

fn fill_random(buf: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(buf)
        .map_err(|e| StoreError::Vault(format!("source aléatoire du système : {e}")))
}

/// Argon2id cost, stored with each slot so a later change of defaults still opens old slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (measured in BENCHMARKS.md: well under a second
    /// on the field laptop class, and each guess of an attacker costs the same).
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    fn derive(
        &self,
        passphrase: &str,
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, StoreError> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(KEY_LEN))
            .map_err(|e| StoreError::Vault(format!("paramètres Argon2id : {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
            .map_err(|e| StoreError::Vault(format!("Argon2id : {e}")))?;
        Ok(out)
    }
}

/// One way in: the data key sealed under one agent's passphrase.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Slot {
    /// Stable id of the slot (what sign-in names).
    pub id: String,
    /// The name shown at sign-in.
    pub label: String,
    /// The agent who signs in with it, once the store knows them.
    #[serde(default)]
    pub agent: Option<String>,
    kdf: KdfParams,
    salt: String,
    nonce: String,
    sealed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyFile {
    format: String,
    /// SQLCipher's salt of the store this key file opens (hex), once the store exists.
    #[serde(default)]
    pub(crate) file_salt: Option<String>,
    slots: Vec<Slot>,
}

/// The key file of one store.
#[derive(Debug, Clone)]
pub struct Vault {
    path: PathBuf,
    pub(crate) file: KeyFile,
}

/// Why a passphrase is refused when set.
///
/// # Errors
/// [`StoreError::WeakPassphrase`] with the reason, in French.
pub fn check_passphrase(passphrase: &str) -> Result<(), StoreError> {
    let p = passphrase.trim();
    let n = p.chars().count();
    let weak = |r: &str| Err(StoreError::WeakPassphrase(r.to_owned()));
    if n < 8 {
        return weak("au moins 8 caractères");
    }
    if p.chars().all(|c| c.is_ascii_digit()) && n < 12 {
        return weak("un code fait seulement de chiffres doit en compter au moins 12 (un code PIN court se devine en quelques minutes)");
    }
    let mut distinct: Vec<char> = p.chars().flat_map(char::to_lowercase).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return weak("au moins 5 caractères différents");
    }
    let lower = p.to_lowercase();
    const COMMON: &[&str] = &[
        "motdepasse",
        "password",
        "azerty",
        "qwerty",
        "12345678",
        "87654321",
        "sene",
        "faso",
        "jigi",
        "bamako",
        "segou",
        "ségou",
        "abcdefgh",
    ];
    if COMMON
        .iter()
        .any(|c| lower.replace(' ', "").starts_with(c) && lower.len() <= c.len() + 3)
    {
        return weak("trop courante : choisissez une phrase à vous");
    }
    Ok(())
}

pub(crate) fn hex_of(bytes: &[u8]) -> String {
    hex(bytes)
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Vault {
    /// The key file of the store at `store`.
    #[must_use]
    pub fn key_path(store: &Path) -> PathBuf {
        let mut s = store.as_os_str().to_owned();
        s.push(".keys");
        PathBuf::from(s)
    }

    /// Whether the store at `store` has a key file (is encrypted).
    #[must_use]
    pub fn exists(store: &Path) -> bool {
        Vault::key_path(store).exists()
    }

    /// Makes the key file of a new store: a random data key and a first slot. Refused when a
    /// key file is already there. Returns the vault and the data key (whose recovery text is
    /// to be shown once).
    ///
    /// # Errors
    /// [`StoreError::WeakPassphrase`], [`StoreError::Vault`] when a key file exists, I/O.
    pub fn create(
        store: &Path,
        label: &str,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(Vault, DataKey), StoreError> {
        check_passphrase(passphrase)?;
        let path = Vault::key_path(store);
        if path.exists() {
            return Err(StoreError::Vault(format!(
                "{} existe déjà : cet appareil a déjà sa clé",
                path.display()
            )));
        }
        let key = DataKey::random()?;
        let mut vault = Vault {
            path,
            file: KeyFile {
                format: FORMAT.into(),
                file_salt: None,
                slots: Vec::new(),
            },
        };
        vault.push_slot(&key, label, None, passphrase, kdf)?;
        Ok((vault, key))
    }

    /// A key file made anew from the recovery key (the old one lost or forgotten): one slot.
    ///
    /// # Errors
    /// As [`Vault::create`], without the check that no key file exists (it is replaced).
    pub fn recreate(
        store: &Path,
        key: &DataKey,
        label: &str,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Vault, StoreError> {
        check_passphrase(passphrase)?;
        let mut vault = Vault {
            path: Vault::key_path(store),
            file: KeyFile {
                format: FORMAT.into(),
                file_salt: read_file_salt(store)?.map(|s| hex(&s)),
                slots: Vec::new(),
            },
        };
        vault.push_slot(key, label, None, passphrase, kdf)?;
        Ok(vault)
    }

    /// Whether the file at `store` is an encrypted store as far as its clear bytes tell: it
    /// has at least its 16-byte salt, and they are not a plain SQLite file's header. A missing,
    /// empty or plain file is not.
    #[must_use]
    pub fn looks_encrypted(store: &Path) -> bool {
        matches!(read_file_salt(store), Ok(Some(salt)) if &salt != PLAIN_HEADER)
    }

    /// Opens the encrypted store at `store` with its recovery key (as typed), whether its key
    /// file is there or lost. Nothing is written to a file the key does not open.
    ///
    /// # Errors
    /// [`StoreError::BadRecoveryKey`] for a key that does not read back (a typo),
    /// [`StoreError::WrongRecoveryKey`] for another store's key (or a damaged file),
    /// [`StoreError::CannotOpen`] for a missing or empty file, [`StoreError::ForeignFile`] for a
    /// plain one, as [`Store::open`].
    pub fn open_with_recovery_key(
        store: &Path,
        recovery_key: &str,
    ) -> Result<(Store, DataKey), StoreError> {
        let key = DataKey::from_recovery_text(recovery_key)?;
        let named = store.display().to_string();
        match read_file_salt(store)? {
            None => return Err(StoreError::CannotOpen { path: named }),
            Some(salt) if &salt == PLAIN_HEADER => {
                return Err(StoreError::ForeignFile {
                    path: named,
                    reason: "fichier en clair".into(),
                })
            }
            Some(_) => {}
        }
        let opened = Store::open_with_key(store, &key).map_err(|e| match e {
            StoreError::NotADatabase { .. } => StoreError::WrongRecoveryKey { path: named },
            e => e,
        })?;
        Ok((opened, key))
    }

    /// Every passphrase forgotten, or the key file lost: the recovery key opens the store,
    /// then a new key file is made with one account, `label`, opened by `passphrase` (the
    /// other accounts of the device are dropped: the secretariat gives them theirs again).
    /// The desktop's recovery and `sene recover` both come here.
    ///
    /// A weak passphrase, a mistyped or wrong recovery key are refused before anything is
    /// written: the key file is then left as it was.
    ///
    /// # Errors
    /// [`StoreError::WeakPassphrase`], as [`Vault::open_with_recovery_key`], I/O.
    pub fn recover(
        store: &Path,
        recovery_key: &str,
        label: &str,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(Vault, DataKey), StoreError> {
        check_passphrase(passphrase)?;
        let (opened, key) = Vault::open_with_recovery_key(store, recovery_key)?;
        drop(opened);
        let vault = Vault::recreate(store, &key, label, passphrase, kdf)?;
        vault.save()?;
        Ok((vault, key))
    }

    /// Reads the key file of the store at `store`.
    ///
    /// # Errors
    /// [`StoreError::Vault`] for a missing or unreadable key file.
    pub fn load(store: &Path) -> Result<Vault, StoreError> {
        let path = Vault::key_path(store);
        let bytes = std::fs::read(&path).map_err(|e| StoreError::io(&path, &e))?;
        let file: KeyFile = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Vault(format!("{} illisible : {e}", path.display())))?;
        if file.format != FORMAT {
            return Err(StoreError::Vault(format!(
                "{} : format « {} » inconnu",
                path.display(),
                file.format
            )));
        }
        Ok(Vault { path, file })
    }

    /// The slots, in the order they were added.
    #[must_use]
    pub fn slots(&self) -> &[Slot] {
        &self.file.slots
    }

    /// The slot of `agent`, if any.
    #[must_use]
    pub fn slot_of_agent(&self, agent: &str) -> Option<&Slot> {
        self.file
            .slots
            .iter()
            .find(|s| s.agent.as_deref() == Some(agent))
    }

    /// Unwraps the data key with one slot's passphrase.
    ///
    /// # Errors
    /// [`StoreError::WrongPassphrase`]; [`StoreError::Vault`] for an unknown slot or a
    /// damaged key file.
    pub fn unlock(&self, slot_id: &str, passphrase: &str) -> Result<DataKey, StoreError> {
        let slot = self
            .file
            .slots
            .iter()
            .find(|s| s.id == slot_id)
            .ok_or_else(|| {
                StoreError::Vault(format!("pas de compte « {slot_id} » sur cet appareil"))
            })?;
        let damaged = || StoreError::Vault(format!("{} endommagé", self.path.display()));
        let salt = unhex(&slot.salt).ok_or_else(damaged)?;
        let nonce = unhex(&slot.nonce).ok_or_else(damaged)?;
        let sealed = unhex(&slot.sealed).ok_or_else(damaged)?;
        if nonce.len() != 24 {
            return Err(damaged());
        }
        let kek = slot.kdf.derive(passphrase, &salt)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&kek[..]).map_err(|_| damaged())?;
        let nonce = XNonce::try_from(nonce.as_slice()).map_err(|_| damaged())?;
        let mut plain = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed,
                    aad: slot.id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::WrongPassphrase)?;
        if plain.len() != KEY_LEN {
            plain.zeroize();
            return Err(damaged());
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        key.copy_from_slice(&plain);
        plain.zeroize();
        Ok(DataKey(key))
    }

    /// Adds a slot for another agent (or a new passphrase), sealed with `key`; saved.
    ///
    /// # Errors
    /// [`StoreError::WeakPassphrase`], a label already used, I/O.
    pub fn add_slot(
        &mut self,
        key: &DataKey,
        label: &str,
        agent: Option<&str>,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<String, StoreError> {
        check_passphrase(passphrase)?;
        let id = self.push_slot(key, label, agent, passphrase, kdf)?;
        self.save()?;
        Ok(id)
    }

    fn push_slot(
        &mut self,
        key: &DataKey,
        label: &str,
        agent: Option<&str>,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<String, StoreError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(StoreError::Vault("le nom de connexion est vide".into()));
        }
        if self
            .file
            .slots
            .iter()
            .any(|s| s.label.eq_ignore_ascii_case(label))
        {
            return Err(StoreError::Vault(format!(
                "« {label} » se connecte déjà sur cet appareil"
            )));
        }
        if let Some(a) = agent {
            self.file.slots.retain(|s| s.agent.as_deref() != Some(a));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let mut salt = [0u8; 16];
        fill_random(&mut salt)?;
        let mut nonce = [0u8; 24];
        fill_random(&mut nonce)?;
        let kek = kdf.derive(passphrase, &salt)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&kek[..])
            .map_err(|e| StoreError::Vault(e.to_string()))?;
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &key.0[..],
                    aad: id.as_bytes(),
                },
            )
            .map_err(|e| StoreError::Vault(e.to_string()))?;
        self.file.slots.push(Slot {
            id: id.clone(),
            label: label.to_owned(),
            agent: agent.map(str::to_owned),
            kdf,
            salt: hex(&salt),
            nonce: hex(&nonce),
            sealed: hex(&sealed),
        });
        Ok(id)
    }

    /// Names the agent who signs in with `slot_id`; saved.
    ///
    /// # Errors
    /// Unknown slot, I/O.
    pub fn bind_agent(&mut self, slot_id: &str, agent: &str) -> Result<(), StoreError> {
        let slot = self
            .file
            .slots
            .iter_mut()
            .find(|s| s.id == slot_id)
            .ok_or_else(|| StoreError::Vault(format!("pas de compte « {slot_id} »")))?;
        slot.agent = Some(agent.to_owned());
        self.save()
    }

    /// Removes a slot (an agent who no longer signs in here); the last one cannot go. Saved.
    ///
    /// # Errors
    /// Unknown or last slot, I/O.
    pub fn remove_slot(&mut self, slot_id: &str) -> Result<(), StoreError> {
        if !self.file.slots.iter().any(|s| s.id == slot_id) {
            return Err(StoreError::Vault(format!("pas de compte « {slot_id} »")));
        }
        if self.file.slots.len() == 1 {
            return Err(StoreError::Vault(
                "le dernier compte de l'appareil ne peut pas être retiré".into(),
            ));
        }
        self.file.slots.retain(|s| s.id != slot_id);
        self.save()
    }

    /// The salt of the store this key file opens, once recorded.
    #[must_use]
    pub fn file_salt(&self) -> Option<Vec<u8>> {
        self.file.file_salt.as_deref().and_then(unhex)
    }

    pub(crate) fn record_file_salt(&mut self, salt: &[u8]) -> Result<(), StoreError> {
        self.file.file_salt = Some(hex(salt));
        self.save()
    }

    /// Writes the key file: to a temporary file, synced, then renamed over the old one (a
    /// power cut leaves the old or the new, never half of one).
    ///
    /// # Errors
    /// I/O.
    pub fn save(&self) -> Result<(), StoreError> {
        let io = |e: std::io::Error| StoreError::io(&self.path, &e);
        let json =
            serde_json::to_vec_pretty(&self.file).map_err(|e| StoreError::Vault(e.to_string()))?;
        let mut tmp = self.path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        if let Some(dir) = self.path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
        }
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&json).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        if let Some(dir) = self.path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

/// The first 16 bytes of an existing, non-empty store file.
pub(crate) fn read_file_salt(store: &Path) -> Result<Option<[u8; FILE_SALT_LEN]>, StoreError> {
    use std::io::Read as _;
    let mut f = match std::fs::File::open(store) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(store, &e)),
    };
    let mut salt = [0u8; FILE_SALT_LEN];
    match f.read_exact(&mut salt) {
        Ok(()) => Ok(Some(salt)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(StoreError::io(store, &e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CHEAP: KdfParams = KdfParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };

    #[test]
    fn the_recovery_key_reads_back_and_catches_a_typo() {
        let k = DataKey::random().unwrap();
        let t = k.recovery_text();
        assert_eq!(t.len(), 56 + 13);
        let back = DataKey::from_recovery_text(&t.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(&back.0[..], &k.0[..]);
        // One letter changed: refused.
        let mut typo: Vec<char> = t.chars().collect();
        typo[5] = if typo[5] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert!(matches!(
            DataKey::from_recovery_text(&typo),
            Err(StoreError::BadRecoveryKey)
        ));
        assert!(DataKey::from_recovery_text("ABCD").is_err());
    }

    #[test]
    fn a_slot_opens_with_its_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.sqlite");
        let (v, key) = Vault::create(&store, "Awa", "mil et sorgho 24", CHEAP).unwrap();
        v.save().unwrap();
        let v = Vault::load(&store).unwrap();
        let id = v.slots()[0].id.clone();
        assert_eq!(
            &v.unlock(&id, "mil et sorgho 24").unwrap().0[..],
            &key.0[..]
        );
        assert!(matches!(
            v.unlock(&id, "mil et sorgho 25"),
            Err(StoreError::WrongPassphrase)
        ));
        let mut v = v;
        let id2 = v
            .add_slot(&key, "Moussa", Some("agent-2"), "riz de Macina", CHEAP)
            .unwrap();
        let v = Vault::load(&store).unwrap();
        assert_eq!(&v.unlock(&id2, "riz de Macina").unwrap().0[..], &key.0[..]);
        assert!(v.unlock(&id2, "mil et sorgho 24").is_err());
        assert_eq!(v.slot_of_agent("agent-2").unwrap().label, "Moussa");
        // The key file holds no copy of the key.
        let text = std::fs::read_to_string(Vault::key_path(&store)).unwrap();
        assert!(!text.contains(&hex(&key.0[..])));
    }

    /// An encrypted store with one account and a setting; its recovery key.
    fn encrypted_store(path: &Path, pass: &str) -> String {
        let (mut v, key) = Vault::create(path, "Bureau", pass, CHEAP).unwrap();
        v.save().unwrap();
        let mut store = Store::open_vault(path, &mut v, &key).unwrap();
        store.write(|db| db.set_setting("union", "Jigi")).unwrap();
        key.recovery_text()
    }

    /// The recovery key opens the store with or without its key file; another store's key,
    /// a plain file, a missing one are refused, each saying what it is.
    #[test]
    fn the_recovery_key_opens_its_store_only() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.sqlite");
        let b = dir.path().join("b.sqlite");
        let ka = encrypted_store(&a, "mil et sorgho 24");
        let kb = encrypted_store(&b, "riz de Macina 9");
        assert!(Vault::looks_encrypted(&a));
        let (s, _) = Vault::open_with_recovery_key(&a, &ka.to_lowercase()).unwrap();
        assert_eq!(s.db().setting("union").unwrap().as_deref(), Some("Jigi"));
        drop(s);
        std::fs::remove_file(Vault::key_path(&a)).unwrap();
        let (s, _) = Vault::open_with_recovery_key(&a, &ka).unwrap();
        assert_eq!(s.db().setting("union").unwrap().as_deref(), Some("Jigi"));
        drop(s);

        let before = std::fs::read(&a).unwrap();
        let e = Vault::open_with_recovery_key(&a, &kb).unwrap_err();
        assert!(matches!(e, StoreError::WrongRecoveryKey { .. }), "{e:?}");
        assert!(e.to_string().contains(&a.display().to_string()));
        assert_eq!(std::fs::read(&a).unwrap(), before);

        let plain = dir.path().join("plain.sqlite");
        drop(Store::open(&plain).unwrap());
        assert!(!Vault::looks_encrypted(&plain));
        assert!(matches!(
            Vault::open_with_recovery_key(&plain, &ka),
            Err(StoreError::ForeignFile { .. })
        ));
        let missing = dir.path().join("missing.sqlite");
        assert!(!Vault::looks_encrypted(&missing));
        assert!(matches!(
            Vault::open_with_recovery_key(&missing, &ka),
            Err(StoreError::CannotOpen { .. })
        ));
        assert!(!missing.exists());
    }

    /// Recovery makes a new key file whose one account opens with the new passphrase; the
    /// old passphrase no longer opens anything. A wrong key or a weak passphrase changes
    /// nothing.
    #[test]
    fn recovery_sets_a_new_passphrase_and_drops_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.sqlite");
        let b = dir.path().join("b.sqlite");
        let ka = encrypted_store(&a, "mil et sorgho 24");
        let kb = encrypted_store(&b, "riz de Macina 9");
        let keys = std::fs::read(Vault::key_path(&a)).unwrap();

        let e = Vault::recover(&a, &kb, "Bureau", "nouvelle phrase 7", CHEAP).unwrap_err();
        assert!(matches!(e, StoreError::WrongRecoveryKey { .. }), "{e:?}");
        let e = Vault::recover(&a, &ka, "Bureau", "1234", CHEAP).unwrap_err();
        assert!(matches!(e, StoreError::WeakPassphrase(_)), "{e:?}");
        assert_eq!(std::fs::read(Vault::key_path(&a)).unwrap(), keys);

        let (_, key) = Vault::recover(&a, &ka, "Secrétariat", "nouvelle phrase 7", CHEAP).unwrap();
        let mut v = Vault::load(&a).unwrap();
        assert_eq!(v.slots().len(), 1);
        assert_eq!(v.slots()[0].label, "Secrétariat");
        let id = v.slots()[0].id.clone();
        assert!(matches!(
            v.unlock(&id, "mil et sorgho 24"),
            Err(StoreError::WrongPassphrase)
        ));
        let unwrapped = v.unlock(&id, "nouvelle phrase 7").unwrap();
        assert_eq!(&unwrapped.0[..], &key.0[..]);
        let s = Store::open_vault(&a, &mut v, &unwrapped).unwrap();
        assert_eq!(s.db().setting("union").unwrap().as_deref(), Some("Jigi"));
    }

    #[test]
    fn weak_passphrases_are_refused() {
        for p in [
            "1234",
            "12345678901",
            "aaaaaaaaaa",
            "abababab",
            "motdepasse",
            "Password1",
        ] {
            assert!(check_passphrase(p).is_err(), "{p}");
        }
        for p in ["mil et sorgho 24", "123456789012", "Kalifa-2026"] {
            check_passphrase(p).unwrap();
        }
    }
}
