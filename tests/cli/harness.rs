//! A readable builder for driving the real `caselog` binary in a
//! temporary case log, with the clock and the acting person pinned.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_caselog");
/// The pinned "now" of every command unless a test says otherwise.
pub const NOW: &str = "2026-11-22T09:00:00Z";
/// What the machine's clock reads in tests, unless a test says otherwise.
pub const SYSTEM_CLOCK: &str = "2100-01-01T00:00:00Z";

/// A temporary case log.
pub struct Log {
    dir: TempDir,
}

impl Log {
    /// A folder with `caselog init` run in it.
    pub fn new() -> Log {
        let log = Log::empty();
        log.run(["init"]).ok();
        log
    }

    /// A folder with nothing in it.
    pub fn empty() -> Log {
        Log {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command run in the log's folder.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(BIN);
        command.args(args);
        self.prepared(command)
    }

    /// A command run under a shell limit (`ulimit`): `-f 16` caps files at
    /// 16 KiB, so a write past it fails as on a full disk (the signal such
    /// a write raises is ignored, and the write returns an error); `-n 64`
    /// caps the files open at once.
    pub fn run_limited<I, S>(&self, limit: &str, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(format!("trap '' XFSZ; ulimit {limit}; exec \"$0\" \"$@\""))
            .arg(BIN)
            .args(args);
        self.prepared(command)
    }

    /// A command run with the file mode creation mask `umask` (`027`),
    /// as a shell that set it would run it.
    pub fn run_with_umask<I, S>(&self, umask: &str, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(BIN)
            .args(args);
        self.prepared(command)
    }

    /// Whether [`Log::run_unprivileged`] can run here: not as root, or
    /// as root with `setpriv` to hand.
    #[cfg(target_os = "linux")]
    pub fn can_run_unprivileged() -> bool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        !root
            || Command::new("setpriv")
                .arg("--version")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
    }

    /// A command run without the privilege to read past a file's mode: as
    /// it is when not run by root; as root, without the two capabilities
    /// that let root read any file (through util-linux's `setpriv`).
    #[cfg(target_os = "linux")]
    pub fn run_unprivileged<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return self.run(args);
        }
        let mut command = Command::new("setpriv");
        let caps = "-dac_override,-dac_read_search";
        command
            .arg(format!("--inh-caps={caps}"))
            .arg(format!("--bounding-set={caps}"))
            .arg(BIN)
            .args(args);
        self.prepared(command)
    }

    /// A `caselog` process set up as [`Log::run`] sets one up, with its
    /// output piped and no input, for what a `Run` cannot do: time it,
    /// kill it, watch its stderr as it comes, or feed it input it will not
    /// read.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.args(args);
        let mut command = self.prepared(command).command;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// A `bash` in the log's folder with the environment a [`Log::run`]
    /// gets and `caselog` first on its `PATH`, reading its commands from
    /// a pipe, its output (stdout and stderr) piped back.
    pub fn shell(&self) -> Command {
        let mut command = Command::new("bash");
        command.args(["--noprofile", "--norc"]);
        let mut command = self.prepared(command).command;
        let bin = Path::new(BIN).parent().expect("the binary's folder");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path)),
        )
        .expect("a PATH");
        command
            .env("PATH", path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    }

    /// `command` in the log's folder, with the clock, the person and the
    /// terminal pinned.
    fn prepared(&self, mut command: Command) -> Run {
        command.current_dir(self.path());
        for variable in [
            "CASELOG_DIR",
            "CASELOG_NOW",
            "CASELOG_USER",
            "CASELOG_SYSTEM_CLOCK",
            "VISUAL",
            "EDITOR",
            // What the person's terminal and shell may set: tests see
            // UTC, no colour, no pager and no width unless they ask.
            "TZ",
            "NO_COLOR",
            "CLICOLOR",
            "CLICOLOR_FORCE",
            "COLUMNS",
            "PAGER",
            "CASELOG_PAGER",
            "LESS",
            "COMPLETE",
        ] {
            command.env_remove(variable);
        }
        command
            .env("CASELOG_NOW", NOW)
            // Tests live on their own calendar: the machine's clock is
            // pinned far ahead, so no pinned time counts as "in the future".
            .env("CASELOG_SYSTEM_CLOCK", SYSTEM_CLOCK)
            .env("CASELOG_USER", "ana@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        Run {
            command,
            stdin: None,
        }
    }

    /// Opens a typical complaint and returns its id. Quietly: many tests
    /// open look-alike cases, and the hints about them are tested alone.
    pub fn open(&self, extra: &[&str]) -> String {
        let mut args = vec![
            "open",
            "--quiet",
            "--title",
            "Refund not received",
            "--customer",
            "Maria López",
            "--summary",
            "I cancelled order A-1001 and was promised a refund.",
        ];
        args.extend_from_slice(extra);
        self.run(args)
            .at("2026-11-20T09:15:00Z")
            .ok()
            .trim()
            .to_string()
    }

    pub fn case_path(&self, id: &str) -> PathBuf {
        self.path()
            .join("cases")
            .join(&id[0..4])
            .join(&id[4..6])
            .join(format!("{id}.toml"))
    }

    pub fn case_text(&self, id: &str) -> String {
        std::fs::read_to_string(self.case_path(id)).expect("the case file")
    }

    /// The case as `show --format json` reports it.
    pub fn case_json(&self, id: &str) -> serde_json::Value {
        let out = self.run(["show", id, "--format", "json"]).ok();
        serde_json::from_str(&out).expect("show --format json is JSON")
    }

    /// Every file below the log with its bytes, to prove nothing was written.
    /// The lock file and caselog's work folder (`.caselog/`: the index, a
    /// cache any command may refresh, and temporary files) are left out:
    /// they are git-ignored and hold no case.
    pub fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let work = self.path().join(".caselog");
        walkdir::WalkDir::new(self.path())
            .into_iter()
            .filter_entry(|e| e.path() != work)
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.file_name() != ".caselog.lock")
            .map(|e| {
                (
                    e.path().to_path_buf(),
                    std::fs::read(e.path()).expect("readable"),
                )
            })
            .collect()
    }
}

/// Writes `bytes` to the child's input. A command may refuse before it
/// reads its input, and exit: the pipe is then closed, which is no fault.
fn feed(child: &mut std::process::Child, bytes: &[u8]) {
    let written = child.stdin.take().expect("piped").write_all(bytes);
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
}

/// One command about to run.
pub struct Run {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Run {
    /// Pins the clock.
    pub fn at(mut self, now: &str) -> Run {
        self.command.env("CASELOG_NOW", now);
        self
    }

    /// Acts as `person` through `--by`.
    pub fn by(mut self, person: &str) -> Run {
        self.command.args(["--by", person]);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Run {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Run {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Run {
        self.command.current_dir(dir);
        self
    }

    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(text.into());
        self
    }

    pub fn output(mut self) -> Output {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("caselog starts");
        if let Some(bytes) = self.stdin.take() {
            feed(&mut child, &bytes);
        }
        child.wait_with_output().expect("caselog finishes")
    }

    /// Runs with standard output a pipe nobody reads any more (a `| head`
    /// that has exited), so every write to it fails.
    pub fn output_into_a_closed_pipe(mut self) -> Output {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(writer)
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("caselog starts");
        if let Some(bytes) = self.stdin.take() {
            feed(&mut child, &bytes);
        }
        child.wait_with_output().expect("caselog finishes")
    }

    /// Runs, expects success and a quiet stderr, returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        let out = self.output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "expected success, got {}: {stderr}",
            out.status
        );
        // A change that waited over a second for another one's lock says
        // so: a matter of the machine's load, never of the behaviour.
        let unexpected: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("waiting for another caselog changing this log"))
            .collect();
        assert!(unexpected.is_empty(), "unexpected stderr: {stderr}");
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs, expects exit `code` and nothing on stdout, returns stderr.
    #[track_caller]
    pub fn fails(self, code: i32) -> String {
        let out = self.output();
        let stderr = String::from_utf8(out.stderr).expect("UTF-8 errors");
        assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "unexpected stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr
    }
}

/// Replaces a generated id so snapshots are stable.
pub fn redact(text: &str, id: &str) -> String {
    text.replace(id, "<ID>")
}

/// What a command printed to a terminal `columns` wide (a pseudo-terminal
/// as its standard output), with its exit code; standard error is not a
/// terminal and is left out.
#[cfg(unix)]
pub fn in_terminal(run: Run, columns: u16) -> (Option<i32>, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};

    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 50,
        ws_col: columns,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors we then own.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "a pseudo-terminal");
    // SAFETY: both are open descriptors owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut command = run.command;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(slave))
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("caselog starts");
    // The child holds the terminal's other end now; ours is closed with
    // `command`, so reading ends when the child is done.
    drop(command);
    let mut master = std::fs::File::from(master);
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match master.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            // Linux says EIO once the last writer has gone.
            Err(_) => break,
        }
    }
    let status = child.wait().expect("caselog finishes");
    (
        status.code(),
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n"),
    )
}

/// A command run with a pseudo-terminal as its standard input, as a
/// person at a terminal runs it (so it may open `$EDITOR`); its output
/// and errors are captured as usual.
#[cfg(unix)]
pub fn with_terminal_input(run: Run) -> Output {
    use std::os::fd::{FromRawFd, OwnedFd};

    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two descriptors we then own.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "a pseudo-terminal");
    // SAFETY: both are open descriptors owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut command = run.command;
    command
        .stdin(Stdio::from(slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = command.output().expect("caselog runs");
    drop(master);
    out
}

/// A small deterministic generator (splitmix64) for tests that try many
/// random rounds: the same round fails again the same way, without a crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True once in `one_in` times.
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// One of `from`.
    pub fn pick<'a, T: ?Sized>(&mut self, from: &[&'a T]) -> &'a T {
        from[self.below(from.len())]
    }
}
