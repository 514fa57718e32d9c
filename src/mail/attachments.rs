//! Attached files are not kept in the case file (a case is text a reviewer
//! reads); the event lists their names and sizes, and `caselog mail
//! --attachments DIR` saves them under `DIR/<id>/`.
//!
//! A name comes from the sender, so it is made safe before it touches the
//! disk: no folders, no `..`, no control characters, no hidden files, no
//! names Windows refuses or takes for a device (the folder is often a
//! share), and never a file replaced (`invoice.pdf`, `invoice-2.pdf`…).
//! Files are written to a folder of their own inside DIR first, and moved
//! into place only once the case is recorded, so a refused or failed
//! message leaves nothing behind. DIR itself is never inside the case files or the log's
//! own folders ([`check_folder`]): a sender names the files.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::InputError;
use crate::store::resolved;

/// The longest file name kept, in bytes; longer names are shortened,
/// keeping their extension.
const NAME_MAX: usize = 100;

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its name, made safe by [`safe_name`].
    pub name: String,
    pub content: Vec<u8>,
}

impl Attachment {
    pub fn size(&self) -> u64 {
        self.content.len() as u64
    }
}

/// A file name the sender chose, made safe to create inside a folder:
/// the last part of any path, without control characters, bidirectional
/// overrides or characters Windows refuses, without leading dots or
/// blanks, `_` before a name Windows takes for a device, at most
/// [`NAME_MAX`] bytes; `attachment` when nothing is left.
/// A likely card number in it is masked (its `*`s then become `_`).
pub fn safe_name(raw: &str) -> String {
    super::masked_fit(raw, cleaned_name)
}

/// [`safe_name`] but for card numbers.
fn cleaned_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .filter(|c| !crate::untrusted::is_hazardous(*c))
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c == ' ');
    if trimmed.is_empty() {
        return "attachment".to_string();
    }
    if is_device(trimmed) {
        return shorten(&format!("_{trimmed}"));
    }
    shorten(trimmed)
}

/// Whether Windows takes `name` for a device rather than a file (`CON`,
/// `nul.txt`, `COM1.tar.gz`): such a file cannot be opened, copied or
/// deleted there, and the folder of attachments is often a share that
/// Windows machines read, or is copied to one. The characters Windows
/// refuses are replaced for the same reason.
fn is_device(name: &str) -> bool {
    // What comes before the first dot counts, blanks at its end aside.
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    ["COM", "LPT"].iter().any(|device| {
        upper.strip_prefix(device).is_some_and(|digit| {
            matches!(
                digit,
                "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
            )
        })
    })
}

/// `name` within [`NAME_MAX`] bytes, keeping a short extension.
fn shorten(name: &str) -> String {
    if name.len() <= NAME_MAX {
        return name.to_string();
    }
    let (stem, extension) = split_extension(name);
    let extension = if extension.len() <= 16 { extension } else { "" };
    let mut end = NAME_MAX - extension.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", &stem[..end])
}

/// `photo.jpg` → (`photo`, `.jpg`); `README` → (`README`, ``).
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    }
}

/// The `n`th name for `name` when it is taken: `invoice-2.pdf`, `-3`…
fn numbered(name: &str, n: usize) -> String {
    if n == 1 {
        return name.to_string();
    }
    let (stem, extension) = split_extension(name);
    format!("{stem}-{n}{extension}")
}

/// Of `attachments`, those `DIR/<folder>/` does not hold: no file under
/// the name [`Staged::place`] would give it (or a numbered one) has its
/// bytes. A message recorded once whose attachments could not be saved
/// (a full disk, a file in the folder's place) has them saved when it
/// comes again, and a message whose attachments are saved adds no copy.
pub fn not_saved(dir: &Path, folder: &str, attachments: &[Attachment]) -> Vec<Attachment> {
    let target = dir.join(safe_name(folder));
    let mut matched: Vec<PathBuf> = Vec::new();
    attachments
        .iter()
        .filter(|attachment| {
            let name = safe_name(&attachment.name);
            let found = names_in(&target, &name)
                .take_while(|path| fs::symlink_metadata(path).is_ok())
                .find(|path| {
                    !matched.contains(path)
                        && fs::read(path).is_ok_and(|bytes| bytes == attachment.content)
                });
            match found {
                Some(path) => {
                    matched.push(path);
                    false
                }
                None => true,
            }
        })
        .cloned()
        .collect()
}

/// A size for people: `12 KiB`, `1.5 MiB`, `300 bytes`.
pub fn size_words(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else if b >= KIB {
        format!("{:.0} KiB", b / KIB)
    } else if bytes == 1 {
        "1 byte".to_string()
    } else {
        format!("{bytes} bytes")
    }
}

/// Refuses a `--attachments DIR` (relative to `cwd`) inside the case files
/// (`cases_dir`), inside the log's own working folder (`.caselog/` in
/// `log_root`) or inside a `.git` folder: there a sender's file named
/// `20261101-zzzzz.toml` would read as a case, a cache or git's own. Links
/// on the way are followed, so a link to `cases/` is refused too. Nothing
/// is written. The rule is `site --out`'s (`site::output`), kept here
/// apart so the two can change on their own.
pub fn check_folder(dir: &Path, cwd: &Path, log_root: &Path, cases_dir: &Path) -> Result<()> {
    let shown = dir.display().to_string();
    let refuse = |why: &str| -> Result<()> {
        Err(InputError::Invalid(format!(
            "--attachments {shown} is {why}; a sender names the files, so give a folder of their own outside the case log's files (e.g. /srv/complaint-attachments); nothing was written"
        ))
        .into())
    };
    let dir = resolved(&cwd.join(dir), false)?;
    let log_root = resolved(log_root, false)?;
    let cases_dir = resolved(cases_dir, false)?;
    if dir.starts_with(&cases_dir) {
        return refuse("inside cases/");
    }
    if dir.starts_with(log_root.join(crate::store::WORK_DIR)) {
        return refuse(&format!("inside {}/", crate::store::WORK_DIR));
    }
    if dir.components().any(|c| c.as_os_str() == ".git") {
        return refuse("inside .git/");
    }
    Ok(())
}

/// The files of one message, written and synced inside DIR but not yet in
/// place. Dropped without [`Staged::place`], they are removed, and so are
/// the folders made for them (DIR, when it was missing): a message not
/// recorded leaves nothing behind.
pub struct Staged {
    dir: PathBuf,
    /// `None` once dropped.
    folder: Option<tempfile::TempDir>,
    files: Vec<(PathBuf, String)>,
    /// The folders [`stage`] made, the deepest first.
    made: Vec<PathBuf>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        drop(self.folder.take());
        // Only an empty folder goes: one that files reached stays.
        for folder in &self.made {
            if fs::remove_dir(folder).is_err() {
                break;
            }
        }
    }
}

/// Writes `attachments` into a new folder inside `dir` (made if missing).
pub fn stage(dir: &Path, attachments: &[Attachment]) -> Result<Staged> {
    let shown = dir.display().to_string();
    let mut made = Vec::new();
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(InputError::Invalid(format!(
                "--attachments {shown} is not a folder; nothing was written"
            ))
            .into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            made = dir
                .ancestors()
                .take_while(|folder| {
                    !folder.as_os_str().is_empty() && fs::symlink_metadata(folder).is_err()
                })
                .map(Path::to_path_buf)
                .collect();
            fs::create_dir_all(dir).with_context(|| format!("making the folder {shown}"))?;
        }
        Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
    }
    let mut staged = Staged {
        dir: dir.to_path_buf(),
        folder: None,
        files: Vec::with_capacity(attachments.len()),
        made,
    };
    let folder = tempfile::Builder::new()
        .prefix(".caselog-incoming-")
        .tempdir_in(dir)
        .with_context(|| format!("making a temporary folder in {shown}"))?;
    let folder = staged.folder.insert(folder).path().to_path_buf();
    for (i, attachment) in attachments.iter().enumerate() {
        // Numbered by position: two attachments may share a name.
        let path = folder.join(i.to_string());
        let mut file =
            File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        file.write_all(&attachment.content)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing an attachment in {shown}"))?;
        staged.files.push((path, safe_name(&attachment.name)));
    }
    Ok(staged)
}

impl Staged {
    /// Moves the files into `DIR/<folder>/`, each under its safe name,
    /// numbered when the name is taken (never replacing a file), and
    /// returns where they went. `folder` is a case id.
    pub fn place(mut self, folder: &str) -> Result<Vec<PathBuf>> {
        // DIR is in use from here on, whatever happens.
        self.made.clear();
        let target = self.dir.join(safe_name(folder));
        let shown = target.display().to_string();
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => anyhow::bail!("{shown} is not a folder (a link or a file is in its place)"),
            Err(_) => fs::create_dir(&target)
                .or_else(|e| {
                    // Made meanwhile by another caselog: fine if a folder.
                    if fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .with_context(|| format!("making the folder {shown}"))?,
        }
        let mut placed = Vec::with_capacity(self.files.len());
        for (staged, name) in &self.files {
            placed.push(place_one(staged, &target, name)?);
        }
        Ok(placed)
    }
}

/// The paths a file called `name` may take in `folder`, in the order
/// they are tried: `name`, then numbered (`invoice-2.pdf`), up to a bound.
fn names_in<'a>(folder: &'a Path, name: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
    (1..=1000).map(move |n| folder.join(numbered(name, n)))
}

/// Moves `staged` into `folder` as `name`, or the first free numbered name.
fn place_one(staged: &Path, folder: &Path, name: &str) -> Result<PathBuf> {
    for path in names_in(folder, name) {
        // A hard link never replaces: it fails when the name is taken
        // (by a file, a folder or a link, dangling or not).
        match fs::hard_link(staged, &path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                // A file system without hard links: copy to a new file.
                match OpenOptions::new().write(true).create_new(true).open(&path) {
                    Ok(mut file) => {
                        let bytes = fs::read(staged)?;
                        file.write_all(&bytes)
                            .and_then(|()| file.sync_all())
                            .with_context(|| format!("writing {}", path.display()))?;
                        return Ok(path);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e).with_context(|| format!("writing {}", path.display())),
                }
            }
        }
    }
    anyhow::bail!("no free name for {name} in {}", folder.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_folders_dots_and_controls() {
        assert_eq!(safe_name("invoice.pdf"), "invoice.pdf");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(safe_name(".."), "attachment");
        assert_eq!(safe_name("."), "attachment");
        assert_eq!(safe_name("/"), "attachment");
        assert_eq!(safe_name(""), "attachment");
        assert_eq!(safe_name(".bashrc"), "bashrc");
        assert_eq!(safe_name("a\u{1b}[31m\u{202e}fdp.exe"), "a[31mfdp.exe");
        assert_eq!(safe_name("con:tract?.pdf"), "con_tract_.pdf");
        assert_eq!(safe_name("line\nbreak.txt"), "line break.txt");
        assert_eq!(
            safe_name("../4111111111111111.pdf"),
            "____ ____ ____ 1111.pdf"
        );
        let long = format!("{}.pdf", "é".repeat(200));
        let short = safe_name(&long);
        assert!(
            short.len() <= NAME_MAX && short.ends_with(".pdf"),
            "{short}"
        );
    }

    #[test]
    fn names_windows_takes_for_devices_are_kept_apart() {
        for (raw, safe) in [
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("Aux.tar.gz", "_Aux.tar.gz"),
            ("com1.pdf", "_com1.pdf"),
            ("LPT9", "_LPT9"),
            ("lpt¹.txt", "_lpt¹.txt"),
            ("CON .txt", "_CON .txt"),
            ("conin$", "_conin$"),
            ("../../PRN", "_PRN"),
        ] {
            assert_eq!(safe_name(raw), safe, "{raw}");
        }
        for kept in [
            "console.txt",
            "com10.pdf",
            "nullable.txt",
            "COM.txt",
            "my CON.txt",
            "aux-report.pdf",
        ] {
            assert_eq!(safe_name(kept), kept);
        }
    }

    #[test]
    fn taken_names_are_numbered_before_the_extension() {
        assert_eq!(numbered("invoice.pdf", 1), "invoice.pdf");
        assert_eq!(numbered("invoice.pdf", 2), "invoice-2.pdf");
        assert_eq!(numbered("README", 3), "README-3");
        assert_eq!(numbered(".hidden", 2), ".hidden-2");
    }

    #[test]
    fn staged_files_land_in_the_case_folder_and_never_replace_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, content: &str| Attachment {
            name: name.into(),
            content: content.as_bytes().to_vec(),
        };
        let first = stage(dir.path(), &[file("a.txt", "one"), file("a.txt", "two")]).unwrap();
        let placed = first.place("20261122-7kq3m").unwrap();
        let case = dir.path().join("20261122-7kq3m");
        assert_eq!(placed, [case.join("a.txt"), case.join("a-2.txt")]);
        let again = stage(dir.path(), &[file("../a.txt", "three")]).unwrap();
        assert_eq!(
            again.place("20261122-7kq3m").unwrap(),
            [case.join("a-3.txt")]
        );
        assert_eq!(fs::read_to_string(case.join("a.txt")).unwrap(), "one");
        // Nothing else is left in DIR: the staging folders are gone.
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["20261122-7kq3m"]);
    }

    #[test]
    fn folders_made_for_files_never_placed_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("incoming/mail");
        let file = Attachment {
            name: "x".into(),
            content: vec![1],
        };
        drop(stage(&deep, std::slice::from_ref(&file)).unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        stage(&deep, &[file])
            .unwrap()
            .place("20261122-7kq3m")
            .unwrap();
        assert!(deep.join("20261122-7kq3m/x").is_file());
    }

    #[test]
    fn files_staged_but_never_placed_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let staged = stage(
            dir.path(),
            &[Attachment {
                name: "x".into(),
                content: vec![1, 2, 3],
            }],
        )
        .unwrap();
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_case_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("20261122-7kq3m")).unwrap();
        let staged = stage(
            dir.path(),
            &[Attachment {
                name: "x".into(),
                content: vec![1],
            }],
        )
        .unwrap();
        assert!(staged.place("20261122-7kq3m").is_err());
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_inside_the_case_files_or_the_logs_own_folders_is_refused() {
        let log = tempfile::tempdir().unwrap();
        let root = log.path();
        fs::create_dir_all(root.join("cases/2026")).unwrap();
        let check = |dir: &str| check_folder(Path::new(dir), root, root, &root.join("cases"));
        for bad in [
            "cases",
            "cases/2026",
            "cases/new/deeper",
            "./cases",
            "other/../cases",
            ".caselog",
            ".caselog/incoming",
            ".git",
            "sub/.git/x",
        ] {
            let err = check(bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("--attachments {bad} is inside")),
                "{err}"
            );
        }
        for good in [
            "incoming",
            "cases-incoming",
            "../attachments",
            "/tmp/x",
            ".",
        ] {
            check(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("cases"), root.join("linked")).unwrap();
            assert!(check("linked/new").is_err());
        }
        assert_eq!(
            fs::read_dir(root).unwrap().count(),
            if cfg!(unix) { 2 } else { 1 }
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_words(300), "300 bytes");
        assert_eq!(size_words(1), "1 byte");
        assert_eq!(size_words(0), "0 bytes");
        assert_eq!(size_words(12 * 1024), "12 KiB");
        assert_eq!(size_words(1536 * 1024), "1.5 MiB");
    }
}
