//! Everything caselog asks of git, in one place: which case files a range
//! of commits touched, a file's text at a revision, a case's commits, the
//! merge driver's registration and its plain-text fallback, and the
//! acting person's `user.email`. Below it: what a change did to a case in
//! words ([`history`]) and the three-way merge of a case ([`merge`]).

pub mod history;
pub mod merge;
pub mod purge;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::error::InputError;

/// Runs git in `dir` and returns its standard output.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("running git (is it installed?)")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        return Err(InputError::Invalid(format!("git {}: {first}", args.join(" "))).into());
    }
    Ok(output.stdout)
}

/// Refuses, in words, a folder whose history git cannot tell: one that
/// is in no git work tree.
pub fn require_history(dir: &Path) -> Result<()> {
    runs().context("running git (is it installed?)")?;
    if !is_work_tree(dir) {
        return Err(InputError::Invalid(format!(
            "{} is not in a git repository: `changes` and `log` read the case files' history from git commits",
            dir.display()
        ))
        .into());
    }
    Ok(())
}

/// Whether the repository at `dir` has a commit at HEAD.
fn has_commits(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).is_ok()
}

/// A revision range as the user wrote it: `A..B`, `A...B` (from their merge
/// base, as a pull request shows), `A` (up to HEAD), or `A^!` (the commit
/// `A` alone); as two commits, or for a root commit alone, git's empty
/// tree and the commit.
pub fn resolve_range(dir: &Path, range: &str) -> Result<(String, String)> {
    if range.trim().is_empty() {
        return Err(InputError::Invalid(
            "the range is empty: give one such as main..HEAD, main...HEAD, HEAD~3 or HEAD^!".into(),
        )
        .into());
    }
    if let Some(rev) = range.strip_suffix("^!") {
        let (_, commit) = resolve_range(dir, &format!("{rev}..{rev}"))?;
        // A root commit has no parent: it is told against nothing, as
        // `git show` tells it, so the cases it opened are told opened.
        let parent = match git(
            dir,
            &["rev-parse", "--verify", "--quiet", &format!("{commit}^1")],
        ) {
            Ok(parent) => parent,
            Err(_) => git(dir, &["hash-object", "-t", "tree", "--stdin"])?,
        };
        return Ok((String::from_utf8_lossy(&parent).trim().to_string(), commit));
    }
    let (from, to, merge_base) = if let Some((a, b)) = range.split_once("...") {
        (a, b, true)
    } else if let Some((a, b)) = range.split_once("..") {
        (a, b, false)
    } else {
        (range, "HEAD", false)
    };
    let to = if to.is_empty() { "HEAD" } else { to };
    let from = if from.is_empty() { "HEAD" } else { from };
    let commit = |rev: &str| -> Result<String> {
        let out = git(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| {
            let why = if has_commits(dir) {
                ""
            } else {
                " (this repository has no commits yet)"
            };
            InputError::Invalid(format!("'{rev}' is not a commit here{why}"))
        })?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    };
    let (from, to) = (commit(from)?, commit(to)?);
    if merge_base {
        let (a, b) = range.split_once("...").unwrap_or((range, ""));
        let base = git(dir, &["merge-base", &from, &to]).map_err(|_| {
            InputError::Invalid(format!(
                "'{}' and '{}' have no commit in common here (unrelated histories, or a shallow clone: `git fetch --unshallow`)",
                if a.is_empty() { "HEAD" } else { a },
                if b.is_empty() { "HEAD" } else { b },
            ))
        })?;
        return Ok((String::from_utf8_lossy(&base).trim().to_string(), to));
    }
    Ok((from, to))
}

/// How a file changed between two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    Added(String),
    Deleted(String),
    Modified(String),
    Renamed { from: String, to: String },
}

/// The case files (`*.toml` below `cases/`) that differ between two
/// commits, with paths relative to `dir`.
pub fn changed_case_files(dir: &Path, from: &str, to: &str) -> Result<Vec<FileChange>> {
    let out = git(
        dir,
        &[
            "diff",
            "--relative",
            "--name-status",
            "-M",
            "-z",
            from,
            to,
            "--",
            "cases",
        ],
    )?;
    let fields: Vec<String> = out
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let mut changes = Vec::new();
    let mut i = 0;
    while i < fields.len() {
        let status = fields[i].as_str();
        let take = |n: usize| fields.get(i + n).cloned().unwrap_or_default();
        let change = match status.chars().next() {
            Some('A') => FileChange::Added(take(1)),
            Some('D') => FileChange::Deleted(take(1)),
            Some('R') | Some('C') => {
                let (from, to) = (take(1), take(2));
                i += 3;
                // git pairs files by similar content; a case's file name is
                // its id, so only the same name in another folder is a move.
                let name = |p: &str| Path::new(p).file_name().map(|n| n.to_os_string());
                if name(&from) == name(&to) && status.starts_with('R') {
                    changes.push(FileChange::Renamed { from, to });
                } else {
                    if status.starts_with('R') {
                        changes.push(FileChange::Deleted(from));
                    }
                    changes.push(FileChange::Added(to));
                }
                continue;
            }
            Some(_) => FileChange::Modified(take(1)),
            None => bail!("unexpected git diff output"),
        };
        i += 2;
        changes.push(change);
    }
    // A move and a change in one commit may leave too little alike for
    // git to pair the two files; their name, the case's id, pairs them.
    let name = |p: &str| Path::new(p).file_name().map(|n| n.to_os_string());
    let mut k = 0;
    while k < changes.len() {
        let moved = match &changes[k] {
            FileChange::Deleted(from) => changes
                .iter()
                .position(|c| matches!(c, FileChange::Added(to) if name(to) == name(from)))
                .map(|j| (from.clone(), j)),
            _ => None,
        };
        if let Some((from, j)) = moved
            && let FileChange::Added(to) = changes.remove(j)
        {
            let at = if j < k { k - 1 } else { k };
            changes[at] = FileChange::Renamed { from, to };
            k = at;
        }
        k += 1;
    }
    changes.retain(|c| {
        let path = match c {
            FileChange::Added(p) | FileChange::Deleted(p) | FileChange::Modified(p) => p,
            FileChange::Renamed { to, .. } => to,
        };
        path.ends_with(".toml")
    });
    Ok(changes)
}

/// The case files (`*.toml` below `cases/`) whose working copy differs
/// from HEAD, staged or not, relative to `dir`: one `git diff`. Empty when
/// the repository has no commit yet.
pub fn changed_since_head(dir: &Path) -> Result<Vec<String>> {
    if git(dir, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).is_err() {
        return Ok(Vec::new());
    }
    let out = git(
        dir,
        &[
            "diff",
            "--relative",
            "--name-only",
            "--no-renames",
            "-z",
            "HEAD",
            "--",
            "cases",
        ],
    )?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .filter(|p| p.ends_with(".toml"))
        .collect())
}

/// The files below `cases/` a merge left unsettled in git's index (each
/// once), relative to `dir`; none, without asking git, where no `.git` is
/// found above `dir`.
pub fn unmerged(dir: &Path) -> Result<Vec<String>> {
    let in_repository =
        std::env::var_os("GIT_DIR").is_some() || dir.ancestors().any(|d| d.join(".git").exists());
    if !in_repository {
        return Ok(Vec::new());
    }
    let out = git(dir, &["ls-files", "--unmerged", "-z", "--", "cases"])?;
    let mut paths: Vec<String> = out
        .split(|b| *b == 0)
        .filter_map(|entry| {
            // `mode object stage<TAB>path`
            let tab = entry.iter().position(|&b| b == b'\t')?;
            Some(String::from_utf8_lossy(&entry[tab + 1..]).into_owned())
        })
        .collect();
    paths.dedup();
    Ok(paths)
}

/// Why git, in this clone, would merge a case file line by line instead
/// of through caselog's merge driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverGap {
    /// No `.gitattributes` line sends the file to the driver.
    NotAttributed,
    /// The clone's git config has no driver (git does not clone config).
    NotRegistered,
    /// The driver registered runs a caselog that is no longer there.
    Gone(std::path::PathBuf),
}

/// What keeps git from merging `path` (relative to `dir`) through
/// caselog's merge driver; `None` when it would.
pub fn driver_gap(dir: &Path, path: &str) -> Option<DriverGap> {
    let attribute = git(dir, &["check-attr", "-z", "merge", "--", path]).ok()?;
    // `path NUL merge NUL value NUL`
    let value = attribute.split(|b| *b == 0).nth(2).unwrap_or_default();
    if value != b"caselog" {
        return Some(DriverGap::NotAttributed);
    }
    let Ok(driver) = git(dir, &["config", "--get", "merge.caselog.driver"]) else {
        return Some(DriverGap::NotRegistered);
    };
    // `init --git` writes the program's path first, in single quotes (a
    // quote within as `'\''`); a driver written otherwise is not judged.
    let driver = String::from_utf8_lossy(&driver);
    let program = quoted_program(driver.trim())?;
    (!program.exists()).then_some(DriverGap::Gone(program))
}

/// The program of a shell command that starts with a single-quoted word.
fn quoted_program(command: &str) -> Option<std::path::PathBuf> {
    let mut rest = command.strip_prefix('\'')?;
    let mut program = String::new();
    loop {
        let (part, after) = rest.split_once('\'')?;
        program.push_str(part);
        match after.strip_prefix("\\''") {
            Some(more) => {
                program.push('\'');
                rest = more;
            }
            None => return Some(program.into()),
        }
    }
}

/// Files at revisions, read through one long-lived `git cat-file --batch`
/// process: describing a commit that touched 500 cases costs one process,
/// not a thousand.
pub struct Blobs {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Blobs {
    /// Starts the reader in `dir` (paths are then relative to it).
    pub fn open(dir: &Path) -> Result<Blobs> {
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("running git (is it installed?)")?;
        let input = child.stdin.take().context("git cat-file's input")?;
        let output = child.stdout.take().context("git cat-file's output")?;
        Ok(Blobs {
            child,
            input: Some(input),
            output: BufReader::new(output),
        })
    }

    /// The bytes of `path` at `commit`; `None` when it does not exist there.
    pub fn bytes(&mut self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        if path.contains('\n') {
            // git cat-file reads one name a line: this one would be two.
            bail!("{path}: a path with a line break cannot be read through git cat-file");
        }
        let input = self.input.as_mut().context("git cat-file has stopped")?;
        writeln!(input, "{commit}:./{path}")
            .and_then(|()| input.flush())
            .context("asking git cat-file for a file")?;
        let mut header = String::new();
        self.output
            .read_line(&mut header)
            .context("reading git cat-file's answer")?;
        if header.is_empty() {
            bail!("git cat-file stopped answering");
        }
        // A file found is `<object id> <type> <size>`; one not found is the
        // name asked for (which may hold spaces) and `missing`.
        let fields: Vec<&str> = header.split_whitespace().collect();
        let found = match fields.as_slice() {
            [id, kind, size] if id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                size.parse::<usize>().ok().map(|size| (*kind, size))
            }
            _ => None,
        };
        let Some((kind, size)) = found else {
            // "missing", or "ambiguous".
            return Ok(None);
        };
        let mut bytes = vec![0; size + 1];
        self.output
            .read_exact(&mut bytes)
            .context("reading a file from git cat-file")?;
        bytes.pop(); // The newline after the contents.
        // A tree or commit where a file was asked: no file there.
        Ok((kind == "blob").then_some(bytes))
    }

    /// The text of `path` at `commit`; `None` when it does not exist there.
    pub fn text(&mut self, commit: &str, path: &str) -> Result<Option<String>> {
        self.bytes(commit, path)?
            .map(|bytes| {
                String::from_utf8(bytes).with_context(|| format!("{path} at {commit} is not UTF-8"))
            })
            .transpose()
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        // Closing its input ends git cat-file.
        self.input.take();
        let _ = self.child.wait();
    }
}

/// One commit that touched a file, newest first.
#[derive(Debug, Clone)]
pub struct Commit {
    pub hash: String,
    pub author: String,
    pub date: String,
    pub subject: String,
    /// The file's path in this commit (it may have been renamed since).
    pub path: String,
}

/// The commits that touched the case `id`'s file, newest first. A case's
/// file name is its id wherever it is moved to, so this selects it exactly
/// in any folder, rather than guessing renames from content as
/// `git log --follow` does (similar complaints would fool that).
pub fn case_history(dir: &Path, id: &str, blobs: &mut Blobs) -> Result<Vec<Commit>> {
    if !has_commits(dir) {
        // No commit yet: no history, as for a case not committed yet.
        return Ok(Vec::new());
    }
    let path = format!("{id}.toml");
    let pathspec = format!(":(glob)cases/**/{path}");
    // Records and fields are marked with a word nobody can know in
    // advance: a commit's subject or author may hold any character, and
    // must not pass for another commit (a forged author, date or hash).
    let word = crate::hex::random(8)
        .map_err(|e| anyhow::anyhow!("no random bytes to read git's log with: {e}"))?;
    let (record_mark, field_mark) = (format!("\u{1e}{word}"), format!("\u{1f}{word}"));
    let format = format!("--format=%x1e{word}%H%x1f{word}%an <%ae>%x1f{word}%aI%x1f{word}%s");
    let out = git(
        dir,
        &[
            "log",
            "--relative",
            "--name-only",
            // Paths as they are, whatever `core.quotepath` says: a quoted
            // name (a folder in any non-ASCII letter) names no file.
            "-z",
            // The root commit's files too, whatever `log.showRoot` says.
            "--root",
            "--no-show-signature",
            // A merge lists what it changed against the branch merged
            // into; by default it lists nothing, and the case's file would
            // seem gone from it.
            "--diff-merges=first-parent",
            &format,
            "--",
            &pathspec,
        ],
    )?;
    let out = String::from_utf8_lossy(&out);
    let mut commits = Vec::new();
    for record in out.split(record_mark.as_str()).filter(|r| !r.is_empty()) {
        // The header, a NUL, then each file the commit touched, NUL-ended.
        let parts: Vec<&str> = record.splitn(4, field_mark.as_str()).collect();
        let (subject, files) = match parts.get(3) {
            Some(last) => last.split_once('\0').unwrap_or((last, "")),
            None => continue,
        };
        // A move lists both paths; the one that exists in the commit is kept.
        let files: Vec<String> = files
            .split('\0')
            .map(|f| f.trim_start_matches('\n').to_string())
            .filter(|f| !f.is_empty())
            .collect();
        let commit = parts.first().copied().unwrap_or("");
        let mut file = files.first().map_or(path.as_str(), String::as_str);
        for candidate in &files {
            if blobs.bytes(commit, candidate)?.is_some() {
                file = candidate;
                break;
            }
        }
        commits.push(Commit {
            hash: parts[0].to_string(),
            author: parts[1].to_string(),
            date: parts[2].to_string(),
            subject: subject.to_string(),
            path: file.to_string(),
        });
    }
    Ok(commits)
}

/// The ids of cases whose files some commit deleted (they may be back
/// since), each once: what `log` can still tell of a case no longer in the
/// log. Names that are no case id are left out.
pub fn deleted_case_ids(dir: &Path) -> Result<Vec<String>> {
    if !has_commits(dir) {
        return Ok(Vec::new());
    }
    let out = git(
        dir,
        &[
            "log",
            "--relative",
            "--diff-filter=D",
            "--name-only",
            "-z",
            "--format=",
            "--no-show-signature",
            "--",
            ":(glob)cases/**/*.toml",
        ],
    )?;
    let mut ids: Vec<String> = String::from_utf8_lossy(&out)
        .split('\0')
        .filter_map(|path| {
            let name = path.trim_start_matches('\n').rsplit('/').next()?;
            let stem = name.strip_suffix(".toml")?;
            crate::case::id::CaseId::parse_full(stem).map(|_| stem.to_string())
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The commits whose parents a shallow clone does not hold (none in a
/// full clone): what they changed cannot be told.
pub fn shallow_commits(dir: &Path) -> Result<Vec<String>> {
    let out = git(dir, &["rev-parse", "--git-path", "shallow"])?;
    let path = dir.join(String::from_utf8_lossy(&out).trim());
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().map(|l| l.trim().to_string()).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// git's `user.email` as seen from `dir`, when set.
pub fn user_email(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["config", "--get", "user.email"])
        .current_dir(dir)
        .output()
        .ok()?;
    let email = String::from_utf8(output.stdout).ok()?;
    let email = email.trim();
    (output.status.success() && !email.is_empty()).then(|| email.to_string())
}

/// Stores `path`'s contents as a git object and returns its id, so a
/// history rewrite can put it in place of earlier versions.
pub fn store_blob(dir: &Path, path: &Path) -> Result<String> {
    let path = path.to_string_lossy();
    let out = git(dir, &["hash-object", "-w", "--", &path])?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

/// Whether the work tree at `dir` has changes to tracked files, staged
/// or not, that no commit holds.
pub fn has_uncommitted_changes(dir: &Path) -> Result<bool> {
    let out = git(dir, &["status", "--porcelain", "--untracked-files=no"])?;
    Ok(!out.is_empty())
}

/// Whether `git filter-repo` is installed.
pub fn has_filter_repo(dir: &Path) -> bool {
    git(dir, &["filter-repo", "--version"]).is_ok()
}

/// The URL of the remote `name`, when there is one.
pub fn remote_url(dir: &Path, name: &str) -> Option<String> {
    let out = git(dir, &["remote", "get-url", name]).ok()?;
    let url = String::from_utf8_lossy(&out).trim().to_string();
    (!url.is_empty()).then_some(url)
}

/// Commits `paths` (and only them) with `message`.
pub fn commit_paths(dir: &Path, paths: &[String], message: &str) -> Result<()> {
    let mut add = vec!["add", "--"];
    add.extend(paths.iter().map(String::as_str));
    git(dir, &add)?;
    let mut commit = vec!["commit", "--quiet", "-m", message, "--"];
    commit.extend(paths.iter().map(String::as_str));
    git(dir, &commit)?;
    Ok(())
}

/// Rewrites the history of the repository at `dir` with `git filter-repo`,
/// replacing blobs as `purge::blob_callback` says.
pub fn rewrite_history(dir: &Path, cases: &[purge::Purge]) -> Result<()> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let top = String::from_utf8_lossy(&top).trim().to_string();
    let callback = purge::blob_callback(cases);
    let mut args = vec!["filter-repo", "--force"];
    args.extend(purge::KEEP_EVERY_COMMIT);
    args.extend(["--blob-callback", &callback]);
    git(Path::new(&top), &args)?;
    Ok(())
}

/// The top folder of the work tree holding `dir`.
pub fn toplevel(dir: &Path) -> Option<std::path::PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    let top = String::from_utf8_lossy(&out).trim().to_string();
    (!top.is_empty()).then(|| std::path::PathBuf::from(top))
}

/// Whether git runs at all: `is_work_tree` is false when it does not,
/// which a refusal must not blame on the folder.
pub fn runs() -> std::io::Result<()> {
    Command::new("git").arg("--version").output().map(|_| ())
}

/// Whether `dir` is inside a git work tree.
pub fn is_work_tree(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--is-inside-work-tree"])
        .is_ok_and(|out| String::from_utf8_lossy(&out).trim() == "true")
}

/// Sets one key in the git config of the clone at `dir`.
pub fn set_config(dir: &Path, key: &str, value: &str) -> Result<()> {
    let status = Command::new("git")
        .args(["config", key, value])
        .current_dir(dir)
        .status()
        .context("running git (is it installed?)")?;
    if !status.success() {
        bail!("git config {key} failed ({status})");
    }
    Ok(())
}

/// What git does to a file without a merge driver: a line merge written
/// over `ours`, with conflict markers `marker_size` long. True when it
/// merged cleanly. An error when git could not merge at all (a binary
/// file): git says so by an exit code of 255, beside the count of
/// conflicts (at most 127) it gives otherwise.
pub fn merge_file(ours: &Path, base: &Path, theirs: &Path, marker_size: usize) -> Result<bool> {
    let output = Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(format!("--marker-size={marker_size}"))
        .args([ours, base, theirs])
        .stdin(Stdio::null())
        .output()
        .context("running git merge-file")?;
    match output.status.code() {
        Some(0) => Ok(true),
        Some(1..=127) => Ok(false),
        _ => bail!(
            "git merge-file could not merge ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::quoted_program;

    #[test]
    fn the_driver_s_program_is_read_back_as_init_quotes_it() {
        let read = |command: &str| quoted_program(command).map(|p| p.display().to_string());
        assert_eq!(
            read("'/opt/it'\\''s here/caselog' merge-driver %O %A %B").as_deref(),
            Some("/opt/it's here/caselog")
        );
        assert_eq!(read("caselog merge-driver %O %A %B"), None);
        assert_eq!(read("'/unclosed"), None);
    }
}
