//! A watcher that keeps account of what changed below `cases/`, so a pass
//! over the whole log learns what to read again without a stat of every
//! file: git's fsmonitor, for caselog.
//!
//! The watcher is one long-lived process (`caselog index --watch`) that
//! holds an inotify watch on every folder below `cases/` and answers on a
//! socket in the work folder. A pass asks "what changed since token T?"
//! and is told a new token and the paths (files or folders) touched after
//! T, or that anything may have changed: another watcher's token, a
//! watcher that lost events (the kernel's queue overflowed), or none at
//! all. The index records the token its pass asked for before it looked
//! at any file, so a change made while the pass read is in the next
//! answer. Anything uncertain (no watcher, a slow one, an answer that does
//! not parse) is "anything may have changed", and the pass stats every
//! file as it always did: the watcher can make a pass faster, never
//! change its answer.
//!
//! inotify queues an event in the system call that made the change, so
//! draining the queue after a question arrives sees every change made
//! before it was asked. Only Linux has it; elsewhere nothing answers.

use std::path::Path;
#[cfg(unix)]
use std::time::Duration;

/// The socket's name in the work folder.
pub const SOCKET: &str = "watch.sock";

/// Where the watcher's account stood when it answered: its instance (a
/// random number per run, so a token of an earlier run is never taken
/// for this one's) and how many answers it had given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub instance: u64,
    pub generation: u64,
}

/// What changed since the token asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Anything may have: the asker must look at every file.
    Anything,
    /// These paths below `cases/` (index keys: names joined by
    /// [`super::SEPARATOR`]), files or folders, each once, sorted.
    Paths(Vec<String>),
}

/// A watcher's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What to ask about next time.
    pub token: Token,
    pub changed: Changed,
}

/// The first line of every answer, so a reply from anything else is not
/// taken for one.
const HELLO: &str = "caselog-watch 1";

/// How long a pass waits for an answer before it stats every file
/// instead: a watcher busy with a checkout of thousands of files answers
/// in milliseconds, and one stopped (Ctrl-Z) costs each command this.
#[cfg(unix)]
const ASK_TIMEOUT: Duration = Duration::from_millis(250);

/// The longest answer read (about 100 bytes a path).
const ANSWER_BYTES: u64 = 256 * 1024 * 1024;

impl Token {
    fn request(since: Option<Token>) -> String {
        match since {
            Some(t) => format!("since {:016x} {}\n", t.instance, t.generation),
            None => "since none\n".to_string(),
        }
    }
}

/// Asks the log's watcher, if one runs, what changed since `since`.
/// `None` when nothing answers, or not well: the caller stats every file.
pub fn ask(work: &Path, since: Option<Token>) -> Option<Answer> {
    #[cfg(unix)]
    {
        use std::io::{Read, Write};
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let path = work.join(SOCKET);
        // The common case, no watcher: one stat.
        let meta = std::fs::symlink_metadata(&path).ok()?;
        // Only a socket of our own user's: another user's could tell us
        // nothing changed.
        // SAFETY: geteuid has no preconditions and cannot fail.
        if !meta.file_type().is_socket() || meta.uid() != unsafe { libc::geteuid() } {
            return None;
        }
        let mut stream = connect(work).ok()?;
        stream.set_read_timeout(Some(ASK_TIMEOUT)).ok()?;
        stream.set_write_timeout(Some(ASK_TIMEOUT)).ok()?;
        stream.write_all(Token::request(since).as_bytes()).ok()?;
        let mut bytes = Vec::new();
        stream.take(ANSWER_BYTES).read_to_end(&mut bytes).ok()?;
        parse_answer(&bytes)
    }
    #[cfg(not(unix))]
    {
        let _ = (work, since);
        None
    }
}

/// Tells the log's watcher to stop; whether one was there to tell.
pub fn stop(work: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::io::{Read, Write};
        let Ok(mut stream) = connect(work) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(ASK_TIMEOUT * 5));
        if stream.write_all(b"stop\n").is_err() {
            return false;
        }
        // It closes the connection once it has let go of the socket.
        let mut reply = Vec::new();
        let _ = stream.take(1024).read_to_end(&mut reply);
        reply.starts_with(b"stopped")
    }
    #[cfg(not(unix))]
    {
        let _ = work;
        false
    }
}

/// Connects to the socket in `work`. A socket's path is limited to about
/// 100 bytes; a longer one is reached through the open folder
/// (`/proc/self/fd/N/…`), where Linux has it.
#[cfg(unix)]
fn connect(work: &Path) -> std::io::Result<std::os::unix::net::UnixStream> {
    let path = work.join(SOCKET);
    if path.as_os_str().len() < 100 {
        return connect_now(&path);
    }
    through_folder(work, connect_now)
}

/// Connects without waiting: a watcher too busy (or stopped) to take a
/// connection is as good as none. A blocking connect to a full queue
/// would wait for ever.
#[cfg(unix)]
fn connect_now(path: &Path) -> std::io::Result<std::os::unix::net::UnixStream> {
    use socket2::{Domain, SockAddr, Socket, Type};
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    socket.connect(&SockAddr::unix(path)?)?;
    socket.set_nonblocking(false)?;
    Ok(std::os::fd::OwnedFd::from(socket).into())
}

/// Runs `reach` on a short path to the socket in `work`: through the open
/// folder, which stays open while it runs.
#[cfg(unix)]
fn through_folder<T>(
    work: &Path,
    reach: impl FnOnce(&Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    use std::os::fd::AsRawFd;
    let folder = std::fs::File::open(work)?;
    let short = format!("/proc/self/fd/{}/{SOCKET}", folder.as_raw_fd());
    reach(Path::new(&short))
}

/// Reads an answer: `None` for anything not exactly as the watcher
/// writes it.
fn parse_answer(bytes: &[u8]) -> Option<Answer> {
    let mut lines = bytes.splitn(4, |&b| b == b'\n');
    if lines.next()? != HELLO.as_bytes() {
        return None;
    }
    let token = std::str::from_utf8(lines.next()?).ok()?;
    let mut words = token.split(' ');
    if words.next()? != "token" {
        return None;
    }
    let token = Token {
        instance: u64::from_str_radix(words.next()?, 16).ok()?,
        generation: words.next()?.parse().ok()?,
    };
    let head = std::str::from_utf8(lines.next()?).ok()?;
    let rest = lines.next().unwrap_or_default();
    let changed = if head == "anything" {
        if !rest.is_empty() {
            return None;
        }
        Changed::Anything
    } else {
        let count: usize = head.strip_prefix("changed ")?.parse().ok()?;
        // Each path ends in a NUL, which no name can hold.
        let mut paths = Vec::with_capacity(count.min(1 << 20));
        if count > 0 {
            let body = rest.strip_suffix(b"\0")?;
            for path in body.split(|&b| b == 0) {
                // A name that is not UTF-8 is no key; the watcher sends
                // "anything" for one, so this is not its answer.
                let path = String::from_utf8(path.to_vec()).ok()?;
                if path.is_empty() {
                    return None;
                }
                paths.push(path);
            }
        } else if !rest.is_empty() {
            return None;
        }
        if paths.len() != count {
            return None;
        }
        Changed::Paths(paths)
    };
    Some(Answer { token, changed })
}

impl crate::store::Store {
    /// Watches this log's `cases/` until stopped, answering passes on the
    /// socket in the work folder; `ready` is told how many folders are
    /// watched once passes may ask.
    pub fn watch(&self, ready: &mut dyn FnMut(usize)) -> anyhow::Result<Ended> {
        let temp = self.temp_dir()?;
        let work = temp.parent().unwrap_or(&temp);
        serve(&self.cases, work, ready)
    }

    /// Stops this log's watcher; whether one was running.
    pub fn stop_watching(&self) -> bool {
        stop(&self.root.join(crate::store::WORK_DIR))
    }

    /// Whether a watcher answers for this log.
    pub fn is_watched(&self) -> bool {
        ask(&self.root.join(crate::store::WORK_DIR), None).is_some()
    }
}

#[cfg(target_os = "linux")]
pub use server::serve;

/// What ended a watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// `caselog index --stop-watching` asked it to.
    Stopped,
    /// `cases/` was removed, moved or unmounted: there is nothing
    /// left to watch.
    CasesGone,
    /// Its socket was removed or replaced (`.caselog/` deleted, say):
    /// nobody can ask it anything.
    SocketGone,
}

/// Watching needs inotify; elsewhere it is refused.
#[cfg(not(target_os = "linux"))]
pub fn serve(_cases: &Path, _work: &Path, _ready: &mut dyn FnMut(usize)) -> anyhow::Result<Ended> {
    anyhow::bail!(
        "watching the log for changes needs Linux (inotify); every command still stats each file"
    )
}

#[cfg(target_os = "linux")]
mod server {
    use std::collections::HashMap;
    use std::ffi::OsStr;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use anyhow::{Context, Result, bail};
    use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};

    use super::super::files::{SEPARATOR, key_below, path_of};
    use super::{Changed, Ended, HELLO, SOCKET, Token};

    /// How many paths the account holds before it is dropped whole
    /// (every asker then stats everything once): each case written adds
    /// its temporary file's name.
    const MOST_PATHS: usize = 200_000;

    /// How often the watcher checks that its socket is still there.
    const SOCKET_CHECK: Duration = Duration::from_secs(30);

    fn mask() -> WatchMask {
        WatchMask::MODIFY
            | WatchMask::ATTRIB
            | WatchMask::CLOSE_WRITE
            | WatchMask::MOVED_FROM
            | WatchMask::MOVED_TO
            | WatchMask::CREATE
            | WatchMask::DELETE
            | WatchMask::DELETE_SELF
            | WatchMask::MOVE_SELF
            | WatchMask::DONT_FOLLOW
            | WatchMask::ONLYDIR
            | WatchMask::EXCL_UNLINK
    }

    /// The account: which folder each watch is on, and when each path
    /// last changed.
    struct Account {
        inotify: Inotify,
        cases: PathBuf,
        folders: HashMap<WatchDescriptor, String>,
        changed: HashMap<String, u64>,
        /// The generation the next answer hands out; changes seen before
        /// it are marked with it.
        pending: u64,
        /// Tokens older than this get "anything": events were lost then.
        reset_at: u64,
        instance: u64,
    }

    /// The socket, removed when the watch ends, unless another watcher's
    /// has replaced it.
    struct Bound {
        path: PathBuf,
        inode: u64,
        listener: UnixListener,
    }

    impl Drop for Bound {
        fn drop(&mut self) {
            self.remove();
        }
    }

    impl Bound {
        fn remove(&self) {
            if self.still_ours() {
                let _ = std::fs::remove_file(&self.path);
            }
        }

        fn still_ours(&self) -> bool {
            std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.ino() == self.inode)
        }
    }

    /// Watches `cases` and answers on the socket in `work` until stopped;
    /// `ready` is told how many folders are watched once askers may ask.
    pub fn serve(cases: &Path, work: &Path, ready: &mut dyn FnMut(usize)) -> Result<Ended> {
        let meta = std::fs::symlink_metadata(cases)
            .with_context(|| format!("watching {}", cases.display()))?;
        if !meta.is_dir() {
            bail!(
                "{} is not a folder: there is nothing to watch",
                cases.display()
            );
        }
        if let Some(kind) = network_disk(cases) {
            return Err(crate::error::InputError::Invalid(format!(
                "{} is on a {kind} disk, where changes made by other machines are never told to a watcher; \
                 commands look at every file instead",
                cases.display()
            ))
            .into());
        }
        let bound = bind(work)?;
        let mut instance = [0u8; 8];
        getrandom::fill(&mut instance).context("choosing the watch's instance number")?;
        let mut account = Account {
            inotify: Inotify::init().context("starting inotify")?,
            cases: cases.to_path_buf(),
            folders: HashMap::new(),
            changed: HashMap::new(),
            pending: 1,
            reset_at: 1,
            // Zero would read as no token at all.
            instance: u64::from_le_bytes(instance).max(1),
        };
        account.watch_tree(cases, String::new())?;
        ready(account.folders.len());
        account.run(&bound)
    }

    /// The kind of disk `path` is on, when it is one that other machines
    /// (or a program behind FUSE) change without telling this kernel:
    /// inotify hears only the changes made through this machine.
    fn network_disk(path: &Path) -> Option<&'static str> {
        use std::os::unix::ffi::OsStrExt;
        let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        // SAFETY: an all-zero statfs is a valid value for the call to fill.
        let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c_path` is a NUL-terminated path and `stat` a valid
        // statfs for the call's duration.
        if unsafe { libc::statfs(c_path.as_ptr(), &mut stat) } != 0 {
            return None;
        }
        // The magic numbers of linux/magic.h (and of each file system's
        // own source, for those not listed there).
        // 32 bits wide, signed on some targets.
        #[allow(clippy::unnecessary_cast)]
        match stat.f_type as u64 & 0xFFFF_FFFF {
            0x6969 => Some("NFS"),
            0x517B => Some("SMB"),
            0xFF53_4D42 | 0xFE53_4D42 => Some("CIFS/SMB"),
            0x6573_5546 => Some("FUSE"),
            0x0102_1997 => Some("9P"),
            0x00C3_6400 => Some("Ceph"),
            0x5346_414F => Some("AFS"),
            0x7375_7245 => Some("Coda"),
            0x0BD0_0BD0 => Some("Lustre"),
            0x0116_1970 => Some("GFS2"),
            0x7461_636F => Some("OCFS2"),
            _ => None,
        }
    }

    /// Binds the socket, replacing one a killed watcher left, refusing
    /// while another watcher answers on it.
    fn bind(work: &Path) -> Result<Bound> {
        let path = work.join(SOCKET);
        if std::fs::symlink_metadata(&path).is_ok() {
            if super::connect(work).is_ok() {
                return Err(crate::error::InputError::Invalid(format!(
                    "another watcher already watches this log (its socket is {}; stop it with `caselog index --stop-watching`)",
                    path.display()
                ))
                .into());
            }
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the stale socket {}", path.display()))?;
        }
        let listener = if path.as_os_str().len() < 100 {
            UnixListener::bind(&path)
        } else {
            super::through_folder(work, |short| UnixListener::bind(short))
        }
        .with_context(|| format!("opening the socket {}", path.display()))?;
        let inode = std::fs::symlink_metadata(&path)
            .with_context(|| format!("opening the socket {}", path.display()))?
            .ino();
        let bound = Bound {
            path,
            inode,
            listener,
        };
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&bound.path, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("making {} private", bound.path.display()))?;
        }
        bound.listener.set_nonblocking(true)?;
        Ok(bound)
    }

    impl Account {
        fn run(&mut self, bound: &Bound) -> Result<Ended> {
            let mut polled = [
                libc::pollfd {
                    fd: self.inotify.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: bound.listener.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let timeout = SOCKET_CHECK.as_millis() as libc::c_int;
            loop {
                // SAFETY: `polled` is a valid array of two pollfds for the
                // call's duration.
                let n = unsafe { libc::poll(polled.as_mut_ptr(), 2, timeout) };
                if n < 0 {
                    let e = std::io::Error::last_os_error();
                    if e.kind() == std::io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(e).context("waiting for changes");
                }
                if n == 0 && !bound.still_ours() {
                    return Ok(Ended::SocketGone);
                }
                if polled[0].revents != 0
                    && let Some(ended) = self.drain()?
                {
                    return Ok(ended);
                }
                if polled[1].revents != 0 {
                    loop {
                        match bound.listener.accept() {
                            Ok((stream, _)) => {
                                if let Some(ended) = self.answer(stream, bound)? {
                                    return Ok(ended);
                                }
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e).context("taking a question"),
                        }
                    }
                }
            }
        }

        /// Answers one asker. A question that is not one, or an asker
        /// gone before its answer, is dropped.
        fn answer(&mut self, stream: UnixStream, bound: &Bound) -> Result<Option<Ended>> {
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
            let mut line = Vec::new();
            let mut reader = BufReader::new(&stream).take(200);
            if reader.read_until(b'\n', &mut line).is_err() {
                return Ok(None);
            }
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end();
            if line == "stop" {
                // Gone before the asker hears: no pass after the stop
                // connects to a socket nobody answers.
                bound.remove();
                let _ = (&stream).write_all(b"stopped\n");
                return Ok(Some(Ended::Stopped));
            }
            let Some(since) = line.strip_prefix("since ") else {
                return Ok(None);
            };
            let since = match since.split_once(' ') {
                Some((instance, generation)) => u64::from_str_radix(instance, 16)
                    .ok()
                    .zip(generation.parse().ok())
                    .map(|(instance, generation)| Token {
                        instance,
                        generation,
                    }),
                None => None,
            };
            // Every change made before the question is in the queue.
            if let Some(ended) = self.drain()? {
                return Ok(Some(ended));
            }
            let token = Token {
                instance: self.instance,
                generation: self.pending,
            };
            let changed = match since {
                Some(t)
                    if t.instance == self.instance
                        && t.generation >= self.reset_at
                        && t.generation <= self.pending =>
                {
                    let mut paths: Vec<&str> = self
                        .changed
                        .iter()
                        .filter(|(_, at)| **at > t.generation)
                        .map(|(path, _)| path.as_str())
                        .collect();
                    paths.sort_unstable();
                    Changed::Paths(paths.into_iter().map(str::to_string).collect())
                }
                _ => Changed::Anything,
            };
            self.pending += 1;
            let mut out = Vec::new();
            let _ = writeln!(out, "{HELLO}");
            let _ = writeln!(out, "token {:016x} {}", token.instance, token.generation);
            match changed {
                Changed::Anything => out.extend_from_slice(b"anything\n"),
                Changed::Paths(paths) => {
                    let _ = writeln!(out, "changed {}", paths.len());
                    for path in paths {
                        out.extend_from_slice(path.as_bytes());
                        out.push(0);
                    }
                }
            }
            let _ = (&stream).write_all(&out);
            Ok(None)
        }

        /// Takes every queued event into the account.
        fn drain(&mut self) -> Result<Option<Ended>> {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let events: Vec<(WatchDescriptor, EventMask, Option<Vec<u8>>)> =
                    match self.inotify.read_events(&mut buffer) {
                        Ok(events) => events
                            .map(|e| (e.wd, e.mask, e.name.map(|n| n.as_bytes().to_vec())))
                            .collect(),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e).context("reading changes"),
                    };
                if events.is_empty() {
                    return Ok(None);
                }
                for (wd, mask, name) in events {
                    if let Some(ended) = self.take(wd, mask, name.as_deref())? {
                        return Ok(Some(ended));
                    }
                }
            }
        }

        /// Takes one event into the account.
        fn take(
            &mut self,
            wd: WatchDescriptor,
            mask: EventMask,
            name: Option<&[u8]>,
        ) -> Result<Option<Ended>> {
            if mask.contains(EventMask::Q_OVERFLOW) {
                self.lost_track()?;
                return Ok(None);
            }
            if mask.contains(EventMask::IGNORED) {
                self.folders.remove(&wd);
                return Ok(None);
            }
            let Some(folder) = self.folders.get(&wd).cloned() else {
                return Ok(None);
            };
            if mask.contains(EventMask::UNMOUNT)
                || (folder.is_empty()
                    && mask.intersects(EventMask::DELETE_SELF | EventMask::MOVE_SELF))
            {
                return Ok(Some(Ended::CasesGone));
            }
            let Some(name) = name else {
                // The folder itself changed (its own times or mode, say):
                // its parent has the event that matters. `cases/` has none
                // watched, and what its mode now forbids only a walk
                // tells: every asker looks at everything once.
                if !folder.is_empty() {
                    self.mark(folder);
                } else if mask.contains(EventMask::ATTRIB) {
                    self.forget_changes();
                }
                return Ok(None);
            };
            // A name no key can carry: the next pass looks at everything
            // and says what is wrong with it.
            let Some(name) = std::str::from_utf8(name)
                .ok()
                .filter(|n| !n.contains(SEPARATOR))
            else {
                self.lost_track()?;
                return Ok(None);
            };
            let key = key_below(&folder, name);
            if mask.contains(EventMask::ISDIR) {
                if mask.contains(EventMask::MOVED_FROM) {
                    self.unwatch_tree(&key);
                }
                if mask.intersects(EventMask::CREATE | EventMask::MOVED_TO) {
                    let path = path_of(&self.cases, &key);
                    self.watch_tree(&path, key.clone())?;
                }
            }
            self.mark(key);
            Ok(None)
        }

        fn mark(&mut self, key: String) {
            if self.changed.len() >= MOST_PATHS && !self.changed.contains_key(&key) {
                self.forget_changes();
            }
            self.changed.insert(key, self.pending);
        }

        /// Makes every token handed out so far worth nothing: its askers
        /// look at everything once.
        fn forget_changes(&mut self) {
            self.changed.clear();
            self.reset_at = self.pending;
        }

        /// Events were lost: every token handed out so far is worth
        /// nothing, and a folder made meanwhile may be unwatched.
        fn lost_track(&mut self) -> Result<()> {
            self.forget_changes();
            let cases = self.cases.clone();
            self.watch_tree(&cases, String::new())
        }

        /// Watches `folder` (at `key`) and every folder below it. Each
        /// folder is watched before it is listed, so one made meanwhile is
        /// either listed or seen made.
        fn watch_tree(&mut self, folder: &Path, key: String) -> Result<()> {
            let mut left = vec![(folder.to_path_buf(), key)];
            while let Some((folder, key)) = left.pop() {
                let wd = match self.inotify.watches().add(&folder, mask()) {
                    Ok(wd) => wd,
                    // Gone, or no longer a folder, already: its event says so.
                    Err(e)
                        if matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::ENOTDIR)) =>
                    {
                        continue;
                    }
                    Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => {
                        return Err(e).with_context(|| {
                            format!(
                                "watching {}: the system's limit of watched folders is reached \
                                 (raise fs.inotify.max_user_watches)",
                                folder.display()
                            )
                        });
                    }
                    Err(e) => {
                        return Err(e).with_context(|| format!("watching {}", folder.display()));
                    }
                };
                self.folders.insert(wd, key.clone());
                let Ok(entries) = std::fs::read_dir(&folder) else {
                    continue;
                };
                for entry in entries.flatten() {
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        let name = entry.file_name();
                        let Some(name) = OsStr::to_str(&name).filter(|n| !n.contains(SEPARATOR))
                        else {
                            // Not a key: the walk reports it, so the next
                            // pass must walk.
                            self.forget_changes();
                            continue;
                        };
                        left.push((entry.path(), key_below(&key, name)));
                    }
                }
            }
            Ok(())
        }

        /// Stops watching a folder moved away, and every folder below it:
        /// moved within `cases/`, it is watched again where it landed.
        fn unwatch_tree(&mut self, key: &str) {
            let below = format!("{key}{SEPARATOR}");
            let gone: Vec<WatchDescriptor> = self
                .folders
                .iter()
                .filter(|(_, k)| k.as_str() == key || k.starts_with(&below))
                .map(|(wd, _)| wd.clone())
                .collect();
            for wd in gone {
                self.folders.remove(&wd);
                let _ = self.inotify.watches().remove(wd);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_read_only_when_it_is_exactly_as_written() {
        let token = Token {
            instance: 0xabc,
            generation: 7,
        };
        let with = |rest: &[u8]| {
            let mut bytes = format!("{HELLO}\ntoken 0000000000000abc 7\n").into_bytes();
            bytes.extend_from_slice(rest);
            parse_answer(&bytes)
        };
        assert_eq!(
            with(b"anything\n"),
            Some(Answer {
                token,
                changed: Changed::Anything
            })
        );
        assert_eq!(
            with(b"changed 2\na\x01b.toml\0c\0"),
            Some(Answer {
                token,
                changed: Changed::Paths(vec!["a\u{1}b.toml".into(), "c".into()])
            })
        );
        assert_eq!(
            with(b"changed 0\n"),
            Some(Answer {
                token,
                changed: Changed::Paths(vec![])
            })
        );
        for bad in [
            &b"changed 3\na\0b\0"[..],
            b"changed 1\n",
            b"changed 0\nx\0",
            b"changed 1\n\xff\0",
            b"anything\nmore",
            b"nothing\n",
        ] {
            assert_eq!(with(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_answer(b"HTTP/1.1 200 OK\n"), None);
        assert_eq!(parse_answer(b""), None);
    }

    #[test]
    #[cfg(unix)]
    fn nothing_answers_where_no_watcher_runs() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(ask(dir.path(), None), None);
        // A socket a killed watcher left: nobody listens.
        let path = dir.path().join(SOCKET);
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        assert_eq!(ask(dir.path(), None), None);
        assert!(!stop(dir.path()));
    }

    #[cfg(target_os = "linux")]
    mod watching {
        use super::super::*;
        use crate::store::index::SEPARATOR;
        use std::fs;
        use std::path::PathBuf;

        struct Watched {
            _dir: tempfile::TempDir,
            cases: PathBuf,
            work: PathBuf,
            thread: Option<std::thread::JoinHandle<Ended>>,
        }

        impl Watched {
            fn start(long: bool) -> Watched {
                let dir = tempfile::tempdir().unwrap();
                let mut root = dir.path().to_path_buf();
                if long {
                    // Beyond the ~100 bytes a socket's path may have.
                    root = root.join("a-folder-name-long-enough".repeat(6));
                }
                let cases = root.join("cases");
                let work = root.join(".caselog");
                fs::create_dir_all(cases.join("2026/11")).unwrap();
                fs::create_dir_all(&work).unwrap();
                fs::write(cases.join("2026/11/a.toml"), "one").unwrap();
                let (tx, rx) = std::sync::mpsc::channel();
                let (c, w) = (cases.clone(), work.clone());
                let thread = std::thread::spawn(move || {
                    serve(&c, &w, &mut |n| tx.send(n).unwrap()).unwrap()
                });
                assert_eq!(rx.recv().unwrap(), 3, "cases, 2026, 2026/11");
                Watched {
                    _dir: dir,
                    cases,
                    work,
                    thread: Some(thread),
                }
            }

            fn ask(&self, since: Option<Token>) -> Answer {
                ask(&self.work, since).expect("the watcher answers")
            }

            fn paths(&self, since: Token) -> (Token, Vec<String>) {
                let answer = self.ask(Some(since));
                match answer.changed {
                    Changed::Paths(paths) => (
                        answer.token,
                        paths
                            .into_iter()
                            .map(|p| p.replace(SEPARATOR, "/"))
                            .collect(),
                    ),
                    Changed::Anything => panic!("lost track"),
                }
            }
        }

        impl Drop for Watched {
            fn drop(&mut self) {
                if let Some(thread) = self.thread.take() {
                    stop(&self.work);
                    let _ = thread.join();
                }
            }
        }

        #[test]
        fn a_watcher_tells_each_path_changed_since_a_token_and_nothing_else() {
            for long in [false, true] {
                let w = Watched::start(long);
                let first = w.ask(None);
                assert_eq!(first.changed, Changed::Anything, "no token yet");
                let (t, paths) = w.paths(first.token);
                assert!(paths.is_empty(), "{paths:?}");
                fs::write(w.cases.join("2026/11/a.toml"), "two").unwrap();
                fs::write(w.cases.join("2026/11/b.toml"), "new").unwrap();
                let (t2, paths) = w.paths(t);
                assert_eq!(paths, ["2026/11/a.toml", "2026/11/b.toml"]);
                // Asked again from the older token, the same; from the
                // newer, nothing.
                assert_eq!(w.paths(t).1.len(), 2);
                let (t3, paths) = w.paths(t2);
                assert!(paths.is_empty(), "{paths:?}");
                // A new folder with files made at once, and a folder moved.
                fs::create_dir_all(w.cases.join("2026/12/deep")).unwrap();
                fs::write(w.cases.join("2026/12/deep/c.toml"), "c").unwrap();
                let (t4, paths) = w.paths(t3);
                assert!(paths.contains(&"2026/12".to_string()), "{paths:?}");
                fs::write(w.cases.join("2026/12/deep/c.toml"), "cc").unwrap();
                let (t5, paths) = w.paths(t4);
                assert_eq!(paths, ["2026/12/deep/c.toml"], "the new folder is watched");
                fs::rename(w.cases.join("2026/12"), w.cases.join("archive")).unwrap();
                let (t6, paths) = w.paths(t5);
                assert_eq!(paths, ["2026/12", "archive"]);
                fs::write(w.cases.join("archive/deep/c.toml"), "ccc").unwrap();
                let (t7, paths) = w.paths(t6);
                assert_eq!(paths, ["archive/deep/c.toml"], "watched where it landed");
                // A change of times alone (`touch -d`).
                let file = fs::File::options()
                    .write(true)
                    .open(w.cases.join("2026/11/a.toml"))
                    .unwrap();
                file.set_modified(std::time::SystemTime::UNIX_EPOCH)
                    .unwrap();
                let (_, paths) = w.paths(t7);
                assert_eq!(paths, ["2026/11/a.toml"]);
                // Another run's token is worth nothing.
                let foreign = Token {
                    instance: t7.instance ^ 1,
                    generation: t7.generation,
                };
                assert_eq!(w.ask(Some(foreign)).changed, Changed::Anything);
            }
        }

        #[test]
        fn a_watcher_ends_when_its_cases_folder_goes() {
            let mut w = Watched::start(false);
            fs::rename(&w.cases, w.cases.with_file_name("moved")).unwrap();
            let thread = w.thread.take().unwrap();
            assert_eq!(thread.join().unwrap(), Ended::CasesGone);
            assert!(!w.work.join(SOCKET).exists(), "its socket is removed");
        }

        #[test]
        fn a_second_watcher_of_one_log_is_refused() {
            let w = Watched::start(false);
            let err = serve(&w.cases, &w.work, &mut |_| {}).unwrap_err();
            assert!(err.to_string().contains("another watcher"), "{err}");
            assert!(w.ask(None).token.instance != 0, "the first still answers");
        }
    }
}
