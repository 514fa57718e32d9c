//! The log's secret for pseudonyms: random bytes in caselog's work folder
//! (`.caselog/secret`, never committed), made on first use, readable by
//! its owner only. Whoever holds it can recompute a customer's pseudonym
//! from their reference or name; nobody else can.

use std::fs::OpenOptions;
use std::io::Write;

use anyhow::{Context, Result};

use super::{Store, WORK_DIR, safe};
use crate::error::InputError;

/// The secret's file name in the work folder.
pub const SECRET_FILE: &str = "secret";
/// How many random bytes a new secret holds (written as hex).
const SECRET_BYTES: usize = 32;

impl Store {
    /// The log's secret for pseudonyms, made when there is none yet.
    pub fn secret(&self) -> Result<Vec<u8>> {
        let work = self.root.join(WORK_DIR);
        let path = work.join(SECRET_FILE);
        let shown = self.shown(&path);
        if std::fs::symlink_metadata(&path).is_err() {
            // Made where temporary files go, so the folder ignores itself.
            self.temp_dir()?;
            let mut random = [0u8; SECRET_BYTES];
            getrandom::fill(&mut random)
                .map_err(|e| anyhow::anyhow!("no random numbers for the secret: {e}"))?;
            let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(&path) {
                Ok(mut file) => {
                    file.write_all(format!("{hex}\n").as_bytes())
                        .and_then(|()| file.sync_all())
                        .with_context(|| format!("writing {shown}"))?;
                }
                // Another caselog made it meanwhile: theirs is the secret.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e).with_context(|| format!("creating {shown}")),
            }
        }
        let file = safe::open_file(&path, &shown)?;
        let text = crate::limits::read_text(file, 4096, &shown)?;
        let secret = text.trim();
        if secret.len() < 32 {
            return Err(InputError::InvalidFile {
                path: shown,
                line: 1,
                message: "the secret for pseudonyms is too short (at least 32 characters); delete the file to make a new one, which changes every pseudonym".into(),
            }
            .into());
        }
        Ok(secret.as_bytes().to_vec())
    }
}
